/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-consumer-groups-reset.c: `consumer-groups --reset-offsets`: the
 * partitions in scope, the new offsets for each scenario (clamped to the
 * log as Kafka does), the dry-run table, and OffsetCommit on --execute. */

#include <string.h>

#include "cli-consumer-groups.h"

/* ---- --reset-offsets ---- */

/* Java's Duration.parse() for "[-]PnDTnHnMn.nS", in milliseconds. */
static gboolean
parse_duration (const char *text,
                gint64     *out_ms)
{
  const char *p = text;
  gboolean negative = FALSE, in_time = FALSE, any = FALSE;
  gdouble total = 0;

  if (*p == '-' || *p == '+')
    negative = *p++ == '-';
  if (*p != 'P' && *p != 'p')
    return FALSE;
  p++;
  while (*p != '\0')
    {
      char *end;
      gdouble n;

      if ((*p == 'T' || *p == 't') && !in_time)
        {
          in_time = TRUE;
          p++;
          continue;
        }
      n = g_ascii_strtod (p, &end);
      if (end == p)
        return FALSE;
      p = end;
      switch (g_ascii_toupper (*p))
        {
        case 'D': if (in_time) return FALSE; total += n * 86400000.0; break;
        case 'H': if (!in_time) return FALSE; total += n * 3600000.0; break;
        case 'M': if (!in_time) return FALSE; total += n * 60000.0; break;
        case 'S': if (!in_time) return FALSE; total += n * 1000.0; break;
        default: return FALSE;
        }
      any = TRUE;
      p++;
    }
  if (!any)
    return FALSE;
  *out_ms = (gint64) (negative ? -total : total);
  return TRUE;
}

/* Kafka's Utils.getDateTime(): ISO 8601 with milliseconds, UTC when no
 * zone is given. */
static gboolean
parse_datetime (const char *text,
                gint64     *out_ms)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = NULL;
  const char *t = strchr (text, 'T');

  if (t == NULL)
    return FALSE;
  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL)
    return FALSE;
  *out_ms = g_date_time_to_unix (dt) * 1000 + g_date_time_get_microsecond (dt) / 1000;
  return TRUE;
}

/* Log4j's "[time] WARN … (class)" frame stays as Kafka prints it; the
 * message is translated. */
static void
log_warn (const char *message)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");

  g_printerr ("[%s,%03d] WARN %s (kafka.admin.ConsumerGroupCommand$)\n", stamp,
              g_date_time_get_microsecond (now) / 1000, message);
}

/* Kafka's checkOffsetsRange(): requested offsets in ->value, clamped to
 * [log start, log end]. */
static gboolean
clamp_offsets (CaudalCluster *cluster,
               GPtrArray     *rows,
               GError       **error)
{
  g_autoptr(GArray) wanted = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) ends = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < rows->len; i++)
    g_array_append_val (wanted, ((PartRow *) g_ptr_array_index (rows, i))->value);
  if (!cli_groups_list_offsets (cluster, rows, TS_LATEST, error))
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    g_array_append_val (ends, ((PartRow *) g_ptr_array_index (rows, i))->value);
  if (!cli_groups_list_offsets (cluster, rows, TS_EARLIEST, error))
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      PartRow *r = g_ptr_array_index (rows, i);
      gint64 offset = g_array_index (wanted, gint64, i);
      gint64 end = g_array_index (ends, gint64, i);
      gint64 start = r->value;
      g_autofree char *asked = g_strdup_printf ("%" G_GINT64_FORMAT, offset);

      if (end >= 0 && offset > end)
        {
          g_autofree char *limit = g_strdup_printf ("%" G_GINT64_FORMAT, end);
          /* Translators: "topic-0" names the topic's partition 0. */
          g_autofree char *msg = g_strdup_printf (_("New offset (%s) is higher than latest offset for topic partition %s-%d. Value will be set to %s"),
                                                  asked, r->topic, r->partition, limit);
          log_warn (msg);
          offset = end;
        }
      else if (start >= 0 && offset < start)
        {
          g_autofree char *limit = g_strdup_printf ("%" G_GINT64_FORMAT, start);
          g_autofree char *msg = g_strdup_printf (_("New offset (%s) is lower than earliest offset for topic partition %s-%d. Value will be set to %s"),
                                                  asked, r->topic, r->partition, limit);
          log_warn (msg);
          offset = start;
        }
      r->value = offset;
    }
  return TRUE;
}

/* The partitions --topic names: "t" (all its partitions) or "t:0,1". */
static GPtrArray *
partitions_to_reset (CaudalCluster *cluster,
                     GroupsOptions *o,
                     GPtrArray     *committed,
                     GError       **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (cli_groups_part_row_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (o->all_topics)
    {
      for (guint i = 0; i < committed->len; i++)
        {
          PartRow *c = g_ptr_array_index (committed, i);
          g_ptr_array_add (out, cli_groups_part_row_new (c->topic, c->partition));
        }
      return g_steal_pointer (&out);
    }
  for (guint i = 0; o->topics[i] != NULL; i++)
    {
      const char *arg = o->topics[i];
      const char *colon = strchr (arg, ':');

      if (colon != NULL)
        {
          g_autofree char *topic = g_strndup (arg, (gsize) (colon - arg));
          g_auto(GStrv) parts = g_strsplit (colon + 1, ",", -1);

          if (strchr (colon + 1, ':') != NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Invalid topic arg '%s', expected topic name and partitions"), arg);
              return NULL;
            }
          for (guint j = 0; parts[j] != NULL; j++)
            {
              char *end = NULL;
              gint64 n = g_ascii_strtoll (parts[j], &end, 10);

              if (*parts[j] == '\0' || *end != '\0' || n < 0 || n > G_MAXINT32)
                {
                  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("Invalid partition '%s' specified in topic arg '%s''"), parts[j], arg);
                  return NULL;
                }
              if (g_hash_table_add (seen, cli_groups_part_key (topic, (gint32) n)))
                g_ptr_array_add (out, cli_groups_part_row_new (topic, (gint32) n));
            }
        }
      else
        {
          CaudalTopicInfo *t = caudal_cluster_lookup_topic (cluster, arg);

          if (t == NULL || t->error != CAUDAL_ERROR_CODE_NONE)
            {
              g_set_error (error, CAUDAL_KAFKA_ERROR, CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION,
                           "org.apache.kafka.common.errors.UnknownTopicOrPartitionException: %s",
                           caudal_error_code_message (CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION));
              return NULL;
            }
          for (guint p = 0; p < t->partitions->len; p++)
            {
              CaudalPartitionInfo *pi = g_ptr_array_index (t->partitions, p);

              if (g_hash_table_add (seen, cli_groups_part_key (arg, pi->partition)))
                g_ptr_array_add (out, cli_groups_part_row_new (arg, pi->partition));
            }
        }
    }
  g_ptr_array_sort (out, cli_groups_part_row_compare);
  return g_steal_pointer (&out);
}

/* New offsets into each row's ->value; FALSE with @error, or with
 * *usage set for Kafka's usage errors. */
static gboolean
prepare_offsets (CaudalCluster *cluster,
                 GroupsOptions *o,
                 GPtrArray     *rows,
                 GPtrArray     *committed,
                 char         **usage,
                 GError       **error)
{
  g_autoptr(GHashTable) current = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < committed->len; i++)
    {
      PartRow *c = g_ptr_array_index (committed, i);
      g_hash_table_insert (current, cli_groups_part_key (c->topic, c->partition), c);
    }
  if (o->to_offset != NULL)
    {
      for (guint i = 0; i < rows->len; i++)
        ((PartRow *) g_ptr_array_index (rows, i))->value = o->to_offset_n;
      return clamp_offsets (cluster, rows, error);
    }
  if (o->shift_by != NULL)
    {
      for (guint i = 0; i < rows->len; i++)
        {
          PartRow *r = g_ptr_array_index (rows, i);
          g_autofree char *key = cli_groups_part_key (r->topic, r->partition);
          PartRow *c = g_hash_table_lookup (current, key);

          if (c == NULL)
            {
              *usage = g_strdup_printf (_("Cannot shift offset for partition %s-%d since there is no current committed offset"),
                                        r->topic, r->partition);
              return FALSE;
            }
          r->value = c->committed + o->shift_by_n;
        }
      return clamp_offsets (cluster, rows, error);
    }
  if (o->to_earliest || o->to_latest)
    {

      if (!cli_groups_list_offsets (cluster, rows, o->to_earliest ? TS_EARLIEST : TS_LATEST, error))
        return FALSE;
      for (guint i = 0; i < rows->len; i++)
        {
          PartRow *r = g_ptr_array_index (rows, i);

          if (r->value < 0)
            {
              *usage = g_strdup_printf (o->to_earliest ? _("Error getting starting offset of topic partition: %s-%d")
                                                       : _("Error getting ending offset of topic partition: %s-%d"),
                                        r->topic, r->partition);
              return FALSE;
            }
        }
      return TRUE;
    }
  if (o->to_current)
    {
      g_autoptr(GPtrArray) uncommitted = g_ptr_array_new ();

      for (guint i = 0; i < rows->len; i++)
        {
          PartRow *r = g_ptr_array_index (rows, i);
          g_autofree char *key = cli_groups_part_key (r->topic, r->partition);
          PartRow *c = g_hash_table_lookup (current, key);

          if (c != NULL)
            r->value = c->committed;
          else
            g_ptr_array_add (uncommitted, r);
        }
      if (!cli_groups_list_offsets (cluster, uncommitted, TS_LATEST, error))
        return FALSE;
      for (guint i = 0; i < uncommitted->len; i++)
        {
          PartRow *r = g_ptr_array_index (uncommitted, i);

          if (r->value < 0)
            {
              *usage = g_strdup_printf (_("Error getting ending offset of topic partition: %s-%d"), r->topic, r->partition);
              return FALSE;
            }
        }
      return TRUE;
    }
  /* --to-datetime / --by-duration */
  {
    gint64 timestamp;
    g_autoptr(GPtrArray) empty = g_ptr_array_new ();

    if (o->to_datetime != NULL)
      {
        if (!parse_datetime (o->to_datetime, &timestamp))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         _("Unparseable date: \"%s\""), o->to_datetime);
            return FALSE;
          }
      }
    else
      {
        gint64 duration;

        if (!parse_duration (o->by_duration, &duration))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         _("Text cannot be parsed to a Duration"));
            return FALSE;
          }
        timestamp = g_get_real_time () / 1000 - duration;
      }
    if (!cli_groups_list_offsets (cluster, rows, timestamp, error))
      return FALSE;
    for (guint i = 0; i < rows->len; i++)
      {
        PartRow *r = g_ptr_array_index (rows, i);

        if (r->value < 0)
          {
            g_print ("\n");
            g_print (_("Warn: Partition %d from topic %s is empty. Falling back to latest known offset.\n"),
                     r->partition, r->topic);
            g_ptr_array_add (empty, r);
          }
      }
    if (!cli_groups_list_offsets (cluster, empty, TS_LATEST, error))
      return FALSE;
    for (guint i = 0; i < rows->len; i++)
      {
        PartRow *r = g_ptr_array_index (rows, i);

        if (r->value < 0)
          {
            *usage = g_strdup_printf (_("Error getting offset by timestamp of topic partition: %s-%d"), r->topic, r->partition);
            return FALSE;
          }
      }
    return TRUE;
  }
}

typedef struct
{
  const char *group;
  GPtrArray  *rows;
} CommitData;

static gpointer
build_offset_commit (gint16       version,
                     CaudalArena *arena,
                     gpointer     user_data)
{
  CommitData *d = user_data;
  CaudalOffsetCommitRequest *req = caudal_arena_alloc (arena, sizeof *req);
  const CaudalStructDesc *topic_desc = caudal_struct_desc_child (&caudal_offset_commit_request_desc, "topics");
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  CaudalOffsetCommitRequestOffsetCommitRequestTopic *topics;

  caudal_message_init (&caudal_offset_commit_request_desc, req);
  req->group_id = caudal_arena_strdup (arena, d->group);
  req->generation_id_or_member_epoch = -1;
  req->member_id = caudal_arena_strdup (arena, "");
  req->group_instance_id = NULL;
  req->retention_time_ms = -1;
  for (guint i = 0; i < d->rows->len; i++)
    {
      PartRow *r = g_ptr_array_index (d->rows, i);

      if (!g_ptr_array_find_with_equal_func (names, r->topic, g_str_equal, NULL))
        g_ptr_array_add (names, r->topic);
    }
  topics = caudal_message_set_array (arena, &caudal_offset_commit_request_desc, req, "topics", names->len);
  for (guint t = 0; t < names->len; t++)
    {
      guint n = 0, k = 0;
      CaudalOffsetCommitRequestOffsetCommitRequestPartition *parts;

      topics[t].name = caudal_arena_strdup (arena, g_ptr_array_index (names, t));
      for (guint i = 0; i < d->rows->len; i++)
        n += strcmp (((PartRow *) g_ptr_array_index (d->rows, i))->topic, topics[t].name) == 0;
      parts = caudal_message_set_array (arena, topic_desc, &topics[t], "partitions", n);
      for (guint i = 0; i < d->rows->len; i++)
        {
          PartRow *r = g_ptr_array_index (d->rows, i);

          if (strcmp (r->topic, topics[t].name) != 0)
            continue;
          parts[k].partition_index = r->partition;
          parts[k].committed_offset = r->value;
          parts[k].committed_leader_epoch = -1;
          parts[k].committed_metadata = caudal_arena_strdup (arena, "");
          k++;
        }
    }
  return req;
}

static gboolean
commit_offsets (CaudalCluster     *cluster,
                const Coordinator *coordinator,
                const char        *group,
                GPtrArray         *rows,
                GError           **error)
{
  CommitData d = { group, rows };
  g_autoptr(CaudalResponse) resp = NULL;
  CaudalOffsetCommitResponse *body;

  if (rows->len == 0)
    return TRUE;
  resp = cli_request (cluster, coordinator->node_id, CAUDAL_API_KEY_OFFSET_COMMIT, -1,
                      build_offset_commit, &d, error);
  if (resp == NULL)
    return FALSE;
  body = resp->body;
  for (gint32 t = 0; t < body->n_topics; t++)
    for (gint32 p = 0; p < body->topics[t].n_partitions; p++)
      if (body->topics[t].partitions[p].error_code != CAUDAL_ERROR_CODE_NONE)
        {
          g_autofree char *text = cli_groups_java_exception (body->topics[t].partitions[p].error_code);
          g_set_error (error, CAUDAL_KAFKA_ERROR, body->topics[t].partitions[p].error_code, "%s", text);
          return FALSE;
        }
  return TRUE;
}

int
cli_groups_do_reset (CaudalCluster  *cluster,
                     GroupsOptions  *o,
                     GOptionContext *context)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) groups = cli_groups_selected_groups (cluster, o, &error);
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  gboolean dry_run = o->dry_run || !o->execute;
  int status = CLI_EXIT_OK;

  if (groups == NULL)
    goto failed;
  for (guint i = 0; i < groups->len; i++)
    {
      const char *name = g_ptr_array_index (groups, i);
      g_autoptr(GroupInfo) g = cli_groups_describe_group (cluster, name, &error);
      g_autoptr(GPtrArray) committed = NULL;
      g_autoptr(GPtrArray) rows = NULL;
      g_autofree char *usage = NULL;

      if (g == NULL)
        goto failed;
      if (strcmp (g->state, "Empty") != 0 && strcmp (g->state, "Dead") != 0)
        {
          /* Translators: the second %s is Kafka's state name, "Stable". */
          g_autofree char *msg = g_strdup_printf (_("Assignments can only be reset if the group '%s' is inactive, but the current state is %s."),
                                                  name, g->state);
          cli_groups_print_error (msg);
          g_ptr_array_add (results, g_ptr_array_new ());
          status = CLI_EXIT_ERROR;
          continue;
        }
      committed = cli_groups_fetch_committed (cluster, &g->coordinator, name, &error);
      if (committed == NULL)
        goto failed;
      rows = partitions_to_reset (cluster, o, committed, &error);
      if (rows == NULL)
        goto failed;
      if (!prepare_offsets (cluster, o, rows, committed, &usage, &error))
        {
          if (usage != NULL)
            return cli_usage_error (context, usage);
          goto failed;
        }
      if (!dry_run && !commit_offsets (cluster, &g->coordinator, name, rows, &error))
        goto failed;
      for (guint r = 0; r < rows->len; r++)
        ((PartRow *) g_ptr_array_index (rows, r))->consumer_id = g_ptr_array_index (groups, i);
      g_ptr_array_add (results, g_steal_pointer (&rows));
    }
  if (results->len > 0)
    {
      /* Kafka's table, which scripts parse: never translated. */
#define RESET_FORMAT "%-30s %-30s %-10s %-15s\n"
      g_print ("\n" RESET_FORMAT, "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET");
      for (guint i = 0; i < results->len; i++)
        {
          GPtrArray *rows = g_ptr_array_index (results, i);

          for (guint r = 0; r < rows->len; r++)
            {
              PartRow *row = g_ptr_array_index (rows, r);
              char partition[16], offset[24];

              g_snprintf (partition, sizeof partition, "%d", row->partition);
              g_snprintf (offset, sizeof offset, "%" G_GINT64_FORMAT, row->value);
              g_print (RESET_FORMAT, row->consumer_id, row->topic, partition, offset);
            }
        }
#undef RESET_FORMAT
    }
  return status;

failed:
  cli_groups_print_failure (error);
  return CLI_EXIT_ERROR;
}

