/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-produce-dialog.c: one CaudalProducer per Send (its config
 * carries the chosen compression), N send_async calls, and the result of
 * the last delivery once all have completed. JSON is not validated: the
 * project does not depend on json-glib. */

#include <glib/gi18n.h>
#include <stdlib.h>

#include "caudal-producer.h"
#include "desktop-produce-dialog.h"
#include "desktop-util.h"

struct _DesktopProduceDialog
{
  AdwWindow        parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkLabel        *result_label;
  AdwEntryRow     *topic_row;
  AdwEntryRow     *key_row;
  GtkTextView     *value_view;
  GtkListBox      *headers_box;
  GtkSpinButton   *partition_spin;
  AdwComboRow     *compression_row;
  GtkSpinButton   *copies_spin;
  GtkSpinner      *spinner;

  CaudalCluster   *cluster;
  char            *bootstrap_servers;
  GCancellable    *cancellable;     /* a send in progress; cancelled on close */
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

void
desktop_produce_dialog_add_header_row (DesktopProduceDialog *self)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *key = gtk_entry_new ();
  GtkWidget *value = gtk_entry_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");

  g_return_if_fail (DESKTOP_IS_PRODUCE_DIALOG (self));

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
  gtk_box_append (GTK_BOX (box), key);
  gtk_box_append (GTK_BOX (box), value);
  gtk_box_append (GTK_BOX (box), remove);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_header), row);
  gtk_list_box_append (self->headers_box, row);
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
  CaudalProducer       *producer;
  char                 *topic;
  guint                 pending;
  guint                 failed;
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
  else
    {
      d->failed++;
      if (d->error == NULL)
        d->error = g_steal_pointer (&error);
    }
  if (--d->pending > 0)
    return;

  if (d->error == NULL || !desktop_error_is_cancelled (d->error))
    {
      g_autofree char *message = NULL;

      g_clear_object (&self->cancellable);
      set_busy (self, FALSE);
      if (d->error != NULL)
        message = g_strdup_printf (_("Could not produce to “%s” on %s: %s"), d->topic, self->bootstrap_servers,
                                   d->error->message);
      else
        message = g_strdup_printf (_("Partition %d, offset %" G_GINT64_FORMAT), d->last.partition, d->last.offset);
      gtk_label_set_text (self->result_label, message);
      gtk_widget_set_visible (GTK_WIDGET (self->result_label), TRUE);
      if (d->error != NULL)
        gtk_widget_add_css_class (GTK_WIDGET (self->result_label), "error");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (self->result_label), "error");
      desktop_show_toast (GTK_WIDGET (self->toast_overlay), message);
    }
  g_clear_error (&d->error);
  g_object_unref (d->producer);
  g_object_unref (d->self);
  g_free (d->topic);
  g_free (d);
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
  g_autoptr(GArray) headers = g_array_new (FALSE, TRUE, sizeof (CaudalRecordHeader));
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->value_view);
  GtkTextIter start, end;
  CaudalProducerConfig cfg;
  SendData *d;
  guint copies;
  gint32 partition;

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
  if (*key_text != '\0')
    key = g_bytes_new (key_text, strlen (key_text));

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->headers_box));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *box = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));
      GtkWidget *k = gtk_widget_get_first_child (box);
      GtkWidget *v = gtk_widget_get_next_sibling (k);
      const char *hk = gtk_editable_get_text (GTK_EDITABLE (k));
      const char *hv = gtk_editable_get_text (GTK_EDITABLE (v));
      CaudalRecordHeader h;

      if (*hk == '\0')
        continue;
      h.key.data = (const guint8 *) hk;
      h.key.len = strlen (hk);
      h.value.data = (const guint8 *) hv;
      h.value.len = strlen (hv);
      g_array_append_val (headers, h);
    }

  caudal_producer_config_init (&cfg);
  cfg.compression = (CaudalCompression) adw_combo_row_get_selected (self->compression_row);
  partition = gtk_spin_button_get_value_as_int (self->partition_spin);
  copies = MAX (1, gtk_spin_button_get_value_as_int (self->copies_spin));

  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  d = g_new0 (SendData, 1);
  d->self = g_object_ref (self);
  d->producer = caudal_producer_new (self->cluster, &cfg);
  d->topic = g_strdup (topic);
  d->last.offset = -1;
  d->last.partition = -1;
  d->pending = copies;
  /* The texts the headers borrow live until the calls return: they copy. */
  for (guint i = 0; i < copies; i++)
    caudal_producer_send_async (d->producer, topic, partition < 0 ? -1 : partition, key, value,
                                (const CaudalRecordHeader *) headers->data, headers->len, -1,
                                self->cancellable, on_sent, d);
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
  if (topic != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->topic_row), topic);
  return self;
}
