/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-dispatch.c: API key → handler, in one table. */

#include "broker-dispatch.h"

#include "broker-connection.h"
#include "broker-handlers.h"

typedef struct
{
  gint16        key;
  BrokerHandler handler;
} DispatchEntry;

/* The APIs caudald serves; ApiVersions advertises exactly these, at the
 * version ranges of common/wire's schemas (protocol-matrix.md). */
static const DispatchEntry table[] = {
  { CAUDAL_API_KEY_PRODUCE, broker_handle_produce },
  { CAUDAL_API_KEY_FETCH, broker_handle_fetch },
  { CAUDAL_API_KEY_LIST_OFFSETS, broker_handle_list_offsets },
  { CAUDAL_API_KEY_METADATA, broker_handle_metadata },
  { CAUDAL_API_KEY_API_VERSIONS, broker_handle_api_versions },
  { CAUDAL_API_KEY_CREATE_TOPICS, broker_handle_create_topics },
  { CAUDAL_API_KEY_DELETE_TOPICS, broker_handle_delete_topics },
  { CAUDAL_API_KEY_DELETE_RECORDS, broker_handle_delete_records },
  { CAUDAL_API_KEY_OFFSET_FOR_LEADER_EPOCH, broker_handle_offset_for_leader_epoch },
  { CAUDAL_API_KEY_INIT_PRODUCER_ID, broker_handle_init_producer_id },
  { CAUDAL_API_KEY_DESCRIBE_CONFIGS, broker_handle_describe_configs },
  { CAUDAL_API_KEY_ALTER_CONFIGS, broker_handle_alter_configs },
  { CAUDAL_API_KEY_CREATE_PARTITIONS, broker_handle_create_partitions },
  { CAUDAL_API_KEY_INCREMENTAL_ALTER_CONFIGS, broker_handle_incremental_alter_configs },
  { CAUDAL_API_KEY_DESCRIBE_CLUSTER, broker_handle_describe_cluster },
  { CAUDAL_API_KEY_DESCRIBE_LOG_DIRS, broker_handle_describe_log_dirs },
  { CAUDAL_API_KEY_OFFSET_COMMIT, broker_handle_offset_commit },
  { CAUDAL_API_KEY_OFFSET_FETCH, broker_handle_offset_fetch },
  { CAUDAL_API_KEY_FIND_COORDINATOR, broker_handle_find_coordinator },
  { CAUDAL_API_KEY_JOIN_GROUP, broker_handle_join_group },
  { CAUDAL_API_KEY_HEARTBEAT, broker_handle_heartbeat },
  { CAUDAL_API_KEY_LEAVE_GROUP, broker_handle_leave_group },
  { CAUDAL_API_KEY_SYNC_GROUP, broker_handle_sync_group },
  { CAUDAL_API_KEY_DESCRIBE_GROUPS, broker_handle_describe_groups },
  { CAUDAL_API_KEY_LIST_GROUPS, broker_handle_list_groups },
  { CAUDAL_API_KEY_DELETE_GROUPS, broker_handle_delete_groups },
  { CAUDAL_API_KEY_OFFSET_DELETE, broker_handle_offset_delete },
};

static BrokerHandler
lookup (gint16 key)
{
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (table[i].key == key)
      return table[i].handler;
  return NULL;
}

gboolean
broker_dispatch_serves (gint16 api_key)
{
  return lookup (api_key) != NULL;
}

void
broker_dispatch (BrokerRequest *req)
{
  BrokerHandler handler = lookup (req->api->key);

  if (handler == NULL)
    {
      /* Decoded but not served (transactions, ACLs, SASL until their
       * issues land): Kafka closes on APIs it does not offer. */
      g_message ("closing connection from %s: %s is not supported yet",
                 broker_request_get_peer (req), req->api->name);
      req->no_response = TRUE;
      broker_request_complete (req);
      broker_connection_close (req->conn, NULL);
      return;
    }
  handler (req);
}
