/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-topic.c: a topic of the topics list. The counts that need more
 * than Metadata (messages, size) arrive later, with notify. */

#include "desktop-topic.h"

struct _DesktopTopic
{
  GObject   parent_instance;
  char     *name;
  guint     partitions;
  guint     replication_factor;
  gboolean  internal;
  gint64    messages;   /* -1: not known (yet) */
  gint64    size;       /* -1: not known, or not reported */
};

G_DEFINE_FINAL_TYPE (DesktopTopic, desktop_topic, G_TYPE_OBJECT)

enum { PROP_0, PROP_NAME, PROP_PARTITIONS, PROP_REPLICATION_FACTOR, PROP_INTERNAL, PROP_MESSAGES, PROP_SIZE, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
desktop_topic_finalize (GObject *object)
{
  DesktopTopic *self = DESKTOP_TOPIC (object);

  g_free (self->name);
  G_OBJECT_CLASS (desktop_topic_parent_class)->finalize (object);
}

static void
desktop_topic_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  DesktopTopic *self = DESKTOP_TOPIC (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_PARTITIONS:
      g_value_set_uint (value, self->partitions);
      break;
    case PROP_REPLICATION_FACTOR:
      g_value_set_uint (value, self->replication_factor);
      break;
    case PROP_INTERNAL:
      g_value_set_boolean (value, self->internal);
      break;
    case PROP_MESSAGES:
      g_value_set_int64 (value, self->messages);
      break;
    case PROP_SIZE:
      g_value_set_int64 (value, self->size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
desktop_topic_class_init (DesktopTopicClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = desktop_topic_finalize;
  object_class->get_property = desktop_topic_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PARTITIONS] =
    g_param_spec_uint ("partitions", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_REPLICATION_FACTOR] =
    g_param_spec_uint ("replication-factor", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_INTERNAL] =
    g_param_spec_boolean ("internal", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGES] =
    g_param_spec_int64 ("messages", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIZE] =
    g_param_spec_int64 ("size", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
desktop_topic_init (DesktopTopic *self)
{
  self->messages = -1;
  self->size = -1;
}

DesktopTopic *
desktop_topic_new_from_info (const CaudalTopicInfo *info)
{
  DesktopTopic *self;

  g_return_val_if_fail (info != NULL, NULL);

  self = g_object_new (DESKTOP_TYPE_TOPIC, NULL);
  self->name = g_strdup (info->name);
  self->partitions = info->partitions->len;
  /* Kafka tools print the first partition's replica count. */
  if (info->partitions->len > 0)
    self->replication_factor = ((CaudalPartitionInfo *) g_ptr_array_index (info->partitions, 0))->replicas->len;
  self->internal = info->internal;
  return self;
}

const char *
desktop_topic_get_name (DesktopTopic *self)
{
  g_return_val_if_fail (DESKTOP_IS_TOPIC (self), NULL);
  return self->name;
}

guint
desktop_topic_get_partitions (DesktopTopic *self)
{
  g_return_val_if_fail (DESKTOP_IS_TOPIC (self), 0);
  return self->partitions;
}

guint
desktop_topic_get_replication_factor (DesktopTopic *self)
{
  g_return_val_if_fail (DESKTOP_IS_TOPIC (self), 0);
  return self->replication_factor;
}

gboolean
desktop_topic_get_internal (DesktopTopic *self)
{
  g_return_val_if_fail (DESKTOP_IS_TOPIC (self), FALSE);
  return self->internal;
}

gint64
desktop_topic_get_messages (DesktopTopic *self)
{
  g_return_val_if_fail (DESKTOP_IS_TOPIC (self), -1);
  return self->messages;
}

void
desktop_topic_set_messages (DesktopTopic *self,
                            gint64        messages)
{
  g_return_if_fail (DESKTOP_IS_TOPIC (self));

  if (self->messages == messages)
    return;
  self->messages = messages;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGES]);
}

gint64
desktop_topic_get_size (DesktopTopic *self)
{
  g_return_val_if_fail (DESKTOP_IS_TOPIC (self), -1);
  return self->size;
}

void
desktop_topic_set_size (DesktopTopic *self,
                        gint64        size)
{
  g_return_if_fail (DESKTOP_IS_TOPIC (self));

  if (self->size == size)
    return;
  self->size = size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
}
