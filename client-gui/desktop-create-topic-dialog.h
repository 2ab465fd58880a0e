/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-create-topic-dialog.h: the "New Topic" dialog: a name checked
 * as Kafka checks it, partitions, replication factor, retention.ms,
 * cleanup.policy, and every other topic config with the default the
 * cluster gives a new topic (or, when it cannot tell, one by name).
 * Emits "created" (the topic's name) once the broker has created it,
 * then closes. */
#pragma once

#include <adwaita.h>

#include "caudal-cluster.h"

G_BEGIN_DECLS

#define DESKTOP_TYPE_CREATE_TOPIC_DIALOG (desktop_create_topic_dialog_get_type ())
G_DECLARE_FINAL_TYPE (DesktopCreateTopicDialog, desktop_create_topic_dialog, DESKTOP, CREATE_TOPIC_DIALOG, AdwWindow)

DesktopCreateTopicDialog *desktop_create_topic_dialog_new (GtkWindow     *parent,
                                                           CaudalCluster *cluster,
                                                           const char    *bootstrap_servers);

G_END_DECLS
