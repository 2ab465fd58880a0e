/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-admin-private.h: what the caudal-admin*.c files share. Not
 * installed. */
#pragma once

#include "caudal-admin.h"
#include "caudal-error-codes.h"

G_BEGIN_DECLS

struct _CaudalAdmin
{
  GObject        parent_instance;
  CaudalCluster *cluster;
  GHashTable    *coordinators;   /* group id → GINT_TO_POINTER (node id + 1) */
  GHashTable    *disabled;       /* GINT_TO_POINTER (api key + 1), for tests */
};

/* Defines _ref, _unref (calling type_name##_clear on the last one) and the
 * boxed type of a result struct. */
#define CAUDAL_ADMIN_DEFINE_RESULT(TypeName, type_name)                               \
  TypeName *                                                                         \
  type_name##_ref (TypeName *self)                                                   \
  {                                                                                  \
    return g_atomic_rc_box_acquire (self);                                           \
  }                                                                                  \
  void                                                                               \
  type_name##_unref (TypeName *self)                                                 \
  {                                                                                  \
    g_atomic_rc_box_release_full (self, (GDestroyNotify) type_name##_clear);         \
  }                                                                                  \
  G_DEFINE_BOXED_TYPE (TypeName, type_name, type_name##_ref, type_name##_unref)

/* caudal_cluster_request_async() with the admin as the source object;
 * @build_data must live until the callback runs. An API disabled with
 * caudal_admin_disable_api() fails with CAUDAL_CLIENT_ERROR_UNSUPPORTED. */
void            caudal_admin_request_async  (CaudalAdmin        *admin,
                                             gint32              node_id,
                                             gint16              api_key,
                                             CaudalBuildFunc     build,
                                             gpointer            build_data,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
CaudalResponse *caudal_admin_request_finish (CaudalAdmin  *admin,
                                             GAsyncResult *result,
                                             GError      **error);

/* caudal_cluster_refresh_metadata_async() with the admin as the source. */
void     caudal_admin_refresh_async  (CaudalAdmin        *admin,
                                      const char *const  *topics,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean caudal_admin_refresh_finish (CaudalAdmin  *admin,
                                      GAsyncResult *result,
                                      GError      **error);

/* The shape most admin calls share: refreshes the metadata of @topics
 * (NULL: all; an empty list: brokers only), then calls @next (@task), or
 * fails @task with the refresh's error. @task's reference goes along. */
void     caudal_admin_refresh_then   (GTask              *task,
                                      const char *const  *topics,
                                      void              (*next) (GTask *task));

/* A CAUDAL_KAFKA_ERROR for @code with the broker's @detail; FALSE (and
 * nothing set) when @code is 0. */
gboolean caudal_admin_check (gint16       code,
                             const char  *detail,
                             GError     **error);

/* Sorts CaudalTopicPartitions-like structs whose first two fields are
 * (char *topic, gint32 partition). */
gint     caudal_admin_compare_topic_partition (gconstpointer a,
                                               gconstpointer b);

/* A config entry without synonyms (the caller adds them); a sensitive
 * value is dropped whatever the broker sent. */
CaudalAdminConfigEntry *caudal_admin_config_entry_new (const char *name,
                                                       const char *value,
                                                       gint8       source,
                                                       gboolean    read_only,
                                                       gboolean    sensitive);
/* Sorts CaudalAdminConfigEntry* by name. */
gint     caudal_admin_compare_config_entries (gconstpointer a,
                                              gconstpointer b);

/* Testing: behave as if the broker lacked @api_key. */
void     caudal_admin_disable_api (CaudalAdmin *admin,
                                   gint16       api_key);

G_END_DECLS
