/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-describe-groups.c: DescribeGroups (key 15), v0-5: each
 * group's state, protocol and members with their metadata and
 * assignments. */

#include "broker.h"
#include "broker-group-coordinator.h"
#include "broker-group-failover.h"
#include "broker-handlers.h"
#include "caudal-error-codes.h"

/* AclOperation codes a GROUP resource supports (AclEntry.
 * supportedOperations): READ 3, DELETE 6, DESCRIBE 8. With no authorizer,
 * Kafka reports all of them as allowed (AuthHelper.authorizedOperations). */
#define GROUP_OPERATIONS ((1 << 3) | (1 << 6) | (1 << 8))

static CaudalBytes
keep_bytes (BrokerRequest *req,
            GBytes        *bytes)
{
  CaudalBytes out = { NULL, 0 };
  gsize len = 0;

  if (bytes == NULL)
    return out;
  /* GBytes are immutable: a reference until the encoder has copied them
   * is as good as a copy. */
  broker_request_keep (req, bytes);
  out.data = g_bytes_get_data (bytes, &len);
  out.len = (gint32) len;
  return out;
}

static char *
dup_or_empty (BrokerRequest *req,
              const char    *s)
{
  return caudal_arena_strdup (req->arena, s != NULL ? s : "");
}

static void
describe_one (BrokerRequest                              *req,
              const char                                 *group_id,
              gboolean                                    with_operations,
              CaudalDescribeGroupsResponseDescribedGroup *out)
{
  const CaudalStructDesc *group_desc =
    caudal_struct_desc_child (&caudal_describe_groups_response_desc, "groups");
  CaudalDescribeGroupsResponseDescribedGroupMember *members;
  g_autoptr(BrokerGroupDescription) desc = NULL;

  out->group_id = (char *) group_id;
  if (!broker_group_is_coordinator (req->broker, group_id))
    {
      /* DescribeGroupsResponse.groupError: empty state, protocol type and
       * protocol, no members. */
      out->error_code = CAUDAL_ERROR_CODE_NOT_COORDINATOR;
      out->group_state = (char *) "";
      out->protocol_type = (char *) "";
      out->protocol_data = (char *) "";
      return;
    }
  /* Unknown groups come back Dead with no error, as Kafka answers. The
   * strings are borrowed until the next call into the coordinator, so
   * they are copied before the next group. */
  desc = broker_group_describe (req->broker->groups, group_id);
  out->error_code = desc->error;
  out->group_state = dup_or_empty (req, desc->state);
  out->protocol_type = dup_or_empty (req, desc->protocol_type);
  out->protocol_data = dup_or_empty (req, desc->protocol);
  members = broker_request_set_array (req, group_desc, out, "members", desc->n_members);
  for (guint i = 0; i < desc->n_members; i++)
    {
      const BrokerMemberDescription *m = &desc->members[i];

      members[i].member_id = dup_or_empty (req, m->member_id);
      /* v4+ (KIP-345); the encoder drops it before. */
      members[i].group_instance_id = m->group_instance_id != NULL
                                     ? caudal_arena_strdup (req->arena, m->group_instance_id)
                                     : NULL;
      members[i].client_id = dup_or_empty (req, m->client_id);
      members[i].client_host = dup_or_empty (req, m->client_host);
      members[i].member_metadata = keep_bytes (req, m->metadata);
      members[i].member_assignment = keep_bytes (req, m->assignment);
    }
  /* v3+ (KIP-430): only when asked and only for groups described without
   * error; otherwise the schema default, INT32_MIN. */
  if (with_operations && desc->error == CAUDAL_ERROR_CODE_NONE)
    out->authorized_operations = GROUP_OPERATIONS;
}

void
broker_handle_describe_groups (BrokerRequest *req)
{
  CaudalDescribeGroupsRequest *body = req->body;
  CaudalDescribeGroupsResponse *resp = req->response;
  CaudalDescribeGroupsResponseDescribedGroup *groups;
  gint32 n = MAX (body->n_groups, 0);
  gboolean with_operations = req->version >= 3 && body->include_authorized_operations;

  groups = broker_request_set_array (req, &caudal_describe_groups_response_desc, resp, "groups",
                                     (gsize) n);
  /* An empty id is described too (Dead): Kafka's isValidGroupId lets it
   * through for DescribeGroups. */
  for (gint32 i = 0; i < n; i++)
    describe_one (req, body->groups[i] != NULL ? body->groups[i] : "", with_operations, &groups[i]);
  broker_request_complete (req);
}
