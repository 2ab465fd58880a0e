/* SPDX-License-Identifier: GPL-3.0-or-later */
/* docs/configuration.md's key tables must be the ones the C tables
 * generate. To refresh them, run this test with CAUDAL_UPDATE_DOCS=1. */
#include "broker-config.h"

#include <string.h>

#define BEGIN_MARK "<!-- BEGIN GENERATED KEY TABLES -->\n"
#define END_MARK "<!-- END GENERATED KEY TABLES -->"

static void
test_doc_matches (void)
{
  g_autofree char *path = g_build_filename (CAUDAL_DOCS_DIR,
                                            "configuration.md", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GString) expected = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  const char *begin, *end;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  begin = strstr (text, BEGIN_MARK);
  end = strstr (text, END_MARK);
  g_assert_nonnull (begin);
  g_assert_nonnull (end);
  g_assert_true (begin < end);
  begin += strlen (BEGIN_MARK);

  broker_config_write_markdown (expected);

  if (g_getenv ("CAUDAL_UPDATE_DOCS") != NULL)
    {
      g_autoptr (GString) updated = g_string_new_len (text, begin - text);

      g_string_append (updated, expected->str);
      g_string_append (updated, end);
      g_file_set_contents (path, updated->str, -1, &error);
      g_assert_no_error (error);
      return;
    }

  if (strlen (expected->str) != (gsize) (end - begin)
      || strncmp (expected->str, begin, end - begin) != 0)
    g_error ("%s is out of date: run test-config-doc with "
             "CAUDAL_UPDATE_DOCS=1", path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/config-doc/matches", test_doc_matches);
  return g_test_run ();
}
