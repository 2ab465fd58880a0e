/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-config-doc.c: the key tables of docs/configuration.md, written
 * from the broker and topic tables so the documentation cannot drift
 * (tests/broker/config/test-config-doc.c compares them). */
#include "broker-config.h"

#include "broker-topic-config.h"

static const char *
support_text (BrokerConfigSupport support)
{
  switch (support)
    {
    case BROKER_CONFIG_HONOURED:
      return "yes";
    case BROKER_CONFIG_PARTIAL:
      return "partly";
    case BROKER_CONFIG_IGNORED:
    default:
      return "ignored";
    }
}

static const char *
update_mode_text (BrokerConfigUpdateMode mode)
{
  switch (mode)
    {
    case BROKER_CONFIG_UPDATE_PER_BROKER:
      return "per-broker";
    case BROKER_CONFIG_UPDATE_CLUSTER_WIDE:
      return "cluster-wide";
    case BROKER_CONFIG_UPDATE_READ_ONLY:
    default:
      return "read-only";
    }
}

/* Appends @text to a table cell: '|' escaped, "" shown as an empty
 * code span and NULL as a dash. */
static void
append_cell (GString *out, const char *text, gboolean code)
{
  g_string_append (out, " ");
  if (text == NULL)
    g_string_append (out, "–");
  else
    {
      if (code)
        g_string_append_c (out, '`');
      for (const char *p = text; *p != '\0'; p++)
        {
          if (*p == '|')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      if (code)
        g_string_append_c (out, '`');
      if (code && *text == '\0')
        g_string_append (out, " (empty)");
    }
  g_string_append (out, " |");
}

static void
append_meaning (GString *out, const char *doc, const char *note)
{
  g_autofree char *text = note != NULL
                        ? g_strdup_printf ("%s *caudald:* %s", doc, note)
                        : g_strdup (doc);

  append_cell (out, text, FALSE);
}

/**
 * broker_config_write_markdown:
 * @out: where to append
 *
 * Appends the broker key table and the topic key table, in Markdown.
 */
void
broker_config_write_markdown (GString *out)
{
  gsize n = 0;
  const BrokerConfigDef *broker = broker_config_get_table (&n);
  const BrokerTopicConfigDef *topic;

  g_string_append (out,
                   "### Broker keys\n\n"
                   "| Key | Type | Default | Valid values | Update mode "
                   "| caudald | Meaning |\n"
                   "|---|---|---|---|---|---|---|\n");
  for (gsize i = 0; i < n; i++)
    {
      const BrokerConfigDef *d = &broker[i];
      g_autofree char *valid = broker_config_check_describe (d->type,
                                                             &d->check);

      g_string_append (out, "|");
      append_cell (out, d->name, TRUE);
      append_cell (out, broker_config_type_name (d->type), FALSE);
      append_cell (out, d->default_value, TRUE);
      append_cell (out, valid, FALSE);
      append_cell (out, update_mode_text (d->update_mode), FALSE);
      append_cell (out, support_text (d->support), FALSE);
      append_meaning (out, d->doc, d->note);
      g_string_append (out, "\n");
    }

  topic = broker_topic_config_get_table (&n);
  g_string_append (out,
                   "\n### Topic keys\n\n"
                   "| Key | Type | Default | Valid values | Broker keys "
                   "| caudald | Meaning |\n"
                   "|---|---|---|---|---|---|---|\n");
  for (gsize i = 0; i < n; i++)
    {
      const BrokerTopicConfigDef *d = &topic[i];
      g_autofree char *valid = broker_config_check_describe (d->type,
                                                             &d->check);
      g_autoptr (GString) syn = g_string_new (NULL);

      for (const BrokerTopicSynonym *s = d->synonyms; s->name != NULL; s++)
        g_string_append_printf (syn, "%s`%s`", syn->len > 0 ? ", " : "",
                                s->name);

      g_string_append (out, "|");
      append_cell (out, d->name, TRUE);
      append_cell (out, broker_config_type_name (d->type), FALSE);
      append_cell (out, d->default_value, TRUE);
      append_cell (out, valid, FALSE);
      append_cell (out, syn->len > 0 ? syn->str : NULL, FALSE);
      append_cell (out, support_text (d->support), FALSE);
      append_meaning (out, d->doc, d->note);
      g_string_append (out, "\n");
    }
}
