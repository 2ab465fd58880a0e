/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-message.c: a consumed record of the messages browser. */

#include "desktop-message.h"

struct _DesktopMessage
{
  GObject        parent_instance;
  CaudalMessage *message;
  char          *key_text;
  char          *value_text;
  char          *headers_text;
};

G_DEFINE_FINAL_TYPE (DesktopMessage, desktop_message, G_TYPE_OBJECT)

static char *
bytes_to_text (GBytes *bytes)
{
  gsize size;
  const char *data;

  if (bytes == NULL)
    return g_strdup ("");
  data = g_bytes_get_data (bytes, &size);
  return g_utf8_make_valid (data != NULL ? data : "", size);
}

static void
desktop_message_finalize (GObject *object)
{
  DesktopMessage *self = DESKTOP_MESSAGE (object);

  g_clear_pointer (&self->message, caudal_message_free);
  g_free (self->key_text);
  g_free (self->value_text);
  g_free (self->headers_text);
  G_OBJECT_CLASS (desktop_message_parent_class)->finalize (object);
}

static void
desktop_message_class_init (DesktopMessageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = desktop_message_finalize;
}

static void
desktop_message_init (DesktopMessage *self)
{
}

DesktopMessage *
desktop_message_new (CaudalMessage *message)
{
  DesktopMessage *self;
  GString *headers = g_string_new (NULL);

  g_return_val_if_fail (message != NULL, NULL);

  self = g_object_new (DESKTOP_TYPE_MESSAGE, NULL);
  self->message = message;
  self->key_text = bytes_to_text (message->key);
  self->value_text = bytes_to_text (message->value);
  for (guint i = 0; message->headers != NULL && i < message->headers->len; i++)
    {
      CaudalMessageHeader *h = g_ptr_array_index (message->headers, i);
      g_autofree char *value = bytes_to_text (h->value);

      if (headers->len > 0)
        g_string_append (headers, ", ");
      g_string_append_printf (headers, "%s=%s", h->key, value);
    }
  self->headers_text = g_string_free (headers, FALSE);
  return self;
}

const char *
desktop_message_get_topic (DesktopMessage *self)
{
  g_return_val_if_fail (DESKTOP_IS_MESSAGE (self), NULL);
  return self->message->topic;
}

gint32
desktop_message_get_partition (DesktopMessage *self)
{
  g_return_val_if_fail (DESKTOP_IS_MESSAGE (self), -1);
  return self->message->partition;
}

gint64
desktop_message_get_offset (DesktopMessage *self)
{
  g_return_val_if_fail (DESKTOP_IS_MESSAGE (self), -1);
  return self->message->offset;
}

gint64
desktop_message_get_timestamp (DesktopMessage *self)
{
  g_return_val_if_fail (DESKTOP_IS_MESSAGE (self), -1);
  return self->message->timestamp;
}

CaudalTimestampType
desktop_message_get_timestamp_type (DesktopMessage *self)
{
  g_return_val_if_fail (DESKTOP_IS_MESSAGE (self), CAUDAL_TIMESTAMP_NONE);
  return self->message->timestamp_type;
}

GBytes *
desktop_message_get_key (DesktopMessage *self)
{
  g_return_val_if_fail (DESKTOP_IS_MESSAGE (self), NULL);
  return self->message->key;
}

GBytes *
desktop_message_get_value (DesktopMessage *self)
{
  g_return_val_if_fail (DESKTOP_IS_MESSAGE (self), NULL);
  return self->message->value;
}

GPtrArray *
desktop_message_get_headers (DesktopMessage *self)
{
  g_return_val_if_fail (DESKTOP_IS_MESSAGE (self), NULL);
  return self->message->headers;
}

const char *
desktop_message_get_key_text (DesktopMessage *self)
{
  g_return_val_if_fail (DESKTOP_IS_MESSAGE (self), NULL);
  return self->key_text;
}

const char *
desktop_message_get_value_text (DesktopMessage *self)
{
  g_return_val_if_fail (DESKTOP_IS_MESSAGE (self), NULL);
  return self->value_text;
}

const char *
desktop_message_get_headers_text (DesktopMessage *self)
{
  g_return_val_if_fail (DESKTOP_IS_MESSAGE (self), NULL);
  return self->headers_text;
}

char *
desktop_message_format_timestamp (DesktopMessage *self)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *base = NULL;

  g_return_val_if_fail (DESKTOP_IS_MESSAGE (self), NULL);

  if (self->message->timestamp < 0)
    return g_strdup ("");
  utc = g_date_time_new_from_unix_utc (self->message->timestamp / 1000);
  if (utc == NULL)
    return g_strdup ("");
  local = g_date_time_to_local (utc);
  base = g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
  return g_strdup_printf ("%s.%03d", base, (int) (self->message->timestamp % 1000));
}

char *
desktop_format_hex (GBytes *bytes)
{
  GString *out = g_string_new (NULL);
  const guint8 *data;
  gsize size;

  if (bytes == NULL)
    return g_string_free (out, FALSE);
  data = g_bytes_get_data (bytes, &size);
  for (gsize line = 0; line < size; line += 16)
    {
      g_string_append_printf (out, "%08" G_GSIZE_MODIFIER "x  ", line);
      for (gsize i = line; i < line + 16; i++)
        {
          if (i < size)
            g_string_append_printf (out, "%02x ", data[i]);
          else
            g_string_append (out, "   ");
          if (i == line + 7)
            g_string_append_c (out, ' ');
        }
      g_string_append (out, " |");
      for (gsize i = line; i < line + 16 && i < size; i++)
        g_string_append_c (out, g_ascii_isprint (data[i]) ? (char) data[i] : '.');
      g_string_append (out, "|\n");
    }
  return g_string_free (out, FALSE);
}
