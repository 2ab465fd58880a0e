/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-producer-snapshot.c: producer-state snapshot files: "CPS1", the
 * CRC-32C of the rest (big-endian), then broker_producer_state_serialize()'s
 * bytes. A torn or damaged file fails its CRC and is skipped: the replay
 * then starts from an older snapshot or the log start. */

#include "broker-producer-snapshot.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "caudal-crc32c.h"

#define MAGIC       "CPS1"
#define HEADER_SIZE 8
#define SUFFIX      ".snapshot"
#define KEEP        2

static char *
snapshot_path (const char *dir,
               gint64      offset)
{
  g_autofree char *name = g_strdup_printf ("%020" G_GINT64_FORMAT SUFFIX, offset);

  return g_build_filename (dir, name, NULL);
}

static gint
compare_offsets_desc (gconstpointer a,
                      gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? 1 : x > y ? -1 : 0;
}

/* The offsets of the snapshots in @dir, newest first. */
static GArray *
list_snapshots (const char *dir)
{
  GArray *offsets = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return offsets;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      gint64 offset;
      g_autofree char *digits = NULL;

      if (!g_str_has_suffix (name, SUFFIX) || strlen (name) != 20 + strlen (SUFFIX))
        continue;
      digits = g_strndup (name, 20);
      if (g_ascii_string_to_signed (digits, 10, 0, G_MAXINT64, &offset, NULL))
        g_array_append_val (offsets, offset);
    }
  g_array_sort (offsets, compare_offsets_desc);
  return offsets;
}

static void
remove_snapshot (const char *dir,
                 gint64      offset)
{
  g_autofree char *path = snapshot_path (dir, offset);

  if (g_unlink (path) != 0 && errno != ENOENT)
    g_warning ("cannot remove %s: %s", path, g_strerror (errno));
}

gboolean
broker_producer_snapshot_write (const char           *dir,
                                gint64                offset,
                                BrokerProducerState  *state,
                                GError              **error)
{
  g_autoptr(GBytes) body = broker_producer_state_serialize (state);
  g_autoptr(GByteArray) file = g_byte_array_new ();
  g_autofree char *path = snapshot_path (dir, offset);
  g_autoptr(GArray) offsets = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (body, &len);
  guint32 crc = caudal_crc32c (0, data, len);
  guint8 crc_be[4] = { crc >> 24, crc >> 16, crc >> 8, crc };

  g_byte_array_append (file, (const guint8 *) MAGIC, 4);
  g_byte_array_append (file, crc_be, 4);
  g_byte_array_append (file, data, len);
  /* Written to a temporary file, fsynced and renamed over. */
  if (!g_file_set_contents_full (path, (const char *) file->data, file->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
    return FALSE;
  offsets = list_snapshots (dir);
  for (guint i = KEEP; i < offsets->len; i++)
    remove_snapshot (dir, g_array_index (offsets, gint64, i));
  return TRUE;
}

static BrokerProducerState *
read_snapshot (const char  *path,
               GError     **error)
{
  g_autofree char *contents = NULL;
  gsize len;
  const guint8 *p;
  guint32 crc;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  p = (const guint8 *) contents;
  if (len < HEADER_SIZE || memcmp (p, MAGIC, 4) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a producer snapshot");
      return NULL;
    }
  crc = ((guint32) p[4] << 24) | ((guint32) p[5] << 16) | ((guint32) p[6] << 8) | p[7];
  if (crc != caudal_crc32c (0, p + HEADER_SIZE, len - HEADER_SIZE))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "CRC mismatch");
      return NULL;
    }
  return broker_producer_state_deserialize (p + HEADER_SIZE, len - HEADER_SIZE, error);
}

BrokerProducerState *
broker_producer_snapshot_load (const char *dir,
                               gint64      max_offset,
                               gint64     *offset)
{
  g_autoptr(GArray) offsets = list_snapshots (dir);

  for (guint i = 0; i < offsets->len; i++)
    {
      gint64 at = g_array_index (offsets, gint64, i);
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;
      BrokerProducerState *state;

      if (at > max_offset)
        {
          /* Taken before the log lost its tail: it knows batches that
           * are gone. */
          remove_snapshot (dir, at);
          continue;
        }
      path = snapshot_path (dir, at);
      state = read_snapshot (path, &error);
      if (state != NULL)
        {
          *offset = at;
          return state;
        }
      g_warning ("ignoring producer snapshot %s: %s", path, error->message);
    }
  return NULL;
}
