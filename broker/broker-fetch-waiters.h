/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-fetch-waiters.h: Fetch requests long-polling for data
 * (max_wait_ms / min_bytes), woken when a produce appends. */
#pragma once

#include "broker.h"
#include "broker-request.h"

G_BEGIN_DECLS

BrokerFetchWaiters *broker_fetch_waiters_new      (Broker *broker);
void                broker_fetch_waiters_free     (BrokerFetchWaiters *waiters);
/* Data arrived on @topic/@partition: re-evaluate the fetches that wait on it. */
void                broker_fetch_waiters_notify   (BrokerFetchWaiters *waiters,
                                                   const char         *topic,
                                                   gint32              partition);
/* Parks @req until data arrives for one of its partitions or
 * @max_wait_ms passes (or its connection closes). */
void                broker_fetch_waiters_add      (BrokerFetchWaiters *waiters,
                                                   BrokerRequest      *req,
                                                   gint32              max_wait_ms);
/* Answer every waiting fetch now (shutdown). */
void                broker_fetch_waiters_wake_all (BrokerFetchWaiters *waiters);

/* From broker-handle-fetch.c: rebuilds the response; TRUE when it is ready
 * to send (always when @final). The caller completes the request. */
gboolean            broker_fetch_try              (BrokerRequest *req,
                                                   gboolean       final);
/* Whether @req asks for @topic/@partition. */
gboolean            broker_fetch_wants            (BrokerRequest *req,
                                                   const char    *topic,
                                                   gint32         partition);

G_END_DECLS
