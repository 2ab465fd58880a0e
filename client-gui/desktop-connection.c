/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-connection.c: one remembered cluster. */

#include "desktop-connection.h"

struct _DesktopConnection
{
  GObject  parent_instance;
  char    *name;
  char    *bootstrap_servers;
};

G_DEFINE_FINAL_TYPE (DesktopConnection, desktop_connection, G_TYPE_OBJECT)

enum { PROP_0, PROP_NAME, PROP_BOOTSTRAP_SERVERS, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
desktop_connection_finalize (GObject *object)
{
  DesktopConnection *self = DESKTOP_CONNECTION (object);

  g_free (self->name);
  g_free (self->bootstrap_servers);
  G_OBJECT_CLASS (desktop_connection_parent_class)->finalize (object);
}

static void
desktop_connection_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  DesktopConnection *self = DESKTOP_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_BOOTSTRAP_SERVERS:
      g_value_set_string (value, self->bootstrap_servers);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
desktop_connection_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  DesktopConnection *self = DESKTOP_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_free (self->name);
      self->name = g_value_dup_string (value);
      break;
    case PROP_BOOTSTRAP_SERVERS:
      g_free (self->bootstrap_servers);
      self->bootstrap_servers = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
desktop_connection_class_init (DesktopConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = desktop_connection_finalize;
  object_class->get_property = desktop_connection_get_property;
  object_class->set_property = desktop_connection_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BOOTSTRAP_SERVERS] =
    g_param_spec_string ("bootstrap-servers", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
desktop_connection_init (DesktopConnection *self)
{
}

DesktopConnection *
desktop_connection_new (const char *name,
                        const char *bootstrap_servers)
{
  return g_object_new (DESKTOP_TYPE_CONNECTION,
                       "name", name,
                       "bootstrap-servers", bootstrap_servers,
                       NULL);
}

const char *
desktop_connection_get_name (DesktopConnection *self)
{
  g_return_val_if_fail (DESKTOP_IS_CONNECTION (self), NULL);
  return self->name;
}

const char *
desktop_connection_get_bootstrap_servers (DesktopConnection *self)
{
  g_return_val_if_fail (DESKTOP_IS_CONNECTION (self), NULL);
  return self->bootstrap_servers;
}
