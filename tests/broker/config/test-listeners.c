/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Listener lists: hosts, IPv6, port 0, names, duplicates, protocol map,
 * and the PLAINTEXT-only rule. */
#include "broker-listeners.h"

#include "broker-config-value.h"

#include <string.h>

static BrokerListener *
nth (GPtrArray *a, guint i)
{
  return g_ptr_array_index (a, i);
}

static void
test_parse (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) l = broker_listeners_parse (
      "PLAINTEXT://host.example:9092, plaintext_b://[::1]:9093,"
      "C://:0,D://10.0.0.1:65535", NULL);

  /* Names map to protocols through the default map: these do not. */
  g_assert_null (l);

  l = broker_listeners_parse_full (
      "PLAINTEXT://host.example:9092, inside://[::1]:9093,"
      "C://:0,D://10.0.0.1:65535,E://:0",
      "INSIDE:PLAINTEXT,C:PLAINTEXT,D:PLAINTEXT,e:plaintext,"
      "PLAINTEXT:PLAINTEXT", BROKER_LISTENERS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (l->len, ==, 5);

  g_assert_cmpstr (nth (l, 0)->name, ==, "PLAINTEXT");
  g_assert_cmpstr (nth (l, 0)->host, ==, "host.example");
  g_assert_cmpuint (nth (l, 0)->port, ==, 9092);
  g_assert_cmpstr (nth (l, 0)->security_protocol, ==, "PLAINTEXT");

  g_assert_cmpstr (nth (l, 1)->name, ==, "INSIDE");
  g_assert_cmpstr (nth (l, 1)->host, ==, "::1");
  g_assert_cmpuint (nth (l, 1)->port, ==, 9093);

  /* Empty host: all interfaces; port 0: ephemeral, and may repeat. */
  g_assert_cmpstr (nth (l, 2)->host, ==, "");
  g_assert_cmpuint (nth (l, 2)->port, ==, 0);
  g_assert_cmpuint (nth (l, 4)->port, ==, 0);
  g_assert_cmpstr (nth (l, 3)->host, ==, "10.0.0.1");
  g_assert_cmpuint (nth (l, 3)->port, ==, 65535);

  {
    g_autofree char *s0 = broker_listener_to_string (nth (l, 0));
    g_autofree char *s1 = broker_listener_to_string (nth (l, 1));
    g_autofree char *s2 = broker_listener_to_string (nth (l, 2));

    g_assert_cmpstr (s0, ==, "PLAINTEXT://host.example:9092");
    g_assert_cmpstr (s1, ==, "INSIDE://[::1]:9093");
    g_assert_cmpstr (s2, ==, "C://:0");
  }
}

static void
test_default (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) l = broker_listeners_parse ("PLAINTEXT://:9092",
                                                    &error);
  g_autoptr (GPtrArray) empty = broker_listeners_parse ("", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (l->len, ==, 1);
  g_assert_cmpstr (nth (l, 0)->host, ==, "");
  g_assert_cmpuint (empty->len, ==, 0);
}

static void
test_errors (void)
{
  static const struct
  {
    const char *value;
    gint code;
    const char *needle;
  } cases[] = {
    { "PLAINTEXT//:9092", BROKER_CONFIG_ERROR_INVALID_VALUE, "NAME://" },
    { "://:9092", BROKER_CONFIG_ERROR_INVALID_VALUE, "name" },
    { "PLAINTEXT://host", BROKER_CONFIG_ERROR_INVALID_VALUE, "NAME://" },
    { "PLAINTEXT://:", BROKER_CONFIG_ERROR_INVALID_VALUE, "port" },
    { "PLAINTEXT://:65536", BROKER_CONFIG_ERROR_INVALID_VALUE, "port" },
    { "PLAINTEXT://:-1", BROKER_CONFIG_ERROR_INVALID_VALUE, "port" },
    { "PLAINTEXT://:90x", BROKER_CONFIG_ERROR_INVALID_VALUE, "port" },
    { "PLAINTEXT://::1:9092", BROKER_CONFIG_ERROR_INVALID_VALUE, "IPv6" },
    { "PLAINTEXT://[::1:9092", BROKER_CONFIG_ERROR_INVALID_VALUE, "IPv6" },
    { "PLAINTEXT://[]:9092", BROKER_CONFIG_ERROR_INVALID_VALUE, "IPv6" },
    { "PLAINTEXT://[::1]9092", BROKER_CONFIG_ERROR_INVALID_VALUE, "IPv6" },
    { "PLAINTEXT://ho st:9092", BROKER_CONFIG_ERROR_INVALID_VALUE, "host" },
    { "PLAINTEXT://:9092,PLAINTEXT://:9093",
      BROKER_CONFIG_ERROR_INVALID_VALUE, "twice" },
    { "PLAINTEXT://:9092,plaintext://:9093",
      BROKER_CONFIG_ERROR_INVALID_VALUE, "twice" },
    { "PLAINTEXT://a:9092,SSL://b:9092",
      BROKER_CONFIG_ERROR_INVALID_VALUE, "port 9092" },
    { "CLIENT://:9092", BROKER_CONFIG_ERROR_INVALID_VALUE,
      "listener.security.protocol.map" },
    { "SSL://:9093", BROKER_CONFIG_ERROR_UNSUPPORTED, "SSL" },
    { "PLAINTEXT://:9092,SASL_SSL://:9094", BROKER_CONFIG_ERROR_UNSUPPORTED,
      "SASL_SSL" },
    { "SASL_PLAINTEXT://:9094", BROKER_CONFIG_ERROR_UNSUPPORTED,
      "PLAINTEXT only" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) l = broker_listeners_parse (cases[i].value,
                                                        &error);

      g_test_message ("%s", cases[i].value);
      g_assert_null (l);
      g_assert_error (error, BROKER_CONFIG_ERROR, cases[i].code);
      if (strstr (error->message, cases[i].needle) == NULL)
        g_error ("'%s': message '%s' lacks '%s'", cases[i].value,
                 error->message, cases[i].needle);
    }
}

static void
test_flags (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) a = NULL;
  g_autoptr (GPtrArray) b = NULL;

  a = broker_listeners_parse_full ("A://x:9092,B://y:9092", "A:PLAINTEXT,"
                                   "B:PLAINTEXT",
                                   BROKER_LISTENERS_ALLOW_DUPLICATE_PORTS,
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpuint (a->len, ==, 2);

  /* Syntax only: unmapped names and SSL pass. */
  b = broker_listeners_parse_full ("CLIENT://:1,SSL://:2", NULL,
                                   BROKER_LISTENERS_SYNTAX_ONLY, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (b->len, ==, 2);
  g_assert_cmpstr (nth (b, 0)->security_protocol, ==, "");
  g_assert_cmpstr (nth (b, 1)->security_protocol, ==, "SSL");
}

static void
test_protocol_map (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) map = NULL;
  const char *bad[] = {
    "CLIENT", "CLIENT:TLS", ":PLAINTEXT", "A:PLAINTEXT,a:SSL",
  };

  map = broker_listeners_parse_protocol_map (
      BROKER_LISTENERS_DEFAULT_PROTOCOL_MAP, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (map), ==, 4);
  g_assert_cmpstr (g_hash_table_lookup (map, "SASL_SSL"), ==, "SASL_SSL");
  g_clear_pointer (&map, g_hash_table_unref);

  map = broker_listeners_parse_protocol_map (" client : plaintext ,", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (map, "CLIENT"), ==, "PLAINTEXT");

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) e = NULL;
      g_autoptr (GHashTable) m = broker_listeners_parse_protocol_map (bad[i],
                                                                     &e);

      g_assert_null (m);
      g_assert_error (e, BROKER_CONFIG_ERROR,
                      BROKER_CONFIG_ERROR_INVALID_VALUE);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/listeners/parse", test_parse);
  g_test_add_func ("/listeners/default", test_default);
  g_test_add_func ("/listeners/errors", test_errors);
  g_test_add_func ("/listeners/flags", test_flags);
  g_test_add_func ("/listeners/protocol-map", test_protocol_map);
  return g_test_run ();
}
