/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-groups-page.h: the cluster's consumer groups (group id, state,
 * members, topics, total lag) with search, refreshed every few seconds
 * while shown; activating a row opens DesktopGroupView. */
#pragma once

#include <adwaita.h>

#include "caudal-cluster.h"

G_BEGIN_DECLS

#define DESKTOP_TYPE_GROUPS_PAGE (desktop_groups_page_get_type ())
G_DECLARE_FINAL_TYPE (DesktopGroupsPage, desktop_groups_page, DESKTOP, GROUPS_PAGE, AdwBin)

void  desktop_groups_page_set_cluster (DesktopGroupsPage *self,
                                       CaudalCluster     *cluster,
                                       const char        *bootstrap_servers);
/* Reloads the groups (also the "groups.refresh" action). */
void  desktop_groups_page_refresh     (DesktopGroupsPage *self);
/* Opens the group view of @group_id (what activating its row does). */
void  desktop_groups_page_open_group  (DesktopGroupsPage *self,
                                       const char        *group_id);

G_END_DECLS
