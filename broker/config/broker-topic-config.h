/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-topic-config.h: Kafka's topic-level configuration keys, their
 * broker-level synonyms, and the effective value of a key for a topic:
 * the topic's override, else the broker's setting, else the default. */
#pragma once

#include "broker-config.h"

G_BEGIN_DECLS

/**
 * BrokerTopicSynonym:
 * @name: a broker key that sets the topic key's default
 * @factor: what one unit of the broker key is in the topic key's unit
 *   (3600000 for log.retention.hours → retention.ms); 0 means 1
 */
typedef struct
{
  const char *name;
  gint64 factor;
} BrokerTopicSynonym;

#define BROKER_TOPIC_MAX_SYNONYMS 3

/**
 * BrokerTopicConfigDef:
 * @synonyms: the broker keys in Kafka's precedence order, then zeros
 *
 * One row of the topic key table; see #BrokerConfigDef for the rest.
 */
typedef struct
{
  const char *name;
  BrokerConfigType type;
  const char *default_value;
  BrokerConfigCheck check;
  BrokerConfigSupport support;
  const char *doc;
  const char *note;
  BrokerTopicSynonym synonyms[BROKER_TOPIC_MAX_SYNONYMS + 1];
} BrokerTopicConfigDef;

const BrokerTopicConfigDef *broker_topic_config_get_table (gsize *n_defs);
const BrokerTopicConfigDef *broker_topic_config_lookup (const char *key);
gboolean broker_topic_config_is_known (const char *key);
gboolean broker_topic_config_validate (const char *key,
                                       const char *value,
                                       GError **error);

char *broker_topic_config_get (BrokerConfig *broker,
                               GHashTable *overrides,
                               const char *key);
gint64 broker_topic_config_get_int64 (BrokerConfig *broker,
                                      GHashTable *overrides,
                                      const char *key);
gboolean broker_topic_config_get_bool (BrokerConfig *broker,
                                       GHashTable *overrides,
                                       const char *key);
gboolean broker_topic_config_describe (BrokerConfig *broker,
                                       GHashTable *overrides,
                                       const char *key,
                                       gboolean include_synonyms,
                                       BrokerConfigEntry *out);
void broker_topic_config_foreach_key (GFunc func, gpointer user_data);

G_END_DECLS
