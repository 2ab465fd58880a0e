/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-cluster-topics.c: every broker's view of the cluster's topics,
 * kept from ZooKeeper (docs/cluster.md, "Topics"):
 *
 *   /cluster/id                                  {"version":"1","id":"<uuid>"}
 *   /brokers/topics/<t>                          assignment JSON v2
 *   /brokers/topics/<t>/partitions/<p>/state     leader, epoch, ISR
 *   /config/topics/<t>                           {"version":1,"config":{..}}
 *   /admin/delete_topics/<t>                     deletion marker
 *
 * Every watch is one-shot and re-armed by the read that consumes its
 * event; the value read, not the event, is the truth. One watcher serves
 * all paths: it tells them apart by the path, so no watch owns memory. */

#include "broker-cluster-private.h"

#include <string.h>

#include "broker-meta-store.h"

/* A view read's context: which topic (and partition) it is for. */
typedef struct
{
  BrokerCluster *cluster;
  char          *name;
  gint32         partition;
} ViewRead;

static void list_topics (BrokerCluster *c);
static void list_deletions (BrokerCluster *c);
static void read_assignment (BrokerCluster *c, const char *name);
static void read_config (BrokerCluster *c, const char *name);
static void read_cluster_id (BrokerCluster *c);

static ViewRead *
view_read_new (BrokerCluster *c,
               const char    *name,
               gint32         partition)
{
  ViewRead *r = g_new0 (ViewRead, 1);

  r->cluster = c;
  r->name = g_strdup (name);
  r->partition = partition;
  c->view_reads++;
  return r;
}

/* Frees @r and accounts for its answer; FALSE when the cluster is
 * closing and the answer must be ignored. */
static gboolean
view_read_done (ViewRead *r)
{
  BrokerCluster *c = r->cluster;

  g_free (r->name);
  g_free (r);
  if (c->view_reads > 0)
    c->view_reads--;
  return !c->closing;
}

static void
view_read_cancel (ViewRead *r)
{
  (void) view_read_done (r);
}

/* -- JSON -------------------------------------------------------------- */

JsonNode *
broker_cluster_parse_json (const char *value,
                           int         len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (value == NULL || len <= 0 || !json_parser_load_from_data (parser, value, len, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

static char *
builder_to_string (JsonBuilder *b)
{
  g_autoptr(JsonNode) root = json_builder_get_root (b);

  return json_to_string (root, FALSE);
}

/* Kafka's LeaderAndIsr znode (TopicPartitionStateZNode). */
char *
broker_cluster_state_json (gint32  leader,
                           gint32  leader_epoch,
                           GArray *isr,
                           gint32  controller_epoch)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "leader");
  json_builder_add_int_value (b, leader);
  json_builder_set_member_name (b, "leader_epoch");
  json_builder_add_int_value (b, leader_epoch);
  json_builder_set_member_name (b, "isr");
  json_builder_begin_array (b);
  for (guint i = 0; i < isr->len; i++)
    json_builder_add_int_value (b, g_array_index (isr, gint32, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "controller_epoch");
  json_builder_add_int_value (b, controller_epoch);
  json_builder_end_object (b);
  return builder_to_string (b);
}

/* Kafka's TopicZNode, version 2 (with topic_id since 2.8, KIP-516). */
char *
broker_cluster_assignment_json (const CaudalUuid *id,
                                GPtrArray        *assignments)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *id_text = broker_uuid_to_string (id);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 2);
  json_builder_set_member_name (b, "partitions");
  json_builder_begin_object (b);
  for (guint p = 0; p < assignments->len; p++)
    {
      GArray *replicas = g_ptr_array_index (assignments, p);
      g_autofree char *key = g_strdup_printf ("%u", p);

      json_builder_set_member_name (b, key);
      json_builder_begin_array (b);
      for (guint i = 0; i < replicas->len; i++)
        json_builder_add_int_value (b, g_array_index (replicas, gint32, i));
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "adding_replicas");
  json_builder_begin_object (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "removing_replicas");
  json_builder_begin_object (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "topic_id");
  json_builder_add_string_value (b, id_text);
  json_builder_end_object (b);
  return builder_to_string (b);
}

/* Kafka's ConfigEntityZNode. */
char *
broker_cluster_config_json (GHashTable *configs)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GList) keys = configs != NULL ? g_hash_table_get_keys (configs) : NULL;

  keys = g_list_sort (keys, (GCompareFunc) strcmp);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "config");
  json_builder_begin_object (b);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      json_builder_set_member_name (b, l->data);
      json_builder_add_string_value (b, g_hash_table_lookup (configs, l->data));
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  return builder_to_string (b);
}

static GArray *
int_array_from_json (JsonObject *obj,
                     const char *member)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gint32));
  JsonNode *node = json_object_get_member (obj, member);

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *arr = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (arr); i++)
        {
          gint32 v = (gint32) json_array_get_int_element (arr, i);
          g_array_append_val (out, v);
        }
    }
  return out;
}

static gboolean
int_arrays_equal (GArray *a,
                  GArray *b)
{
  return a->len == b->len && memcmp (a->data, b->data, a->len * sizeof (gint32)) == 0;
}

/* -- the cache ---------------------------------------------------------- */

static void
partition_free (ClusterPartition *p)
{
  g_clear_pointer (&p->pub.replicas, g_array_unref);
  g_clear_pointer (&p->pub.isr, g_array_unref);
  g_free (p);
}

static ClusterPartition *
partition_new (gint32 index)
{
  ClusterPartition *p = g_new0 (ClusterPartition, 1);

  p->pub.partition = index;
  p->pub.replicas = g_array_new (FALSE, FALSE, sizeof (gint32));
  p->pub.isr = g_array_new (FALSE, FALSE, sizeof (gint32));
  p->pub.leader = -1;
  p->pub.leader_epoch = -1;
  p->pub.controller_epoch = -1;
  p->pub.state_version = -1;
  return p;
}

static void
topic_free (ClusterTopic *t)
{
  g_free (t->pub.name);
  g_clear_pointer (&t->pub.partitions, g_ptr_array_unref);
  g_clear_pointer (&t->pub.configs, g_hash_table_unref);
  g_free (t);
}

static ClusterTopic *
topic_new (const char *name)
{
  ClusterTopic *t = g_new0 (ClusterTopic, 1);

  t->pub.name = g_strdup (name);
  t->pub.partitions = g_ptr_array_new_with_free_func ((GDestroyNotify) partition_free);
  t->pub.configs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  t->assignment_version = -1;
  t->config_version = -1;
  return t;
}

ClusterTopic *
broker_cluster_view_topic (BrokerCluster *c,
                           const char    *name)
{
  return g_hash_table_lookup (c->topics, name);
}

void
broker_cluster_view_init (BrokerCluster *c)
{
  c->topics = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) topic_free);
  c->deleting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  c->waiters = g_ptr_array_new ();
}

void
broker_cluster_view_clear (BrokerCluster *c)
{
  if (c->waiters != NULL)
    broker_cluster_writes_clear (c);
  g_clear_pointer (&c->waiters, g_ptr_array_unref);
  g_clear_pointer (&c->topics, g_hash_table_unref);
  g_clear_pointer (&c->deleting, g_hash_table_unref);
  g_clear_pointer (&c->deletions_running, g_hash_table_unref);
  g_clear_pointer (&c->cluster_id, g_free);
}

gboolean
broker_cluster_view_loaded (BrokerCluster *c)
{
  return c->cluster_id != NULL && c->topics_listed && c->view_reads == 0;
}

static gboolean
topic_visible (const ClusterTopic *t)
{
  return t != NULL && t->assignment_version >= 0;
}

static void
emit_topic_changed (BrokerCluster *c,
                    ClusterTopic  *t)
{
  if (c->hooks.topic_changed != NULL && topic_visible (t))
    c->hooks.topic_changed (c->hooks_data, &t->pub);
}

static void
emit_partition_changed (BrokerCluster    *c,
                        ClusterTopic     *t,
                        ClusterPartition *p)
{
  if (c->hooks.partition_changed != NULL && topic_visible (t))
    c->hooks.partition_changed (c->hooks_data, &t->pub, &p->pub);
}

static void
remove_topic (BrokerCluster *c,
              const char    *name)
{
  g_autofree char *copy = g_strdup (name);
  ClusterTopic *t = g_hash_table_lookup (c->topics, name);
  gboolean was_visible = topic_visible (t);

  if (t == NULL)
    return;
  g_hash_table_remove (c->topics, name);
  if (was_visible)
    {
      g_message ("cluster: topic %s is gone", copy);
      if (c->hooks.topic_removed != NULL)
        c->hooks.topic_removed (c->hooks_data, copy);
    }
  broker_cluster_writes_check (c);
}

/* -- the watcher --------------------------------------------------------- */

static void
on_view_event (zhandle_t  *zh,
               int         type,
               int         state,
               const char *path,
               void       *ctx)
{
  BrokerCluster *c = ctx;
  const char *rel;
  g_auto(GStrv) parts = NULL;
  guint n;

  /* Session events: the session code re-reads everything itself. */
  if (c->closing || type == ZOO_SESSION_EVENT || path == NULL || !g_str_has_prefix (path, c->root))
    return;
  rel = path + strlen (c->root);
  parts = g_strsplit (rel + (*rel == '/' ? 1 : 0), "/", -1);
  n = g_strv_length (parts);
  if (n == 2 && strcmp (parts[0], "brokers") == 0 && strcmp (parts[1], "topics") == 0)
    list_topics (c);
  else if (n == 2 && strcmp (parts[0], "admin") == 0 && strcmp (parts[1], "delete_topics") == 0)
    list_deletions (c);
  else if (n == 3 && strcmp (parts[0], "brokers") == 0 && strcmp (parts[1], "topics") == 0)
    read_assignment (c, parts[2]);
  else if (n == 3 && strcmp (parts[0], "config") == 0 && strcmp (parts[1], "topics") == 0)
    read_config (c, parts[2]);
  else if (n == 6 && strcmp (parts[0], "brokers") == 0 && strcmp (parts[3], "partitions") == 0
           && strcmp (parts[5], "state") == 0)
    {
      gint64 p;
      if (g_ascii_string_to_signed (parts[4], 10, 0, G_MAXINT32, &p, NULL))
        broker_cluster_read_state (c, parts[2], (gint32) p);
    }
}

/* -- partition states ------------------------------------------------------ */

static ClusterPartition *
find_partition (BrokerCluster *c,
                const char    *name,
                gint32         partition,
                ClusterTopic **topic)
{
  ClusterTopic *t = g_hash_table_lookup (c->topics, name);

  if (t == NULL || partition < 0 || (guint) partition >= t->pub.partitions->len)
    return NULL;
  *topic = t;
  return g_ptr_array_index (t->pub.partitions, partition);
}

static void
on_state_exists (int               rc,
                 const struct Stat *stat,
                 const void       *data)
{
  ViewRead *r = (ViewRead *) data;
  BrokerCluster *c = r->cluster;
  g_autofree char *name = g_strdup (r->name);
  gint32 partition = r->partition;

  if (!view_read_done (r))
    return;
  /* Created between our read and this exists: read it now (the exists
   * watch is armed too; a second read is harmless). */
  if (rc == ZOK)
    broker_cluster_read_state (c, name, partition);
}

static void
on_state_read (int               rc,
               const char       *value,
               int               value_len,
               const struct Stat *stat,
               const void       *data)
{
  ViewRead *r = (ViewRead *) data;
  BrokerCluster *c = r->cluster;
  g_autofree char *name = g_strdup (r->name);
  gint32 partition = r->partition;
  ClusterTopic *t = NULL;
  ClusterPartition *p;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GArray) isr = NULL;
  gint32 leader = -1, leader_epoch = -1, controller_epoch = -1, version = -1;
  gboolean changed;

  if (!view_read_done (r))
    return;
  if (rc != ZOK && rc != ZNONODE)
    {
      if (!broker_cluster_is_connection_error (rc))
        g_warning ("cluster: cannot read the state of %s-%d: %s", name, partition, zerror (rc));
      return;
    }
  p = find_partition (c, name, partition, &t);
  if (rc == ZNONODE)
    {
      /* No state yet (the controller creates it): an exists watch tells
       * us when it appears — unless the topic is being deleted, whose
       * states are gone for good (a new topic of that name reads its
       * states afresh). */
      if (!g_hash_table_contains (c->deleting, name))
        {
          g_autofree char *rel = g_strdup_printf ("/brokers/topics/%s/partitions/%d/state", name,
                                                  partition);
          g_autofree char *path = broker_cluster_zpath (c, rel);
          ViewRead *er = view_read_new (c, name, partition);

          if (zoo_awexists (c->zh, path, on_view_event, c, on_state_exists, er) != ZOK)
            view_read_cancel (er);
        }
      isr = g_array_new (FALSE, FALSE, sizeof (gint32));
    }
  else
    {
      JsonObject *obj;

      root = broker_cluster_parse_json (value, value_len);
      if (root == NULL)
        {
          g_warning ("cluster: cannot parse the state of %s-%d", name, partition);
          return;
        }
      obj = json_node_get_object (root);
      leader = (gint32) json_object_get_int_member_with_default (obj, "leader", -1);
      leader_epoch = (gint32) json_object_get_int_member_with_default (obj, "leader_epoch", 0);
      controller_epoch = (gint32) json_object_get_int_member_with_default (obj, "controller_epoch", 0);
      isr = int_array_from_json (obj, "isr");
      version = stat->version;
    }
  if (p == NULL)
    return;   /* the topic went, or the partition is not assigned yet */
  changed = !p->state_read || p->pub.leader != leader || p->pub.leader_epoch != leader_epoch
            || p->pub.state_version != version || !int_arrays_equal (p->pub.isr, isr);
  p->state_read = TRUE;
  if (!changed)
    return;
  p->pub.leader = leader;
  p->pub.leader_epoch = leader_epoch;
  p->pub.controller_epoch = controller_epoch;
  p->pub.state_version = version;
  g_array_unref (p->pub.isr);
  p->pub.isr = g_steal_pointer (&isr);
  emit_partition_changed (c, t, p);
  broker_controller_check_partition (c, t, p);
  broker_cluster_writes_check (c);
}

void
broker_cluster_read_state (BrokerCluster *c,
                           const char    *topic,
                           gint32         partition)
{
  g_autofree char *rel = g_strdup_printf ("/brokers/topics/%s/partitions/%d/state", topic, partition);
  g_autofree char *path = broker_cluster_zpath (c, rel);
  ViewRead *r = view_read_new (c, topic, partition);

  if (zoo_awget (c->zh, path, on_view_event, c, on_state_read, r) != ZOK)
    view_read_cancel (r);
}

/* -- assignments ------------------------------------------------------------ */

/* The "partitions" object as an array of replica lists by index; NULL
 * unless the indexes are 0..n-1. */
static GPtrArray *
parse_partitions (JsonObject *obj)
{
  JsonNode *node = json_object_get_member (obj, "partitions");
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GList) members = NULL;
  JsonObject *parts;
  guint n;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  parts = json_node_get_object (node);
  n = json_object_get_size (parts);
  g_ptr_array_set_size (out, (gint) n);
  members = json_object_get_members (parts);
  for (GList *l = members; l != NULL; l = l->next)
    {
      guint64 index;

      if (!g_ascii_string_to_unsigned (l->data, 10, 0, n - 1, &index, NULL)
          || g_ptr_array_index (out, index) != NULL)
        return NULL;
      g_ptr_array_index (out, index) = int_array_from_json (parts, l->data);
    }
  return g_steal_pointer (&out);
}

static void
apply_assignment (BrokerCluster *c,
                  ClusterTopic  *t,
                  JsonObject    *obj,
                  gint32         version)
{
  g_autoptr(GPtrArray) assignment = parse_partitions (obj);
  g_autoptr(GPtrArray) changed = g_ptr_array_new ();
  const char *id_text = json_object_get_string_member_with_default (obj, "topic_id", NULL);
  gboolean first = t->assignment_version < 0;

  if (assignment == NULL)
    {
      g_warning ("cluster: the assignment of topic %s has no valid partitions", t->pub.name);
      return;
    }
  if (id_text != NULL && !broker_uuid_from_string (id_text, &t->pub.id))
    g_warning ("cluster: topic %s has a bad topic_id %s", t->pub.name, id_text);
  /* Partitions are only ever added (CreatePartitions). */
  for (guint i = 0; i < assignment->len; i++)
    {
      GArray *replicas = g_ptr_array_index (assignment, i);
      ClusterPartition *p;

      if (i >= t->pub.partitions->len)
        {
          p = partition_new ((gint32) i);
          g_ptr_array_add (t->pub.partitions, p);
          broker_cluster_read_state (c, t->pub.name, (gint32) i);
        }
      else
        p = g_ptr_array_index (t->pub.partitions, i);
      if (!int_arrays_equal (p->pub.replicas, replicas))
        {
          g_array_unref (p->pub.replicas);
          p->pub.replicas = g_array_ref (replicas);
          g_ptr_array_add (changed, p);
        }
    }
  if (assignment->len < t->pub.partitions->len)
    g_ptr_array_set_size (t->pub.partitions, (gint) assignment->len);
  t->assignment_version = version;
  if (first)
    g_message ("cluster: topic %s (%u partitions)", t->pub.name, assignment->len);
  emit_topic_changed (c, t);
  for (guint i = 0; i < changed->len; i++)
    if (((ClusterPartition *) g_ptr_array_index (changed, i))->state_read)
      emit_partition_changed (c, t, g_ptr_array_index (changed, i));
  broker_controller_check_topic (c, t);
  broker_cluster_writes_check (c);
}

static void
on_assignment_read (int               rc,
                    const char       *value,
                    int               value_len,
                    const struct Stat *stat,
                    const void       *data)
{
  ViewRead *r = (ViewRead *) data;
  BrokerCluster *c = r->cluster;
  g_autofree char *name = g_strdup (r->name);
  g_autoptr(JsonNode) root = NULL;
  ClusterTopic *t;

  if (!view_read_done (r))
    return;
  if (rc == ZNONODE)
    {
      remove_topic (c, name);
      return;
    }
  if (rc != ZOK)
    {
      if (!broker_cluster_is_connection_error (rc))
        g_warning ("cluster: cannot read topic %s: %s", name, zerror (rc));
      return;
    }
  t = g_hash_table_lookup (c->topics, name);
  if (t == NULL)
    return;   /* no longer listed */
  root = broker_cluster_parse_json (value, value_len);
  if (root == NULL)
    {
      g_warning ("cluster: cannot parse the assignment of topic %s", name);
      return;
    }
  apply_assignment (c, t, json_node_get_object (root), stat->version);
}

static void
read_assignment (BrokerCluster *c,
                 const char    *name)
{
  g_autofree char *rel = g_strconcat ("/brokers/topics/", name, NULL);
  g_autofree char *path = broker_cluster_zpath (c, rel);
  ViewRead *r = view_read_new (c, name, -1);

  if (zoo_awget (c->zh, path, on_view_event, c, on_assignment_read, r) != ZOK)
    view_read_cancel (r);
}

/* -- configs ------------------------------------------------------------------ */

static void
on_config_exists (int               rc,
                  const struct Stat *stat,
                  const void       *data)
{
  ViewRead *r = (ViewRead *) data;
  BrokerCluster *c = r->cluster;
  g_autofree char *name = g_strdup (r->name);

  if (view_read_done (r) && rc == ZOK)
    read_config (c, name);
}

static void
on_config_read (int               rc,
                const char       *value,
                int               value_len,
                const struct Stat *stat,
                const void       *data)
{
  ViewRead *r = (ViewRead *) data;
  BrokerCluster *c = r->cluster;
  g_autofree char *name = g_strdup (r->name);
  g_autoptr(GHashTable) configs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gint32 version = -1;
  ClusterTopic *t;

  if (!view_read_done (r))
    return;
  if (rc != ZOK && rc != ZNONODE)
    {
      if (!broker_cluster_is_connection_error (rc))
        g_warning ("cluster: cannot read the configs of topic %s: %s", name, zerror (rc));
      return;
    }
  if (rc == ZNONODE)
    {
      g_autofree char *rel = g_strconcat ("/config/topics/", name, NULL);
      g_autofree char *path = broker_cluster_zpath (c, rel);
      ViewRead *er = view_read_new (c, name, -1);

      if (zoo_awexists (c->zh, path, on_view_event, c, on_config_exists, er) != ZOK)
        view_read_cancel (er);
    }
  else
    {
      g_autoptr(JsonNode) root = broker_cluster_parse_json (value, value_len);
      JsonNode *cfg = root != NULL ? json_object_get_member (json_node_get_object (root), "config") : NULL;

      if (cfg != NULL && JSON_NODE_HOLDS_OBJECT (cfg))
        {
          JsonObject *obj = json_node_get_object (cfg);
          g_autoptr(GList) members = json_object_get_members (obj);

          for (GList *l = members; l != NULL; l = l->next)
            {
              JsonNode *v = json_object_get_member (obj, l->data);
              if (JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_STRING)
                g_hash_table_insert (configs, g_strdup (l->data), g_strdup (json_node_get_string (v)));
            }
        }
      else
        g_warning ("cluster: cannot parse the configs of topic %s", name);
      version = stat->version;
    }
  t = g_hash_table_lookup (c->topics, name);
  if (t == NULL)
    return;
  g_hash_table_unref (t->pub.configs);
  t->pub.configs = g_steal_pointer (&configs);
  t->config_version = version;
  t->config_read = TRUE;
  emit_topic_changed (c, t);
  broker_cluster_writes_check (c);
}

static void
read_config (BrokerCluster *c,
             const char    *name)
{
  g_autofree char *rel = g_strconcat ("/config/topics/", name, NULL);
  g_autofree char *path = broker_cluster_zpath (c, rel);
  ViewRead *r = view_read_new (c, name, -1);

  if (zoo_awget (c->zh, path, on_view_event, c, on_config_read, r) != ZOK)
    view_read_cancel (r);
}

/* -- the topic list and the deletion queue ---------------------------------------- */

static void
read_topic (BrokerCluster *c,
            ClusterTopic  *t)
{
  read_assignment (c, t->pub.name);
  read_config (c, t->pub.name);
  for (guint i = 0; i < t->pub.partitions->len; i++)
    broker_cluster_read_state (c, t->pub.name, (gint32) i);
}

static void
on_topics_listed (int                          rc,
                  const struct String_vector *strings,
                  const void                 *data)
{
  ViewRead *r = (ViewRead *) data;
  BrokerCluster *c = r->cluster;
  g_autoptr(GHashTable) listed = NULL;
  g_autoptr(GPtrArray) gone = NULL;
  GHashTableIter iter;
  gpointer key;

  if (!view_read_done (r))
    return;
  if (rc != ZOK)
    {
      if (!broker_cluster_is_connection_error (rc))
        g_warning ("cluster: cannot list topics: %s", zerror (rc));
      return;
    }
  listed = g_hash_table_new (g_str_hash, g_str_equal);
  for (int i = 0; i < strings->count; i++)
    {
      g_hash_table_add (listed, strings->data[i]);
      if (!g_hash_table_contains (c->topics, strings->data[i]))
        {
          ClusterTopic *t = topic_new (strings->data[i]);

          t->pub.deleting = g_hash_table_contains (c->deleting, t->pub.name);
          g_hash_table_insert (c->topics, t->pub.name, t);
          read_topic (c, t);
        }
    }
  gone = g_ptr_array_new_with_free_func (g_free);
  g_hash_table_iter_init (&iter, c->topics);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (listed, key))
      g_ptr_array_add (gone, g_strdup (key));
  for (guint i = 0; i < gone->len; i++)
    remove_topic (c, g_ptr_array_index (gone, i));
  c->topics_listed = TRUE;
}

static void
list_topics (BrokerCluster *c)
{
  g_autofree char *path = broker_cluster_zpath (c, "/brokers/topics");
  ViewRead *r = view_read_new (c, NULL, -1);

  if (zoo_awget_children (c->zh, path, on_view_event, c, on_topics_listed, r) != ZOK)
    view_read_cancel (r);
}

static void
on_deletions_listed (int                          rc,
                     const struct String_vector *strings,
                     const void                 *data)
{
  ViewRead *r = (ViewRead *) data;
  BrokerCluster *c = r->cluster;
  GHashTableIter iter;
  gpointer value;

  if (!view_read_done (r))
    return;
  if (rc != ZOK)
    {
      if (!broker_cluster_is_connection_error (rc))
        g_warning ("cluster: cannot list /admin/delete_topics: %s", zerror (rc));
      return;
    }
  g_hash_table_remove_all (c->deleting);
  for (int i = 0; i < strings->count; i++)
    g_hash_table_add (c->deleting, g_strdup (strings->data[i]));
  g_hash_table_iter_init (&iter, c->topics);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ClusterTopic *t = value;
      t->pub.deleting = g_hash_table_contains (c->deleting, t->pub.name);
    }
  /* New markers start deletions; a marker gone frees its name for a new
   * topic whose partitions the controller skipped meanwhile. */
  broker_controller_check_all (c);
}

static void
list_deletions (BrokerCluster *c)
{
  g_autofree char *path = broker_cluster_zpath (c, "/admin/delete_topics");
  ViewRead *r = view_read_new (c, NULL, -1);

  if (zoo_awget_children (c->zh, path, on_view_event, c, on_deletions_listed, r) != ZOK)
    view_read_cancel (r);
}

/* -- the cluster id ------------------------------------------------------------ */

static void
on_cluster_id_created (int         rc,
                       const char *name,
                       const void *data)
{
  ViewRead *r = (ViewRead *) data;
  BrokerCluster *c = r->cluster;

  if (!view_read_done (r))
    return;
  /* NODEEXISTS: another broker created it first; ours is discarded. */
  if (rc == ZOK || rc == ZNODEEXISTS)
    read_cluster_id (c);
  else if (!broker_cluster_is_connection_error (rc))
    g_warning ("cluster: cannot create /cluster/id: %s", zerror (rc));
}

static void
on_cluster_id_read (int               rc,
                    const char       *value,
                    int               value_len,
                    const struct Stat *stat,
                    const void       *data)
{
  ViewRead *r = (ViewRead *) data;
  BrokerCluster *c = r->cluster;
  g_autoptr(JsonNode) root = NULL;
  const char *id;

  if (!view_read_done (r))
    return;
  if (rc == ZNONODE)
    {
      /* The first broker of a new cluster names it (Kafka's
       * KafkaZkClient.createOrGetClusterId). */
      CaudalUuid uuid;
      g_autofree char *text = NULL;
      g_autofree char *json = NULL;
      g_autofree char *path = broker_cluster_zpath (c, "/cluster/id");
      ViewRead *cr = view_read_new (c, NULL, -1);

      broker_uuid_generate (&uuid);
      text = broker_uuid_to_string (&uuid);
      json = g_strdup_printf ("{\"version\":\"1\",\"id\":\"%s\"}", text);
      if (zoo_acreate (c->zh, path, json, (int) strlen (json), &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT,
                       on_cluster_id_created, cr) != ZOK)
        view_read_cancel (cr);
      return;
    }
  if (rc != ZOK)
    {
      if (!broker_cluster_is_connection_error (rc))
        g_warning ("cluster: cannot read /cluster/id: %s", zerror (rc));
      return;
    }
  root = broker_cluster_parse_json (value, value_len);
  id = root != NULL ? json_object_get_string_member_with_default (json_node_get_object (root), "id", NULL)
                    : NULL;
  if (id == NULL || *id == '\0')
    {
      g_warning ("cluster: cannot parse /cluster/id");
      return;
    }
  if (c->cluster_id == NULL)
    g_message ("cluster: cluster id %s", id);
  g_free (c->cluster_id);
  c->cluster_id = g_strdup (id);
}

static void
read_cluster_id (BrokerCluster *c)
{
  g_autofree char *path = broker_cluster_zpath (c, "/cluster/id");
  ViewRead *r = view_read_new (c, NULL, -1);

  if (zoo_aget (c->zh, path, 0, on_cluster_id_read, r) != ZOK)
    view_read_cancel (r);
}

/* -- entry points ------------------------------------------------------------------ */

void
broker_cluster_view_load (BrokerCluster *c)
{
  GHashTableIter iter;
  gpointer value;

  if (c->cluster_id == NULL)
    read_cluster_id (c);
  list_topics (c);
  list_deletions (c);
  /* After an expiry every watch is gone: read (and watch) the known
   * topics again; the listing adds new ones and drops the deleted. */
  g_hash_table_iter_init (&iter, c->topics);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    read_topic (c, value);
}

void
broker_cluster_view_brokers_changed (BrokerCluster *c)
{
  if (c->hooks.brokers_changed != NULL)
    c->hooks.brokers_changed (c->hooks_data);
  broker_controller_check_all (c);
}

void
broker_cluster_view_node_changed (BrokerCluster *c)
{
  if (c->hooks.brokers_changed != NULL)
    c->hooks.brokers_changed (c->hooks_data);
}

/* -- the API ------------------------------------------------------------------------- */

void
broker_cluster_set_hooks (BrokerCluster            *c,
                          const BrokerClusterHooks *hooks,
                          gpointer                  user_data)
{
  g_return_if_fail (c != NULL);
  if (hooks != NULL)
    c->hooks = *hooks;
  else
    memset (&c->hooks, 0, sizeof c->hooks);
  c->hooks_data = user_data;
}

const char *
broker_cluster_get_cluster_id (BrokerCluster *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  return c->cluster_id;
}

gint32
broker_cluster_get_node_id (BrokerCluster *c)
{
  g_return_val_if_fail (c != NULL, -1);
  return c->id;
}

gboolean
broker_cluster_is_live (BrokerCluster *c,
                        gint32         broker_id)
{
  g_return_val_if_fail (c != NULL, FALSE);
  if (broker_id == c->id)
    return c->registered;
  return g_hash_table_contains (c->live_ids, GINT_TO_POINTER (broker_id));
}

gboolean
broker_cluster_is_registered (BrokerCluster *c)
{
  g_return_val_if_fail (c != NULL, FALSE);
  /* After an expiry the roles we hold come from the old session's view:
   * another broker may lead now, so leader work waits for the new view. */
  /* Cleared here, not when the count drops: inside a completion it is 0
   * for a moment before that completion asks for the partition states it
   * just learnt of (and hooks run inside completions). Out of the
   * ZooKeeper source, 0 means the view is whole. */
  if (c->view_stale && c->registered && c->view_reads == 0
      && g_main_current_source () != c->source)
    c->view_stale = FALSE;
  return c->registered && !c->pause_fenced && !c->view_stale;
}

static gint
compare_topics (gconstpointer a,
                gconstpointer b)
{
  const BrokerClusterTopic *x = *(BrokerClusterTopic *const *) a;
  const BrokerClusterTopic *y = *(BrokerClusterTopic *const *) b;

  return strcmp (x->name, y->name);
}

GPtrArray *
broker_cluster_list_topics (BrokerCluster *c)
{
  GPtrArray *list = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (c != NULL, list);
  g_hash_table_iter_init (&iter, c->topics);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (topic_visible (value))
      g_ptr_array_add (list, &((ClusterTopic *) value)->pub);
  g_ptr_array_sort (list, compare_topics);
  return list;
}

const BrokerClusterTopic *
broker_cluster_lookup_topic (BrokerCluster *c,
                             const char    *name)
{
  ClusterTopic *t;

  g_return_val_if_fail (c != NULL, NULL);
  t = g_hash_table_lookup (c->topics, name);
  return topic_visible (t) ? &t->pub : NULL;
}

const BrokerClusterPartition *
broker_cluster_lookup_partition (BrokerCluster *c,
                                 const char    *name,
                                 gint32         partition)
{
  const BrokerClusterTopic *t = broker_cluster_lookup_topic (c, name);

  if (t == NULL || partition < 0 || (guint) partition >= t->partitions->len)
    return NULL;
  return g_ptr_array_index (t->partitions, partition);
}

const BrokerClusterTopic *
broker_cluster_find_collision (BrokerCluster *c,
                               const char    *name)
{
  g_autoptr(GPtrArray) list = broker_cluster_list_topics (c);
  g_autofree char *mine = g_strdelimit (g_strdup (name), ".", '_');

  for (guint i = 0; i < list->len; i++)
    {
      const BrokerClusterTopic *t = g_ptr_array_index (list, i);
      g_autofree char *theirs = g_strdelimit (g_strdup (t->name), ".", '_');

      if (strcmp (mine, theirs) == 0 && strcmp (name, t->name) != 0)
        return t;
    }
  return NULL;
}

const BrokerClusterTopic *
broker_cluster_lookup_topic_id (BrokerCluster    *c,
                                const CaudalUuid *id)
{
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (c != NULL, NULL);
  g_hash_table_iter_init (&iter, c->topics);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (topic_visible (value) && memcmp (&((ClusterTopic *) value)->pub.id, id, sizeof *id) == 0)
      return &((ClusterTopic *) value)->pub;
  return NULL;
}
