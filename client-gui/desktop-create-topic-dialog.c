/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-create-topic-dialog.c: CreateTopics from a form; the name is
 * checked as the user types, the request runs asynchronously and is
 * cancelled if the dialog closes first. On opening, the configs a new
 * topic would get (a validate-only CreateTopics, KIP-525) fill "Other
 * Settings": a row per key with its default and an entry to override it.
 * A broker that cannot tell them gets a free name = value pair instead. */

#include <glib/gi18n.h>
#include <string.h>

#include "caudal-admin.h"
#include "caudal-error-codes.h"
#include "desktop-create-topic-dialog.h"
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
  GtkSpinner      *other_spinner;
  GtkSearchEntry  *other_search;
  GtkListBox      *other_list;
  GtkLabel        *other_status;
  GtkListBox      *free_list;
  AdwEntryRow     *free_key_row;
  AdwEntryRow     *free_value_row;

  CaudalCluster   *cluster;
  CaudalAdmin     *admin;
  char            *bootstrap_servers;
  GCancellable    *cancellable;   /* the request in flight, or NULL */
  GCancellable    *defaults;      /* loading the defaults, or NULL */
  GHashTable      *other_entries; /* config name → its GtkEntry in other_list */
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

/* The free pair: a value needs a name. */
static gboolean
free_pair_is_valid (DesktopCreateTopicDialog *self)
{
  g_autofree char *key = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->free_key_row))));

  return *key != '\0' || *gtk_editable_get_text (GTK_EDITABLE (self->free_value_row)) == '\0';
}

static void
set_error_style (GtkWidget *widget,
                 gboolean   error)
{
  if (error)
    gtk_widget_add_css_class (widget, "error");
  else
    gtk_widget_remove_css_class (widget, "error");
}

static void
update (DesktopCreateTopicDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autofree char *reason = NULL;
  gboolean name_ok = desktop_topic_name_is_valid (name, &reason);
  gint64 retention;
  gboolean retention_ok = parse_retention (self, &retention);
  gboolean free_ok = free_pair_is_valid (self);

  /* An empty name is not yet an error worth shouting about. */
  gtk_widget_set_visible (GTK_WIDGET (self->name_error), !name_ok && *name != '\0');
  gtk_label_set_text (self->name_error, reason != NULL ? reason : "");
  if (!name_ok && *name != '\0')
    gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  set_error_style (GTK_WIDGET (self->retention_row), !retention_ok);
  set_error_style (GTK_WIDGET (self->free_key_row), !free_ok);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.create",
                                 name_ok && retention_ok && free_ok && self->cancellable == NULL);
}

/* ---- other settings ---- */

/* Shown as rows of their own above, so not listed again. */
static gboolean
has_own_row (const char *name)
{
  return strcmp (name, "retention.ms") == 0 || strcmp (name, "cleanup.policy") == 0;
}

static char *
describe_default (const CaudalAdminConfigEntry *entry)
{
  if (entry->sensitive)
    return g_strdup (_("Default hidden (sensitive)"));
  if (entry->value == NULL)
    return g_strdup (_("No default"));
  if (*entry->value == '\0')
    return g_strdup (_("Default: empty"));
  /* Translators: the value a new topic gets for a setting */
  return g_strdup_printf (_("Default: %s"), entry->value);
}

static void
add_other_row (DesktopCreateTopicDialog     *self,
               const CaudalAdminConfigEntry *entry)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *text = gtk_entry_new ();
  g_autofree char *subtitle = describe_default (entry);

  /* Named after the config, for the filter and for tests. */
  gtk_widget_set_name (row, entry->name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), entry->name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (text, GTK_ALIGN_CENTER);
  gtk_editable_set_width_chars (GTK_EDITABLE (text), 10);
  /* Kafka refuses read-only configs in CreateTopics. */
  gtk_widget_set_sensitive (text, !entry->read_only);
  gtk_accessible_update_property (GTK_ACCESSIBLE (text), GTK_ACCESSIBLE_PROPERTY_LABEL, entry->name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), text);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), text);
  gtk_list_box_append (self->other_list, row);
  g_hash_table_insert (self->other_entries, g_strdup (entry->name), text);
}

static gboolean
filter_other (GtkListBoxRow *row,
              gpointer       user_data)
{
  DesktopCreateTopicDialog *self = user_data;
  /* Config names are lower case ASCII. */
  g_autofree char *search = g_ascii_strdown (gtk_editable_get_text (GTK_EDITABLE (self->other_search)), -1);

  return strstr (gtk_widget_get_name (GTK_WIDGET (row)), g_strstrip (search)) != NULL;
}

static void
on_other_search_changed (DesktopCreateTopicDialog *self)
{
  gtk_list_box_invalidate_filter (self->other_list);
}

/* No list: say why, and offer the free pair. */
static void
show_free_pair (DesktopCreateTopicDialog *self,
                const GError             *error)
{
  g_autofree char *message = NULL;

  if (g_error_matches (error, CAUDAL_CLIENT_ERROR, CAUDAL_CLIENT_ERROR_UNSUPPORTED))
    message = g_strdup (_("This cluster cannot tell a new topic’s defaults (that needs CreateTopics "
                          "version 5 or later). Any other setting can still be given by name."));
  else
    message = g_strdup_printf (_("Could not load the defaults: %s. Any other setting can still be "
                                 "given by name."), error->message);
  gtk_label_set_text (self->other_status, message);
  gtk_widget_set_visible (GTK_WIDGET (self->other_status), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->free_list), TRUE);
}

static void
on_defaults (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(DesktopCreateTopicDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = caudal_admin_describe_new_topic_configs_finish (CAUDAL_ADMIN (source),
                                                                                 result, &error);

  if (entries == NULL && desktop_error_is_cancelled (error))
    return;
  g_clear_object (&self->defaults);
  gtk_spinner_stop (self->other_spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->other_spinner), FALSE);
  if (entries == NULL)
    {
      show_free_pair (self, error);
      return;
    }
  for (guint i = 0; i < entries->len; i++)
    {
      CaudalAdminConfigEntry *entry = g_ptr_array_index (entries, i);

      if (!has_own_row (entry->name))
        add_other_row (self, entry);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->other_search), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->other_list), TRUE);
}

static void
load_defaults (DesktopCreateTopicDialog *self)
{
  self->defaults = g_cancellable_new ();
  gtk_spinner_start (self->other_spinner);
  caudal_admin_describe_new_topic_configs_async (self->admin, self->defaults, on_defaults, g_object_ref (self));
}

/* The overrides typed under Other Settings (values as typed, trimmed). */
static void
collect_other (DesktopCreateTopicDialog *self,
               GHashTable               *configs)
{
  g_autofree char *key = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->free_key_row))));
  GHashTableIter iter;
  gpointer name, text;

  g_hash_table_iter_init (&iter, self->other_entries);
  while (g_hash_table_iter_next (&iter, &name, &text))
    {
      g_autofree char *value = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (text))));

      if (*value != '\0')
        g_hash_table_insert (configs, g_strdup (name), g_steal_pointer (&value));
    }
  if (*key != '\0')
    g_hash_table_insert (configs, g_steal_pointer (&key),
                         g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->free_value_row))));
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

  if (!caudal_admin_create_topic_finish (CAUDAL_ADMIN (source), result, &error))
    {
      g_autofree char *message = NULL;
      g_autofree char *reason = NULL;

      if (desktop_error_is_cancelled (error))
        return;
      g_clear_object (&self->cancellable);
      set_busy (self, FALSE);
      update (self);
      reason = desktop_describe_admin_error (self->cluster, error);
      message = g_strdup_printf (_("Could not create topic “%s”: %s"), name, reason);
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

  if (!desktop_topic_name_is_valid (name, NULL) || !parse_retention (self, &retention)
      || !free_pair_is_valid (self) || self->cancellable != NULL)
    return;
  collect_other (self, configs);
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
  caudal_admin_create_topic_async (self->admin, name,
                                   gtk_spin_button_get_value_as_int (self->partitions_spin),
                                   (gint16) gtk_spin_button_get_value_as_int (self->replication_spin),
                                   configs, FALSE, self->cancellable, on_created, g_object_ref (self));
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
  g_cancellable_cancel (self->defaults);
  g_clear_object (&self->defaults);
  return GTK_WINDOW_CLASS (desktop_create_topic_dialog_parent_class)->close_request (window);
}

static void
desktop_create_topic_dialog_dispose (GObject *object)
{
  DesktopCreateTopicDialog *self = DESKTOP_CREATE_TOPIC_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->defaults);
  g_clear_object (&self->defaults);
  g_clear_pointer (&self->other_entries, g_hash_table_unref);
  g_clear_object (&self->admin);
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
  gtk_widget_class_bind_template_child (widget_class, DesktopCreateTopicDialog, other_spinner);
  gtk_widget_class_bind_template_child (widget_class, DesktopCreateTopicDialog, other_search);
  gtk_widget_class_bind_template_child (widget_class, DesktopCreateTopicDialog, other_list);
  gtk_widget_class_bind_template_child (widget_class, DesktopCreateTopicDialog, other_status);
  gtk_widget_class_bind_template_child (widget_class, DesktopCreateTopicDialog, free_list);
  gtk_widget_class_bind_template_child (widget_class, DesktopCreateTopicDialog, free_key_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopCreateTopicDialog, free_value_row);

  gtk_widget_class_install_action (widget_class, "dialog.create", NULL, create_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
desktop_create_topic_dialog_init (DesktopCreateTopicDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->other_entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_list_box_set_filter_func (self->other_list, filter_other, self, NULL);
  g_signal_connect_object (self->other_search, "search-changed", G_CALLBACK (on_other_search_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->name_row, "changed", G_CALLBACK (on_changed), self, 0);
  g_signal_connect_object (self->retention_row, "changed", G_CALLBACK (on_changed), self, 0);
  g_signal_connect_object (self->free_key_row, "changed", G_CALLBACK (on_changed), self, 0);
  g_signal_connect_object (self->free_value_row, "changed", G_CALLBACK (on_changed), self, 0);
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
  self->admin = caudal_admin_new (cluster);
  self->bootstrap_servers = g_strdup (bootstrap_servers);
  load_defaults (self);
  return self;
}
