/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-log-writer.h: where caudald's log records go. Run by systemd
 * with stderr connected to the journal, records are sent to journald
 * natively with their fields (MESSAGE, PRIORITY, GLIB_DOMAIN, CODE_*,
 * SYSLOG_IDENTIFIER and our CAUDAL_* fields, docs/broker.md "Logging");
 * anywhere else GLib's default writer prints them exactly as before. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Installs the writer for the whole process (once, first thing in main:
 * libraries must not). @identifier becomes SYSLOG_IDENTIFIER. The socket
 * is /run/systemd/journal/socket, or $CAUDALD_JOURNAL_SOCKET: a test hook,
 * so tests can receive the datagrams themselves. */
void broker_log_writer_install (const char *identifier);

/* Records logged by this thread from now on carry CAUDAL_TOPIC and
 * CAUDAL_PARTITION in the journal, until called with @topic NULL. For
 * code that logs about a partition without knowing it (log recovery
 * names only a directory). */
void broker_log_writer_set_partition (const char *topic,
                                      gint32      partition);

/* The function behind broker_log_with_field(): call the macro, which
 * fills in @domain and the code location. */
void broker_log_with_field_full (const char     *domain,
                                 GLogLevelFlags  level,
                                 const char     *file,
                                 const char     *line,
                                 const char     *func,
                                 const char     *key,
                                 const char     *value,
                                 const char     *format,
                                 ...) G_GNUC_PRINTF (8, 9);

/* Like g_message()/g_warning() (same stderr line, same G_MESSAGES_DEBUG
 * filtering) with one field of ours, KEY=VALUE, for the journal:
 *   broker_log_with_field (G_LOG_LEVEL_MESSAGE, "CAUDAL_PEER", peer, "…%s", …);
 * The code location (CODE_FILE, CODE_LINE, CODE_FUNC) is added as
 * G_LOG_USE_STRUCTURED's macros add it. */
#define broker_log_with_field(level, key, value, ...) \
  broker_log_with_field_full (G_LOG_DOMAIN, (level), __FILE__, G_STRINGIFY (__LINE__), \
                              G_STRFUNC, (key), (value), __VA_ARGS__)

G_END_DECLS
