/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-message.h: one consumed record as the messages browser shows
 * it (partition, offset, timestamp, key, value, headers), wrapping a
 * CaudalMessage. */
#pragma once

#include "caudal-consumer.h"

G_BEGIN_DECLS

#define DESKTOP_TYPE_MESSAGE (desktop_message_get_type ())
G_DECLARE_FINAL_TYPE (DesktopMessage, desktop_message, DESKTOP, MESSAGE, GObject)

/* Takes @message. */
DesktopMessage *desktop_message_new            (CaudalMessage  *message);
const char     *desktop_message_get_topic      (DesktopMessage *self);
gint32          desktop_message_get_partition  (DesktopMessage *self);
gint64          desktop_message_get_offset     (DesktopMessage *self);
gint64          desktop_message_get_timestamp  (DesktopMessage *self);
CaudalTimestampType desktop_message_get_timestamp_type (DesktopMessage *self);
/* (nullable): NULL for Kafka's null. */
GBytes         *desktop_message_get_key        (DesktopMessage *self);
GBytes         *desktop_message_get_value      (DesktopMessage *self);
/* (element-type CaudalMessageHeader): the headers, in order. */
GPtrArray      *desktop_message_get_headers    (DesktopMessage *self);
/* The key as text ("" for null; invalid UTF-8 made valid). */
const char     *desktop_message_get_key_text   (DesktopMessage *self);
/* The value as text ("" for null; invalid UTF-8 made valid). */
const char     *desktop_message_get_value_text (DesktopMessage *self);
/* "name=value, …" ("" without headers). */
const char     *desktop_message_get_headers_text (DesktopMessage *self);
/* The timestamp as local "YYYY-MM-DD HH:MM:SS.mmm" (newly allocated). */
char           *desktop_message_format_timestamp (DesktopMessage *self);

/* @bytes as a hex dump: 16 bytes a line, offset, hex, printable ASCII. */
char           *desktop_format_hex             (GBytes *bytes);

G_END_DECLS
