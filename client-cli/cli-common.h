/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-common.h: what every `caudal` command shares: the command table,
 * option parsing with Kafka's flag names, connecting, and error output in
 * the shape of Kafka's tools. */
#pragma once

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "caudal-cluster.h"
#include "caudal-error-codes.h"

G_BEGIN_DECLS

/* Exit codes: Kafka's tools exit 1 on errors; usage errors exit 2. */
#define CLI_EXIT_OK    0
#define CLI_EXIT_ERROR 1
#define CLI_EXIT_USAGE 2

typedef int (*CliCommandFunc) (int argc, char **argv);

typedef struct
{
  const char     *name;          /* "topics" */
  const char     *kafka_name;    /* "kafka-topics" */
  const char     *summary;
  CliCommandFunc  run;
} CliCommand;

int cli_topics_main             (int argc, char **argv);
int cli_console_producer_main   (int argc, char **argv);
int cli_console_consumer_main   (int argc, char **argv);
int cli_consumer_groups_main    (int argc, char **argv);
int cli_configs_main            (int argc, char **argv);

/* Parses @argv with @context; on failure prints the error and the usage
 * to stderr and returns FALSE (the caller exits CLI_EXIT_USAGE). */
gboolean cli_parse (GOptionContext *context,
                    int            *argc,
                    char         ***argv);
/* Prints "Missing required argument "[name]"" and the usage; returns
 * CLI_EXIT_USAGE. */
int      cli_missing (GOptionContext *context,
                      const char     *name);
int      cli_usage_error (GOptionContext *context,
                          const char     *message);

/* A cluster from --bootstrap-server, with --command-config style
 * properties ignored for now. NULL and an error message printed on bad
 * input. */
CaudalCluster *cli_cluster_new (const char *bootstrap_server,
                                const char *client_id);

/* Runs one request synchronously. */
CaudalResponse *cli_request (CaudalCluster  *cluster,
                             gint32          node_id,
                             gint16          api_key,
                             gint16          max_version,
                             CaudalBuildFunc build,
                             gpointer        build_data,
                             GError        **error);
gboolean        cli_refresh_metadata (CaudalCluster      *cluster,
                                      const char *const  *topics,
                                      GError            **error);

/* "NAME: message" for a Kafka error code (with the broker's message
 * when it sent one). */
char   *cli_kafka_error_message (gint16      code,
                                 const char *detail);

/* Repeated KEY=VALUE flags into a table; FALSE with a message naming the
 * bad item. */
gboolean cli_parse_properties (char      **items,
                               GHashTable *out,
                               GError    **error);

G_END_DECLS
