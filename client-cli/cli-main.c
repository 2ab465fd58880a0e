/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-main.c: `caudal COMMAND …`, or Kafka's script names (kafka-topics,
 * kafka-topics.sh, …) behaving as that command, so cheat-sheets work. */

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli-common.h"

static const CliCommand commands[] = {
  { "topics", "kafka-topics", N_("Create, delete, describe, or change a topic"), cli_topics_main },
  { "consumer-groups", "kafka-consumer-groups", N_("List, describe, reset or delete consumer groups"), cli_consumer_groups_main },
  { "configs", "kafka-configs", N_("Describe or change topic and broker configs"), cli_configs_main },
  { "console-producer", "kafka-console-producer", N_("Read lines from stdin and produce them to a topic"), cli_console_producer_main },
  { "console-consumer", "kafka-console-consumer", N_("Read messages from a topic and print them"), cli_console_consumer_main },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n%s\n", _("Usage: caudal COMMAND [OPTIONS]"), _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-20s %s\n", commands[i].name, _(commands[i].summary));
  fputc ('\n', out);
  /* Translators: %s is a Kafka script name, "kafka-topics". */
  fprintf (out, _("Run 'caudal COMMAND --help' for a command's options. Invoked as %s\n"
                  "(or with .sh), caudal behaves as that Kafka tool.\n"),
           commands[0].kafka_name);
}

/* The command a program name stands for: "kafka-topics", "kafka-topics.sh"
 * (any directory) → topics. */
static const CliCommand *
command_for_program (const char *argv0)
{
  g_autofree char *base = g_path_get_basename (argv0);

  if (g_str_has_suffix (base, ".sh"))
    base[strlen (base) - 3] = '\0';
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (base, commands[i].kafka_name) == 0)
      return &commands[i];
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  const CliCommand *cmd;
  const char *localedir = g_getenv ("CAUDAL_LOCALEDIR");

  /* Messages in the user's language; Kafka's machine-readable output
   * (tables, --describe lines) stays as Kafka prints it (docs/cli.md).
   * CAUDAL_LOCALEDIR: the catalogues of a build tree (_build/po). */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  cmd = command_for_program (argv[0]);
  if (cmd != NULL)
    return cmd->run (argc, argv);

  if (argc < 2)
    {
      print_usage (stderr);
      return CLI_EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      print_usage (stdout);
      return CLI_EXIT_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      g_print ("caudal %s\n", CAUDAL_VERSION);
      return CLI_EXIT_OK;
    }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0 || strcmp (argv[1], commands[i].kafka_name) == 0)
      {
        /* The command sees itself as argv[0]. */
        argv[1] = argv[0];
        return commands[i].run (argc - 1, argv + 1);
      }
  g_printerr (_("caudal: unknown command '%s'\n"), argv[1]);
  print_usage (stderr);
  return CLI_EXIT_USAGE;
}
