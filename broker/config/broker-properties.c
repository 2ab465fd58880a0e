/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-properties.c: Java .properties syntax, as java.util.Properties
 * reads it:
 *
 * - natural lines end at \n, \r or \r\n; leading blanks (space, tab, form
 *   feed) of every natural line are dropped;
 * - a line whose first non-blank character is '#' or '!' is a comment;
 * - a line ending in an odd number of backslashes continues on the next;
 * - the key ends at the first unescaped '=', ':' or blank; blanks around
 *   the separator are skipped (so "key value", "key=value", "key: value");
 * - escapes: \t \n \r \f, \uXXXX (UTF-16, surrogate pairs combined), and
 *   a backslash before any other character stands for that character.
 *
 * Java reads the bytes as ISO-8859-1; we read UTF-8 and fall back to
 * ISO-8859-1 when the text is not valid UTF-8. */
#include "broker-properties.h"

#include "broker-config-value.h"

#include <string.h>

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\f';
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
read_u_escape (const char *p, const char *end, gunichar *out)
{
  gunichar v = 0;

  if (end - p < 4)
    return FALSE;
  for (int i = 0; i < 4; i++)
    {
      int h = hex_value (p[i]);

      if (h < 0)
        return FALSE;
      v = (v << 4) | (gunichar) h;
    }
  *out = v;
  return TRUE;
}

/* Appends the unescaped form of [p, end) to @out. */
static gboolean
unescape (const char *p,
          const char *end,
          GString *out,
          guint line,
          GError **error)
{
  while (p < end)
    {
      char c = *p++;
      gunichar u, low;

      if (c != '\\')
        {
          g_string_append_c (out, c);
          continue;
        }
      if (p == end)
        break;    /* a lone trailing backslash stands for nothing */
      c = *p++;
      switch (c)
        {
        case 't': g_string_append_c (out, '\t'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'u':
          if (!read_u_escape (p, end, &u))
            goto malformed;
          p += 4;
          if (u >= 0xD800 && u <= 0xDBFF)
            {
              if (end - p < 6 || p[0] != '\\' || p[1] != 'u'
                  || !read_u_escape (p + 2, end, &low)
                  || low < 0xDC00 || low > 0xDFFF)
                goto malformed;
              p += 6;
              u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
            }
          else if (u >= 0xDC00 && u <= 0xDFFF)
            goto malformed;
          if (u == 0)
            goto malformed;   /* C strings cannot carry NUL */
          g_string_append_unichar (out, u);
          break;
        default:
          g_string_append_c (out, c);
          break;
        }
    }
  return TRUE;

malformed:
  g_set_error (error, BROKER_CONFIG_ERROR, BROKER_CONFIG_ERROR_SYNTAX,
               "line %u: malformed \\uXXXX escape", line);
  return FALSE;
}

/* Splits one logical line (escapes still in place) into key and value. */
static gboolean
emit_line (const char *s,
           gsize len,
           guint line,
           BrokerPropertiesFunc func,
           gpointer user_data,
           GError **error)
{
  gsize key_len = 0, value_start = len;
  gboolean has_sep = FALSE, backslash = FALSE;
  g_autoptr (GString) key = g_string_new (NULL);
  g_autoptr (GString) value = g_string_new (NULL);

  while (key_len < len)
    {
      char c = s[key_len];

      if ((c == '=' || c == ':') && !backslash)
        {
          value_start = key_len + 1;
          has_sep = TRUE;
          break;
        }
      if (is_blank (c) && !backslash)
        {
          value_start = key_len + 1;
          break;
        }
      backslash = c == '\\' ? !backslash : FALSE;
      key_len++;
    }
  while (value_start < len)
    {
      char c = s[value_start];

      if (!is_blank (c))
        {
          if (!has_sep && (c == '=' || c == ':'))
            has_sep = TRUE;
          else
            break;
        }
      value_start++;
    }

  if (!unescape (s, s + key_len, key, line, error)
      || !unescape (s + value_start, s + len, value, line, error))
    return FALSE;
  return func (key->str, value->str, line, user_data, error);
}

/**
 * broker_properties_parse:
 * @text: the file's contents
 * @length: its length, or -1 if NUL-terminated
 * @func: called once per entry, in file order (later duplicates win when
 *   the caller stores them in order)
 *
 * Returns: %FALSE if @func failed or the text is malformed.
 */
gboolean
broker_properties_parse (const char *text,
                         gssize length,
                         BrokerPropertiesFunc func,
                         gpointer user_data,
                         GError **error)
{
  g_autofree char *converted = NULL;
  g_autoptr (GString) logical = g_string_new (NULL);
  const char *p, *end;
  guint line = 1;

  g_return_val_if_fail (text != NULL || length == 0, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (length < 0)
    length = (gssize) strlen (text);
  if (!g_utf8_validate_len (text, (gsize) length, NULL))
    {
      gsize written = 0;

      converted = g_convert (text, length, "UTF-8", "ISO-8859-1",
                             NULL, &written, error);
      if (converted == NULL)
        return FALSE;
      text = converted;
      length = (gssize) written;
    }
  p = text;
  end = text + length;

  while (p < end)
    {
      guint start_line;
      gboolean continuing = FALSE;

      /* Blanks at the start of a natural line, then blank lines and
       * comments. */
      while (p < end && is_blank (*p))
        p++;
      if (p == end)
        break;
      if (*p == '\r' || *p == '\n')
        {
          if (*p == '\r' && p + 1 < end && p[1] == '\n')
            p++;
          p++;
          line++;
          continue;
        }
      if (*p == '#' || *p == '!')
        {
          while (p < end && *p != '\r' && *p != '\n')
            p++;
          continue;   /* the newline is counted above */
        }

      start_line = line;
      g_string_truncate (logical, 0);
      do
        {
          gsize backslashes = 0;

          if (continuing)
            while (p < end && is_blank (*p))
              p++;
          while (p < end && *p != '\r' && *p != '\n')
            {
              backslashes = *p == '\\' ? backslashes + 1 : 0;
              g_string_append_c (logical, *p++);
            }
          continuing = (backslashes % 2) == 1;
          if (continuing)
            g_string_truncate (logical, logical->len - 1);
          if (p < end)
            {
              if (*p == '\r' && p + 1 < end && p[1] == '\n')
                p++;
              p++;
              line++;
            }
        }
      while (continuing && p < end);

      if (!emit_line (logical->str, logical->len, start_line,
                      func, user_data, error))
        return FALSE;
    }
  return TRUE;
}
