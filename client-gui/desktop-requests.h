/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-requests.h: the admin requests the app sends (CreateTopics,
 * DeleteTopics to the controller) as _async/_finish pairs on a
 * CaudalCluster. Stand-ins until libcaudal's CaudalAdmin (caudal-admin.h)
 * is built; errors a broker reports come in CAUDAL_KAFKA_ERROR with the
 * broker named in the message. */
#pragma once

#include "caudal-cluster.h"

G_BEGIN_DECLS

/* @partitions, @replication_factor: -1 for the broker's defaults;
 * @configs (nullable): name → value overrides. */
void     desktop_create_topic_async  (CaudalCluster      *cluster,
                                      const char         *name,
                                      gint32              partitions,
                                      gint16              replication_factor,
                                      GHashTable         *configs,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean desktop_create_topic_finish (CaudalCluster *cluster,
                                      GAsyncResult  *result,
                                      GError       **error);

void     desktop_delete_topic_async  (CaudalCluster      *cluster,
                                      const char         *name,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean desktop_delete_topic_finish (CaudalCluster *cluster,
                                      GAsyncResult  *result,
                                      GError       **error);

G_END_DECLS
