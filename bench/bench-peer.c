/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-peer: the peer broker of the issue 8 suite, librdkafka's in-memory
 * mock cluster (one broker) in a process of its own.
 *
 * Usage: bench-peer [--topic NAME:PARTITIONS ...]
 *
 * Prints the bootstrap servers ("127.0.0.1:PORT") as the first line on
 * stdout, then runs until SIGTERM or SIGINT. While it runs, each line
 * "create NAME PARTITIONS" on stdin creates a topic and is answered with
 * "ok" or "error MESSAGE" on stdout; end of file on stdin only stops the
 * reading.
 *
 * What librdkafka 2.0.2's mock does not do, and how the suite lives with it:
 * - no CreateTopics (nor DeleteTopics, DescribeConfigs, AlterConfigs): topics
 *   are made here with rd_kafka_mock_topic_create(), and bench-load runs
 *   with --no-create; broker-side topic configs (flush.messages) do not exist;
 * - it keeps at most 5 MiB or 100,000 batches per partition and drops the
 *   oldest batches beyond that, so consume workloads spread their data over
 *   enough partitions to stay under the limit (bench-load checks the low
 *   watermark and fails rather than measure a truncated log);
 * - a Fetch returns at most one batch per partition, and a Fetch that finds
 *   no data is answered only when its MaxWait expires, never early when data
 *   arrives: its end-to-end latency follows the client's fetch.wait.max.ms;
 * - no disk: acks=all is acknowledged from memory.
 * Consumer groups (JoinGroup, SyncGroup, OffsetCommit, ...) are supported. */
#include <glib.h>
#include <glib-unix.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PARTITIONS 100000

#define BENCH_PEER_ERROR (bench_peer_error_quark ())
static GQuark bench_peer_error_quark (void);
G_DEFINE_QUARK (bench-peer-error-quark, bench_peer_error)

typedef struct
{
  GMainLoop               *loop;
  rd_kafka_mock_cluster_t *mcluster;
  GString                 *line;      /* partial command line from stdin */
} Peer;

static gboolean
parse_partitions (const char *text,
                  int        *out)
{
  guint64 n;

  if (!g_ascii_string_to_unsigned (text, 10, 1, MAX_PARTITIONS, &n, NULL))
    return FALSE;
  *out = (int) n;
  return TRUE;
}

static gboolean
create_topic (Peer        *peer,
              const char  *name,
              int          partitions,
              GError     **error)
{
  rd_kafka_resp_err_t err;

  /* Replication factor 1: the cluster has one broker. The call hands the
   * work to the mock's thread and waits for it, so it is safe while the
   * cluster serves clients. */
  err = rd_kafka_mock_topic_create (peer->mcluster, name, partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    {
      g_set_error (error, BENCH_PEER_ERROR, 0,
                   "creating topic %s: %s", name, rd_kafka_err2str (err));
      return FALSE;
    }
  return TRUE;
}

/* "create NAME PARTITIONS" → "ok" / "error MESSAGE". */
static void
run_command (Peer       *peer,
             const char *line)
{
  g_auto(GStrv) words = g_strsplit_set (g_strstrip ((char *) line), " \t", -1);
  g_autoptr(GError) error = NULL;
  int partitions;

  if (words[0] == NULL || words[0][0] == '\0')
    return;
  if (g_strv_length (words) != 3 || strcmp (words[0], "create") != 0 ||
      !parse_partitions (words[2], &partitions))
    printf ("error expected: create NAME PARTITIONS\n");
  else if (!create_topic (peer, words[1], partitions, &error))
    printf ("error %s\n", error->message);
  else
    printf ("ok\n");
  fflush (stdout);
}

static gboolean
on_stdin (int          fd,
          GIOCondition condition,
          gpointer     user_data)
{
  Peer *peer = user_data;
  char buf[4096];
  ssize_t n = read (fd, buf, sizeof buf);
  char *nl;

  if (n <= 0)
    return G_SOURCE_REMOVE;   /* EOF or error: keep serving, stop reading */
  g_string_append_len (peer->line, buf, n);
  while ((nl = strchr (peer->line->str, '\n')) != NULL)
    {
      g_autofree char *cmd = g_strndup (peer->line->str, nl - peer->line->str);

      g_string_erase (peer->line, 0, nl - peer->line->str + 1);
      run_command (peer, cmd);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (((Peer *) user_data)->loop);
  return G_SOURCE_CONTINUE;
}

/* NAME:PARTITIONS, the partition count after the last colon. */
static gboolean
create_topic_arg (Peer        *peer,
                  const char  *arg,
                  GError     **error)
{
  const char *colon = strrchr (arg, ':');
  g_autofree char *name = NULL;
  int partitions;

  if (colon == NULL || colon == arg || !parse_partitions (colon + 1, &partitions))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--topic %s: expected NAME:PARTITIONS", arg);
      return FALSE;
    }
  name = g_strndup (arg, colon - arg);
  return create_topic (peer, name, partitions, error);
}

int
main (int   argc,
      char *argv[])
{
  g_auto(GStrv) topics = NULL;
  const GOptionEntry entries[] = {
    { "topic", 't', 0, G_OPTION_ARG_STRING_ARRAY, &topics,
      "Create topic NAME with PARTITIONS partitions (repeatable)", "NAME:PARTITIONS" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- librdkafka mock cluster for bench/run");
  g_autoptr(GError) error = NULL;
  rd_kafka_conf_t *conf;
  rd_kafka_t *rk;
  char errstr[512];
  Peer peer = { 0 };

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc > 1)
    {
      g_printerr ("bench-peer: %s\n%s", error ? error->message : "unexpected argument",
                  g_option_context_get_help (ctx, TRUE, NULL));
      return 2;
    }

  /* The handle only hosts the mock cluster's thread and never connects:
   * hide its notice about the missing bootstrap.servers. */
  conf = rd_kafka_conf_new ();
  rd_kafka_conf_set (conf, "log_level", "3", errstr, sizeof errstr);
  rk = rd_kafka_new (RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == NULL)
    {
      g_printerr ("bench-peer: rd_kafka_new: %s\n", errstr);
      return 1;
    }
  peer.mcluster = rd_kafka_mock_cluster_new (rk, 1);
  if (peer.mcluster == NULL)
    {
      g_printerr ("bench-peer: could not create the mock cluster\n");
      rd_kafka_destroy (rk);
      return 1;
    }

  for (guint i = 0; topics != NULL && topics[i] != NULL; i++)
    if (!create_topic_arg (&peer, topics[i], &error))
      {
        g_printerr ("bench-peer: %s\n", error->message);
        rd_kafka_mock_cluster_destroy (peer.mcluster);
        rd_kafka_destroy (rk);
        return 2;
      }

  printf ("%s\n", rd_kafka_mock_cluster_bootstraps (peer.mcluster));
  fflush (stdout);

  peer.loop = g_main_loop_new (NULL, FALSE);
  peer.line = g_string_new (NULL);
  g_unix_signal_add (SIGTERM, on_signal, &peer);
  g_unix_signal_add (SIGINT, on_signal, &peer);
  g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, &peer);
  g_main_loop_run (peer.loop);

  g_string_free (peer.line, TRUE);
  g_main_loop_unref (peer.loop);
  rd_kafka_mock_cluster_destroy (peer.mcluster);
  rd_kafka_destroy (rk);
  return 0;
}
