/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-handle-list-groups.c: ListGroups (key 16), v0-4: every group
 * this broker coordinates (in cluster mode those of the __consumer_offsets
 * partitions it leads, as Kafka's brokers each list their own),
 * optionally only those in given states (v4, KIP-518). */

#include "broker.h"
#include "broker-group-coordinator.h"
#include "broker-handlers.h"
#include "caudal-error-codes.h"

/* Whether @state passes the filter: an empty one lets everything through;
 * names match whatever their case ("stable", "STABLE"), as the group
 * coordinator lower-cases both sides. */
static gboolean
state_wanted (const CaudalListGroupsRequest *body,
              const char                    *state)
{
  if (body->n_states_filter <= 0)
    return TRUE;
  for (gint32 i = 0; i < body->n_states_filter; i++)
    if (body->states_filter[i] != NULL && state != NULL
        && g_ascii_strcasecmp (body->states_filter[i], state) == 0)
      return TRUE;
  return FALSE;
}

void
broker_handle_list_groups (BrokerRequest *req)
{
  CaudalListGroupsRequest *body = req->body;
  CaudalListGroupsResponse *resp = req->response;
  CaudalListGroupsResponseListedGroup *out;
  g_autoptr(GArray) all = broker_group_list (req->broker->groups);
  guint n = 0;

  /* states_filter is v4; the decoder leaves it empty before. */
  for (guint i = 0; i < all->len; i++)
    if (state_wanted (body, g_array_index (all, BrokerGroupListing, i).state))
      n++;

  resp->error_code = CAUDAL_ERROR_CODE_NONE;
  out = broker_request_set_array (req, &caudal_list_groups_response_desc, resp, "groups", n);
  for (guint i = 0, k = 0; i < all->len; i++)
    {
      const BrokerGroupListing *g = &g_array_index (all, BrokerGroupListing, i);

      if (!state_wanted (body, g->state))
        continue;
      /* Borrowed from the coordinator: copy. */
      out[k].group_id = caudal_arena_strdup (req->arena, g->group_id);
      out[k].protocol_type = caudal_arena_strdup (req->arena, g->protocol_type != NULL ? g->protocol_type : "");
      /* v4 only; the encoder drops it before. */
      out[k].group_state = caudal_arena_strdup (req->arena, g->state != NULL ? g->state : "");
      k++;
    }
  broker_request_complete (req);
}
