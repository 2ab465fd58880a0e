/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-produce-dialog.c: the form becomes a DesktopRecentMessage;
 * sending one (from the form, or a recent one again) is one
 * CaudalProducer (its config carries the message's compression), N
 * send_async calls, and the result of the last delivery once all have
 * completed; a message delivered is remembered in the cluster's recent
 * list. A value that looks like JSON is parsed a moment after typing
 * stops, and a parse error shows under it (sending stays allowed: Kafka
 * values are bytes). */

#include <glib/gi18n.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "caudal-producer.h"
#include "desktop-message-json.h"
#include "desktop-produce-dialog.h"
#include "desktop-recent-message.h"
#include "desktop-util.h"

/* The pause in typing after which the value is checked. */
#define JSON_CHECK_DELAY_MS 200

struct _DesktopProduceDialog
{
  AdwWindow            parent_instance;

  AdwToastOverlay     *toast_overlay;
  GtkLabel            *result_label;
  AdwEntryRow         *topic_row;
  AdwEntryRow         *key_row;
  GtkTextView         *value_view;
  GtkLabel            *json_label;
  GtkListBox          *headers_box;
  GtkSpinButton       *partition_spin;
  AdwComboRow         *compression_row;
  GtkSpinButton       *copies_spin;
  GtkSpinner          *spinner;
  AdwPreferencesGroup *recent_group;
  GtkListBox          *recent_box;

  CaudalCluster       *cluster;
  char                *bootstrap_servers;
  GListModel          *recent;          /* DesktopRecentMessage, the cluster's */
  GCancellable        *cancellable;     /* a send in progress; cancelled on close */
  guint                json_check_id;
};

G_DEFINE_FINAL_TYPE (DesktopProduceDialog, desktop_produce_dialog, ADW_TYPE_WINDOW)

/* ---- headers ---- */

static void
on_remove_header (GtkButton *button,
                  GtkWidget *row)
{
  GtkWidget *box = gtk_widget_get_parent (row);

  gtk_list_box_remove (GTK_LIST_BOX (box), row);
}

static void
add_header_row (DesktopProduceDialog *self,
                const char           *key_text,
                const char           *value_text)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *key = gtk_entry_new ();
  GtkWidget *value = gtk_entry_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_entry_set_placeholder_text (GTK_ENTRY (key), _("Header key"));
  gtk_entry_set_placeholder_text (GTK_ENTRY (value), _("Header value"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (key), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Header key"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (value), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Header value"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Remove header"), -1);
  gtk_widget_set_tooltip_text (remove, _("Remove Header"));
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_hexpand (key, TRUE);
  gtk_widget_set_hexpand (value, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (key), key_text);
  gtk_editable_set_text (GTK_EDITABLE (value), value_text);
  gtk_box_append (GTK_BOX (box), key);
  gtk_box_append (GTK_BOX (box), value);
  gtk_box_append (GTK_BOX (box), remove);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_header), row);
  gtk_list_box_append (self->headers_box, row);
}

void
desktop_produce_dialog_add_header_row (DesktopProduceDialog *self)
{
  g_return_if_fail (DESKTOP_IS_PRODUCE_DIALOG (self));

  add_header_row (self, "", "");
}

/* Key, value, key, value, … of the rows with a key. */
static GStrv
collect_headers (DesktopProduceDialog *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->headers_box));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *box = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));
      GtkWidget *k = gtk_widget_get_first_child (box);
      GtkWidget *v = gtk_widget_get_next_sibling (k);
      const char *hk = gtk_editable_get_text (GTK_EDITABLE (k));

      if (*hk == '\0')
        continue;
      g_strv_builder_add (builder, hk);
      g_strv_builder_add (builder, gtk_editable_get_text (GTK_EDITABLE (v)));
    }
  return g_strv_builder_end (builder);
}

static void
add_header_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  desktop_produce_dialog_add_header_row (DESKTOP_PRODUCE_DIALOG (widget));
}

/* ---- sending ---- */

typedef struct
{
  DesktopProduceDialog *self;
  DesktopRecentMessage *message;
  CaudalProducer       *producer;
  GArray               *headers;   /* CaudalRecordHeader, borrowing message's */
  guint                 pending;
  CaudalProducerResult  last;
  GError               *error;
} SendData;

static void
set_busy (DesktopProduceDialog *self,
          gboolean              busy)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  if (busy)
    gtk_spinner_start (self->spinner);
  else
    gtk_spinner_stop (self->spinner);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "produce.send", !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->recent_box), !busy);
}

static void
show_result (DesktopProduceDialog *self,
             const char           *message,
             gboolean              failed)
{
  gtk_label_set_text (self->result_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->result_label), TRUE);
  if (failed)
    gtk_widget_add_css_class (GTK_WIDGET (self->result_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->result_label), "error");
  desktop_show_toast (GTK_WIDGET (self->toast_overlay), message);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  SendData *d = user_data;
  DesktopProduceDialog *self = d->self;
  CaudalProducerResult out = { 0 };
  g_autoptr(GError) error = NULL;

  if (caudal_producer_send_finish (CAUDAL_PRODUCER (source), result, &out, &error))
    d->last = out;   /* the last delivery to complete */
  else if (d->error == NULL)
    d->error = g_steal_pointer (&error);
  if (--d->pending > 0)
    return;

  if (d->error == NULL || !desktop_error_is_cancelled (d->error))
    {
      g_autofree char *message = NULL;

      g_clear_object (&self->cancellable);
      set_busy (self, FALSE);
      if (d->error != NULL)
        message = g_strdup_printf (_("Could not produce to “%s” on %s: %s"),
                                   desktop_recent_message_get_topic (d->message), self->bootstrap_servers,
                                   d->error->message);
      else
        {
          message = g_strdup_printf (_("Partition %d, offset %" PRId64), d->last.partition, d->last.offset);
          desktop_recent_messages_remember (self->bootstrap_servers, d->message);
        }
      show_result (self, message, d->error != NULL);
    }
  g_clear_error (&d->error);
  g_array_unref (d->headers);
  g_object_unref (d->producer);
  g_object_unref (d->message);
  g_object_unref (d->self);
  g_free (d);
}

/* Sends @copies of @message; the result shows once all completed. */
static void
send_message (DesktopProduceDialog *self,
              DesktopRecentMessage *message,
              guint                 copies)
{
  CaudalProducerConfig cfg;
  const char *topic = desktop_recent_message_get_topic (message);
  gint32 partition = desktop_recent_message_get_partition (message);
  SendData *d;

  caudal_producer_config_init (&cfg);
  cfg.compression = desktop_recent_message_get_compression (message);

  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  d = g_new0 (SendData, 1);
  d->self = g_object_ref (self);
  d->message = g_object_ref (message);
  d->producer = caudal_producer_new (self->cluster, &cfg);
  d->headers = desktop_recent_message_dup_record_headers (message);
  d->last.offset = -1;
  d->last.partition = -1;
  d->pending = copies;
  /* The producer copies what the headers borrow. */
  for (guint i = 0; i < copies; i++)
    caudal_producer_send_async (d->producer, topic, partition,
                                desktop_recent_message_get_key (message),
                                desktop_recent_message_get_value (message),
                                (const CaudalRecordHeader *) d->headers->data, d->headers->len, -1,
                                self->cancellable, on_sent, d);
}

static void
send_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  DesktopProduceDialog *self = DESKTOP_PRODUCE_DIALOG (widget);
  const char *topic = gtk_editable_get_text (GTK_EDITABLE (self->topic_row));
  const char *key_text = gtk_editable_get_text (GTK_EDITABLE (self->key_row));
  g_autofree char *reason = NULL;
  g_autofree char *value_text = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GBytes) value = NULL;
  g_auto(GStrv) headers = NULL;
  g_autoptr(DesktopRecentMessage) message = NULL;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->value_view);
  GtkTextIter start, end;

  if (self->cancellable != NULL || self->cluster == NULL)
    return;
  if (!desktop_topic_name_is_valid (topic, &reason))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->topic_row), "error");
      desktop_show_toast (GTK_WIDGET (self->toast_overlay), reason);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->topic_row), "error");

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  value_text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  value = g_bytes_new (value_text, strlen (value_text));
  /* An empty key is Kafka's null key. */
  if (*key_text != '\0')
    key = g_bytes_new (key_text, strlen (key_text));
  headers = collect_headers (self);
  message = desktop_recent_message_new (topic, key, value, (const char * const *) headers,
                                        gtk_spin_button_get_value_as_int (self->partition_spin),
                                        (CaudalCompression) adw_combo_row_get_selected (self->compression_row));
  send_message (self, message, MAX (1, gtk_spin_button_get_value_as_int (self->copies_spin)));
}

/* ---- JSON validation ---- */

static gboolean
check_json (gpointer user_data)
{
  DesktopProduceDialog *self = user_data;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->value_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  const char *trimmed;

  self->json_check_id = 0;
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  for (trimmed = text; g_ascii_isspace (*trimmed); trimmed++)
    ;
  /* Only what looks like an object or array is meant as JSON: any other
   * text is a fine value. */
  if ((*trimmed == '{' || *trimmed == '[') && !desktop_json_check (text, -1, &error))
    {
      g_autofree char *note = g_strdup_printf (_("Not valid JSON: %s"), error->message);

      gtk_label_set_text (self->json_label, note);
      gtk_widget_set_visible (GTK_WIDGET (self->json_label), TRUE);
      gtk_widget_add_css_class (GTK_WIDGET (self->value_view), "warning");
    }
  else
    {
      gtk_widget_set_visible (GTK_WIDGET (self->json_label), FALSE);
      gtk_widget_remove_css_class (GTK_WIDGET (self->value_view), "warning");
    }
  return G_SOURCE_REMOVE;
}

static void
value_changed (DesktopProduceDialog *self)
{
  g_clear_handle_id (&self->json_check_id, g_source_remove);
  self->json_check_id = g_timeout_add (JSON_CHECK_DELAY_MS, check_json, self);
}

/* ---- recent messages ---- */

static char *
preview (GBytes *bytes)
{
  g_autofree char *text = NULL;
  gsize size;
  const char *data;

  if (bytes == NULL)
    return g_strdup (_("(null)"));
  data = g_bytes_get_data (bytes, &size);
  text = g_utf8_make_valid (data != NULL ? data : "", (gssize) size);
  g_strdelimit (text, "\n\r\t", ' ');
  if (g_utf8_strlen (text, -1) <= 80)
    return g_steal_pointer (&text);
  {
    g_autofree char *cut = g_utf8_substring (text, 0, 80);
    return g_strconcat (cut, "…", NULL);
  }
}

/* Fills the form with @message as it was sent. */
static void
fill_form (DesktopProduceDialog *self,
           DesktopRecentMessage *message)
{
  const char * const *headers = desktop_recent_message_get_headers (message);
  GBytes *key = desktop_recent_message_get_key (message);
  GBytes *value = desktop_recent_message_get_value (message);
  GtkWidget *row;
  gsize size;
  const char *data;

  gtk_editable_set_text (GTK_EDITABLE (self->topic_row), desktop_recent_message_get_topic (message));
  if (key != NULL)
    {
      g_autofree char *text = NULL;

      data = g_bytes_get_data (key, &size);
      text = g_strndup (data, size);
      gtk_editable_set_text (GTK_EDITABLE (self->key_row), text);
    }
  else
    gtk_editable_set_text (GTK_EDITABLE (self->key_row), "");
  data = g_bytes_get_data (value, &size);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->value_view), data != NULL ? data : "", (int) size);
  while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->headers_box))) != NULL)
    gtk_list_box_remove (self->headers_box, row);
  for (guint i = 0; headers[i] != NULL; i += 2)
    add_header_row (self, headers[i], headers[i + 1]);
  if (headers[0] == NULL)
    add_header_row (self, "", "");
  gtk_spin_button_set_value (self->partition_spin, desktop_recent_message_get_partition (message));
  adw_combo_row_set_selected (self->compression_row, desktop_recent_message_get_compression (message));
}

static void
resend_clicked (GtkButton            *button,
                DesktopProduceDialog *self)
{
  DesktopRecentMessage *message = g_object_get_data (G_OBJECT (button), "message");

  if (self->cancellable != NULL || self->cluster == NULL)
    return;
  send_message (self, message, 1);
}

static GtkWidget *
create_recent_row (gpointer item,
                   gpointer user_data)
{
  DesktopProduceDialog *self = user_data;
  DesktopRecentMessage *message = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *resend = gtk_button_new_with_mnemonic (_("_Resend"));
  g_autofree char *key = preview (desktop_recent_message_get_key (message));
  g_autofree char *value = preview (desktop_recent_message_get_value (message));
  g_autofree char *title = g_strdup_printf (_("%s, key %s"), desktop_recent_message_get_topic (message), key);
  g_autofree char *label = g_strdup_printf (_("Resend %s"), title);

  /* Keys and values are the user's text, not markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, _("Fill the Form with This Message"));
  gtk_widget_set_valign (resend, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (resend), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_object_set_data_full (G_OBJECT (resend), "message", g_object_ref (message), g_object_unref);
  g_signal_connect (resend, "clicked", G_CALLBACK (resend_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), resend);
  return row;
}

static void
recent_activated (GtkListBox           *box,
                  GtkListBoxRow        *row,
                  DesktopProduceDialog *self)
{
  g_autoptr(DesktopRecentMessage) message = g_list_model_get_item (self->recent, gtk_list_box_row_get_index (row));

  if (message != NULL)
    fill_form (self, message);
}

static void
recent_changed (DesktopProduceDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->recent_group), g_list_model_get_n_items (self->recent) > 0);
}

/* The partition spin shows "Automatic" for -1. */
static gboolean
on_partition_output (GtkSpinButton *spin,
                     gpointer       user_data)
{
  if (gtk_spin_button_get_value_as_int (spin) < 0)
    {
      gtk_editable_set_text (GTK_EDITABLE (spin), _("Automatic"));
      return TRUE;
    }
  return FALSE;
}

static int
on_partition_input (GtkSpinButton *spin,
                    double        *new_value,
                    gpointer       user_data)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));
  char *end = NULL;
  gint64 v;

  if (g_strcmp0 (text, _("Automatic")) == 0 || *text == '\0')
    {
      *new_value = -1;
      return TRUE;
    }
  v = g_ascii_strtoll (text, &end, 10);
  if (end == text || *end != '\0')
    return GTK_INPUT_ERROR;
  *new_value = (double) v;
  return TRUE;
}

/* ---- GObject ---- */

static gboolean
desktop_produce_dialog_close_request (GtkWindow *window)
{
  DesktopProduceDialog *self = DESKTOP_PRODUCE_DIALOG (window);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  return GTK_WINDOW_CLASS (desktop_produce_dialog_parent_class)->close_request (window);
}

static void
desktop_produce_dialog_dispose (GObject *object)
{
  DesktopProduceDialog *self = DESKTOP_PRODUCE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->json_check_id, g_source_remove);
  /* The list outlives the dialog. */
  if (self->recent != NULL)
    g_signal_handlers_disconnect_by_data (self->recent, self);
  self->recent = NULL;
  g_clear_object (&self->cluster);
  g_clear_pointer (&self->bootstrap_servers, g_free);
  G_OBJECT_CLASS (desktop_produce_dialog_parent_class)->dispose (object);
}

static void
desktop_produce_dialog_class_init (DesktopProduceDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = desktop_produce_dialog_dispose;
  window_class->close_request = desktop_produce_dialog_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/caudal/Caudal/desktop-produce-dialog.ui");
  gtk_widget_class_bind_template_child_full (widget_class, "send_button", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, DesktopProduceDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, DesktopProduceDialog, result_label);
  gtk_widget_class_bind_template_child (widget_class, DesktopProduceDialog, topic_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopProduceDialog, key_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopProduceDialog, value_view);
  gtk_widget_class_bind_template_child (widget_class, DesktopProduceDialog, json_label);
  gtk_widget_class_bind_template_child (widget_class, DesktopProduceDialog, recent_group);
  gtk_widget_class_bind_template_child (widget_class, DesktopProduceDialog, recent_box);
  gtk_widget_class_bind_template_child (widget_class, DesktopProduceDialog, headers_box);
  gtk_widget_class_bind_template_child (widget_class, DesktopProduceDialog, partition_spin);
  gtk_widget_class_bind_template_child (widget_class, DesktopProduceDialog, compression_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopProduceDialog, copies_spin);
  gtk_widget_class_bind_template_child (widget_class, DesktopProduceDialog, spinner);

  gtk_widget_class_install_action (widget_class, "produce.send", NULL, send_activated);
  gtk_widget_class_install_action (widget_class, "produce.add-header", NULL, add_header_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "produce.send", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
desktop_produce_dialog_init (DesktopProduceDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->partition_spin, "output", G_CALLBACK (on_partition_output), NULL);
  g_signal_connect (self->partition_spin, "input", G_CALLBACK (on_partition_input), NULL);
  gtk_spin_button_update (self->partition_spin);
  on_partition_output (self->partition_spin, NULL);
  desktop_produce_dialog_add_header_row (self);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->value_view), "changed",
                            G_CALLBACK (value_changed), self);
  g_signal_connect (self->recent_box, "row-activated", G_CALLBACK (recent_activated), self);
}

DesktopProduceDialog *
desktop_produce_dialog_new (GtkWindow     *parent,
                            CaudalCluster *cluster,
                            const char    *bootstrap_servers,
                            const char    *topic)
{
  DesktopProduceDialog *self;

  g_return_val_if_fail (CAUDAL_IS_CLUSTER (cluster), NULL);

  self = g_object_new (DESKTOP_TYPE_PRODUCE_DIALOG, "transient-for", parent, NULL);
  self->cluster = g_object_ref (cluster);
  self->bootstrap_servers = g_strdup (bootstrap_servers);
  self->recent = desktop_recent_messages_get (bootstrap_servers);
  gtk_list_box_bind_model (self->recent_box, self->recent, create_recent_row, self, NULL);
  g_signal_connect_swapped (self->recent, "items-changed", G_CALLBACK (recent_changed), self);
  recent_changed (self);
  if (topic != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->topic_row), topic);
  return self;
}
