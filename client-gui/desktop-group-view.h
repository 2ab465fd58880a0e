/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-group-view.h: one consumer group: state, members (member id,
 * client id, host, assigned partitions), per-partition CURRENT-OFFSET /
 * LOG-END-OFFSET / LAG, a chart of the lag over time, reset offsets
 * (earliest, latest, an offset, a date and time, shift by N) with a
 * preview first, and delete. Refreshes every few seconds. Emits "deleted"
 * (group id) after a delete. */
#pragma once

#include <adwaita.h>

#include "caudal-admin.h"

G_BEGIN_DECLS

#define DESKTOP_TYPE_GROUP_VIEW (desktop_group_view_get_type ())
G_DECLARE_FINAL_TYPE (DesktopGroupView, desktop_group_view, DESKTOP, GROUP_VIEW, AdwWindow)

/* Reset modes, in the order of the reset combo row. */
typedef enum
{
  DESKTOP_RESET_EARLIEST,
  DESKTOP_RESET_LATEST,
  DESKTOP_RESET_OFFSET,
  DESKTOP_RESET_DATETIME,
  DESKTOP_RESET_SHIFT,
} DesktopResetMode;

DesktopGroupView *desktop_group_view_new          (GtkWindow   *parent,
                                                   CaudalAdmin *admin,
                                                   const char  *group_id,
                                                   const char  *bootstrap_servers);
const char       *desktop_group_view_get_group_id (DesktopGroupView *self);
/* Reloads the group (also the "group.refresh" action). */
void              desktop_group_view_refresh      (DesktopGroupView *self);

G_END_DECLS
