/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-assignor.c: ConsumerProtocol encodings and the range and
 * roundrobin assignors, as Kafka's clients implement them. */

#include "caudal-assignor.h"

#include <string.h>

#include "caudal-primitives.h"

CaudalTopicPartitions *
caudal_topic_partitions_new (const char *topic)
{
  CaudalTopicPartitions *tp = g_new0 (CaudalTopicPartitions, 1);

  tp->topic = g_strdup (topic);
  tp->partitions = g_array_new (FALSE, FALSE, sizeof (gint32));
  return tp;
}

void
caudal_topic_partitions_free (CaudalTopicPartitions *tp)
{
  if (tp == NULL)
    return;
  g_free (tp->topic);
  g_array_unref (tp->partitions);
  g_free (tp);
}

void
caudal_group_member_subscription_free (CaudalGroupMemberSubscription *m)
{
  if (m == NULL)
    return;
  g_free (m->member_id);
  g_free (m->group_instance_id);
  g_strfreev (m->topics);
  g_clear_pointer (&m->user_data, g_bytes_unref);
  g_free (m);
}

/* ---- ConsumerProtocol ---- */

static void
write_user_data (CaudalWriter *w,
                 GBytes       *user_data)
{
  CaudalBytes b = CAUDAL_BYTES_NULL;

  if (user_data != NULL)
    {
      gsize len;
      b.data = g_bytes_get_data (user_data, &len);
      b.len = (gint32) len;
    }
  caudal_write_bytes (w, FALSE, &b);
}

static gboolean
read_user_data (CaudalReader *r,
                GBytes      **user_data,
                GError      **error)
{
  CaudalBytes b;

  if (user_data != NULL)
    *user_data = NULL;
  /* Tolerate a message that stops before its user data. */
  if (caudal_reader_remaining (r) == 0)
    return TRUE;
  if (!caudal_read_bytes (r, FALSE, TRUE, &b, error))
    return FALSE;
  if (user_data != NULL && b.len >= 0)
    *user_data = g_bytes_new (b.data, (gsize) b.len);
  return TRUE;
}

GBytes *
caudal_consumer_protocol_encode_subscription (const char *const *topics,
                                              GBytes            *user_data)
{
  CaudalWriter w;
  guint n = topics != NULL ? g_strv_length ((GStrv) topics) : 0;
  GBytes *out;

  caudal_writer_init (&w);
  caudal_write_int16 (&w, 0);
  caudal_write_array_count (&w, FALSE, (gint32) n);
  for (guint i = 0; i < n; i++)
    caudal_write_string (&w, FALSE, topics[i], (gint32) strlen (topics[i]));
  write_user_data (&w, user_data);
  out = caudal_writer_steal (&w);
  caudal_writer_clear (&w);
  return out;
}

GStrv
caudal_consumer_protocol_decode_subscription (const guint8 *data,
                                              gsize         len,
                                              GBytes      **user_data,
                                              GError      **error)
{
  CaudalReader r;
  gint16 version;
  gint32 n;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  caudal_reader_init (&r, data, len);
  if (!caudal_read_int16 (&r, &version, error))
    return NULL;
  if (version < 0)
    {
      caudal_reader_set_error (&r, error, CAUDAL_WIRE_ERROR_INVALID,
                               "consumer subscription version %d", version);
      return NULL;
    }
  if (!caudal_read_array_count (&r, FALSE, TRUE, 2, &n, error))
    return NULL;
  for (gint32 i = 0; i < n; i++)
    {
      const char *s;
      gint32 slen;

      if (!caudal_read_string (&r, FALSE, FALSE, &s, &slen, error))
        return NULL;
      {
        g_autofree char *topic = g_strndup (s, (gsize) slen);
        g_strv_builder_add (builder, topic);
      }
    }
  /* v1+ fields (owned partitions, generation, rack) follow: skipped. */
  if (!read_user_data (&r, user_data, error))
    return NULL;
  return g_strv_builder_end (builder);
}

GBytes *
caudal_consumer_protocol_encode_assignment (GPtrArray *assignment,
                                            GBytes    *user_data)
{
  CaudalWriter w;
  guint n = assignment != NULL ? assignment->len : 0;
  GBytes *out;

  caudal_writer_init (&w);
  caudal_write_int16 (&w, 0);
  caudal_write_array_count (&w, FALSE, (gint32) n);
  for (guint i = 0; i < n; i++)
    {
      CaudalTopicPartitions *tp = g_ptr_array_index (assignment, i);

      caudal_write_string (&w, FALSE, tp->topic, (gint32) strlen (tp->topic));
      caudal_write_array_count (&w, FALSE, (gint32) tp->partitions->len);
      for (guint p = 0; p < tp->partitions->len; p++)
        caudal_write_int32 (&w, g_array_index (tp->partitions, gint32, p));
    }
  write_user_data (&w, user_data);
  out = caudal_writer_steal (&w);
  caudal_writer_clear (&w);
  return out;
}

GPtrArray *
caudal_consumer_protocol_decode_assignment (const guint8 *data,
                                            gsize         len,
                                            GBytes      **user_data,
                                            GError      **error)
{
  CaudalReader r;
  gint16 version;
  gint32 n;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_topic_partitions_free);

  if (user_data != NULL)
    *user_data = NULL;
  if (len == 0)
    return g_steal_pointer (&out);
  caudal_reader_init (&r, data, len);
  if (!caudal_read_int16 (&r, &version, error))
    return NULL;
  if (version < 0)
    {
      caudal_reader_set_error (&r, error, CAUDAL_WIRE_ERROR_INVALID,
                               "consumer assignment version %d", version);
      return NULL;
    }
  if (!caudal_read_array_count (&r, FALSE, TRUE, 6, &n, error))
    return NULL;
  for (gint32 i = 0; i < n; i++)
    {
      const char *s;
      gint32 slen, np;
      CaudalTopicPartitions *tp;

      if (!caudal_read_string (&r, FALSE, FALSE, &s, &slen, error)
          || !caudal_read_array_count (&r, FALSE, TRUE, 4, &np, error))
        return NULL;
      tp = caudal_topic_partitions_new (NULL);
      tp->topic = g_strndup (s, (gsize) slen);
      g_ptr_array_add (out, tp);
      for (gint32 p = 0; p < np; p++)
        {
          gint32 part;
          if (!caudal_read_int32 (&r, &part, error))
            return NULL;
          g_array_append_val (tp->partitions, part);
        }
    }
  if (!read_user_data (&r, user_data, error))
    return NULL;
  return g_steal_pointer (&out);
}

/* ---- assignors ---- */

gboolean
caudal_assignor_is_known (const char *name)
{
  return g_strcmp0 (name, CAUDAL_ASSIGNOR_RANGE) == 0
         || g_strcmp0 (name, CAUDAL_ASSIGNOR_ROUNDROBIN) == 0;
}

/* Kafka's MemberInfo order: static members first, by instance id, then
 * the others by member id. */
static gint
compare_members (gconstpointer a,
                 gconstpointer b)
{
  const CaudalGroupMemberSubscription *x = *(CaudalGroupMemberSubscription *const *) a;
  const CaudalGroupMemberSubscription *y = *(CaudalGroupMemberSubscription *const *) b;

  if (x->group_instance_id != NULL && y->group_instance_id != NULL)
    return strcmp (x->group_instance_id, y->group_instance_id);
  if (x->group_instance_id != NULL)
    return -1;
  if (y->group_instance_id != NULL)
    return 1;
  return strcmp (x->member_id, y->member_id);
}

static gboolean
subscribes (const CaudalGroupMemberSubscription *m,
            const char                          *topic)
{
  return m->topics != NULL && g_strv_contains ((const char *const *) m->topics, topic);
}

static void
add_partition (GHashTable *result,
               const char *member_id,
               const char *topic,
               gint32      partition)
{
  GPtrArray *list = g_hash_table_lookup (result, member_id);
  CaudalTopicPartitions *tp = NULL;

  for (guint i = 0; i < list->len; i++)
    if (strcmp (((CaudalTopicPartitions *) g_ptr_array_index (list, i))->topic, topic) == 0)
      tp = g_ptr_array_index (list, i);
  if (tp == NULL)
    {
      tp = caudal_topic_partitions_new (topic);
      g_ptr_array_add (list, tp);
    }
  g_array_append_val (tp->partitions, partition);
}

static gint
compare_tp (gconstpointer a,
            gconstpointer b)
{
  return strcmp ((*(CaudalTopicPartitions *const *) a)->topic, (*(CaudalTopicPartitions *const *) b)->topic);
}

static gint
compare_int32 (gconstpointer a,
               gconstpointer b)
{
  gint32 x = *(const gint32 *) a, y = *(const gint32 *) b;

  return (x > y) - (x < y);
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Every topic some member subscribes to and the metadata knows, sorted. */
static GPtrArray *
all_topics (GPtrArray  *members,
            GHashTable *partition_counts)
{
  GPtrArray *topics = g_ptr_array_new ();

  for (guint i = 0; i < members->len; i++)
    {
      CaudalGroupMemberSubscription *m = g_ptr_array_index (members, i);

      for (guint t = 0; m->topics != NULL && m->topics[t] != NULL; t++)
        if (g_hash_table_contains (partition_counts, m->topics[t])
            && !g_ptr_array_find_with_equal_func (topics, m->topics[t], g_str_equal, NULL))
          g_ptr_array_add (topics, m->topics[t]);
    }
  g_ptr_array_sort (topics, compare_strings);
  return topics;
}

GHashTable *
caudal_assignor_assign (const char *name,
                        GPtrArray  *members,
                        GHashTable *partition_counts,
                        GError    **error)
{
  g_autoptr(GHashTable) result = NULL;
  g_autoptr(GPtrArray) sorted = NULL;
  g_autoptr(GPtrArray) topics = NULL;
  GHashTableIter iter;
  gpointer value;

  if (!caudal_assignor_is_known (name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "unknown partition assignor '%s' (caudal knows range and roundrobin)",
                   name != NULL ? name : "(null)");
      return NULL;
    }
  result = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  sorted = g_ptr_array_copy (members, NULL, NULL);
  g_ptr_array_set_free_func (sorted, NULL);
  g_ptr_array_sort (sorted, compare_members);
  for (guint i = 0; i < sorted->len; i++)
    {
      CaudalGroupMemberSubscription *m = g_ptr_array_index (sorted, i);
      g_hash_table_insert (result, g_strdup (m->member_id),
                           g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_topic_partitions_free));
    }
  topics = all_topics (sorted, partition_counts);

  if (strcmp (name, CAUDAL_ASSIGNOR_RANGE) == 0)
    {
      /* Per topic: its subscribers in order each get a contiguous range;
       * the first (count % subscribers) get one more. */
      for (guint t = 0; t < topics->len; t++)
        {
          const char *topic = g_ptr_array_index (topics, t);
          gint32 count = GPOINTER_TO_INT (g_hash_table_lookup (partition_counts, topic));
          g_autoptr(GPtrArray) subs = g_ptr_array_new ();
          gint32 per, extra;

          for (guint i = 0; i < sorted->len; i++)
            if (subscribes (g_ptr_array_index (sorted, i), topic))
              g_ptr_array_add (subs, g_ptr_array_index (sorted, i));
          if (subs->len == 0 || count <= 0)
            continue;
          per = count / (gint32) subs->len;
          extra = count % (gint32) subs->len;
          for (gint32 i = 0; i < (gint32) subs->len; i++)
            {
              CaudalGroupMemberSubscription *m = g_ptr_array_index (subs, i);
              gint32 start = per * i + MIN (i, extra);
              gint32 length = per + (i + 1 > extra ? 0 : 1);

              for (gint32 p = start; p < start + length; p++)
                add_partition (result, m->member_id, topic, p);
            }
        }
    }
  else
    {
      /* Every partition, sorted by topic then number, dealt in turn to
       * the next member (circularly) that subscribes to its topic. */
      guint next = 0;

      for (guint t = 0; t < topics->len && sorted->len > 0; t++)
        {
          const char *topic = g_ptr_array_index (topics, t);
          gint32 count = GPOINTER_TO_INT (g_hash_table_lookup (partition_counts, topic));

          for (gint32 p = 0; p < count; p++)
            {
              CaudalGroupMemberSubscription *m;

              /* all_topics() only lists subscribed topics: this ends. */
              while (!subscribes (g_ptr_array_index (sorted, next), topic))
                next = (next + 1) % sorted->len;
              m = g_ptr_array_index (sorted, next);
              next = (next + 1) % sorted->len;
              add_partition (result, m->member_id, topic, p);
            }
        }
    }

  g_hash_table_iter_init (&iter, result);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GPtrArray *list = value;

      g_ptr_array_sort (list, compare_tp);
      for (guint i = 0; i < list->len; i++)
        g_array_sort (((CaudalTopicPartitions *) g_ptr_array_index (list, i))->partitions, compare_int32);
    }
  return g_steal_pointer (&result);
}
