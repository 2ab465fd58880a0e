/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-properties.h: a reader of Java .properties text (the syntax of
 * Kafka's server.properties). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * BrokerPropertiesFunc:
 * @key: the unescaped key
 * @value: the unescaped value (trailing blanks kept, as Java keeps them)
 * @line: the 1-based line where the entry starts
 *
 * Returns: %FALSE with @error set to stop the parse.
 */
typedef gboolean (*BrokerPropertiesFunc) (const char *key,
                                          const char *value,
                                          guint line,
                                          gpointer user_data,
                                          GError **error);

gboolean broker_properties_parse (const char *text,
                                  gssize length,
                                  BrokerPropertiesFunc func,
                                  gpointer user_data,
                                  GError **error);

G_END_DECLS
