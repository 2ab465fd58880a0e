/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-cluster-producer-ids.c: claims blocks of producer ids in
 * ZooKeeper, as Kafka's ZooKeeper-era ProducerIdManager did:
 * /latest_producer_id_block holds the last block claimed by any broker
 * ({"version":1,"broker":N,"block_start":"S","block_end":"E"}, inclusive,
 * the numbers as strings); a broker claims the next 1000 ids by a write
 * conditional on the version it read. Two brokers racing: one write
 * fails its version check and reads again. */

#include "broker-cluster-private.h"

#include <stdlib.h>
#include <string.h>

#include "caudal-error-codes.h"

#define BLOCK_PATH     "/latest_producer_id_block"
#define BLOCK_SIZE     1000
#define MAX_ATTEMPTS   10

typedef struct
{
  BrokerCluster          *cluster;
  BrokerClusterIdsDone    done;
  gpointer                user_data;
  char                   *path;
  char                   *data;
  gint64                  first;
  gint64                  last;
  guint                   attempts;
} Claim;

static void claim_read (Claim *claim);

static void
claim_finish (Claim      *claim,
              gint16      code,
              const char *message)
{
  if (code == CAUDAL_ERROR_CODE_NONE)
    claim->done (claim->first, claim->last, code, NULL, claim->user_data);
  else
    claim->done (-1, -1, code, message, claim->user_data);
  g_free (claim->path);
  g_free (claim->data);
  g_free (claim);
}

static void
claim_fail_rc (Claim      *claim,
               int         rc,
               const char *what)
{
  g_autofree char *message = g_strdup_printf ("%s %s: %s", what, BLOCK_PATH, zerror (rc));

  claim_finish (claim, CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE, message);
}

/* An answer that came from closing the handle: dropped when the broker
 * stops, failed when an expired session is replaced. */
static gboolean
claim_closing (Claim *claim)
{
  if (!claim->cluster->closing)
    return FALSE;
  if (claim->cluster->freeing)
    {
      g_free (claim->path);
      g_free (claim->data);
      g_free (claim);
    }
  else
    claim_finish (claim, CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE,
                  "The ZooKeeper session ended during a producer id claim.");
  return TRUE;
}

/* Either a string of digits (Kafka writes them so) or a number. */
static gboolean
member_int64 (JsonObject *obj,
              const char *name,
              gint64     *out)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *out = json_node_get_int (node);
      return TRUE;
    }
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_ascii_string_to_signed (json_node_get_string (node), 10, 0, G_MAXINT64, out, NULL);
  return FALSE;
}

static char *
block_json (gint32 broker_id,
            gint64 first,
            gint64 last)
{
  return g_strdup_printf ("{\"version\":1,\"broker\":%d,\"block_start\":\"%" G_GINT64_FORMAT
                          "\",\"block_end\":\"%" G_GINT64_FORMAT "\"}", broker_id, first, last);
}

static void
claim_retry_or_fail (Claim      *claim,
                     int         rc,
                     const char *what)
{
  if (claim->attempts++ < MAX_ATTEMPTS)
    claim_read (claim);
  else
    claim_fail_rc (claim, rc, what);
}

static void
on_block_set (int                rc,
              const struct Stat *stat,
              const void        *data)
{
  Claim *claim = (Claim *) data;

  if (claim_closing (claim))
    return;
  if (rc == ZOK)
    claim_finish (claim, CAUDAL_ERROR_CODE_NONE, NULL);
  else if (rc == ZBADVERSION || rc == ZNONODE)
    claim_retry_or_fail (claim, rc, "cannot claim producer ids in");   /* another broker won */
  else
    claim_fail_rc (claim, rc, "cannot claim producer ids in");
}

static void
on_block_created (int         rc,
                  const char *path,
                  const void *data)
{
  Claim *claim = (Claim *) data;

  if (claim_closing (claim))
    return;
  if (rc == ZOK)
    claim_finish (claim, CAUDAL_ERROR_CODE_NONE, NULL);
  else if (rc == ZNODEEXISTS)
    claim_retry_or_fail (claim, rc, "cannot create");
  else
    claim_fail_rc (claim, rc, "cannot create");
}

static void
on_block_read (int                rc,
               const char        *value,
               int                value_len,
               const struct Stat *stat,
               const void        *data)
{
  Claim *claim = (Claim *) data;
  BrokerCluster *c = claim->cluster;
  gint64 end = -1;
  int zrc;

  if (claim_closing (claim))
    return;
  if (rc != ZOK && rc != ZNONODE)
    {
      claim_fail_rc (claim, rc, "cannot read");
      return;
    }
  /* Absent or empty (Kafka creates the path empty): the first block. */
  if (rc == ZOK && value != NULL && value_len > 0)
    {
      g_autoptr(JsonNode) root = broker_cluster_parse_json (value, value_len);

      if (root == NULL || !member_int64 (json_node_get_object (root), "block_end", &end) || end < -1)
        {
          claim_finish (claim, CAUDAL_ERROR_CODE_UNKNOWN_SERVER_ERROR,
                        "The last producer id block in ZooKeeper is unreadable.");
          return;
        }
    }
  if (end > G_MAXINT64 - BLOCK_SIZE)
    {
      claim_finish (claim, CAUDAL_ERROR_CODE_UNKNOWN_SERVER_ERROR,
                    "Producer ids are exhausted.");
      return;
    }
  claim->first = end + 1;
  claim->last = end + BLOCK_SIZE;
  g_free (claim->data);
  claim->data = block_json (c->id, claim->first, claim->last);
  if (rc == ZNONODE)
    zrc = zoo_acreate (c->zh, claim->path, claim->data, (int) strlen (claim->data),
                       &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, on_block_created, claim);
  else
    zrc = zoo_aset (c->zh, claim->path, claim->data, (int) strlen (claim->data), stat->version,
                    on_block_set, claim);
  if (zrc != ZOK)
    claim_fail_rc (claim, zrc, "cannot write");
}

static void
claim_read (Claim *claim)
{
  int rc = zoo_aget (claim->cluster->zh, claim->path, 0, on_block_read, claim);

  if (rc != ZOK)
    claim_fail_rc (claim, rc, "cannot read");
}

void
broker_cluster_claim_producer_ids (BrokerCluster        *c,
                                   BrokerClusterIdsDone  done,
                                   gpointer              user_data)
{
  Claim *claim;

  g_return_if_fail (c != NULL && done != NULL);
  if (c->zh == NULL)
    {
      done (-1, -1, CAUDAL_ERROR_CODE_COORDINATOR_NOT_AVAILABLE,
            "Not connected to ZooKeeper.", user_data);
      return;
    }
  claim = g_new0 (Claim, 1);
  claim->cluster = c;
  claim->done = done;
  claim->user_data = user_data;
  claim->path = broker_cluster_zpath (c, BLOCK_PATH);
  claim_read (claim);
}
