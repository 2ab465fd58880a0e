/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-offsets-format.c: Kafka's __consumer_offsets record formats. */
#include "broker-offsets-format.h"

#include <string.h>

#include "caudal-primitives.h"

/* ---- helpers ---- */

/* Kafka's non-flexible strings have an int16 length: callers check
 * (broker-group-store.c does) before encoding. */
static gboolean
fits (const char *s)
{
  return s == NULL || strlen (s) <= G_MAXINT16;
}

static gboolean
group_record_fits (const BrokerGroupMetadataRecord *record)
{
  if (!fits (record->protocol_type) || !fits (record->protocol) || !fits (record->leader))
    return FALSE;
  for (guint i = 0; record->members != NULL && i < record->members->len; i++)
    {
      const BrokerGroupMemberRecord *m = g_ptr_array_index (record->members, i);

      if (!fits (m->member_id) || !fits (m->group_instance_id) || !fits (m->client_id) ||
          !fits (m->client_host) ||
          (m->subscription != NULL && g_bytes_get_size (m->subscription) > G_MAXINT32) ||
          (m->assignment != NULL && g_bytes_get_size (m->assignment) > G_MAXINT32))
        return FALSE;
    }
  return TRUE;
}

static void
write_string (CaudalWriter *w,
              gboolean      flexible,
              const char   *s)
{
  gsize len = s != NULL ? strlen (s) : 0;

  caudal_write_string (w, flexible, s != NULL ? s : "", (gint32) len);
}

static void
write_nullable_string (CaudalWriter *w,
                       gboolean      flexible,
                       const char   *s)
{
  if (s == NULL)
    caudal_write_string (w, flexible, NULL, -1);
  else
    write_string (w, flexible, s);
}

static void
write_gbytes (CaudalWriter *w,
              gboolean      flexible,
              GBytes       *bytes)
{
  gsize len = 0;
  const guint8 *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;
  CaudalBytes b;

  b.data = data != NULL ? data : (const guint8 *) "";
  b.len = (gint32) len;
  caudal_write_bytes (w, flexible, &b);
}

/* Reads a (nullable) string into a newly allocated C string. Kafka's
 * strings may hold any UTF-8, but a NUL would silently cut ours short. */
static gboolean
read_string (CaudalReader *r,
             gboolean      flexible,
             gboolean      nullable,
             const char   *what,
             char        **out,
             GError      **error)
{
  const char *s;
  gint32 len;

  *out = NULL;
  if (!caudal_read_string (r, flexible, nullable, &s, &len, error))
    {
      g_prefix_error (error, "%s: ", what);
      return FALSE;
    }
  if (len < 0)
    return TRUE;
  if (memchr (s, '\0', (gsize) len) != NULL)
    {
      caudal_reader_set_error (r, error, CAUDAL_WIRE_ERROR_INVALID, "%s holds a NUL byte", what);
      return FALSE;
    }
  *out = g_strndup (s, (gsize) len);
  return TRUE;
}

static gboolean
read_gbytes (CaudalReader *r,
             gboolean      flexible,
             const char   *what,
             GBytes      **out,
             GError      **error)
{
  CaudalBytes b;

  *out = NULL;
  if (!caudal_read_bytes (r, flexible, FALSE, &b, error))
    {
      g_prefix_error (error, "%s: ", what);
      return FALSE;
    }
  *out = g_bytes_new (b.data, (gsize) b.len);
  return TRUE;
}

/* Skips a flexible version's tagged-field section: every tag is unknown
 * to us (Kafka adds fields to these records only as tagged fields). */
static gboolean
skip_tagged_fields (CaudalReader *r,
                    GError      **error)
{
  guint32 n;

  if (!caudal_read_uvarint (r, &n, error))
    return FALSE;
  for (guint32 i = 0; i < n; i++)
    {
      guint32 tag, size;
      const guint8 *data;

      if (!caudal_read_uvarint (r, &tag, error) || !caudal_read_uvarint (r, &size, error) ||
          !caudal_read_raw (r, size, &data, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_version (CaudalReader *r,
              const char   *what,
              gint16        max,
              gint16       *out,
              GError      **error)
{
  if (!caudal_read_int16 (r, out, error))
    {
      g_prefix_error (error, "%s version: ", what);
      return FALSE;
    }
  if (*out < 0 || *out > max)
    {
      g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_UNSUPPORTED_VERSION,
                   "unsupported %s version %d", what, *out);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_end (CaudalReader *r,
           const char   *what,
           GError      **error)
{
  if (caudal_reader_remaining (r) != 0)
    {
      caudal_reader_set_error (r, error, CAUDAL_WIRE_ERROR_INVALID,
                               "%" G_GSIZE_FORMAT " bytes after the end of a %s",
                               caudal_reader_remaining (r), what);
      return FALSE;
    }
  return TRUE;
}

static void
reader_init (CaudalReader *r,
             const guint8 *data,
             gsize         len)
{
  caudal_reader_init (r, data != NULL ? data : (const guint8 *) "", data != NULL ? len : 0);
}

/* ---- keys ---- */

GBytes *
broker_offsets_encode_offset_commit_key (const char *group,
                                         const char *topic,
                                         gint32      partition)
{
  g_auto(CaudalWriter) w = { 0 };

  g_return_val_if_fail (group != NULL && topic != NULL, NULL);
  g_return_val_if_fail (fits (group) && fits (topic), NULL);

  caudal_writer_init (&w);
  caudal_write_int16 (&w, BROKER_OFFSETS_KEY_VERSION_OFFSET_COMMIT);
  write_string (&w, FALSE, group);
  write_string (&w, FALSE, topic);
  caudal_write_int32 (&w, partition);
  return caudal_writer_steal (&w);
}

GBytes *
broker_offsets_encode_group_metadata_key (const char *group)
{
  g_auto(CaudalWriter) w = { 0 };

  g_return_val_if_fail (group != NULL, NULL);
  g_return_val_if_fail (fits (group), NULL);

  caudal_writer_init (&w);
  caudal_write_int16 (&w, BROKER_OFFSETS_KEY_VERSION_GROUP_METADATA);
  write_string (&w, FALSE, group);
  return caudal_writer_steal (&w);
}

void
broker_offsets_key_clear (BrokerOffsetsKey *key)
{
  g_clear_pointer (&key->group, g_free);
  g_clear_pointer (&key->topic, g_free);
}

gboolean
broker_offsets_parse_key (const guint8     *data,
                          gsize             len,
                          BrokerOffsetsKey *out,
                          GError          **error)
{
  CaudalReader r;

  *out = (BrokerOffsetsKey) { BROKER_OFFSETS_KEY_OTHER, -1, NULL, NULL, -1 };
  reader_init (&r, data, len);
  if (!caudal_read_int16 (&r, &out->version, error))
    {
      g_prefix_error (error, "key version: ");
      return FALSE;
    }
  switch (out->version)
    {
    case BROKER_OFFSETS_KEY_VERSION_OFFSET_COMMIT_LEGACY:
    case BROKER_OFFSETS_KEY_VERSION_OFFSET_COMMIT:
      out->type = BROKER_OFFSETS_KEY_OFFSET_COMMIT;
      if (!read_string (&r, FALSE, FALSE, "offset commit key group", &out->group, error) ||
          !read_string (&r, FALSE, FALSE, "offset commit key topic", &out->topic, error))
        return FALSE;
      if (!caudal_read_int32 (&r, &out->partition, error))
        {
          g_prefix_error (error, "offset commit key partition: ");
          return FALSE;
        }
      return check_end (&r, "offset commit key", error);

    case BROKER_OFFSETS_KEY_VERSION_GROUP_METADATA:
      out->type = BROKER_OFFSETS_KEY_GROUP_METADATA;
      if (!read_string (&r, FALSE, FALSE, "group metadata key group", &out->group, error))
        return FALSE;
      return check_end (&r, "group metadata key", error);

    default:
      if (out->version < 0)
        {
          g_set_error (error, CAUDAL_WIRE_ERROR, CAUDAL_WIRE_ERROR_INVALID,
                       "negative key version %d", out->version);
          return FALSE;
        }
      out->type = BROKER_OFFSETS_KEY_OTHER;
      return TRUE;
    }
}

/* ---- offset commit values ---- */

BrokerOffsetCommitValue *
broker_offset_commit_value_new (gint64      offset,
                                gint32      leader_epoch,
                                const char *metadata,
                                gint64      commit_timestamp)
{
  BrokerOffsetCommitValue *value = g_new0 (BrokerOffsetCommitValue, 1);

  value->offset = offset;
  value->leader_epoch = leader_epoch;
  value->metadata = g_strdup (metadata != NULL ? metadata : "");
  value->commit_timestamp = commit_timestamp;
  value->expire_timestamp = -1;
  return value;
}

BrokerOffsetCommitValue *
broker_offset_commit_value_copy (const BrokerOffsetCommitValue *value)
{
  BrokerOffsetCommitValue *copy;

  g_return_val_if_fail (value != NULL, NULL);
  copy = g_memdup2 (value, sizeof *value);
  copy->metadata = g_strdup (value->metadata);
  return copy;
}

void
broker_offset_commit_value_free (BrokerOffsetCommitValue *value)
{
  if (value == NULL)
    return;
  g_free (value->metadata);
  g_free (value);
}

GBytes *
broker_offset_commit_value_encode_version (const BrokerOffsetCommitValue *value,
                                           gint16                         version)
{
  g_auto(CaudalWriter) w = { 0 };
  gboolean flexible = version >= 4;

  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (version >= 0 && version <= BROKER_OFFSET_COMMIT_VALUE_MAX, NULL);
  g_return_val_if_fail (fits (value->metadata), NULL);

  caudal_writer_init (&w);
  caudal_write_int16 (&w, version);
  caudal_write_int64 (&w, value->offset);
  if (version >= 3)
    caudal_write_int32 (&w, value->leader_epoch);
  write_string (&w, flexible, value->metadata);
  caudal_write_int64 (&w, value->commit_timestamp);
  if (version == 1)
    caudal_write_int64 (&w, value->expire_timestamp);
  if (flexible)
    caudal_write_uvarint (&w, 0);   /* no tagged fields */
  return caudal_writer_steal (&w);
}

GBytes *
broker_offset_commit_value_encode (const BrokerOffsetCommitValue *value)
{
  g_return_val_if_fail (value != NULL, NULL);

  /* Kafka's GroupCoordinatorRecordHelpers: version 1 only to carry an
   * explicit expire timestamp, else version 3. */
  return broker_offset_commit_value_encode_version (value, value->expire_timestamp >= 0 ? 1
                                                    : BROKER_OFFSET_COMMIT_VALUE_VERSION);
}

BrokerOffsetCommitValue *
broker_offset_commit_value_parse (const guint8 *data,
                                  gsize         len,
                                  GError      **error)
{
  g_autoptr(BrokerOffsetCommitValue) value = g_new0 (BrokerOffsetCommitValue, 1);
  CaudalReader r;
  gint16 version;
  gboolean flexible;

  reader_init (&r, data, len);
  if (!read_version (&r, "offset commit value", BROKER_OFFSET_COMMIT_VALUE_MAX, &version, error))
    return NULL;
  flexible = version >= 4;
  value->leader_epoch = -1;
  value->expire_timestamp = -1;
  if (!caudal_read_int64 (&r, &value->offset, error) ||
      (version >= 3 && !caudal_read_int32 (&r, &value->leader_epoch, error)))
    goto fail;
  if (!read_string (&r, flexible, FALSE, "offset commit metadata", &value->metadata, error))
    return NULL;
  if (!caudal_read_int64 (&r, &value->commit_timestamp, error) ||
      (version == 1 && !caudal_read_int64 (&r, &value->expire_timestamp, error)) ||
      (flexible && !skip_tagged_fields (&r, error)))
    goto fail;
  if (!check_end (&r, "offset commit value", error))
    return NULL;
  return g_steal_pointer (&value);

fail:
  g_prefix_error (error, "offset commit value v%d: ", version);
  return NULL;
}

/* ---- group metadata values ---- */

BrokerGroupMemberRecord *
broker_group_member_record_new (void)
{
  return g_new0 (BrokerGroupMemberRecord, 1);
}

BrokerGroupMemberRecord *
broker_group_member_record_copy (const BrokerGroupMemberRecord *member)
{
  BrokerGroupMemberRecord *copy;

  g_return_val_if_fail (member != NULL, NULL);
  copy = g_memdup2 (member, sizeof *member);
  copy->member_id = g_strdup (member->member_id);
  copy->group_instance_id = g_strdup (member->group_instance_id);
  copy->client_id = g_strdup (member->client_id);
  copy->client_host = g_strdup (member->client_host);
  copy->subscription = member->subscription != NULL ? g_bytes_ref (member->subscription) : NULL;
  copy->assignment = member->assignment != NULL ? g_bytes_ref (member->assignment) : NULL;
  return copy;
}

void
broker_group_member_record_free (BrokerGroupMemberRecord *member)
{
  if (member == NULL)
    return;
  g_free (member->member_id);
  g_free (member->group_instance_id);
  g_free (member->client_id);
  g_free (member->client_host);
  g_clear_pointer (&member->subscription, g_bytes_unref);
  g_clear_pointer (&member->assignment, g_bytes_unref);
  g_free (member);
}

BrokerGroupMetadataRecord *
broker_group_metadata_record_new (void)
{
  BrokerGroupMetadataRecord *record = g_new0 (BrokerGroupMetadataRecord, 1);

  record->current_state_timestamp = -1;
  record->members = g_ptr_array_new_with_free_func ((GDestroyNotify) broker_group_member_record_free);
  return record;
}

BrokerGroupMetadataRecord *
broker_group_metadata_record_copy (const BrokerGroupMetadataRecord *record)
{
  BrokerGroupMetadataRecord *copy;

  g_return_val_if_fail (record != NULL, NULL);
  copy = broker_group_metadata_record_new ();
  copy->protocol_type = g_strdup (record->protocol_type);
  copy->generation = record->generation;
  copy->protocol = g_strdup (record->protocol);
  copy->leader = g_strdup (record->leader);
  copy->current_state_timestamp = record->current_state_timestamp;
  for (guint i = 0; record->members != NULL && i < record->members->len; i++)
    g_ptr_array_add (copy->members,
                     broker_group_member_record_copy (g_ptr_array_index (record->members, i)));
  return copy;
}

void
broker_group_metadata_record_free (BrokerGroupMetadataRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->protocol_type);
  g_free (record->protocol);
  g_free (record->leader);
  g_clear_pointer (&record->members, g_ptr_array_unref);
  g_free (record);
}

GBytes *
broker_group_metadata_record_encode_version (const BrokerGroupMetadataRecord *record,
                                             gint16                           version)
{
  g_auto(CaudalWriter) w = { 0 };
  gboolean flexible = version >= 4;
  guint n_members = record != NULL && record->members != NULL ? record->members->len : 0;

  g_return_val_if_fail (record != NULL, NULL);
  g_return_val_if_fail (version >= 0 && version <= BROKER_GROUP_METADATA_VALUE_MAX, NULL);
  g_return_val_if_fail (group_record_fits (record), NULL);

  caudal_writer_init (&w);
  caudal_write_int16 (&w, version);
  write_string (&w, flexible, record->protocol_type);
  caudal_write_int32 (&w, record->generation);
  write_nullable_string (&w, flexible, record->protocol);
  write_nullable_string (&w, flexible, record->leader);
  if (version >= 2)
    caudal_write_int64 (&w, record->current_state_timestamp);
  caudal_write_array_count (&w, flexible, (gint32) n_members);
  for (guint i = 0; i < n_members; i++)
    {
      const BrokerGroupMemberRecord *m = g_ptr_array_index (record->members, i);

      write_string (&w, flexible, m->member_id);
      if (version >= 3)
        write_nullable_string (&w, flexible, m->group_instance_id);
      write_string (&w, flexible, m->client_id);
      write_string (&w, flexible, m->client_host);
      if (version >= 1)
        caudal_write_int32 (&w, m->rebalance_timeout_ms);
      caudal_write_int32 (&w, m->session_timeout_ms);
      write_gbytes (&w, flexible, m->subscription);
      write_gbytes (&w, flexible, m->assignment);
      if (flexible)
        caudal_write_uvarint (&w, 0);
    }
  if (flexible)
    caudal_write_uvarint (&w, 0);
  return caudal_writer_steal (&w);
}

GBytes *
broker_group_metadata_record_encode (const BrokerGroupMetadataRecord *record)
{
  return broker_group_metadata_record_encode_version (record, BROKER_GROUP_METADATA_VALUE_VERSION);
}

static BrokerGroupMemberRecord *
parse_member (CaudalReader *r,
              gint16        version,
              GError      **error)
{
  g_autoptr(BrokerGroupMemberRecord) m = broker_group_member_record_new ();
  gboolean flexible = version >= 4;

  if (!read_string (r, flexible, FALSE, "member id", &m->member_id, error) ||
      (version >= 3 &&
       !read_string (r, flexible, TRUE, "group instance id", &m->group_instance_id, error)) ||
      !read_string (r, flexible, FALSE, "client id", &m->client_id, error) ||
      !read_string (r, flexible, FALSE, "client host", &m->client_host, error))
    return NULL;
  if ((version >= 1 && !caudal_read_int32 (r, &m->rebalance_timeout_ms, error)) ||
      !caudal_read_int32 (r, &m->session_timeout_ms, error))
    return NULL;
  /* Kafka: version 0 had no rebalance timeout; the session timeout was
   * used for both. */
  if (version == 0)
    m->rebalance_timeout_ms = m->session_timeout_ms;
  if (!read_gbytes (r, flexible, "subscription", &m->subscription, error) ||
      !read_gbytes (r, flexible, "assignment", &m->assignment, error) ||
      (flexible && !skip_tagged_fields (r, error)))
    return NULL;
  return g_steal_pointer (&m);
}

BrokerGroupMetadataRecord *
broker_group_metadata_record_parse (const guint8 *data,
                                    gsize         len,
                                    GError      **error)
{
  g_autoptr(BrokerGroupMetadataRecord) record = broker_group_metadata_record_new ();
  CaudalReader r;
  gint16 version;
  gboolean flexible;
  gint32 n_members;
  /* The smallest member: its empty strings, int32s and empty byte
   * arrays (flexible: 1-byte lengths, and a tag count). */
  gsize min_member;

  reader_init (&r, data, len);
  if (!read_version (&r, "group metadata value", BROKER_GROUP_METADATA_VALUE_MAX, &version, error))
    return NULL;
  flexible = version >= 4;
  min_member = (version >= 3 ? 4 : 3) * (flexible ? 1 : 2) + (version >= 1 ? 8 : 4) +
               2 * (flexible ? 1 : 4) + (flexible ? 1 : 0);
  if (!read_string (&r, flexible, FALSE, "protocol type", &record->protocol_type, error) ||
      !caudal_read_int32 (&r, &record->generation, error) ||
      !read_string (&r, flexible, TRUE, "protocol", &record->protocol, error) ||
      !read_string (&r, flexible, TRUE, "leader", &record->leader, error) ||
      (version >= 2 && !caudal_read_int64 (&r, &record->current_state_timestamp, error)) ||
      !caudal_read_array_count (&r, flexible, FALSE, min_member, &n_members, error))
    goto fail;
  for (gint32 i = 0; i < n_members; i++)
    {
      BrokerGroupMemberRecord *m = parse_member (&r, version, error);

      if (m == NULL)
        {
          g_prefix_error (error, "member %d: ", i);
          goto fail;
        }
      g_ptr_array_add (record->members, m);
    }
  if ((flexible && !skip_tagged_fields (&r, error)) ||
      !check_end (&r, "group metadata value", error))
    goto fail;
  return g_steal_pointer (&record);

fail:
  g_prefix_error (error, "group metadata value v%d: ", version);
  return NULL;
}

/* ---- partitionFor ---- */

static inline gboolean
is_cont (guint8 b)
{
  return (b & 0xc0) == 0x80;
}

static inline void
hash_unit (guint32 *h,
           guint32  unit)
{
  *h = *h * 31u + unit;
}

#define REPL 0xfffdu

/* Java's String.hashCode of the string new String(bytes, UTF_8) makes:
 * the decoder of java.lang.String (JDK 9+; the same replacements as
 * sun.nio.cs.UTF_8 with REPLACE), so that invalid UTF-8 maps as on Kafka.
 * Each malformed sequence becomes one U+FFFD covering as many bytes as
 * Java's malformed-length rules say; a 3-byte encoded surrogate is one
 * U+FFFD; a truncated sequence at the very end is one U+FFFD. */
gint32
broker_offsets_java_string_hash (const char *group_id)
{
  const guint8 *s = (const guint8 *) group_id;
  gsize sl, sp = 0;
  guint32 h = 0;

  g_return_val_if_fail (group_id != NULL, 0);
  sl = strlen (group_id);
  while (sp < sl)
    {
      guint8 b1 = s[sp++];

      if (b1 < 0x80)
        hash_unit (&h, b1);
      else if (b1 >= 0xc2 && b1 <= 0xdf)
        {
          if (sp < sl)
            {
              guint8 b2 = s[sp++];

              if (!is_cont (b2))
                {
                  hash_unit (&h, REPL);
                  sp--;
                }
              else
                hash_unit (&h, ((guint32) (b1 & 0x1f) << 6) | (b2 & 0x3f));
              continue;
            }
          hash_unit (&h, REPL);
          break;
        }
      else if (b1 >= 0xe0 && b1 <= 0xef)
        {
          if (sp + 1 < sl)
            {
              guint8 b2 = s[sp++];
              guint8 b3 = s[sp++];

              if ((b1 == 0xe0 && (b2 & 0xe0) == 0x80) || !is_cont (b2) || !is_cont (b3))
                {
                  hash_unit (&h, REPL);
                  sp -= 2;   /* back to b2 */
                  /* Java's malformed3: 1 byte, or 2 when b2 continues. */
                  if (!((b1 == 0xe0 && (b2 & 0xe0) == 0x80) || !is_cont (b2)))
                    sp++;
                }
              else
                {
                  guint32 c = ((guint32) (b1 & 0x0f) << 12) | ((guint32) (b2 & 0x3f) << 6) | (b3 & 0x3f);

                  hash_unit (&h, c >= 0xd800 && c <= 0xdfff ? REPL : c);
                }
              continue;
            }
          if (sp < sl && ((b1 == 0xe0 && (s[sp] & 0xe0) == 0x80) || !is_cont (s[sp])))
            {
              hash_unit (&h, REPL);
              continue;
            }
          hash_unit (&h, REPL);
          break;
        }
      else if (b1 >= 0xf0 && b1 <= 0xf7)
        {
          if (sp + 2 < sl)
            {
              guint8 b2 = s[sp++];
              guint8 b3 = s[sp++];
              guint8 b4 = s[sp++];
              guint32 uc = ((guint32) (b1 & 0x07) << 18) | ((guint32) (b2 & 0x3f) << 12) |
                           ((guint32) (b3 & 0x3f) << 6) | (b4 & 0x3f);

              if (!is_cont (b2) || !is_cont (b3) || !is_cont (b4) || uc < 0x10000 || uc > 0x10ffff)
                {
                  hash_unit (&h, REPL);
                  sp -= 3;   /* back to b2 */
                  /* Java's malformed4: 1, 2 or 3 bytes. */
                  if (b1 > 0xf4 || (b1 == 0xf0 && (b2 < 0x90 || b2 > 0xbf)) ||
                      (b1 == 0xf4 && (b2 & 0xf0) != 0x80) || !is_cont (b2))
                    ;
                  else if (!is_cont (b3))
                    sp += 1;
                  else
                    sp += 2;
                }
              else
                {
                  uc -= 0x10000;
                  hash_unit (&h, 0xd800 + (uc >> 10));
                  hash_unit (&h, 0xdc00 + (uc & 0x3ff));
                }
              continue;
            }
          if (b1 > 0xf4 ||
              (sp < sl && ((b1 == 0xf0 && (s[sp] < 0x90 || s[sp] > 0xbf)) ||
                           (b1 == 0xf4 && (s[sp] & 0xf0) != 0x80) || !is_cont (s[sp]))))
            {
              hash_unit (&h, REPL);
              continue;
            }
          sp++;
          hash_unit (&h, REPL);
          if (sp < sl && !is_cont (s[sp]))
            continue;
          break;
        }
      else
        hash_unit (&h, REPL);
    }
  return (gint32) h;
}

gint32
broker_offsets_partition_for (const char *group_id,
                              gint32      n_partitions)
{
  g_return_val_if_fail (group_id != NULL, 0);
  g_return_val_if_fail (n_partitions > 0, 0);

  /* Utils.abs: n & 0x7fffffff (Math.abs would leave MIN_VALUE negative). */
  return (gint32) (((guint32) broker_offsets_java_string_hash (group_id) & 0x7fffffffu) %
                   (guint32) n_partitions);
}
