/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-create-partitions.c: CreatePartitions (key 37), v0-3:
 * raises topics' partition counts. */

#include "broker-admin-util.h"
#include "broker-cluster.h"
#include "broker-handlers.h"
#include "caudal-error-codes.h"

/* Cluster mode: the checks of check_topic() against the ZooKeeper view,
 * then the new partitions' replicas (as given, or placed like a new
 * topic's from partition `current` on) in *out. */
static gint16
check_cluster_topic (BrokerRequest                                            *req,
                     const CaudalCreatePartitionsRequestCreatePartitionsTopic *want,
                     GPtrArray                                               **out,
                     char                                                    **message)
{
  BrokerCluster *cluster = req->broker->cluster;
  const BrokerClusterTopic *topic = broker_cluster_lookup_topic (cluster, want->name);
  const BrokerClusterPartition *first;
  g_autoptr(GPtrArray) assignments = NULL;
  g_autoptr(GError) error = NULL;
  gint32 current, additional, rf;

  if (topic == NULL || topic->partitions->len == 0)
    return CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION;
  current = (gint32) topic->partitions->len;
  first = g_ptr_array_index (topic->partitions, 0);
  rf = (gint32) first->replicas->len;
  if (want->count == current)
    {
      *message = broker_request_printf (req, "Topic already has %d partition(s).", current);
      return CAUDAL_ERROR_CODE_INVALID_PARTITIONS;
    }
  if (want->count < current)
    {
      *message = broker_request_printf (req, "The topic %s currently has %d partition(s); %d "
                                        "would not be an increase.", want->name, current,
                                        want->count);
      return CAUDAL_ERROR_CODE_INVALID_PARTITIONS;
    }
  additional = want->count - current;
  if (want->n_assignments >= 0)
    {
      if (want->n_assignments != additional)
        {
          *message = broker_request_printf (req, "Attempted to add %d additional partition(s), but "
                                            "only %d assignment(s) were specified.",
                                            additional, want->n_assignments);
          return CAUDAL_ERROR_CODE_INVALID_REPLICA_ASSIGNMENT;
        }
      assignments = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
      for (gint32 i = 0; i < want->n_assignments; i++)
        {
          const CaudalCreatePartitionsRequestCreatePartitionsAssignment *a = &want->assignments[i];
          g_autofree char *text = NULL;
          GArray *replicas;
          gint16 code = broker_cluster_check_assignment (cluster, a->broker_ids, a->n_broker_ids, rf, &text);

          if (code != CAUDAL_ERROR_CODE_NONE)
            {
              *message = broker_request_printf (req, "%s", text);
              return code;
            }
          replicas = g_array_new (FALSE, FALSE, sizeof (gint32));
          g_array_append_vals (replicas, a->broker_ids, (guint) a->n_broker_ids);
          g_ptr_array_add (assignments, replicas);
        }
    }
  else
    {
      assignments = broker_cluster_assign_replicas (cluster, additional, rf, current, &error);
      if (assignments == NULL)
        {
          *message = broker_error_message (req, error);
          return CAUDAL_ERROR_CODE_INVALID_REPLICATION_FACTOR;
        }
    }
  *out = g_steal_pointer (&assignments);
  return CAUDAL_ERROR_CODE_NONE;
}

typedef struct
{
  BrokerRequest *req;
  guint          pending;
} PartitionsBatch;

typedef struct
{
  PartitionsBatch                                           *batch;
  CaudalCreatePartitionsResponseCreatePartitionsTopicResult *out;
} ClusterAdd;

static void
partitions_batch_release (PartitionsBatch *batch)
{
  if (--batch->pending > 0)
    return;
  broker_request_complete (batch->req);
  g_free (batch);
}

static void
on_cluster_added (gint16      error_code,
                  const char *message,
                  gpointer    user_data)
{
  ClusterAdd *a = user_data;

  a->out->error_code = error_code;
  a->out->error_message = message != NULL ? caudal_arena_strdup (a->batch->req->arena, message) : NULL;
  partitions_batch_release (a->batch);
  g_free (a);
}

/* The checks and messages of Kafka's
 * ReplicationControlManager.createPartitions. */
static gint16
check_topic (BrokerRequest                                            *req,
             const CaudalCreatePartitionsRequestCreatePartitionsTopic *want,
             BrokerTopic                                             **out,
             char                                                    **message)
{
  BrokerTopic *topic = broker_topics_lookup (req->broker->topics, want->name);
  gint32 current;
  gint32 additional;

  if (topic == NULL)
    return CAUDAL_ERROR_CODE_UNKNOWN_TOPIC_OR_PARTITION;
  current = (gint32) topic->partitions->len;
  if (want->count == current)
    {
      *message = broker_request_printf (req, "Topic already has %d partition(s).", current);
      return CAUDAL_ERROR_CODE_INVALID_PARTITIONS;
    }
  if (want->count < current)
    {
      *message = broker_request_printf (req, "The topic %s currently has %d partition(s); %d "
                                        "would not be an increase.", want->name, current,
                                        want->count);
      return CAUDAL_ERROR_CODE_INVALID_PARTITIONS;
    }
  additional = want->count - current;
  /* assignments: null for automatic placement, else one per new
   * partition, each with as many replicas as the existing ones (1). */
  if (want->n_assignments >= 0)
    {
      if (want->n_assignments != additional)
        {
          *message = broker_request_printf (req, "Attempted to add %d additional partition(s), but "
                                            "only %d assignment(s) were specified.",
                                            additional, want->n_assignments);
          return CAUDAL_ERROR_CODE_INVALID_REPLICA_ASSIGNMENT;
        }
      for (gint32 i = 0; i < want->n_assignments; i++)
        {
          const CaudalCreatePartitionsRequestCreatePartitionsAssignment *a = &want->assignments[i];
          gint16 code = broker_admin_check_replicas (req, a->broker_ids, a->n_broker_ids, 1, message);

          if (code != CAUDAL_ERROR_CODE_NONE)
            return code;
        }
    }
  *out = topic;
  return CAUDAL_ERROR_CODE_NONE;
}

void
broker_handle_create_partitions (BrokerRequest *req)
{
  CaudalCreatePartitionsRequest *body = req->body;
  CaudalCreatePartitionsResponse *resp = req->response;
  g_autoptr(GHashTable) counts = broker_admin_name_counts_new ();
  g_autoptr(GHashTable) answered = g_hash_table_new (g_str_hash, g_str_equal);
  CaudalCreatePartitionsResponseCreatePartitionsTopicResult *results;
  gint32 n_results = 0;
  PartitionsBatch *batch = NULL;

  if (req->broker->cluster != NULL)
    {
      batch = g_new0 (PartitionsBatch, 1);
      batch->req = req;
      batch->pending = 1;   /* this loop's own reference */
    }

  for (gint32 i = 0; i < body->n_topics; i++)
    broker_admin_name_counts_add (counts, body->topics[i].name);

  results = broker_request_set_array (req, &caudal_create_partitions_response_desc, resp, "results",
                                      (gsize) MAX (body->n_topics, 0));
  for (gint32 i = 0; i < body->n_topics; i++)
    {
      const CaudalCreatePartitionsRequestCreatePartitionsTopic *want = &body->topics[i];
      CaudalCreatePartitionsResponseCreatePartitionsTopicResult *out;
      g_autoptr(GError) error = NULL;
      BrokerTopic *topic = NULL;
      char *message = NULL;
      gint16 code;

      /* One result per name, as from Kafka's ControllerApis. */
      if (want->name != NULL && !g_hash_table_add (answered, want->name))
        continue;
      out = &results[n_results++];
      out->name = want->name;

      if (broker_admin_name_counts_get (counts, want->name) > 1)
        {
          code = CAUDAL_ERROR_CODE_INVALID_REQUEST;
          message = (char *) "Duplicate topic name.";
        }
      else if (batch != NULL)
        {
          g_autoptr(GPtrArray) assignments = NULL;

          code = check_cluster_topic (req, want, &assignments, &message);
          if (code == CAUDAL_ERROR_CODE_NONE && !body->validate_only)
            {
              /* Answered once this broker has read every new partition's
               * state, or after timeout_ms. */
              ClusterAdd *a = g_new0 (ClusterAdd, 1);

              a->batch = batch;
              a->out = out;
              batch->pending++;
              broker_cluster_add_partitions (req->broker->cluster, want->name, assignments,
                                             body->timeout_ms, on_cluster_added, a);
              continue;
            }
          out->error_code = code;
          out->error_message = message;
          continue;
        }
      else
        code = check_topic (req, want, &topic, &message);

      if (code == CAUDAL_ERROR_CODE_NONE && !body->validate_only
          && !broker_topics_add_partitions (req->broker->topics, topic, want->count, &error))
        {
          g_warning ("adding partitions to topic %s: %s", want->name, error->message);
          code = broker_error_from_gerror (error);
          message = broker_error_message (req, error);
        }
      out->error_code = code;
      out->error_message = message;
    }
  resp->n_results = n_results;
  if (batch != NULL)
    partitions_batch_release (batch);
  else
    broker_request_complete (req);
}
