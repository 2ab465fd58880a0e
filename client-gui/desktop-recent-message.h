/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-recent-message.h: a message the produce dialog sent — topic,
 * key, value, headers, partition choice, compression — and the list of
 * the last ones sent to a cluster, kept in memory for the application's
 * run, newest first, so that they can be filled in again or resent. */
#pragma once

#include <gio/gio.h>

#include "caudal-compression.h"
#include "caudal-record-batch.h"

G_BEGIN_DECLS

/* How many messages a cluster's list keeps. */
#define DESKTOP_RECENT_MESSAGES_MAX 10

#define DESKTOP_TYPE_RECENT_MESSAGE (desktop_recent_message_get_type ())
G_DECLARE_FINAL_TYPE (DesktopRecentMessage, desktop_recent_message, DESKTOP, RECENT_MESSAGE, GObject)

/* @key: (nullable): NULL for Kafka's null key; @headers: (nullable):
 * key, value, key, value, … (NULL-terminated; copied); @partition: -1
 * for the partitioner's choice. */
DesktopRecentMessage *desktop_recent_message_new             (const char           *topic,
                                                              GBytes               *key,
                                                              GBytes               *value,
                                                              const char * const   *headers,
                                                              gint32                partition,
                                                              CaudalCompression     compression);
const char           *desktop_recent_message_get_topic       (DesktopRecentMessage *self);
/* (nullable) */
GBytes               *desktop_recent_message_get_key         (DesktopRecentMessage *self);
GBytes               *desktop_recent_message_get_value       (DesktopRecentMessage *self);
/* Key, value, key, value, …, NULL. */
const char * const   *desktop_recent_message_get_headers     (DesktopRecentMessage *self);
gint32                desktop_recent_message_get_partition   (DesktopRecentMessage *self);
CaudalCompression     desktop_recent_message_get_compression (DesktopRecentMessage *self);
/* (element-type CaudalRecordHeader): the headers as the producer takes
 * them, borrowing @self's strings. */
GArray               *desktop_recent_message_dup_record_headers (DesktopRecentMessage *self);
gboolean              desktop_recent_message_equal           (DesktopRecentMessage *a,
                                                              DesktopRecentMessage *b);

/* (element-type DesktopRecentMessage) (transfer none): the messages sent
 * to @bootstrap_servers in this run, newest first. */
GListModel           *desktop_recent_messages_get            (const char           *bootstrap_servers);
/* Puts @message first in the list of @bootstrap_servers (an equal one
 * moves up instead of repeating) and drops what passes the maximum. */
void                  desktop_recent_messages_remember       (const char           *bootstrap_servers,
                                                              DesktopRecentMessage *message);

G_END_DECLS
