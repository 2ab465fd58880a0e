/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-util.c: helpers shared by the windows. */

#include <glib/gi18n.h>
#include <string.h>

#include "caudal-error-codes.h"
#include "desktop-util.h"

/* Kafka's Topic.MAX_NAME_LENGTH. */
#define TOPIC_NAME_MAX 249

gboolean
desktop_topic_name_is_valid (const char  *name,
                             char       **reason)
{
  gsize len = name != NULL ? strlen (name) : 0;

  if (len == 0)
    {
      if (reason != NULL)
        *reason = g_strdup (_("The name is empty"));
      return FALSE;
    }
  if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    {
      if (reason != NULL)
        *reason = g_strdup (_("The name cannot be “.” or “..”"));
      return FALSE;
    }
  if (len > TOPIC_NAME_MAX)
    {
      if (reason != NULL)
        *reason = g_strdup_printf (_("The name is longer than %d characters"), TOPIC_NAME_MAX);
      return FALSE;
    }
  for (const char *p = name; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
        {
          if (reason != NULL)
            *reason = g_strdup (_("Use only letters, digits, “.”, “_” and “-”"));
          return FALSE;
        }
    }
  return TRUE;
}

void
desktop_show_toast (GtkWidget  *widget,
                    const char *message)
{
  GtkWidget *overlay;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (message != NULL);

  overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  if (overlay == NULL && GTK_IS_WINDOW (widget))
    {
      GtkWidget *child = ADW_IS_WINDOW (widget) ? adw_window_get_content (ADW_WINDOW (widget))
                       : ADW_IS_APPLICATION_WINDOW (widget) ? adw_application_window_get_content (ADW_APPLICATION_WINDOW (widget))
                       : gtk_window_get_child (GTK_WINDOW (widget));
      if (ADW_IS_TOAST_OVERLAY (child))
        overlay = child;
    }
  if (overlay == NULL)
    {
      g_warning ("No toast overlay for: %s", message);
      return;
    }
  {
    AdwToast *toast = adw_toast_new (message);

    /* Errors stay until read: the default 5 s is short for a long message. */
    adw_toast_set_timeout (toast, 10);
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  }
}

char *
desktop_describe_broker (CaudalCluster *cluster,
                         gint32         node_id,
                         const char    *bootstrap)
{
  CaudalConnection *conn = node_id >= 0 ? caudal_cluster_get_connection (cluster, node_id) : NULL;

  if (conn != NULL)
    return g_strdup_printf (_("broker %d (%s:%u)"), node_id, caudal_connection_get_host (conn),
                            caudal_connection_get_port (conn));
  return g_strdup (bootstrap);
}

char *
desktop_describe_admin_error (CaudalCluster *cluster,
                              const GError  *error)
{
  g_autofree char *broker = NULL;

  if (error->domain != CAUDAL_KAFKA_ERROR)
    return g_strdup (error->message);
  broker = desktop_describe_broker (cluster, caudal_cluster_get_controller_id (cluster), _("the cluster"));
  return g_strdup_printf (_("%s (on %s)"), error->message, broker);
}

gboolean
desktop_error_is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

gint64
desktop_parse_datetime_ms (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autoptr(GDateTime) dt = NULL;

  g_strdelimit (copy, " ", 'T');
  dt = g_date_time_new_from_iso8601 (copy, local);
  if (dt == NULL && *copy != '\0' && strchr (copy, 'T') == NULL)
    {
      g_autofree char *midnight = g_strconcat (copy, "T00:00:00", NULL);

      dt = g_date_time_new_from_iso8601 (midnight, local);
    }
  if (dt == NULL || g_date_time_to_unix (dt) < 0)
    return -1;
  return g_date_time_to_unix (dt) * 1000 + g_date_time_get_microsecond (dt) / 1000;
}
