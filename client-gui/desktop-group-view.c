/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-group-view.c: DescribeGroups then the group's lag (CaudalAdmin)
 * every REFRESH_SECONDS while open; each lag answer is also a sample of
 * the lag chart. Reset offsets: "Preview" lists the partitions' earliest
 * and latest offsets (ListOffsets; for a date and time also the offset
 * at that time), computes the new offsets (clamped to that range, as
 * kafka-consumer-groups does) and shows them; "Reset Offsets" commits
 * exactly the previewed offsets (alter_group_offsets). Both are refused
 * while the group has members. */

#include <glib/gi18n.h>
#include <inttypes.h>

#include "desktop-chart.h"
#include "desktop-group-view.h"
#include "desktop-util.h"

#define REFRESH_SECONDS 3

typedef struct
{
  char   *topic;
  gint32  partition;
  gint64  current;
  gint64  offset;
} PreviewEntry;

static void
preview_entry_free (PreviewEntry *e)
{
  g_free (e->topic);
  g_free (e);
}

struct _DesktopGroupView
{
  AdwWindow        parent_instance;

  AdwToastOverlay *toast_overlay;
  AdwWindowTitle  *window_title;
  GtkLabel        *state_label;
  GtkListBox      *members_box;
  GtkListBox      *offsets_box;
  GtkLabel        *refusal_label;
  AdwComboRow     *mode_row;
  GtkWidget       *value_row;
  GtkSpinButton   *value_spin;
  AdwEntryRow     *datetime_row;
  GtkLabel        *datetime_error_label;
  GtkListBox      *preview_box;
  DesktopChart    *lag_chart;

  CaudalAdmin     *admin;
  char            *group_id;
  char            *bootstrap_servers;
  GCancellable    *cancellable;     /* cancelled on close */
  guint            timer;
  gboolean         loading;
  gboolean         failed;          /* the last refresh failed: one toast per outage */
  gboolean         busy;            /* previewing, resetting or deleting */
  guint            n_members;
  GPtrArray       *lags;            /* CaudalAdminPartitionLag */
  GPtrArray       *preview;         /* PreviewEntry, NULL when none */
  guint            settings_serial; /* bumped when the reset settings change */
};

G_DEFINE_FINAL_TYPE (DesktopGroupView, desktop_group_view, ADW_TYPE_WINDOW)

enum { SIGNAL_DELETED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
clear_box (GtkListBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_list_box_remove (box, child);
}

static void
add_placeholder_row (GtkListBox *box,
                     const char *text)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text);
  gtk_widget_add_css_class (row, "dim-label");
  gtk_list_box_append (box, row);
}

static gboolean
settings_are_valid (DesktopGroupView *self)
{
  return adw_combo_row_get_selected (self->mode_row) != DESKTOP_RESET_DATETIME
         || desktop_parse_datetime_ms (gtk_editable_get_text (GTK_EDITABLE (self->datetime_row))) >= 0;
}

static void
update_actions (DesktopGroupView *self)
{
  gboolean has_members = self->n_members > 0;

  if (has_members)
    {
      g_autofree char *text =
        g_strdup_printf (ngettext ("The group has %u active member. Stop its consumers first: the coordinator only accepts new offsets for a group without members.",
                                   "The group has %u active members. Stop its consumers first: the coordinator only accepts new offsets for a group without members.",
                                   self->n_members),
                         self->n_members);
      gtk_label_set_text (self->refusal_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->refusal_label), has_members);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "group.preview",
                                 !has_members && !self->busy && self->lags != NULL && self->lags->len > 0
                                 && settings_are_valid (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "group.reset",
                                 !has_members && !self->busy && self->preview != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "group.delete", !self->busy);
}

static void
clear_preview (DesktopGroupView *self)
{
  g_clear_pointer (&self->preview, g_ptr_array_unref);
  clear_box (self->preview_box);
  gtk_widget_set_visible (GTK_WIDGET (self->preview_box), FALSE);
}

static void
show_error (DesktopGroupView *self,
            const char       *what,
            const GError     *error)
{
  g_autofree char *message = g_strdup_printf ("%s: %s", what, error->message);

  desktop_show_toast (GTK_WIDGET (self->toast_overlay), message);
}

/* ---- loading ---- */

static void
show_members (DesktopGroupView            *self,
              CaudalAdminGroupDescription *desc)
{
  clear_box (self->members_box);
  if (desc->members->len == 0)
    add_placeholder_row (self->members_box, _("No active members"));
  for (guint i = 0; i < desc->members->len; i++)
    {
      CaudalAdminMemberDescription *m = g_ptr_array_index (desc->members, i);
      g_autoptr(GString) parts = g_string_new (NULL);
      g_autofree char *subtitle = NULL;
      GtkWidget *row = adw_action_row_new ();

      for (guint j = 0; j < m->assignment->len; j++)
        {
          CaudalTopicPartitions *tp = g_ptr_array_index (m->assignment, j);

          for (guint k = 0; k < tp->partitions->len; k++)
            g_string_append_printf (parts, "%s%s-%d", parts->len > 0 ? ", " : "", tp->topic,
                                    g_array_index (tp->partitions, gint32, k));
        }
      /* Translators: client id, host, assigned partitions */
      subtitle = g_strdup_printf (_("client %s · host %s · partitions %s"), m->client_id, m->host,
                                  parts->len > 0 ? parts->str : _("none"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), m->member_id);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_append (self->members_box, row);
    }
}

static char *
format_offset (gint64 offset)
{
  return offset >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, offset) : g_strdup ("–");
}

static void
show_lags (DesktopGroupView *self)
{
  clear_box (self->offsets_box);
  if (self->lags->len == 0)
    add_placeholder_row (self->offsets_box, _("No committed or assigned partitions"));
  for (guint i = 0; i < self->lags->len; i++)
    {
      CaudalAdminPartitionLag *l = g_ptr_array_index (self->lags, i);
      g_autofree char *title = g_strdup_printf ("%s-%d", l->topic, l->partition);
      g_autofree char *current = format_offset (l->current_offset);
      g_autofree char *end = format_offset (l->log_end_offset);
      g_autofree char *lag = format_offset (l->lag);
      g_autofree char *subtitle = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *lag_label;

      subtitle = g_strdup_printf (_("current offset %s · log end offset %s"), current, end);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      {
        g_autofree char *lag_text = g_strdup_printf (_("lag %s"), lag);
        lag_label = gtk_label_new (lag_text);
      }
      gtk_widget_add_css_class (lag_label, "numeric");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), lag_label);
      gtk_list_box_append (self->offsets_box, row);
    }
}

/* The chart samples the figures each refresh brings: no request of its
 * own. One series per partition with a committed offset, and the total
 * when there is more than one (with one it would hide the partition's
 * line under an identical one). */
static void
sample_lags (DesktopGroupView *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 total = 0;
  guint n = 0;

  for (guint i = 0; i < self->lags->len; i++)
    {
      CaudalAdminPartitionLag *l = g_ptr_array_index (self->lags, i);
      g_autofree char *series = NULL;

      if (l->lag < 0)
        continue;
      series = g_strdup_printf ("%s-%d", l->topic, l->partition);
      desktop_chart_add_sample (self->lag_chart, series, now, l->lag);
      total += l->lag;
      n++;
    }
  if (n > 1)
    desktop_chart_add_sample (self->lag_chart, _("Total"), now, total);
}

static void
on_lag (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(DesktopGroupView) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *lags;

  lags = caudal_admin_describe_group_lag_finish (CAUDAL_ADMIN (source), result, &error);
  if (lags == NULL && desktop_error_is_cancelled (error))
    return;
  self->loading = FALSE;
  if (lags == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("Could not read the lag of “%s”"), self->group_id);
      if (!self->failed)
        show_error (self, what, error);
      self->failed = TRUE;
      return;
    }
  self->failed = FALSE;
  g_clear_pointer (&self->lags, g_ptr_array_unref);
  self->lags = lags;
  show_lags (self);
  sample_lags (self);
  update_actions (self);
}

static void
on_described (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(DesktopGroupView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CaudalAdminGroupDescription) desc = NULL;

  desc = caudal_admin_describe_group_finish (CAUDAL_ADMIN (source), result, &error);
  if (desc == NULL)
    {
      g_autofree char *what = NULL;

      if (desktop_error_is_cancelled (error))
        return;
      self->loading = FALSE;
      what = g_strdup_printf (_("Could not describe “%s” on %s"), self->group_id, self->bootstrap_servers);
      if (!self->failed)
        show_error (self, what, error);
      self->failed = TRUE;
      return;
    }
  gtk_label_set_text (self->state_label, desc->state);
  self->n_members = desc->members->len;
  if (self->n_members > 0)
    clear_preview (self);
  show_members (self, desc);
  update_actions (self);
  caudal_admin_describe_group_lag_async (self->admin, self->group_id, self->cancellable,
                                         on_lag, g_object_ref (self));
}

void
desktop_group_view_refresh (DesktopGroupView *self)
{
  g_return_if_fail (DESKTOP_IS_GROUP_VIEW (self));

  if (self->loading || self->cancellable == NULL)
    return;
  self->loading = TRUE;
  caudal_admin_describe_group_async (self->admin, self->group_id, self->cancellable,
                                     on_described, g_object_ref (self));
}

static gboolean
on_timer (gpointer user_data)
{
  desktop_group_view_refresh (user_data);
  return G_SOURCE_CONTINUE;
}

static void
refresh_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  desktop_group_view_refresh (DESKTOP_GROUP_VIEW (widget));
}

/* ---- reset: preview ---- */

/* A preview request: the settings it was asked with and the partitions it
 * asked about (a refresh may replace self->lags meanwhile). */
typedef struct
{
  DesktopGroupView *self;
  guint             serial;    /* self->settings_serial when asked */
  DesktopResetMode  mode;
  gint64            value;     /* the offset, or the shift */
  gint64            time_ms;   /* DESKTOP_RESET_DATETIME's time */
  GPtrArray        *lags;      /* CaudalAdminPartitionLag */
} PreviewCall;

static void
preview_call_free (PreviewCall *call)
{
  g_object_unref (call->self);
  g_ptr_array_unref (call->lags);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PreviewCall, preview_call_free)

/* ListOffsets queries per partition: earliest, latest, and for a date
 * and time the offset at that time. */
static guint
queries_per_partition (DesktopResetMode mode)
{
  return mode == DESKTOP_RESET_DATETIME ? 3 : 2;
}

static void
on_offsets_listed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PreviewCall) call = user_data;
  DesktopGroupView *self = call->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  guint per = queries_per_partition (call->mode);

  listed = caudal_admin_list_offsets_finish (CAUDAL_ADMIN (source), result, &error);
  if (listed == NULL && desktop_error_is_cancelled (error))
    return;
  self->busy = FALSE;
  if (listed == NULL)
    {
      show_error (self, _("Could not read the partitions’ offsets"), error);
      update_actions (self);
      return;
    }
  /* The settings changed while asking: this answer is for other ones. */
  if (call->serial != self->settings_serial)
    {
      update_actions (self);
      return;
    }
  clear_preview (self);
  self->preview = g_ptr_array_new_with_free_func ((GDestroyNotify) preview_entry_free);
  for (guint i = 0; i < call->lags->len && per * (i + 1) <= listed->len; i++)
    {
      CaudalAdminPartitionLag *l = g_ptr_array_index (call->lags, i);
      CaudalAdminListedOffset *earliest = g_ptr_array_index (listed, per * i);
      CaudalAdminListedOffset *latest = g_ptr_array_index (listed, per * i + 1);
      PreviewEntry *e = g_new0 (PreviewEntry, 1);
      g_autofree char *title = g_strdup_printf ("%s-%d", l->topic, l->partition);
      g_autofree char *current = format_offset (l->current_offset);
      g_autofree char *subtitle = NULL;
      GtkWidget *row;

      e->topic = g_strdup (l->topic);
      e->partition = l->partition;
      e->current = l->current_offset;
      switch (call->mode)
        {
        case DESKTOP_RESET_EARLIEST:
          e->offset = earliest->offset;
          break;
        case DESKTOP_RESET_LATEST:
          e->offset = latest->offset;
          break;
        case DESKTOP_RESET_OFFSET:
          e->offset = call->value;
          break;
        case DESKTOP_RESET_DATETIME:
          {
            CaudalAdminListedOffset *at_time = g_ptr_array_index (listed, per * i + 2);

            /* Kafka's --to-datetime: the first offset whose timestamp is
             * at or after the time; a partition without one goes to its
             * log end offset. */
            e->offset = at_time->offset >= 0 ? at_time->offset : latest->offset;
          }
          break;
        case DESKTOP_RESET_SHIFT:
        default:
          e->offset = (l->current_offset >= 0 ? l->current_offset : earliest->offset) + call->value;
          break;
        }
      e->offset = CLAMP (e->offset, earliest->offset, latest->offset);
      g_ptr_array_add (self->preview, e);

      row = adw_action_row_new ();
      /* Translators: the current offset, then the new one */
      subtitle = g_strdup_printf (_("%s → %" PRId64), current, e->offset);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_append (self->preview_box, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->preview_box), TRUE);
  update_actions (self);
}

static void
preview_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  DesktopGroupView *self = DESKTOP_GROUP_VIEW (widget);
  g_autofree CaudalAdminOffsetQuery *queries = NULL;
  PreviewCall *call;
  guint per;

  if (self->n_members > 0 || self->busy || self->lags == NULL || self->lags->len == 0
      || !settings_are_valid (self))
    return;
  call = g_new0 (PreviewCall, 1);
  call->self = g_object_ref (self);
  call->serial = self->settings_serial;
  call->mode = adw_combo_row_get_selected (self->mode_row);
  call->value = (gint64) gtk_spin_button_get_value (self->value_spin);
  call->time_ms = desktop_parse_datetime_ms (gtk_editable_get_text (GTK_EDITABLE (self->datetime_row)));
  call->lags = g_ptr_array_ref (self->lags);
  per = queries_per_partition (call->mode);
  queries = g_new0 (CaudalAdminOffsetQuery, per * call->lags->len);
  for (guint i = 0; i < call->lags->len; i++)
    {
      CaudalAdminPartitionLag *l = g_ptr_array_index (call->lags, i);

      queries[per * i] = (CaudalAdminOffsetQuery) { l->topic, l->partition, CAUDAL_ADMIN_OFFSET_EARLIEST };
      queries[per * i + 1] = (CaudalAdminOffsetQuery) { l->topic, l->partition, CAUDAL_ADMIN_OFFSET_LATEST };
      if (call->mode == DESKTOP_RESET_DATETIME)
        queries[per * i + 2] = (CaudalAdminOffsetQuery) { l->topic, l->partition, call->time_ms };
    }
  self->busy = TRUE;
  update_actions (self);
  caudal_admin_list_offsets_async (self->admin, queries, per * call->lags->len, self->cancellable,
                                   on_offsets_listed, call);
}

static void
on_settings_changed (DesktopGroupView *self)
{
  DesktopResetMode mode = adw_combo_row_get_selected (self->mode_row);

  /* A preview only stands for the settings it was made with. */
  self->settings_serial++;
  clear_preview (self);
  gtk_widget_set_visible (self->value_row, mode != DESKTOP_RESET_DATETIME);
  gtk_widget_set_sensitive (GTK_WIDGET (self->value_spin),
                            mode == DESKTOP_RESET_OFFSET || mode == DESKTOP_RESET_SHIFT);
  gtk_widget_set_visible (GTK_WIDGET (self->datetime_row), mode == DESKTOP_RESET_DATETIME);
  update_actions (self);
}

static void
on_mode_changed (DesktopGroupView *self)
{
  /* Start from now, which also shows the format. */
  if (adw_combo_row_get_selected (self->mode_row) == DESKTOP_RESET_DATETIME
      && *gtk_editable_get_text (GTK_EDITABLE (self->datetime_row)) == '\0')
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *text = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");

      gtk_editable_set_text (GTK_EDITABLE (self->datetime_row), text);
    }
  on_settings_changed (self);
}

/* Checked as typed: the error shows beside the entry, not on Preview. */
static void
on_datetime_changed (DesktopGroupView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->datetime_row));
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  gboolean invalid = *stripped != '\0' && desktop_parse_datetime_ms (text) < 0;

  if (invalid)
    gtk_widget_add_css_class (GTK_WIDGET (self->datetime_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->datetime_row), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->datetime_error_label), invalid);
  on_settings_changed (self);
}

/* ---- reset: execute ---- */

static void
on_reset (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(DesktopGroupView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!caudal_admin_alter_group_offsets_finish (CAUDAL_ADMIN (source), result, &error))
    {
      g_autofree char *what = NULL;

      if (desktop_error_is_cancelled (error))
        return;
      self->busy = FALSE;
      what = g_strdup_printf (_("Could not reset the offsets of “%s”"), self->group_id);
      show_error (self, what, error);
      update_actions (self);
      return;
    }
  self->busy = FALSE;
  clear_preview (self);
  message = g_strdup_printf (_("Reset the offsets of “%s”"), self->group_id);
  desktop_show_toast (GTK_WIDGET (self->toast_overlay), message);
  update_actions (self);
  self->loading = FALSE;
  desktop_group_view_refresh (self);
}

static void
reset_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  DesktopGroupView *self = DESKTOP_GROUP_VIEW (widget);
  g_autofree CaudalAdminOffsetCommit *offsets = NULL;

  if (self->n_members > 0 || self->busy || self->preview == NULL || self->preview->len == 0)
    return;
  offsets = g_new0 (CaudalAdminOffsetCommit, self->preview->len);
  for (guint i = 0; i < self->preview->len; i++)
    {
      PreviewEntry *e = g_ptr_array_index (self->preview, i);

      offsets[i] = (CaudalAdminOffsetCommit) { e->topic, e->partition, e->offset };
    }
  self->busy = TRUE;
  update_actions (self);
  caudal_admin_alter_group_offsets_async (self->admin, self->group_id, offsets, self->preview->len,
                                          self->cancellable, on_reset, g_object_ref (self));
}

/* ---- delete ---- */

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(DesktopGroupView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!caudal_admin_delete_group_finish (CAUDAL_ADMIN (source), result, &error))
    {
      g_autofree char *what = NULL;

      if (desktop_error_is_cancelled (error))
        return;
      self->busy = FALSE;
      what = g_strdup_printf (_("Could not delete consumer group “%s”"), self->group_id);
      show_error (self, what, error);
      update_actions (self);
      return;
    }
  self->busy = FALSE;
  g_signal_emit (self, signals[SIGNAL_DELETED], 0, self->group_id);
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_delete_response (AdwMessageDialog *dialog,
                    const char       *response,
                    DesktopGroupView *self)
{
  if (g_strcmp0 (response, "delete") != 0 || self->cancellable == NULL || self->busy)
    return;
  self->busy = TRUE;
  update_actions (self);
  caudal_admin_delete_group_async (self->admin, self->group_id, self->cancellable,
                                   on_deleted, g_object_ref (self));
}

static void
delete_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  DesktopGroupView *self = DESKTOP_GROUP_VIEW (widget);
  g_autofree char *heading = g_strdup_printf (_("Delete “%s”?"), self->group_id);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("The consumer group “%s” and its committed offsets will be deleted from %s. A group with active members cannot be deleted."),
                                  self->group_id, self->bootstrap_servers);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- GObject ---- */

static gboolean
desktop_group_view_close_request (GtkWindow *window)
{
  DesktopGroupView *self = DESKTOP_GROUP_VIEW (window);

  g_clear_handle_id (&self->timer, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  return GTK_WINDOW_CLASS (desktop_group_view_parent_class)->close_request (window);
}

static void
desktop_group_view_dispose (GObject *object)
{
  DesktopGroupView *self = DESKTOP_GROUP_VIEW (object);

  g_clear_handle_id (&self->timer, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->admin);
  g_clear_pointer (&self->lags, g_ptr_array_unref);
  g_clear_pointer (&self->preview, g_ptr_array_unref);
  G_OBJECT_CLASS (desktop_group_view_parent_class)->dispose (object);
}

static void
desktop_group_view_finalize (GObject *object)
{
  DesktopGroupView *self = DESKTOP_GROUP_VIEW (object);

  g_free (self->group_id);
  g_free (self->bootstrap_servers);
  G_OBJECT_CLASS (desktop_group_view_parent_class)->finalize (object);
}

static void
desktop_group_view_class_init (DesktopGroupViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = desktop_group_view_dispose;
  object_class->finalize = desktop_group_view_finalize;
  window_class->close_request = desktop_group_view_close_request;

  signals[SIGNAL_DELETED] =
    g_signal_new ("deleted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (DESKTOP_TYPE_CHART);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/caudal/Caudal/desktop-group-view.ui");
  gtk_widget_class_bind_template_child_full (widget_class, "preview_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "reset_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "delete_button", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, DesktopGroupView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, DesktopGroupView, window_title);
  gtk_widget_class_bind_template_child (widget_class, DesktopGroupView, state_label);
  gtk_widget_class_bind_template_child (widget_class, DesktopGroupView, members_box);
  gtk_widget_class_bind_template_child (widget_class, DesktopGroupView, offsets_box);
  gtk_widget_class_bind_template_child (widget_class, DesktopGroupView, refusal_label);
  gtk_widget_class_bind_template_child (widget_class, DesktopGroupView, mode_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopGroupView, value_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopGroupView, value_spin);
  gtk_widget_class_bind_template_child (widget_class, DesktopGroupView, datetime_row);
  gtk_widget_class_bind_template_child (widget_class, DesktopGroupView, datetime_error_label);
  gtk_widget_class_bind_template_child (widget_class, DesktopGroupView, preview_box);
  gtk_widget_class_bind_template_child (widget_class, DesktopGroupView, lag_chart);

  gtk_widget_class_install_action (widget_class, "group.refresh", NULL, refresh_activated);
  gtk_widget_class_install_action (widget_class, "group.preview", NULL, preview_activated);
  gtk_widget_class_install_action (widget_class, "group.reset", NULL, reset_activated);
  gtk_widget_class_install_action (widget_class, "group.delete", NULL, delete_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "group.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
desktop_group_view_init (DesktopGroupView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  g_signal_connect_object (self->mode_row, "notify::selected", G_CALLBACK (on_mode_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->value_spin, "value-changed", G_CALLBACK (on_settings_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->datetime_row, "changed", G_CALLBACK (on_datetime_changed), self,
                           G_CONNECT_SWAPPED);
  on_settings_changed (self);
}

DesktopGroupView *
desktop_group_view_new (GtkWindow   *parent,
                        CaudalAdmin *admin,
                        const char  *group_id,
                        const char  *bootstrap_servers)
{
  DesktopGroupView *self;

  g_return_val_if_fail (CAUDAL_IS_ADMIN (admin), NULL);
  g_return_val_if_fail (group_id != NULL, NULL);

  self = g_object_new (DESKTOP_TYPE_GROUP_VIEW, "transient-for", parent, NULL);
  self->admin = g_object_ref (admin);
  self->group_id = g_strdup (group_id);
  self->bootstrap_servers = g_strdup (bootstrap_servers);
  gtk_window_set_title (GTK_WINDOW (self), group_id);
  adw_window_title_set_title (self->window_title, group_id);
  adw_window_title_set_subtitle (self->window_title, _("Consumer Group"));
  desktop_group_view_refresh (self);
  self->timer = g_timeout_add_seconds (REFRESH_SECONDS, on_timer, self);
  return self;
}

const char *
desktop_group_view_get_group_id (DesktopGroupView *self)
{
  g_return_val_if_fail (DESKTOP_IS_GROUP_VIEW (self), NULL);
  return self->group_id;
}
