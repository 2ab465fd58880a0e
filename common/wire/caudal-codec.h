/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-codec.h: the one generic encoder/decoder. It walks the descriptor
 * tables generated from common/wire/schema/ (*.msg files) (docs/wire-schema.md). */
#pragma once

#include "caudal-arena.h"
#include "caudal-primitives.h"

G_BEGIN_DECLS

typedef enum
{
  CAUDAL_FIELD_INT8,
  CAUDAL_FIELD_INT16,
  CAUDAL_FIELD_INT32,
  CAUDAL_FIELD_INT64,
  CAUDAL_FIELD_UINT16,
  CAUDAL_FIELD_UINT32,
  CAUDAL_FIELD_FLOAT64,
  CAUDAL_FIELD_BOOL,
  CAUDAL_FIELD_UUID,
  CAUDAL_FIELD_STRING,
  CAUDAL_FIELD_BYTES,
  CAUDAL_FIELD_RECORDS,
  CAUDAL_FIELD_STRUCT,
} CaudalFieldType;

typedef struct _CaudalStructDesc CaudalStructDesc;

/**
 * CaudalFieldDesc:
 *
 * One field of a message struct, as the schema describes it. Version
 * ranges are inclusive; an empty range has min > max.
 */
typedef struct
{
  const char *name;
  guint8      type;           /* CaudalFieldType; the element type for arrays */
  gboolean    is_array;
  gint16      min_version;
  gint16      max_version;
  gint16      nullable_min;
  gint16      nullable_max;
  gint32      tag;            /* -1: not a tagged field */
  guint32     offset;         /* the value, or the array count */
  guint32     items_offset;   /* arrays: the items pointer */
  gint64      default_int;    /* integers and bool */
  gboolean    default_null;   /* strings, bytes, arrays: null by default */
  const CaudalStructDesc *child;
} CaudalFieldDesc;

struct _CaudalStructDesc
{
  const char            *name;
  guint32                size;
  guint32                n_fields;
  const CaudalFieldDesc *fields;
};

/**
 * CaudalApiDesc:
 * @flexible_from: the first flexible version (KIP-482), or G_MAXINT16
 *
 * One API: its key, name, the versions we speak and both message bodies.
 */
typedef struct
{
  gint16                  key;
  const char             *name;
  gint16                  min_version;
  gint16                  max_version;
  gint16                  flexible_from;
  const CaudalStructDesc *request;
  const CaudalStructDesc *response;
} CaudalApiDesc;

/* The table of every API we describe; NULL for an unknown key. */
CAUDAL_WIRE_EXPORT const CaudalApiDesc *caudal_api_lookup (gint16 api_key);
CAUDAL_WIRE_EXPORT const CaudalApiDesc *caudal_api_lookup_name (const char *name);
CAUDAL_WIRE_EXPORT const CaudalApiDesc *caudal_api_get_all (guint *n_apis);
CAUDAL_WIRE_EXPORT gboolean caudal_api_is_flexible (const CaudalApiDesc *api, gint16 version);
CAUDAL_WIRE_EXPORT gboolean caudal_api_supports (const CaudalApiDesc *api, gint16 version);

/* Sets every field of @msg (a struct described by @desc) to its default. */
CAUDAL_WIRE_EXPORT void     caudal_message_init      (const CaudalStructDesc *desc,
                                                      gpointer                msg);
/* @n default-initialised structs in @arena (for building arrays). */
CAUDAL_WIRE_EXPORT gpointer caudal_message_new_array (CaudalArena            *arena,
                                                      const CaudalStructDesc *desc,
                                                      gsize                   n);

/* The element descriptor reached by @path, a dot-separated list of struct
 * or struct-array field names below @desc ("responses.partition_responses");
 * NULL when a name is unknown or not a struct. For building messages whose
 * nested descriptors are private to the generated tables. */
CAUDAL_WIRE_EXPORT const CaudalStructDesc *caudal_struct_desc_child (const CaudalStructDesc *desc,
                                                                     const char             *path);
/* Allocates @n default-initialised items for the array field @field of
 * @msg (a struct of @desc), stores the items and the count in @msg, and
 * returns the items. */
CAUDAL_WIRE_EXPORT gpointer caudal_message_set_array (CaudalArena            *arena,
                                                      const CaudalStructDesc *desc,
                                                      gpointer                msg,
                                                      const char             *field,
                                                      gsize                   n);

/* Decodes one message body at @version into @out (a struct of @desc's
 * size). Strings and arrays are allocated in @arena; bytes and records
 * point into the reader's buffer. Unknown tagged fields are skipped. Does
 * not require the reader to be at its end afterwards. */
CAUDAL_WIRE_EXPORT gboolean caudal_message_decode    (const CaudalStructDesc *desc,
                                                      gint16                  version,
                                                      gboolean                flexible,
                                                      CaudalReader           *r,
                                                      CaudalArena            *arena,
                                                      gpointer                out,
                                                      GError                **error);
/* Encodes @msg at @version. Fields absent in that version are skipped;
 * tagged fields are written only when they differ from their default. */
CAUDAL_WIRE_EXPORT void     caudal_message_encode    (const CaudalStructDesc *desc,
                                                      gint16                  version,
                                                      gboolean                flexible,
                                                      gconstpointer           msg,
                                                      CaudalWriter           *w);
/* Appends `path = value` lines for every field present at @version
 * (the dump format of docs/wire-schema.md). @prefix may be NULL. */
CAUDAL_WIRE_EXPORT void     caudal_message_dump      (const CaudalStructDesc *desc,
                                                      gint16                  version,
                                                      gconstpointer           msg,
                                                      const char             *prefix,
                                                      GString                *out);

/* The smallest number of bytes a struct can take at @version. */
CAUDAL_WIRE_EXPORT gsize    caudal_message_min_size  (const CaudalStructDesc *desc,
                                                      gint16                  version,
                                                      gboolean                flexible);

G_END_DECLS
