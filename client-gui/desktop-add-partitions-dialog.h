/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-add-partitions-dialog.h: the "Add Partitions" dialog of a
 * topic: its current count, the new total (at least one more: Kafka only
 * grows a topic), and what growing does to keyed messages. Emits "added"
 * (the topic, the new total) once the broker has done it, then closes. */
#pragma once

#include <adwaita.h>

#include "caudal-admin.h"

G_BEGIN_DECLS

#define DESKTOP_TYPE_ADD_PARTITIONS_DIALOG (desktop_add_partitions_dialog_get_type ())
G_DECLARE_FINAL_TYPE (DesktopAddPartitionsDialog, desktop_add_partitions_dialog, DESKTOP, ADD_PARTITIONS_DIALOG, AdwWindow)

/* @current: the topic's partition count now. */
DesktopAddPartitionsDialog *desktop_add_partitions_dialog_new (GtkWindow   *parent,
                                                               CaudalAdmin *admin,
                                                               const char  *bootstrap_servers,
                                                               const char  *topic,
                                                               guint        current);

G_END_DECLS
