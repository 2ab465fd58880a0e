/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-consumer-groups-describe.c: `consumer-groups --describe`: the
 * offsets table (the default), --members [--verbose] and --state, in
 * Kafka 3.x's column layout. */

#include <string.h>

#include "cli-consumer-groups.h"

/* ---- --describe ---- */

/* Kafka's shouldPrintMemberState(): the state notes, and whether to print
 * the table. Returns -1 when the group does not exist. */
static int
member_state_check (const char *group,
                    const char *state,
                    guint       n_rows)
{
  if (strcmp (state, "Dead") == 0)
    {
      g_autofree char *msg = g_strdup_printf (_("Consumer group '%s' does not exist."), group);
      cli_groups_print_error (msg);
      return -1;
    }
  if (strcmp (state, "Empty") == 0)
    {
      g_printerr ("\n");
      g_printerr (_("Consumer group '%s' has no active members.\n"), group);
    }
  else if (strcmp (state, "PreparingRebalance") == 0 || strcmp (state, "CompletingRebalance") == 0 ||
           strcmp (state, "Assigning") == 0 || strcmp (state, "Reconciling") == 0)
    {
      g_printerr ("\n");
      g_printerr (_("Warning: Consumer group '%s' is rebalancing.\n"), group);
    }
  return n_rows > 0;
}

static int
member_compare_by_size (gconstpointer a,
                        gconstpointer b)
{
  const Member *x = *(const Member *const *) a;
  const Member *y = *(const Member *const *) b;

  return (x->parts->len < y->parts->len) - (x->parts->len > y->parts->len);
}


static int
describe_offsets (CaudalCluster *cluster,
                  GroupInfo     *g)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) committed = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (cli_groups_part_row_free);
  g_autoptr(GPtrArray) members = g_ptr_array_new ();
  g_autoptr(GHashTable) by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gsize w_group = 15, w_topic = 15, w_consumer = 15, w_host = 15;
  int check;

  if (strcmp (g->state, "Dead") != 0)
    {
      committed = cli_groups_fetch_committed (cluster, &g->coordinator, g->group, &error);
      if (committed == NULL)
        {
          cli_groups_print_failure (error);
          return CLI_EXIT_ERROR;
        }
    }
  else
    committed = g_ptr_array_new_with_free_func (cli_groups_part_row_free);
  for (guint i = 0; i < committed->len; i++)
    {
      PartRow *c = g_ptr_array_index (committed, i);
      g_hash_table_insert (by_key, cli_groups_part_key (c->topic, c->partition), c);
    }

  /* Members with partitions, the most partitions first (Scala's sortBy
   * is stable, and so is g_ptr_array_sort), each one's partitions by
   * topic and partition; then committed partitions nobody owns. */
  for (guint i = 0; i < g->members->len; i++)
    {
      Member *m = g_ptr_array_index (g->members, i);
      if (m->parts->len > 0)
        g_ptr_array_add (members, m);
    }
  g_ptr_array_sort (members, member_compare_by_size);
  for (guint i = 0; i < members->len; i++)
    {
      Member *m = g_ptr_array_index (members, i);

      for (guint p = 0; p < m->parts->len; p++)
        {
          PartRow *a = g_ptr_array_index (m->parts, p);
          PartRow *r = cli_groups_part_row_new (a->topic, a->partition);
          g_autofree char *key = cli_groups_part_key (a->topic, a->partition);
          PartRow *c = g_hash_table_lookup (by_key, key);

          if (c != NULL)
            {
              r->committed = c->committed;
              c->value = 0;   /* owned */
            }
          r->consumer_id = m->member_id;
          r->host = m->host;
          r->client_id = m->client_id;
          g_ptr_array_add (rows, r);
        }
    }
  for (guint i = 0; i < committed->len; i++)
    {
      PartRow *c = g_ptr_array_index (committed, i);
      PartRow *r;

      if (c->value == 0)
        continue;
      r = cli_groups_part_row_new (c->topic, c->partition);
      r->committed = c->committed;
      r->consumer_id = r->host = r->client_id = MISSING;
      g_ptr_array_add (rows, r);
    }

  check = member_state_check (g->group, g->state, rows->len);
  if (check < 0)
    return CLI_EXIT_ERROR;
  if (check == 0)
    return CLI_EXIT_OK;

  if (!cli_groups_list_offsets (cluster, rows, TS_LATEST, &error))
    {
      cli_groups_print_failure (error);
      return CLI_EXIT_ERROR;
    }
  for (guint i = 0; i < rows->len; i++)
    {
      PartRow *r = g_ptr_array_index (rows, i);

      r->log_end = r->value;
      w_group = MAX (w_group, strlen (g->group));
      w_topic = MAX (w_topic, strlen (r->topic));
      w_consumer = MAX (w_consumer, strlen (r->consumer_id));
      w_host = MAX (w_host, strlen (r->host));
    }
  /* Kafka's tables, which scripts parse: never translated. */
#define OFFSETS_FORMAT "%-*s %-*s %-10s %-15s %-15s %-15s %-*s %-*s %s\n"
  g_print ("\n" OFFSETS_FORMAT, (int) w_group, "GROUP", (int) w_topic, "TOPIC", "PARTITION",
           "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", (int) w_consumer, "CONSUMER-ID",
           (int) w_host, "HOST", "CLIENT-ID");
  for (guint i = 0; i < rows->len; i++)
    {
      PartRow *r = g_ptr_array_index (rows, i);
      char partition[16], current[24], end[24], lag[24];

      g_snprintf (partition, sizeof partition, "%d", r->partition);
      if (r->committed >= 0)
        g_snprintf (current, sizeof current, "%" G_GINT64_FORMAT, r->committed);
      else
        g_strlcpy (current, MISSING, sizeof current);
      if (r->log_end >= 0)
        g_snprintf (end, sizeof end, "%" G_GINT64_FORMAT, r->log_end);
      else
        g_strlcpy (end, MISSING, sizeof end);
      if (r->committed >= 0 && r->log_end >= 0)
        g_snprintf (lag, sizeof lag, "%" G_GINT64_FORMAT, r->log_end - r->committed);
      else
        g_strlcpy (lag, MISSING, sizeof lag);
      g_print (OFFSETS_FORMAT, (int) w_group, g->group, (int) w_topic, r->topic, partition,
               current, end, lag, (int) w_consumer, r->consumer_id, (int) w_host, r->host, r->client_id);
    }
#undef OFFSETS_FORMAT
  return CLI_EXIT_OK;
}

/* "topic(0,1), other(2)" as Kafka's --members --verbose prints it. */
static char *
assignment_string (GPtrArray *parts)
{
  GString *out = g_string_new (NULL);
  const char *topic = NULL;

  if (parts->len == 0)
    return g_string_free (g_string_append (out, MISSING), FALSE);
  for (guint i = 0; i < parts->len; i++)
    {
      PartRow *p = g_ptr_array_index (parts, i);

      if (topic == NULL || strcmp (topic, p->topic) != 0)
        {
          if (topic != NULL)
            g_string_append (out, "), ");
          g_string_append_printf (out, "%s(%d", p->topic, p->partition);
          topic = p->topic;
        }
      else
        g_string_append_printf (out, ",%d", p->partition);
    }
  g_string_append_c (out, ')');
  return g_string_free (out, FALSE);
}

static int
describe_members (GroupInfo *g,
                  gboolean   verbose)
{
  gsize w_group = 15, w_consumer = 15, w_instance = 17, w_host = 15, w_client = 15;
  gboolean with_instance = FALSE;
  int check = member_state_check (g->group, g->state, g->members->len);

  if (check < 0)
    return CLI_EXIT_ERROR;
  if (check == 0)
    return CLI_EXIT_OK;
  for (guint i = 0; i < g->members->len; i++)
    {
      Member *m = g_ptr_array_index (g->members, i);
      const char *instance = m->group_instance_id != NULL ? m->group_instance_id : "";

      w_group = MAX (w_group, strlen (g->group));
      w_consumer = MAX (w_consumer, strlen (m->member_id));
      w_instance = MAX (w_instance, strlen (instance));
      w_host = MAX (w_host, strlen (m->host));
      w_client = MAX (w_client, strlen (m->client_id));
      with_instance |= *instance != '\0';
    }
  if (with_instance)
    g_print ("\n%-*s %-*s %-*s %-*s %-*s %-15s ", (int) w_group, "GROUP", (int) w_consumer, "CONSUMER-ID",
             (int) w_instance, "GROUP-INSTANCE-ID", (int) w_host, "HOST", (int) w_client, "CLIENT-ID", "#PARTITIONS");
  else
    g_print ("\n%-*s %-*s %-*s %-*s %-15s ", (int) w_group, "GROUP", (int) w_consumer, "CONSUMER-ID",
             (int) w_host, "HOST", (int) w_client, "CLIENT-ID", "#PARTITIONS");
  g_print ("%s\n", verbose ? "ASSIGNMENT" : "");
  for (guint i = 0; i < g->members->len; i++)
    {
      Member *m = g_ptr_array_index (g->members, i);
      char count[16];

      g_snprintf (count, sizeof count, "%u", m->parts->len);
      if (with_instance)
        g_print ("%-*s %-*s %-*s %-*s %-*s %-15s ", (int) w_group, g->group, (int) w_consumer, m->member_id,
                 (int) w_instance, m->group_instance_id != NULL ? m->group_instance_id : "",
                 (int) w_host, m->host, (int) w_client, m->client_id, count);
      else
        g_print ("%-*s %-*s %-*s %-*s %-15s ", (int) w_group, g->group, (int) w_consumer, m->member_id,
                 (int) w_host, m->host, (int) w_client, m->client_id, count);
      if (verbose)
        {
          g_autofree char *text = assignment_string (m->parts);
          g_print ("%s", text);
        }
      g_print ("\n");
    }
  return CLI_EXIT_OK;
}

static int
describe_state (GroupInfo *g)
{
  g_autofree char *coordinator = NULL;
  gsize w_coordinator;
  int check = member_state_check (g->group, g->state, 1);

  if (check < 0)
    return CLI_EXIT_ERROR;
  coordinator = g_strdup_printf ("%s:%d (%d)", g->coordinator.host, g->coordinator.port, g->coordinator.node_id);
  w_coordinator = MAX (25, strlen (coordinator));
  /* Kafka 3.x sizes the first column (GROUP) by the coordinator's text. */
#define STATE_FORMAT "\n%-*s %-25s %-20s %-15s %s"
  g_print (STATE_FORMAT, (int) w_coordinator, "GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS");
  {
    char count[16];

    g_snprintf (count, sizeof count, "%u", g->members->len);
    g_print (STATE_FORMAT "\n", (int) w_coordinator, g->group, coordinator, g->protocol, g->state, count);
  }
#undef STATE_FORMAT
  return CLI_EXIT_OK;
}

int
cli_groups_do_describe (CaudalCluster *cluster,
                        GroupsOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) groups = cli_groups_selected_groups (cluster, o, &error);
  int status = CLI_EXIT_OK;

  if (groups == NULL)
    {
      cli_groups_print_failure (error);
      return CLI_EXIT_ERROR;
    }
  for (guint i = 0; i < groups->len; i++)
    {
      const char *name = g_ptr_array_index (groups, i);
      g_autoptr(GroupInfo) g = cli_groups_describe_group (cluster, name, &error);
      int one;

      if (g == NULL)
        {
          cli_groups_print_failure (error);
          return CLI_EXIT_ERROR;
        }
      if (o->members)
        one = describe_members (g, o->verbose);
      else if (o->state_given && !o->offsets)
        one = describe_state (g);
      else
        one = describe_offsets (cluster, g);
      if (one != CLI_EXIT_OK)
        status = one;
    }
  return status;
}

