/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-cluster-window.h: one window per open cluster, with its pages
 * (Overview, Topics) in a view stack. */
#pragma once

#include "caudal-cluster.h"
#include "desktop-application.h"

G_BEGIN_DECLS

#define DESKTOP_TYPE_CLUSTER_WINDOW (desktop_cluster_window_get_type ())
G_DECLARE_FINAL_TYPE (DesktopClusterWindow, desktop_cluster_window, DESKTOP, CLUSTER_WINDOW, AdwApplicationWindow)

/* @name (nullable): the title; the bootstrap servers when NULL. */
DesktopClusterWindow *desktop_cluster_window_new                   (DesktopApplication *app,
                                                                    const char         *name,
                                                                    const char         *bootstrap_servers);
const char           *desktop_cluster_window_get_bootstrap_servers (DesktopClusterWindow *self);
/* (nullable): NULL when the bootstrap servers do not parse. */
CaudalCluster        *desktop_cluster_window_get_cluster           (DesktopClusterWindow *self);

G_END_DECLS
