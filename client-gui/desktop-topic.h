/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-topic.h: a topic as the topics list shows it (name, partition
 * count, replication factor, internal), built from libcaudal's metadata;
 * its messages and size on disk are set once known ("notify"). */
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
/* Latest minus earliest offset over its partitions; -1 when not known. */
gint64        desktop_topic_get_messages            (DesktopTopic *self);
void          desktop_topic_set_messages            (DesktopTopic *self,
                                                     gint64        messages);
/* Bytes on disk of one copy of each partition; -1 when not known or the
 * broker does not report it. */
gint64        desktop_topic_get_size                (DesktopTopic *self);
void          desktop_topic_set_size                (DesktopTopic *self,
                                                     gint64        size);

G_END_DECLS
