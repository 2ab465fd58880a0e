/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-join-group.c: JoinGroup (key 11), v0-9: hands the member to
 * the group coordinator and answers when its rebalance completes. */

#include <string.h>

#include "broker.h"
#include "broker-admin-util.h"
#include "broker-group-coordinator.h"
#include "broker-group-failover.h"
#include "broker-handlers.h"
#include "caudal-error-codes.h"

typedef struct
{
  BrokerRequest *req;
  gboolean       in_call;    /* still inside broker_group_join() */
  gboolean       answered;
} JoinState;

static char *
dup_or_null (BrokerRequest *req,
             const char    *s)
{
  return s != NULL ? caudal_arena_strdup (req->arena, s) : NULL;
}

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

/* Kafka's clientHost is the peer's InetAddress.toString(): "/" and the
 * address, IPv6 in Java's uncompressed form ("/0:0:0:0:0:0:0:1") and
 * IPv4-mapped addresses as IPv4. DescribeGroups shows it, and tools print
 * it as is. @peer is "ip:port" or "[ipv6]:port". */
static char *
client_host (BrokerRequest *req)
{
  const char *peer = broker_request_get_peer (req);
  g_autofree char *host = NULL;
  g_autoptr(GInetAddress) addr = NULL;
  char *scope;
  const guint8 *b;
  static const guint8 v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

  if (peer == NULL)
    return (char *) "";
  if (peer[0] == '[')
    {
      const char *end = strchr (peer, ']');
      host = end != NULL ? g_strndup (peer + 1, (gsize) (end - peer - 1)) : g_strdup (peer + 1);
    }
  else
    {
      const char *colon = strrchr (peer, ':');
      host = colon != NULL ? g_strndup (peer, (gsize) (colon - peer)) : g_strdup (peer);
    }

  /* A link-local address's zone ("fe80::1%eth0"): Java prints it too. */
  scope = strchr (host, '%');
  if (scope != NULL)
    *scope++ = '\0';
  addr = g_inet_address_new_from_string (host);
  if (addr == NULL || g_inet_address_get_family (addr) != G_SOCKET_FAMILY_IPV6)
    return broker_request_printf (req, "/%s", host);

  b = g_inet_address_to_bytes (addr);
  if (memcmp (b, v4_mapped, sizeof v4_mapped) == 0)
    return broker_request_printf (req, "/%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
  return broker_request_printf (req, "/%x:%x:%x:%x:%x:%x:%x:%x%s%s",
                                (b[0] << 8) | b[1], (b[2] << 8) | b[3],
                                (b[4] << 8) | b[5], (b[6] << 8) | b[7],
                                (b[8] << 8) | b[9], (b[10] << 8) | b[11],
                                (b[12] << 8) | b[13], (b[14] << 8) | b[15],
                                scope != NULL ? "%" : "",
                                scope != NULL ? scope : "");
}

static void
finish (JoinState *state)
{
  BrokerRequest *req = state->req;

  g_free (state);
  broker_request_complete (req);
}

static void
on_joined (const BrokerJoinResult *result,
           gpointer                user_data)
{
  JoinState *state = user_data;
  BrokerRequest *req = state->req;
  CaudalJoinGroupResponse *resp = req->response;
  CaudalJoinGroupResponseJoinGroupResponseMember *members;

  g_return_if_fail (!state->answered);

  /* The result lives only during this call: copy what it points to. */
  resp->error_code = result->error;
  resp->generation_id = result->generation;
  /* Nullable from v7 (null on errors, as Kafka's Option.orNull); older
   * versions encode a null as "". */
  resp->protocol_type = dup_or_null (req, result->protocol_type);
  resp->protocol_name = dup_or_null (req, result->protocol_name);
  resp->leader = caudal_arena_strdup (req->arena, result->leader != NULL ? result->leader : "");
  resp->member_id = caudal_arena_strdup (req->arena, result->member_id != NULL ? result->member_id : "");
  /* v9 only (KIP-814); the encoder drops it before. */
  resp->skip_assignment = result->skip_assignment;

  members = broker_request_set_array (req, &caudal_join_group_response_desc, resp, "members",
                                      result->n_members);
  for (guint i = 0; i < result->n_members; i++)
    {
      const BrokerJoinMember *m = &result->members[i];

      members[i].member_id = caudal_arena_strdup (req->arena, m->member_id != NULL ? m->member_id : "");
      /* v5+; dropped by the encoder before. */
      members[i].group_instance_id = dup_or_null (req, m->group_instance_id);
      members[i].metadata = keep_bytes (req, m->metadata);
    }

  state->answered = TRUE;
  /* When the coordinator answers at once, complete only after it has
   * returned: completing may free the request, whose strings the
   * coordinator was given. */
  if (!state->in_call)
    finish (state);
}

void
broker_handle_join_group (BrokerRequest *req)
{
  CaudalJoinGroupRequest *body = req->body;
  BrokerJoinRequest join = { 0 };
  BrokerGroupProtocol *protocols = NULL;
  guint n_protocols = (guint) MAX (body->n_protocols, 0);
  JoinState *state;

  if (n_protocols > 0)
    protocols = caudal_arena_alloc (req->arena, n_protocols * sizeof *protocols);
  for (guint i = 0; i < n_protocols; i++)
    {
      const CaudalJoinGroupRequestJoinGroupRequestProtocol *p = &body->protocols[i];

      protocols[i].name = p->name;
      protocols[i].metadata = p->metadata.data;
      protocols[i].metadata_len = p->metadata.len > 0 ? (gsize) p->metadata.len : 0;
    }

  join.group_id = body->group_id != NULL ? body->group_id : "";
  join.member_id = body->member_id != NULL ? body->member_id : "";
  /* Static membership (KIP-345) is v5+. */
  join.group_instance_id = req->version >= 5 ? body->group_instance_id : NULL;
  join.client_id = req->header.client_id != NULL ? req->header.client_id : "";
  join.client_host = client_host (req);
  join.protocol_type = body->protocol_type != NULL ? body->protocol_type : "";
  join.session_timeout_ms = body->session_timeout_ms;
  /* v0 has no rebalance timeout: Kafka uses the session timeout
   * (JoinGroupRequest.maybeOverrideRebalanceTimeout). */
  join.rebalance_timeout_ms = req->version >= 1 ? body->rebalance_timeout_ms : body->session_timeout_ms;
  join.protocols = protocols;
  join.n_protocols = n_protocols;
  /* KIP-394: v4+ clients expect MEMBER_ID_REQUIRED on their first join,
   * except static members, which keep their place by instance id
   * (GroupCoordinatorAdapter.joinGroup). */
  join.require_known_member_id = req->version >= 4 && join.group_instance_id == NULL;
  join.reason = req->version >= 8 ? body->reason : NULL;

  state = g_new0 (JoinState, 1);
  state->req = req;
  state->in_call = TRUE;
  /* Cluster mode: another broker leads the group's partition (an empty
   * id still gets the coordinator's INVALID_GROUP_ID, Kafka's order). */
  if (*join.group_id != '\0' && !broker_group_is_coordinator (req->broker, join.group_id))
    {
      BrokerJoinResult result = { 0 };

      result.error = CAUDAL_ERROR_CODE_NOT_COORDINATOR;
      result.generation = -1;
      result.member_id = join.member_id;
      result.leader = "";
      on_joined (&result, state);
    }
  else
    broker_group_join (req->broker->groups, &join, on_joined, state);
  state->in_call = FALSE;
  if (state->answered)
    finish (state);
}
