/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-create-topic-dialog.c: CreateTopics from a form; the name is
 * checked as the user types, the request runs asynchronously and is
 * cancelled if the dialog closes first. */

#include <glib/gi18n.h>

#include "desktop-create-topic-dialog.h"
#include "desktop-requests.h"
#include "desktop-util.h"

struct _DesktopCreateTopicDialog
{
  AdwWindow        parent_instance;

  AdwToastOverlay *toast_overlay;
  AdwEntryRow     *name_row;
  GtkLabel        *name_error;
  GtkSpinButton   *partitions_spin;
  GtkSpinButton   *replication_spin;
  AdwEntryRow     *retention_row;
  AdwComboRow     *cleanup_row;
  GtkSpinner      *spinner;

  CaudalCluster   *cluster;
  char            *bootstrap_servers;
  GCancellable    *cancellable;   /* the request in flight, or NULL */
};

G_DEFINE_FINAL_TYPE (DesktopCreateTopicDialog, desktop_create_topic_dialog, ADW_TYPE_WINDOW)

enum { SIGNAL_CREATED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* The retention entry: empty (no override) or an integer >= -1. */
static gboolean
parse_retention (DesktopCreateTopicDialog *self,
                 gint64                   *out)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->retention_row));

  *out = G_MININT64;
  if (*text == '\0')
    return TRUE;
  if (!g_ascii_string_to_signed (text, 10, -1, G_MAXINT64, out, NULL))
    return FALSE;
  return TRUE;
}

static void
update (DesktopCreateTopicDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autofree char *reason = NULL;
  gboolean name_ok = desktop_topic_name_is_valid (name, &reason);
  gint64 retention;
  gboolean retention_ok = parse_retention (self, &retention);

  /* An empty name is not yet an error worth shouting about. */
  gtk_widget_set_visible (GTK_WIDGET (self->name_error), !name_ok && *name != '\0');
  gtk_label_set_text (self->name_error, reason != NULL ? reason : "");
  if (!name_ok && *name != '\0')
    gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  if (!retention_ok)
    gtk_widget_add_css_class (GTK_WIDGET (self->retention_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->retention_row), "error");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.create",
                                 name_ok && retention_ok && self->cancellable == NULL);
}

static void
set_busy (DesktopCreateTopicDialog *self,
          gboolean                  busy)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  if (busy)
    gtk_spinner_start (self->spinner);
  else
    gtk_spinner_stop (self->spinner);
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), !busy);
}

static void
on_created (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(DesktopCreateTopicDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));

  if (!desktop_create_topic_finish (CAUDAL_CLUSTER (source), result, &error))
    {
      g_autofree char *message = NULL;

      if (desktop_error_is_cancelled (error))
        return;
      g_clear_object (&self->cancellable);
      set_busy (self, FALSE);
      update (self);
      message = g_strdup_printf (_("Could not create topic “%s”: %s"), name, error->message);
      desktop_show_toast (GTK_WIDGET (self->toast_overlay), message);
      return;
    }
  g_clear_object (&self->cancellable);
  g_signal_emit (self, signals[SIGNAL_CREATED], 0, name);
  gtk_window_close (GTK_WINDOW (self));
}

static void
create_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  DesktopCreateTopicDialog *self = DESKTOP_CREATE_TOPIC_DIALOG (widget);
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autoptr(GHashTable) configs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GtkStringObject *policy;
  gint64 retention;

  if (!desktop_topic_name_is_valid (name, NULL) || !parse_retention (self, &retention) || self->cancellable != NULL)
    return;
  if (retention != G_MININT64)
    g_hash_table_insert (configs, g_strdup ("retention.ms"), g_strdup_printf ("%" G_GINT64_FORMAT, retention));
  /* Item 0 is "Broker default": no override. */
  if (adw_combo_row_get_selected (self->cleanup_row) > 0)
    {
      policy = adw_combo_row_get_selected_item (self->cleanup_row);
      g_hash_table_insert (configs, g_strdup ("cleanup.policy"), g_strdup (gtk_string_object_get_string (policy)));
    }
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  update (self);
  desktop_create_topic_async (self->cluster, name,
                              gtk_spin_button_get_value_as_int (self->partitions_spin),
                              (gint16) gtk_spin_button_get_value_as_int (self->replication_spin),
                              configs, self->cancellable, on_created, g_object_ref (self));
}

static void
on_changed (GtkEditable              *editable,
            DesktopCreateTopicDialog *self)
{
  update (self);
}

static void
on_entry_activated (AdwEntryRow              *row,
                    DesktopCreateTopicDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "dialog.create", NULL);
}

static gboolean
desktop_create_topic_dialog_close_request (GtkWindow *window)
{
  DesktopCreateTopicDialog *self = DESKTOP_CREATE_TOPIC_DIALOG (window);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  return GTK_WINDOW_CLASS (desktop_create_topic_dialog_parent_class)->close_request (window);
}

static void
desktop_create_topic_dialog_dispose (GObject *object)
{
  DesktopCreateTopicDialog *self = DESKTOP_CREATE_TOPIC_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->cluster);
  g_clear_pointer (&self->bootstrap_servers, g_free);
  G_OBJECT_CLASS (desktop_create_topic_dialog_parent_class)->dispose (object);
}

static void
desktop_create_topic_dialog_class_init (DesktopCreateTopicDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = desktop_create_topic_dialog_dispose;
  window_class->close_request = desktop_create_topic_dialog_close_request;

  /**
   * DesktopCreateTopicDialog::created:
   * @name: the topic created
   */
  signals[SIGNAL_CREATED] =
    g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/caudal/Caudal/desktop-create-topic-dialog.ui");
  /* Named for tests (gtk_widget_get_template_child); no pointer kept. */
  gtk_widget_class_bind_template_child_full (widget_class, "create_button", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, DesktopCreateTopicDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, DesktopCreateTopicDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopCreateTopicDialog, name_error);
  gtk_widget_class_bind_template_child (widget_class, DesktopCreateTopicDialog, partitions_spin);
  gtk_widget_class_bind_template_child (widget_class, DesktopCreateTopicDialog, replication_spin);
  gtk_widget_class_bind_template_child (widget_class, DesktopCreateTopicDialog, retention_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopCreateTopicDialog, cleanup_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopCreateTopicDialog, spinner);

  gtk_widget_class_install_action (widget_class, "dialog.create", NULL, create_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
desktop_create_topic_dialog_init (DesktopCreateTopicDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->name_row, "changed", G_CALLBACK (on_changed), self, 0);
  g_signal_connect_object (self->retention_row, "changed", G_CALLBACK (on_changed), self, 0);
  g_signal_connect_object (self->name_row, "entry-activated", G_CALLBACK (on_entry_activated), self, 0);
  update (self);
}

DesktopCreateTopicDialog *
desktop_create_topic_dialog_new (GtkWindow     *parent,
                                 CaudalCluster *cluster,
                                 const char    *bootstrap_servers)
{
  DesktopCreateTopicDialog *self;

  g_return_val_if_fail (CAUDAL_IS_CLUSTER (cluster), NULL);

  self = g_object_new (DESKTOP_TYPE_CREATE_TOPIC_DIALOG, "transient-for", parent, NULL);
  self->cluster = g_object_ref (cluster);
  self->bootstrap_servers = g_strdup (bootstrap_servers);
  return self;
}
