/* SPDX-License-Identifier: GPL-3.0-or-later */
/* gui-test-member.c: see gui-test-member.h. */

#include "gui-test-member.h"

#include "gui-test-util.h"

static void member_poll (GuiTestMember *member);

static void
on_committed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GuiTestMember *member = user_data;
  g_autoptr(GError) error = NULL;

  if (!caudal_consumer_commit_finish (CAUDAL_CONSUMER (source), result, &error))
    g_printerr ("group member: commit: %s\n", error->message);
  member_poll (member);
}

static void
on_polled (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GuiTestMember *member = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = caudal_consumer_poll_finish (CAUDAL_CONSUMER (source), result, &error);

  if (messages == NULL)
    g_printerr ("group member: poll: %s\n", error->message);
  else
    member->consumed += messages->len;
  if (messages != NULL && messages->len > 0)
    caudal_consumer_commit_async (member->consumer, NULL, on_committed, member);
  else
    member_poll (member);
}

static void
member_poll (GuiTestMember *member)
{
  /* Past its read limit the member idles in the group: heartbeats run on
   * the consumer's own timer. */
  if (member->stop || (member->read_limit > 0 && member->consumed >= member->read_limit))
    {
      member->polling = FALSE;
      return;
    }
  caudal_consumer_poll_async (member->consumer, NULL, on_polled, member);
}

void
gui_test_member_start (GuiTestMember      *member,
                       const char         *bootstrap,
                       const char         *client_id,
                       const char         *group,
                       const char * const *topics,
                       guint               read_limit)
{
  g_autoptr(GError) error = NULL;

  member->cluster = caudal_cluster_new (bootstrap, client_id, &error);
  g_assert_no_error (error);
  member->consumer = caudal_consumer_new (member->cluster);
  g_assert_true (caudal_consumer_set_config (member->consumer, "auto.offset.reset", "earliest", &error));
  g_assert_no_error (error);
  g_assert_true (caudal_consumer_set_config (member->consumer, "client.id", client_id, &error));
  g_assert_no_error (error);
  caudal_consumer_subscribe (member->consumer, group, topics);
  member->read_limit = read_limit;
  member->polling = TRUE;
  member_poll (member);
}

void
gui_test_member_leave (GuiTestMember *member)
{
  g_auto(CaudalSync) sync = { 0 };
  g_autoptr(GError) error = NULL;

  member->stop = TRUE;
  WAIT_FOR (!member->polling);
  caudal_consumer_close_async (member->consumer, NULL, caudal_sync_callback, &sync);
  g_assert_true (caudal_consumer_close_finish (member->consumer, caudal_sync_wait (&sync), &error));
  g_assert_no_error (error);
}

void
gui_test_member_clear (GuiTestMember *member)
{
  g_clear_object (&member->consumer);
  g_clear_object (&member->cluster);
}
