/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Java .properties syntax: separators, comments, continuations, escapes,
 * blank handling, line numbers, malformed escapes, Latin-1 fallback. */
#include "broker-properties.h"

#include "broker-config-value.h"

typedef struct
{
  GPtrArray *keys;
  GPtrArray *values;
  GArray *lines;
} Collected;

static gboolean
collect (const char *key, const char *value, guint line, gpointer user_data,
         GError **error)
{
  Collected *c = user_data;

  g_ptr_array_add (c->keys, g_strdup (key));
  g_ptr_array_add (c->values, g_strdup (value));
  g_array_append_val (c->lines, line);
  return TRUE;
}

static Collected *
parse (const char *text)
{
  Collected *c = g_new0 (Collected, 1);
  g_autoptr (GError) error = NULL;

  c->keys = g_ptr_array_new_with_free_func (g_free);
  c->values = g_ptr_array_new_with_free_func (g_free);
  c->lines = g_array_new (FALSE, FALSE, sizeof (guint));
  g_assert_true (broker_properties_parse (text, -1, collect, c, &error));
  g_assert_no_error (error);
  return c;
}

static void
collected_free (Collected *c)
{
  g_ptr_array_unref (c->keys);
  g_ptr_array_unref (c->values);
  g_array_unref (c->lines);
  g_free (c);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Collected, collected_free)

#define KEY(c, i)   ((const char *) g_ptr_array_index ((c)->keys, (i)))
#define VALUE(c, i) ((const char *) g_ptr_array_index ((c)->values, (i)))
#define LINE(c, i)  g_array_index ((c)->lines, guint, (i))

static void
test_separators (void)
{
  g_autoptr (Collected) c = parse ("a=1\n"
                                   "b: 2\n"
                                   "c 3\n"
                                   "d = 4\n"
                                   "e\t:\t5\n"
                                   "f\n"
                                   "g=\n"
                                   "h==x\n"
                                   "i = a=b:c \n");

  g_assert_cmpuint (c->keys->len, ==, 9);
  g_assert_cmpstr (KEY (c, 0), ==, "a");
  g_assert_cmpstr (VALUE (c, 0), ==, "1");
  g_assert_cmpstr (KEY (c, 1), ==, "b");
  g_assert_cmpstr (VALUE (c, 1), ==, "2");
  g_assert_cmpstr (KEY (c, 2), ==, "c");
  g_assert_cmpstr (VALUE (c, 2), ==, "3");
  g_assert_cmpstr (VALUE (c, 3), ==, "4");
  g_assert_cmpstr (VALUE (c, 4), ==, "5");
  g_assert_cmpstr (KEY (c, 5), ==, "f");
  g_assert_cmpstr (VALUE (c, 5), ==, "");
  g_assert_cmpstr (VALUE (c, 6), ==, "");
  g_assert_cmpstr (VALUE (c, 7), ==, "=x");
  /* Only the first separator counts; trailing blanks are kept. */
  g_assert_cmpstr (VALUE (c, 8), ==, "a=b:c ");
}

static void
test_comments_and_blanks (void)
{
  g_autoptr (Collected) c = parse ("# a comment\n"
                                   "! another = comment\n"
                                   "\n"
                                   "   \t\n"
                                   "   # indented comment\n"
                                   "   key = value # not a comment\n"
                                   "\f  x=y");

  g_assert_cmpuint (c->keys->len, ==, 2);
  g_assert_cmpstr (KEY (c, 0), ==, "key");
  g_assert_cmpstr (VALUE (c, 0), ==, "value # not a comment");
  g_assert_cmpuint (LINE (c, 0), ==, 6);
  g_assert_cmpstr (KEY (c, 1), ==, "x");
  g_assert_cmpuint (LINE (c, 1), ==, 7);
}

static void
test_continuation (void)
{
  g_autoptr (Collected) c = parse ("listeners=PLAINTEXT://:9092,\\\n"
                                   "          OTHER://:9093\n"
                                   "a=one\\\\\n"
                                   "b=two\\\r\n"
                                   "   # not a comment here\n"
                                   "c=x\\\rd=y\r\n"
                                   "e=last\\");

  g_assert_cmpuint (c->keys->len, ==, 5);
  g_assert_cmpstr (VALUE (c, 0), ==, "PLAINTEXT://:9092,OTHER://:9093");
  /* An even number of backslashes does not continue. */
  g_assert_cmpstr (VALUE (c, 1), ==, "one\\");
  g_assert_cmpuint (LINE (c, 1), ==, 3);
  g_assert_cmpstr (VALUE (c, 2), ==, "two# not a comment here");
  g_assert_cmpuint (LINE (c, 2), ==, 4);
  /* A lone \r ends a line too. */
  g_assert_cmpstr (KEY (c, 3), ==, "c");
  g_assert_cmpstr (VALUE (c, 3), ==, "xd=y");
  g_assert_cmpstr (VALUE (c, 4), ==, "last");
}

static void
test_escapes (void)
{
  g_autoptr (Collected) c = parse ("tab=a\\tb\\nc\\rd\\fe\n"
                                   "uni=\\u0041\\u00e9\\u20AC\n"
                                   "pair=\\uD83D\\uDE00\n"
                                   "my\\ key\\=x\\:y=v\n"
                                   "other=\\q\\\\\\#\n"
                                   "utf8=é€\n");

  g_assert_cmpstr (VALUE (c, 0), ==, "a\tb\nc\rd\fe");
  g_assert_cmpstr (VALUE (c, 1), ==, "A\xc3\xa9\xe2\x82\xac");
  g_assert_cmpstr (VALUE (c, 2), ==, "\xf0\x9f\x98\x80");
  g_assert_cmpstr (KEY (c, 3), ==, "my key=x:y");
  g_assert_cmpstr (VALUE (c, 3), ==, "v");
  g_assert_cmpstr (VALUE (c, 4), ==, "q\\#");
  g_assert_cmpstr (VALUE (c, 5), ==, "é€");
}

static void
test_latin1 (void)
{
  g_autoptr (Collected) c = parse ("name=caf\xe9\n");

  g_assert_cmpstr (VALUE (c, 0), ==, "caf\xc3\xa9");
}

static void
test_malformed (void)
{
  const char *bad[] = {
    "a=\\u12\n", "a=\\uZZZZ\n", "a=\\uD83D\n", "a=\\uDE00x\n", "a=\\u0000\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (Collected) c = g_new0 (Collected, 1);

      c->keys = g_ptr_array_new_with_free_func (g_free);
      c->values = g_ptr_array_new_with_free_func (g_free);
      c->lines = g_array_new (FALSE, FALSE, sizeof (guint));
      g_assert_false (broker_properties_parse (bad[i], -1, collect, c,
                                               &error));
      g_assert_error (error, BROKER_CONFIG_ERROR, BROKER_CONFIG_ERROR_SYNTAX);
      g_assert_true (g_str_has_prefix (error->message, "line 1:"));
    }
}

static gboolean
stop_at_b (const char *key, const char *value, guint line, gpointer user_data,
           GError **error)
{
  guint *count = user_data;

  (*count)++;
  if (g_str_equal (key, "b"))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "stop");
      return FALSE;
    }
  return TRUE;
}

static void
test_callback_error (void)
{
  g_autoptr (GError) error = NULL;
  guint count = 0;

  g_assert_false (broker_properties_parse ("a=1\nb=2\nc=3\n", -1, stop_at_b,
                                           &count, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED);
  g_assert_cmpuint (count, ==, 2);
}

static void
test_empty (void)
{
  g_autoptr (Collected) c = parse ("");
  g_autoptr (Collected) d = parse ("\n\n# only comments\n");

  g_assert_cmpuint (c->keys->len, ==, 0);
  g_assert_cmpuint (d->keys->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/properties/separators", test_separators);
  g_test_add_func ("/properties/comments-and-blanks", test_comments_and_blanks);
  g_test_add_func ("/properties/continuation", test_continuation);
  g_test_add_func ("/properties/escapes", test_escapes);
  g_test_add_func ("/properties/latin1", test_latin1);
  g_test_add_func ("/properties/malformed", test_malformed);
  g_test_add_func ("/properties/callback-error", test_callback_error);
  g_test_add_func ("/properties/empty", test_empty);
  return g_test_run ();
}
