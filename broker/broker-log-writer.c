/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-log-writer.c: journald's native protocol, written here because
 * g_log_writer_journald() only knows /run/systemd/journal/socket and only
 * recognises a journal stderr by its peer address, never by
 * $JOURNAL_STREAM. One datagram per record; each field is "KEY=VALUE\n",
 * or, when the value holds a newline, "KEY\n", its length as a 64-bit
 * little-endian integer, the value and "\n" (systemd's "Native Journal
 * Protocol"). */

#include "broker-log-writer.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#ifdef G_OS_UNIX
#include <gio/gunixsocketaddress.h>
#include <sys/stat.h>
#endif

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

/* Set once by broker_log_writer_install(), before any other thread runs;
 * read-only afterwards. */
static struct
{
  char           *identifier;
  GSocket        *socket;    /* NULL: stderr is not the journal */
  GSocketAddress *address;
} writer;

typedef struct
{
  char *topic;
  char  partition[16];
} PartitionScope;

static void
partition_scope_free (gpointer data)
{
  PartitionScope *scope = data;

  g_free (scope->topic);
  g_free (scope);
}

static GPrivate partition_scope = G_PRIVATE_INIT (partition_scope_free);

void
broker_log_writer_set_partition (const char *topic,
                                 gint32      partition)
{
  PartitionScope *scope = NULL;

  if (topic != NULL)
    {
      scope = g_new0 (PartitionScope, 1);
      scope->topic = g_strdup (topic);
      g_snprintf (scope->partition, sizeof scope->partition, "%d", partition);
    }
  g_private_replace (&partition_scope, scope);
}

void
broker_log_with_field_full (const char     *domain,
                            GLogLevelFlags  level,
                            const char     *file,
                            const char     *line,
                            const char     *func,
                            const char     *key,
                            const char     *value,
                            const char     *format,
                            ...)
{
  g_autofree char *message = NULL;
  va_list args;

  /* Formatted here, where G_GNUC_PRINTF checks the arguments, rather
   * than by g_log_structured(), where nothing checks them. */
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_log_structured (domain, level,
                    "CODE_FILE", file,
                    "CODE_LINE", line,
                    "CODE_FUNC", func,
                    key, value != NULL ? value : "",
                    "MESSAGE", "%s", message);
}

/* systemd sets $JOURNAL_STREAM to "DEVICE:INODE" of the stream it gave
 * the service as stdout/stderr (systemd.exec(5)); it counts only while
 * stderr is still that stream, not after a redirect, nor in a child that
 * merely inherited the variable. */
static gboolean
stderr_is_journal (void)
{
#ifdef G_OS_UNIX
  const char *stream = g_getenv ("JOURNAL_STREAM");
  guint64 dev, ino;
  char *end;
  struct stat st;

  if (g_log_writer_is_journald (fileno (stderr)))
    return TRUE;
  if (stream == NULL || !g_ascii_isdigit (stream[0]))
    return FALSE;
  dev = g_ascii_strtoull (stream, &end, 10);
  if (*end != ':' || !g_ascii_isdigit (end[1]))
    return FALSE;
  ino = g_ascii_strtoull (end + 1, &end, 10);
  if (*end != '\0' || fstat (fileno (stderr), &st) != 0)
    return FALSE;
  return (guint64) st.st_dev == dev && (guint64) st.st_ino == ino;
#else
  return FALSE;
#endif
}

static const char *
field_value (const GLogField *fields,
             gsize            n_fields,
             const char      *key)
{
  for (gsize i = 0; i < n_fields; i++)
    if (fields[i].length < 0 && strcmp (fields[i].key, key) == 0)
      return fields[i].value;
  return NULL;
}

static void
append_field (GByteArray *out,
              const char *key,
              const void *value,
              gssize      length)
{
  gsize len = length < 0 ? strlen (value) : (gsize) length;

  g_byte_array_append (out, (const guint8 *) key, strlen (key));
  if (memchr (value, '\n', len) == NULL)
    g_byte_array_append (out, (const guint8 *) "=", 1);
  else
    {
      /* The binary-safe form: the length says where the value ends. */
      guint64 le = GUINT64_TO_LE ((guint64) len);

      g_byte_array_append (out, (const guint8 *) "\n", 1);
      g_byte_array_append (out, (const guint8 *) &le, sizeof le);
    }
  g_byte_array_append (out, value, len);
  g_byte_array_append (out, (const guint8 *) "\n", 1);
}

static gboolean
send_to_journal (const GLogField *fields,
                 gsize            n_fields)
{
  g_autoptr(GByteArray) out = g_byte_array_sized_new (512);
  const PartitionScope *scope = g_private_get (&partition_scope);

  for (gsize i = 0; i < n_fields; i++)
    /* Length 0 marks a pointer meant for a writer (g_log_structured_array
     * docs), not text. */
    if (fields[i].length != 0)
      append_field (out, fields[i].key, fields[i].value, fields[i].length);
  if (field_value (fields, n_fields, "SYSLOG_IDENTIFIER") == NULL)
    append_field (out, "SYSLOG_IDENTIFIER", writer.identifier, -1);
  if (scope != NULL && field_value (fields, n_fields, "CAUDAL_TOPIC") == NULL)
    {
      append_field (out, "CAUDAL_TOPIC", scope->topic, -1);
      append_field (out, "CAUDAL_PARTITION", scope->partition, -1);
    }
  /* No GError: a failure here must not log (the caller falls back). */
  return g_socket_send_to (writer.socket, writer.address, (const char *) out->data, out->len,
                           NULL, NULL) == (gssize) out->len;
}

static GLogWriterOutput
write_record (GLogLevelFlags   level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  if (writer.socket == NULL)
    return g_log_writer_default (level, fields, n_fields, user_data);
  if (g_log_writer_default_would_drop (level, field_value (fields, n_fields, "GLIB_DOMAIN")))
    return G_LOG_WRITER_HANDLED;
  if (send_to_journal (fields, n_fields))
    return G_LOG_WRITER_HANDLED;
  /* Journald gone, or a record too big for one datagram (journald would
   * want it in a memfd): the plain line still reaches the journal through
   * the stderr stream. */
  return g_log_writer_standard_streams (level, fields, n_fields, user_data);
}

void
broker_log_writer_install (const char *identifier)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (identifier != NULL);
  g_return_if_fail (writer.identifier == NULL);

  writer.identifier = g_strdup (identifier);
#ifdef G_OS_UNIX
  if (stderr_is_journal ())
    {
      const char *path = g_getenv ("CAUDALD_JOURNAL_SOCKET");

      writer.socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM,
                                    G_SOCKET_PROTOCOL_DEFAULT, &error);
      if (writer.socket != NULL)
        writer.address = g_unix_socket_address_new (path != NULL && *path != '\0'
                                                    ? path : JOURNAL_SOCKET);
    }
#endif
  g_log_set_writer_func (write_record, NULL, NULL);
  if (error != NULL)
    g_warning ("logging to stderr, not natively to the journal: %s", error->message);
}
