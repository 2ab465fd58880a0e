/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-codec.c: decode, encode, initialise and dump any message by walking
 * its descriptor table. The per-version knowledge lives only in the
 * descriptors generated from common/wire/schema/. */
#include "caudal-messages.h"

#include <string.h>

static inline gpointer
field_ptr (gpointer    msg,
           const CaudalFieldDesc *f)
{
  return (guint8 *) msg + f->offset;
}

static inline gconstpointer
field_cptr (gconstpointer msg,
            const CaudalFieldDesc *f)
{
  return (const guint8 *) msg + f->offset;
}

static inline gboolean
in_range (gint16 v,
          gint16 lo,
          gint16 hi)
{
  return lo <= v && v <= hi;
}

static inline gboolean
field_present (const CaudalFieldDesc *f,
               gint16                 version)
{
  return in_range (version, f->min_version, f->max_version);
}

static inline gboolean
field_nullable (const CaudalFieldDesc *f,
                gint16                 version)
{
  return in_range (version, f->nullable_min, f->nullable_max);
}

/* The C size of one value of a scalar type (array element size). */
static gsize
value_size (const CaudalFieldDesc *f)
{
  switch ((CaudalFieldType) f->type)
    {
    case CAUDAL_FIELD_INT8: return sizeof (gint8);
    case CAUDAL_FIELD_INT16: return sizeof (gint16);
    case CAUDAL_FIELD_INT32: return sizeof (gint32);
    case CAUDAL_FIELD_INT64: return sizeof (gint64);
    case CAUDAL_FIELD_UINT16: return sizeof (guint16);
    case CAUDAL_FIELD_UINT32: return sizeof (guint32);
    case CAUDAL_FIELD_FLOAT64: return sizeof (gdouble);
    case CAUDAL_FIELD_BOOL: return sizeof (gboolean);
    case CAUDAL_FIELD_UUID: return sizeof (CaudalUuid);
    case CAUDAL_FIELD_STRING: return sizeof (char *);
    case CAUDAL_FIELD_BYTES:
    case CAUDAL_FIELD_RECORDS: return sizeof (CaudalBytes);
    case CAUDAL_FIELD_STRUCT: return f->child->size;
    default: g_assert_not_reached ();
    }
}

/* ---- API table ---- */

const CaudalApiDesc *
caudal_api_lookup (gint16 api_key)
{
  guint lo = 0, hi = CAUDAL_API_TABLE_LEN;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (caudal_api_table[mid].key == api_key)
        return &caudal_api_table[mid];
      if (caudal_api_table[mid].key < api_key)
        lo = mid + 1;
      else
        hi = mid;
    }
  return NULL;
}

const CaudalApiDesc *
caudal_api_lookup_name (const char *name)
{
  for (guint i = 0; i < CAUDAL_API_TABLE_LEN; i++)
    if (g_ascii_strcasecmp (caudal_api_table[i].name, name) == 0)
      return &caudal_api_table[i];
  return NULL;
}

const CaudalApiDesc *
caudal_api_get_all (guint *n_apis)
{
  *n_apis = CAUDAL_API_TABLE_LEN;
  return caudal_api_table;
}

gboolean
caudal_api_is_flexible (const CaudalApiDesc *api,
                        gint16               version)
{
  return version >= api->flexible_from;
}

gboolean
caudal_api_supports (const CaudalApiDesc *api,
                     gint16               version)
{
  return in_range (version, api->min_version, api->max_version);
}

/* ---- defaults ---- */

static void
set_default (const CaudalFieldDesc *f,
             gpointer               msg)
{
  gpointer p = field_ptr (msg, f);

  if (f->is_array)
    {
      *(gint32 *) p = f->default_null ? -1 : 0;
      *(gpointer *) ((guint8 *) msg + f->items_offset) = NULL;
      return;
    }

  switch ((CaudalFieldType) f->type)
    {
    case CAUDAL_FIELD_INT8: *(gint8 *) p = (gint8) f->default_int; break;
    case CAUDAL_FIELD_INT16: *(gint16 *) p = (gint16) f->default_int; break;
    case CAUDAL_FIELD_INT32: *(gint32 *) p = (gint32) f->default_int; break;
    case CAUDAL_FIELD_INT64: *(gint64 *) p = f->default_int; break;
    case CAUDAL_FIELD_UINT16: *(guint16 *) p = (guint16) f->default_int; break;
    case CAUDAL_FIELD_UINT32: *(guint32 *) p = (guint32) f->default_int; break;
    case CAUDAL_FIELD_FLOAT64: *(gdouble *) p = 0.0; break;
    case CAUDAL_FIELD_BOOL: *(gboolean *) p = f->default_int != 0; break;
    case CAUDAL_FIELD_UUID: memset (p, 0, sizeof (CaudalUuid)); break;
    case CAUDAL_FIELD_STRING:
      /* Non-null defaults point at a shared "" so they never need freeing. */
      *(const char **) p = f->default_null ? NULL : "";
      break;
    case CAUDAL_FIELD_BYTES:
    case CAUDAL_FIELD_RECORDS:
      *(CaudalBytes *) p = f->default_null ? CAUDAL_BYTES_NULL : (CaudalBytes) { NULL, 0 };
      break;
    case CAUDAL_FIELD_STRUCT:
      caudal_message_init (f->child, p);
      break;
    default:
      g_assert_not_reached ();
    }
}

void
caudal_message_init (const CaudalStructDesc *desc,
                     gpointer                msg)
{
  g_return_if_fail (desc != NULL && msg != NULL);

  memset (msg, 0, desc->size);
  for (guint i = 0; i < desc->n_fields; i++)
    set_default (&desc->fields[i], msg);
}

gpointer
caudal_message_new_array (CaudalArena            *arena,
                          const CaudalStructDesc *desc,
                          gsize                   n)
{
  guint8 *items;

  g_return_val_if_fail (n < G_MAXSIZE / desc->size, NULL);
  items = caudal_arena_alloc (arena, n * desc->size);
  for (gsize i = 0; i < n; i++)
    caudal_message_init (desc, items + i * desc->size);
  return items;
}

static const CaudalFieldDesc *
find_field (const CaudalStructDesc *desc,
            const char             *name,
            gsize                   name_len)
{
  for (guint32 i = 0; i < desc->n_fields; i++)
    {
      const CaudalFieldDesc *f = &desc->fields[i];
      if (strlen (f->name) == name_len && memcmp (f->name, name, name_len) == 0)
        return f;
    }
  return NULL;
}

const CaudalStructDesc *
caudal_struct_desc_child (const CaudalStructDesc *desc,
                          const char             *path)
{
  g_return_val_if_fail (desc != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  while (desc != NULL && *path != '\0')
    {
      const char *dot = strchr (path, '.');
      gsize len = dot != NULL ? (gsize) (dot - path) : strlen (path);
      const CaudalFieldDesc *f = find_field (desc, path, len);

      if (f == NULL || f->type != CAUDAL_FIELD_STRUCT)
        return NULL;
      desc = f->child;
      path += len;
      if (*path == '.')
        path++;
    }
  return desc;
}

gpointer
caudal_message_set_array (CaudalArena            *arena,
                          const CaudalStructDesc *desc,
                          gpointer                msg,
                          const char             *field,
                          gsize                   n)
{
  const CaudalFieldDesc *f;
  gpointer items;

  g_return_val_if_fail (desc != NULL && msg != NULL && field != NULL, NULL);
  f = find_field (desc, field, strlen (field));
  g_return_val_if_fail (f != NULL && f->is_array && f->type == CAUDAL_FIELD_STRUCT, NULL);
  g_return_val_if_fail (n <= G_MAXINT32, NULL);

  items = caudal_message_new_array (arena, f->child, n);
  *(gint32 *) ((guint8 *) msg + f->offset) = (gint32) n;
  *(gpointer *) ((guint8 *) msg + f->items_offset) = items;
  return items;
}

static gboolean
is_default (const CaudalFieldDesc *f,
            gconstpointer          msg)
{
  gconstpointer p = field_cptr (msg, f);

  if (f->is_array)
    return *(const gint32 *) p == (f->default_null ? -1 : 0);

  switch ((CaudalFieldType) f->type)
    {
    case CAUDAL_FIELD_INT8: return *(const gint8 *) p == f->default_int;
    case CAUDAL_FIELD_INT16: return *(const gint16 *) p == f->default_int;
    case CAUDAL_FIELD_INT32: return *(const gint32 *) p == f->default_int;
    case CAUDAL_FIELD_INT64: return *(const gint64 *) p == f->default_int;
    case CAUDAL_FIELD_UINT16: return *(const guint16 *) p == f->default_int;
    case CAUDAL_FIELD_UINT32: return *(const guint32 *) p == f->default_int;
    case CAUDAL_FIELD_FLOAT64: return *(const gdouble *) p == 0.0;
    case CAUDAL_FIELD_BOOL: return (*(const gboolean *) p != 0) == (f->default_int != 0);
    case CAUDAL_FIELD_UUID:
      {
        static const CaudalUuid zero;
        return memcmp (p, &zero, sizeof zero) == 0;
      }
    case CAUDAL_FIELD_STRING:
      {
        const char *s = *(const char *const *) p;
        return f->default_null ? s == NULL : (s != NULL && s[0] == '\0');
      }
    case CAUDAL_FIELD_BYTES:
    case CAUDAL_FIELD_RECORDS:
      return ((const CaudalBytes *) p)->len == (f->default_null ? -1 : 0);
    case CAUDAL_FIELD_STRUCT:
      for (guint i = 0; i < f->child->n_fields; i++)
        if (!is_default (&f->child->fields[i], p))
          return FALSE;
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

/* ---- sizes ---- */

static gsize
value_min_size (const CaudalFieldDesc *f,
                gint16                 version,
                gboolean               flexible)
{
  switch ((CaudalFieldType) f->type)
    {
    case CAUDAL_FIELD_INT8:
    case CAUDAL_FIELD_BOOL: return 1;
    case CAUDAL_FIELD_INT16:
    case CAUDAL_FIELD_UINT16: return 2;
    case CAUDAL_FIELD_INT32:
    case CAUDAL_FIELD_UINT32: return 4;
    case CAUDAL_FIELD_INT64:
    case CAUDAL_FIELD_FLOAT64: return 8;
    case CAUDAL_FIELD_UUID: return 16;
    case CAUDAL_FIELD_STRING: return flexible ? 1 : 2;
    case CAUDAL_FIELD_BYTES:
    case CAUDAL_FIELD_RECORDS: return flexible ? 1 : 4;
    case CAUDAL_FIELD_STRUCT: return caudal_message_min_size (f->child, version, flexible);
    default: g_assert_not_reached ();
    }
}

gsize
caudal_message_min_size (const CaudalStructDesc *desc,
                         gint16                  version,
                         gboolean                flexible)
{
  gsize n = flexible ? 1 : 0;   /* the tag buffer's count */

  for (guint i = 0; i < desc->n_fields; i++)
    {
      const CaudalFieldDesc *f = &desc->fields[i];

      if (!field_present (f, version) || f->tag >= 0)
        continue;
      if (f->is_array)
        n += flexible ? 1 : 4;
      else
        n += value_min_size (f, version, flexible);
    }
  return n;
}

/* ---- decode ---- */

static gboolean decode_struct (const CaudalStructDesc *desc, gint16 version, gboolean flexible,
                               CaudalReader *r, CaudalArena *arena, gpointer out, GError **error);

static gboolean
decode_value (const CaudalFieldDesc *f,
              gint16                 version,
              gboolean               flexible,
              gboolean               nullable,
              CaudalReader          *r,
              CaudalArena           *arena,
              gpointer               dst,
              GError               **error)
{
  switch ((CaudalFieldType) f->type)
    {
    case CAUDAL_FIELD_INT8: return caudal_read_int8 (r, dst, error);
    case CAUDAL_FIELD_INT16: return caudal_read_int16 (r, dst, error);
    case CAUDAL_FIELD_INT32: return caudal_read_int32 (r, dst, error);
    case CAUDAL_FIELD_INT64: return caudal_read_int64 (r, dst, error);
    case CAUDAL_FIELD_UINT16: return caudal_read_uint16 (r, dst, error);
    case CAUDAL_FIELD_UINT32: return caudal_read_uint32 (r, dst, error);
    case CAUDAL_FIELD_FLOAT64: return caudal_read_float64 (r, dst, error);
    case CAUDAL_FIELD_BOOL: return caudal_read_bool (r, dst, error);
    case CAUDAL_FIELD_UUID: return caudal_read_uuid (r, dst, error);
    case CAUDAL_FIELD_STRING:
      {
        const char *s;
        gint32 len;

        if (!caudal_read_string (r, flexible, nullable, &s, &len, error))
          return FALSE;
        if (len < 0)
          {
            *(char **) dst = NULL;
            return TRUE;
          }
        *(char **) dst = caudal_arena_strndup (arena, s, len);
        if (*(char **) dst == NULL)
          {
            caudal_reader_set_error (r, error, CAUDAL_WIRE_ERROR_TOO_LARGE,
                                     "field '%s' exceeds the decode memory limit", f->name);
            return FALSE;
          }
        return TRUE;
      }
    case CAUDAL_FIELD_BYTES:
    case CAUDAL_FIELD_RECORDS:
      return caudal_read_bytes (r, flexible, nullable, dst, error);
    case CAUDAL_FIELD_STRUCT:
      return decode_struct (f->child, version, flexible, r, arena, dst, error);
    default:
      g_assert_not_reached ();
    }
}

static gboolean
decode_field (const CaudalFieldDesc *f,
              gint16                 version,
              gboolean               flexible,
              CaudalReader          *r,
              CaudalArena           *arena,
              gpointer               msg,
              GError               **error)
{
  gboolean nullable = field_nullable (f, version);
  gint32 count;
  gsize elem_size;
  guint8 *items;

  if (!f->is_array)
    return decode_value (f, version, flexible, nullable, r, arena, field_ptr (msg, f), error);

  if (!caudal_read_array_count (r, flexible, nullable, value_min_size (f, version, flexible),
                                &count, error))
    return FALSE;
  *(gint32 *) field_ptr (msg, f) = count;
  *(gpointer *) ((guint8 *) msg + f->items_offset) = NULL;
  if (count <= 0)
    return TRUE;

  elem_size = value_size (f);
  items = caudal_arena_try_alloc (arena, (gsize) count * elem_size);
  if (items == NULL)
    {
      caudal_reader_set_error (r, error, CAUDAL_WIRE_ERROR_TOO_LARGE,
                               "array '%s' of %d elements exceeds the decode memory limit",
                               f->name, count);
      return FALSE;
    }
  *(gpointer *) ((guint8 *) msg + f->items_offset) = items;
  for (gint32 i = 0; i < count; i++)
    {
      /* Array elements are never null (Kafka has no nullable elements). */
      if (!decode_value (f, version, flexible, FALSE, r, arena, items + i * elem_size, error))
        return FALSE;
    }
  return TRUE;
}

static const CaudalFieldDesc *
find_tagged (const CaudalStructDesc *desc,
             gint16                  version,
             guint32                 tag)
{
  for (guint i = 0; i < desc->n_fields; i++)
    {
      const CaudalFieldDesc *f = &desc->fields[i];
      if (f->tag >= 0 && (guint32) f->tag == tag && field_present (f, version))
        return f;
    }
  return NULL;
}

/* The tag buffer of a flexible struct (KIP-482): a count, then per field
 * its tag, its size and its value. Unknown tags are skipped. */
static gboolean
decode_tag_buffer (const CaudalStructDesc *desc,
                   gint16                  version,
                   CaudalReader           *r,
                   CaudalArena            *arena,
                   gpointer                out,
                   GError                **error)
{
  guint32 n_tags;

  if (!caudal_read_uvarint (r, &n_tags, error))
    return FALSE;
  for (guint32 i = 0; i < n_tags; i++)
    {
      guint32 tag, size;
      const CaudalFieldDesc *f;
      CaudalReader sub;

      if (!caudal_read_uvarint (r, &tag, error) || !caudal_read_uvarint (r, &size, error))
        return FALSE;
      if (size > caudal_reader_remaining (r))
        {
          caudal_reader_set_error (r, error, CAUDAL_WIRE_ERROR_TRUNCATED,
                                   "tagged field %u of %u bytes, %" G_GSIZE_FORMAT " left",
                                   tag, size, caudal_reader_remaining (r));
          return FALSE;
        }
      f = find_tagged (desc, version, tag);
      if (f == NULL)
        {
          r->pos += size;
          continue;
        }
      /* Decode the value from exactly its declared bytes. */
      sub = *r;
      sub.len = r->pos + size;
      if (!decode_field (f, version, TRUE, &sub, arena, out, error))
        return FALSE;
      if (sub.pos != sub.len)
        {
          caudal_reader_set_error (&sub, error, CAUDAL_WIRE_ERROR_INVALID,
                                   "tagged field '%s' has %" G_GSIZE_FORMAT " trailing bytes",
                                   f->name, sub.len - sub.pos);
          return FALSE;
        }
      r->pos = sub.pos;
    }
  return TRUE;
}

static gboolean
decode_struct (const CaudalStructDesc *desc,
               gint16                  version,
               gboolean                flexible,
               CaudalReader           *r,
               CaudalArena            *arena,
               gpointer                out,
               GError                **error)
{
  caudal_message_init (desc, out);

  for (guint i = 0; i < desc->n_fields; i++)
    {
      const CaudalFieldDesc *f = &desc->fields[i];

      if (!field_present (f, version) || f->tag >= 0)
        continue;
      if (!decode_field (f, version, flexible, r, arena, out, error))
        return FALSE;
    }
  if (flexible)
    return decode_tag_buffer (desc, version, r, arena, out, error);
  return TRUE;
}

gboolean
caudal_message_decode (const CaudalStructDesc *desc,
                       gint16                  version,
                       gboolean                flexible,
                       CaudalReader           *r,
                       CaudalArena            *arena,
                       gpointer                out,
                       GError                **error)
{
  g_return_val_if_fail (desc != NULL && r != NULL && arena != NULL && out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return decode_struct (desc, version, flexible, r, arena, out, error);
}

/* ---- encode ---- */

static void encode_struct (const CaudalStructDesc *desc, gint16 version, gboolean flexible,
                           gconstpointer msg, CaudalWriter *w);

static void
encode_value (const CaudalFieldDesc *f,
              gint16                 version,
              gboolean               flexible,
              gboolean               nullable,
              gconstpointer          p,
              CaudalWriter          *w)
{
  switch ((CaudalFieldType) f->type)
    {
    case CAUDAL_FIELD_INT8: caudal_write_int8 (w, *(const gint8 *) p); break;
    case CAUDAL_FIELD_INT16: caudal_write_int16 (w, *(const gint16 *) p); break;
    case CAUDAL_FIELD_INT32: caudal_write_int32 (w, *(const gint32 *) p); break;
    case CAUDAL_FIELD_INT64: caudal_write_int64 (w, *(const gint64 *) p); break;
    case CAUDAL_FIELD_UINT16: caudal_write_uint16 (w, *(const guint16 *) p); break;
    case CAUDAL_FIELD_UINT32: caudal_write_uint32 (w, *(const guint32 *) p); break;
    case CAUDAL_FIELD_FLOAT64: caudal_write_float64 (w, *(const gdouble *) p); break;
    case CAUDAL_FIELD_BOOL: caudal_write_bool (w, *(const gboolean *) p); break;
    case CAUDAL_FIELD_UUID: caudal_write_uuid (w, p); break;
    case CAUDAL_FIELD_STRING:
      {
        const char *s = *(const char *const *) p;

        /* A null where the version allows none is written as "". */
        if (s == NULL && !nullable)
          s = "";
        caudal_write_string (w, flexible, s, s ? (gint32) strlen (s) : -1);
        break;
      }
    case CAUDAL_FIELD_BYTES:
    case CAUDAL_FIELD_RECORDS:
      {
        const CaudalBytes *b = p;
        CaudalBytes empty = { NULL, 0 };

        caudal_write_bytes (w, flexible, (b->len < 0 && !nullable) ? &empty : b);
        break;
      }
    case CAUDAL_FIELD_STRUCT:
      encode_struct (f->child, version, flexible, p, w);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
encode_field (const CaudalFieldDesc *f,
              gint16                 version,
              gboolean               flexible,
              gconstpointer          msg,
              CaudalWriter          *w)
{
  gboolean nullable = field_nullable (f, version);
  gint32 count;
  const guint8 *items;
  gsize elem_size;

  if (!f->is_array)
    {
      encode_value (f, version, flexible, nullable, field_cptr (msg, f), w);
      return;
    }

  count = *(const gint32 *) field_cptr (msg, f);
  items = *(const guint8 *const *) ((const guint8 *) msg + f->items_offset);
  if (count < 0 && !nullable)
    count = 0;
  if (count > 0 && items == NULL)
    g_error ("array '%s' has %d elements and no items", f->name, count);
  caudal_write_array_count (w, flexible, count < 0 ? -1 : count);
  elem_size = value_size (f);
  for (gint32 i = 0; i < count; i++)
    encode_value (f, version, flexible, FALSE, items + i * elem_size, w);
}

static int
compare_tags (gconstpointer a,
              gconstpointer b)
{
  const CaudalFieldDesc *fa = *(const CaudalFieldDesc *const *) a;
  const CaudalFieldDesc *fb = *(const CaudalFieldDesc *const *) b;
  return (fa->tag > fb->tag) - (fa->tag < fb->tag);
}

static void
encode_struct (const CaudalStructDesc *desc,
               gint16                  version,
               gboolean                flexible,
               gconstpointer           msg,
               CaudalWriter           *w)
{
  const CaudalFieldDesc *tagged[32];
  guint n_tagged = 0;

  for (guint i = 0; i < desc->n_fields; i++)
    {
      const CaudalFieldDesc *f = &desc->fields[i];

      if (!field_present (f, version))
        continue;
      if (f->tag >= 0)
        {
          if (!is_default (f, msg))
            {
              g_assert (n_tagged < G_N_ELEMENTS (tagged));
              tagged[n_tagged++] = f;
            }
          continue;
        }
      encode_field (f, version, flexible, msg, w);
    }

  if (!flexible)
    return;

  /* KIP-482: tagged fields go in ascending tag order, each with its size. */
  qsort (tagged, n_tagged, sizeof tagged[0], compare_tags);
  caudal_write_uvarint (w, n_tagged);
  for (guint i = 0; i < n_tagged; i++)
    {
      CaudalWriter sub;

      caudal_writer_init (&sub);
      encode_field (tagged[i], version, TRUE, msg, &sub);
      caudal_write_uvarint (w, (guint32) tagged[i]->tag);
      caudal_write_uvarint (w, sub.buf->len);
      caudal_write_raw (w, sub.buf->data, sub.buf->len);
      caudal_writer_clear (&sub);
    }
}

void
caudal_message_encode (const CaudalStructDesc *desc,
                       gint16                  version,
                       gboolean                flexible,
                       gconstpointer           msg,
                       CaudalWriter           *w)
{
  g_return_if_fail (desc != NULL && msg != NULL && w != NULL);

  encode_struct (desc, version, flexible, msg, w);
}

/* ---- dump ---- */

static void
dump_quoted (GString    *out,
             const char *s)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) s; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if (*p < 0x20 || *p == 0x7f)
        g_string_append_printf (out, "\\x%02x", *p);
      else
        g_string_append_c (out, (char) *p);
    }
  g_string_append_c (out, '"');
}

static void dump_struct (const CaudalStructDesc *desc, gint16 version, gconstpointer msg,
                         const char *prefix, GString *out);

static void
dump_value (const CaudalFieldDesc *f,
            gint16                 version,
            gconstpointer          p,
            const char            *path,
            GString               *out)
{
  if (f->type == CAUDAL_FIELD_STRUCT)
    {
      dump_struct (f->child, version, p, path, out);
      return;
    }

  g_string_append_printf (out, "%s = ", path);
  switch ((CaudalFieldType) f->type)
    {
    case CAUDAL_FIELD_INT8: g_string_append_printf (out, "%d", *(const gint8 *) p); break;
    case CAUDAL_FIELD_INT16: g_string_append_printf (out, "%d", *(const gint16 *) p); break;
    case CAUDAL_FIELD_INT32: g_string_append_printf (out, "%d", *(const gint32 *) p); break;
    case CAUDAL_FIELD_INT64: g_string_append_printf (out, "%" G_GINT64_FORMAT, *(const gint64 *) p); break;
    case CAUDAL_FIELD_UINT16: g_string_append_printf (out, "%u", *(const guint16 *) p); break;
    case CAUDAL_FIELD_UINT32: g_string_append_printf (out, "%u", *(const guint32 *) p); break;
    case CAUDAL_FIELD_FLOAT64: g_string_append_printf (out, "%.17g", *(const gdouble *) p); break;
    case CAUDAL_FIELD_BOOL: g_string_append (out, *(const gboolean *) p ? "true" : "false"); break;
    case CAUDAL_FIELD_UUID:
      {
        const guint8 *b = ((const CaudalUuid *) p)->bytes;
        for (guint i = 0; i < 16; i++)
          {
            if (i == 4 || i == 6 || i == 8 || i == 10)
              g_string_append_c (out, '-');
            g_string_append_printf (out, "%02x", b[i]);
          }
        break;
      }
    case CAUDAL_FIELD_STRING:
      {
        const char *s = *(const char *const *) p;
        if (s == NULL)
          g_string_append (out, "null");
        else
          dump_quoted (out, s);
        break;
      }
    case CAUDAL_FIELD_BYTES:
    case CAUDAL_FIELD_RECORDS:
      {
        const CaudalBytes *b = p;
        if (b->len < 0)
          g_string_append (out, "null");
        else
          {
            g_string_append (out, "0x");
            for (gint32 i = 0; i < b->len; i++)
              g_string_append_printf (out, "%02x", b->data[i]);
          }
        break;
      }
    default:
      g_assert_not_reached ();
    }
  g_string_append_c (out, '\n');
}

static void
dump_struct (const CaudalStructDesc *desc,
             gint16                  version,
             gconstpointer           msg,
             const char             *prefix,
             GString                *out)
{
  for (guint i = 0; i < desc->n_fields; i++)
    {
      const CaudalFieldDesc *f = &desc->fields[i];
      g_autofree char *path = NULL;

      if (!field_present (f, version))
        continue;
      path = (prefix && *prefix) ? g_strdup_printf ("%s.%s", prefix, f->name) : g_strdup (f->name);

      if (f->is_array)
        {
          gint32 count = *(const gint32 *) field_cptr (msg, f);
          const guint8 *items = *(const guint8 *const *) ((const guint8 *) msg + f->items_offset);
          gsize elem_size = value_size (f);

          if (count < 0)
            {
              g_string_append_printf (out, "%s = null\n", path);
              continue;
            }
          g_string_append_printf (out, "%s = [%d]\n", path, count);
          for (gint32 j = 0; j < count; j++)
            {
              g_autofree char *elem = g_strdup_printf ("%s[%d]", path, j);
              dump_value (f, version, items + j * elem_size, elem, out);
            }
          continue;
        }
      dump_value (f, version, field_cptr (msg, f), path, out);
    }
}

void
caudal_message_dump (const CaudalStructDesc *desc,
                     gint16                  version,
                     gconstpointer           msg,
                     const char             *prefix,
                     GString                *out)
{
  g_return_if_fail (desc != NULL && msg != NULL && out != NULL);

  dump_struct (desc, version, msg, prefix, out);
}
