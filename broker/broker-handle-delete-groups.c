/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-delete-groups.c: DeleteGroups (key 42), v0-2: deletes
 * empty groups and their committed offsets. */

#include "broker.h"
#include "broker-group-coordinator.h"
#include "broker-group-failover.h"
#include "broker-handlers.h"
#include "caudal-error-codes.h"

void
broker_handle_delete_groups (BrokerRequest *req)
{
  CaudalDeleteGroupsRequest *body = req->body;
  CaudalDeleteGroupsResponse *resp = req->response;
  CaudalDeleteGroupsResponseDeletableGroupResult *results;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gint32 n = MAX (body->n_groups_names, 0);
  guint n_distinct = 0;

  /* A name given twice is deleted, and answered, once (KafkaApis
   * .handleDeleteGroupsRequest takes the distinct names). */
  for (gint32 i = 0; i < n; i++)
    if (body->groups_names[i] != NULL && g_hash_table_add (seen, body->groups_names[i]))
      n_distinct++;

  results = broker_request_set_array (req, &caudal_delete_groups_response_desc, resp, "results",
                                      n_distinct);
  g_hash_table_remove_all (seen);
  for (gint32 i = 0, k = 0; i < n; i++)
    {
      char *group_id = body->groups_names[i];

      if (group_id == NULL || !g_hash_table_add (seen, group_id))
        continue;
      results[k].group_id = group_id;
      /* GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP or NONE. An empty id is
       * looked up like any other, as Kafka does for DeleteGroups. */
      if (!broker_group_is_coordinator (req->broker, group_id))
        results[k].error_code = CAUDAL_ERROR_CODE_NOT_COORDINATOR;
      else
        results[k].error_code = broker_group_delete (req->broker->groups, group_id);
      k++;
    }
  broker_request_complete (req);
}
