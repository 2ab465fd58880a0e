/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-messages-view.h: a topic's messages browser. Reads from the
 * beginning, the end, an offset or a date/time, one partition or all, up
 * to a maximum count, with a CaudalConsumer assigned to the partitions (no
 * group); a live tail keeps polling. Columns partition, offset,
 * timestamp, key, value, headers; a search filter on key/value/headers;
 * a detail pane with the selected value as text, indented JSON or hex;
 * copy the selected message and export the shown ones as JSON Lines
 * (desktop-message-json.h). */
#pragma once

#include <adwaita.h>

#include "caudal-cluster.h"

G_BEGIN_DECLS

#define DESKTOP_TYPE_MESSAGES_VIEW (desktop_messages_view_get_type ())
G_DECLARE_FINAL_TYPE (DesktopMessagesView, desktop_messages_view, DESKTOP, MESSAGES_VIEW, AdwBin)

typedef enum
{
  DESKTOP_MESSAGES_FROM_BEGINNING = 0,
  DESKTOP_MESSAGES_FROM_END = 1,
  DESKTOP_MESSAGES_FROM_OFFSET = 2,
  DESKTOP_MESSAGES_FROM_TIME = 3,
} DesktopMessagesFrom;

void        desktop_messages_view_set_topic   (DesktopMessagesView *self,
                                               CaudalCluster       *cluster,
                                               const char          *bootstrap_servers,
                                               const char          *topic,
                                               guint                n_partitions);
/* Starts a read with the current settings (also the Read button). */
void        desktop_messages_view_read        (DesktopMessagesView *self);
/* Stops reading (and the live tail). */
void        desktop_messages_view_stop        (DesktopMessagesView *self);
gboolean    desktop_messages_view_is_reading  (DesktopMessagesView *self);
/* (element-type DesktopMessage): every message read. */
GListModel *desktop_messages_view_get_messages (DesktopMessagesView *self);
/* (element-type DesktopMessage): the rows shown (search applied). */
GListModel *desktop_messages_view_get_shown   (DesktopMessagesView *self);
/* Writes the rows shown to @file as JSON Lines, asynchronously; a toast
 * says how many were written or why not (the Export… button asks for
 * the file, then calls this). */
void        desktop_messages_view_export      (DesktopMessagesView *self,
                                               GFile               *file);

G_END_DECLS
