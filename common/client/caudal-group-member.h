/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-group-member.h: the consumer's group membership
 * (caudal-group-member.c) as the rest of the consumer sees it. Not
 * installed. */
#pragma once

#include "caudal-consumer-private.h"

G_BEGIN_DECLS

void caudal_consumer_group_identity_free (GroupIdentity *g);

/* The poll's first step: joins when subscribed and not (or no longer) in
 * the group, then hands over to caudal_consumer_step_positions(). */
void caudal_consumer_step_group          (GTask *task);

G_END_DECLS
