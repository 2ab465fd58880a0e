/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker.c: assemble the broker from its parts, start it, stop it. */

#include "broker.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "broker-cluster.h"
#include "broker-cluster-sync.h"
#include "broker-fetch-waiters.h"
#include "broker-group-coordinator.h"
#include "broker-group-store.h"
#include "broker-log-writer.h"
#include "broker-meta-store.h"
#include "broker-handlers.h"
#include "broker-producers.h"
#include "broker-sd-notify.h"
#include "broker-server.h"
#include "broker-topics.h"

static void
endpoint_free (BrokerEndpoint *ep)
{
  g_free (ep->name);
  g_free (ep->host);
  g_free (ep);
}

static gint64
wall_clock_ms (gpointer user_data)
{
  return g_get_real_time () / 1000;
}

static void arm_group_timer (Broker *broker, gint64 delay_ms);

static gboolean
on_group_timer (gpointer user_data)
{
  Broker *broker = user_data;
  gint64 next;

  broker->group_timer_id = 0;
  next = broker_group_coordinator_tick (broker->groups);
  /* Wake at the next deadline, and at least every second for the
   * offset-expiry check. */
  arm_group_timer (broker, next < 0 ? 1000 : MIN (next, 1000));
  return G_SOURCE_REMOVE;
}

static void
arm_group_timer (Broker *broker,
                 gint64  delay_ms)
{
  g_clear_handle_id (&broker->group_timer_id, g_source_remove);
  broker->group_timer_id = g_timeout_add ((guint) CLAMP (delay_ms, 0, 1000), on_group_timer, broker);
}

/* A membership change may have set a nearer deadline: tick soon. */
static void
on_group_wakeup (gpointer user_data)
{
  Broker *broker = user_data;

  if (broker->group_timer_id != 0)
    arm_group_timer (broker, 0);
}

static gboolean
open_groups (Broker  *broker,
             GError **error)
{
  BrokerConfig *config = broker->config;
  BrokerGroupConfig cfg;

  broker->group_store = broker_group_store_new (broker->topics,
                                                broker_config_get_int32 (config, "offsets.topic.num.partitions"),
                                                error);
  if (broker->group_store == NULL)
    return FALSE;
  broker_group_config_init_defaults (&cfg);
  cfg.min_session_timeout_ms = broker_config_get_int32 (config, "group.min.session.timeout.ms");
  cfg.max_session_timeout_ms = broker_config_get_int32 (config, "group.max.session.timeout.ms");
  cfg.initial_rebalance_delay_ms = broker_config_get_int32 (config, "group.initial.rebalance.delay.ms");
  if (broker_config_is_known ("group.max.size"))
    cfg.max_group_size = broker_config_get_int32 (config, "group.max.size");
  cfg.offsets_retention_ms = broker_config_get_int64 (config, "offsets.retention.minutes") * 60 * 1000;
  if (broker_config_is_known ("offset.metadata.max.bytes"))
    cfg.offset_metadata_max_bytes = broker_config_get_int32 (config, "offset.metadata.max.bytes");
  broker->groups = broker_group_coordinator_new (&cfg, broker->group_store, wall_clock_ms, NULL);
  broker_group_coordinator_set_wakeup (broker->groups, on_group_wakeup, broker);
  return broker_group_coordinator_load (broker->groups, error);
}

Broker *
broker_new (BrokerConfig *config,
            GError      **error)
{
  g_autoptr(Broker) broker = g_new0 (Broker, 1);
  g_auto(GStrv) dirs = NULL;
  BrokerMetaStore *store;

  broker->config = config;
  broker->node_id = broker_config_get_node_id (config);
  broker->endpoints = g_ptr_array_new_with_free_func ((GDestroyNotify) endpoint_free);
  dirs = broker_config_get_log_dirs (config);
  if (dirs == NULL || dirs[0] == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "log.dirs is empty");
      return NULL;
    }
  if (dirs[1] != NULL)
    g_warning ("log.dirs lists %u directories; caudald uses only the first, %s",
               g_strv_length (dirs), dirs[0]);
  broker->data_dir = g_strdup (dirs[0]);
  if (g_mkdir_with_parents (broker->data_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot create log dir %s: %s",
                   broker->data_dir, g_strerror (saved));
      return NULL;
    }

  store = broker_meta_store_local_new (broker->data_dir, broker->node_id, error);
  if (store == NULL)
    return NULL;
  broker->store = store;
  broker->cluster_id = store->vtable->dup_cluster_id (store, error);
  if (broker->cluster_id == NULL)
    return NULL;
  {
    const char *configured = broker_config_get_string (config, "cluster.id");
    if (configured != NULL && *configured != '\0' && strcmp (configured, broker->cluster_id) != 0)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     "cluster.id is %s but %s belongs to cluster %s", configured,
                     broker->data_dir, broker->cluster_id);
        return NULL;
      }
  }

  broker->topics = broker_topics_open (config, store, broker->data_dir, error);
  if (broker->topics == NULL)
    return NULL;
  if (!open_groups (broker, error))
    return NULL;
  broker->producers = broker_producers_new ();
  broker->fetch_waiters = broker_fetch_waiters_new (broker);
  g_message ("node %d of cluster %s, data in %s, %u topic(s)", broker->node_id,
             broker->cluster_id, broker->data_dir, broker_topics_count (broker->topics));
  return g_steal_pointer (&broker);
}

static gboolean
housekeeping (gpointer user_data)
{
  Broker *broker = user_data;

  broker_topics_housekeeping (broker->topics, g_get_real_time () / 1000);
  /* __consumer_offsets only grows (commits, rebalances): re-write each
   * partition's live state once it holds more than a segment's worth. */
  if (broker->groups != NULL)
    broker_group_coordinator_compact (broker->groups, 100 * 1024 * 1024);
  return G_SOURCE_CONTINUE;
}

static gboolean
flush_dirty (gpointer user_data)
{
  Broker *broker = user_data;

  broker_topics_flush_dirty (broker->topics);
  return G_SOURCE_CONTINUE;
}

/* Writes "NAME HOST PORT" lines, atomically, for test fixtures and
 * supervisors that start us on port 0. */
static gboolean
write_ready_file (Broker     *broker,
                  const char *path,
                  GError    **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);

  for (guint i = 0; i < broker->endpoints->len; i++)
    {
      BrokerEndpoint *ep = g_ptr_array_index (broker->endpoints, i);
      g_string_append_printf (text, "%s %s %u\n", ep->name, ep->host, ep->port);
    }
  if (!g_file_set_contents (tmp, text->str, (gssize) text->len, error))
    return FALSE;
  if (g_rename (tmp, path) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot write %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* The host clients are told: advertised.listeners when set, else the
 * listener's own host, else (all interfaces) this machine's name, as
 * Kafka does. */
static char *
advertised_host (Broker                *broker,
                 const BrokerListener  *listener,
                 GPtrArray             *advertised,
                 guint16               *port)
{
  for (guint i = 0; advertised != NULL && i < advertised->len; i++)
    {
      const BrokerListener *a = g_ptr_array_index (advertised, i);
      if (g_strcmp0 (a->name, listener->name) == 0)
        {
          if (a->port != 0)
            *port = a->port;
          if (a->host != NULL && *a->host != '\0')
            return g_strdup (a->host);
        }
    }
  if (listener->host != NULL && *listener->host != '\0')
    return g_strdup (listener->host);
  return g_strdup (g_get_host_name ());
}

gboolean
broker_start (Broker      *broker,
              const char  *ready_file,
              GError     **error)
{
  BrokerConfig *config = broker->config;
  BrokerConnectionLimits limits;
  g_autoptr(GPtrArray) listeners = NULL;
  g_autoptr(GPtrArray) advertised = NULL;
  gint64 max_connections = broker_config_get_int64 (config, "max.connections");
  gint64 check_ms;
  gint64 flush_ms;

  listeners = broker_config_get_listeners (config, error);
  if (listeners == NULL)
    return FALSE;
  /* Falls back to listeners when advertised.listeners is unset. */
  advertised = broker_config_get_advertised_listeners (config, error);
  if (advertised == NULL)
    return FALSE;

  limits.max_request_size = (gsize) broker_config_get_int64 (config, "socket.request.max.bytes");
  limits.max_pending_requests = (guint) CLAMP (broker_config_get_int64 (config, "queued.max.requests"), 1, 10000);
  /* Replies wait in memory while a client does not read: cap them at a few
   * maximum-size fetches. */
  limits.max_output_bytes = 64 * 1024 * 1024;
  broker->server = broker_server_new (broker, &limits,
                                      (guint) CLAMP (max_connections, 1, G_MAXINT32),
                                      broker_config_get_int64 (config, "connections.max.idle.ms"));

  for (guint i = 0; i < listeners->len; i++)
    {
      const BrokerListener *l = g_ptr_array_index (listeners, i);
      BrokerEndpoint *ep = g_new0 (BrokerEndpoint, 1);
      guint16 bound = 0;

      if (!broker_server_listen (broker->server, l->name, l->host, l->port, &bound, error))
        {
          g_prefix_error (error, "cannot listen on %s:%u: ", *l->host ? l->host : "*", l->port);
          endpoint_free (ep);
          return FALSE;
        }
      ep->name = g_strdup (l->name);
      ep->port = bound;
      ep->host = advertised_host (broker, l, advertised, &ep->port);
      g_ptr_array_add (broker->endpoints, ep);
      broker_log_with_field (G_LOG_LEVEL_MESSAGE, "CAUDAL_LISTENER", l->name,
                             "listening on %s://%s:%u (advertised as %s:%u)", l->name,
                             *l->host ? l->host : "", bound, ep->host, ep->port);
    }
  /* Cluster mode registers the bound endpoints before we serve, so that
   * a duplicate broker.id fails the start (docs/cluster.md). */
  if (broker_config_is_set (config, "zookeeper.connect"))
    {
      broker->cluster = broker_cluster_start (broker, error);
      if (broker->cluster == NULL)
        return FALSE;
      /* The cluster's id, not the one this data dir made for itself. */
      g_free (broker->cluster_id);
      broker->cluster_id = g_strdup (broker_cluster_get_cluster_id (broker->cluster));
      broker->cluster_sync = broker_cluster_sync_new (broker);
      /* Producer ids unique across brokers: claimed in blocks. */
      broker_producers_use_blocks (broker->producers);
      broker_producer_ids_refill (broker);
    }
  broker_server_start (broker->server);

  check_ms = broker_config_get_int64 (config, "log.retention.check.interval.ms");
  broker->housekeeping_id = g_timeout_add ((guint) CLAMP (check_ms, 10, G_MAXINT32), housekeeping,
                                           broker);
  /* Kafka's default (Long.MAX_VALUE) never runs the flush scheduler. */
  flush_ms = broker_config_get_int64 (config, "log.flush.scheduler.interval.ms");
  if (flush_ms > 0 && flush_ms <= G_MAXINT32)
    broker->flush_scheduler_id = g_timeout_add ((guint) flush_ms, flush_dirty, broker);
  arm_group_timer (broker, 0);
  if (ready_file != NULL && !write_ready_file (broker, ready_file, error))
    return FALSE;
  {
    /* Type=notify: the service is up once every listener is bound. */
    g_autoptr(GError) notify_error = NULL;
    const BrokerEndpoint *ep = broker_get_endpoint (broker, NULL);
    g_autofree char *state = g_strdup_printf ("READY=1\nSTATUS=serving on %s:%u\nMAINPID=%lu",
                                              ep != NULL ? ep->host : "", ep != NULL ? ep->port : 0,
                                              (unsigned long) getpid ());
    if (!broker_sd_notify (state, &notify_error))
      g_warning ("cannot tell the service manager we are ready: %s", notify_error->message);
  }
  return TRUE;
}

const BrokerEndpoint *
broker_get_endpoint (Broker     *broker,
                     const char *listener_name)
{
  for (guint i = 0; i < broker->endpoints->len; i++)
    {
      BrokerEndpoint *ep = g_ptr_array_index (broker->endpoints, i);
      if (listener_name == NULL || g_strcmp0 (ep->name, listener_name) == 0)
        return ep;
    }
  return broker->endpoints->len > 0 ? g_ptr_array_index (broker->endpoints, 0) : NULL;
}

typedef struct
{
  Broker     *broker;
  gint64      deadline;
  GSourceFunc done;
  gpointer    user_data;
} StopState;

static gboolean
check_stopped (gpointer data)
{
  StopState *st = data;

  if (broker_server_count_connections (st->broker->server) > 0
      && g_get_monotonic_time () < st->deadline)
    return G_SOURCE_CONTINUE;
  st->done (st->user_data);
  g_free (st);
  return G_SOURCE_REMOVE;
}

void
broker_stop (Broker      *broker,
             guint        timeout_ms,
             GSourceFunc  done,
             gpointer     user_data)
{
  StopState *st = g_new0 (StopState, 1);

  broker->stopping = TRUE;
  (void) broker_sd_notify ("STOPPING=1", NULL);
  st->broker = broker;
  st->deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  st->done = done;
  st->user_data = user_data;
  if (broker->server != NULL)
    broker_server_stop_accepting (broker->server);
  /* Long polls and rebalances end now rather than at their timeouts. */
  if (broker->groups != NULL)
    broker_group_coordinator_shutdown (broker->groups);
  broker_fetch_waiters_wake_all (broker->fetch_waiters);
  if (broker->server == NULL)
    {
      done (user_data);
      g_free (st);
      return;
    }
  g_timeout_add (20, check_stopped, st);
}

void
broker_free (Broker *broker)
{
  if (broker == NULL)
    return;
  g_clear_pointer (&broker->cluster_sync, broker_cluster_sync_free);
  g_clear_pointer (&broker->cluster, broker_cluster_free);
  g_clear_handle_id (&broker->housekeeping_id, g_source_remove);
  g_clear_handle_id (&broker->flush_scheduler_id, g_source_remove);
  g_clear_pointer (&broker->server, broker_server_free);
  g_clear_pointer (&broker->fetch_waiters, broker_fetch_waiters_free);
  g_clear_handle_id (&broker->group_timer_id, g_source_remove);
  g_clear_pointer (&broker->groups, broker_group_coordinator_free);
  g_clear_pointer (&broker->group_store, broker_group_store_free);
  g_clear_pointer (&broker->topics, broker_topics_close);
  g_clear_pointer (&broker->producers, broker_producers_free);
  g_clear_pointer (&broker->store, broker_meta_store_free);
  g_ptr_array_unref (broker->endpoints);
  g_free (broker->cluster_id);
  g_free (broker->data_dir);
  g_free (broker);
}
