/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-sync-group.c: SyncGroup (key 14), v0-5: the leader's
 * assignments go to the coordinator byte for byte; every member gets its
 * own once the group is stable. */

#include "broker.h"
#include "broker-group-coordinator.h"
#include "broker-group-failover.h"
#include "broker-handlers.h"
#include "caudal-error-codes.h"

typedef struct
{
  BrokerRequest *req;
  gboolean       in_call;    /* still inside broker_group_sync() */
  gboolean       answered;
} SyncState;

static char *
dup_or_null (BrokerRequest *req,
             const char    *s)
{
  return s != NULL ? caudal_arena_strdup (req->arena, s) : NULL;
}

static void
finish (SyncState *state)
{
  BrokerRequest *req = state->req;

  g_free (state);
  broker_request_complete (req);
}

static void
on_synced (const BrokerSyncResult *result,
           gpointer                user_data)
{
  SyncState *state = user_data;
  BrokerRequest *req = state->req;
  CaudalSyncGroupResponse *resp = req->response;

  g_return_if_fail (!state->answered);

  resp->error_code = result->error;
  /* v5 only (KIP-559); copied, the result lives only during this call. */
  resp->protocol_type = dup_or_null (req, result->protocol_type);
  resp->protocol_name = dup_or_null (req, result->protocol_name);
  if (result->assignment != NULL)
    {
      gsize len = 0;

      /* The consumer protocol bytes exactly as the leader sent them
       * (protocol-matrix.md, gotcha 10). GBytes are immutable, so a
       * reference until encoding is as good as a copy. */
      broker_request_keep (req, result->assignment);
      resp->assignment.data = g_bytes_get_data (result->assignment, &len);
      resp->assignment.len = (gint32) len;
    }

  state->answered = TRUE;
  /* An answer given at once completes after broker_group_sync() returns:
   * completing may free the request the coordinator still points into. */
  if (!state->in_call)
    finish (state);
}

void
broker_handle_sync_group (BrokerRequest *req)
{
  CaudalSyncGroupRequest *body = req->body;
  CaudalSyncGroupResponse *resp = req->response;
  BrokerSyncRequest sync = { 0 };
  BrokerSyncAssignment *assignments = NULL;
  guint n_assignments = (guint) MAX (body->n_assignments, 0);
  SyncState *state;

  /* From v5 the protocol type and name are mandatory: Kafka refuses a
   * request without them before asking the coordinator
   * (SyncGroupRequest.areMandatoryProtocolTypeAndNamePresent). */
  if (req->version >= 5 && (body->protocol_type == NULL || body->protocol_name == NULL))
    {
      resp->error_code = CAUDAL_ERROR_CODE_INCONSISTENT_GROUP_PROTOCOL;
      broker_request_complete (req);
      return;
    }
  /* Groups that coordinate through Kafka need a name (Kafka's
   * isValidGroupId). */
  if (body->group_id == NULL || *body->group_id == '\0')
    {
      resp->error_code = CAUDAL_ERROR_CODE_INVALID_GROUP_ID;
      broker_request_complete (req);
      return;
    }

  if (!broker_group_is_coordinator (req->broker, body->group_id))
    {
      resp->error_code = CAUDAL_ERROR_CODE_NOT_COORDINATOR;
      broker_request_complete (req);
      return;
    }

  if (n_assignments > 0)
    assignments = caudal_arena_alloc (req->arena, n_assignments * sizeof *assignments);
  for (guint i = 0; i < n_assignments; i++)
    {
      const CaudalSyncGroupRequestSyncGroupRequestAssignment *a = &body->assignments[i];

      assignments[i].member_id = a->member_id != NULL ? a->member_id : "";
      assignments[i].assignment = a->assignment.data;
      assignments[i].assignment_len = a->assignment.len > 0 ? (gsize) a->assignment.len : 0;
    }

  sync.group_id = body->group_id;
  sync.member_id = body->member_id != NULL ? body->member_id : "";
  /* Static membership (KIP-345) is v3+; the protocol checks (KIP-559) v5+. */
  sync.group_instance_id = req->version >= 3 ? body->group_instance_id : NULL;
  sync.protocol_type = req->version >= 5 ? body->protocol_type : NULL;
  sync.protocol_name = req->version >= 5 ? body->protocol_name : NULL;
  sync.generation = body->generation_id;
  sync.assignments = assignments;
  sync.n_assignments = n_assignments;

  state = g_new0 (SyncState, 1);
  state->req = req;
  state->in_call = TRUE;
  broker_group_sync (req->broker->groups, &sync, on_synced, state);
  state->in_call = FALSE;
  if (state->answered)
    finish (state);
}
