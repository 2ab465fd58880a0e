/* SPDX-License-Identifier: GPL-3.0-or-later */
/* gui-a11y-check.h: every control a user can operate in a window has a
 * name a screen reader can say. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Walks @root's widget tree and returns, one per line, the controls
 * (buttons, entries, spin buttons, drop-downs, switches, check buttons)
 * without an accessible name: no label property, no labelled-by
 * relation, no text of their own, no tooltip and not inside a row that
 * names them. "" when every control is named. */
char *gui_a11y_unnamed_controls (GtkWidget *root);

G_END_DECLS
