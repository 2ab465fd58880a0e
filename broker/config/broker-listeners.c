/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-listeners.c: parsing of listener lists and of the listener name
 * to security protocol map. caudald speaks PLAINTEXT only today; SSL and
 * SASL listeners parse but are refused with a clear error. */
#include "broker-listeners.h"

#include "broker-config-value.h"

#include <string.h>

static const char *const security_protocols[] = {
  "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL", NULL,
};

void
broker_listener_free (BrokerListener *listener)
{
  if (listener == NULL)
    return;
  g_free (listener->name);
  g_free (listener->host);
  g_free (listener->security_protocol);
  g_free (listener);
}

char *
broker_listener_to_string (const BrokerListener *listener)
{
  gboolean v6 = strchr (listener->host, ':') != NULL;

  return g_strdup_printf ("%s://%s%s%s:%u", listener->name,
                          v6 ? "[" : "", listener->host, v6 ? "]" : "",
                          listener->port);
}

static gboolean
valid_name (const char *name)
{
  if (*name == '\0')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

static gboolean
is_security_protocol (const char *name)
{
  return g_strv_contains (security_protocols, name);
}

/**
 * broker_listeners_parse_protocol_map:
 * @value: "NAME:PROTOCOL,…"
 *
 * Returns: (transfer full): upper-cased listener name → protocol.
 */
GHashTable *
broker_listeners_parse_protocol_map (const char *value, GError **error)
{
  g_autoptr (GHashTable) map = g_hash_table_new_full (g_str_hash,
                                                      g_str_equal,
                                                      g_free, g_free);
  g_auto (GStrv) items = g_strsplit (value != NULL ? value : "", ",", -1);

  for (char **it = items; *it != NULL; it++)
    {
      g_auto (GStrv) kv = NULL;
      char *name, *proto;

      g_strstrip (*it);
      if (**it == '\0')
        continue;
      kv = g_strsplit (*it, ":", 2);
      if (kv[1] == NULL)
        {
          g_set_error (error, BROKER_CONFIG_ERROR,
                       BROKER_CONFIG_ERROR_INVALID_VALUE,
                       "'%s' is not NAME:PROTOCOL", *it);
          return NULL;
        }
      name = g_ascii_strup (g_strstrip (kv[0]), -1);
      proto = g_ascii_strup (g_strstrip (kv[1]), -1);
      if (!valid_name (name) || !is_security_protocol (proto))
        {
          g_set_error (error, BROKER_CONFIG_ERROR,
                       BROKER_CONFIG_ERROR_INVALID_VALUE,
                       "'%s' is not NAME:PROTOCOL with PROTOCOL one of "
                       "PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL", *it);
          g_free (name);
          g_free (proto);
          return NULL;
        }
      if (g_hash_table_contains (map, name))
        {
          g_set_error (error, BROKER_CONFIG_ERROR,
                       BROKER_CONFIG_ERROR_INVALID_VALUE,
                       "listener name %s is mapped twice", name);
          g_free (name);
          g_free (proto);
          return NULL;
        }
      g_hash_table_insert (map, name, proto);
    }
  return g_steal_pointer (&map);
}

/* "NAME://host:port" → listener, syntax only. */
static BrokerListener *
parse_one (const char *item, GError **error)
{
  g_autoptr (BrokerListener) l = g_new0 (BrokerListener, 1);
  const char *sep = strstr (item, "://");
  const char *hostport, *colon;
  guint64 port;

  if (sep == NULL)
    {
      g_set_error (error, BROKER_CONFIG_ERROR, BROKER_CONFIG_ERROR_INVALID_VALUE,
                   "listener '%s' is not NAME://host:port", item);
      return NULL;
    }
  l->name = g_ascii_strup (item, sep - item);
  if (!valid_name (l->name))
    {
      g_set_error (error, BROKER_CONFIG_ERROR, BROKER_CONFIG_ERROR_INVALID_VALUE,
                   "listener '%s' has an invalid name", item);
      return NULL;
    }

  hostport = sep + 3;
  if (*hostport == '[')
    {
      const char *close = strchr (hostport, ']');

      if (close == NULL || close[1] != ':' || close == hostport + 1)
        {
          g_set_error (error, BROKER_CONFIG_ERROR,
                       BROKER_CONFIG_ERROR_INVALID_VALUE,
                       "listener '%s': an IPv6 address is written [addr]:port",
                       item);
          return NULL;
        }
      l->host = g_strndup (hostport + 1, close - hostport - 1);
      colon = close + 1;
    }
  else
    {
      colon = strrchr (hostport, ':');
      if (colon == NULL || memchr (hostport, ':', colon - hostport) != NULL)
        {
          g_set_error (error, BROKER_CONFIG_ERROR,
                       BROKER_CONFIG_ERROR_INVALID_VALUE,
                       "listener '%s' is not NAME://host:port%s", item,
                       colon != NULL ? " (put IPv6 addresses in brackets)"
                                     : "");
          return NULL;
        }
      l->host = g_strndup (hostport, colon - hostport);
      for (const char *h = l->host; *h != '\0'; h++)
        if (!g_ascii_isalnum (*h) && *h != '.' && *h != '-' && *h != '_')
          {
            g_set_error (error, BROKER_CONFIG_ERROR,
                         BROKER_CONFIG_ERROR_INVALID_VALUE,
                         "listener '%s' has an invalid host", item);
            return NULL;
          }
    }

  if (!g_ascii_string_to_unsigned (colon + 1, 10, 0, G_MAXUINT16, &port, NULL))
    {
      g_set_error (error, BROKER_CONFIG_ERROR, BROKER_CONFIG_ERROR_INVALID_VALUE,
                   "listener '%s': the port must be a number from 0 to 65535",
                   item);
      return NULL;
    }
  l->port = (guint16) port;
  return g_steal_pointer (&l);
}

/**
 * broker_listeners_parse_full:
 * @value: "NAME://host:port,…"; blanks around items are ignored
 * @protocol_map: (nullable): listener.security.protocol.map, or %NULL for
 *   Kafka's default map
 * @flags: #BrokerListenersFlags
 *
 * Refuses: a malformed item, a repeated name, a repeated non-zero port
 * (unless allowed), a name with no security protocol, and any protocol
 * but PLAINTEXT (%BROKER_CONFIG_ERROR_UNSUPPORTED).
 *
 * Returns: (transfer full) (element-type BrokerListener): the listeners
 * in order, or %NULL with @error set. An empty @value gives an empty array.
 */
GPtrArray *
broker_listeners_parse_full (const char *value,
                             const char *protocol_map,
                             BrokerListenersFlags flags,
                             GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (
      (GDestroyNotify) broker_listener_free);
  g_autoptr (GHashTable) map = NULL;
  g_auto (GStrv) items = g_strsplit (value != NULL ? value : "", ",", -1);

  if (!(flags & BROKER_LISTENERS_SYNTAX_ONLY))
    {
      map = broker_listeners_parse_protocol_map (
          protocol_map != NULL ? protocol_map
                               : BROKER_LISTENERS_DEFAULT_PROTOCOL_MAP,
          error);
      if (map == NULL)
        return NULL;
    }

  for (char **it = items; *it != NULL; it++)
    {
      BrokerListener *l;
      const char *proto;

      g_strstrip (*it);
      if (**it == '\0')
        continue;
      l = parse_one (*it, error);
      if (l == NULL)
        return NULL;
      g_ptr_array_add (out, l);

      for (guint i = 0; i + 1 < out->len; i++)
        {
          BrokerListener *o = g_ptr_array_index (out, i);

          if (strcmp (o->name, l->name) == 0)
            {
              g_set_error (error, BROKER_CONFIG_ERROR,
                           BROKER_CONFIG_ERROR_INVALID_VALUE,
                           "listener name %s is used twice", l->name);
              return NULL;
            }
          if (o->port == l->port && l->port != 0
              && !(flags & BROKER_LISTENERS_ALLOW_DUPLICATE_PORTS))
            {
              g_set_error (error, BROKER_CONFIG_ERROR,
                           BROKER_CONFIG_ERROR_INVALID_VALUE,
                           "listeners %s and %s both use port %u",
                           o->name, l->name, l->port);
              return NULL;
            }
        }

      if (flags & BROKER_LISTENERS_SYNTAX_ONLY)
        {
          l->security_protocol = g_strdup (is_security_protocol (l->name)
                                           ? l->name : "");
          continue;
        }
      proto = g_hash_table_lookup (map, l->name);
      if (proto == NULL)
        {
          g_set_error (error, BROKER_CONFIG_ERROR,
                       BROKER_CONFIG_ERROR_INVALID_VALUE,
                       "listener %s has no security protocol: name it after "
                       "one (PLAINTEXT://…) or map it in "
                       "listener.security.protocol.map", l->name);
          return NULL;
        }
      if (strcmp (proto, "PLAINTEXT") != 0)
        {
          g_set_error (error, BROKER_CONFIG_ERROR,
                       BROKER_CONFIG_ERROR_UNSUPPORTED,
                       "listener %s uses security protocol %s, which caudald "
                       "does not support yet (PLAINTEXT only)", l->name, proto);
          return NULL;
        }
      l->security_protocol = g_strdup (proto);
    }
  return g_steal_pointer (&out);
}

/**
 * broker_listeners_parse:
 * @value: "NAME://host:port,…"
 *
 * broker_listeners_parse_full() with Kafka's default protocol map and
 * distinct ports required.
 */
GPtrArray *
broker_listeners_parse (const char *value, GError **error)
{
  return broker_listeners_parse_full (value, NULL, BROKER_LISTENERS_NONE,
                                      error);
}
