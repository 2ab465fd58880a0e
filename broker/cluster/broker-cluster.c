/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-cluster.c: cluster membership through ZooKeeper, in Kafka's
 * ZooKeeper-era layout (docs/cluster.md):
 *
 *   /brokers/ids/<id>   ephemeral, our registration (JSON v5)
 *   /controller         ephemeral, {"version":1,"brokerid":N,...}
 *   /controller_epoch   persistent, a decimal counter, +1 per election
 *
 * Everything runs on the main loop through broker-zk-source.c; each
 * completion re-reads what it needs, and every one-shot watch is re-armed
 * by the read that consumes its event, so the cached view converges on
 * ZooKeeper's after any missed event. The topic view, the controller's
 * work and the writes live in their own files (broker-cluster-private.h). */

#include "broker-cluster-private.h"

#include <errno.h>
#include <string.h>

#include "broker-zk-source.h"


/* A completion's context when it needs more than the cluster. */
typedef struct
{
  BrokerCluster *cluster;
  gint32         id;
} NodeRead;

typedef struct
{
  BrokerCluster  *cluster;
  char           *controller_path;
  char           *epoch_path;
  char           *controller_json;
  char           *epoch_text;
  gint64          epoch;
  zoo_op_t        ops[2];
  zoo_op_result_t results[2];
  struct Stat     epoch_stat;   /* /controller_epoch after our set */
} Election;

static void connect_session (BrokerCluster *c);
static void create_next_path (BrokerCluster *c);
static void register_self (BrokerCluster *c);
static void watch_brokers (BrokerCluster *c);
static void watch_controller (BrokerCluster *c);

gboolean
broker_cluster_is_supported (void)
{
  return TRUE;
}

char *
broker_cluster_zpath (BrokerCluster *c,
                      const char    *rel)
{
  return g_strconcat (c->root, rel, NULL);
}

#define zpath broker_cluster_zpath

static char *
now_ms_text (void)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / 1000);
}

gboolean
broker_cluster_is_connection_error (int rc)
{
  /* The outcome is unknown, or the session is going: the next CONNECTED
   * event (or the new session) starts over with fresh reads. */
  return rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT || rc == ZSESSIONEXPIRED
         || rc == ZCLOSING || rc == ZINVALIDSTATE;
}

#define is_connection_error broker_cluster_is_connection_error

static void
node_free (BrokerClusterNode *node)
{
  g_free (node->host);
  g_free (node->rack);
  g_strfreev (node->endpoints);
  g_free (node);
}

/* "LISTENER://host:port" → host and port; IPv6 hosts come in brackets. */
static gboolean
split_endpoint (const char *endpoint,
                char      **name,
                char      **host,
                guint16    *port)
{
  const char *sep = strstr (endpoint, "://");
  const char *colon;
  guint64 value;

  if (sep == NULL)
    return FALSE;
  colon = strrchr (sep + 3, ':');
  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &value, NULL))
    return FALSE;
  if (name != NULL)
    *name = g_strndup (endpoint, (gsize) (sep - endpoint));
  if (host != NULL)
    {
      const char *h = sep + 3;
      gsize len = (gsize) (colon - h);

      if (len >= 2 && h[0] == '[' && h[len - 1] == ']')
        *host = g_strndup (h + 1, len - 2);
      else
        *host = g_strndup (h, len);
    }
  *port = (guint16) value;
  return TRUE;
}

/* Kafka's v5 broker registration (KafkaZkClient.registerBroker). */
static char *
build_registration (Broker *broker)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *ts = now_ms_text ();
  const BrokerEndpoint *first = broker_get_endpoint (broker, NULL);
  const char *rack = broker_config_get_string (broker->config, "broker.rack");

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 5);
  json_builder_set_member_name (b, "host");
  json_builder_add_string_value (b, first != NULL ? first->host : "");
  json_builder_set_member_name (b, "port");
  json_builder_add_int_value (b, first != NULL ? first->port : -1);
  json_builder_set_member_name (b, "jmx_port");
  json_builder_add_int_value (b, -1);
  json_builder_set_member_name (b, "timestamp");
  json_builder_add_string_value (b, ts);
  json_builder_set_member_name (b, "endpoints");
  json_builder_begin_array (b);
  for (guint i = 0; i < broker->endpoints->len; i++)
    {
      const BrokerEndpoint *ep = g_ptr_array_index (broker->endpoints, i);
      g_autofree char *text = strchr (ep->host, ':') != NULL
                              ? g_strdup_printf ("%s://[%s]:%u", ep->name, ep->host, ep->port)
                              : g_strdup_printf ("%s://%s:%u", ep->name, ep->host, ep->port);
      json_builder_add_string_value (b, text);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "listener_security_protocol_map");
  json_builder_begin_object (b);
  for (guint i = 0; i < broker->endpoints->len; i++)
    {
      const BrokerEndpoint *ep = g_ptr_array_index (broker->endpoints, i);
      /* caudald speaks PLAINTEXT only (broker-listeners.c). */
      json_builder_set_member_name (b, ep->name);
      json_builder_add_string_value (b, "PLAINTEXT");
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "rack");
  if (rack != NULL && *rack != '\0')
    json_builder_add_string_value (b, rack);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/* A registration as another broker wrote it; NULL when unreadable. */
static BrokerClusterNode *
parse_registration (gint32      id,
                    const char *data,
                    int         len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) endpoints = g_ptr_array_new_with_free_func (g_free);
  BrokerClusterNode *node;
  JsonObject *obj;

  if (data == NULL || len <= 0 || !json_parser_load_from_data (parser, data, len, NULL))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  obj = json_node_get_object (json_parser_get_root (parser));
  node = g_new0 (BrokerClusterNode, 1);
  node->id = id;
  if (json_object_has_member (obj, "endpoints")
      && JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "endpoints")))
    {
      JsonArray *arr = json_object_get_array_member (obj, "endpoints");
      for (guint i = 0; i < json_array_get_length (arr); i++)
        {
          const char *text = json_array_get_string_element (arr, i);
          guint16 port;
          if (text != NULL && split_endpoint (text, NULL, NULL, &port))
            g_ptr_array_add (endpoints, g_strdup (text));
        }
    }
  g_ptr_array_add (endpoints, NULL);
  node->endpoints = (GStrv) g_ptr_array_steal (endpoints, NULL);
  /* host/port describe the first endpoint (they are null in Kafka when
   * no PLAINTEXT listener exists, so prefer the endpoint list). */
  if (node->endpoints[0] == NULL
      || !split_endpoint (node->endpoints[0], NULL, &node->host, &node->port))
    {
      node->host = g_strdup (json_object_get_string_member_with_default (obj, "host", ""));
      node->port = (guint16) CLAMP (json_object_get_int_member_with_default (obj, "port", 0), 0, 65535);
    }
  if (json_object_has_member (obj, "rack")
      && JSON_NODE_HOLDS_VALUE (json_object_get_member (obj, "rack")))
    node->rack = g_strdup (json_object_get_string_member (obj, "rack"));
  if (node->host == NULL || *node->host == '\0' || node->port == 0)
    {
      node_free (node);
      return NULL;
    }
  return node;
}

/* During the start, @error fails it (main prints it and exits 1); later
 * (our id taken by another broker while our session was expired) there
 * is no one to tell but the log, and the broker serves unregistered. */
static void
set_fatal (BrokerCluster *c,
           GError        *error)
{
  if (c->started)
    {
      g_warning ("cluster: %s", error->message);
      g_error_free (error);
      return;
    }
  if (c->fatal == NULL)
    c->fatal = error;
  else
    g_error_free (error);
}

/* -- the broker list ---------------------------------------------------- */

static void
on_broker_read (int               rc,
                const char       *value,
                int               value_len,
                const struct Stat *stat,
                const void       *data)
{
  NodeRead *nr = (NodeRead *) data;
  BrokerCluster *c = nr->cluster;
  gint32 id = nr->id;
  BrokerClusterNode *node;

  g_free (nr);
  if (c->closing || rc != ZOK)
    return;
  /* A read from an older listing for a broker that has gone since. */
  if (!g_hash_table_contains (c->live_ids, GINT_TO_POINTER (id)))
    return;
  node = parse_registration (id, value, value_len);
  if (node == NULL)
    {
      g_warning ("cluster: cannot parse the registration of broker %d", id);
      return;
    }
  if (!g_hash_table_contains (c->nodes, GINT_TO_POINTER (id)))
    g_message ("cluster: broker %d joined (%s:%u)", id, node->host, node->port);
  g_hash_table_replace (c->nodes, GINT_TO_POINTER (id), node);
  /* Its endpoints are known only now: followers need the leader's. */
  broker_cluster_view_node_changed (c);
}

static void
on_brokers_listed (int                          rc,
                   const struct String_vector *strings,
                   const void                 *data)
{
  BrokerCluster *c = (BrokerCluster *) data;
  GHashTableIter iter;
  gpointer key;

  if (c->closing)
    return;
  if (rc != ZOK)
    {
      if (!is_connection_error (rc))
        g_warning ("cluster: cannot list brokers: %s", zerror (rc));
      return;
    }
  g_hash_table_remove_all (c->live_ids);
  for (int i = 0; i < strings->count; i++)
    {
      gint64 id;
      if (g_ascii_string_to_signed (strings->data[i], 10, 0, G_MAXINT32, &id, NULL))
        g_hash_table_add (c->live_ids, GINT_TO_POINTER ((gint32) id));
    }
  g_hash_table_iter_init (&iter, c->nodes);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (c->live_ids, key))
      {
        g_message ("cluster: broker %d left", GPOINTER_TO_INT (key));
        g_hash_table_iter_remove (&iter);
      }
  /* Re-read every registration, not just new ones: a broker that left
   * and came back between two listings may have moved. */
  g_hash_table_iter_init (&iter, c->live_ids);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      NodeRead *nr = g_new0 (NodeRead, 1);
      g_autofree char *rel = g_strdup_printf ("/brokers/ids/%d", GPOINTER_TO_INT (key));
      g_autofree char *path = zpath (c, rel);

      nr->cluster = c;
      nr->id = GPOINTER_TO_INT (key);
      if (zoo_aget (c->zh, path, 0, on_broker_read, nr) != ZOK)
        g_free (nr);
    }
  /* Liveness is the listing itself: the controller's elections and the
   * hooks need no registration contents. */
  broker_cluster_view_brokers_changed (c);
}

static void
on_brokers_changed (zhandle_t  *zh,
                    int         type,
                    int         state,
                    const char *path,
                    void       *ctx)
{
  BrokerCluster *c = ctx;

  if (c->closing || type != ZOO_CHILD_EVENT)
    return;
  watch_brokers (c);
}

static void
watch_brokers (BrokerCluster *c)
{
  g_autofree char *path = zpath (c, "/brokers/ids");

  (void) zoo_awget_children (c->zh, path, on_brokers_changed, c, on_brokers_listed, c);
}

/* -- controller election -------------------------------------------------- */

static void
set_controller (BrokerCluster *c,
                gint32         id)
{
  if (id == c->controller_id)
    return;
  if (id != c->id)
    broker_controller_resign (c, "another broker is controller now");
  c->controller_id = id;
  if (id < 0)
    g_message ("cluster: no controller");
  else
    g_message ("cluster: the controller is broker %d%s", id, id == c->id ? " (this broker)" : "");
}

static void
election_free (Election *e)
{
  g_free (e->controller_path);
  g_free (e->epoch_path);
  g_free (e->controller_json);
  g_free (e->epoch_text);
  g_free (e);
}

static void
on_elected (int         rc,
            const void *data)
{
  Election *e = (Election *) data;
  BrokerCluster *c = e->cluster;
  gint64 epoch = e->epoch;
  /* Every later controller write checks this version (KAFKA-6082). */
  gint32 epoch_version = e->epoch_stat.version;

  election_free (e);
  if (c->closing)
    return;
  if (rc == ZOK)
    {
      g_message ("cluster: elected controller, controller epoch %" G_GINT64_FORMAT, epoch);
      set_controller (c, c->id);
      broker_controller_elected (c, (gint32) epoch, epoch_version);
      return;
    }
  /* NODEEXISTS: another broker won; BADVERSION: another election bumped
   * the epoch first. Either way, read who leads now (and run again if
   * nobody does). Connection errors: the reconnect re-reads. */
  if (rc == ZNODEEXISTS || rc == ZBADVERSION)
    watch_controller (c);
  else if (!is_connection_error (rc))
    g_warning ("cluster: controller election failed: %s", zerror (rc));
}

/* Kafka's registerControllerAndIncrementControllerEpoch: one multi that
 * creates /controller and moves /controller_epoch from the version we
 * read, so two brokers racing cannot both win or both bump the epoch. */
static void
on_epoch_read (int               rc,
               const char       *value,
               int               value_len,
               const struct Stat *stat,
               const void       *data)
{
  BrokerCluster *c = (BrokerCluster *) data;
  Election *e;
  g_autofree char *text = NULL;
  g_autofree char *ts = NULL;
  gint64 epoch = 0;

  if (c->closing)
    return;
  if (rc != ZOK)
    {
      if (!is_connection_error (rc))
        g_warning ("cluster: cannot read the controller epoch: %s", zerror (rc));
      return;
    }
  text = value != NULL && value_len > 0 ? g_strndup (value, (gsize) value_len) : g_strdup ("0");
  if (!g_ascii_string_to_signed (g_strstrip (text), 10, 0, G_MAXINT32, &epoch, NULL))
    {
      g_warning ("cluster: /controller_epoch holds %s, not a number; not running for controller", text);
      return;
    }
  e = g_new0 (Election, 1);
  e->cluster = c;
  e->epoch = epoch + 1;
  e->controller_path = zpath (c, "/controller");
  e->epoch_path = zpath (c, "/controller_epoch");
  ts = now_ms_text ();
  e->controller_json = g_strdup_printf ("{\"version\":1,\"brokerid\":%d,\"timestamp\":\"%s\"}", c->id, ts);
  e->epoch_text = g_strdup_printf ("%" G_GINT64_FORMAT, e->epoch);
  zoo_create_op_init (&e->ops[0], e->controller_path, e->controller_json,
                      (int) strlen (e->controller_json), &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, NULL, 0);
  zoo_set_op_init (&e->ops[1], e->epoch_path, e->epoch_text, (int) strlen (e->epoch_text),
                   stat->version, &e->epoch_stat);
  if (zoo_amulti (c->zh, 2, e->ops, e->results, on_elected, e) != ZOK)
    election_free (e);
}

static void
run_for_controller (BrokerCluster *c)
{
  g_autofree char *path = zpath (c, "/controller_epoch");

  /* Only a registered broker may lead: it is the one others can see. */
  if (!c->registered)
    return;
  (void) zoo_aget (c->zh, path, 0, on_epoch_read, c);
}

static void
on_controller_read (int               rc,
                    const char       *value,
                    int               value_len,
                    const struct Stat *stat,
                    const void       *data)
{
  BrokerCluster *c = (BrokerCluster *) data;
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;

  if (c->closing || rc != ZOK)
    return;   /* ZNONODE: the exists watch fires and we look again. */
  parser = json_parser_new ();
  if (value == NULL || value_len <= 0 || !json_parser_load_from_data (parser, value, value_len, NULL)
      || !JSON_NODE_HOLDS_OBJECT ((root = json_parser_get_root (parser))))
    {
      g_warning ("cluster: cannot parse /controller");
      return;
    }
  set_controller (c, (gint32) json_object_get_int_member_with_default (json_node_get_object (root),
                                                                        "brokerid", -1));
}

static void
on_controller_exists (int               rc,
                      const struct Stat *stat,
                      const void       *data)
{
  BrokerCluster *c = (BrokerCluster *) data;
  g_autofree char *path = NULL;

  if (c->closing)
    return;
  if (rc == ZNONODE)
    {
      set_controller (c, -1);
      run_for_controller (c);
      return;
    }
  if (rc != ZOK)
    {
      if (!is_connection_error (rc))
        g_warning ("cluster: cannot look up the controller: %s", zerror (rc));
      return;
    }
  path = zpath (c, "/controller");
  (void) zoo_aget (c->zh, path, 0, on_controller_read, c);
}

static void
on_controller_changed (zhandle_t  *zh,
                       int         type,
                       int         state,
                       const char *path,
                       void       *ctx)
{
  BrokerCluster *c = ctx;

  if (c->closing || type == ZOO_SESSION_EVENT)
    return;
  watch_controller (c);
}

/* An exists watch, unlike a get watch, also fires when a missing
 * /controller is created. */
static void
watch_controller (BrokerCluster *c)
{
  g_autofree char *path = zpath (c, "/controller");

  (void) zoo_awexists (c->zh, path, on_controller_changed, c, on_controller_exists, c);
}

static void
on_stale_controller_deleted (int         rc,
                             const void *data)
{
  BrokerCluster *c = (BrokerCluster *) data;

  if (!c->closing)
    watch_controller (c);
}

static void
on_controller_read_after_fence (int               rc,
                                const char       *value,
                                int               value_len,
                                const struct Stat *stat,
                                const void       *data)
{
  BrokerCluster *c = (BrokerCluster *) data;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *path = NULL;

  if (c->closing)
    return;
  root = rc == ZOK ? broker_cluster_parse_json (value, value_len) : NULL;
  /* Still ours: give it up so an election runs (Kafka's
   * triggerControllerMove). Another's: just follow it. */
  if (root != NULL && stat->ephemeralOwner == zoo_client_id (c->zh)->client_id
      && json_object_get_int_member_with_default (json_node_get_object (root), "brokerid", -1) == c->id)
    {
      path = zpath (c, "/controller");
      if (zoo_adelete (c->zh, path, stat->version, on_stale_controller_deleted, c) == ZOK)
        return;
    }
  watch_controller (c);
}

void
broker_cluster_controller_moved (BrokerCluster *c)
{
  g_autofree char *path = zpath (c, "/controller");

  (void) zoo_aget (c->zh, path, 0, on_controller_read_after_fence, c);
}

/* -- pauses ----------------------------------------------------------------- */

static void
on_session_confirmed (int               rc,
                      const struct Stat *stat,
                      const void       *data)
{
  BrokerCluster *c = (BrokerCluster *) data;

  if (c->closing || !c->pause_fenced)
    return;
  /* Our registration still belongs to our session: nobody can have
   * replaced us as leader meanwhile (that needs the session to end). */
  if (rc == ZOK && stat->ephemeralOwner == zoo_client_id (c->zh)->client_id)
    {
      g_message ("cluster: ZooKeeper confirms our session after the pause; serving again");
      c->pause_fenced = FALSE;
    }
  /* Otherwise the session is ending: expiry re-registers, which lifts the
   * fence once we are registered in a new session. */
}

/* The process did not run for a while (SIGSTOP, a VM pause): another
 * broker may lead our partitions already, and until ZooKeeper answers we
 * cannot know. Leader work (Produce, consumer Fetch, ListOffsets, ISR
 * changes) stops until a read of our registration comes back from our
 * session — otherwise a stale leader answers from an old log (a fetch
 * past its end: OFFSET_OUT_OF_RANGE, and the consumer resets). */
static void
on_loop_gap (gint64   gap_us,
             gpointer user_data)
{
  BrokerCluster *c = user_data;
  g_autofree char *path = NULL;

  if (!c->registered)
    return;
  g_warning ("cluster: the main loop stalled for %" G_GINT64_FORMAT " ms (over half the "
             "ZooKeeper session): leader work waits until ZooKeeper confirms our session",
             gap_us / 1000);
  c->pause_fenced = TRUE;
  path = g_strdup_printf ("%s/brokers/ids/%d", c->root, c->id);
  (void) zoo_aexists (c->zh, path, 0, on_session_confirmed, c);
}

/* -- registration ----------------------------------------------------------- */

static void
on_registered_node (BrokerCluster     *c,
                    const struct Stat *stat)
{
  c->registering = FALSE;
  c->registered = TRUE;
  c->pause_fenced = FALSE;
  /* The registration's creation zxid identifies this incarnation of the
   * broker: later slices carry it to fence a stale one (KIP-380). */
  c->broker_epoch = stat->czxid;
  g_message ("cluster: registered as broker %d (session 0x%llx, broker epoch %" G_GINT64_FORMAT ")",
             c->id, (unsigned long long) zoo_client_id (c->zh)->client_id, c->broker_epoch);
  watch_brokers (c);
  broker_cluster_view_load (c);
  watch_controller (c);
}

static void
on_existing_registration (int               rc,
                          const struct Stat *stat,
                          const void       *data)
{
  BrokerCluster *c = (BrokerCluster *) data;
  g_autofree char *rel = NULL;
  g_autofree char *path = NULL;

  if (c->closing)
    return;
  if (rc == ZNONODE)
    {
      register_self (c);   /* it expired meanwhile */
      return;
    }
  if (rc != ZOK)
    {
      c->registering = FALSE;
      return;
    }
  /* A create retried after CONNECTIONLOSS finds our own node (Kafka's
   * CheckedEphemeral): the owner session tells. */
  if (stat->ephemeralOwner == zoo_client_id (c->zh)->client_id)
    {
      on_registered_node (c, stat);
      return;
    }
  c->registering = FALSE;
  rel = g_strdup_printf ("/brokers/ids/%d", c->id);
  path = zpath (c, rel);
  set_fatal (c, g_error_new (G_IO_ERROR, G_IO_ERROR_EXISTS,
                             "broker.id %d is already registered in ZooKeeper at %s (NODEEXISTS, "
                             "session 0x%llx): another broker runs with this id, or this broker's "
                             "previous session has not expired yet (zookeeper.session.timeout.ms %d)",
                             c->id, path, (unsigned long long) stat->ephemeralOwner,
                             c->session_timeout_ms));
}

static void
on_registration_created (int               rc,
                         const char       *name,
                         const struct Stat *stat,
                         const void       *data)
{
  BrokerCluster *c = (BrokerCluster *) data;
  g_autofree char *rel = NULL;
  g_autofree char *path = NULL;

  if (c->closing)
    return;
  if (rc == ZOK)
    {
      on_registered_node (c, stat);
      return;
    }
  rel = g_strdup_printf ("/brokers/ids/%d", c->id);
  path = zpath (c, rel);
  if (rc == ZNODEEXISTS)
    {
      (void) zoo_aexists (c->zh, path, 0, on_existing_registration, c);
      return;
    }
  c->registering = FALSE;
  if (!is_connection_error (rc))
    set_fatal (c, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "cannot register at %s: %s", path,
                               zerror (rc)));
}

static void
register_self (BrokerCluster *c)
{
  g_autofree char *rel = g_strdup_printf ("/brokers/ids/%d", c->id);
  g_autofree char *path = zpath (c, rel);

  (void) zoo_acreate2 (c->zh, path, c->registration, (int) strlen (c->registration),
                       &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, on_registration_created, c);
}

static void
on_path_created (int         rc,
                 const char *name,
                 const void *data)
{
  BrokerCluster *c = (BrokerCluster *) data;

  if (c->closing)
    return;
  if (rc != ZOK && rc != ZNODEEXISTS)
    {
      const char *path = g_ptr_array_index (c->setup_paths, c->setup_step);

      c->registering = FALSE;
      if (!is_connection_error (rc))
        set_fatal (c, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "cannot create %s in ZooKeeper: %s",
                                   path, zerror (rc)));
      return;
    }
  c->setup_step++;
  create_next_path (c);
}

static void
create_next_path (BrokerCluster *c)
{
  const char *path;
  /* /controller_epoch starts at 0, as Kafka's does; the first election
   * moves it to 1. */
  gboolean is_epoch;

  if (c->setup_step >= c->setup_paths->len)
    {
      register_self (c);
      return;
    }
  path = g_ptr_array_index (c->setup_paths, c->setup_step);
  is_epoch = g_str_has_suffix (path, "/controller_epoch");
  (void) zoo_acreate (c->zh, path, is_epoch ? "0" : NULL, is_epoch ? 1 : -1, &ZOO_OPEN_ACL_UNSAFE,
                      ZOO_PERSISTENT, on_path_created, c);
}

/* -- the session ---------------------------------------------------------- */

static gboolean
renew_session (gpointer user_data)
{
  BrokerCluster *c = user_data;

  c->renew_id = 0;
  if (c->source != NULL)
    {
      g_source_destroy (c->source);
      g_clear_pointer (&c->source, g_source_unref);
    }
  c->closing = TRUE;
  zookeeper_close (c->zh);
  c->closing = FALSE;
  c->zh = NULL;
  /* Reads of the dead session never answer now. */
  c->view_reads = 0;
  connect_session (c);
  return G_SOURCE_REMOVE;
}

static void
on_session_event (zhandle_t  *zh,
                  int         type,
                  int         state,
                  const char *path,
                  void       *ctx)
{
  BrokerCluster *c = ctx;

  if (c->closing || type != ZOO_SESSION_EVENT)
    return;
  if (state == ZOO_CONNECTED_STATE)
    {
      if (c->registered)
        {
          /* Same session: our ephemerals and watches survived; re-read
           * in case an answer was lost with the connection. */
          g_message ("cluster: reconnected to ZooKeeper");
          /* The server took our session back: it has not expired, so no
           * other broker can lead in our place (a pause's fence goes;
           * its own check may have failed with the old connection). */
          if (c->pause_fenced)
            {
              g_message ("cluster: the session survived the pause; serving again");
              c->pause_fenced = FALSE;
            }
          watch_brokers (c);
          broker_cluster_view_load (c);
          watch_controller (c);
          /* A controller write may have been lost with the connection. */
          broker_controller_check_all (c);
        }
      else if (!c->registering)
        {
          c->registering = TRUE;
          c->setup_step = 0;
          create_next_path (c);
        }
      c->was_connected = TRUE;
    }
  else if (state == ZOO_CONNECTING_STATE || state == ZOO_ASSOCIATING_STATE)
    {
      if (c->was_connected)
        g_warning ("cluster: lost the ZooKeeper connection; reconnecting (the session lasts %d ms)",
                   c->session_timeout_ms);
      c->was_connected = FALSE;
    }
  else if (state == ZOO_EXPIRED_SESSION_STATE)
    {
      /* Our registration is gone and someone else may lead: forget what
       * we knew and start a new session that registers again. The handle
       * is dead (zookeeper_interest fails from now on); it cannot be
       * closed from inside its own callback. */
      g_warning ("cluster: the ZooKeeper session expired; registering again in a new session");
      c->registered = FALSE;
      c->registering = FALSE;
      c->was_connected = FALSE;
      c->view_stale = TRUE;
      c->broker_epoch = -1;
      broker_controller_resign (c, "the ZooKeeper session expired");
      set_controller (c, -1);
      if (c->renew_id == 0)
        c->renew_id = g_idle_add (renew_session, c);
    }
  else if (state == ZOO_AUTH_FAILED_STATE)
    g_warning ("cluster: ZooKeeper authentication failed");
}

/* The client's own log lines (warnings and errors only, see
 * zoo_set_debug_level) go through GLib's log, hence the journal, rather
 * than straight to stderr. While ZooKeeper is down the client retries
 * every session timeout / 60 ms with two lines each time: keep one line
 * a second (we log the lost connection ourselves). Main thread only. */
static void
on_client_log (const char *message)
{
  static gint64 last_us;
  static guint suppressed;
  gint64 now = g_get_monotonic_time ();

  if (last_us != 0 && now - last_us < G_USEC_PER_SEC)
    {
      suppressed++;
      return;
    }
  last_us = now;
  if (suppressed > 0)
    g_warning ("zookeeper client: %s (%u similar lines suppressed)", message, suppressed);
  else
    g_warning ("zookeeper client: %s", message);
  suppressed = 0;
}

static void
connect_session (BrokerCluster *c)
{
  c->zh = zookeeper_init2 (c->servers, on_session_event, c->session_timeout_ms, NULL, c, 0,
                           on_client_log);
  if (c->zh == NULL)
    {
      set_fatal (c, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                 "cannot start a ZooKeeper client for %s: %s", c->servers,
                                 g_strerror (errno)));
      return;
    }
  /* Pings go every third of the session; a loop that did not turn for
   * half of it was paused or starved. */
  c->source = broker_zk_source_new (c->zh, (gint64) c->session_timeout_ms * 1000 / 2, on_loop_gap, c);
  g_source_attach (c->source, NULL);
}

/* -- the API --------------------------------------------------------------- */

static void
add_setup_path (BrokerCluster *c,
                const char    *rel)
{
  g_ptr_array_add (c->setup_paths, zpath (c, rel));
}

static gboolean
parse_connect (BrokerCluster *c,
               const char    *connect,
               GError       **error)
{
  const char *slash = strchr (connect, '/');
  g_autofree char *root = NULL;

  c->servers = slash != NULL ? g_strndup (connect, (gsize) (slash - connect)) : g_strdup (connect);
  g_strstrip (c->servers);
  if (*c->servers == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "zookeeper.connect has no host:port: %s", connect);
      return FALSE;
    }
  /* The chroot is our own path prefix rather than the client's: Kafka
   * creates a missing chroot at start, and the client cannot create the
   * root it is confined to. */
  root = g_strdup (slash != NULL ? slash : "");
  while (*root != '\0' && g_str_has_suffix (root, "/"))
    root[strlen (root) - 1] = '\0';
  c->root = g_steal_pointer (&root);
  if (*c->root != '\0')
    {
      g_auto(GStrv) parts = g_strsplit (c->root + 1, "/", -1);
      g_autoptr(GString) prefix = g_string_new (NULL);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          if (*parts[i] == '\0')
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "zookeeper.connect: bad chroot %s", c->root);
              return FALSE;
            }
          g_string_append_printf (prefix, "/%s", parts[i]);
          g_ptr_array_add (c->setup_paths, g_strdup (prefix->str));
        }
    }
  return TRUE;
}

static gboolean
on_start_deadline (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

BrokerCluster *
broker_cluster_start (Broker  *broker,
                      GError **error)
{
  BrokerConfig *config = broker->config;
  g_autoptr(BrokerCluster) c = g_new0 (BrokerCluster, 1);
  const char *connect = broker_config_get_string (config, "zookeeper.connect");
  gint64 wait_ms;
  gboolean expired = FALSE;
  guint deadline_id;

  c->broker = broker;
  c->controller_id = -1;
  c->broker_epoch = -1;
  c->id = broker->node_id;
  c->setup_paths = g_ptr_array_new_with_free_func (g_free);
  c->nodes = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) node_free);
  c->live_ids = g_hash_table_new (NULL, NULL);
  c->epoch_zk_version = -1;
  broker_cluster_view_init (c);
  c->session_timeout_ms = broker_config_get_int32 (config, "zookeeper.session.timeout.ms");
  /* Every broker of a cluster needs its own id: no default of 1 here. */
  if (!broker_config_is_set (config, "broker.id") && !broker_config_is_set (config, "node.id"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "zookeeper.connect is set: broker.id (or node.id) must be set too, unique in the cluster");
      return NULL;
    }
  if (!parse_connect (c, connect, error))
    return NULL;
  add_setup_path (c, "/brokers");
  add_setup_path (c, "/brokers/ids");
  add_setup_path (c, "/brokers/topics");
  add_setup_path (c, "/config");
  add_setup_path (c, "/config/topics");
  add_setup_path (c, "/admin");
  add_setup_path (c, "/admin/delete_topics");
  add_setup_path (c, "/cluster");
  add_setup_path (c, "/controller_epoch");
  c->registration = build_registration (broker);
  c->self = parse_registration (c->id, c->registration, (int) strlen (c->registration));
  if (c->self == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "cluster mode needs a listener with a host and port to register");
      return NULL;
    }

  zoo_set_debug_level (ZOO_LOG_LEVEL_WARN);
  g_message ("cluster: joining through ZooKeeper %s%s%s as broker %d", c->servers,
             *c->root != '\0' ? " under " : "", c->root, c->id);
  connect_session (c);
  if (c->fatal != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&c->fatal));
      return NULL;
    }

  /* Kafka waits for the connection before serving; so do we, and we
   * also wait for the registration so a duplicate id fails the start,
   * and for the cluster id and the first complete topic view so the
   * broker never serves an empty one. */
  wait_ms = broker_config_is_set (config, "zookeeper.connection.timeout.ms")
            ? broker_config_get_int32 (config, "zookeeper.connection.timeout.ms")
            : c->session_timeout_ms;
  deadline_id = g_timeout_add ((guint) CLAMP (wait_ms, 1, G_MAXINT32), on_start_deadline, &expired);
  while ((!c->registered || !broker_cluster_view_loaded (c)) && c->fatal == NULL && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (deadline_id);
  if (c->fatal != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&c->fatal));
      return NULL;
    }
  if (!c->registered || !broker_cluster_view_loaded (c))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "could not register in ZooKeeper at %s and read the cluster's topics within %"
                   G_GINT64_FORMAT " ms (zookeeper.connection.timeout.ms)", connect, wait_ms);
      return NULL;
    }
  c->started = TRUE;
  return g_steal_pointer (&c);
}

void
broker_cluster_free (BrokerCluster *c)
{
  if (c == NULL)
    return;
  g_clear_handle_id (&c->renew_id, g_source_remove);
  g_clear_handle_id (&c->rebalance_id, g_source_remove);
  if (c->source != NULL)
    {
      g_source_destroy (c->source);
      g_clear_pointer (&c->source, g_source_unref);
    }
  if (c->zh != NULL)
    {
      /* Closing the session deletes our ephemerals now, not a session
       * timeout later: the others elect a new controller at once. */
      c->closing = TRUE;
      c->freeing = TRUE;
      zookeeper_close (c->zh);
    }
  g_clear_pointer (&c->self, node_free);
  g_clear_pointer (&c->nodes, g_hash_table_unref);
  g_clear_pointer (&c->live_ids, g_hash_table_unref);
  g_clear_pointer (&c->setup_paths, g_ptr_array_unref);
  g_clear_error (&c->fatal);
  broker_cluster_view_clear (c);
  g_free (c->servers);
  g_free (c->root);
  g_free (c->registration);
  g_free (c);
}

gint32
broker_cluster_get_controller_id (BrokerCluster *c)
{
  g_return_val_if_fail (c != NULL, -1);
  return c->controller_id;
}

static gint
compare_nodes (gconstpointer a,
               gconstpointer b)
{
  const BrokerClusterNode *x = *(BrokerClusterNode *const *) a;
  const BrokerClusterNode *y = *(BrokerClusterNode *const *) b;

  return (x->id > y->id) - (x->id < y->id);
}

GPtrArray *
broker_cluster_list_nodes (BrokerCluster *c)
{
  GPtrArray *list = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (c != NULL, list);
  g_hash_table_iter_init (&iter, c->nodes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
  /* Before the first listing arrives (or after an expiry) we still know
   * ourselves. */
  if (!g_hash_table_contains (c->nodes, GINT_TO_POINTER (c->id)))
    g_ptr_array_add (list, c->self);
  g_ptr_array_sort (list, compare_nodes);
  return list;
}

void
broker_cluster_node_endpoint (const BrokerClusterNode *node,
                              const char              *listener_name,
                              const char             **host,
                              guint16                 *port)
{
  *host = node->host;
  *port = node->port;
  for (guint i = 0; listener_name != NULL && node->endpoints[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *h = NULL;
      guint16 p;

      if (split_endpoint (node->endpoints[i], &name, &h, &p) && g_strcmp0 (name, listener_name) == 0)
        {
          /* Replies borrow it; a handful of hosts, interned for good. */
          *host = g_intern_string (h);
          *port = p;
          return;
        }
    }
}
