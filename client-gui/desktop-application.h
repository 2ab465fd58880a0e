/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-application.h: caudal-desktop's AdwApplication: app actions,
 * the command line, and the remembered clusters (GSettings "clusters"). */
#pragma once

#include <adwaita.h>

#include "desktop-local-broker.h"

G_BEGIN_DECLS

#define DESKTOP_TYPE_APPLICATION (desktop_application_get_type ())
G_DECLARE_FINAL_TYPE (DesktopApplication, desktop_application, DESKTOP, APPLICATION, AdwApplication)

DesktopApplication *desktop_application_new                (void);
/* (element-type DesktopConnection): the remembered clusters, in order. */
GListModel         *desktop_application_get_connections    (DesktopApplication *self);
void                desktop_application_add_connection     (DesktopApplication *self,
                                                            const char         *name,
                                                            const char         *bootstrap_servers);
void                desktop_application_replace_connection (DesktopApplication *self,
                                                            guint               position,
                                                            const char         *name,
                                                            const char         *bootstrap_servers);
void                desktop_application_remove_connection  (DesktopApplication *self,
                                                            guint               position);
/* The caudald the app starts for the user ("Start Local Broker"); stopped
 * on shutdown. Returns: (transfer none). */
DesktopLocalBroker *desktop_application_get_local_broker   (DesktopApplication *self);
/* Milliseconds before connecting or a request fails (GSettings
 * "request-timeout"). */
guint               desktop_application_get_request_timeout (DesktopApplication *self);
/* Opens a window on the cluster at @bootstrap_servers; @name (nullable)
 * titles it. Returns: (transfer none): the window. */
GtkWindow          *desktop_application_open_cluster       (DesktopApplication *self,
                                                            const char         *name,
                                                            const char         *bootstrap_servers);
/* Opens a new connections window. Returns: (transfer none): it. */
GtkWindow          *desktop_application_open_connections  (DesktopApplication *self);

G_END_DECLS
