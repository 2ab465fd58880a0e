/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-topic.h: a topic as the topics list shows it (name, partition
 * count, replication factor, internal), built from libcaudal's metadata. */
#pragma once

#include "caudal-cluster.h"

G_BEGIN_DECLS

#define DESKTOP_TYPE_TOPIC (desktop_topic_get_type ())
G_DECLARE_FINAL_TYPE (DesktopTopic, desktop_topic, DESKTOP, TOPIC, GObject)

DesktopTopic *desktop_topic_new_from_info           (const CaudalTopicInfo *info);
const char   *desktop_topic_get_name                (DesktopTopic *self);
guint         desktop_topic_get_partitions          (DesktopTopic *self);
guint         desktop_topic_get_replication_factor  (DesktopTopic *self);
gboolean      desktop_topic_get_internal            (DesktopTopic *self);

G_END_DECLS
