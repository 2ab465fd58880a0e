/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-assignors.c: the ConsumerProtocol byte formats and the range and
 * roundrobin assignors, against the examples in Kafka's own javadoc
 * (RangeAssignor, RoundRobinAssignor) and byte layouts written out by
 * hand from ConsumerProtocolSubscription.json / Assignment.json. */

#include <stdlib.h>
#include <string.h>

#include "caudal-assignor.h"

static CaudalGroupMemberSubscription *
member (const char *id,
        const char *instance,
        const char *topics)
{
  CaudalGroupMemberSubscription *m = g_new0 (CaudalGroupMemberSubscription, 1);

  m->member_id = g_strdup (id);
  m->group_instance_id = g_strdup (instance);
  m->topics = g_strsplit (topics, ",", -1);
  return m;
}

/* "t0:0,1 t1:0" */
static char *
describe (GPtrArray *assignment)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; assignment != NULL && i < assignment->len; i++)
    {
      CaudalTopicPartitions *tp = g_ptr_array_index (assignment, i);

      g_string_append_printf (s, "%s%s:", i > 0 ? " " : "", tp->topic);
      for (guint p = 0; p < tp->partitions->len; p++)
        g_string_append_printf (s, "%s%d", p > 0 ? "," : "", g_array_index (tp->partitions, gint32, p));
    }
  return g_string_free (s, FALSE);
}

static GHashTable *
counts (const char *spec)
{
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) items = g_strsplit (spec, ",", -1);

  for (guint i = 0; items[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (items[i], "=", 2);
      g_hash_table_insert (h, g_strdup (kv[0]), GINT_TO_POINTER (atoi (kv[1])));
    }
  return h;
}

static void
check_plan (GHashTable *plan,
            const char *member_id,
            const char *expected)
{
  GPtrArray *a = g_hash_table_lookup (plan, member_id);
  g_autofree char *got = NULL;

  g_assert_nonnull (a);
  got = describe (a);
  g_assert_cmpstr (got, ==, expected);
}

static GHashTable *
assign (const char *name,
        GPtrArray  *members,
        const char *spec)
{
  g_autoptr(GHashTable) c = counts (spec);
  g_autoptr(GError) error = NULL;
  GHashTable *plan = caudal_assignor_assign (name, members, c, &error);

  g_assert_no_error (error);
  g_assert_nonnull (plan);
  return plan;
}

static GPtrArray *
members_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_group_member_subscription_free);
}

/* RangeAssignor javadoc: C0, C1 on t0 and t1 with 3 partitions each. */
static void
test_range_javadoc (void)
{
  g_autoptr(GPtrArray) m = members_new ();
  g_autoptr(GHashTable) plan = NULL;

  /* Given out of order: members are sorted by id. */
  g_ptr_array_add (m, member ("C1", NULL, "t0,t1"));
  g_ptr_array_add (m, member ("C0", NULL, "t1,t0"));
  plan = assign (CAUDAL_ASSIGNOR_RANGE, m, "t0=3,t1=3");
  check_plan (plan, "C0", "t0:0,1 t1:0,1");
  check_plan (plan, "C1", "t0:2 t1:2");
}

static void
test_range_uneven (void)
{
  g_autoptr(GPtrArray) m = members_new ();
  g_autoptr(GHashTable) plan = NULL;

  g_ptr_array_add (m, member ("a", NULL, "t"));
  g_ptr_array_add (m, member ("b", NULL, "t"));
  g_ptr_array_add (m, member ("c", NULL, "t,u"));
  g_ptr_array_add (m, member ("d", NULL, "t"));
  /* t: 7 over 4 → 2,2,2,1; u: only c; v: nobody; w: unknown topic. */
  plan = assign (CAUDAL_ASSIGNOR_RANGE, m, "t=7,u=2,v=5");
  check_plan (plan, "a", "t:0,1");
  check_plan (plan, "b", "t:2,3");
  check_plan (plan, "c", "t:4,5 u:0,1");
  check_plan (plan, "d", "t:6");
}

static void
test_range_more_members_than_partitions (void)
{
  g_autoptr(GPtrArray) m = members_new ();
  g_autoptr(GHashTable) plan = NULL;

  g_ptr_array_add (m, member ("m1", NULL, "t"));
  g_ptr_array_add (m, member ("m2", NULL, "t"));
  g_ptr_array_add (m, member ("m3", NULL, "t,missing"));
  plan = assign (CAUDAL_ASSIGNOR_RANGE, m, "t=2");
  check_plan (plan, "m1", "t:0");
  check_plan (plan, "m2", "t:1");
  check_plan (plan, "m3", "");
  g_assert_cmpuint (g_hash_table_size (plan), ==, 3);
}

/* Static members sort first, by instance id (Kafka's MemberInfo). */
static void
test_range_static_first (void)
{
  g_autoptr(GPtrArray) m = members_new ();
  g_autoptr(GHashTable) plan = NULL;

  g_ptr_array_add (m, member ("a-dynamic", NULL, "t"));
  g_ptr_array_add (m, member ("z-static", "i1", "t"));
  g_ptr_array_add (m, member ("y-static", "i2", "t"));
  plan = assign (CAUDAL_ASSIGNOR_RANGE, m, "t=3");
  check_plan (plan, "z-static", "t:0");
  check_plan (plan, "y-static", "t:1");
  check_plan (plan, "a-dynamic", "t:2");
}

/* RoundRobinAssignor javadoc, first example. */
static void
test_roundrobin_javadoc_same (void)
{
  g_autoptr(GPtrArray) m = members_new ();
  g_autoptr(GHashTable) plan = NULL;

  g_ptr_array_add (m, member ("C0", NULL, "t0,t1"));
  g_ptr_array_add (m, member ("C1", NULL, "t0,t1"));
  plan = assign (CAUDAL_ASSIGNOR_ROUNDROBIN, m, "t0=3,t1=3");
  check_plan (plan, "C0", "t0:0,2 t1:1");
  check_plan (plan, "C1", "t0:1 t1:0,2");
}

/* RoundRobinAssignor javadoc, second example: different subscriptions. */
static void
test_roundrobin_javadoc_different (void)
{
  g_autoptr(GPtrArray) m = members_new ();
  g_autoptr(GHashTable) plan = NULL;

  g_ptr_array_add (m, member ("C2", NULL, "t0,t1,t2"));
  g_ptr_array_add (m, member ("C0", NULL, "t0"));
  g_ptr_array_add (m, member ("C1", NULL, "t0,t1"));
  plan = assign (CAUDAL_ASSIGNOR_ROUNDROBIN, m, "t0=1,t1=2,t2=3");
  check_plan (plan, "C0", "t0:0");
  check_plan (plan, "C1", "t1:0");
  check_plan (plan, "C2", "t1:1 t2:0,1,2");
}

static void
test_unknown_assignor (void)
{
  g_autoptr(GPtrArray) m = members_new ();
  g_autoptr(GHashTable) c = counts ("t=1");
  g_autoptr(GError) error = NULL;
  GHashTable *plan;

  g_ptr_array_add (m, member ("a", NULL, "t"));
  plan = caudal_assignor_assign ("sticky", m, c, &error);
  g_assert_null (plan);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_true (caudal_assignor_is_known ("range"));
  g_assert_true (caudal_assignor_is_known ("roundrobin"));
  g_assert_false (caudal_assignor_is_known ("RoundRobinAssigner"));
}

static void
assert_bytes (GBytes       *bytes,
              const guint8 *expected,
              gsize         len)
{
  gsize got_len;
  const guint8 *got = g_bytes_get_data (bytes, &got_len);

  g_assert_cmpmem (got, got_len, expected, len);
}

static void
test_subscription_bytes (void)
{
  static const guint8 expected[] = {
    0x00, 0x00,                     /* version 0 */
    0x00, 0x00, 0x00, 0x02,         /* 2 topics */
    0x00, 0x01, 'a',
    0x00, 0x02, 'b', 'c',
    0xff, 0xff, 0xff, 0xff,         /* user_data: null */
  };
  const char *topics[] = { "a", "bc", NULL };
  g_autoptr(GBytes) b = caudal_consumer_protocol_encode_subscription (topics, NULL);
  g_autoptr(GBytes) ud = g_bytes_new_static ("xy", 2);
  g_autoptr(GBytes) b2 = caudal_consumer_protocol_encode_subscription (topics, ud);
  g_autoptr(GBytes) got_ud = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) decoded = NULL;
  gsize len;
  const guint8 *data;

  assert_bytes (b, expected, sizeof expected);
  decoded = caudal_consumer_protocol_decode_subscription (expected, sizeof expected, &got_ud, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (decoded), ==, 2);
  g_assert_cmpstr (decoded[0], ==, "a");
  g_assert_cmpstr (decoded[1], ==, "bc");
  g_assert_null (got_ud);
  g_clear_pointer (&decoded, g_strfreev);

  data = g_bytes_get_data (b2, &len);
  decoded = caudal_consumer_protocol_decode_subscription (data, len, &got_ud, &error);
  g_assert_no_error (error);
  g_assert_nonnull (got_ud);
  g_assert_cmpmem (g_bytes_get_data (got_ud, NULL), g_bytes_get_size (got_ud), "xy", 2);
}

/* A v1 subscription (Java 2.4+) appends owned partitions: skipped. */
static void
test_subscription_v1 (void)
{
  static const guint8 v1[] = {
    0x00, 0x01,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 't',
    0x00, 0x00, 0x00, 0x00,         /* user_data: empty */
    0x00, 0x00, 0x00, 0x01,         /* owned partitions */
    0x00, 0x01, 't', 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03,
  };
  static const guint8 truncated[] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00 };
  g_autoptr(GBytes) ud = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) topics = caudal_consumer_protocol_decode_subscription (v1, sizeof v1, &ud, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (topics), ==, 1);
  g_assert_cmpstr (topics[0], ==, "t");
  g_assert_nonnull (ud);
  g_assert_cmpuint (g_bytes_get_size (ud), ==, 0);
  g_assert_null (caudal_consumer_protocol_decode_subscription (truncated, sizeof truncated, NULL, &error));
  g_assert_nonnull (error);
}

static void
test_assignment_bytes (void)
{
  static const guint8 expected[] = {
    0x00, 0x00,
    0x00, 0x00, 0x00, 0x02,
    0x00, 0x01, 'a', 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
    0x00, 0x01, 'b', 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0xff,
  };
  g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func ((GDestroyNotify) caudal_topic_partitions_free);
  CaudalTopicPartitions *tp = caudal_topic_partitions_new ("a");
  gint32 p0 = 0, p2 = 2;
  g_autoptr(GBytes) b = NULL;
  g_autoptr(GPtrArray) decoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_array_append_val (tp->partitions, p0);
  g_array_append_val (tp->partitions, p2);
  g_ptr_array_add (a, tp);
  g_ptr_array_add (a, caudal_topic_partitions_new ("b"));
  b = caudal_consumer_protocol_encode_assignment (a, NULL);
  assert_bytes (b, expected, sizeof expected);

  decoded = caudal_consumer_protocol_decode_assignment (expected, sizeof expected, NULL, &error);
  g_assert_no_error (error);
  text = describe (decoded);
  g_assert_cmpstr (text, ==, "a:0,2 b:");
}

static void
test_assignment_empty_and_bad (void)
{
  static const guint8 bad[] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x09, 'x' };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) empty = caudal_consumer_protocol_decode_assignment (NULL, 0, NULL, &error);
  GPtrArray *none;

  g_assert_no_error (error);
  g_assert_nonnull (empty);
  g_assert_cmpuint (empty->len, ==, 0);
  none = caudal_consumer_protocol_decode_assignment (bad, sizeof bad, NULL, &error);
  g_assert_null (none);
  g_assert_nonnull (error);
}

/* The leader's plan survives the trip through the assignment bytes. */
static void
test_plan_roundtrip (void)
{
  g_autoptr(GPtrArray) m = members_new ();
  g_autoptr(GHashTable) plan = NULL;
  GHashTableIter iter;
  gpointer k, v;

  g_ptr_array_add (m, member ("x", NULL, "t1,t2"));
  g_ptr_array_add (m, member ("y", NULL, "t2"));
  plan = assign (CAUDAL_ASSIGNOR_ROUNDROBIN, m, "t1=2,t2=5");
  g_hash_table_iter_init (&iter, plan);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      g_autoptr(GBytes) b = caudal_consumer_protocol_encode_assignment (v, NULL);
      gsize len;
      const guint8 *data = g_bytes_get_data (b, &len);
      g_autoptr(GPtrArray) back = caudal_consumer_protocol_decode_assignment (data, len, NULL, NULL);
      g_autofree char *x = describe (v);
      g_autofree char *y = describe (back);

      g_assert_cmpstr (x, ==, y);
    }
  check_plan (plan, "x", "t1:0,1 t2:1,3");
  check_plan (plan, "y", "t2:0,2,4");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/assignor/range/javadoc", test_range_javadoc);
  g_test_add_func ("/assignor/range/uneven", test_range_uneven);
  g_test_add_func ("/assignor/range/more-members", test_range_more_members_than_partitions);
  g_test_add_func ("/assignor/range/static-first", test_range_static_first);
  g_test_add_func ("/assignor/roundrobin/javadoc-same", test_roundrobin_javadoc_same);
  g_test_add_func ("/assignor/roundrobin/javadoc-different", test_roundrobin_javadoc_different);
  g_test_add_func ("/assignor/unknown", test_unknown_assignor);
  g_test_add_func ("/consumer-protocol/subscription", test_subscription_bytes);
  g_test_add_func ("/consumer-protocol/subscription-v1", test_subscription_v1);
  g_test_add_func ("/consumer-protocol/assignment", test_assignment_bytes);
  g_test_add_func ("/consumer-protocol/assignment-empty-bad", test_assignment_empty_and_bad);
  g_test_add_func ("/consumer-protocol/plan-roundtrip", test_plan_roundtrip);
  return g_test_run ();
}
