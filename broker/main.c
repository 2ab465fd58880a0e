/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c: caudald's command line, signals and main loop. */

#include <glib-unix.h>
#include <signal.h>
#include <locale.h>
#include <stdlib.h>

#include "broker.h"
#include "broker-log-writer.h"

#ifndef CAUDAL_VERSION
#define CAUDAL_VERSION "unknown"
#endif

/* How long SIGTERM waits for in-flight requests before closing anyway. */
#define SHUTDOWN_TIMEOUT_MS 10000

static gboolean
on_stopped (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

typedef struct
{
  Broker    *broker;
  GMainLoop *loop;
  gboolean   stopping;
} SignalState;

static gboolean
on_signal (gpointer user_data)
{
  SignalState *st = user_data;

  if (st->stopping)
    {
      /* A second signal: stop waiting. */
      g_main_loop_quit (st->loop);
      return G_SOURCE_CONTINUE;
    }
  st->stopping = TRUE;
  g_message ("shutting down");
  broker_stop (st->broker, SHUTDOWN_TIMEOUT_MS, on_stopped, st->loop);
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config_file = NULL;
  g_auto(GStrv) overrides = NULL;
  g_autofree char *ready_file = NULL;
  gboolean version = FALSE;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_file,
      "Read settings from FILE (server.properties syntax)", "FILE" },
    { "override", 0, 0, G_OPTION_ARG_STRING_ARRAY, &overrides,
      "Set a configuration key, after the file (repeatable)", "KEY=VALUE" },
    { "ready-file", 0, 0, G_OPTION_ARG_FILENAME, &ready_file,
      "Once listening, write \"NAME HOST PORT\" per listener to FILE", "FILE" },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BrokerConfig) config = NULL;
  g_autoptr(Broker) broker = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  SignalState st = { 0 };

  setlocale (LC_ALL, "");
  /* Before anything logs: under systemd, records go to the journal with
   * their fields (docs/broker.md, "Logging"). */
  broker_log_writer_install ("caudald");
  context = g_option_context_new ("- a Kafka-compatible event broker");
  g_option_context_set_summary (context,
                                "Serves the Apache Kafka protocol. Configuration keys are Kafka's "
                                "(listeners, log.dirs, num.partitions, ...); with no file, the "
                                "defaults listen on PLAINTEXT://:9092.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("caudald: %s\n", error->message);
      g_printerr ("Try 'caudald --help' for more information.\n");
      return 2;
    }
  if (argc > 1)
    {
      g_printerr ("caudald: unexpected argument '%s'\n", argv[1]);
      g_printerr ("Try 'caudald --help' for more information.\n");
      return 2;
    }
  if (version)
    {
      g_print ("caudald %s\n", CAUDAL_VERSION);
      return 0;
    }

  config = broker_config_new ();
  if (config_file != NULL && !broker_config_load_file (config, config_file, &error))
    {
      g_printerr ("caudald: %s\n", error->message);
      return 1;
    }
  for (guint i = 0; overrides != NULL && overrides[i] != NULL; i++)
    if (!broker_config_parse_override (config, overrides[i], &error))
      {
        g_printerr ("caudald: --override %s: %s\n", overrides[i], error->message);
        return 1;
      }

  if (!broker_config_validate (config, &error))
    {
      g_printerr ("caudald: %s\n", error->message);
      return 1;
    }

  broker = broker_new (config, &error);
  if (broker == NULL)
    {
      g_printerr ("caudald: %s\n", error->message);
      return 1;
    }
  /* Handlers first: readiness is announced inside broker_start(), and a
   * SIGTERM right after it must already be a clean shutdown. */
  loop = g_main_loop_new (NULL, FALSE);
  st.broker = broker;
  st.loop = loop;
  /* A peer that resets its connection while we write to it (sendfile of
   * a fetch answer, the ZooKeeper client's send) must cost that
   * connection only: the write fails with EPIPE instead of killing us. */
  signal (SIGPIPE, SIG_IGN);
  g_unix_signal_add (SIGTERM, on_signal, &st);
  g_unix_signal_add (SIGINT, on_signal, &st);
  if (!broker_start (broker, ready_file, &error))
    {
      g_printerr ("caudald: %s\n", error->message);
      return 1;
    }
  g_main_loop_run (loop);

  g_clear_pointer (&broker, broker_free);
  g_message ("stopped");
  return 0;
}
