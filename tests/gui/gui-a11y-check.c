/* SPDX-License-Identifier: GPL-3.0-or-later */
/* gui-a11y-check.c: see gui-a11y-check.h. GTK's test accessibility
 * backend (gtktestatcontext.h) answers which accessible properties and
 * relations a widget carries; text a control shows itself (a button's
 * label) and rows that name their suffix widgets count too, as they do
 * for Orca. */

#include "gui-a11y-check.h"

#include <adwaita.h>

static gboolean
is_control (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_ENTRY (widget)
         || GTK_IS_SEARCH_ENTRY (widget) || GTK_IS_SPIN_BUTTON (widget) || GTK_IS_DROP_DOWN (widget)
         || GTK_IS_SWITCH (widget) || GTK_IS_CHECK_BUTTON (widget) || GTK_IS_TEXT_VIEW (widget);
}

static gboolean
has_visible_text (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget)
      && *gtk_label_get_text (GTK_LABEL (widget)) != '\0')
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (has_visible_text (c))
      return TRUE;
  return FALSE;
}

/* Libadwaita's rows label the widgets inside them (an entry row is its
 * own entry; a combo row, spin row or action row names its suffix). */
static gboolean
inside_named_row (GtkWidget *widget)
{
  for (GtkWidget *p = gtk_widget_get_parent (widget); p != NULL; p = gtk_widget_get_parent (p))
    {
      if (ADW_IS_PREFERENCES_ROW (p))
        return *adw_preferences_row_get_title (ADW_PREFERENCES_ROW (p)) != '\0';
      /* Widgets internal to a composite control (the spin button's +/-,
       * the search entry's text) are named by the control. */
      if (GTK_IS_SPIN_BUTTON (p) || GTK_IS_SEARCH_ENTRY (p) || GTK_IS_DROP_DOWN (p)
          || GTK_IS_MENU_BUTTON (p) || GTK_IS_ENTRY (p))
        return TRUE;
      /* Column views and list rows: the cell's own text names it. */
      if (g_strcmp0 (G_OBJECT_TYPE_NAME (p), "AdwHeaderBar") == 0)
        return FALSE;
    }
  return FALSE;
}

static gboolean
is_named (GtkWidget *widget)
{
  GtkAccessible *accessible = GTK_ACCESSIBLE (widget);

  return gtk_test_accessible_has_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL)
         /* GTK 4.8 gives every button a labelled-by relation to its own
          * child, an icon included: for buttons it proves nothing. */
         || (!GTK_IS_BUTTON (widget) && !GTK_IS_MENU_BUTTON (widget)
             && gtk_test_accessible_has_relation (accessible, GTK_ACCESSIBLE_RELATION_LABELLED_BY))
         || gtk_widget_get_tooltip_text (widget) != NULL
         || (!GTK_IS_EDITABLE (widget) && has_visible_text (widget))
         || inside_named_row (widget);
}

/* Which widget is it, for the report: type, its name or CSS classes,
 * and the template child path is not available, so the nearest labelled
 * ancestor's text helps find it. */
static void
describe (GtkWidget *widget,
          GString   *out)
{
  g_string_append_printf (out, "%s", G_OBJECT_TYPE_NAME (widget));
  if (gtk_widget_get_name (widget) != NULL && g_strcmp0 (gtk_widget_get_name (widget), G_OBJECT_TYPE_NAME (widget)) != 0)
    g_string_append_printf (out, " name=%s", gtk_widget_get_name (widget));
  if (GTK_IS_BUTTON (widget) && gtk_button_get_icon_name (GTK_BUTTON (widget)) != NULL)
    g_string_append_printf (out, " icon=%s", gtk_button_get_icon_name (GTK_BUTTON (widget)));
  if (GTK_IS_BUTTON (widget) && gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)) != NULL)
    g_string_append_printf (out, " action=%s", gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)));
  if (GTK_IS_ENTRY (widget) && gtk_entry_get_placeholder_text (GTK_ENTRY (widget)) != NULL)
    g_string_append_printf (out, " placeholder=“%s”", gtk_entry_get_placeholder_text (GTK_ENTRY (widget)));
  /* The ancestors up to the window, so it can be found in the .ui. */
  g_string_append (out, " in");
  for (GtkWidget *p = gtk_widget_get_parent (widget); p != NULL; p = gtk_widget_get_parent (p))
    {
      const char *name = gtk_widget_get_name (p);

      if (name != NULL && g_strcmp0 (name, G_OBJECT_TYPE_NAME (p)) != 0)
        g_string_append_printf (out, " %s#%s", G_OBJECT_TYPE_NAME (p), name);
      else
        g_string_append_printf (out, " %s", G_OBJECT_TYPE_NAME (p));
      if (GTK_IS_ROOT (p))
        break;
    }
  g_string_append_c (out, '\n');
}

static void
walk (GtkWidget *widget,
      GString   *out)
{
  /* Only what is on screen: hidden pages and closed search bars are
   * checked when they are shown. */
  if (!gtk_widget_get_mapped (widget))
    return;
  if (is_control (widget) && gtk_widget_get_sensitive (widget) && !is_named (widget))
    describe (widget, out);
  /* A composite control's own parts are named by it. */
  if (GTK_IS_SPIN_BUTTON (widget) || GTK_IS_SEARCH_ENTRY (widget) || GTK_IS_DROP_DOWN (widget)
      || GTK_IS_ENTRY (widget) || GTK_IS_MENU_BUTTON (widget))
    return;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    walk (c, out);
}

char *
gui_a11y_unnamed_controls (GtkWidget *root)
{
  GString *out = g_string_new (NULL);

  walk (root, out);
  return g_string_free (out, FALSE);
}
