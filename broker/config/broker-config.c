/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-config.c: a BrokerConfig holds the values set by the file and the
 * overrides (key → value, unknown keys included); every other key has its
 * table default. Values are validated when set; keys that depend on each
 * other are checked by broker_config_validate(). */
#include "broker-config.h"

#include "broker-listeners.h"
#include "broker-properties.h"

#include <string.h>

struct _BrokerConfig
{
  GHashTable *values;   /* char* key → char* value, as set */
};

/* Broker keys that stand for one setting in different units or with a
 * fallback, in Kafka's precedence order (DescribeConfigs synonyms). */
static const char *const *const synonym_groups[] = {
  (const char *const[]) { "log.retention.ms", "log.retention.minutes",
                          "log.retention.hours", NULL },
  (const char *const[]) { "log.roll.ms", "log.roll.hours", NULL },
  (const char *const[]) { "log.roll.jitter.ms", "log.roll.jitter.hours",
                          NULL },
  (const char *const[]) { "log.flush.interval.ms",
                          "log.flush.scheduler.interval.ms", NULL },
  (const char *const[]) { "log.dirs", "log.dir", NULL },
};

BrokerConfig *
broker_config_new (void)
{
  BrokerConfig *cfg = g_new0 (BrokerConfig, 1);

  cfg->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return cfg;
}

void
broker_config_free (BrokerConfig *cfg)
{
  if (cfg == NULL)
    return;
  g_hash_table_unref (cfg->values);
  g_free (cfg);
}

gboolean
broker_config_is_known (const char *key)
{
  return broker_config_lookup (key) != NULL;
}

/**
 * broker_config_is_dynamic:
 *
 * Returns: whether Kafka lets AlterConfigs change @key at run time (its
 * update mode is per-broker or cluster-wide). caudald refuses every
 * dynamic change for now; this tells the handler how to word it.
 */
gboolean
broker_config_is_dynamic (const char *key)
{
  const BrokerConfigDef *def = broker_config_lookup (key);

  return def != NULL && def->update_mode != BROKER_CONFIG_UPDATE_READ_ONLY;
}

/**
 * broker_config_set:
 * @key: a key; unknown keys are kept with a warning
 * @value: its value; surrounding blanks are ignored, as Kafka trims
 *
 * Sets @key as if from server.properties, after checking @value.
 *
 * Returns: %FALSE with %BROKER_CONFIG_ERROR_INVALID_VALUE naming the key
 * and the reason when @value is not valid.
 */
gboolean
broker_config_set (BrokerConfig *cfg,
                   const char *key,
                   const char *value,
                   GError **error)
{
  const BrokerConfigDef *def;
  g_autofree char *v = NULL;
  g_autofree char *reason = NULL;

  g_return_val_if_fail (cfg != NULL, FALSE);
  g_return_val_if_fail (key != NULL && value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  v = g_strstrip (g_strdup (value));
  def = broker_config_lookup (key);
  if (def == NULL)
    g_warning ("unknown configuration key '%s': ignored", key);
  else if (!broker_config_value_check (def->type, &def->check, v, &reason))
    {
      g_set_error (error, BROKER_CONFIG_ERROR,
                   BROKER_CONFIG_ERROR_INVALID_VALUE,
                   "invalid value '%s' for %s: %s",
                   def->sensitive ? "[hidden]" : v, key, reason);
      return FALSE;
    }
  g_hash_table_insert (cfg->values, g_strdup (key), g_steal_pointer (&v));
  return TRUE;
}

/**
 * broker_config_parse_override:
 * @key_equals_value: "key=value", as given on the command line
 */
gboolean
broker_config_parse_override (BrokerConfig *cfg,
                              const char *key_equals_value,
                              GError **error)
{
  const char *eq;
  g_autofree char *key = NULL;

  g_return_val_if_fail (key_equals_value != NULL, FALSE);

  eq = strchr (key_equals_value, '=');
  if (eq == NULL)
    {
      g_set_error (error, BROKER_CONFIG_ERROR, BROKER_CONFIG_ERROR_SYNTAX,
                   "override '%s' is not key=value", key_equals_value);
      return FALSE;
    }
  key = g_strstrip (g_strndup (key_equals_value, eq - key_equals_value));
  if (*key == '\0')
    {
      g_set_error (error, BROKER_CONFIG_ERROR, BROKER_CONFIG_ERROR_SYNTAX,
                   "override '%s' has no key", key_equals_value);
      return FALSE;
    }
  return broker_config_set (cfg, key, eq + 1, error);
}

typedef struct
{
  BrokerConfig *cfg;
  const char *path;
} LoadData;

static gboolean
load_entry (const char *key,
            const char *value,
            guint line,
            gpointer user_data,
            GError **error)
{
  LoadData *data = user_data;

  if (!broker_config_set (data->cfg, key, value, error))
    {
      g_prefix_error (error, "%s:%u: ", data->path, line);
      return FALSE;
    }
  return TRUE;
}

/**
 * broker_config_load_file:
 * @path: a server.properties-style file
 *
 * Sets every key of @path (see broker-properties.c for the syntax); later
 * lines win over earlier ones. Overrides are applied afterwards with
 * broker_config_parse_override(). Errors name the file and line.
 */
gboolean
broker_config_load_file (BrokerConfig *cfg, const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  LoadData data = { cfg, path };

  g_return_val_if_fail (cfg != NULL && path != NULL, FALSE);

  if (!g_file_get_contents (path, &text, &len, error))
    return FALSE;
  if (!broker_properties_parse (text, (gssize) len, load_entry, &data, error))
    {
      if (error != NULL && *error != NULL
          && (*error)->code == BROKER_CONFIG_ERROR_SYNTAX
          && (*error)->domain == BROKER_CONFIG_ERROR)
        g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  return TRUE;
}

gboolean
broker_config_is_set (BrokerConfig *cfg, const char *key)
{
  g_return_val_if_fail (cfg != NULL && key != NULL, FALSE);
  return g_hash_table_contains (cfg->values, key);
}

/**
 * broker_config_get_string:
 *
 * Returns: (nullable): the value of @key as set, else its default; %NULL
 * when neither exists (an unset key without default, or an unknown key).
 */
const char *
broker_config_get_string (BrokerConfig *cfg, const char *key)
{
  const char *v;
  const BrokerConfigDef *def;

  g_return_val_if_fail (cfg != NULL && key != NULL, NULL);

  v = g_hash_table_lookup (cfg->values, key);
  if (v != NULL)
    return v;
  def = broker_config_lookup (key);
  return def != NULL ? def->default_value : NULL;
}

/**
 * broker_config_get_int64:
 *
 * Returns: the value of an INT, SHORT or LONG key, or 0 when it is null.
 */
gint64
broker_config_get_int64 (BrokerConfig *cfg, const char *key)
{
  const char *v = broker_config_get_string (cfg, key);
  gint64 out = 0;

  if (v != NULL && !broker_config_value_parse_int64 (v, &out))
    g_critical ("configuration key %s is not an integer", key);
  return out;
}

gint32
broker_config_get_int32 (BrokerConfig *cfg, const char *key)
{
  return (gint32) CLAMP (broker_config_get_int64 (cfg, key),
                         G_MININT32, G_MAXINT32);
}

gboolean
broker_config_get_bool (BrokerConfig *cfg, const char *key)
{
  const char *v = broker_config_get_string (cfg, key);
  gboolean out = FALSE;

  if (v != NULL && !broker_config_value_parse_bool (v, &out))
    g_critical ("configuration key %s is not a boolean", key);
  return out;
}

double
broker_config_get_double (BrokerConfig *cfg, const char *key)
{
  const char *v = broker_config_get_string (cfg, key);

  return v != NULL ? g_ascii_strtod (v, NULL) : 0.0;
}

/**
 * broker_config_get_node_id:
 *
 * Returns: node.id when set, else broker.id when set, else 1. (Kafka's
 * default, -1, asks for a generated id; caudald is a single node and
 * calls itself 1.) An explicit -1 counts as unset.
 */
gint32
broker_config_get_node_id (BrokerConfig *cfg)
{
  gint32 id;

  id = broker_config_get_int32 (cfg, "node.id");
  if (broker_config_is_set (cfg, "node.id") && id >= 0)
    return id;
  id = broker_config_get_int32 (cfg, "broker.id");
  if (broker_config_is_set (cfg, "broker.id") && id >= 0)
    return id;
  return 1;
}

/* The first key of @keys with a non-null value, times its factor;
 * negative results mean "forever" and are reported as -1. */
static gint64
first_duration (BrokerConfig *cfg,
                const char *const *keys,
                const gint64 *factors)
{
  for (gsize i = 0; keys[i] != NULL; i++)
    {
      gint64 v;

      if (broker_config_get_string (cfg, keys[i]) == NULL)
        continue;
      v = broker_config_get_int64 (cfg, keys[i]);
      if (v < 0)
        return -1;
      if (v > G_MAXINT64 / factors[i])
        return G_MAXINT64;
      return v * factors[i];
    }
  return -1;
}

/**
 * broker_config_get_log_retention_ms:
 *
 * Returns: log.retention.ms, else log.retention.minutes, else
 * log.retention.hours, in milliseconds; -1 for unlimited.
 */
gint64
broker_config_get_log_retention_ms (BrokerConfig *cfg)
{
  static const char *const keys[] = {
    "log.retention.ms", "log.retention.minutes", "log.retention.hours", NULL,
  };
  static const gint64 factors[] = { 1, 60 * 1000, 60 * 60 * 1000 };

  return first_duration (cfg, keys, factors);
}

/**
 * broker_config_get_log_roll_ms:
 *
 * Returns: log.roll.ms, else log.roll.hours, in milliseconds.
 */
gint64
broker_config_get_log_roll_ms (BrokerConfig *cfg)
{
  static const char *const keys[] = { "log.roll.ms", "log.roll.hours", NULL };
  static const gint64 factors[] = { 1, 60 * 60 * 1000 };

  return first_duration (cfg, keys, factors);
}

static char **
split_dirs (const char *value)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  g_auto (GStrv) items = g_strsplit (value, ",", -1);

  for (char **it = items; *it != NULL; it++)
    {
      g_strstrip (*it);
      if (**it != '\0')
        g_strv_builder_add (b, *it);
    }
  return g_strv_builder_end (b);
}

/**
 * broker_config_get_log_dirs:
 *
 * The log directories: log.dirs, else log.dir (both comma-separated),
 * else $STATE_DIRECTORY (set by systemd's StateDirectory=; with several,
 * the first), else g_get_user_data_dir()/caudal.
 *
 * Returns: (transfer full): a non-empty %NULL-terminated array.
 */
char **
broker_config_get_log_dirs (BrokerConfig *cfg)
{
  static const char *const keys[] = { "log.dirs", "log.dir" };
  const char *state;

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const char *v = broker_config_get_string (cfg, keys[i]);

      if (v != NULL)
        {
          g_auto (GStrv) dirs = split_dirs (v);

          if (dirs[0] != NULL)
            return g_steal_pointer (&dirs);
        }
    }

  state = g_getenv ("STATE_DIRECTORY");
  if (state != NULL && *state != '\0')
    {
      const char *colon = strchr (state, ':');
      char *dirs[] = {
        colon != NULL ? g_strndup (state, colon - state) : g_strdup (state),
        NULL,
      };

      return g_memdup2 (dirs, sizeof dirs);
    }
  {
    char *dirs[] = {
      g_build_filename (g_get_user_data_dir (), "caudal", NULL), NULL,
    };

    return g_memdup2 (dirs, sizeof dirs);
  }
}

/**
 * broker_config_get_listeners:
 *
 * Returns: (transfer full) (element-type BrokerListener): listeners,
 * checked against listener.security.protocol.map.
 */
GPtrArray *
broker_config_get_listeners (BrokerConfig *cfg, GError **error)
{
  GPtrArray *l = broker_listeners_parse_full (
      broker_config_get_string (cfg, "listeners"),
      broker_config_get_string (cfg, "listener.security.protocol.map"),
      BROKER_LISTENERS_NONE, error);

  if (l == NULL)
    g_prefix_error (error, "listeners: ");
  return l;
}

/**
 * broker_config_get_advertised_listeners:
 *
 * Returns: (transfer full) (element-type BrokerListener):
 * advertised.listeners, or listeners when it is unset.
 */
GPtrArray *
broker_config_get_advertised_listeners (BrokerConfig *cfg, GError **error)
{
  GPtrArray *l;

  if (broker_config_get_string (cfg, "advertised.listeners") == NULL)
    return broker_config_get_listeners (cfg, error);
  l = broker_listeners_parse_full (
      broker_config_get_string (cfg, "advertised.listeners"),
      broker_config_get_string (cfg, "listener.security.protocol.map"),
      BROKER_LISTENERS_ALLOW_DUPLICATE_PORTS, error);
  if (l == NULL)
    g_prefix_error (error, "advertised.listeners: ");
  return l;
}

/**
 * broker_config_validate:
 *
 * The checks that involve several keys, to run once the file and the
 * overrides are loaded: the listeners against the protocol map (and
 * PLAINTEXT only), node.id against broker.id, the group session bounds.
 * The daemon refuses to start when this fails.
 */
gboolean
broker_config_validate (BrokerConfig *cfg, GError **error)
{
  g_autoptr (GPtrArray) listeners = NULL;
  g_autoptr (GPtrArray) advertised = NULL;

  listeners = broker_config_get_listeners (cfg, error);
  if (listeners == NULL)
    return FALSE;
  advertised = broker_config_get_advertised_listeners (cfg, error);
  if (advertised == NULL)
    return FALSE;

  if (broker_config_is_set (cfg, "node.id")
      && broker_config_is_set (cfg, "broker.id")
      && broker_config_get_int32 (cfg, "node.id")
         != broker_config_get_int32 (cfg, "broker.id"))
    {
      g_set_error (error, BROKER_CONFIG_ERROR,
                   BROKER_CONFIG_ERROR_INCONSISTENT,
                   "node.id (%d) and broker.id (%d) must be equal when both "
                   "are set", broker_config_get_int32 (cfg, "node.id"),
                   broker_config_get_int32 (cfg, "broker.id"));
      return FALSE;
    }

  if (broker_config_get_int32 (cfg, "group.min.session.timeout.ms")
      > broker_config_get_int32 (cfg, "group.max.session.timeout.ms"))
    {
      g_set_error (error, BROKER_CONFIG_ERROR,
                   BROKER_CONFIG_ERROR_INCONSISTENT,
                   "group.min.session.timeout.ms must not exceed "
                   "group.max.session.timeout.ms");
      return FALSE;
    }
  return TRUE;
}

static const char *const *
synonym_group (const char *key)
{
  for (gsize g = 0; g < G_N_ELEMENTS (synonym_groups); g++)
    for (const char *const *k = synonym_groups[g]; *k != NULL; k++)
      if (strcmp (*k, key) == 0)
        return synonym_groups[g];
  return NULL;
}

static void
describe_def (BrokerConfig *cfg,
              const BrokerConfigDef *def,
              gboolean include_synonyms,
              BrokerConfigEntry *out)
{
  const char *const single[] = { def->name, NULL };
  const char *const *group;
  gboolean set = broker_config_is_set (cfg, def->name);

  memset (out, 0, sizeof *out);
  out->name = def->name;
  out->sensitive = def->sensitive;
  out->value = def->sensitive ? NULL
             : g_strdup (broker_config_get_string (cfg, def->name));
  out->source = set ? BROKER_CONFIG_SOURCE_STATIC_BROKER_CONFIG
                    : BROKER_CONFIG_SOURCE_DEFAULT_CONFIG;
  out->read_only = def->update_mode == BROKER_CONFIG_UPDATE_READ_ONLY;
  out->config_type = (gint8) def->type;
  out->documentation = def->doc;
  if (!include_synonyms)
    return;

  /* Kafka lists synonyms by precedence: every static value in group
   * order, then every default. */
  group = synonym_group (def->name);
  if (group == NULL)
    group = single;
  broker_config_entry_ensure_synonyms (out);
  for (const char *const *k = group; *k != NULL; k++)
    if (broker_config_is_set (cfg, *k))
      broker_config_entry_add_synonym (
          out, *k, g_hash_table_lookup (cfg->values, *k),
          BROKER_CONFIG_SOURCE_STATIC_BROKER_CONFIG);
  for (const char *const *k = group; *k != NULL; k++)
    {
      const BrokerConfigDef *d = broker_config_lookup (*k);

      if (d != NULL && d->default_value != NULL)
        broker_config_entry_add_synonym (out, *k, d->default_value,
                                         BROKER_CONFIG_SOURCE_DEFAULT_CONFIG);
    }
}

/**
 * broker_config_describe_key:
 * @out: (out caller-allocates): filled in; release with
 *   broker_config_entry_clear()
 *
 * Returns: %FALSE (leaving @out cleared) for a key not in the table,
 * including unknown keys read from the file.
 */
gboolean
broker_config_describe_key (BrokerConfig *cfg,
                            const char *key,
                            gboolean include_synonyms,
                            BrokerConfigEntry *out)
{
  const BrokerConfigDef *def;

  g_return_val_if_fail (cfg != NULL && key != NULL && out != NULL, FALSE);

  def = broker_config_lookup (key);
  if (def == NULL)
    {
      memset (out, 0, sizeof *out);
      return FALSE;
    }
  describe_def (cfg, def, include_synonyms, out);
  return TRUE;
}

/**
 * broker_config_foreach_describe:
 *
 * Calls @func with the entry of every key in the table, in table order;
 * the entry is only valid during the call.
 */
void
broker_config_foreach_describe (BrokerConfig *cfg,
                                gboolean include_synonyms,
                                BrokerConfigDescribeFunc func,
                                gpointer user_data)
{
  gsize n = 0;
  const BrokerConfigDef *table = broker_config_get_table (&n);

  g_return_if_fail (cfg != NULL && func != NULL);

  for (gsize i = 0; i < n; i++)
    {
      BrokerConfigEntry entry;

      describe_def (cfg, &table[i], include_synonyms, &entry);
      func (&entry, user_data);
      broker_config_entry_clear (&entry);
    }
}
