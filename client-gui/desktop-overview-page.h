/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-overview-page.h: a cluster at a glance: id, controller,
 * brokers, topic, partition and consumer group counts, total messages;
 * refreshes on its own while shown. */
#pragma once

#include <adwaita.h>

#include "caudal-cluster.h"

G_BEGIN_DECLS

#define DESKTOP_TYPE_OVERVIEW_PAGE (desktop_overview_page_get_type ())
G_DECLARE_FINAL_TYPE (DesktopOverviewPage, desktop_overview_page, DESKTOP, OVERVIEW_PAGE, AdwBin)

/* Seconds between refreshes while the page is mapped. */
#define DESKTOP_OVERVIEW_REFRESH_SECONDS 5

void desktop_overview_page_set_cluster (DesktopOverviewPage *self,
                                        CaudalCluster       *cluster,
                                        const char          *bootstrap_servers);
/* Refreshes now (also the "overview.refresh" action). */
void desktop_overview_page_refresh     (DesktopOverviewPage *self);

G_END_DECLS
