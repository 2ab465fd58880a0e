/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-produce-dialog.h: produce records to a topic: key, value
 * (checked as JSON when it looks like JSON), headers, partition
 * (automatic or chosen), compression, N copies. The last delivery
 * ("Partition P, offset O") or the error shows inline and as a toast.
 * The messages sent to the cluster in this run are listed under Recent:
 * a row fills the form, its Resend button sends it again as it was. */
#pragma once

#include <adwaita.h>

#include "caudal-cluster.h"

G_BEGIN_DECLS

#define DESKTOP_TYPE_PRODUCE_DIALOG (desktop_produce_dialog_get_type ())
G_DECLARE_FINAL_TYPE (DesktopProduceDialog, desktop_produce_dialog, DESKTOP, PRODUCE_DIALOG, AdwWindow)

/* @topic: (nullable): the topic to preselect. */
DesktopProduceDialog *desktop_produce_dialog_new            (GtkWindow     *parent,
                                                             CaudalCluster *cluster,
                                                             const char    *bootstrap_servers,
                                                             const char    *topic);
/* Adds an empty header row (also the "produce.add-header" action). */
void                  desktop_produce_dialog_add_header_row (DesktopProduceDialog *self);

G_END_DECLS
