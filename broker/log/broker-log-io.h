/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-log-io.h: the few POSIX file calls the partition log makes, each
 * checked, retried on EINTR and reported as a BROKER_LOG_ERROR_IO naming
 * the file; plus big-endian helpers for the index entries. Internal. */
#pragma once

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

int      broker_io_open        (const char  *path,
                                int          flags,
                                GError     **error);
gboolean broker_io_close       (int          fd,
                                const char  *path,
                                GError     **error);
gboolean broker_io_pread_all   (int          fd,
                                void        *buf,
                                gsize        len,
                                gint64       position,
                                gsize       *n_read,
                                const char  *path,
                                GError     **error);
gboolean broker_io_pwrite_all  (int          fd,
                                const void  *buf,
                                gsize        len,
                                gint64       position,
                                const char  *path,
                                GError     **error);
gboolean broker_io_truncate    (int          fd,
                                gint64       size,
                                const char  *path,
                                GError     **error);
gboolean broker_io_file_size   (int          fd,
                                gint64      *size,
                                const char  *path,
                                GError     **error);
gboolean broker_io_datasync    (int          fd,
                                const char  *path,
                                GError     **error);
gboolean broker_io_fsync_dir   (const char  *dir,
                                GError     **error);
gboolean broker_io_unlink      (const char  *path,
                                GError     **error);

static inline guint32
broker_io_get_be32 (const guint8 *p)
{
  guint32 v;
  memcpy (&v, p, sizeof v);
  return GUINT32_FROM_BE (v);
}

static inline guint64
broker_io_get_be64 (const guint8 *p)
{
  guint64 v;
  memcpy (&v, p, sizeof v);
  return GUINT64_FROM_BE (v);
}

static inline void
broker_io_put_be32 (guint8 *p,
                    guint32 v)
{
  v = GUINT32_TO_BE (v);
  memcpy (p, &v, sizeof v);
}

static inline void
broker_io_put_be64 (guint8 *p,
                    guint64 v)
{
  v = GUINT64_TO_BE (v);
  memcpy (p, &v, sizeof v);
}

G_END_DECLS
