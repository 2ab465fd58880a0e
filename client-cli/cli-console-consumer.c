/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-console-consumer.c: `caudal console-consumer` / kafka-console-consumer:
 * read a topic and print each message the way Kafka's
 * DefaultMessageFormatter does. Without --group, like Kafka's tool, it
 * joins a throwaway group "console-consumer-NNNNN" (auto-commit off);
 * with --partition it assigns that partition instead. */

#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

#include "caudal-consumer.h"
#include "cli-common.h"

typedef struct
{
  /* options */
  char    *bootstrap;
  char    *topic;
  char    *group;
  gint     partition;
  char    *offset;
  gboolean from_beginning;
  gint     max_messages;
  gint     timeout_ms;
  char   **properties;
  char   **consumer_properties;
  char    *consumer_config;
  char    *isolation_level;
  char    *formatter;

  /* formatter */
  gboolean print_timestamp, print_key, print_value, print_partition, print_offset, print_headers;
  char    *key_separator, *line_separator, *headers_separator, *null_literal;

  /* run */
  GMainLoop      *loop;
  CaudalConsumer *consumer;
  GCancellable   *cancellable;
  guint64         count;
  gboolean        stopping;
  gboolean        timed_out;
  guint           timeout_id;
  int             status;
} ConsoleConsumer;

static void
write_bytes (GBytes     *bytes,
             const char *null_literal)
{
  gsize len;
  const char *data;

  if (bytes == NULL)
    {
      fputs (null_literal, stdout);
      return;
    }
  data = g_bytes_get_data (bytes, &len);
  /* An empty value's data is NULL, which fwrite() must not be given. */
  if (len > 0)
    fwrite (data, 1, len, stdout);
}

/* Kafka's DefaultMessageFormatter.writeTo(): the data itself, never
 * translated. */
static void
print_message (ConsoleConsumer     *cc,
               const CaudalMessage *m)
{
  const char *key_sep = cc->key_separator, *line_sep = cc->line_separator;
#define SEP(more) fputs ((more) ? key_sep : line_sep, stdout)

  if (cc->print_timestamp)
    {
      if (m->timestamp_type != CAUDAL_TIMESTAMP_NONE)
        printf ("%s:%" G_GINT64_FORMAT, caudal_timestamp_type_to_string (m->timestamp_type), m->timestamp);
      else
        fputs ("NO_TIMESTAMP", stdout);
      SEP (cc->print_offset || cc->print_partition || cc->print_headers || cc->print_key || cc->print_value);
    }
  if (cc->print_partition)
    {
      printf ("Partition:%d", m->partition);
      SEP (cc->print_offset || cc->print_headers || cc->print_key || cc->print_value);
    }
  if (cc->print_offset)
    {
      printf ("Offset:%" G_GINT64_FORMAT, m->offset);
      SEP (cc->print_headers || cc->print_key || cc->print_value);
    }
  if (cc->print_headers)
    {
      if (m->headers == NULL || m->headers->len == 0)
        fputs ("NO_HEADERS", stdout);
      for (guint i = 0; m->headers != NULL && i < m->headers->len; i++)
        {
          CaudalMessageHeader *h = g_ptr_array_index (m->headers, i);

          printf ("%s:", h->key);
          write_bytes (h->value, cc->null_literal);
          if (i + 1 < m->headers->len)
            fputs (cc->headers_separator, stdout);
        }
      SEP (cc->print_key || cc->print_value);
    }
  if (cc->print_key)
    {
      write_bytes (m->key, cc->null_literal);
      SEP (cc->print_value);
    }
  if (cc->print_value)
    {
      write_bytes (m->value, cc->null_literal);
      fputs (line_sep, stdout);
    }
#undef SEP
}

static gboolean
property_bool (GHashTable *props,
               const char *name,
               gboolean    fallback)
{
  const char *v = g_hash_table_lookup (props, name);
  g_autofree char *copy = NULL;

  if (v == NULL)
    return fallback;
  copy = g_strstrip (g_strdup (v));
  return g_ascii_strcasecmp (copy, "true") == 0;
}

static char *
property_string (GHashTable *props,
                 const char *name,
                 const char *fallback)
{
  const char *v = g_hash_table_lookup (props, name);

  return g_strdup (v != NULL ? v : fallback);
}

/* A Java properties file: key=value or key: value lines, # and ! comments. */
static gboolean
load_properties_file (const char *path,
                      GHashTable *out,
                      GError    **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *sep;

      if (*line == '\0' || *line == '#' || *line == '!')
        continue;
      sep = strpbrk (line, "=:");
      if (sep == NULL)
        {
          g_hash_table_insert (out, g_strdup (line), g_strdup (""));
          continue;
        }
      *sep = '\0';
      g_hash_table_insert (out, g_strdup (g_strstrip (line)), g_strdup (g_strstrip (sep + 1)));
    }
  return TRUE;
}

static void finish (ConsoleConsumer *cc);
static void poll_next (ConsoleConsumer *cc);

static gboolean
on_timeout (gpointer user_data)
{
  ConsoleConsumer *cc = user_data;

  cc->timeout_id = 0;
  cc->timed_out = TRUE;
  cc->stopping = TRUE;
  g_cancellable_cancel (cc->cancellable);
  return G_SOURCE_REMOVE;
}

static void
restart_timeout (ConsoleConsumer *cc)
{
  if (cc->timeout_ms < 0)
    return;
  g_clear_handle_id (&cc->timeout_id, g_source_remove);
  cc->timeout_id = g_timeout_add ((guint) cc->timeout_ms, on_timeout, cc);
}

static gboolean
on_signal (gpointer user_data)
{
  ConsoleConsumer *cc = user_data;

  cc->stopping = TRUE;
  g_cancellable_cancel (cc->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
on_polled (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  ConsoleConsumer *cc = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = caudal_consumer_poll_finish (CAUDAL_CONSUMER (source), result, &error);
  gint first_unprinted = -1;

  if (messages == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_printerr (_("Error processing message, terminating consumer process: %s\n"), error->message);
          cc->status = CLI_EXIT_ERROR;
        }
      finish (cc);
      return;
    }
  for (guint i = 0; i < messages->len; i++)
    {
      CaudalMessage *m = g_ptr_array_index (messages, i);

      if (cc->max_messages > 0 && cc->count >= (guint64) cc->max_messages)
        {
          /* Not printed: rewind so that the commit on close does not
           * skip it, as Kafka's tool does (resetUnconsumedOffsets). */
          gboolean seen = FALSE;

          if (first_unprinted < 0)
            first_unprinted = (gint) i;
          for (guint j = (guint) first_unprinted; j < i; j++)
            {
              CaudalMessage *o = g_ptr_array_index (messages, j);
              if (o->partition == m->partition && strcmp (o->topic, m->topic) == 0)
                seen = TRUE;
            }
          if (!seen)
            caudal_consumer_seek (cc->consumer, m->topic, m->partition, m->offset);
          continue;
        }
      print_message (cc, m);
      cc->count++;
    }
  fflush (stdout);
  /* The clock starts once the first poll is back (joined the group), so
   * that the group's initial rebalance delay does not count. */
  if (messages->len > 0 || cc->timeout_id == 0)
    restart_timeout (cc);
  if (cc->max_messages > 0 && cc->count >= (guint64) cc->max_messages)
    cc->stopping = TRUE;
  if (cc->stopping)
    finish (cc);
  else
    poll_next (cc);
}

static void
poll_next (ConsoleConsumer *cc)
{
  caudal_consumer_poll_async (cc->consumer, cc->cancellable, on_polled, cc);
}

static void
on_closed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  ConsoleConsumer *cc = user_data;
  g_autoptr(GError) error = NULL;

  if (!caudal_consumer_close_finish (CAUDAL_CONSUMER (source), result, &error))
    g_printerr ("%s\n", error->message);
  g_main_loop_quit (cc->loop);
}

static void
finish (ConsoleConsumer *cc)
{
  g_clear_handle_id (&cc->timeout_id, g_source_remove);
  if (cc->timed_out)
    g_printerr (_("Error processing message, terminating consumer process: %s\n"),
                "org.apache.kafka.common.errors.TimeoutException");
  caudal_consumer_close_async (cc->consumer, NULL, on_closed, cc);
}

/* Connects once up front so that an unreachable broker fails at once
 * with "cannot connect to HOST:PORT: …". */
static gboolean
check_topic (CaudalCluster *cluster,
             const char    *topic,
             guint         *n_partitions)
{
  g_autoptr(GError) error = NULL;
  const char *topics[] = { topic, NULL };
  CaudalTopicInfo *info;

  if (!cli_refresh_metadata (cluster, topics, &error))
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  info = caudal_cluster_lookup_topic (cluster, topic);
  *n_partitions = info != NULL && info->error == CAUDAL_ERROR_CODE_NONE ? info->partitions->len : 0;
  return TRUE;
}

int
cli_console_consumer_main (int    argc,
                           char **argv)
{
  ConsoleConsumer cc = { 0 };
  GOptionEntry entries[] = {
    { "bootstrap-server", 0, 0, G_OPTION_ARG_STRING, &cc.bootstrap, N_("The server(s) to connect to (REQUIRED)"), N_("HOST:PORT") },
    { "topic", 0, 0, G_OPTION_ARG_STRING, &cc.topic, N_("The topic to consume on"), N_("TOPIC") },
    { "group", 0, 0, G_OPTION_ARG_STRING, &cc.group, N_("The consumer group id of the consumer"), N_("GROUP") },
    { "partition", 0, 0, G_OPTION_ARG_INT, &cc.partition, N_("The partition to consume from (assigned, no group rebalancing)"), N_("P") },
    { "offset", 0, 0, G_OPTION_ARG_STRING, &cc.offset, N_("The offset to start from: a number, earliest or latest (default latest)"), N_("OFFSET") },
    { "from-beginning", 0, 0, G_OPTION_ARG_NONE, &cc.from_beginning, N_("Start with the earliest message when there is no committed offset"), NULL },
    { "max-messages", 0, 0, G_OPTION_ARG_INT, &cc.max_messages, N_("The number of messages to consume before exiting"), N_("N") },
    { "timeout-ms", 0, 0, G_OPTION_ARG_INT, &cc.timeout_ms, N_("Exit when no message arrives for this long"), N_("MS") },
    { "property", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cc.properties, N_("A formatter property (print.key=true, key.separator=…)"), N_("NAME=VALUE") },
    { "consumer-property", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cc.consumer_properties, N_("A consumer configuration property"), N_("NAME=VALUE") },
    { "consumer.config", 0, 0, G_OPTION_ARG_FILENAME, &cc.consumer_config, N_("A consumer properties file"), N_("FILE") },
    { "isolation-level", 0, 0, G_OPTION_ARG_STRING, &cc.isolation_level, N_("read_committed or read_uncommitted (default)"), N_("LEVEL") },
    { "formatter", 0, 0, G_OPTION_ARG_STRING, &cc.formatter, N_("Only kafka.tools.DefaultMessageFormatter is supported"), N_("CLASS") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (N_("- read messages from a topic and print them"));
  g_autoptr(GHashTable) fmt = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) config = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(CaudalCluster) cluster = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = CAUDAL_OFFSET_END;
  guint n_partitions = 0;
  guint sigint_id, sigterm_id;
  GHashTableIter iter;
  gpointer k, v;
  const char *group_id;
  g_autofree char *random_group = NULL;
  int status = CLI_EXIT_OK;

  cc.partition = -1;
  cc.max_messages = -1;
  cc.timeout_ms = -1;
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!cli_parse (context, &argc, &argv))
    return CLI_EXIT_USAGE;

  if (argc > 1)
    status = cli_usage_error (context, _("Unexpected argument; options start with --"));
  else if (cc.bootstrap == NULL)
    status = cli_missing (context, "bootstrap-server");
  else if (cc.topic == NULL)
    status = cli_missing (context, "topic");
  else if (cc.offset != NULL && cc.partition < 0)
    status = cli_usage_error (context, _("The partition is required when offset is specified."));
  else if (cc.formatter != NULL && strcmp (cc.formatter, "kafka.tools.DefaultMessageFormatter") != 0
           && strcmp (cc.formatter, "org.apache.kafka.tools.consumer.DefaultMessageFormatter") != 0)
    status = cli_usage_error (context, _("Only the default message formatter is supported."));
  if (status != CLI_EXIT_OK)
    goto out;

  if (cc.offset != NULL)
    {
      guint64 o;
      if (strcmp (cc.offset, "earliest") == 0)
        start = CAUDAL_OFFSET_BEGINNING;
      else if (strcmp (cc.offset, "latest") == 0)
        start = CAUDAL_OFFSET_END;
      else if (g_ascii_string_to_unsigned (cc.offset, 10, 0, G_MAXINT64, &o, NULL))
        start = (gint64) o;
      else
        {
          status = cli_usage_error (context, _("The offset must be a number, earliest or latest."));
          goto out;
        }
    }
  else if (cc.from_beginning)
    start = CAUDAL_OFFSET_BEGINNING;

  /* Formatter properties. */
  if (!cli_parse_properties (cc.properties, fmt, &error)
      || (cc.consumer_config != NULL && !load_properties_file (cc.consumer_config, config, &error))
      || !cli_parse_properties (cc.consumer_properties, config, &error))
    {
      status = cli_usage_error (context, error->message);
      goto out;
    }
  cc.print_timestamp = property_bool (fmt, "print.timestamp", FALSE);
  cc.print_key = property_bool (fmt, "print.key", FALSE);
  cc.print_value = property_bool (fmt, "print.value", TRUE);
  cc.print_partition = property_bool (fmt, "print.partition", FALSE);
  cc.print_offset = property_bool (fmt, "print.offset", FALSE);
  cc.print_headers = property_bool (fmt, "print.headers", FALSE);
  cc.key_separator = property_string (fmt, "key.separator", "\t");
  cc.line_separator = property_string (fmt, "line.separator", "\n");
  cc.headers_separator = property_string (fmt, "headers.separator", ",");
  cc.null_literal = property_string (fmt, "null.literal", "null");

  cluster = cli_cluster_new (cc.bootstrap, "console-consumer");
  if (cluster == NULL)
    {
      status = CLI_EXIT_USAGE;
      goto out;
    }
  if (!check_topic (cluster, cc.topic, &n_partitions))
    {
      status = CLI_EXIT_ERROR;
      goto out;
    }

  cc.consumer = caudal_consumer_new (cluster);
  caudal_consumer_set_config (cc.consumer, "client.id", "console-consumer", NULL);
  group_id = cc.group != NULL ? cc.group : g_hash_table_lookup (config, "group.id");
  if (group_id == NULL && cc.partition < 0)
    {
      /* Kafka's tool: a random group, and no commits for it. */
      random_group = g_strdup_printf ("console-consumer-%d", g_random_int_range (0, 100000));
      group_id = random_group;
      if (!g_hash_table_contains (config, "enable.auto.commit"))
        g_hash_table_insert (config, g_strdup ("enable.auto.commit"), g_strdup ("false"));
    }
  if (!g_hash_table_contains (config, "auto.offset.reset"))
    g_hash_table_insert (config, g_strdup ("auto.offset.reset"),
                         g_strdup (cc.from_beginning ? "earliest" : "latest"));
  if (cc.isolation_level != NULL)
    g_hash_table_insert (config, g_strdup ("isolation.level"), g_strdup (cc.isolation_level));
  g_hash_table_iter_init (&iter, config);
  while (g_hash_table_iter_next (&iter, &k, &v))
    if (strcmp (k, "group.id") != 0 && !caudal_consumer_set_config (cc.consumer, k, v, &error))
      {
        g_printerr ("%s\n", error->message);
        status = CLI_EXIT_USAGE;
        goto out;
      }

  if (cc.partition >= 0)
    {
      if (group_id != NULL)
        caudal_consumer_set_config (cc.consumer, "group.id", group_id, NULL);
      caudal_consumer_assign (cc.consumer, cc.topic, cc.partition, start);
    }
  else
    {
      const char *topics[] = { cc.topic, NULL };
      caudal_consumer_subscribe (cc.consumer, group_id, topics);
    }
  (void) n_partitions;

  cc.loop = g_main_loop_new (NULL, FALSE);
  cc.cancellable = g_cancellable_new ();
  sigint_id = g_unix_signal_add (SIGINT, on_signal, &cc);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, &cc);
  poll_next (&cc);
  g_main_loop_run (cc.loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  /* Kafka's English says "messages" for one as well; translations
   * use their plural forms. */
  g_printerr (ngettext ("Processed a total of %lu messages\n", "Processed a total of %lu messages\n", (gulong) cc.count),
              (gulong) cc.count);
  status = cc.status;

out:
  g_clear_object (&cc.consumer);
  g_clear_object (&cc.cancellable);
  g_clear_pointer (&cc.loop, g_main_loop_unref);
  g_free (cc.bootstrap);
  g_free (cc.topic);
  g_free (cc.group);
  g_free (cc.offset);
  g_strfreev (cc.properties);
  g_strfreev (cc.consumer_properties);
  g_free (cc.consumer_config);
  g_free (cc.isolation_level);
  g_free (cc.formatter);
  g_free (cc.key_separator);
  g_free (cc.line_separator);
  g_free (cc.headers_separator);
  g_free (cc.null_literal);
  return status;
}
