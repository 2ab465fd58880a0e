/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-broker.c: a broker of the overview's list. */

#include <string.h>

#include "desktop-broker.h"

struct _DesktopBroker
{
  GObject   parent_instance;
  gint32    node_id;
  char     *address;
  char     *rack;
  gboolean  controller;
};

G_DEFINE_FINAL_TYPE (DesktopBroker, desktop_broker, G_TYPE_OBJECT)

static void
desktop_broker_finalize (GObject *object)
{
  DesktopBroker *self = DESKTOP_BROKER (object);

  g_free (self->address);
  g_free (self->rack);
  G_OBJECT_CLASS (desktop_broker_parent_class)->finalize (object);
}

static void
desktop_broker_class_init (DesktopBrokerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = desktop_broker_finalize;
}

static void
desktop_broker_init (DesktopBroker *self)
{
}

DesktopBroker *
desktop_broker_new_from_info (const CaudalBrokerInfo *info,
                              gboolean                controller)
{
  DesktopBroker *self;

  g_return_val_if_fail (info != NULL, NULL);

  self = g_object_new (DESKTOP_TYPE_BROKER, NULL);
  self->node_id = info->node_id;
  if (strchr (info->host, ':') != NULL)
    self->address = g_strdup_printf ("[%s]:%u", info->host, info->port);
  else
    self->address = g_strdup_printf ("%s:%u", info->host, info->port);
  self->rack = g_strdup (info->rack);
  self->controller = controller;
  return self;
}

gint32
desktop_broker_get_node_id (DesktopBroker *self)
{
  g_return_val_if_fail (DESKTOP_IS_BROKER (self), -1);
  return self->node_id;
}

const char *
desktop_broker_get_address (DesktopBroker *self)
{
  g_return_val_if_fail (DESKTOP_IS_BROKER (self), NULL);
  return self->address;
}

const char *
desktop_broker_get_rack (DesktopBroker *self)
{
  g_return_val_if_fail (DESKTOP_IS_BROKER (self), NULL);
  return self->rack;
}

gboolean
desktop_broker_get_controller (DesktopBroker *self)
{
  g_return_val_if_fail (DESKTOP_IS_BROKER (self), FALSE);
  return self->controller;
}
