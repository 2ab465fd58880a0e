/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-heartbeat.c: Heartbeat (key 12), v0-4: keeps a member's
 * session alive and tells it when to rejoin. */

#include "broker.h"
#include "broker-group-coordinator.h"
#include "broker-group-failover.h"
#include "broker-handlers.h"
#include "caudal-error-codes.h"

void
broker_handle_heartbeat (BrokerRequest *req)
{
  CaudalHeartbeatRequest *body = req->body;
  CaudalHeartbeatResponse *resp = req->response;

  /* Groups that coordinate through Kafka need a name (Kafka's
   * isValidGroupId). */
  if (body->group_id == NULL || *body->group_id == '\0')
    resp->error_code = CAUDAL_ERROR_CODE_INVALID_GROUP_ID;
  else if (!broker_group_is_coordinator (req->broker, body->group_id))
    resp->error_code = CAUDAL_ERROR_CODE_NOT_COORDINATOR;
  else
    resp->error_code = broker_group_heartbeat (req->broker->groups, body->group_id,
                                               body->member_id != NULL ? body->member_id : "",
                                               /* KIP-345: v3+ */
                                               req->version >= 3 ? body->group_instance_id : NULL,
                                               body->generation_id);
  broker_request_complete (req);
}
