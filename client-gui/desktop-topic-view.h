/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-topic-view.h: one topic's window, opened from the topics list:
 * partitions (leader, replicas, ISR, earliest and latest offsets, message
 * count), configs (value and source; edit and reset to default) and the
 * messages browser. */
#pragma once

#include <adwaita.h>

#include "caudal-cluster.h"
#include "desktop-messages-view.h"

G_BEGIN_DECLS

#define DESKTOP_TYPE_TOPIC_VIEW (desktop_topic_view_get_type ())
G_DECLARE_FINAL_TYPE (DesktopTopicView, desktop_topic_view, DESKTOP, TOPIC_VIEW, AdwWindow)

DesktopTopicView    *desktop_topic_view_new           (GtkWindow     *parent,
                                                       CaudalCluster *cluster,
                                                       const char    *bootstrap_servers,
                                                       const char    *topic);
const char          *desktop_topic_view_get_topic     (DesktopTopicView *self);
/* Reloads partitions and configs (also the "topic.refresh" action). */
void                 desktop_topic_view_refresh       (DesktopTopicView *self);
/* (nullable): the row editing config @name, once the configs are loaded. */
AdwEntryRow         *desktop_topic_view_lookup_config (DesktopTopicView *self,
                                                       const char       *name);
DesktopMessagesView *desktop_topic_view_get_messages_view (DesktopTopicView *self);

G_END_DECLS
