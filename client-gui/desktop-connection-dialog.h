/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-connection-dialog.h: add or edit a remembered cluster (name,
 * bootstrap servers) with a connection test. */
#pragma once

#include "desktop-application.h"

G_BEGIN_DECLS

#define DESKTOP_TYPE_CONNECTION_DIALOG (desktop_connection_dialog_get_type ())
G_DECLARE_FINAL_TYPE (DesktopConnectionDialog, desktop_connection_dialog, DESKTOP, CONNECTION_DIALOG, AdwWindow)

/* @position: the connection to edit, or -1 to add one. */
DesktopConnectionDialog *desktop_connection_dialog_new (DesktopApplication *app,
                                                        GtkWindow          *parent,
                                                        int                 position);

G_END_DECLS
