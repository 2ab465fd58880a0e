/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-create-partitions.c: CreatePartitions (key 37), v0-3:
 * raises topics' partition counts. */

#include "broker-admin-util.h"
#include "broker-handlers.h"
#include "caudal-error-codes.h"

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
  broker_request_complete (req);
}
