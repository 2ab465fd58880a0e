/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-log-io.c: checked POSIX file I/O for the partition log. */
#include "broker-log-io.h"

#include "broker-log.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static gboolean
set_io_error (GError    **error,
              const char *what,
              const char *path,
              int         saved_errno)
{
  g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_IO,
               "%s %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

int
broker_io_open (const char *path,
                int         flags,
                GError    **error)
{
  int fd;

  do
    fd = open (path, flags | O_CLOEXEC, 0644);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    set_io_error (error, "cannot open", path, errno);
  return fd;
}

gboolean
broker_io_close (int         fd,
                 const char *path,
                 GError    **error)
{
  /* No retry on EINTR: on Linux the descriptor is gone either way. */
  if (close (fd) < 0 && errno != EINTR)
    return set_io_error (error, "cannot close", path, errno);
  return TRUE;
}

gboolean
broker_io_pread_all (int         fd,
                     void       *buf,
                     gsize       len,
                     gint64      position,
                     gsize      *n_read,
                     const char *path,
                     GError    **error)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = pread (fd, (guint8 *) buf + done, len - done, (off_t) (position + (gint64) done));

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return set_io_error (error, "cannot read", path, errno);
        }
      if (n == 0)
        break;
      done += (gsize) n;
    }
  if (n_read != NULL)
    *n_read = done;
  else if (done < len)
    {
      g_set_error (error, BROKER_LOG_ERROR, BROKER_LOG_ERROR_CORRUPT,
                   "cannot read %s: %" G_GSIZE_FORMAT " bytes at position %" G_GINT64_FORMAT
                   " past the end of the file", path, len, position);
      return FALSE;
    }
  return TRUE;
}

gboolean
broker_io_pwrite_all (int         fd,
                      const void *buf,
                      gsize       len,
                      gint64      position,
                      const char *path,
                      GError    **error)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = pwrite (fd, (const guint8 *) buf + done, len - done,
                          (off_t) (position + (gint64) done));

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return set_io_error (error, "cannot write", path, errno);
        }
      done += (gsize) n;
    }
  return TRUE;
}

gboolean
broker_io_truncate (int         fd,
                    gint64      size,
                    const char *path,
                    GError    **error)
{
  int r;

  do
    r = ftruncate (fd, (off_t) size);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return set_io_error (error, "cannot truncate", path, errno);
  return TRUE;
}

gboolean
broker_io_file_size (int         fd,
                     gint64     *size,
                     const char *path,
                     GError    **error)
{
  struct stat st;

  if (fstat (fd, &st) < 0)
    return set_io_error (error, "cannot stat", path, errno);
  *size = (gint64) st.st_size;
  return TRUE;
}

gboolean
broker_io_datasync (int         fd,
                    const char *path,
                    GError    **error)
{
  int r;

#ifdef HAVE_FDATASYNC
  /* The size of the file is part of what fdatasync() flushes, which is
   * all the metadata an appended log needs. */
  r = fdatasync (fd);
#else
  r = fsync (fd);
#endif
  if (r < 0)
    return set_io_error (error, "cannot sync", path, errno);
  return TRUE;
}

gboolean
broker_io_fsync_dir (const char *dir,
                     GError    **error)
{
  int fd;
  int r;

  fd = broker_io_open (dir, O_RDONLY | O_DIRECTORY, error);
  if (fd < 0)
    return FALSE;
  r = fsync (fd);
  if (r < 0)
    {
      int saved = errno;

      close (fd);
      return set_io_error (error, "cannot sync directory", dir, saved);
    }
  return broker_io_close (fd, dir, error);
}

gboolean
broker_io_unlink (const char *path,
                  GError    **error)
{
  if (unlink (path) < 0 && errno != ENOENT)
    return set_io_error (error, "cannot delete", path, errno);
  return TRUE;
}
