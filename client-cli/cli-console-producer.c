/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-console-producer.c: `caudal console-producer` /
 * kafka-console-producer: one record per line of stdin, with Kafka's
 * flags and LineMessageReader properties (parse.key, key.separator,
 * parse.headers, headers.delimiter, headers.separator,
 * headers.key.separator, null.marker, ignore.error). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caudal-producer.h"
#include "cli-common.h"

/* Read ahead at most this many lines of records not yet delivered. */
#define MAX_OUTSTANDING 10000

/* Standard input is read by a thread with blocking reads (works for
 * terminals, pipes, files and sockets alike, without touching the file
 * flags a terminal shares with the shell); lines go to the main context.
 * The thread reads a line only with a credit: one per record that may be
 * outstanding (just one with --sync). It is never joined: at the end of
 * input it has finished, and on an early exit it may sit in a read. */
typedef struct
{
  GMutex   lock;
  GCond    cond;
  guint    credits;
  gboolean prompt;
  gboolean stop;
  GQueue   lines;      /* GBytes* */
  gboolean eof;
  int      read_errno;
} Reader;

/* Static: reachable when the process exits with the thread in a read. */
static Reader reader;

typedef struct
{
  /* options */
  char     *bootstrap;
  char     *topic;
  char    **properties;
  char    **producer_properties;
  char     *producer_config;
  char     *compression;
  char     *acks;
  gboolean  sync;
  gint      linger_ms;          /* --timeout */
  gint      batch_size;
  gint      request_timeout_ms;
  gint      retry_backoff_ms;
  gint      max_block_ms;

  /* LineMessageReader */
  gboolean  parse_key;
  char     *key_separator;
  gboolean  parse_headers;
  char     *headers_delimiter;
  char     *headers_separator;
  char     *headers_key_separator;
  char     *null_marker;
  gboolean  ignore_error;

  /* state */
  CaudalProducer   *producer;
  guint64           line_number;
  guint             outstanding;
  gboolean          eof;
  gboolean          flushed;
  gboolean          done;
  gboolean          send_failed;
  gboolean          read_failed;
} Console;

typedef struct
{
  Console *console;
  gsize    key_len;      /* G_MAXSIZE: null */
  gsize    value_len;    /* G_MAXSIZE: null */
} SendData;

static void grant (guint n);

/* ---- options ---- */

/* Kafka's --compression-codec takes an optional value: gzip when bare. */
static gboolean
on_compression (const char *name,
                const char *value,
                gpointer    data,
                GError    **error)
{
  Console *c = data;

  g_free (c->compression);
  c->compression = g_strdup (value != NULL ? value : "gzip");
  return TRUE;
}

/* A Java properties file, simply: "key=value", "key: value" or
 * "key value" per line; # and ! start comments. */
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
      gsize k;

      if (*line == '\0' || *line == '#' || *line == '!')
        continue;
      k = strcspn (line, "=: \t");
      if (line[k] == '\0')
        {
          g_hash_table_insert (out, g_strdup (line), g_strdup (""));
          continue;
        }
      {
        g_autofree char *key = g_strndup (line, k);
        char *v = line + k;

        while (*v == ' ' || *v == '\t')
          v++;
        if (*v == '=' || *v == ':')
          v++;
        while (*v == ' ' || *v == '\t')
          v++;
        g_hash_table_insert (out, g_steal_pointer (&key), g_strdup (v));
      }
    }
  return TRUE;
}

static const char *
prop (GHashTable *props,
      const char *key,
      const char *fallback)
{
  const char *v = g_hash_table_lookup (props, key);

  return v != NULL ? v : fallback;
}

static gboolean
prop_bool (GHashTable *props,
           const char *key)
{
  return g_ascii_strcasecmp (prop (props, key, "false"), "true") == 0;
}

/* ---- parsing a line (Kafka's LineMessageReader) ---- */

typedef struct
{
  const char *data;
  gssize      len;   /* -1: null */
} Slice;

static gssize
find (const char *hay,
      gsize       hay_len,
      const char *needle)
{
  gsize n = strlen (needle);

  if (n == 0 || n > hay_len)
    return n == 0 ? 0 : -1;
  for (gsize i = 0; i + n <= hay_len; i++)
    if (memcmp (hay + i, needle, n) == 0)
      return (gssize) i;
  return -1;
}

static gboolean
is_null_marker (Console    *c,
                const char *data,
                gsize       len)
{
  return c->null_marker != NULL && strlen (c->null_marker) == len && memcmp (c->null_marker, data, len) == 0;
}

/* Parses "k:v,k:v" into @headers (pointing into @data). */
static gboolean
parse_header_list (Console    *c,
                   const char *data,
                   gsize       len,
                   GArray     *headers,
                   GError    **error)
{
  gsize sep_len = strlen (c->headers_separator);
  gsize pos = 0;

  while (pos <= len)
    {
      gssize end = find (data + pos, len - pos, c->headers_separator);
      gsize pair_len = end >= 0 && sep_len > 0 ? (gsize) end : len - pos;
      const char *pair = data + pos;
      gssize k;
      CaudalRecordHeader h;

      if (pair_len > 0)
        {
          k = find (pair, pair_len, c->headers_key_separator);
          if (k < 0)
            {
              if (!c->ignore_error)
                {
                  g_autofree char *number = g_strdup_printf ("%" G_GUINT64_FORMAT, c->line_number);

                  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("No header key separator found in pair '%.*s' on line number %s"),
                               (int) pair_len, pair, number);
                  return FALSE;
                }
              h.key = (CaudalBytes) { (const guint8 *) pair, (gint32) pair_len };
              h.value = CAUDAL_BYTES_NULL;
            }
          else
            {
              const char *v = pair + k + strlen (c->headers_key_separator);
              gsize v_len = pair_len - (gsize) k - strlen (c->headers_key_separator);

              if (is_null_marker (c, pair, (gsize) k))
                {
                  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("Header keys should not be equal to the null marker '%s' as they can't be null"),
                               c->null_marker);
                  return FALSE;
                }
              h.key = (CaudalBytes) { (const guint8 *) pair, (gint32) k };
              h.value = is_null_marker (c, v, v_len) ? CAUDAL_BYTES_NULL
                                                     : (CaudalBytes) { (const guint8 *) v, (gint32) v_len };
            }
          g_array_append_val (headers, h);
        }
      if (end < 0 || sep_len == 0)
        break;
      pos += (gsize) end + sep_len;
    }
  return TRUE;
}

/* Splits @line into headers, key and value as Kafka does. */
static gboolean
parse_line (Console    *c,
            const char *line,
            gsize       len,
            Slice      *key,
            Slice      *value,
            GArray     *headers,
            GError    **error)
{
  const char *rest = line;
  gsize rest_len = len;

  key->data = NULL;
  key->len = -1;
  if (c->parse_headers)
    {
      gssize d = find (line, len, c->headers_delimiter);

      if (d < 0)
        {
          if (!c->ignore_error)
            {
              g_autofree char *number = g_strdup_printf ("%" G_GUINT64_FORMAT, c->line_number);

              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("No headers delimiter found on line number %s: '%.*s'"),
                           number, (int) len, line);
              return FALSE;
            }
        }
      else
        {
          if (!parse_header_list (c, line, (gsize) d, headers, error))
            return FALSE;
          rest = line + d + strlen (c->headers_delimiter);
          rest_len = len - (gsize) d - strlen (c->headers_delimiter);
        }
    }
  if (c->parse_key)
    {
      gssize k = find (rest, rest_len, c->key_separator);

      if (k < 0)
        {
          if (!c->ignore_error)
            {
              g_autofree char *number = g_strdup_printf ("%" G_GUINT64_FORMAT, c->line_number);

              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("No key separator found on line number %s: '%.*s'"),
                           number, (int) len, line);
              return FALSE;
            }
        }
      else
        {
          key->data = rest;
          key->len = k;
          if (is_null_marker (c, rest, (gsize) k))
            key->len = -1;
          rest += (gsize) k + strlen (c->key_separator);
          rest_len -= (gsize) k + strlen (c->key_separator);
        }
    }
  value->data = rest;
  value->len = is_null_marker (c, rest, rest_len) ? -1 : (gssize) rest_len;
  return TRUE;
}

/* ---- sending ---- */

/* "null" for a null key or value (Kafka's word, not translated), else
 * "N bytes" (plural for one as well in Kafka's English; translations use
 * their plural forms). */
static char *
byte_count (gsize len)
{
  if (len == G_MAXSIZE)
    return g_strdup ("null");
  return g_strdup_printf (ngettext ("%lu bytes", "%lu bytes", len), (gulong) len);
}

static char *
timestamp_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *base = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");

  return g_strdup_printf ("%s,%03d", base, g_date_time_get_microsecond (now) / 1000);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  SendData *d = user_data;
  Console *c = d->console;
  g_autoptr(GError) error = NULL;

  if (!caudal_producer_send_finish (CAUDAL_PRODUCER (source), result, NULL, &error))
    {
      g_autofree char *ts = timestamp_now ();
      g_autofree char *key = byte_count (d->key_len);
      g_autofree char *value = byte_count (d->value_len);
      g_autofree char *message = NULL;

      /* Translators: key and value are "null" or "5 bytes"; the last %s is
       * the reason. */
      message = g_strdup_printf (_("Error when sending message to topic %s with key: %s, value: %s with error: (%s)"),
                                 c->topic, key, value, error->message);
      /* Log4j's "[time] LEVEL" prefix stays as Kafka prints it. */
      g_printerr ("[%s] ERROR %s\n", ts, message);
      c->send_failed = TRUE;
    }
  c->outstanding--;
  g_free (d);
  if (!c->read_failed)
    grant (1);
}

static void
send_line (Console    *c,
           const char *line,
           gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) headers = g_array_new (FALSE, FALSE, sizeof (CaudalRecordHeader));
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GBytes) value = NULL;
  Slice k, v;
  SendData *d;

  c->line_number++;
  if (!parse_line (c, line, len, &k, &v, headers, &error))
    {
      g_autofree char *ts = timestamp_now ();

      g_printerr ("[%s] ERROR %s\n", ts, error->message);
      c->read_failed = TRUE;
      return;
    }
  if (k.len >= 0)
    key = g_bytes_new (k.data, (gsize) k.len);
  if (v.len >= 0)
    value = g_bytes_new (v.data, (gsize) v.len);
  d = g_new0 (SendData, 1);
  d->console = c;
  d->key_len = k.len >= 0 ? (gsize) k.len : G_MAXSIZE;
  d->value_len = v.len >= 0 ? (gsize) v.len : G_MAXSIZE;
  c->outstanding++;
  caudal_producer_send_async (c->producer, c->topic, -1, key, value,
                              (const CaudalRecordHeader *) headers->data, headers->len, -1, NULL,
                              on_sent, d);
  /* --sync: this record alone, now, rather than after linger.ms. */
  if (c->sync)
    caudal_producer_flush_async (c->producer, NULL, NULL, NULL);
}

static gpointer
reader_thread (gpointer user_data)
{
  Reader *r = user_data;
  char *buf = NULL;
  size_t cap = 0;

  for (;;)
    {
      ssize_t n;
      GBytes *line;

      g_mutex_lock (&r->lock);
      while (r->credits == 0 && !r->stop)
        g_cond_wait (&r->cond, &r->lock);
      if (r->stop)
        {
          g_mutex_unlock (&r->lock);
          break;
        }
      r->credits--;
      g_mutex_unlock (&r->lock);

      if (r->prompt)
        {
          fputs (">", stdout);
          fflush (stdout);
        }
      errno = 0;
      n = getline (&buf, &cap, stdin);
      g_mutex_lock (&r->lock);
      if (n < 0)
        {
          r->eof = TRUE;
          r->read_errno = ferror (stdin) ? errno : 0;
          line = NULL;
        }
      else
        {
          /* Without the line end: \n or \r\n, as Java's readLine. */
          if (n > 0 && buf[n - 1] == '\n')
            n--;
          if (n > 0 && buf[n - 1] == '\r')
            n--;
          line = g_bytes_new (buf, (gsize) n);
          g_queue_push_tail (&r->lines, line);
        }
      g_mutex_unlock (&r->lock);
      g_main_context_wakeup (NULL);
      if (line == NULL)
        break;
    }
  free (buf);
  return NULL;
}

static void
grant (guint n)
{
  g_mutex_lock (&reader.lock);
  reader.credits += n;
  g_cond_signal (&reader.cond);
  g_mutex_unlock (&reader.lock);
}

/* Sends the lines the reader has queued; notes the end of input. */
static void
take_lines (Console *c)
{
  GBytes *line;

  for (;;)
    {
      gsize len;
      const char *data;

      g_mutex_lock (&reader.lock);
      line = g_queue_pop_head (&reader.lines);
      if (line == NULL && reader.eof)
        {
          c->eof = TRUE;
          if (reader.read_errno != 0)
            {
              g_printerr (_("error reading standard input: %s\n"), g_strerror (reader.read_errno));
              c->read_failed = TRUE;
            }
        }
      g_mutex_unlock (&reader.lock);
      if (line == NULL)
        return;
      data = g_bytes_get_data (line, &len);
      if (!c->read_failed)
        send_line (c, data, len);
      g_bytes_unref (line);
      if (c->read_failed)
        {
          g_mutex_lock (&reader.lock);
          reader.stop = TRUE;
          g_cond_signal (&reader.cond);
          g_mutex_unlock (&reader.lock);
        }
    }
}

static void
on_flushed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Console *c = user_data;

  caudal_producer_flush_finish (CAUDAL_PRODUCER (source), result, NULL);
  c->flushed = TRUE;
}

/* ---- the command ---- */

static void
console_clear (Console *c)
{
  g_free (c->bootstrap);
  g_free (c->topic);
  g_strfreev (c->properties);
  g_strfreev (c->producer_properties);
  g_free (c->producer_config);
  g_free (c->compression);
  g_free (c->acks);
  g_free (c->key_separator);
  g_free (c->headers_delimiter);
  g_free (c->headers_separator);
  g_free (c->headers_key_separator);
  g_free (c->null_marker);
  g_clear_object (&c->producer);
}

int
cli_console_producer_main (int    argc,
                           char **argv)
{
  Console c = { 0 };
  GOptionEntry entries[] = {
    { "bootstrap-server", 0, 0, G_OPTION_ARG_STRING, &c.bootstrap,
      N_("REQUIRED: the server(s) to connect to"), N_("HOST:PORT") },
    { "topic", 0, 0, G_OPTION_ARG_STRING, &c.topic, N_("REQUIRED: the topic to produce messages to"), N_("TOPIC") },
    { "property", 0, 0, G_OPTION_ARG_STRING_ARRAY, &c.properties,
      N_("A mechanism to pass user-defined properties in the form key=value to the message reader: "
         "parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, "
         "headers.key.separator, null.marker, ignore.error"), N_("PROP") },
    { "producer-property", 0, 0, G_OPTION_ARG_STRING_ARRAY, &c.producer_properties,
      N_("A mechanism to pass user-defined properties in the form key=value to the producer"), N_("PROP") },
    { "producer.config", 0, 0, G_OPTION_ARG_FILENAME, &c.producer_config,
      N_("Producer config properties file. Note that --producer-property takes precedence over this config"),
      N_("FILE") },
    { "compression-codec", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, (gpointer) on_compression,
      N_("The compression codec: either 'none', 'gzip', 'snappy', 'lz4', or 'zstd'. "
         "If specified without value, then it defaults to 'gzip'"), N_("CODEC") },
    { "request-required-acks", 0, 0, G_OPTION_ARG_STRING, &c.acks,
      N_("The required acks of the producer requests (default: -1)"), N_("ACKS") },
    { "sync", 0, 0, G_OPTION_ARG_NONE, &c.sync,
      N_("If set message send requests to the brokers are synchronously, one at a time as they arrive"), NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &c.linger_ms,
      N_("If set and the producer is running in asynchronous mode, this gives the maximum amount of time "
         "a message will queue awaiting sufficient batch size, in ms (linger.ms; default: 1000)"), N_("MS") },
    { "batch-size", 0, 0, G_OPTION_ARG_INT, &c.batch_size,
      N_("Bytes of messages to send in a single batch (batch.size; default: 16384)"), N_("SIZE") },
    { "request-timeout-ms", 0, 0, G_OPTION_ARG_INT, &c.request_timeout_ms,
      N_("The ack timeout of the producer requests (request.timeout.ms; default: 1500)"), N_("MS") },
    { "retry-backoff-ms", 0, 0, G_OPTION_ARG_INT, &c.retry_backoff_ms,
      N_("Wait before refreshing metadata and retrying (retry.backoff.ms; default: 100)"), N_("MS") },
    { "max-block-ms", 0, 0, G_OPTION_ARG_INT, &c.max_block_ms,
      N_("The max time a send waits for the topic's metadata (max.block.ms; default: 60000)"), N_("MS") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (N_("- read lines from stdin and produce them to a topic"));
  GOptionGroup *group = g_option_group_new (NULL, NULL, NULL, &c, NULL);
  g_autoptr(GHashTable) reader_props = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) producer_props = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalCluster) cluster = NULL;
  CaudalProducerConfig cfg;
  GMainContext *ctx = g_main_context_default ();
  int status = CLI_EXIT_OK;

  c.linger_ms = c.batch_size = c.request_timeout_ms = c.retry_backoff_ms = c.max_block_ms = -1;
  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_context_set_main_group (context, group);
  g_option_context_set_summary (context,
                                N_("One message per line of standard input (without the newline).\n"
                                   "Lines are sent as they come; at the end of input every message is\n"
                                   "flushed before exiting. Exit status 1 when any message failed."));
  if (!cli_parse (context, &argc, &argv))
    {
      console_clear (&c);
      return CLI_EXIT_USAGE;
    }
  if (c.bootstrap == NULL)
    {
      status = cli_missing (context, "bootstrap-server");
      goto out;
    }
  if (c.topic == NULL)
    {
      status = cli_missing (context, "topic");
      goto out;
    }

  /* The reader's properties. */
  if (!cli_parse_properties (c.properties, reader_props, &error))
    {
      status = cli_usage_error (context, error->message);
      goto out;
    }
  c.parse_key = prop_bool (reader_props, "parse.key");
  c.key_separator = g_strdup (prop (reader_props, "key.separator", "\t"));
  c.parse_headers = prop_bool (reader_props, "parse.headers");
  c.headers_delimiter = g_strdup (prop (reader_props, "headers.delimiter", "\t"));
  c.headers_separator = g_strdup (prop (reader_props, "headers.separator", ","));
  c.headers_key_separator = g_strdup (prop (reader_props, "headers.key.separator", ":"));
  c.null_marker = g_strdup (prop (reader_props, "null.marker", NULL));
  c.ignore_error = prop_bool (reader_props, "ignore.error");
  if (c.parse_key && *c.key_separator == '\0')
    {
      status = cli_usage_error (context, _("key.separator must not be empty"));
      goto out;
    }
  if (c.parse_headers)
    {
      if (*c.headers_delimiter == '\0' || *c.headers_key_separator == '\0')
        {
          status = cli_usage_error (context, _("headers.delimiter and headers.key.separator must not be empty"));
          goto out;
        }
      if (c.parse_key && strcmp (c.headers_delimiter, c.key_separator) == 0)
        {
          status = cli_usage_error (context, _("headers.delimiter and key.separator may not be equal"));
          goto out;
        }
      if (strcmp (c.headers_separator, c.headers_key_separator) == 0)
        {
          status = cli_usage_error (context, _("headers.separator and headers.key.separator may not be equal"));
          goto out;
        }
    }

  /* The producer's: the console's defaults, then --producer.config, then
   * --producer-property, then the explicit flags. */
  caudal_producer_config_init (&cfg);
  cfg.linger_ms = 1000;             /* the console producer's --timeout */
  cfg.request_timeout_ms = 1500;    /* its --request-timeout-ms */
  if (c.producer_config != NULL && !load_properties_file (c.producer_config, producer_props, &error))
    {
      g_printerr (_("cannot read %s: %s\n"), c.producer_config, error->message);
      status = CLI_EXIT_ERROR;
      goto out;
    }
  if (!cli_parse_properties (c.producer_properties, producer_props, &error))
    {
      status = cli_usage_error (context, error->message);
      goto out;
    }
  if (c.compression != NULL)
    g_hash_table_insert (producer_props, g_strdup ("compression.type"), g_strdup (c.compression));
  if (c.acks != NULL)
    g_hash_table_insert (producer_props, g_strdup ("acks"), g_strdup (c.acks));
#define FLAG_PROP(field, name) \
  if (c.field >= 0) \
    g_hash_table_insert (producer_props, g_strdup (name), g_strdup_printf ("%d", c.field));
  FLAG_PROP (linger_ms, "linger.ms")
  FLAG_PROP (batch_size, "batch.size")
  FLAG_PROP (request_timeout_ms, "request.timeout.ms")
  FLAG_PROP (retry_backoff_ms, "retry.backoff.ms")
  FLAG_PROP (max_block_ms, "max.block.ms")
#undef FLAG_PROP
  {
    GHashTableIter iter;
    gpointer k, v;

    g_hash_table_iter_init (&iter, producer_props);
    while (g_hash_table_iter_next (&iter, &k, &v))
      {
        g_autoptr(GError) prop_error = NULL;

        if (caudal_producer_config_set (&cfg, k, v, &prop_error))
          continue;
        if (g_error_matches (prop_error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
          {
            /* bootstrap.servers, client.id, key.serializer…: Kafka warns for
             * unknown ones; these matter only to Java. */
            continue;
          }
        status = cli_usage_error (context, prop_error->message);
        goto out;
      }
  }

  cluster = cli_cluster_new (c.bootstrap, prop (producer_props, "client.id", "console-producer"));
  if (cluster == NULL)
    {
      status = CLI_EXIT_ERROR;
      goto out;
    }
  /* Connect and learn the topic (creating it when the broker allows)
   * first: an unreachable broker is an error at once, not a record
   * failing after max.block.ms. */
  {
    g_auto(CaudalSync) sync = { 0 };
    const char *topics[] = { c.topic, NULL };

    caudal_cluster_refresh_metadata_async (cluster, topics, TRUE, NULL, caudal_sync_callback, &sync);
    if (!caudal_cluster_refresh_metadata_finish (cluster, caudal_sync_wait (&sync), &error))
      {
        g_printerr ("%s\n", error->message);
        status = CLI_EXIT_ERROR;
        goto out;
      }
  }
  caudal_cluster_set_timeout (cluster, MAX (cfg.request_timeout_ms, 10000));
  c.producer = caudal_producer_new (cluster, &cfg);

  g_mutex_init (&reader.lock);
  g_cond_init (&reader.cond);
  g_queue_init (&reader.lines);
  reader.prompt = isatty (STDIN_FILENO);
  reader.credits = c.sync ? 1 : MAX_OUTSTANDING;
  g_thread_unref (g_thread_new ("stdin", reader_thread, &reader));
  while (!c.eof && !c.read_failed)
    {
      g_main_context_iteration (ctx, TRUE);
      take_lines (&c);
    }
  if (reader.prompt && c.eof)
    {
      fputs ("\n", stdout);
      fflush (stdout);
    }
  caudal_producer_flush_async (c.producer, NULL, on_flushed, &c);
  while (!c.flushed || c.outstanding > 0)
    g_main_context_iteration (ctx, TRUE);
  status = c.send_failed || c.read_failed ? CLI_EXIT_ERROR : CLI_EXIT_OK;

out:
  console_clear (&c);
  return status;
}
