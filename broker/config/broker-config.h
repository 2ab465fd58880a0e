/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-config.h: caudald's broker configuration: Kafka's key names and
 * defaults, read from a server.properties-style file and key=value
 * overrides, validated per key, and described for DescribeConfigs. */
#pragma once

#include "broker-config-value.h"

G_BEGIN_DECLS

/**
 * BrokerConfigUpdateMode:
 *
 * Kafka's "dynamic update mode" of a broker key: whether AlterConfigs may
 * change it at run time, for one broker or for the whole cluster.
 * caudald applies no dynamic change yet (see broker_config_is_dynamic()).
 */
typedef enum
{
  BROKER_CONFIG_UPDATE_READ_ONLY,
  BROKER_CONFIG_UPDATE_PER_BROKER,
  BROKER_CONFIG_UPDATE_CLUSTER_WIDE,
} BrokerConfigUpdateMode;

/**
 * BrokerConfigDef:
 * @name: Kafka's key
 * @type: its #BrokerConfigType
 * @default_value: (nullable): Kafka's string form of the default; %NULL
 *   for none (Kafka's null)
 * @check: the validator applied after the type check
 * @update_mode: Kafka's dynamic update mode
 * @sensitive: the value is a secret: DescribeConfigs shows null
 * @support: whether caudald acts on it today
 * @doc: one line of documentation
 * @note: (nullable): what caudald does differently, for the docs
 *
 * One row of the broker key table.
 */
typedef struct
{
  const char *name;
  BrokerConfigType type;
  const char *default_value;
  BrokerConfigCheck check;
  BrokerConfigUpdateMode update_mode;
  gboolean sensitive;
  BrokerConfigSupport support;
  const char *doc;
  const char *note;
} BrokerConfigDef;

typedef struct _BrokerConfig BrokerConfig;

typedef void (*BrokerConfigDescribeFunc) (const BrokerConfigEntry *entry,
                                          gpointer user_data);

BrokerConfig *broker_config_new (void);
void broker_config_free (BrokerConfig *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerConfig, broker_config_free)

/* The table. */
const BrokerConfigDef *broker_config_lookup (const char *key);
const BrokerConfigDef *broker_config_get_table (gsize *n_defs);
gboolean broker_config_is_known (const char *key);
gboolean broker_config_is_dynamic (const char *key);

/* Loading. */
gboolean broker_config_load_file (BrokerConfig *cfg,
                                  const char *path,
                                  GError **error);
gboolean broker_config_set (BrokerConfig *cfg,
                            const char *key,
                            const char *value,
                            GError **error);
gboolean broker_config_parse_override (BrokerConfig *cfg,
                                       const char *key_equals_value,
                                       GError **error);
gboolean broker_config_validate (BrokerConfig *cfg, GError **error);

/* Values. */
const char *broker_config_get_string (BrokerConfig *cfg, const char *key);
gint64 broker_config_get_int64 (BrokerConfig *cfg, const char *key);
gint32 broker_config_get_int32 (BrokerConfig *cfg, const char *key);
gboolean broker_config_get_bool (BrokerConfig *cfg, const char *key);
double broker_config_get_double (BrokerConfig *cfg, const char *key);
gboolean broker_config_is_set (BrokerConfig *cfg, const char *key);

/* Derived values, with Kafka's precedence rules. */
gint32 broker_config_get_node_id (BrokerConfig *cfg);
gint64 broker_config_get_log_retention_ms (BrokerConfig *cfg);
gint64 broker_config_get_log_roll_ms (BrokerConfig *cfg);
char **broker_config_get_log_dirs (BrokerConfig *cfg);
GPtrArray *broker_config_get_listeners (BrokerConfig *cfg, GError **error);
GPtrArray *broker_config_get_advertised_listeners (BrokerConfig *cfg,
                                                   GError **error);

/* DescribeConfigs on a broker resource. */
gboolean broker_config_describe_key (BrokerConfig *cfg,
                                     const char *key,
                                     gboolean include_synonyms,
                                     BrokerConfigEntry *out);
void broker_config_foreach_describe (BrokerConfig *cfg,
                                     gboolean include_synonyms,
                                     BrokerConfigDescribeFunc func,
                                     gpointer user_data);

/* docs/configuration.md's generated tables (broker-config-doc.c). */
void broker_config_write_markdown (GString *out);

G_END_DECLS
