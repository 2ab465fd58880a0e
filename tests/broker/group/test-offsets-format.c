/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-offsets-format.c: the __consumer_offsets record formats against
 * bytes written out by hand from Kafka's schemas (group-coordinator's
 * OffsetCommitKey/Value.json, GroupMetadataKey/Value.json: int16 version
 * first; STRING = int16 length + bytes, NULLABLE_STRING -1 = null, BYTES =
 * int32 length + bytes, ARRAY = int32 count; flexible versions (4) use
 * uvarint length+1 and a tagged-field section), and partitionFor against
 * values computed with Java. */
#include <string.h>

#include <gio/gio.h>

#include "group/broker-offsets-format.h"

/* 1700000000000 ms = 0x0000018bcfe56800 */
#define TS_BYTES 0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00
#define TS       G_GINT64_CONSTANT (1700000000000)

static void
assert_bytes (GBytes       *got,
              const guint8 *want,
              gsize         want_len)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (got, &len);

  g_assert_cmpmem (data, len, want, want_len);
}

/* Every proper prefix of @data must be rejected, and so must @data with
 * one more byte. */
typedef gboolean (*ParseFunc) (const guint8 *data, gsize len, GError **error);

static void
assert_prefixes_rejected (ParseFunc     parse,
                          const guint8 *data,
                          gsize         len)
{
  g_autofree guint8 *longer = g_malloc (len + 1);

  for (gsize i = 0; i < len; i++)
    {
      g_autoptr(GError) error = NULL;
      /* A copy of exactly i bytes, so ASan sees any overread. */
      g_autofree guint8 *prefix = g_memdup2 (data, MAX (i, 1));

      g_assert_false (parse (i > 0 ? prefix : NULL, i, &error));
      g_assert_nonnull (error);
      g_assert_true (error->domain == CAUDAL_WIRE_ERROR);
    }
  memcpy (longer, data, len);
  longer[len] = 0;
  {
    g_autoptr(GError) error = NULL;
    g_assert_false (parse (longer, len + 1, &error));
    g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID);
  }
}

static gboolean
parse_key (const guint8 *data,
           gsize         len,
           GError      **error)
{
  g_auto(BrokerOffsetsKey) key = { 0 };

  return broker_offsets_parse_key (data, len, &key, error);
}

static gboolean
parse_offset_value (const guint8 *data,
                    gsize         len,
                    GError      **error)
{
  g_autoptr(BrokerOffsetCommitValue) v = broker_offset_commit_value_parse (data, len, error);
  return v != NULL;
}

static gboolean
parse_group_value (const guint8 *data,
                   gsize         len,
                   GError      **error)
{
  g_autoptr(BrokerGroupMetadataRecord) v = broker_group_metadata_record_parse (data, len, error);
  return v != NULL;
}

/* ---- keys ---- */

static const guint8 offset_key_v1[] = {
  0x00, 0x01,                         /* version 1 (OffsetCommitKey) */
  0x00, 0x02, 'g', '1',               /* group */
  0x00, 0x03, 't', 'o', 'p',          /* topic */
  0x00, 0x00, 0x00, 0x05,             /* partition */
};

static const guint8 group_key_v2[] = {
  0x00, 0x02,                         /* version 2 (GroupMetadataKey) */
  0x00, 0x03, 'g', 'r', 'p',          /* group */
};

static void
test_offset_commit_key (void)
{
  g_autoptr(GBytes) key = broker_offsets_encode_offset_commit_key ("g1", "top", 5);
  g_auto(BrokerOffsetsKey) parsed = { 0 };
  g_autoptr(GError) error = NULL;

  assert_bytes (key, offset_key_v1, sizeof offset_key_v1);
  g_assert_true (broker_offsets_parse_key (offset_key_v1, sizeof offset_key_v1, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (parsed.type, ==, BROKER_OFFSETS_KEY_OFFSET_COMMIT);
  g_assert_cmpint (parsed.version, ==, 1);
  g_assert_cmpstr (parsed.group, ==, "g1");
  g_assert_cmpstr (parsed.topic, ==, "top");
  g_assert_cmpint (parsed.partition, ==, 5);
  assert_prefixes_rejected (parse_key, offset_key_v1, sizeof offset_key_v1);
}

static void
test_offset_commit_key_v0 (void)
{
  /* Version 0: the legacy offset commit key, the same fields. */
  static const guint8 v0[] = {
    0x00, 0x00, 0x00, 0x01, 'G', 0x00, 0x01, 'T', 0xff, 0xff, 0xff, 0xff,
  };
  g_auto(BrokerOffsetsKey) parsed = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (broker_offsets_parse_key (v0, sizeof v0, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (parsed.type, ==, BROKER_OFFSETS_KEY_OFFSET_COMMIT);
  g_assert_cmpint (parsed.version, ==, 0);
  g_assert_cmpstr (parsed.group, ==, "G");
  g_assert_cmpstr (parsed.topic, ==, "T");
  g_assert_cmpint (parsed.partition, ==, -1);
}

static void
test_group_metadata_key (void)
{
  g_autoptr(GBytes) key = broker_offsets_encode_group_metadata_key ("grp");
  g_auto(BrokerOffsetsKey) parsed = { 0 };
  g_autoptr(GError) error = NULL;

  assert_bytes (key, group_key_v2, sizeof group_key_v2);
  g_assert_true (broker_offsets_parse_key (group_key_v2, sizeof group_key_v2, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (parsed.type, ==, BROKER_OFFSETS_KEY_GROUP_METADATA);
  g_assert_cmpstr (parsed.group, ==, "grp");
  g_assert_null (parsed.topic);
  assert_prefixes_rejected (parse_key, group_key_v2, sizeof group_key_v2);
}

static void
test_key_other_and_invalid (void)
{
  /* Type 3 (KIP-848 ConsumerGroupMetadataKey): recognised as another
   * type, whatever follows. */
  static const guint8 other[] = { 0x00, 0x03, 0x00, 0x01, 'x' };
  static const guint8 negative[] = { 0xff, 0xfe, 0x00, 0x00 };
  static const guint8 null_group[] = { 0x00, 0x02, 0xff, 0xff };
  static const guint8 nul_inside[] = { 0x00, 0x02, 0x00, 0x03, 'a', 0x00, 'b' };
  static const guint8 too_long[] = { 0x00, 0x02, 0x7f, 0xff, 'a' };
  g_auto(BrokerOffsetsKey) parsed = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (broker_offsets_parse_key (other, sizeof other, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (parsed.type, ==, BROKER_OFFSETS_KEY_OTHER);
  g_assert_cmpint (parsed.version, ==, 3);
  g_assert_null (parsed.group);

  broker_offsets_key_clear (&parsed);
  g_assert_false (broker_offsets_parse_key (negative, sizeof negative, &parsed, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID);
  g_clear_error (&error);

  broker_offsets_key_clear (&parsed);
  g_assert_false (broker_offsets_parse_key (null_group, sizeof null_group, &parsed, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  broker_offsets_key_clear (&parsed);
  g_assert_false (broker_offsets_parse_key (nul_inside, sizeof nul_inside, &parsed, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID);
  g_clear_error (&error);

  broker_offsets_key_clear (&parsed);
  g_assert_false (broker_offsets_parse_key (too_long, sizeof too_long, &parsed, &error));
  g_assert_nonnull (error);
}

/* ---- offset commit values ---- */

static const guint8 offset_value_v3[] = {
  0x00, 0x03,                                       /* version 3 */
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64,   /* offset 100 */
  0x00, 0x00, 0x00, 0x07,                           /* leaderEpoch 7 */
  0x00, 0x04, 'm', 'e', 't', 'a',                   /* metadata */
  TS_BYTES,                                         /* commitTimestamp */
};

static void
test_offset_value_v3 (void)
{
  g_autoptr(BrokerOffsetCommitValue) value = broker_offset_commit_value_new (100, 7, "meta", TS);
  g_autoptr(GBytes) encoded = broker_offset_commit_value_encode (value);
  g_autoptr(BrokerOffsetCommitValue) parsed = NULL;
  g_autoptr(GError) error = NULL;

  assert_bytes (encoded, offset_value_v3, sizeof offset_value_v3);
  parsed = broker_offset_commit_value_parse (offset_value_v3, sizeof offset_value_v3, &error);
  g_assert_no_error (error);
  g_assert_nonnull (parsed);
  g_assert_cmpint (parsed->offset, ==, 100);
  g_assert_cmpint (parsed->leader_epoch, ==, 7);
  g_assert_cmpstr (parsed->metadata, ==, "meta");
  g_assert_cmpint (parsed->commit_timestamp, ==, TS);
  g_assert_cmpint (parsed->expire_timestamp, ==, -1);
  assert_prefixes_rejected (parse_offset_value, offset_value_v3, sizeof offset_value_v3);
}

static void
test_offset_value_null_metadata (void)
{
  static const guint8 want[] = {
    0x00, 0x03, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff,
    0x00, 0x00,   /* "" for a NULL metadata */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  };
  BrokerOffsetCommitValue value = { -2, -1, NULL, 0, -1 };
  g_autoptr(GBytes) encoded = broker_offset_commit_value_encode (&value);

  assert_bytes (encoded, want, sizeof want);
}

static void
test_offset_value_v1 (void)
{
  static const guint8 v1[] = {
    0x00, 0x01,                                       /* version 1 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,   /* offset 256 */
    0x00, 0x00,                                       /* metadata "" */
    TS_BYTES,                                         /* commitTimestamp */
    0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x01,   /* expireTimestamp */
  };
  g_autoptr(BrokerOffsetCommitValue) parsed = NULL;
  g_autoptr(GBytes) encoded = NULL;
  g_autoptr(GError) error = NULL;

  parsed = broker_offset_commit_value_parse (v1, sizeof v1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (parsed->offset, ==, 256);
  g_assert_cmpint (parsed->leader_epoch, ==, -1);
  g_assert_cmpstr (parsed->metadata, ==, "");
  g_assert_cmpint (parsed->commit_timestamp, ==, TS);
  g_assert_cmpint (parsed->expire_timestamp, ==, TS + 1);
  /* An expire timestamp makes the encoder write version 1, as Kafka. */
  encoded = broker_offset_commit_value_encode (parsed);
  assert_bytes (encoded, v1, sizeof v1);
  assert_prefixes_rejected (parse_offset_value, v1, sizeof v1);
}

static void
test_offset_value_v0_v2 (void)
{
  static const guint8 v0[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x01, 'x', TS_BYTES,
  };
  static const guint8 v2[] = {
    0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x01, 'x', TS_BYTES,
  };
  const guint8 *cases[] = { v0, v2 };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BrokerOffsetCommitValue) parsed = broker_offset_commit_value_parse (cases[i], sizeof v0,
                                                                                   &error);
      g_autoptr(GBytes) again = NULL;

      g_assert_no_error (error);
      g_assert_cmpint (parsed->offset, ==, 42);
      g_assert_cmpint (parsed->leader_epoch, ==, -1);
      g_assert_cmpstr (parsed->metadata, ==, "x");
      g_assert_cmpint (parsed->commit_timestamp, ==, TS);
      g_assert_cmpint (parsed->expire_timestamp, ==, -1);
      again = broker_offset_commit_value_encode_version (parsed, i == 0 ? 0 : 2);
      assert_bytes (again, cases[i], sizeof v0);
      assert_prefixes_rejected (parse_offset_value, cases[i], sizeof v0);
    }
}

static void
test_offset_value_v4 (void)
{
  static const guint8 v4[] = {
    0x00, 0x04,                                       /* version 4, flexible */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64,   /* offset 100 */
    0x00, 0x00, 0x00, 0x07,                           /* leaderEpoch 7 */
    0x05, 'm', 'e', 't', 'a',                         /* COMPACT_STRING: len + 1 */
    TS_BYTES,                                         /* commitTimestamp */
    0x00,                                             /* no tagged fields */
  };
  /* The same with an unknown tagged field (tag 0, 16 bytes: a topic id,
   * as newer Kafka adds), which must be skipped. */
  static const guint8 v4_tagged[] = {
    0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x07,
    0x05, 'm', 'e', 't', 'a', TS_BYTES,
    0x01, 0x00, 0x10,
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
  };
  g_autoptr(BrokerOffsetCommitValue) value = broker_offset_commit_value_new (100, 7, "meta", TS);
  g_autoptr(GBytes) encoded = broker_offset_commit_value_encode_version (value, 4);

  assert_bytes (encoded, v4, sizeof v4);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BrokerOffsetCommitValue) parsed =
        broker_offset_commit_value_parse (i == 0 ? v4 : v4_tagged, i == 0 ? sizeof v4 : sizeof v4_tagged,
                                          &error);

      g_assert_no_error (error);
      g_assert_cmpint (parsed->offset, ==, 100);
      g_assert_cmpint (parsed->leader_epoch, ==, 7);
      g_assert_cmpstr (parsed->metadata, ==, "meta");
      g_assert_cmpint (parsed->commit_timestamp, ==, TS);
    }
  assert_prefixes_rejected (parse_offset_value, v4, sizeof v4);
  assert_prefixes_rejected (parse_offset_value, v4_tagged, sizeof v4_tagged);
}

static void
test_offset_value_bad_version (void)
{
  static const guint8 v5[] = { 0x00, 0x05, 0, 0, 0, 0, 0, 0, 0, 0 };
  static const guint8 neg[] = { 0x80, 0x00, 0, 0, 0, 0, 0, 0, 0, 0 };
  g_autoptr(GError) error = NULL;

  g_assert_null (broker_offset_commit_value_parse (v5, sizeof v5, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNSUPPORTED_VERSION);
  g_clear_error (&error);
  g_assert_null (broker_offset_commit_value_parse (neg, sizeof neg, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNSUPPORTED_VERSION);
}

/* ---- group metadata values ---- */

static BrokerGroupMetadataRecord *
make_group (void)
{
  BrokerGroupMetadataRecord *g = broker_group_metadata_record_new ();
  BrokerGroupMemberRecord *m = broker_group_member_record_new ();

  g->protocol_type = g_strdup ("consumer");
  g->generation = 3;
  g->protocol = g_strdup ("range");
  g->leader = g_strdup ("m1");
  g->current_state_timestamp = TS;
  m->member_id = g_strdup ("m1");
  m->client_id = g_strdup ("c");
  m->client_host = g_strdup ("/h");
  m->rebalance_timeout_ms = 300000;
  m->session_timeout_ms = 45000;
  m->subscription = g_bytes_new ("\x01\x02", 2);
  m->assignment = g_bytes_new (NULL, 0);
  g_ptr_array_add (g->members, m);
  return g;
}

static const guint8 group_value_v3[] = {
  0x00, 0x03,                                           /* version 3 */
  0x00, 0x08, 'c', 'o', 'n', 's', 'u', 'm', 'e', 'r',   /* protocolType */
  0x00, 0x00, 0x00, 0x03,                               /* generation */
  0x00, 0x05, 'r', 'a', 'n', 'g', 'e',                  /* protocol */
  0x00, 0x02, 'm', '1',                                 /* leader */
  TS_BYTES,                                             /* currentStateTimestamp */
  0x00, 0x00, 0x00, 0x01,                               /* members: 1 */
  0x00, 0x02, 'm', '1',                                 /*   memberId */
  0xff, 0xff,                                           /*   groupInstanceId null */
  0x00, 0x01, 'c',                                      /*   clientId */
  0x00, 0x02, '/', 'h',                                 /*   clientHost */
  0x00, 0x04, 0x93, 0xe0,                               /*   rebalanceTimeout 300000 */
  0x00, 0x00, 0xaf, 0xc8,                               /*   sessionTimeout 45000 */
  0x00, 0x00, 0x00, 0x02, 0x01, 0x02,                   /*   subscription */
  0x00, 0x00, 0x00, 0x00,                               /*   assignment (empty) */
};

static void
assert_group_equal (const BrokerGroupMetadataRecord *a,
                    const BrokerGroupMetadataRecord *b)
{
  g_assert_cmpstr (a->protocol_type, ==, b->protocol_type);
  g_assert_cmpint (a->generation, ==, b->generation);
  g_assert_cmpstr (a->protocol, ==, b->protocol);
  g_assert_cmpstr (a->leader, ==, b->leader);
  g_assert_cmpint (a->current_state_timestamp, ==, b->current_state_timestamp);
  g_assert_cmpuint (a->members->len, ==, b->members->len);
  for (guint i = 0; i < a->members->len; i++)
    {
      const BrokerGroupMemberRecord *x = g_ptr_array_index (a->members, i);
      const BrokerGroupMemberRecord *y = g_ptr_array_index (b->members, i);

      g_assert_cmpstr (x->member_id, ==, y->member_id);
      g_assert_cmpstr (x->group_instance_id, ==, y->group_instance_id);
      g_assert_cmpstr (x->client_id, ==, y->client_id);
      g_assert_cmpstr (x->client_host, ==, y->client_host);
      g_assert_cmpint (x->rebalance_timeout_ms, ==, y->rebalance_timeout_ms);
      g_assert_cmpint (x->session_timeout_ms, ==, y->session_timeout_ms);
      g_assert_true (g_bytes_equal (x->subscription, y->subscription));
      g_assert_true (g_bytes_equal (x->assignment, y->assignment));
    }
}

static void
test_group_value_v3 (void)
{
  g_autoptr(BrokerGroupMetadataRecord) g = make_group ();
  g_autoptr(GBytes) encoded = broker_group_metadata_record_encode (g);
  g_autoptr(BrokerGroupMetadataRecord) parsed = NULL;
  g_autoptr(BrokerGroupMetadataRecord) copy = NULL;
  g_autoptr(GError) error = NULL;

  assert_bytes (encoded, group_value_v3, sizeof group_value_v3);
  parsed = broker_group_metadata_record_parse (group_value_v3, sizeof group_value_v3, &error);
  g_assert_no_error (error);
  assert_group_equal (parsed, g);
  copy = broker_group_metadata_record_copy (parsed);
  assert_group_equal (copy, g);
  assert_prefixes_rejected (parse_group_value, group_value_v3, sizeof group_value_v3);
}

static void
test_group_value_empty_group (void)
{
  /* An Empty group: no protocol, no leader, no members. */
  static const guint8 want[] = {
    0x00, 0x03, 0x00, 0x08, 'c', 'o', 'n', 's', 'u', 'm', 'e', 'r', 0x00, 0x00, 0x00, 0x05,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,   /* ts -1 */
    0x00, 0x00, 0x00, 0x00,
  };
  g_autoptr(BrokerGroupMetadataRecord) g = broker_group_metadata_record_new ();
  g_autoptr(GBytes) encoded = NULL;
  g_autoptr(BrokerGroupMetadataRecord) parsed = NULL;
  g_autoptr(GError) error = NULL;

  g->protocol_type = g_strdup ("consumer");
  g->generation = 5;
  encoded = broker_group_metadata_record_encode (g);
  assert_bytes (encoded, want, sizeof want);
  parsed = broker_group_metadata_record_parse (want, sizeof want, &error);
  g_assert_no_error (error);
  g_assert_null (parsed->protocol);
  g_assert_null (parsed->leader);
  g_assert_cmpint (parsed->current_state_timestamp, ==, -1);
  g_assert_cmpuint (parsed->members->len, ==, 0);
}

static void
test_group_value_v0 (void)
{
  static const guint8 v0[] = {
    0x00, 0x00,                               /* version 0 */
    0x00, 0x07, 'c', 'o', 'n', 'n', 'e', 'c', 't',
    0x00, 0x00, 0x00, 0x01,
    0x00, 0x01, 'p',
    0x00, 0x01, 'L',
    0x00, 0x00, 0x00, 0x01,
    0x00, 0x01, 'L',                          /* memberId (no instance id) */
    0x00, 0x01, 'c',
    0x00, 0x01, 'h',                          /* (no rebalanceTimeout) */
    0x00, 0x00, 0x27, 0x10,                   /* sessionTimeout 10000 */
    0x00, 0x00, 0x00, 0x01, 0xaa,
    0x00, 0x00, 0x00, 0x01, 0xbb,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(BrokerGroupMetadataRecord) parsed = broker_group_metadata_record_parse (v0, sizeof v0, &error);
  const BrokerGroupMemberRecord *m;

  g_assert_no_error (error);
  g_assert_cmpstr (parsed->protocol_type, ==, "connect");
  g_assert_cmpint (parsed->generation, ==, 1);
  g_assert_cmpstr (parsed->protocol, ==, "p");
  g_assert_cmpstr (parsed->leader, ==, "L");
  g_assert_cmpint (parsed->current_state_timestamp, ==, -1);
  g_assert_cmpuint (parsed->members->len, ==, 1);
  m = g_ptr_array_index (parsed->members, 0);
  g_assert_cmpstr (m->member_id, ==, "L");
  g_assert_null (m->group_instance_id);
  g_assert_cmpint (m->session_timeout_ms, ==, 10000);
  /* Kafka: version 0 used the session timeout for both. */
  g_assert_cmpint (m->rebalance_timeout_ms, ==, 10000);
  assert_prefixes_rejected (parse_group_value, v0, sizeof v0);
}

static void
test_group_value_v1_v2 (void)
{
  g_autoptr(BrokerGroupMetadataRecord) g = make_group ();

  for (gint16 version = 0; version <= 4; version++)
    {
      g_autoptr(GBytes) encoded = broker_group_metadata_record_encode_version (g, version);
      g_autoptr(GError) error = NULL;
      gsize len;
      const guint8 *data = g_bytes_get_data (encoded, &len);
      g_autoptr(BrokerGroupMetadataRecord) parsed = broker_group_metadata_record_parse (data, len, &error);
      const BrokerGroupMemberRecord *m;

      g_assert_no_error (error);
      g_assert_cmpint (data[1], ==, version);
      m = g_ptr_array_index (parsed->members, 0);
      g_assert_cmpint (parsed->current_state_timestamp, ==, version >= 2 ? TS : -1);
      g_assert_cmpint (m->rebalance_timeout_ms, ==, version >= 1 ? 300000 : 45000);
      g_assert_cmpstr (parsed->leader, ==, "m1");
      assert_prefixes_rejected (parse_group_value, data, len);
    }
}

static void
test_group_value_v4 (void)
{
  static const guint8 v4[] = {
    0x00, 0x04,                                     /* version 4, flexible */
    0x09, 'c', 'o', 'n', 's', 'u', 'm', 'e', 'r',   /* COMPACT_STRING */
    0x00, 0x00, 0x00, 0x03,
    0x06, 'r', 'a', 'n', 'g', 'e',
    0x00,                                           /* leader: null */
    TS_BYTES,
    0x02,                                           /* COMPACT_ARRAY: 1 member */
    0x03, 'm', '1',
    0x03, 'i', 'd',                                 /* groupInstanceId "id" */
    0x02, 'c',
    0x03, '/', 'h',
    0x00, 0x04, 0x93, 0xe0,
    0x00, 0x00, 0xaf, 0xc8,
    0x03, 0x01, 0x02,                               /* COMPACT_BYTES */
    0x01,                                           /* empty */
    0x01, 0x05, 0x01, 0x7f,                         /* member: tag 5, 1 byte */
    0x00,                                           /* no top-level tags */
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(BrokerGroupMetadataRecord) parsed = broker_group_metadata_record_parse (v4, sizeof v4, &error);
  g_autoptr(BrokerGroupMetadataRecord) want = make_group ();
  BrokerGroupMemberRecord *m;

  g_assert_no_error (error);
  g_clear_pointer (&want->leader, g_free);
  m = g_ptr_array_index (want->members, 0);
  m->group_instance_id = g_strdup ("id");
  assert_group_equal (parsed, want);
  assert_prefixes_rejected (parse_group_value, v4, sizeof v4);
}

static void
test_group_value_garbage (void)
{
  /* A member count far beyond the bytes left: refused before allocating. */
  static const guint8 huge[] = {
    0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
    0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0x00,
  };
  static const guint8 neg_count[] = {
    0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
    0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
  };
  static const guint8 v5[] = { 0x00, 0x05, 0x00, 0x00 };
  g_autoptr(GError) error = NULL;

  g_assert_null (broker_group_metadata_record_parse (huge, sizeof huge, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (broker_group_metadata_record_parse (neg_count, sizeof neg_count, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (broker_group_metadata_record_parse (v5, sizeof v5, &error));
  g_assert_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNSUPPORTED_VERSION);
}

/* Random bytes, and valid encodings with random bytes flipped: parsing
 * may succeed or fail, but never crashes, overreads (ASan) or leaks. */
static void
test_fuzz (void)
{
  g_autoptr(BrokerGroupMetadataRecord) g = make_group ();
  GBytes *seeds[4];
  GRand *rand = g_rand_new_with_seed (1234);

  seeds[0] = broker_group_metadata_record_encode_version (g, 4);
  seeds[1] = broker_group_metadata_record_encode (g);
  seeds[2] = g_bytes_new_static (offset_value_v3, sizeof offset_value_v3);
  seeds[3] = g_bytes_new_static (offset_key_v1, sizeof offset_key_v1);
  for (guint i = 0; i < 20000; i++)
    {
      gsize len;
      g_autofree guint8 *buf = NULL;
      GError *error = NULL;
      g_auto(BrokerOffsetsKey) key = { 0 };
      BrokerOffsetCommitValue *ov;
      BrokerGroupMetadataRecord *gv;

      if (i % 2 == 0)
        {
          const guint8 *seed = g_bytes_get_data (seeds[(i / 2) % 4], &len);
          buf = g_memdup2 (seed, len);
          for (guint k = 0; k < 1 + (i % 3); k++)
            buf[g_rand_int_range (rand, 0, (gint32) len)] = (guint8) g_rand_int (rand);
          len = (gsize) g_rand_int_range (rand, 0, (gint32) len + 1);
        }
      else
        {
          len = (gsize) g_rand_int_range (rand, 0, 64);
          buf = g_malloc (MAX (len, 1));
          for (gsize k = 0; k < len; k++)
            buf[k] = (guint8) g_rand_int (rand);
          if (len >= 2)
            buf[0] = 0, buf[1] = (guint8) g_rand_int_range (rand, 0, 5);
        }
      if (!broker_offsets_parse_key (buf, len, &key, &error))
        g_clear_error (&error);
      ov = broker_offset_commit_value_parse (buf, len, &error);
      g_clear_error (&error);
      broker_offset_commit_value_free (ov);
      gv = broker_group_metadata_record_parse (buf, len, &error);
      g_clear_error (&error);
      broker_group_metadata_record_free (gv);
    }
  g_rand_free (rand);
  for (guint i = 0; i < G_N_ELEMENTS (seeds); i++)
    g_bytes_unref (seeds[i]);
}

/* ---- partitionFor ---- */

static void
test_partition_for (void)
{
  /* Expected values computed with OpenJDK 17:
   *   String g = new String(bytes, StandardCharsets.UTF_8);
   *   int p = (g.hashCode() & 0x7fffffff) % n;   // Utils.abs(hashCode) % n
   * for the UTF-8 bytes below (javac/java, a throwaway program). */
  static const struct
  {
    const char *group;
    gint32      hash;
    gint32      p50;
  } cases[] = {
    { "", 0, 0 },
    { "a", 97, 47 },
    { "my-group", -1906497762, 36 },
    { "test-group", 627841412, 12 },
    { "console-consumer-12345", 158455506, 6 },
    { "a-very-long-group-name-that-overflows-the-int-hash-many-times-over", -1691999368, 30 },
    { "group\xc3\xa9", -1237460406, 42 },           /* "groupé" */
    { "\xe7\xbb\x84", 32452, 2 },                   /* "组" */
    { "g\xf0\x9f\x98\x80x", 58028462, 12 },         /* "g😀x": a surrogate pair */
    /* hashCode() == Integer.MIN_VALUE: Utils.abs gives 0 (Math.abs would
     * stay negative). */
    { "polygenelubricants", G_MININT32, 0 },
    { "Aa", 2112, 12 },
    { "BB", 2112, 12 },
    /* Malformed UTF-8, as Java's decoder replaces it with U+FFFD. */
    { "a\xff" "b", 2124838, 38 },
    { "\xe4\xb8" "a", 2031620, 20 },                /* truncated 3-byte sequence */
    { "\xed\xa0\x80", 65533, 33 },                  /* an encoded surrogate: one U+FFFD */
    { "\xf0\x9f\x98", 65533, 33 },                  /* truncated at the end */
    { "\xc0\xaf", 2097056, 6 },                     /* overlong: two U+FFFD */
    { "\xf4\x90\x80\x80", 2017367872, 22 },         /* above U+10FFFF: four */
    { "\xe0\x80\xaf", 65074269, 19 },               /* overlong 3-byte: three */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u", i);
      g_assert_cmpint (broker_offsets_java_string_hash (cases[i].group), ==, cases[i].hash);
      g_assert_cmpint (broker_offsets_partition_for (cases[i].group, 50), ==, cases[i].p50);
    }
  /* Other partition counts (same Java program). */
  g_assert_cmpint (broker_offsets_partition_for ("my-group", 7), ==, 1);
  g_assert_cmpint (broker_offsets_partition_for ("test-group", 7), ==, 2);
  g_assert_cmpint (broker_offsets_partition_for ("a", 7), ==, 6);
  g_assert_cmpint (broker_offsets_partition_for ("my-group", 1), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/group/format/key/offset-commit", test_offset_commit_key);
  g_test_add_func ("/group/format/key/offset-commit-v0", test_offset_commit_key_v0);
  g_test_add_func ("/group/format/key/group-metadata", test_group_metadata_key);
  g_test_add_func ("/group/format/key/other-and-invalid", test_key_other_and_invalid);
  g_test_add_func ("/group/format/offset-value/v3", test_offset_value_v3);
  g_test_add_func ("/group/format/offset-value/null-metadata", test_offset_value_null_metadata);
  g_test_add_func ("/group/format/offset-value/v1", test_offset_value_v1);
  g_test_add_func ("/group/format/offset-value/v0-v2", test_offset_value_v0_v2);
  g_test_add_func ("/group/format/offset-value/v4", test_offset_value_v4);
  g_test_add_func ("/group/format/offset-value/bad-version", test_offset_value_bad_version);
  g_test_add_func ("/group/format/group-value/v3", test_group_value_v3);
  g_test_add_func ("/group/format/group-value/empty-group", test_group_value_empty_group);
  g_test_add_func ("/group/format/group-value/v0", test_group_value_v0);
  g_test_add_func ("/group/format/group-value/all-versions", test_group_value_v1_v2);
  g_test_add_func ("/group/format/group-value/v4", test_group_value_v4);
  g_test_add_func ("/group/format/group-value/garbage", test_group_value_garbage);
  g_test_add_func ("/group/format/fuzz", test_fuzz);
  g_test_add_func ("/group/format/partition-for", test_partition_for);

  return g_test_run ();
}
