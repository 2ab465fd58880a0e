/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-connection.h: one remembered cluster (a name and its bootstrap
 * servers), the item of the connections list. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define DESKTOP_TYPE_CONNECTION (desktop_connection_get_type ())
G_DECLARE_FINAL_TYPE (DesktopConnection, desktop_connection, DESKTOP, CONNECTION, GObject)

DesktopConnection *desktop_connection_new                   (const char *name,
                                                             const char *bootstrap_servers);
const char        *desktop_connection_get_name              (DesktopConnection *self);
const char        *desktop_connection_get_bootstrap_servers (DesktopConnection *self);

G_END_DECLS
