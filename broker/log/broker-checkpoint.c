/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-checkpoint.c: Kafka's text checkpoint files, written atomically
 * (temp + fsync + rename + fsync of the directory) and read strictly. */
#include "broker-checkpoint.h"

#include "broker-log-io.h"
#include "broker-log.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

BrokerCheckpointEntry *
broker_checkpoint_entry_new (const char *topic,
                             gint32      partition,
                             gint64      offset)
{
  BrokerCheckpointEntry *entry = g_new0 (BrokerCheckpointEntry, 1);

  entry->topic = g_strdup (topic);
  entry->partition = partition;
  entry->offset = offset;
  return entry;
}

void
broker_checkpoint_entry_free (BrokerCheckpointEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->topic);
  g_free (entry);
}

static gboolean
valid_topic (const char *topic)
{
  if (topic == NULL || *topic == '\0')
    return FALSE;
  for (const char *p = topic; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
      return FALSE;
  return TRUE;
}

gboolean
broker_checkpoint_write_text (const char *path,
                              const char *text,
                              gsize       len,
                              GError    **error)
{
  g_autofree char *tmp = NULL;
  g_autofree char *dir = NULL;
  int fd;

  g_return_val_if_fail (path != NULL && (text != NULL || len == 0), FALSE);

  tmp = g_strconcat (path, ".tmp", NULL);
  dir = g_path_get_dirname (path);
  fd = broker_io_open (tmp, O_WRONLY | O_CREAT | O_TRUNC, error);
  if (fd < 0)
    return FALSE;
  if (!broker_io_pwrite_all (fd, text, len, 0, tmp, error) ||
      !broker_io_datasync (fd, tmp, error))
    {
      close (fd);
      g_unlink (tmp);
      return FALSE;
    }
  if (!broker_io_close (fd, tmp, error))
    {
      g_unlink (tmp);
      return FALSE;
    }
  if (g_rename (tmp, path) < 0)
    {
      int saved = errno;

      g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_IO,
                   "cannot rename %s to %s: %s", tmp, path, g_strerror (saved));
      g_unlink (tmp);
      return FALSE;
    }
  /* The rename itself is durable only once the directory is. */
  return broker_io_fsync_dir (dir, error);
}

gboolean
broker_checkpoint_write (const char *path,
                         GPtrArray  *entries,
                         GError    **error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (path != NULL && entries != NULL, FALSE);

  g_string_append_printf (text, "%d\n%u\n", BROKER_CHECKPOINT_VERSION, entries->len);
  for (guint i = 0; i < entries->len; i++)
    {
      const BrokerCheckpointEntry *e = g_ptr_array_index (entries, i);

      if (!valid_topic (e->topic) || e->partition < 0)
        {
          g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_INVALID,
                       "%s: cannot write topic \"%s\" partition %d", path,
                       e->topic != NULL ? e->topic : "(null)", e->partition);
          return FALSE;
        }
      g_string_append_printf (text, "%s %d %" G_GINT64_FORMAT "\n",
                              e->topic, e->partition, e->offset);
    }
  return broker_checkpoint_write_text (path, text->str, text->len, error);
}

gboolean
broker_checkpoint_parse_int (const char *s,
                             gint64      min,
                             gint64      max,
                             gint64     *out)
{
  /* Strict: no whitespace, no sign but '-', nothing after the digits. */
  return s != NULL && *s != '+' && g_ascii_string_to_signed (s, 10, min, max, out, NULL);
}

static gpointer
malformed (GError    **error,
           const char *path,
           guint       line,
           const char *why)
{
  g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT,
               "%s: line %u: %s", path, line, why);
  return NULL;
}

GPtrArray *
broker_checkpoint_read_lines (const char *path,
                              guint       n_fields,
                              GError    **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  gint64 version, count;
  guint n_lines;

  g_return_val_if_fail (path != NULL && n_fields > 0, NULL);

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  lines = g_strsplit (contents, "\n", -1);
  n_lines = g_strv_length (lines);
  /* Every line ends in a newline: the split leaves one empty string last. */
  if (n_lines < 3 || *lines[n_lines - 1] != '\0')
    return malformed (error, path, n_lines, "missing lines or final newline");
  if (!broker_checkpoint_parse_int (lines[0], 0, G_MAXINT32, &version) ||
      version != BROKER_CHECKPOINT_VERSION)
    return malformed (error, path, 1, "unknown version");
  if (!broker_checkpoint_parse_int (lines[1], 0, G_MAXINT32, &count) ||
      (guint64) count != n_lines - 3)
    return malformed (error, path, 2, "the count does not match the entries");

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  for (guint i = 2; i < n_lines - 1; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);

      if (g_strv_length (fields) != n_fields)
        {
          g_autofree char *why = g_strdup_printf ("expected %u fields", n_fields);

          return malformed (error, path, i + 1, why);
        }
      g_ptr_array_add (entries, g_steal_pointer (&fields));
    }
  return g_steal_pointer (&entries);
}

GPtrArray *
broker_checkpoint_read (const char *path,
                        GError    **error)
{
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  lines = broker_checkpoint_read_lines (path, 3, error);
  if (lines == NULL)
    return NULL;
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) broker_checkpoint_entry_free);
  for (guint i = 0; i < lines->len; i++)
    {
      char **fields = g_ptr_array_index (lines, i);
      gint64 partition, offset;

      if (!valid_topic (fields[0]) ||
          !broker_checkpoint_parse_int (fields[1], 0, G_MAXINT32, &partition) ||
          !broker_checkpoint_parse_int (fields[2], G_MININT64, G_MAXINT64, &offset))
        return malformed (error, path, i + 3, "expected \"topic partition offset\"");
      g_ptr_array_add (entries, broker_checkpoint_entry_new (fields[0], (gint32) partition, offset));
    }
  return g_steal_pointer (&entries);
}
