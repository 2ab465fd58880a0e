/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-delete-topics.c: DeleteTopics (key 20), v1-6: by name,
 * and from v6 by topic id (KIP-516). */

#include <string.h>

#include "broker-admin-util.h"
#include "broker-cluster.h"
#include "broker-group-coordinator.h"
#include "broker-handlers.h"
#include "caudal-error-codes.h"

static const CaudalUuid zero_uuid = { { 0 } };

static gboolean
uuid_is_zero (const CaudalUuid *id)
{
  return memcmp (id, &zero_uuid, sizeof *id) == 0;
}

static guint
uuid_hash (gconstpointer p)
{
  const guint8 *b = p;
  guint h = 5381;

  for (guint i = 0; i < 16; i++)
    h = h * 33 + b[i];
  return h;
}

static gboolean
uuid_equal (gconstpointer a,
            gconstpointer b)
{
  return memcmp (a, b, sizeof (CaudalUuid)) == 0;
}

/* One entry of the request, resolved. */
typedef struct
{
  const char *name;
  CaudalUuid  id;
  BrokerTopic *topic;   /* NULL when there is an error */
  gboolean    in_cluster;  /* cluster mode: found in the ZooKeeper view */
  gint16      error_code;
  const char *error_message;
} Target;

/* Cluster mode: the deletions queued in ZooKeeper; the response goes
 * once every topic has left this broker's view (or timeout_ms). */
typedef struct
{
  BrokerRequest *req;
  guint          pending;
} DeleteBatch;

typedef struct
{
  DeleteBatch                                    *batch;
  CaudalDeleteTopicsResponseDeletableTopicResult *out;
} ClusterDelete;

static void
delete_batch_release (DeleteBatch *batch)
{
  if (--batch->pending > 0)
    return;
  broker_request_complete (batch->req);
  g_free (batch);
}

static void
on_cluster_deleted (gint16      error_code,
                    const char *message,
                    gpointer    user_data)
{
  ClusterDelete *d = user_data;

  d->out->error_code = error_code;
  d->out->error_message = message != NULL ? caudal_arena_strdup (d->batch->req->arena, message) : NULL;
  delete_batch_release (d->batch);
  g_free (d);
}

/* The brokers drop their logs when the topic leaves the view
 * (broker-cluster-sync.c); nothing is deleted here. */
static void
delete_in_cluster (BrokerRequest *req,
                   Target        *targets,
                   gint32         n)
{
  CaudalDeleteTopicsRequest *body = req->body;
  CaudalDeleteTopicsResponseDeletableTopicResult *results;
  DeleteBatch *batch = g_new0 (DeleteBatch, 1);

  batch->req = req;
  batch->pending = 1;   /* this function's own reference */
  results = broker_request_set_array (req, &caudal_delete_topics_response_desc, req->response,
                                      "responses", (gsize) n);
  for (gint32 i = 0; i < n; i++)
    {
      results[i].name = (char *) targets[i].name;
      results[i].topic_id = targets[i].id;
      results[i].error_code = targets[i].error_code;
      results[i].error_message = (char *) targets[i].error_message;
    }
  for (gint32 i = 0; i < n; i++)
    if (targets[i].in_cluster)
      {
        ClusterDelete *d = g_new0 (ClusterDelete, 1);

        d->batch = batch;
        d->out = &results[i];
        batch->pending++;
        broker_cluster_delete_topic (req->broker->cluster, targets[i].name, body->timeout_ms,
                                     on_cluster_deleted, d);
      }
  delete_batch_release (batch);
}

void
broker_handle_delete_topics (BrokerRequest *req)
{
  Broker *broker = req->broker;
  CaudalDeleteTopicsRequest *body = req->body;
  CaudalDeleteTopicsResponse *resp = req->response;
  g_autoptr(GHashTable) name_counts = broker_admin_name_counts_new ();
  g_autoptr(GHashTable) id_counts = g_hash_table_new (uuid_hash, uuid_equal);
  g_autoptr(GHashTable) deleted = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autofree Target *targets = NULL;
  CaudalDeleteTopicsResponseDeletableTopicResult *results;
  gint32 n;

  /* v1-5 carry names only; v6 carries (name, id) pairs, one of them set. */
  n = req->version >= 6 ? body->n_topics : body->n_topic_names;
  n = MAX (n, 0);
  targets = g_new0 (Target, n);
  for (gint32 i = 0; i < n; i++)
    {
      if (req->version >= 6)
        {
          targets[i].name = body->topics[i].name;
          targets[i].id = body->topics[i].topic_id;
        }
      else
        targets[i].name = body->topic_names[i];
      if (targets[i].name != NULL)
        broker_admin_name_counts_add (name_counts, targets[i].name);
      else
        g_hash_table_insert (id_counts, &targets[i].id,
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (id_counts,
                                                                                      &targets[i].id)) + 1));
    }

  /* Resolve every entry before deleting anything, so that a topic named
   * both by name and by id is deleted once and both entries succeed. */
  for (gint32 i = 0; i < n; i++)
    {
      Target *t = &targets[i];

      if (!broker_config_get_bool (broker->config, "delete.topic.enable"))
        {
          /* Kafka's wording; before v3 there was no dedicated code. */
          t->error_code = req->version >= 3 ? CAUDAL_ERROR_CODE_TOPIC_DELETION_DISABLED
                                            : CAUDAL_ERROR_CODE_INVALID_REQUEST;
          t->error_message = "Topic deletion is disabled.";
          continue;
        }
      /* The v6 checks of Kafka's ControllerApis.deleteTopics. */
      if (t->name == NULL && uuid_is_zero (&t->id))
        {
          t->error_code = CAUDAL_ERROR_CODE_INVALID_REQUEST;
          t->error_message = "Neither topic name nor id were specified.";
          continue;
        }
      if (t->name != NULL && !uuid_is_zero (&t->id))
        {
          t->error_code = CAUDAL_ERROR_CODE_INVALID_REQUEST;
          t->error_message = "You may not specify both topic name and topic id.";
          continue;
        }
      if (t->name != NULL)
        {
          if (broker_admin_name_counts_get (name_counts, t->name) > 1)
            {
              t->error_code = CAUDAL_ERROR_CODE_INVALID_REQUEST;
              t->error_message = "Duplicate topic name.";
              continue;
            }
          if (broker->cluster != NULL)
            {
              const BrokerClusterTopic *ct = broker_cluster_lookup_topic (broker->cluster, t->name);
              if (ct != NULL)
                {
                  t->in_cluster = TRUE;
                  t->id = ct->id;
                  continue;
                }
            }
          else
            t->topic = broker_topics_lookup (broker->topics, t->name);
          if (t->topic == NULL)
            {
              t->error_code = CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION;
              t->error_message = "This server does not host this topic-partition.";
              continue;
            }
        }
      else
        {
          if (GPOINTER_TO_UINT (g_hash_table_lookup (id_counts, &t->id)) > 1)
            {
              t->error_code = CAUDAL_ERROR_CODE_INVALID_REQUEST;
              t->error_message = "Duplicate topic id.";
              continue;
            }
          if (broker->cluster != NULL)
            {
              const BrokerClusterTopic *ct = broker_cluster_lookup_topic_id (broker->cluster, &t->id);
              if (ct != NULL)
                {
                  t->in_cluster = TRUE;
                  t->name = caudal_arena_strdup (req->arena, ct->name);
                  continue;
                }
            }
          else
            t->topic = broker_topics_lookup_id (broker->topics, &t->id);
          if (t->topic == NULL)
            {
              t->error_code = CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_ID;
              t->error_message = "This server does not host this topic ID.";
              continue;
            }
        }
      /* The response echoes both (v6), whichever was given. */
      t->name = caudal_arena_strdup (req->arena, t->topic->name);
      t->id = t->topic->id;
    }

  if (broker->cluster != NULL)
    {
      delete_in_cluster (req, targets, n);
      return;
    }

  for (gint32 i = 0; i < n; i++)
    {
      Target *t = &targets[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *topic_name = NULL;

      if (t->topic == NULL)
        continue;
      if (g_hash_table_contains (deleted, t->topic))
        {
          t->topic = NULL;
          continue;
        }
      topic_name = g_strdup (t->topic->name);
      if (!broker_topics_delete (broker->topics, t->topic, &error))
        {
          g_warning ("deleting topic %s: %s", t->name, error->message);
          t->error_code = broker_error_from_gerror (error);
          t->error_message = broker_error_message (req, error);
          t->topic = NULL;
          continue;
        }
      /* Its committed offsets go with it (Kafka does the same). */
      if (broker->groups != NULL)
        broker_group_coordinator_topic_deleted (broker->groups, topic_name);
      /* Only compared from now on: the topic is freed. */
      g_hash_table_add (deleted, t->topic);
      t->topic = NULL;
    }

  results = broker_request_set_array (req, &caudal_delete_topics_response_desc, resp, "responses",
                                      (gsize) n);
  for (gint32 i = 0; i < n; i++)
    {
      results[i].name = (char *) targets[i].name;
      results[i].topic_id = targets[i].id;
      results[i].error_code = targets[i].error_code;
      results[i].error_message = (char *) targets[i].error_message;
    }
  broker_request_complete (req);
}
