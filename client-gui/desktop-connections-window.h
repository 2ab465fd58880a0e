/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-connections-window.h: the list of remembered clusters: add,
 * edit, remove, open one in its own window; start or stop the
 * application's local broker (shown when caudald is installed and its
 * port is free, probed each time the window is shown). */
#pragma once

#include "desktop-application.h"

G_BEGIN_DECLS

#define DESKTOP_TYPE_CONNECTIONS_WINDOW (desktop_connections_window_get_type ())
G_DECLARE_FINAL_TYPE (DesktopConnectionsWindow, desktop_connections_window, DESKTOP, CONNECTIONS_WINDOW, AdwApplicationWindow)

DesktopConnectionsWindow *desktop_connections_window_new (DesktopApplication *app);

G_END_DECLS
