/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-add-partitions-dialog.c: CreatePartitions from a spin button
 * whose lower bound is one more than the topic has, so a count that
 * would shrink it cannot be entered; the request runs asynchronously and
 * is cancelled if the dialog closes first. */

#include <glib/gi18n.h>

#include "desktop-add-partitions-dialog.h"
#include "desktop-util.h"

/* As the New Topic dialog: a bound, not a Kafka limit. */
#define MAX_PARTITIONS 100000

struct _DesktopAddPartitionsDialog
{
  AdwWindow             parent_instance;

  AdwToastOverlay      *toast_overlay;
  AdwPreferencesGroup  *topic_group;
  AdwActionRow         *current_row;
  GtkSpinButton        *total_spin;
  GtkSpinner           *spinner;

  CaudalAdmin          *admin;
  char                 *bootstrap_servers;
  char                 *topic;
  GCancellable         *cancellable;   /* the request in flight, or NULL */
};

G_DEFINE_FINAL_TYPE (DesktopAddPartitionsDialog, desktop_add_partitions_dialog, ADW_TYPE_WINDOW)

enum { SIGNAL_ADDED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
set_busy (DesktopAddPartitionsDialog *self,
          gboolean                    busy)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->total_spin), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.add", !busy);
}

static void
on_added (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(DesktopAddPartitionsDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  int total = gtk_spin_button_get_value_as_int (self->total_spin);

  if (!caudal_admin_create_partitions_finish (CAUDAL_ADMIN (source), result, &error))
    {
      g_autofree char *message = NULL;

      if (desktop_error_is_cancelled (error))
        return;
      g_clear_object (&self->cancellable);
      set_busy (self, FALSE);
      /* The broker's words (INVALID_PARTITIONS: …) name what it refused. */
      message = g_strdup_printf (_("Could not add partitions to “%s” on %s: %s"), self->topic,
                                 self->bootstrap_servers, error->message);
      desktop_show_toast (GTK_WIDGET (self->toast_overlay), message);
      return;
    }
  g_clear_object (&self->cancellable);
  g_signal_emit (self, signals[SIGNAL_ADDED], 0, self->topic, total);
  gtk_window_close (GTK_WINDOW (self));
}

static void
add_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  DesktopAddPartitionsDialog *self = DESKTOP_ADD_PARTITIONS_DIALOG (widget);

  if (self->cancellable != NULL)
    return;
  /* Commit a value still being typed (the spin button parses on focus-out). */
  gtk_spin_button_update (self->total_spin);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  /* CreatePartitions takes the new total, not the number to add. */
  caudal_admin_create_partitions_async (self->admin, self->topic,
                                        gtk_spin_button_get_value_as_int (self->total_spin),
                                        self->cancellable, on_added, g_object_ref (self));
}

static gboolean
desktop_add_partitions_dialog_close_request (GtkWindow *window)
{
  DesktopAddPartitionsDialog *self = DESKTOP_ADD_PARTITIONS_DIALOG (window);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  return GTK_WINDOW_CLASS (desktop_add_partitions_dialog_parent_class)->close_request (window);
}

static void
desktop_add_partitions_dialog_dispose (GObject *object)
{
  DesktopAddPartitionsDialog *self = DESKTOP_ADD_PARTITIONS_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->admin);
  g_clear_pointer (&self->bootstrap_servers, g_free);
  g_clear_pointer (&self->topic, g_free);
  G_OBJECT_CLASS (desktop_add_partitions_dialog_parent_class)->dispose (object);
}

static void
desktop_add_partitions_dialog_class_init (DesktopAddPartitionsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = desktop_add_partitions_dialog_dispose;
  window_class->close_request = desktop_add_partitions_dialog_close_request;

  /**
   * DesktopAddPartitionsDialog::added:
   * @topic: the topic grown
   * @total: its partition count now
   */
  signals[SIGNAL_ADDED] =
    g_signal_new ("added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/caudal/Caudal/desktop-add-partitions-dialog.ui");
  /* Named for tests (gtk_widget_get_template_child); no pointer kept. */
  gtk_widget_class_bind_template_child_full (widget_class, "add_button", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, DesktopAddPartitionsDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, DesktopAddPartitionsDialog, topic_group);
  gtk_widget_class_bind_template_child (widget_class, DesktopAddPartitionsDialog, current_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopAddPartitionsDialog, total_spin);
  gtk_widget_class_bind_template_child (widget_class, DesktopAddPartitionsDialog, spinner);

  gtk_widget_class_install_action (widget_class, "dialog.add", NULL, add_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
desktop_add_partitions_dialog_init (DesktopAddPartitionsDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

DesktopAddPartitionsDialog *
desktop_add_partitions_dialog_new (GtkWindow   *parent,
                                   CaudalAdmin *admin,
                                   const char  *bootstrap_servers,
                                   const char  *topic,
                                   guint        current)
{
  DesktopAddPartitionsDialog *self;
  g_autofree char *count = NULL;
  double lower = (double) current + 1;

  g_return_val_if_fail (CAUDAL_IS_ADMIN (admin), NULL);
  g_return_val_if_fail (topic != NULL, NULL);

  self = g_object_new (DESKTOP_TYPE_ADD_PARTITIONS_DIALOG, "transient-for", parent, NULL);
  self->admin = g_object_ref (admin);
  self->bootstrap_servers = g_strdup (bootstrap_servers);
  self->topic = g_strdup (topic);

  adw_preferences_group_set_title (self->topic_group, topic);
  count = g_strdup_printf ("%u", current);
  adw_action_row_set_subtitle (self->current_row, count);
  /* Partitions only grow (Kafka refuses fewer or as many with
   * INVALID_PARTITIONS): the spin button cannot go below one more. */
  gtk_spin_button_set_range (self->total_spin, lower, MAX (lower, MAX_PARTITIONS));
  gtk_spin_button_set_value (self->total_spin, lower);
  return self;
}
