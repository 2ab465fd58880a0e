/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-config-value.h: what the broker and topic configuration tables
 * share: Kafka's ConfigType and ConfigSource numbers (as sent in
 * DescribeConfigs), value validators, the DescribeConfigs entry and the
 * BROKER_CONFIG_ERROR domain. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * BrokerConfigType:
 *
 * The type of a configuration key, numbered as Kafka's DescribeConfigs
 * response sends it (config_type, KIP-569; 0 means unknown).
 */
typedef enum
{
  BROKER_CONFIG_TYPE_UNKNOWN = 0,
  BROKER_CONFIG_TYPE_BOOLEAN = 1,
  BROKER_CONFIG_TYPE_STRING = 2,
  BROKER_CONFIG_TYPE_INT = 3,
  BROKER_CONFIG_TYPE_SHORT = 4,
  BROKER_CONFIG_TYPE_LONG = 5,
  BROKER_CONFIG_TYPE_DOUBLE = 6,
  BROKER_CONFIG_TYPE_LIST = 7,
  BROKER_CONFIG_TYPE_CLASS = 8,
  BROKER_CONFIG_TYPE_PASSWORD = 9,
} BrokerConfigType;

/**
 * BrokerConfigSource:
 *
 * Where an effective value comes from, numbered as Kafka's DescribeConfigs
 * response sends it (config_source and the synonyms' source).
 */
typedef enum
{
  BROKER_CONFIG_SOURCE_UNKNOWN = 0,
  BROKER_CONFIG_SOURCE_TOPIC_CONFIG = 1,
  BROKER_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG = 2,
  BROKER_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG = 3,
  BROKER_CONFIG_SOURCE_STATIC_BROKER_CONFIG = 4,
  BROKER_CONFIG_SOURCE_DEFAULT_CONFIG = 5,
  BROKER_CONFIG_SOURCE_DYNAMIC_BROKER_LOGGER_CONFIG = 6,
} BrokerConfigSource;

/**
 * BrokerConfigSupport:
 *
 * Whether caudald acts on a key today. Every key in the tables is
 * accepted (parsed and validated); %BROKER_CONFIG_IGNORED keys have no
 * effect, %BROKER_CONFIG_PARTIAL keys only some of their values do.
 */
typedef enum
{
  BROKER_CONFIG_HONOURED,
  BROKER_CONFIG_PARTIAL,
  BROKER_CONFIG_IGNORED,
} BrokerConfigSupport;

#define BROKER_CONFIG_ERROR (broker_config_error_quark ())
GQuark broker_config_error_quark (void);

typedef enum
{
  BROKER_CONFIG_ERROR_INVALID_VALUE,   /* a value fails its type or validator */
  BROKER_CONFIG_ERROR_UNKNOWN_KEY,     /* a key not in the table (topic configs) */
  BROKER_CONFIG_ERROR_SYNTAX,          /* server.properties or key=value syntax */
  BROKER_CONFIG_ERROR_UNSUPPORTED,     /* valid for Kafka, not supported by caudald */
  BROKER_CONFIG_ERROR_INCONSISTENT,    /* keys that contradict each other */
  BROKER_CONFIG_ERROR_READ_ONLY,       /* a dynamic change of a read-only key */
} BrokerConfigError;

gint16 broker_config_error_to_kafka (const GError *error);

typedef gboolean (*BrokerConfigCheckFunc) (const char *value, char **reason);

typedef enum
{
  BROKER_CONFIG_CHECK_NONE,
  BROKER_CONFIG_CHECK_RANGE,    /* min..max, integer types */
  BROKER_CONFIG_CHECK_DRANGE,   /* dmin..dmax, DOUBLE */
  BROKER_CONFIG_CHECK_ONE_OF,   /* each value (each list item) in @choices */
  BROKER_CONFIG_CHECK_CUSTOM,   /* @func */
} BrokerConfigCheckKind;

/**
 * BrokerConfigCheck:
 *
 * The validator of a key, applied after its type check. Ranges are
 * inclusive. A %NULL-valued key (no default, not set) is never checked.
 */
typedef struct
{
  BrokerConfigCheckKind kind;
  gint64 min;
  gint64 max;
  double dmin;
  double dmax;
  const char *const *choices;
  gboolean ignore_case;
  BrokerConfigCheckFunc func;
} BrokerConfigCheck;

gboolean broker_config_value_check (BrokerConfigType type,
                                    const BrokerConfigCheck *check,
                                    const char *value,
                                    char **reason);
gboolean broker_config_value_parse_int64 (const char *value, gint64 *out);
gboolean broker_config_value_parse_bool (const char *value, gboolean *out);
char *broker_config_check_describe (BrokerConfigType type,
                                    const BrokerConfigCheck *check);
const char *broker_config_type_name (BrokerConfigType type);

typedef struct
{
  const char *name;
  char *value;          /* NULL for sensitive keys and null values */
  gint8 source;         /* BrokerConfigSource */
} BrokerConfigSynonym;

/**
 * BrokerConfigEntry:
 *
 * One DescribeConfigs result entry. @name and @documentation point into
 * the static tables; @value and @synonyms are owned: release them with
 * broker_config_entry_clear().
 */
typedef struct
{
  const char *name;
  char *value;
  gint8 source;
  gboolean read_only;
  gboolean sensitive;
  gint8 config_type;
  const char *documentation;
  GPtrArray *synonyms;  /* of BrokerConfigSynonym*, NULL unless requested */
} BrokerConfigEntry;

void broker_config_entry_clear (BrokerConfigEntry *entry);
void broker_config_entry_ensure_synonyms (BrokerConfigEntry *entry);
void broker_config_entry_add_synonym (BrokerConfigEntry *entry,
                                      const char *name,
                                      const char *value,
                                      BrokerConfigSource source);

G_END_DECLS
