/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-fetcher.h: the consumer's per-leader requests
 * (caudal-fetcher.c) as the rest of the consumer sees it. Not installed. */
#pragma once

#include "caudal-consumer-private.h"

G_BEGIN_DECLS

/* The poll's second step: metadata for the assigned partitions, their
 * starting offsets (ListOffsets), then Fetch; completes the poll. */
void caudal_consumer_step_positions (GTask *task);

G_END_DECLS
