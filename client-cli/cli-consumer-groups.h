/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-consumer-groups.h: what the files of `caudal consumer-groups` share:
 * the options, the partition rows and groups the tables are made of, and
 * the requests behind them (cli-consumer-groups.c). */
#pragma once

#include "cli-common.h"

G_BEGIN_DECLS

#define MISSING "-"

/* ListOffsets timestamps. */
#define TS_LATEST   (-1)
#define TS_EARLIEST (-2)

typedef struct
{
  char     *bootstrap;
  gboolean  list, describe, delete, reset;
  char    **groups;
  gboolean  all_groups;
  char    **topics;
  gboolean  all_topics;
  gboolean  members, verbose, offsets;
  gboolean  state_given;
  char     *state_value;
  gboolean  dry_run, execute, export;
  gboolean  to_earliest, to_latest, to_current;
  char     *to_offset, *shift_by, *to_datetime, *by_duration;
  gint64    to_offset_n, shift_by_n;
  char     *command_config;
  gint      timeout;
} GroupsOptions;

/* A (topic, partition) with its numbers; offsets -1 when unknown. */
typedef struct
{
  char   *topic;
  gint32  partition;
  gint64  committed;      /* -1: none */
  gint64  log_end;        /* -1: unknown */
  gint64  value;          /* scratch (new offset, timestamp result) */
  const char *consumer_id;
  const char *host;
  const char *client_id;
} PartRow;

typedef struct
{
  gint32   node_id;
  char    *host;
  gint32   port;
} Coordinator;

/* A member's assignment, decoded from the ConsumerProtocol bytes. */
typedef struct
{
  const char *member_id;
  const char *group_instance_id;
  const char *client_id;
  const char *host;
  GPtrArray  *parts;   /* PartRow*, sorted */
} Member;

typedef struct
{
  char           *group;
  Coordinator     coordinator;
  CaudalResponse *resp;       /* DescribeGroups, owns the strings below */
  const char     *state;      /* "Dead" for unknown groups */
  const char     *protocol;   /* assignment strategy */
  GPtrArray      *members;    /* Member*, in the broker's order */
} GroupInfo;

PartRow   *cli_groups_part_row_new     (const char *topic,
                                        gint32      partition);
void       cli_groups_part_row_free    (gpointer p);
int        cli_groups_part_row_compare (gconstpointer a,
                                        gconstpointer b);
char      *cli_groups_part_key         (const char *topic,
                                        gint32      partition);

/* Kafka's error lines: "Error: @message", and "Error: Executing
 * consumer group command failed due to @error". */
void       cli_groups_print_error      (const char   *message);
void       cli_groups_print_failure    (const GError *error);
char      *cli_groups_java_exception   (gint16 code);

/* The group, its coordinator and members (DescribeGroups). */
GroupInfo *cli_groups_describe_group   (CaudalCluster *cluster,
                                        const char    *group,
                                        GError       **error);
void       cli_groups_group_info_free  (GroupInfo *g);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GroupInfo, cli_groups_group_info_free)

GPtrArray *cli_groups_fetch_committed  (CaudalCluster     *cluster,
                                        const Coordinator *coordinator,
                                        const char        *group,
                                        GError           **error);
gboolean   cli_groups_list_offsets     (CaudalCluster *cluster,
                                        GPtrArray     *rows,
                                        gint64         timestamp,
                                        GError       **error);
GPtrArray *cli_groups_selected_groups  (CaudalCluster *cluster,
                                        GroupsOptions *o,
                                        GError       **error);

/* The actions (cli-consumer-groups-describe.c, -reset.c). */
int        cli_groups_do_describe      (CaudalCluster  *cluster,
                                        GroupsOptions  *o);
int        cli_groups_do_reset         (CaudalCluster  *cluster,
                                        GroupsOptions  *o,
                                        GOptionContext *context);

G_END_DECLS
