/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-topics-page.h: the cluster's topics in a column view (name,
 * partitions, replication factor, messages, size on disk) with search,
 * "show internal topics", create, add partitions and delete. */
#pragma once

#include <adwaita.h>

#include "caudal-cluster.h"

G_BEGIN_DECLS

#define DESKTOP_TYPE_TOPICS_PAGE (desktop_topics_page_get_type ())
G_DECLARE_FINAL_TYPE (DesktopTopicsPage, desktop_topics_page, DESKTOP, TOPICS_PAGE, AdwBin)

void        desktop_topics_page_set_cluster (DesktopTopicsPage *self,
                                             CaudalCluster     *cluster,
                                             const char        *bootstrap_servers);
/* Reloads the topics (also the "topics.refresh" action). */
void        desktop_topics_page_refresh     (DesktopTopicsPage *self);
/* (element-type DesktopTopic): every topic of the last load. */
GListModel *desktop_topics_page_get_topics  (DesktopTopicsPage *self);
/* (element-type DesktopTopic): the rows shown (search and filters applied). */
GListModel *desktop_topics_page_get_shown   (DesktopTopicsPage *self);

G_END_DECLS
