/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-messages-view.c: ListOffsets (earliest, latest, and the date's
 * offset) for the chosen partitions fixes where each starts and where the
 * read ends; a CaudalConsumer assigned there (no group) polls until the
 * count is reached or every partition reached its end, or forever while
 * the live tail is on. Messages go to a GListStore → filter (search) →
 * GtkColumnView. Everything is cancelled on a new read and on dispose.
 * Copy and Export write the messages as desktop-message-json.h encodes
 * them; an export is cancelled on dispose too (the file is replaced
 * only once it is written whole, so nothing is left half-written). */

#include <glib/gi18n.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "caudal-admin.h"
#include "caudal-consumer.h"
#include "desktop-message.h"
#include "desktop-message-json.h"
#include "desktop-messages-view.h"
#include "desktop-util.h"

typedef struct
{
  gint32   partition;
  gint64   end;       /* the latest offset when the read started */
  gboolean done;
} PartState;

struct _DesktopMessagesView
{
  AdwBin               parent_instance;

  GtkDropDown         *from_dropdown;
  GtkEntry            *position_entry;
  GtkDropDown         *partition_dropdown;
  GtkSpinButton       *max_spin;
  GtkButton           *read_button;
  GtkToggleButton     *live_toggle;
  GtkSearchEntry      *search_entry;
  GtkLabel            *status_label;
  GtkColumnView       *column_view;
  GtkToggleButton     *text_toggle;
  GtkToggleButton     *json_toggle;
  GtkToggleButton     *hex_toggle;
  GtkLabel            *detail_title;
  GtkLabel            *json_note;
  GtkTextView         *detail_view;

  GListStore          *messages;   /* DesktopMessage */
  GtkCustomFilter     *filter;
  GtkFilterListModel  *filtered;
  GtkSingleSelection  *selection;
  GtkStringList       *partition_names;

  CaudalCluster       *cluster;
  CaudalAdmin         *admin;
  char                *bootstrap_servers;
  char                *topic;
  guint                n_partitions;

  CaudalConsumer      *consumer;
  GCancellable        *cancellable;
  GArray              *parts;      /* PartState */
  guint                generation;
  guint                max_count;
  guint                empty_polls;
  gboolean             reading;
  gboolean             switching_view;

  GtkNativeDialog     *export_chooser;     /* the Export… file chooser while open */
  GCancellable        *export_cancellable;
};

G_DEFINE_FINAL_TYPE (DesktopMessagesView, desktop_messages_view, ADW_TYPE_BIN)

typedef struct
{
  DesktopMessagesView *self;
  guint                generation;
  DesktopMessagesFrom  from;
  gint64               position;
  guint                n_specs;
} ReadCall;

static ReadCall *
read_call_new (DesktopMessagesView *self)
{
  ReadCall *call = g_new0 (ReadCall, 1);

  call->self = g_object_ref (self);
  call->generation = self->generation;
  return call;
}

static void
read_call_free (ReadCall *call)
{
  g_object_unref (call->self);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReadCall, read_call_free)

/* ---- status ---- */

static void
update_status (DesktopMessagesView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  g_autofree char *text = NULL;

  if (self->reading && gtk_toggle_button_get_active (self->live_toggle))
    text = g_strdup_printf (g_dngettext (NULL, "%u message, tailing…", "%u messages, tailing…", n), n);
  else if (self->reading)
    text = g_strdup_printf (g_dngettext (NULL, "%u message, reading…", "%u messages, reading…", n), n);
  else
    text = g_strdup_printf (g_dngettext (NULL, "%u message", "%u messages", n), n);
  if (shown != n)
    {
      g_autofree char *full = g_strdup_printf (_("%s (%u shown)"), text, shown);
      gtk_label_set_text (self->status_label, full);
    }
  else
    gtk_label_set_text (self->status_label, text);
}

/* ---- the list ---- */

static gboolean
contains_casefold (const char *haystack,
                   const char *needle)
{
  g_autofree char *folded = g_utf8_casefold (haystack, -1);

  return strstr (folded, needle) != NULL;
}

static gboolean
filter_message (gpointer item,
                gpointer user_data)
{
  DesktopMessagesView *self = user_data;
  DesktopMessage *message = item;
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *needle = NULL;

  if (search == NULL || *search == '\0')
    return TRUE;
  needle = g_utf8_casefold (search, -1);
  return contains_casefold (desktop_message_get_key_text (message), needle)
         || contains_casefold (desktop_message_get_value_text (message), needle)
         || contains_casefold (desktop_message_get_headers_text (message), needle);
}

static void
filter_changed (DesktopMessagesView *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_status (self);
}

static void
setup_label_start (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   DesktopMessagesView      *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_list_item_set_child (item, label);
}

static void
setup_label_end (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 DesktopMessagesView      *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
set_item_text (GtkListItem *item,
               const char  *text)
{
  /* One line: a preview, not the whole value. */
  g_autofree char *line = g_utf8_substring (text, 0, MIN (g_utf8_strlen (text, -1), 200));

  g_strdelimit (line, "\n\r\t", ' ');
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), line);
}

static void
bind_partition (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                DesktopMessagesView      *self)
{
  g_autofree char *text = g_strdup_printf ("%d", desktop_message_get_partition (gtk_list_item_get_item (item)));

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static void
bind_offset (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             DesktopMessagesView      *self)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT,
                                           desktop_message_get_offset (gtk_list_item_get_item (item)));

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static void
bind_timestamp (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                DesktopMessagesView      *self)
{
  g_autofree char *text = desktop_message_format_timestamp (gtk_list_item_get_item (item));

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static void
bind_key (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          DesktopMessagesView      *self)
{
  set_item_text (item, desktop_message_get_key_text (gtk_list_item_get_item (item)));
}

static void
bind_value (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            DesktopMessagesView      *self)
{
  set_item_text (item, desktop_message_get_value_text (gtk_list_item_get_item (item)));
}

static void
bind_headers (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              DesktopMessagesView      *self)
{
  set_item_text (item, desktop_message_get_headers_text (gtk_list_item_get_item (item)));
}

/* ---- the detail pane ---- */

static void
update_actions (DesktopMessagesView *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "messages.copy",
                                 gtk_single_selection_get_selected_item (self->selection) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "messages.export",
                                 g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0);
}

/* The value pretty-printed, or the note saying why it is not JSON and
 * the value as text. */
static void
show_json (DesktopMessagesView *self,
           DesktopMessage      *message)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->detail_view);
  GBytes *value = desktop_message_get_value (message);
  g_autoptr(GError) error = NULL;
  g_autofree char *pretty = NULL;
  g_autofree char *note = NULL;
  const char *data = NULL;
  gsize size = 0;

  if (value != NULL)
    {
      data = g_bytes_get_data (value, &size);
      pretty = desktop_json_pretty (data, (gssize) size, &error);
    }
  if (pretty != NULL)
    {
      gtk_text_buffer_set_text (buffer, pretty, -1);
      return;
    }
  note = g_strdup_printf (_("Not valid JSON: %s"), value == NULL ? _("the value is null") : error->message);
  gtk_label_set_text (self->json_note, note);
  gtk_widget_set_visible (GTK_WIDGET (self->json_note), TRUE);
  gtk_text_buffer_set_text (buffer, desktop_message_get_value_text (message), -1);
}

static void
update_detail (DesktopMessagesView *self)
{
  DesktopMessage *message = gtk_single_selection_get_selected_item (self->selection);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->detail_view);
  g_autofree char *title = NULL;

  update_actions (self);
  gtk_widget_set_visible (GTK_WIDGET (self->json_note), FALSE);
  if (message == NULL)
    {
      gtk_label_set_text (self->detail_title, _("No message selected"));
      gtk_text_buffer_set_text (buffer, "", -1);
      return;
    }
  title = g_strdup_printf (_("Partition %d, offset %" PRId64 ", key “%s”"),
                           desktop_message_get_partition (message),
                           desktop_message_get_offset (message),
                           desktop_message_get_key_text (message));
  gtk_label_set_text (self->detail_title, title);
  if (gtk_toggle_button_get_active (self->hex_toggle))
    {
      g_autofree char *hex = desktop_format_hex (desktop_message_get_value (message));
      gtk_text_buffer_set_text (buffer, hex, -1);
    }
  else if (gtk_toggle_button_get_active (self->json_toggle))
    show_json (self, message);
  else
    gtk_text_buffer_set_text (buffer, desktop_message_get_value_text (message), -1);
}

/* Text, JSON and Hex show one at a time. Not a toggle-button group: a
 * second click on JSON or Hex goes back to Text, which a group forbids
 * (its active button cannot be clicked off). */
static void
view_toggled (DesktopMessagesView *self,
              GtkToggleButton     *toggle)
{
  GtkToggleButton *views[] = { self->text_toggle, self->json_toggle, self->hex_toggle };
  gboolean any = FALSE;

  if (self->switching_view)
    return;
  self->switching_view = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      if (views[i] != toggle && gtk_toggle_button_get_active (toggle))
        gtk_toggle_button_set_active (views[i], FALSE);
      any = any || gtk_toggle_button_get_active (views[i]);
    }
  if (!any)
    gtk_toggle_button_set_active (self->text_toggle, TRUE);
  self->switching_view = FALSE;
  update_detail (self);
}

/* ---- copy and export ---- */

static void
copy_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  DesktopMessagesView *self = DESKTOP_MESSAGES_VIEW (widget);
  DesktopMessage *message = gtk_single_selection_get_selected_item (self->selection);
  g_autofree char *json = NULL;
  g_autofree char *toast = NULL;

  if (message == NULL)
    return;
  json = desktop_message_to_json (message);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), json);
  toast = g_strdup_printf (_("Copied message at offset %" PRId64), desktop_message_get_offset (message));
  desktop_show_toast (widget, toast);
}

typedef struct
{
  DesktopMessagesView *self;
  GFile               *file;
  guint                n;
} ExportCall;

static void
on_exported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ExportCall *call = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_parse_name (call->file);
  g_autofree char *message = NULL;
  /* A view whose window closed while writing has no toasts to show. */
  gboolean shown = gtk_widget_get_root (GTK_WIDGET (call->self)) != NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      if (shown && !desktop_error_is_cancelled (error))
        {
          message = g_strdup_printf (_("Could not export to %s: %s"), name, error->message);
          desktop_show_toast (GTK_WIDGET (call->self), message);
        }
    }
  else if (shown)
    {
      message = g_strdup_printf (g_dngettext (NULL, "Exported %u message to %s", "Exported %u messages to %s",
                                              call->n),
                                 call->n, name);
      desktop_show_toast (GTK_WIDGET (call->self), message);
    }
  g_object_unref (call->self);
  g_object_unref (call->file);
  g_free (call);
}

void
desktop_messages_view_export (DesktopMessagesView *self,
                              GFile               *file)
{
  g_autoptr(GBytes) lines = NULL;
  ExportCall *call;

  g_return_if_fail (DESKTOP_IS_MESSAGES_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));

  lines = desktop_messages_to_json_lines (G_LIST_MODEL (self->filtered));
  if (self->export_cancellable == NULL)
    self->export_cancellable = g_cancellable_new ();
  call = g_new0 (ExportCall, 1);
  call->self = g_object_ref (self);
  call->file = g_object_ref (file);
  call->n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  g_file_replace_contents_bytes_async (file, lines, NULL, FALSE, G_FILE_CREATE_NONE,
                                       self->export_cancellable, on_exported, call);
}

static void
on_export_response (GtkNativeDialog     *chooser,
                    int                  response,
                    DesktopMessagesView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        desktop_messages_view_export (self, file);
    }
  g_clear_object (&self->export_chooser);
}

static void
export_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  DesktopMessagesView *self = DESKTOP_MESSAGES_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *name = g_strdup_printf ("%s.jsonl", self->topic != NULL ? self->topic : "messages");

  if (self->export_chooser != NULL)
    return;
  /* GtkFileDialog is GTK 4.10: the native chooser is what 4.8 has. */
  self->export_chooser = GTK_NATIVE_DIALOG (gtk_file_chooser_native_new (_("Export Messages"),
                                                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                                                         _("_Export"), _("_Cancel")));
  gtk_native_dialog_set_modal (self->export_chooser, TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->export_chooser), name);
  g_signal_connect (self->export_chooser, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (self->export_chooser);
}

/* ---- reading ---- */

static void poll_next (DesktopMessagesView *self);

static void
finish_read (DesktopMessagesView *self)
{
  self->reading = FALSE;
  gtk_button_set_label (self->read_button, _("_Read"));
  update_status (self);
}

static void
fail_read (DesktopMessagesView *self,
           const char          *what,
           const GError        *error)
{
  g_autofree char *message = g_strdup_printf ("%s: %s", what, error->message);

  desktop_show_toast (GTK_WIDGET (self), message);
  finish_read (self);
}

static gboolean
all_done (DesktopMessagesView *self)
{
  for (guint i = 0; i < self->parts->len; i++)
    if (!g_array_index (self->parts, PartState, i).done)
      return FALSE;
  return TRUE;
}

static PartState *
lookup_part (DesktopMessagesView *self,
             gint32               partition)
{
  for (guint i = 0; i < self->parts->len; i++)
    {
      PartState *p = &g_array_index (self->parts, PartState, i);
      if (p->partition == partition)
        return p;
    }
  return NULL;
}

static void
on_polled (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ReadCall) call = user_data;
  DesktopMessagesView *self = call->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GPtrArray) items = NULL;
  gboolean live;

  batch = caudal_consumer_poll_finish (CAUDAL_CONSUMER (source), result, &error);
  if (call->generation != self->generation || desktop_error_is_cancelled (error))
    return;
  if (batch == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("Could not read “%s” from %s"), self->topic, self->bootstrap_servers);
      fail_read (self, what, error);
      return;
    }
  live = gtk_toggle_button_get_active (self->live_toggle);
  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < batch->len; i++)
    {
      CaudalMessage *m = g_ptr_array_index (batch, i);
      PartState *p = lookup_part (self, m->partition);
      guint have = g_list_model_get_n_items (G_LIST_MODEL (self->messages)) + items->len;

      g_ptr_array_index (batch, i) = NULL;
      if (!live && (p == NULL || p->done || m->offset >= p->end || have >= self->max_count))
        {
          caudal_message_free (m);
          continue;
        }
      if (p != NULL && m->offset + 1 >= p->end)
        p->done = TRUE;
      g_ptr_array_add (items, desktop_message_new (m));
    }
  if (items->len > 0)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));

      self->empty_polls = 0;
      g_list_store_splice (self->messages, n, 0, items->pdata, items->len);
      /* Tailing keeps the newest max-count messages. */
      n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
      if (live && n > self->max_count)
        g_list_store_splice (self->messages, 0, n - self->max_count, NULL, 0);
    }
  else if (!live)
    {
      /* Transaction markers or a truncated log can leave an end that no
       * record reaches: a few empty polls end the read. */
      if (++self->empty_polls >= 3)
        {
          finish_read (self);
          return;
        }
    }
  update_status (self);
  poll_next (self);
}

static void
poll_next (DesktopMessagesView *self)
{
  if (!gtk_toggle_button_get_active (self->live_toggle)
      && (all_done (self) || g_list_model_get_n_items (G_LIST_MODEL (self->messages)) >= self->max_count))
    {
      finish_read (self);
      return;
    }
  caudal_consumer_poll_async (self->consumer, self->cancellable, on_polled, read_call_new (self));
}

static void
on_offsets (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ReadCall) call = user_data;
  DesktopMessagesView *self = call->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) offsets = NULL;

  offsets = caudal_admin_list_offsets_finish (CAUDAL_ADMIN (source), result, &error);
  if (call->generation != self->generation || desktop_error_is_cancelled (error))
    return;
  if (offsets == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("Could not list the offsets of “%s” on %s"),
                                               self->topic, self->bootstrap_servers);
      fail_read (self, what, error);
      return;
    }
  g_clear_object (&self->consumer);
  self->consumer = caudal_consumer_new (self->cluster);
  for (guint i = 0; i < self->parts->len; i++)
    {
      PartState *p = &g_array_index (self->parts, PartState, i);
      CaudalAdminListedOffset *earliest = g_ptr_array_index (offsets, i * call->n_specs);
      CaudalAdminListedOffset *latest = g_ptr_array_index (offsets, i * call->n_specs + 1);
      gint64 start;

      switch (call->from)
        {
        case DESKTOP_MESSAGES_FROM_END:
          start = latest->offset - (gint64) self->max_count;
          break;
        case DESKTOP_MESSAGES_FROM_OFFSET:
          start = call->position;
          break;
        case DESKTOP_MESSAGES_FROM_TIME:
          {
            CaudalAdminListedOffset *at = g_ptr_array_index (offsets, i * call->n_specs + 2);
            start = at->offset >= 0 ? at->offset : latest->offset;
          }
          break;
        case DESKTOP_MESSAGES_FROM_BEGINNING:
        default:
          start = earliest->offset;
          break;
        }
      start = CLAMP (start, earliest->offset, latest->offset);
      p->end = latest->offset;
      p->done = start >= latest->offset;
      caudal_consumer_assign (self->consumer, self->topic, p->partition, start);
    }
  poll_next (self);
}

static gboolean
parse_position (DesktopMessagesView *self,
                DesktopMessagesFrom  from,
                gint64              *position)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->position_entry));
  g_autofree char *copy = g_strstrip (g_strdup (text));
  char *end = NULL;

  if (from == DESKTOP_MESSAGES_FROM_OFFSET)
    {
      *position = g_ascii_strtoll (copy, &end, 10);
      return *copy != '\0' && *end == '\0' && *position >= 0;
    }
  if (from == DESKTOP_MESSAGES_FROM_TIME)
    {
      *position = desktop_parse_datetime_ms (copy);
      return *position >= 0;
    }
  *position = 0;
  return TRUE;
}

void
desktop_messages_view_stop (DesktopMessagesView *self)
{
  g_return_if_fail (DESKTOP_IS_MESSAGES_VIEW (self));

  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->reading)
    finish_read (self);
}

void
desktop_messages_view_read (DesktopMessagesView *self)
{
  DesktopMessagesFrom from;
  guint selected;
  gint64 position = 0;
  g_autofree CaudalAdminOffsetQuery *queries = NULL;
  ReadCall *call;
  guint n_specs;

  g_return_if_fail (DESKTOP_IS_MESSAGES_VIEW (self));

  desktop_messages_view_stop (self);
  g_clear_object (&self->consumer);
  if (self->admin == NULL || self->topic == NULL)
    return;

  from = gtk_drop_down_get_selected (self->from_dropdown);
  if (!parse_position (self, from, &position))
    {
      desktop_show_toast (GTK_WIDGET (self),
                          from == DESKTOP_MESSAGES_FROM_OFFSET
                          ? _("Enter an offset: a number from 0")
                          : _("Enter a date and time as YYYY-MM-DD HH:MM:SS"));
      return;
    }
  g_list_store_remove_all (self->messages);
  self->max_count = (guint) gtk_spin_button_get_value_as_int (self->max_spin);
  self->empty_polls = 0;
  g_array_set_size (self->parts, 0);
  selected = gtk_drop_down_get_selected (self->partition_dropdown);
  for (guint i = 0; i < self->n_partitions; i++)
    {
      PartState p = { (gint32) i, 0, FALSE };

      if (selected == 0 || selected == GTK_INVALID_LIST_POSITION || selected - 1 == i)
        g_array_append_val (self->parts, p);
    }
  if (self->parts->len == 0)
    return;

  n_specs = from == DESKTOP_MESSAGES_FROM_TIME ? 3 : 2;
  queries = g_new0 (CaudalAdminOffsetQuery, self->parts->len * n_specs);
  for (guint i = 0; i < self->parts->len; i++)
    {
      gint32 partition = g_array_index (self->parts, PartState, i).partition;

      queries[i * n_specs] = (CaudalAdminOffsetQuery) { self->topic, partition, CAUDAL_ADMIN_OFFSET_EARLIEST };
      queries[i * n_specs + 1] = (CaudalAdminOffsetQuery) { self->topic, partition, CAUDAL_ADMIN_OFFSET_LATEST };
      if (n_specs == 3)
        queries[i * n_specs + 2] = (CaudalAdminOffsetQuery) { self->topic, partition, position };
    }
  self->cancellable = g_cancellable_new ();
  self->reading = TRUE;
  gtk_button_set_label (self->read_button, _("_Stop"));
  update_status (self);
  call = read_call_new (self);
  call->from = from;
  call->position = position;
  call->n_specs = n_specs;
  caudal_admin_list_offsets_async (self->admin, queries, self->parts->len * n_specs,
                                   self->cancellable, on_offsets, call);
}

gboolean
desktop_messages_view_is_reading (DesktopMessagesView *self)
{
  g_return_val_if_fail (DESKTOP_IS_MESSAGES_VIEW (self), FALSE);
  return self->reading;
}

GListModel *
desktop_messages_view_get_messages (DesktopMessagesView *self)
{
  g_return_val_if_fail (DESKTOP_IS_MESSAGES_VIEW (self), NULL);
  return G_LIST_MODEL (self->messages);
}

GListModel *
desktop_messages_view_get_shown (DesktopMessagesView *self)
{
  g_return_val_if_fail (DESKTOP_IS_MESSAGES_VIEW (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

void
desktop_messages_view_set_topic (DesktopMessagesView *self,
                                 CaudalCluster       *cluster,
                                 const char          *bootstrap_servers,
                                 const char          *topic,
                                 guint                n_partitions)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  guint selected;

  g_return_if_fail (DESKTOP_IS_MESSAGES_VIEW (self));
  g_return_if_fail (CAUDAL_IS_CLUSTER (cluster));
  g_return_if_fail (topic != NULL);

  if (self->cluster != cluster)
    {
      desktop_messages_view_stop (self);
      g_set_object (&self->cluster, cluster);
      g_clear_object (&self->admin);
      self->admin = caudal_admin_new (cluster);
    }
  g_free (self->bootstrap_servers);
  self->bootstrap_servers = g_strdup (bootstrap_servers);
  g_free (self->topic);
  self->topic = g_strdup (topic);
  if (n_partitions == self->n_partitions)
    return;
  self->n_partitions = n_partitions;
  selected = gtk_drop_down_get_selected (self->partition_dropdown);
  g_ptr_array_add (names, g_strdup (_("All Partitions")));
  for (guint i = 0; i < n_partitions; i++)
    g_ptr_array_add (names, g_strdup_printf (_("Partition %u"), i));
  g_ptr_array_add (names, NULL);
  gtk_string_list_splice (self->partition_names, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->partition_names)),
                          (const char *const *) names->pdata);
  gtk_drop_down_set_selected (self->partition_dropdown, selected <= n_partitions ? selected : 0);
}

/* ---- signals ---- */

static void
read_clicked (DesktopMessagesView *self)
{
  if (self->reading)
    desktop_messages_view_stop (self);
  else
    desktop_messages_view_read (self);
}

static void
live_toggled (DesktopMessagesView *self)
{
  if (gtk_toggle_button_get_active (self->live_toggle))
    {
      /* Carry on from where the last read stopped; or start one. */
      if (self->reading)
        update_status (self);
      else if (self->consumer != NULL)
        {
          self->generation++;
          g_clear_object (&self->cancellable);
          self->cancellable = g_cancellable_new ();
          self->reading = TRUE;
          gtk_button_set_label (self->read_button, _("_Stop"));
          update_status (self);
          poll_next (self);
        }
      else
        desktop_messages_view_read (self);
    }
  else if (self->reading && (all_done (self)
                             || g_list_model_get_n_items (G_LIST_MODEL (self->messages)) >= self->max_count))
    desktop_messages_view_stop (self);
}

static void
from_changed (DesktopMessagesView *self)
{
  DesktopMessagesFrom from = gtk_drop_down_get_selected (self->from_dropdown);

  gtk_widget_set_sensitive (GTK_WIDGET (self->position_entry),
                            from == DESKTOP_MESSAGES_FROM_OFFSET || from == DESKTOP_MESSAGES_FROM_TIME);
  gtk_entry_set_placeholder_text (self->position_entry,
                                  from == DESKTOP_MESSAGES_FROM_TIME ? _("YYYY-MM-DD HH:MM:SS")
                                  : from == DESKTOP_MESSAGES_FROM_OFFSET ? _("Offset") : NULL);
}

/* ---- GObject ---- */

static void
desktop_messages_view_dispose (GObject *object)
{
  DesktopMessagesView *self = DESKTOP_MESSAGES_VIEW (object);

  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->export_cancellable);
  g_clear_object (&self->export_cancellable);
  if (self->export_chooser != NULL)
    gtk_native_dialog_destroy (self->export_chooser);
  g_clear_object (&self->export_chooser);
  g_clear_object (&self->consumer);
  g_clear_object (&self->admin);
  g_clear_object (&self->cluster);
  g_clear_object (&self->selection);
  g_clear_object (&self->messages);
  g_clear_pointer (&self->parts, g_array_unref);
  g_clear_pointer (&self->bootstrap_servers, g_free);
  g_clear_pointer (&self->topic, g_free);
  G_OBJECT_CLASS (desktop_messages_view_parent_class)->dispose (object);
}

static void
desktop_messages_view_class_init (DesktopMessagesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = desktop_messages_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/caudal/Caudal/desktop-messages-view.ui");
  gtk_widget_class_bind_template_child (widget_class, DesktopMessagesView, from_dropdown);
  gtk_widget_class_bind_template_child (widget_class, DesktopMessagesView, position_entry);
  gtk_widget_class_bind_template_child (widget_class, DesktopMessagesView, partition_dropdown);
  gtk_widget_class_bind_template_child (widget_class, DesktopMessagesView, max_spin);
  gtk_widget_class_bind_template_child (widget_class, DesktopMessagesView, read_button);
  gtk_widget_class_bind_template_child (widget_class, DesktopMessagesView, live_toggle);
  gtk_widget_class_bind_template_child (widget_class, DesktopMessagesView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, DesktopMessagesView, status_label);
  gtk_widget_class_bind_template_child (widget_class, DesktopMessagesView, column_view);
  gtk_widget_class_bind_template_child (widget_class, DesktopMessagesView, text_toggle);
  gtk_widget_class_bind_template_child (widget_class, DesktopMessagesView, json_toggle);
  gtk_widget_class_bind_template_child (widget_class, DesktopMessagesView, hex_toggle);
  gtk_widget_class_bind_template_child (widget_class, DesktopMessagesView, detail_title);
  gtk_widget_class_bind_template_child (widget_class, DesktopMessagesView, json_note);
  /* Bound by name only, for tests. */
  gtk_widget_class_bind_template_child_full (widget_class, "copy_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "export_button", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, DesktopMessagesView, detail_view);
  gtk_widget_class_bind_template_callback (widget_class, setup_label_start);
  gtk_widget_class_bind_template_callback (widget_class, setup_label_end);
  gtk_widget_class_bind_template_callback (widget_class, bind_partition);
  gtk_widget_class_bind_template_callback (widget_class, bind_offset);
  gtk_widget_class_bind_template_callback (widget_class, bind_timestamp);
  gtk_widget_class_bind_template_callback (widget_class, bind_key);
  gtk_widget_class_bind_template_callback (widget_class, bind_value);
  gtk_widget_class_bind_template_callback (widget_class, bind_headers);

  gtk_widget_class_install_action (widget_class, "messages.copy", NULL, copy_activated);
  gtk_widget_class_install_action (widget_class, "messages.export", NULL, export_activated);
}

static void
desktop_messages_view_init (DesktopMessagesView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->parts = g_array_new (FALSE, TRUE, sizeof (PartState));
  self->max_count = 100;
  self->partition_names = gtk_string_list_new (NULL);
  gtk_string_list_append (self->partition_names, _("All Partitions"));
  gtk_drop_down_set_model (self->partition_dropdown, G_LIST_MODEL (self->partition_names));
  g_object_unref (self->partition_names);   /* the drop-down holds it */

  self->messages = g_list_store_new (DESKTOP_TYPE_MESSAGE);
  self->filter = gtk_custom_filter_new (filter_message, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->messages)),
                                              GTK_FILTER (self->filter));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (self->filtered));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (g_object_ref (self->selection)));
  {
    /* Ctrl+C on the list copies the message; in the detail text it
     * still copies the selected text. */
    GtkEventController *shortcuts = gtk_shortcut_controller_new ();

    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>c"),
                                                            gtk_named_action_new ("messages.copy")));
    gtk_widget_add_controller (GTK_WIDGET (self->column_view), shortcuts);
  }

  g_signal_connect_swapped (self->selection, "notify::selected-item", G_CALLBACK (update_detail), self);
  g_signal_connect_swapped (self->filtered, "items-changed", G_CALLBACK (update_actions), self);
  g_signal_connect_swapped (self->text_toggle, "toggled", G_CALLBACK (view_toggled), self);
  g_signal_connect_swapped (self->json_toggle, "toggled", G_CALLBACK (view_toggled), self);
  g_signal_connect_swapped (self->hex_toggle, "toggled", G_CALLBACK (view_toggled), self);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (filter_changed), self);
  g_signal_connect_swapped (self->read_button, "clicked", G_CALLBACK (read_clicked), self);
  g_signal_connect_swapped (self->live_toggle, "toggled", G_CALLBACK (live_toggled), self);
  g_signal_connect_swapped (self->from_dropdown, "notify::selected", G_CALLBACK (from_changed), self);
  g_signal_connect_swapped (self->position_entry, "activate", G_CALLBACK (desktop_messages_view_read), self);
  from_changed (self);
  update_detail (self);
  update_status (self);
}
