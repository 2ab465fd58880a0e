/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-listeners.h: Kafka's `listeners` / `advertised.listeners` values
 * ("NAME://host:port,…") and `listener.security.protocol.map`. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * BrokerListener:
 * @name: the listener name, upper-cased ("PLAINTEXT", "CLIENT", …)
 * @host: the host; "" for all interfaces; IPv6 without brackets
 * @port: the port; 0 asks the OS for one
 * @security_protocol: the protocol @name maps to ("PLAINTEXT")
 */
typedef struct
{
  char *name;
  char *host;
  guint16 port;
  char *security_protocol;
} BrokerListener;

void broker_listener_free (BrokerListener *listener);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerListener, broker_listener_free)

/* Kafka's default listener.security.protocol.map. */
#define BROKER_LISTENERS_DEFAULT_PROTOCOL_MAP \
  "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT"

typedef enum
{
  BROKER_LISTENERS_NONE = 0,
  /* advertised.listeners may repeat a port (load balancers). */
  BROKER_LISTENERS_ALLOW_DUPLICATE_PORTS = 1 << 0,
  /* Syntax only: accept any name and protocol (for per-key validation,
   * before listener.security.protocol.map is known). */
  BROKER_LISTENERS_SYNTAX_ONLY = 1 << 1,
} BrokerListenersFlags;

GPtrArray *broker_listeners_parse (const char *value, GError **error);
GPtrArray *broker_listeners_parse_full (const char *value,
                                        const char *protocol_map,
                                        BrokerListenersFlags flags,
                                        GError **error);
GHashTable *broker_listeners_parse_protocol_map (const char *value,
                                                 GError **error);
char *broker_listener_to_string (const BrokerListener *listener);

G_END_DECLS
