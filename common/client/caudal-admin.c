/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-admin.c: CaudalAdmin itself, the request helpers the admin files
 * share, and the cluster, topic listing and description, and config
 * operations. Creating and deleting topics and partitions are in
 * caudal-admin-topics.c, offsets in caudal-admin-offsets.c, consumer groups
 * in caudal-admin-groups.c, log dirs in caudal-admin-log-dirs.c. */

#include "caudal-admin-private.h"

#include <string.h>

G_DEFINE_FINAL_TYPE (CaudalAdmin, caudal_admin, G_TYPE_OBJECT)

static void
caudal_admin_finalize (GObject *object)
{
  CaudalAdmin *admin = CAUDAL_ADMIN (object);

  g_clear_object (&admin->cluster);
  g_hash_table_unref (admin->coordinators);
  g_hash_table_unref (admin->disabled);
  G_OBJECT_CLASS (caudal_admin_parent_class)->finalize (object);
}

static void
caudal_admin_class_init (CaudalAdminClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = caudal_admin_finalize;
}

static void
caudal_admin_init (CaudalAdmin *admin)
{
  admin->coordinators = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  admin->disabled = g_hash_table_new (g_direct_hash, g_direct_equal);
}

CaudalAdmin *
caudal_admin_new (CaudalCluster *cluster)
{
  CaudalAdmin *admin;

  g_return_val_if_fail (CAUDAL_IS_CLUSTER (cluster), NULL);
  admin = g_object_new (CAUDAL_TYPE_ADMIN, NULL);
  admin->cluster = g_object_ref (cluster);
  return admin;
}

CaudalCluster *
caudal_admin_get_cluster (CaudalAdmin *admin)
{
  g_return_val_if_fail (CAUDAL_IS_ADMIN (admin), NULL);
  return admin->cluster;
}

void
caudal_admin_disable_api (CaudalAdmin *admin,
                          gint16       api_key)
{
  g_hash_table_add (admin->disabled, GINT_TO_POINTER (api_key + 1));
}

/* ---- result types ---- */

static void
caudal_admin_broker_clear (CaudalAdminBroker *self)
{
  g_free (self->host);
  g_free (self->rack);
}
CAUDAL_ADMIN_DEFINE_RESULT (CaudalAdminBroker, caudal_admin_broker)

static void
caudal_admin_cluster_description_clear (CaudalAdminClusterDescription *self)
{
  g_free (self->cluster_id);
  g_ptr_array_unref (self->brokers);
}
CAUDAL_ADMIN_DEFINE_RESULT (CaudalAdminClusterDescription, caudal_admin_cluster_description)

static void
caudal_admin_topic_listing_clear (CaudalAdminTopicListing *self)
{
  g_free (self->name);
}
CAUDAL_ADMIN_DEFINE_RESULT (CaudalAdminTopicListing, caudal_admin_topic_listing)

static void
caudal_admin_partition_description_clear (CaudalAdminPartitionDescription *self)
{
  g_array_unref (self->replicas);
  g_array_unref (self->isr);
  g_array_unref (self->offline);
}
CAUDAL_ADMIN_DEFINE_RESULT (CaudalAdminPartitionDescription, caudal_admin_partition_description)

static void
caudal_admin_topic_description_clear (CaudalAdminTopicDescription *self)
{
  g_free (self->name);
  g_free (self->topic_id);
  g_ptr_array_unref (self->partitions);
}
CAUDAL_ADMIN_DEFINE_RESULT (CaudalAdminTopicDescription, caudal_admin_topic_description)

static void
caudal_admin_config_synonym_clear (CaudalAdminConfigSynonym *self)
{
  g_free (self->name);
  g_free (self->value);
}
CAUDAL_ADMIN_DEFINE_RESULT (CaudalAdminConfigSynonym, caudal_admin_config_synonym)

static void
caudal_admin_config_entry_clear (CaudalAdminConfigEntry *self)
{
  g_free (self->name);
  g_free (self->value);
  g_ptr_array_unref (self->synonyms);
}
CAUDAL_ADMIN_DEFINE_RESULT (CaudalAdminConfigEntry, caudal_admin_config_entry)

/* ---- shared helpers ---- */

gboolean
caudal_admin_check (gint16       code,
                    const char  *detail,
                    GError     **error)
{
  if (code == CAUDAL_ERROR_CODE_NONE)
    return FALSE;
  caudal_set_kafka_error (error, code, detail);
  return TRUE;
}

gint
caudal_admin_compare_topic_partition (gconstpointer a,
                                      gconstpointer b)
{
  typedef struct { char *topic; gint32 partition; } Key;
  const Key *x = *(const Key *const *) a;
  const Key *y = *(const Key *const *) b;
  int c = strcmp (x->topic, y->topic);

  if (c != 0)
    return c;
  return (x->partition > y->partition) - (x->partition < y->partition);
}

static void
on_request_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  CaudalResponse *resp = caudal_cluster_request_finish (CAUDAL_CLUSTER (source), result, &error);

  if (resp == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, resp, (GDestroyNotify) caudal_response_free);
}

void
caudal_admin_request_async (CaudalAdmin        *admin,
                            gint32              node_id,
                            gint16              api_key,
                            CaudalBuildFunc     build,
                            gpointer            build_data,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  GTask *task = g_task_new (admin, cancellable, callback, user_data);

  g_task_set_source_tag (task, caudal_admin_request_async);
  if (g_hash_table_contains (admin->disabled, GINT_TO_POINTER (api_key + 1)))
    {
      const CaudalApiDesc *api = caudal_api_lookup (api_key);

      g_task_return_new_error (task, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_UNSUPPORTED,
                               "the broker does not support %s in a version caudal speaks",
                               api != NULL ? api->name : "this request");
      g_object_unref (task);
      return;
    }
  caudal_cluster_request_async (admin->cluster, node_id, api_key, -1, build, build_data,
                                cancellable, on_request_done, task);
}

CaudalResponse *
caudal_admin_request_finish (CaudalAdmin  *admin,
                             GAsyncResult *result,
                             GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, admin), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_refresh_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (caudal_cluster_refresh_metadata_finish (CAUDAL_CLUSTER (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
caudal_admin_refresh_async (CaudalAdmin        *admin,
                            const char *const  *topics,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  GTask *task = g_task_new (admin, cancellable, callback, user_data);

  g_task_set_source_tag (task, caudal_admin_refresh_async);
  caudal_cluster_refresh_metadata_async (admin->cluster, topics, FALSE, cancellable, on_refresh_done, task);
}

gboolean
caudal_admin_refresh_finish (CaudalAdmin  *admin,
                             GAsyncResult *result,
                             GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, admin), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  GTask *task;
  void (*next) (GTask *task);
} RefreshThen;

static void
on_refresh_then (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RefreshThen *rt = user_data;
  GTask *task = rt->task;
  void (*next) (GTask *task) = rt->next;
  GError *error = NULL;

  g_free (rt);
  if (!caudal_admin_refresh_finish (CAUDAL_ADMIN (source), result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  next (task);
}

void
caudal_admin_refresh_then (GTask              *task,
                           const char *const  *topics,
                           void              (*next) (GTask *task))
{
  RefreshThen *rt = g_new (RefreshThen, 1);

  rt->task = task;
  rt->next = next;
  caudal_admin_refresh_async (g_task_get_source_object (task), topics, g_task_get_cancellable (task),
                              on_refresh_then, rt);
}

static const char *const no_topics[] = { NULL };

CaudalAdminConfigEntry *
caudal_admin_config_entry_new (const char *name,
                               const char *value,
                               gint8       source,
                               gboolean    read_only,
                               gboolean    sensitive)
{
  CaudalAdminConfigEntry *e = g_atomic_rc_box_new0 (CaudalAdminConfigEntry);

  e->name = g_strdup (name);
  e->sensitive = sensitive;
  e->value = sensitive ? NULL : g_strdup (value);
  e->source = (CaudalAdminConfigSource) source;
  e->read_only = read_only;
  e->synonyms = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_admin_config_synonym_unref);
  return e;
}

gint
caudal_admin_compare_config_entries (gconstpointer a,
                                     gconstpointer b)
{
  return strcmp ((*(CaudalAdminConfigEntry *const *) a)->name, (*(CaudalAdminConfigEntry *const *) b)->name);
}

/* ==== cluster ==== */

static CaudalAdminBroker *
broker_new (gint32      node_id,
            const char *host,
            gint32      port,
            const char *rack)
{
  CaudalAdminBroker *b = g_atomic_rc_box_new0 (CaudalAdminBroker);

  b->node_id = node_id;
  b->host = g_strdup (host);
  b->port = (guint16) port;
  b->rack = g_strdup (rack);
  return b;
}

static gint
compare_brokers (gconstpointer a,
                 gconstpointer b)
{
  const CaudalAdminBroker *x = *(CaudalAdminBroker *const *) a, *y = *(CaudalAdminBroker *const *) b;

  return (x->node_id > y->node_id) - (x->node_id < y->node_id);
}

static CaudalAdminClusterDescription *
cluster_description_new (void)
{
  CaudalAdminClusterDescription *d = g_atomic_rc_box_new0 (CaudalAdminClusterDescription);

  d->brokers = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_admin_broker_unref);
  d->controller_id = -1;
  return d;
}

static void
on_cluster_metadata (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CaudalAdmin *admin = CAUDAL_ADMIN (source);
  GError *error = NULL;
  CaudalAdminClusterDescription *d;
  GPtrArray *brokers;

  if (!caudal_admin_refresh_finish (admin, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  d = cluster_description_new ();
  d->cluster_id = g_strdup (caudal_cluster_get_cluster_id (admin->cluster));
  d->controller_id = caudal_cluster_get_controller_id (admin->cluster);
  brokers = caudal_cluster_get_brokers (admin->cluster);
  for (guint i = 0; i < brokers->len; i++)
    {
      CaudalBrokerInfo *b = g_ptr_array_index (brokers, i);
      g_ptr_array_add (d->brokers, broker_new (b->node_id, b->host, b->port, b->rack));
    }
  g_task_return_pointer (task, d, (GDestroyNotify) caudal_admin_cluster_description_unref);
}

static gpointer
build_describe_cluster (gint16       version,
                        CaudalArena *arena,
                        gpointer     user_data)
{
  CaudalDescribeClusterRequest *req = caudal_arena_alloc (arena, sizeof *req);

  caudal_message_init (&caudal_describe_cluster_request_desc, req);
  req->endpoint_type = 1;   /* brokers */
  return req;
}

static void
on_describe_cluster (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CaudalAdmin *admin = CAUDAL_ADMIN (source);
  GError *error = NULL;
  g_autoptr(CaudalResponse) resp = caudal_admin_request_finish (admin, result, &error);
  CaudalDescribeClusterResponse *body;
  CaudalAdminClusterDescription *d;

  if (resp == NULL && g_error_matches (error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_UNSUPPORTED))
    {
      /* Older brokers: Metadata has the same facts. */
      g_clear_error (&error);
      {
        GTask *owned = g_steal_pointer (&task);

        caudal_admin_refresh_async (admin, no_topics, g_task_get_cancellable (owned), on_cluster_metadata,
                                    owned);
      }
      return;
    }
  if (resp == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  body = resp->body;
  if (caudal_admin_check (body->error_code, body->error_message, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  d = cluster_description_new ();
  d->cluster_id = g_strdup (body->cluster_id);
  d->controller_id = body->controller_id;
  for (gint32 i = 0; i < body->n_brokers; i++)
    g_ptr_array_add (d->brokers, broker_new (body->brokers[i].broker_id, body->brokers[i].host,
                                             body->brokers[i].port, body->brokers[i].rack));
  g_ptr_array_sort (d->brokers, compare_brokers);
  g_task_return_pointer (task, d, (GDestroyNotify) caudal_admin_cluster_description_unref);
}

void
caudal_admin_describe_cluster_async (CaudalAdmin        *admin,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (CAUDAL_IS_ADMIN (admin));
  task = g_task_new (admin, cancellable, callback, user_data);
  g_task_set_source_tag (task, caudal_admin_describe_cluster_async);
  caudal_admin_request_async (admin, CAUDAL_NODE_ANY, CAUDAL_API_KEY_DESCRIBE_CLUSTER,
                              build_describe_cluster, NULL, cancellable, on_describe_cluster, task);
}

CaudalAdminClusterDescription *
caudal_admin_describe_cluster_finish (CaudalAdmin  *admin,
                                      GAsyncResult *result,
                                      GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, admin), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ==== topics ==== */

static void
on_list_topics (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CaudalAdmin *admin = CAUDAL_ADMIN (source);
  GError *error = NULL;
  GPtrArray *topics, *out;

  if (!caudal_admin_refresh_finish (admin, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_admin_topic_listing_unref);
  topics = caudal_cluster_get_topics (admin->cluster);   /* sorted by name */
  for (guint i = 0; i < topics->len; i++)
    {
      CaudalTopicInfo *t = g_ptr_array_index (topics, i);
      CaudalAdminTopicListing *l;

      if (t->error != CAUDAL_ERROR_CODE_NONE || t->name == NULL)
        continue;
      l = g_atomic_rc_box_new0 (CaudalAdminTopicListing);
      l->name = g_strdup (t->name);
      l->internal = t->internal;
      g_ptr_array_add (out, l);
    }
  g_task_return_pointer (task, out, (GDestroyNotify) g_ptr_array_unref);
}

void
caudal_admin_list_topics_async (CaudalAdmin        *admin,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (CAUDAL_IS_ADMIN (admin));
  task = g_task_new (admin, cancellable, callback, user_data);
  g_task_set_source_tag (task, caudal_admin_list_topics_async);
  caudal_admin_refresh_async (admin, NULL, cancellable, on_list_topics, task);
}

GPtrArray *
caudal_admin_list_topics_finish (CaudalAdmin  *admin,
                                 GAsyncResult *result,
                                 GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, admin), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GArray *
copy_nodes (const GArray *nodes)
{
  GArray *a = g_array_sized_new (FALSE, FALSE, sizeof (gint32), nodes->len);

  g_array_append_vals (a, nodes->data, nodes->len);
  return a;
}

/* Kafka's Uuid.toString(): URL-safe base64 without padding. */
static char *
topic_id_string (const CaudalUuid *id)
{
  static const guint8 zero[16] = { 0 };
  char *b64;

  if (memcmp (id->bytes, zero, 16) == 0)
    return NULL;
  b64 = g_base64_encode (id->bytes, 16);
  for (char *p = b64; *p != '\0'; p++)
    *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
  b64[22] = '\0';
  return b64;
}

static void
on_describe_topics (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CaudalAdmin *admin = CAUDAL_ADMIN (source);
  char **names = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GPtrArray) out = NULL;

  if (!caudal_admin_refresh_finish (admin, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_admin_topic_description_unref);
  for (guint i = 0; names[i] != NULL; i++)
    {
      CaudalTopicInfo *t = caudal_cluster_lookup_topic (admin->cluster, names[i]);
      CaudalAdminTopicDescription *d;

      if (t == NULL || t->error != CAUDAL_ERROR_CODE_NONE)
        {
          g_autofree char *detail = g_strdup_printf ("Topic '%s' does not exist.", names[i]);
          caudal_set_kafka_error (&error, t != NULL ? t->error : CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION,
                                  t != NULL && t->error != CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION
                                    ? NULL : detail);
          g_task_return_error (task, error);
          return;
        }
      d = g_atomic_rc_box_new0 (CaudalAdminTopicDescription);
      d->name = g_strdup (t->name);
      d->topic_id = topic_id_string (&t->id);
      d->internal = t->internal;
      d->partitions = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_admin_partition_description_unref);
      for (guint p = 0; p < t->partitions->len; p++)
        {
          CaudalPartitionInfo *pi = g_ptr_array_index (t->partitions, p);
          CaudalAdminPartitionDescription *pd = g_atomic_rc_box_new0 (CaudalAdminPartitionDescription);

          pd->partition = pi->partition;
          pd->leader = pi->leader;
          pd->leader_epoch = pi->leader_epoch;
          pd->replicas = copy_nodes (pi->replicas);
          pd->isr = copy_nodes (pi->isr);
          pd->offline = copy_nodes (pi->offline);
          pd->error = pi->error;
          g_ptr_array_add (d->partitions, pd);
        }
      g_ptr_array_add (out, d);
    }
  g_task_return_pointer (task, g_steal_pointer (&out), (GDestroyNotify) g_ptr_array_unref);
}

/* The Metadata version a connected broker speaks with us, -1 if none is
 * connected. */
static gint16
metadata_version (CaudalAdmin *admin)
{
  GPtrArray *brokers = caudal_cluster_get_brokers (admin->cluster);

  for (guint i = 0; i < brokers->len; i++)
    {
      CaudalBrokerInfo *b = g_ptr_array_index (brokers, i);
      CaudalConnection *conn = caudal_cluster_get_connection (admin->cluster, b->node_id);

      if (conn != NULL && caudal_connection_is_connected (conn))
        return caudal_connection_pick_version (conn, CAUDAL_API_KEY_METADATA, -1);
    }
  return -1;
}

/* Before Metadata v4 a request naming a topic may create it (the
 * broker's auto.create.topics.enable decides): ask for every topic there
 * and pick. */
static void
on_describe_topics_connected (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  GTask *task = user_data;
  CaudalAdmin *admin = CAUDAL_ADMIN (source);
  char **names = g_task_get_task_data (task);
  GError *error = NULL;

  if (!caudal_admin_refresh_finish (admin, result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  caudal_admin_refresh_async (admin, metadata_version (admin) >= 4 ? (const char *const *) names : NULL,
                              g_task_get_cancellable (task), on_describe_topics, task);
}

void
caudal_admin_describe_topics_async (CaudalAdmin        *admin,
                                    const char *const  *topics,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (CAUDAL_IS_ADMIN (admin));
  g_return_if_fail (topics != NULL && topics[0] != NULL);
  task = g_task_new (admin, cancellable, callback, user_data);
  g_task_set_source_tag (task, caudal_admin_describe_topics_async);
  g_task_set_task_data (task, g_strdupv ((char **) topics), (GDestroyNotify) g_strfreev);
  if (metadata_version (admin) >= 4)
    caudal_admin_refresh_async (admin, topics, cancellable, on_describe_topics, task);
  else
    caudal_admin_refresh_async (admin, no_topics, cancellable, on_describe_topics_connected, task);
}

GPtrArray *
caudal_admin_describe_topics_finish (CaudalAdmin  *admin,
                                     GAsyncResult *result,
                                     GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, admin), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ==== configs ==== */

const char *
caudal_admin_config_source_to_string (CaudalAdminConfigSource source)
{
  switch (source)
    {
    case CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG: return "DYNAMIC_TOPIC_CONFIG";
    case CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG: return "DYNAMIC_BROKER_CONFIG";
    case CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG: return "DYNAMIC_DEFAULT_BROKER_CONFIG";
    case CAUDAL_ADMIN_CONFIG_SOURCE_STATIC_BROKER_CONFIG: return "STATIC_BROKER_CONFIG";
    case CAUDAL_ADMIN_CONFIG_SOURCE_DEFAULT_CONFIG: return "DEFAULT_CONFIG";
    case CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_BROKER_LOGGER_CONFIG: return "DYNAMIC_BROKER_LOGGER_CONFIG";
    case CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_CLIENT_METRICS_CONFIG: return "DYNAMIC_CLIENT_METRICS_CONFIG";
    case CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_GROUP_CONFIG: return "DYNAMIC_GROUP_CONFIG";
    case CAUDAL_ADMIN_CONFIG_SOURCE_UNKNOWN:
    default:
      return "UNKNOWN";
    }
}

/* A broker's configs go to that broker; topics and the broker default
 * to any. */
static gint32
config_node (CaudalAdminResourceType type,
             const char             *name)
{
  gint64 id;

  if (type == CAUDAL_ADMIN_RESOURCE_BROKER && name != NULL && *name != '\0'
      && g_ascii_string_to_signed (name, 10, 0, G_MAXINT32, &id, NULL))
    return (gint32) id;
  return CAUDAL_NODE_ANY;
}

typedef struct
{
  CaudalAdminResourceType type;
  char                   *name;
  char                  **keys;       /* NULL: all */
  gboolean                synonyms;
} DescribeConfigsData;

static void
describe_configs_data_free (DescribeConfigsData *d)
{
  g_free (d->name);
  g_strfreev (d->keys);
  g_free (d);
}

static gpointer
build_describe_configs (gint16       version,
                        CaudalArena *arena,
                        gpointer     user_data)
{
  DescribeConfigsData *d = user_data;
  CaudalDescribeConfigsRequest *req = caudal_arena_alloc (arena, sizeof *req);
  CaudalDescribeConfigsRequestDescribeConfigsResource *r;

  caudal_message_init (&caudal_describe_configs_request_desc, req);
  r = caudal_message_set_array (arena, &caudal_describe_configs_request_desc, req, "resources", 1);
  r->resource_type = (gint8) d->type;
  r->resource_name = d->name;
  if (d->keys != NULL)
    {
      r->n_configuration_keys = (gint32) g_strv_length (d->keys);
      r->configuration_keys = d->keys;
    }
  else
    {
      r->n_configuration_keys = -1;
      r->configuration_keys = NULL;
    }
  req->include_synonyms = d->synonyms;
  return req;
}

/* The entries of a DescribeConfigs response, or NULL with @error set. */
static GPtrArray *
config_entries (CaudalResponse *resp,
                GError        **error)
{
  CaudalDescribeConfigsResponse *body = resp->body;
  CaudalDescribeConfigsResponseDescribeConfigsResult *res;
  GPtrArray *out;

  if (body->n_results < 1)
    {
      g_set_error (error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_PROTOCOL, "DescribeConfigs answered no resource");
      return NULL;
    }
  res = &body->results[0];
  if (caudal_admin_check (res->error_code, res->error_message, error))
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_admin_config_entry_unref);
  for (gint32 i = 0; i < res->n_configs; i++)
    {
      CaudalDescribeConfigsResponseDescribeConfigsResourceResult *in = &res->configs[i];
      CaudalAdminConfigEntry *e = caudal_admin_config_entry_new (in->name, in->value, in->config_source,
                                                                 in->read_only, in->is_sensitive);

      for (gint32 s = 0; s < in->n_synonyms; s++)
        {
          CaudalAdminConfigSynonym *syn = g_atomic_rc_box_new0 (CaudalAdminConfigSynonym);

          syn->name = g_strdup (in->synonyms[s].name);
          syn->value = e->sensitive ? NULL : g_strdup (in->synonyms[s].value);
          syn->source = (CaudalAdminConfigSource) in->synonyms[s].source;
          g_ptr_array_add (e->synonyms, syn);
        }
      g_ptr_array_add (out, e);
    }
  g_ptr_array_sort (out, caudal_admin_compare_config_entries);
  return out;
}

/* Describe, and the alter that may need it first: both start by making
 * sure a broker named by id is in the metadata. */
typedef struct
{
  DescribeConfigsData *describe;
  /* alter */
  CaudalAdminConfigOp *ops;     /* names and values owned (strdup) */
  gsize                n_ops;
  GHashTable          *full;    /* AlterConfigs: the whole new set */
} ConfigsOp;

static void
configs_op_free (ConfigsOp *op)
{
  describe_configs_data_free (op->describe);
  for (gsize i = 0; i < op->n_ops; i++)
    {
      g_free ((char *) op->ops[i].name);
      g_free ((char *) op->ops[i].value);
    }
  g_free (op->ops);
  g_clear_pointer (&op->full, g_hash_table_unref);
  g_free (op);
}

/* Runs @next once the resource's broker (if any) is known. */
static void
configs_with_broker (GTask  *task,
                     void  (*next) (GTask *task))
{
  CaudalAdmin *admin = g_task_get_source_object (task);
  ConfigsOp *op = g_task_get_task_data (task);
  gint32 node = config_node (op->describe->type, op->describe->name);

  if (node >= 0 && caudal_cluster_get_connection (admin->cluster, node) == NULL)
    caudal_admin_refresh_then (task, no_topics, next);
  else
    next (task);
}

static void
on_describe_configs (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(CaudalResponse) resp = caudal_admin_request_finish (CAUDAL_ADMIN (source), result, &error);
  GPtrArray *entries;

  if (resp == NULL || (entries = config_entries (resp, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, entries, (GDestroyNotify) g_ptr_array_unref);
}

static void
describe_configs_send (GTask *task)
{
  ConfigsOp *op = g_task_get_task_data (task);

  caudal_admin_request_async (g_task_get_source_object (task), config_node (op->describe->type, op->describe->name),
                              CAUDAL_API_KEY_DESCRIBE_CONFIGS, build_describe_configs, op->describe,
                              g_task_get_cancellable (task), on_describe_configs, task);
}

static ConfigsOp *
configs_op_new (CaudalAdminResourceType type,
                const char             *name,
                const char *const      *keys,
                gboolean                synonyms)
{
  ConfigsOp *op = g_new0 (ConfigsOp, 1);

  op->describe = g_new0 (DescribeConfigsData, 1);
  op->describe->type = type;
  op->describe->name = g_strdup (name);
  op->describe->keys = keys != NULL ? g_strdupv ((char **) keys) : NULL;
  op->describe->synonyms = synonyms;
  return op;
}

void
caudal_admin_describe_configs_async (CaudalAdmin            *admin,
                                     CaudalAdminResourceType type,
                                     const char             *name,
                                     const char *const      *keys,
                                     GCancellable           *cancellable,
                                     GAsyncReadyCallback     callback,
                                     gpointer                user_data)
{
  GTask *task;

  g_return_if_fail (CAUDAL_IS_ADMIN (admin));
  g_return_if_fail (name != NULL);
  task = g_task_new (admin, cancellable, callback, user_data);
  g_task_set_source_tag (task, caudal_admin_describe_configs_async);
  g_task_set_task_data (task, configs_op_new (type, name, keys, TRUE), (GDestroyNotify) configs_op_free);
  configs_with_broker (task, describe_configs_send);
}

GPtrArray *
caudal_admin_describe_configs_finish (CaudalAdmin  *admin,
                                      GAsyncResult *result,
                                      GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, admin), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- IncrementalAlterConfigs, or AlterConfigs with the whole set ---- */

static gpointer
build_incremental_alter (gint16       version,
                         CaudalArena *arena,
                         gpointer     user_data)
{
  ConfigsOp *op = user_data;
  CaudalIncrementalAlterConfigsRequest *req = caudal_arena_alloc (arena, sizeof *req);
  const CaudalStructDesc *res_desc = caudal_struct_desc_child (&caudal_incremental_alter_configs_request_desc, "resources");
  CaudalIncrementalAlterConfigsRequestAlterConfigsResource *r;
  CaudalIncrementalAlterConfigsRequestAlterableConfig *c;

  caudal_message_init (&caudal_incremental_alter_configs_request_desc, req);
  r = caudal_message_set_array (arena, &caudal_incremental_alter_configs_request_desc, req, "resources", 1);
  r->resource_type = (gint8) op->describe->type;
  r->resource_name = op->describe->name;
  c = caudal_message_set_array (arena, res_desc, r, "configs", (guint) op->n_ops);
  for (gsize i = 0; i < op->n_ops; i++)
    {
      c[i].name = (char *) op->ops[i].name;
      c[i].config_operation = (gint8) op->ops[i].op;
      c[i].value = op->ops[i].op == CAUDAL_ADMIN_CONFIG_OP_SET ? (char *) op->ops[i].value : NULL;
    }
  return req;
}

static gpointer
build_alter (gint16       version,
             CaudalArena *arena,
             gpointer     user_data)
{
  ConfigsOp *op = user_data;
  CaudalAlterConfigsRequest *req = caudal_arena_alloc (arena, sizeof *req);
  const CaudalStructDesc *res_desc = caudal_struct_desc_child (&caudal_alter_configs_request_desc, "resources");
  CaudalAlterConfigsRequestAlterConfigsResource *r;
  CaudalAlterConfigsRequestAlterableConfig *c;
  g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (op->full), (GCompareFunc) strcmp);
  guint i = 0;

  caudal_message_init (&caudal_alter_configs_request_desc, req);
  r = caudal_message_set_array (arena, &caudal_alter_configs_request_desc, req, "resources", 1);
  r->resource_type = (gint8) op->describe->type;
  r->resource_name = op->describe->name;
  c = caudal_message_set_array (arena, res_desc, r, "configs", g_hash_table_size (op->full));
  for (GList *l = keys; l != NULL; l = l->next, i++)
    {
      c[i].name = l->data;
      c[i].value = g_hash_table_lookup (op->full, l->data);
    }
  return req;
}

/* Completes @task with an (Incremental)AlterConfigs response: both have
 * the same shape. */
static void
alter_complete (GTask          *task,
                CaudalResponse *resp)
{
  GError *error = NULL;
  gint16 code = CAUDAL_ERROR_CODE_NONE;
  const char *detail = NULL;

  if (resp->api->key == CAUDAL_API_KEY_ALTER_CONFIGS)
    {
      CaudalAlterConfigsResponse *body = resp->body;
      if (body->n_responses > 0)
        {
          code = body->responses[0].error_code;
          detail = body->responses[0].error_message;
        }
    }
  else
    {
      CaudalIncrementalAlterConfigsResponse *body = resp->body;
      if (body->n_responses > 0)
        {
          code = body->responses[0].error_code;
          detail = body->responses[0].error_message;
        }
    }
  if (caudal_admin_check (code, detail, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_alter_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(CaudalResponse) resp = caudal_admin_request_finish (CAUDAL_ADMIN (source), result, &error);

  if (resp == NULL)
    g_task_return_error (task, error);
  else
    alter_complete (task, resp);
}

/* The source of the configs an AlterConfigs replaces. */
static CaudalAdminConfigSource
dynamic_source (const DescribeConfigsData *d)
{
  if (d->type == CAUDAL_ADMIN_RESOURCE_TOPIC)
    return CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG;
  return *d->name == '\0' ? CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG
                          : CAUDAL_ADMIN_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG;
}

static void
on_alter_described (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConfigsOp *op = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(CaudalResponse) resp = caudal_admin_request_finish (CAUDAL_ADMIN (source), result, &error);
  g_autoptr(GPtrArray) entries = NULL;
  CaudalAdminConfigSource wanted = dynamic_source (op->describe);

  if (resp == NULL || (entries = config_entries (resp, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  op->full = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < entries->len; i++)
    {
      CaudalAdminConfigEntry *e = g_ptr_array_index (entries, i);
      gboolean set_by_ops = FALSE;

      if (e->source != wanted)
        continue;
      for (gsize k = 0; k < op->n_ops; k++)
        set_by_ops |= strcmp (op->ops[k].name, e->name) == 0;
      if (e->sensitive && !set_by_ops)
        {
          g_task_return_new_error (task, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_UNSUPPORTED,
                                   "the broker lacks IncrementalAlterConfigs, and AlterConfigs would "
                                   "drop the sensitive config %s whose value it hides", e->name);
          return;
        }
      g_hash_table_insert (op->full, g_strdup (e->name), g_strdup (e->value != NULL ? e->value : ""));
    }
  for (gsize k = 0; k < op->n_ops; k++)
    {
      if (op->ops[k].op == CAUDAL_ADMIN_CONFIG_OP_DELETE)
        g_hash_table_remove (op->full, op->ops[k].name);
      else
        g_hash_table_insert (op->full, g_strdup (op->ops[k].name),
                             g_strdup (op->ops[k].value != NULL ? op->ops[k].value : ""));
    }
  {
    GTask *owned = g_steal_pointer (&task);

    caudal_admin_request_async (g_task_get_source_object (owned), config_node (op->describe->type, op->describe->name),
                                CAUDAL_API_KEY_ALTER_CONFIGS, build_alter, op, g_task_get_cancellable (owned),
                                on_alter_done, owned);
  }
}

static void
on_incremental_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConfigsOp *op = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(CaudalResponse) resp = caudal_admin_request_finish (CAUDAL_ADMIN (source), result, &error);

  if (resp == NULL && g_error_matches (error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_UNSUPPORTED))
    {
      /* No IncrementalAlterConfigs: describe, apply, send the whole set. */
      g_clear_error (&error);
      op->describe->synonyms = FALSE;
      {
        GTask *owned = g_steal_pointer (&task);

        caudal_admin_request_async (CAUDAL_ADMIN (source), config_node (op->describe->type, op->describe->name),
                                    CAUDAL_API_KEY_DESCRIBE_CONFIGS, build_describe_configs, op->describe,
                                    g_task_get_cancellable (owned), on_alter_described, owned);
      }
      return;
    }
  if (resp == NULL)
    g_task_return_error (task, error);
  else
    alter_complete (task, resp);
}

static void
incremental_send (GTask *task)
{
  ConfigsOp *op = g_task_get_task_data (task);

  caudal_admin_request_async (g_task_get_source_object (task), config_node (op->describe->type, op->describe->name),
                              CAUDAL_API_KEY_INCREMENTAL_ALTER_CONFIGS, build_incremental_alter, op,
                              g_task_get_cancellable (task), on_incremental_done, task);
}

void
caudal_admin_incremental_alter_configs_async (CaudalAdmin               *admin,
                                              CaudalAdminResourceType    type,
                                              const char                *name,
                                              const CaudalAdminConfigOp *ops,
                                              gsize                      n_ops,
                                              GCancellable              *cancellable,
                                              GAsyncReadyCallback        callback,
                                              gpointer                   user_data)
{
  GTask *task;
  ConfigsOp *op;

  g_return_if_fail (CAUDAL_IS_ADMIN (admin));
  g_return_if_fail (name != NULL);
  g_return_if_fail (ops != NULL || n_ops == 0);
  task = g_task_new (admin, cancellable, callback, user_data);
  g_task_set_source_tag (task, caudal_admin_incremental_alter_configs_async);
  op = configs_op_new (type, name, NULL, FALSE);
  op->n_ops = n_ops;
  op->ops = g_new0 (CaudalAdminConfigOp, MAX (n_ops, 1));
  for (gsize i = 0; i < n_ops; i++)
    {
      op->ops[i].name = g_strdup (ops[i].name);
      op->ops[i].op = ops[i].op;
      op->ops[i].value = g_strdup (ops[i].value);
    }
  g_task_set_task_data (task, op, (GDestroyNotify) configs_op_free);
  configs_with_broker (task, incremental_send);
}

gboolean
caudal_admin_incremental_alter_configs_finish (CaudalAdmin  *admin,
                                               GAsyncResult *result,
                                               GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, admin), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
