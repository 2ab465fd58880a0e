/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-meta-store.h: where topic metadata (names, IDs, partition counts,
 * per-topic configs) and the cluster id persist. One interface, so that the
 * single-node local store and a later ZooKeeper store are interchangeable. */
#pragma once

#include <glib.h>

#include "caudal-wire-types.h"

G_BEGIN_DECLS

typedef struct
{
  char       *name;
  CaudalUuid  id;
  gint32      n_partitions;
  GHashTable *configs;   /* char* → char*: the topic's overrides */
} BrokerTopicMeta;

BrokerTopicMeta *broker_topic_meta_new  (const char       *name,
                                         const CaudalUuid *id,
                                         gint32            n_partitions,
                                         GHashTable       *configs);
void             broker_topic_meta_free (BrokerTopicMeta *meta);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerTopicMeta, broker_topic_meta_free)

typedef struct _BrokerMetaStore BrokerMetaStore;

typedef struct
{
  /* Every stored topic (BrokerTopicMeta*, owned by the array). */
  GPtrArray *(*load_topics)  (BrokerMetaStore *store, GError **error);
  /* Creates or replaces one topic's record, durably before returning. */
  gboolean   (*put_topic)    (BrokerMetaStore *store, const BrokerTopicMeta *meta, GError **error);
  gboolean   (*delete_topic) (BrokerMetaStore *store, const char *name, GError **error);
  /* The cluster id, created on first use. */
  char      *(*dup_cluster_id) (BrokerMetaStore *store, GError **error);
  void       (*free)         (BrokerMetaStore *store);
} BrokerMetaStoreVTable;

struct _BrokerMetaStore
{
  const BrokerMetaStoreVTable *vtable;
};

static inline void
broker_meta_store_free (BrokerMetaStore *store)
{
  if (store != NULL)
    store->vtable->free (store);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerMetaStore, broker_meta_store_free)

/* The single-node store: files in @dir (the first log dir), each rewritten
 * whole through temp + fsync + rename. @node_id goes to meta.properties,
 * whose recorded node id must match on later starts. */
BrokerMetaStore *broker_meta_store_local_new (const char *dir,
                                              gint32      node_id,
                                              GError    **error);

/* A fresh random UUID, never the zero or the all-ones sentinel. */
void  broker_uuid_generate (CaudalUuid *out);
/* Kafka's text form of a UUID: 22 characters of URL-safe base64. */
char *broker_uuid_to_string (const CaudalUuid *id);
gboolean broker_uuid_from_string (const char *s, CaudalUuid *out);

G_END_DECLS
