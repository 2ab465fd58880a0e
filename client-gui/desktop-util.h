/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-util.h: small helpers shared by the windows: Kafka's topic name
 * rule, error toasts, and naming a broker in a message. */
#pragma once

#include <adwaita.h>

#include "caudal-cluster.h"

G_BEGIN_DECLS

/* Kafka's rule (org.apache.kafka.common.internals.Topic.validate): 1-249
 * characters of [a-zA-Z0-9._-], and not "." or "..". Returns TRUE when
 * @name is valid; otherwise @reason (nullable) gets a translated
 * sentence saying why. */
gboolean desktop_topic_name_is_valid (const char  *name,
                                      char       **reason);

/* Shows @message as a toast on the AdwToastOverlay that holds @widget
 * (or, for a window, the overlay that is its content). */
void     desktop_show_toast          (GtkWidget  *widget,
                                      const char *message);

/* "broker 1 (host:port)" for @node_id, or the bootstrap servers when the
 * node is unknown (the request went to any broker). */
char    *desktop_describe_broker     (CaudalCluster *cluster,
                                      gint32         node_id,
                                      const char    *bootstrap);

/* A date and time as a user types it for Kafka's ListOffsets by time:
 * ISO 8601 as kafka-consumer-groups --to-datetime takes it, with a space
 * or a T, or a date alone (midnight); local time without an offset.
 * Returns ms since the epoch, or -1 when @text is not such a time or is
 * before 1970 (ListOffsets reads negative timestamps as EARLIEST, LATEST
 * or MAX_TIMESTAMP). */
gint64   desktop_parse_datetime_ms   (const char *text);

/* @error's message; when a broker refused (CAUDAL_KAFKA_ERROR) an admin
 * request, which goes to the controller, followed by "(on broker N
 * (host:port))" so the user knows who said it. */
char    *desktop_describe_admin_error (CaudalCluster *cluster,
                                       const GError  *error);

/* Whether @error is a cancellation (a closed page: stay silent). */
gboolean desktop_error_is_cancelled  (const GError *error);

G_END_DECLS
