/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-leave-group.c: LeaveGroup (key 13), v0-5: one member
 * leaving (v0-2) or a batch of them (v3+, KIP-345). */

#include "broker.h"
#include "broker-group-coordinator.h"
#include "broker-group-failover.h"
#include "broker-handlers.h"
#include "caudal-error-codes.h"

void
broker_handle_leave_group (BrokerRequest *req)
{
  BrokerGroupCoordinator *coord = req->broker->groups;
  CaudalLeaveGroupRequest *body = req->body;
  CaudalLeaveGroupResponse *resp = req->response;
  CaudalLeaveGroupResponseMemberResponse *members;
  gint16 group_error;
  gint32 n;

  /* Groups that coordinate through Kafka need a name (Kafka's
   * isValidGroupId); the answer carries no members. */
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

  /* A dead group is a top-level error with no members. A group that does
   * not exist is not: Kafka answers every member with UNKNOWN_MEMBER_ID
   * and a top-level NONE (GroupCoordinator.handleLeaveGroup). */
  group_error = broker_group_check_exists (coord, body->group_id);
  if (group_error != CAUDAL_ERROR_CODE_NONE && group_error != CAUDAL_ERROR_CODE_UNKNOWN_MEMBER_ID)
    {
      resp->error_code = group_error;
      broker_request_complete (req);
      return;
    }

  if (req->version < 3)
    {
      /* One member, and the error goes top-level
       * (LeaveGroupResponse's v0-2 conversion). */
      if (group_error != CAUDAL_ERROR_CODE_NONE)
        resp->error_code = group_error;
      else
        resp->error_code = broker_group_leave (coord, body->group_id,
                                               body->member_id != NULL ? body->member_id : "",
                                               NULL, NULL);
      broker_request_complete (req);
      return;
    }

  n = MAX (body->n_members, 0);
  members = broker_request_set_array (req, &caudal_leave_group_response_desc, resp, "members",
                                      (gsize) n);
  for (gint32 i = 0; i < n; i++)
    {
      const CaudalLeaveGroupRequestMemberIdentity *in = &body->members[i];
      const char *member_id = in->member_id != NULL ? in->member_id : "";

      members[i].member_id = (char *) member_id;
      members[i].group_instance_id = in->group_instance_id;
      if (group_error != CAUDAL_ERROR_CODE_NONE)
        members[i].error_code = group_error;
      else
        members[i].error_code = broker_group_leave (coord, body->group_id, member_id,
                                                    in->group_instance_id,
                                                    /* KIP-800: v5+ */
                                                    req->version >= 5 ? in->reason : NULL);
    }
  broker_request_complete (req);
}
