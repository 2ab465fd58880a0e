/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-recent-message.c: a sent message, and the lists of them by
 * cluster. The lists live in a table for the process's life: recent
 * messages are kept "for the application's run", and a produce dialog
 * (or a cluster window) closing must not forget them. */

#include <string.h>

#include "desktop-recent-message.h"

struct _DesktopRecentMessage
{
  GObject            parent_instance;
  char              *topic;
  GBytes            *key;
  GBytes            *value;
  GStrv              headers;
  gint32             partition;
  CaudalCompression  compression;
};

G_DEFINE_FINAL_TYPE (DesktopRecentMessage, desktop_recent_message, G_TYPE_OBJECT)

static void
desktop_recent_message_finalize (GObject *object)
{
  DesktopRecentMessage *self = DESKTOP_RECENT_MESSAGE (object);

  g_free (self->topic);
  g_clear_pointer (&self->key, g_bytes_unref);
  g_clear_pointer (&self->value, g_bytes_unref);
  g_strfreev (self->headers);
  G_OBJECT_CLASS (desktop_recent_message_parent_class)->finalize (object);
}

static void
desktop_recent_message_class_init (DesktopRecentMessageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = desktop_recent_message_finalize;
}

static void
desktop_recent_message_init (DesktopRecentMessage *self)
{
}

DesktopRecentMessage *
desktop_recent_message_new (const char         *topic,
                            GBytes             *key,
                            GBytes             *value,
                            const char * const *headers,
                            gint32              partition,
                            CaudalCompression   compression)
{
  DesktopRecentMessage *self;
  const char *empty[] = { NULL };

  g_return_val_if_fail (topic != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (headers == NULL || g_strv_length ((char **) headers) % 2 == 0, NULL);

  self = g_object_new (DESKTOP_TYPE_RECENT_MESSAGE, NULL);
  self->topic = g_strdup (topic);
  self->key = key != NULL ? g_bytes_ref (key) : NULL;
  self->value = g_bytes_ref (value);
  self->headers = g_strdupv ((char **) (headers != NULL ? headers : empty));
  self->partition = partition < 0 ? -1 : partition;
  self->compression = compression;
  return self;
}

const char *
desktop_recent_message_get_topic (DesktopRecentMessage *self)
{
  g_return_val_if_fail (DESKTOP_IS_RECENT_MESSAGE (self), NULL);
  return self->topic;
}

GBytes *
desktop_recent_message_get_key (DesktopRecentMessage *self)
{
  g_return_val_if_fail (DESKTOP_IS_RECENT_MESSAGE (self), NULL);
  return self->key;
}

GBytes *
desktop_recent_message_get_value (DesktopRecentMessage *self)
{
  g_return_val_if_fail (DESKTOP_IS_RECENT_MESSAGE (self), NULL);
  return self->value;
}

const char * const *
desktop_recent_message_get_headers (DesktopRecentMessage *self)
{
  g_return_val_if_fail (DESKTOP_IS_RECENT_MESSAGE (self), NULL);
  return (const char * const *) self->headers;
}

gint32
desktop_recent_message_get_partition (DesktopRecentMessage *self)
{
  g_return_val_if_fail (DESKTOP_IS_RECENT_MESSAGE (self), -1);
  return self->partition;
}

CaudalCompression
desktop_recent_message_get_compression (DesktopRecentMessage *self)
{
  g_return_val_if_fail (DESKTOP_IS_RECENT_MESSAGE (self), CAUDAL_COMPRESSION_NONE);
  return self->compression;
}

GArray *
desktop_recent_message_dup_record_headers (DesktopRecentMessage *self)
{
  GArray *out;

  g_return_val_if_fail (DESKTOP_IS_RECENT_MESSAGE (self), NULL);

  out = g_array_new (FALSE, TRUE, sizeof (CaudalRecordHeader));
  for (guint i = 0; self->headers[i] != NULL; i += 2)
    {
      CaudalRecordHeader h;

      h.key.data = (const guint8 *) self->headers[i];
      h.key.len = (gint32) strlen (self->headers[i]);
      h.value.data = (const guint8 *) self->headers[i + 1];
      h.value.len = (gint32) strlen (self->headers[i + 1]);
      g_array_append_val (out, h);
    }
  return out;
}

static gboolean
bytes_equal (GBytes *a,
             GBytes *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_bytes_equal (a, b);
}

gboolean
desktop_recent_message_equal (DesktopRecentMessage *a,
                              DesktopRecentMessage *b)
{
  g_return_val_if_fail (DESKTOP_IS_RECENT_MESSAGE (a), FALSE);
  g_return_val_if_fail (DESKTOP_IS_RECENT_MESSAGE (b), FALSE);

  return strcmp (a->topic, b->topic) == 0
         && bytes_equal (a->key, b->key)
         && bytes_equal (a->value, b->value)
         && g_strv_equal ((const char * const *) a->headers, (const char * const *) b->headers)
         && a->partition == b->partition
         && a->compression == b->compression;
}

/* ---- the lists ---- */

static GHashTable *recent_lists;   /* bootstrap servers → GListStore */

GListModel *
desktop_recent_messages_get (const char *bootstrap_servers)
{
  const char *name = bootstrap_servers != NULL ? bootstrap_servers : "";
  GListStore *store;

  if (recent_lists == NULL)
    recent_lists = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  store = g_hash_table_lookup (recent_lists, name);
  if (store == NULL)
    {
      store = g_list_store_new (DESKTOP_TYPE_RECENT_MESSAGE);
      g_hash_table_insert (recent_lists, g_strdup (name), store);
    }
  return G_LIST_MODEL (store);
}

void
desktop_recent_messages_remember (const char           *bootstrap_servers,
                                  DesktopRecentMessage *message)
{
  g_autoptr(DesktopRecentMessage) keep = NULL;
  GListStore *store;
  guint n;

  g_return_if_fail (DESKTOP_IS_RECENT_MESSAGE (message));

  /* Removing an earlier place of @message must not free it. */
  keep = g_object_ref (message);
  store = G_LIST_STORE (desktop_recent_messages_get (bootstrap_servers));
  n = g_list_model_get_n_items (G_LIST_MODEL (store));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DesktopRecentMessage) old = g_list_model_get_item (G_LIST_MODEL (store), i);

      if (old == message || desktop_recent_message_equal (old, message))
        {
          g_list_store_remove (store, i);
          break;
        }
    }
  g_list_store_insert (store, 0, message);
  n = g_list_model_get_n_items (G_LIST_MODEL (store));
  if (n > DESKTOP_RECENT_MESSAGES_MAX)
    g_list_store_splice (store, DESKTOP_RECENT_MESSAGES_MAX, n - DESKTOP_RECENT_MESSAGES_MAX, NULL, 0);
}
