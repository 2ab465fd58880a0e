/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-group-admin.c: ListGroups, DescribeGroups and DeleteGroups views
 * of the coordinator. */

#include "broker-group-private.h"

#include <string.h>

#include "caudal-error-codes.h"

static gint
compare_listings (gconstpointer a,
                  gconstpointer b)
{
  return strcmp (((const BrokerGroupListing *) a)->group_id, ((const BrokerGroupListing *) b)->group_id);
}

GArray *
broker_group_list (BrokerGroupCoordinator *coord)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (BrokerGroupListing));
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, coord->groups);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Group *group = value;
      BrokerGroupListing l;

      if (group->state == GROUP_DEAD)
        continue;
      l.group_id = group->group_id;
      /* An empty group keeps no protocol type: Kafka lists it as "". */
      l.protocol_type = group->protocol_type != NULL ? group->protocol_type : "";
      l.state = group_state_name (group->state);
      g_array_append_val (out, l);
    }
  g_array_sort (out, compare_listings);
  return out;
}

BrokerGroupDescription *
broker_group_describe (BrokerGroupCoordinator *coord,
                       const char             *group_id)
{
  Group *group = coordinator_get_group (coord, group_id);
  BrokerGroupDescription *desc = g_new0 (BrokerGroupDescription, 1);

  desc->error = CAUDAL_ERROR_CODE_NONE;
  desc->group_id = group_id;
  if (group == NULL)
    {
      /* Kafka: an unknown group is described as Dead, without error. */
      desc->state = group_state_name (GROUP_DEAD);
      desc->protocol_type = "";
      desc->protocol = "";
      return desc;
    }
  desc->state = group_state_name (group->state);
  desc->protocol_type = group->protocol_type != NULL ? group->protocol_type : "";
  /* The protocol is only meaningful once a rebalance chose it. */
  desc->protocol = group->state == GROUP_STABLE && group->protocol != NULL ? group->protocol : "";
  desc->n_members = group->member_order->len;
  desc->members = g_new0 (BrokerMemberDescription, MAX (desc->n_members, 1));
  for (guint i = 0; i < group->member_order->len; i++)
    {
      GroupMember *m = g_ptr_array_index (group->member_order, i);
      BrokerMemberDescription *d = &desc->members[i];

      d->member_id = m->member_id;
      d->group_instance_id = m->group_instance_id;
      d->client_id = m->client_id;
      d->client_host = m->client_host;
      /* Metadata and assignment are shown for a Stable group only, as
       * Kafka's GroupMetadata.summary does. */
      if (group->state == GROUP_STABLE)
        {
          GBytes *meta = member_metadata_for (m, group->protocol);
          d->metadata = meta != NULL ? g_bytes_ref (meta) : g_bytes_new (NULL, 0);
          d->assignment = g_bytes_ref (m->assignment);
        }
      else
        {
          d->metadata = g_bytes_new (NULL, 0);
          d->assignment = g_bytes_new (NULL, 0);
        }
    }
  return desc;
}

void
broker_group_description_free (BrokerGroupDescription *desc)
{
  if (desc == NULL)
    return;
  for (guint i = 0; i < desc->n_members; i++)
    {
      g_bytes_unref (desc->members[i].metadata);
      g_bytes_unref (desc->members[i].assignment);
    }
  g_free (desc->members);
  g_free (desc);
}

gint16
broker_group_delete (BrokerGroupCoordinator *coord,
                     const char             *group_id)
{
  Group *group = coordinator_get_group (coord, group_id);

  if (group == NULL || group->state == GROUP_DEAD)
    return CAUDAL_ERROR_CODE_GROUP_ID_NOT_FOUND;
  if (group->state != GROUP_EMPTY)
    return CAUDAL_ERROR_CODE_NON_EMPTY_GROUP;

  /* Offsets first, then the group's tombstone, as Kafka writes them. */
  coordinator_remove_all_offsets (coord, group);
  group->state = GROUP_DEAD;
  group_persist (coord, group);
  coordinator_remove_group (coord, group);
  g_message ("group %s deleted", group_id);
  return CAUDAL_ERROR_CODE_NONE;
}
