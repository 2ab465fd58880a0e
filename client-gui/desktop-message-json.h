/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-message-json.h: JSON for messages. One consumed message as a
 * JSON object — what Copy puts on the clipboard and each line of a JSON
 * Lines export (the format is in docs/desktop.md) — and checking and
 * pretty-printing a value that should be JSON (the JSON view of the
 * messages browser, the produce dialog's validation). */
#pragma once

#include <gio/gio.h>

#include "desktop-message.h"

G_BEGIN_DECLS

/* @message as one line of JSON (no newline): {"topic", "partition",
 * "offset", "timestamp", "timestampType", "key", "value",
 * "headers": [{"key", "value"}]}. Keys and values are JSON strings when
 * they are valid UTF-8, null for Kafka's null, {"base64": "…"} else. */
char    *desktop_message_to_json        (DesktopMessage *message);

/* @messages: (element-type DesktopMessage): each message's JSON and a
 * newline (JSON Lines). */
GBytes  *desktop_messages_to_json_lines (GListModel     *messages);

/* Whether @text (@length bytes, or NUL-terminated when -1) is JSON as
 * json-glib parses it. Otherwise @error (JSON_PARSER_ERROR) says why as
 * "line L, column C: …" (columns in characters, from 1) when the parser
 * gave a place, or just why (not UTF-8, empty). */
gboolean desktop_json_check             (const char     *text,
                                         gssize          length,
                                         GError        **error);

/* @text re-indented (2 spaces a level, one member or element a line)
 * when it is JSON; NULL and @error as desktop_json_check() otherwise.
 * Strings and numbers are copied as written, never re-encoded. */
char    *desktop_json_pretty            (const char     *text,
                                         gssize          length,
                                         GError        **error);

G_END_DECLS
