/* SPDX-License-Identifier: GPL-3.0-or-later */
/* client-test-peer.h: start and stop a test peer broker: librdkafka's mock
 * cluster ($MOCK_CLUSTER, tests/client/mock-cluster) or caudald ($CAUDALD,
 * on an ephemeral port with a temporary data dir and num.partitions=3). */
#pragma once

#include <gio/gio.h>

typedef struct
{
  GSubprocess *proc;
  char        *bootstrap;   /* "host:port" */
  char        *dir;         /* caudald's temporary directory, NULL for the mock */
} Peer;

/* @topics: "name:partitions" items for the mock, NULL-terminated. */
void    peer_start_mock    (Peer        *peer,
                            const char **topics);
void    peer_start_caudald (Peer        *peer);
void    peer_stop          (Peer        *peer);
guint16 peer_port          (Peer        *peer);
