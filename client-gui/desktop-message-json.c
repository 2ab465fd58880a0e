/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-message-json.c: json-glib builds and writes a message's object
 * (only strings and integers, which it writes exactly) and parses
 * values. The pretty view does not go through json-glib's generator: it
 * rewrites numbers (0.1 becomes 0.10000000000000001, 1e400 becomes
 * "inf.0", integers past 64 bits wrap), so a validated value is
 * re-indented token by token instead. */

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "desktop-message-json.h"

/* ---- a message as JSON ---- */

static void
add_bytes (JsonBuilder *builder,
           GBytes      *bytes)
{
  const char *data;
  gsize size;

  if (bytes == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  data = g_bytes_get_data (bytes, &size);
  if (size == 0)
    json_builder_add_string_value (builder, "");
  /* NUL bytes fail the check too: a JSON string from json-glib stops at
   * the first one. */
  else if (g_utf8_validate_len (data, size, NULL))
    {
      g_autofree char *text = g_strndup (data, size);
      json_builder_add_string_value (builder, text);
    }
  else
    {
      g_autofree char *base64 = g_base64_encode ((const guchar *) data, size);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "base64");
      json_builder_add_string_value (builder, base64);
      json_builder_end_object (builder);
    }
}

char *
desktop_message_to_json (DesktopMessage *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  GPtrArray *headers;

  g_return_val_if_fail (DESKTOP_IS_MESSAGE (message), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "topic");
  json_builder_add_string_value (builder, desktop_message_get_topic (message));
  json_builder_set_member_name (builder, "partition");
  json_builder_add_int_value (builder, desktop_message_get_partition (message));
  json_builder_set_member_name (builder, "offset");
  json_builder_add_int_value (builder, desktop_message_get_offset (message));
  json_builder_set_member_name (builder, "timestamp");
  json_builder_add_int_value (builder, desktop_message_get_timestamp (message));
  json_builder_set_member_name (builder, "timestampType");
  json_builder_add_string_value (builder,
                                 caudal_timestamp_type_to_string (desktop_message_get_timestamp_type (message)));
  json_builder_set_member_name (builder, "key");
  add_bytes (builder, desktop_message_get_key (message));
  json_builder_set_member_name (builder, "value");
  add_bytes (builder, desktop_message_get_value (message));
  json_builder_set_member_name (builder, "headers");
  json_builder_begin_array (builder);
  headers = desktop_message_get_headers (message);
  for (guint i = 0; headers != NULL && i < headers->len; i++)
    {
      CaudalMessageHeader *h = g_ptr_array_index (headers, i);
      /* Kafka's header keys are strings; a broken one is shown, not lost. */
      g_autofree char *key = g_utf8_make_valid (h->key, -1);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "key");
      json_builder_add_string_value (builder, key);
      json_builder_set_member_name (builder, "value");
      add_bytes (builder, h->value);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

GBytes *
desktop_messages_to_json_lines (GListModel *messages)
{
  GString *out = g_string_new (NULL);
  guint n;

  g_return_val_if_fail (G_IS_LIST_MODEL (messages), NULL);

  n = g_list_model_get_n_items (messages);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DesktopMessage) message = g_list_model_get_item (messages, i);
      g_autofree char *line = desktop_message_to_json (message);

      g_string_append (out, line);
      g_string_append_c (out, '\n');
    }
  return g_string_free_to_bytes (out);
}

/* ---- checking a value ---- */

/* json-glib says "<data>:LINE:POS: Parse error: WHAT", POS counting
 * bytes; the user counts characters. */
static char *
describe_parse_error (const char *text,
                      gsize       length,
                      const char *message)
{
  g_autoptr(GRegex) regex = g_regex_new ("^<data>:([0-9]+):([0-9]+): (.*)$", G_REGEX_DOTALL, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *line_text = NULL;
  g_autofree char *pos_text = NULL;
  g_autofree char *what = NULL;
  g_autofree char *prefix = NULL;
  const char *reason;
  const char *p = text;
  const char *end = text + length;
  guint64 line;
  guint64 pos;
  glong column;

  if (!g_regex_match (regex, message, 0, &match))
    return g_strdup (message);
  line_text = g_match_info_fetch (match, 1);
  pos_text = g_match_info_fetch (match, 2);
  what = g_match_info_fetch (match, 3);
  line = g_ascii_strtoull (line_text, NULL, 10);
  pos = g_ascii_strtoull (pos_text, NULL, 10);
  /* The "Parse error: " json-glib puts first says nothing here. */
  prefix = g_strdup_printf ("%s: ", g_dgettext ("json-glib-1.0", "Parse error"));
  reason = g_str_has_prefix (what, prefix) ? what + strlen (prefix) : what;

  for (guint64 l = 1; l < line && p < end; l++)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      p = nl != NULL ? nl + 1 : end;
    }
  column = g_utf8_strlen (p, (gssize) MIN (pos, (guint64) (end - p)));
  /* POS is the character just read: at least column 1. */
  return g_strdup_printf (_("line %u, column %u: %s"), (guint) line, (guint) MAX (column, 1), reason);
}

gboolean
desktop_json_check (const char *text,
                    gssize      length,
                    GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  gsize len;

  g_return_val_if_fail (text != NULL || length == 0, FALSE);

  len = length < 0 ? strlen (text) : (gsize) length;
  if (len > 0 && !g_utf8_validate_len (text, len, NULL))
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           _("the value is not UTF-8 text"));
      return FALSE;
    }
  if (json_parser_load_from_data (parser, len > 0 ? text : "", (gssize) len, &local)
      && json_parser_get_root (parser) != NULL)
    return TRUE;
  if (local == NULL)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE, _("the value is empty"));
      return FALSE;
    }
  if (error != NULL)
    {
      g_autofree char *why = describe_parse_error (text, len, local->message);
      g_set_error_literal (error, local->domain, local->code, why);
    }
  return FALSE;
}

/* ---- pretty text ---- */

static void
new_line (GString *out,
          guint    depth)
{
  g_string_append_c (out, '\n');
  for (guint i = 0; i < depth; i++)
    g_string_append (out, "  ");
}

static gsize
skip_space (const char *text,
            gsize       length,
            gsize       i)
{
  while (i < length && g_ascii_isspace (text[i]))
    i++;
  return i;
}

/* The end of the string literal that opens at @i (json-glib also takes
 * single quotes). */
static gsize
string_end (const char *text,
            gsize       length,
            gsize       i)
{
  char quote = text[i];

  for (i++; i < length && text[i] != quote; i++)
    if (text[i] == '\\')
      i++;
  return MIN (i + 1, length);
}

char *
desktop_json_pretty (const char *text,
                     gssize      length,
                     GError    **error)
{
  GString *out;
  guint depth = 0;
  gsize len;

  if (!desktop_json_check (text, length, error))
    return NULL;
  len = length < 0 ? strlen (text) : (gsize) length;
  out = g_string_sized_new (len + len / 2);
  for (gsize i = 0; i < len;)
    {
      char c = text[i];

      switch (c)
        {
        case '"':
        case '\'':
          {
            gsize end = string_end (text, len, i);

            g_string_append_len (out, text + i, (gssize) (end - i));
            i = end;
          }
          break;
        case '{':
        case '[':
          {
            gsize next = skip_space (text, len, i + 1);

            g_string_append_c (out, c);
            if (next < len && text[next] == (c == '{' ? '}' : ']'))
              {
                g_string_append_c (out, text[next]);
                i = next + 1;
                break;
              }
            new_line (out, ++depth);
            i++;
          }
          break;
        case '}':
        case ']':
          depth = depth > 0 ? depth - 1 : 0;
          new_line (out, depth);
          g_string_append_c (out, c);
          i++;
          break;
        case ',':
          g_string_append_c (out, c);
          new_line (out, depth);
          i++;
          break;
        case ':':
          g_string_append (out, ": ");
          i++;
          break;
        case '/':
          /* json-glib skips comments, which JSON has not: such a value
           * is shown as written rather than re-indented around them. */
          g_string_free (out, TRUE);
          return g_strndup (text, len);
        default:
          if (!g_ascii_isspace (c))
            g_string_append_c (out, c);
          i++;
          break;
        }
    }
  return g_string_free (out, FALSE);
}
