/* SPDX-License-Identifier: GPL-3.0-or-later */
/* gui-test-member.h: a consumer group member run in-process with
 * libcaudal for the GUI tests and the screenshot tool — it polls, commits
 * what it read and polls again, so the group is Stable with real
 * committed offsets and lag. */
#pragma once

#include "caudal-consumer.h"

G_BEGIN_DECLS

typedef struct
{
  CaudalCluster  *cluster;
  CaudalConsumer *consumer;
  guint           consumed;    /* records read so far */
  guint           read_limit;  /* stop polling (but stay in the group) after this many; 0: no limit */
  gboolean        stop;        /* set by gui_test_member_leave() */
  gboolean        polling;     /* a poll or commit is under way */
} GuiTestMember;

/* Joins @group as @client_id, subscribed to @topics from the earliest
 * offset, and starts the poll → commit loop on the default main context. */
void gui_test_member_start (GuiTestMember      *member,
                            const char         *bootstrap,
                            const char         *client_id,
                            const char         *group,
                            const char * const *topics,
                            guint               read_limit);
/* Stops the loop, then leaves the group (LeaveGroup via close). */
void gui_test_member_leave (GuiTestMember *member);
/* Frees what start() made (after leave(), or at the end of a program). */
void gui_test_member_clear (GuiTestMember *member);

G_END_DECLS
