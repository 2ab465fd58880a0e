/* SPDX-License-Identifier: GPL-3.0-or-later */
/* client-test-peer.c: the brokers libcaudal's tests talk to — librdkafka's
 * mock cluster (a third-party peer) and a real caudald. */

#include "client-test-peer.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

void
peer_start_mock (Peer        *peer,
                 const char **topics)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) in = NULL;
  const char *path = g_getenv ("MOCK_CLUSTER");

  g_assert_nonnull (path);
  g_ptr_array_add (argv, (gpointer) path);
  for (guint i = 0; topics[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) topics[i]);
  g_ptr_array_add (argv, NULL);
  peer->proc = g_subprocess_newv ((const char *const *) argv->pdata,
                                  G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer->proc));
  peer->bootstrap = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (peer->bootstrap);
}

void
peer_start_caudald (Peer *peer)
{
  g_autoptr(GError) error = NULL;
  const char *path = g_getenv ("CAUDALD");
  g_autofree char *logdirs = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;

  g_assert_nonnull (path);
  peer->dir = g_dir_make_tmp ("caudal-client-XXXXXX", &error);
  g_assert_no_error (error);
  logdirs = g_strdup_printf ("log.dirs=%s/data", peer->dir);
  ready = g_build_filename (peer->dir, "ready", NULL);
  peer->proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, path,
                                 "--override", "listeners=PLAINTEXT://127.0.0.1:0",
                                 "--override", logdirs,
                                 "--override", "num.partitions=3",
                                 "--ready-file", ready, NULL);
  g_assert_no_error (error);
  for (guint i = 0; i < 1000 && !g_file_test (ready, G_FILE_TEST_EXISTS); i++)
    g_usleep (10000);
  g_assert_true (g_file_get_contents (ready, &contents, NULL, &error));
  fields = g_strsplit (g_strstrip (contents), " ", -1);
  g_assert_cmpuint (g_strv_length (fields), ==, 3);
  peer->bootstrap = g_strdup_printf ("%s:%s", fields[1], fields[2]);
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        rm_rf (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
peer_stop (Peer *peer)
{
  if (peer->proc != NULL)
    {
      if (peer->dir != NULL)
        g_subprocess_send_signal (peer->proc, SIGTERM);
      else
        g_output_stream_close (g_subprocess_get_stdin_pipe (peer->proc), NULL, NULL);
      g_subprocess_wait (peer->proc, NULL, NULL);
      g_clear_object (&peer->proc);
    }
  if (peer->dir != NULL)
    rm_rf (peer->dir);
  g_clear_pointer (&peer->dir, g_free);
  g_clear_pointer (&peer->bootstrap, g_free);
}

guint16
peer_port (Peer *peer)
{
  const char *colon = strrchr (peer->bootstrap, ':');

  return (guint16) g_ascii_strtoull (colon + 1, NULL, 10);
}
