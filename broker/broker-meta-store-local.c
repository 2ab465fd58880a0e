/* SPDX-License-Identifier: GPL-3.0-or-later */
/* broker-meta-store-local.c: the single-node metadata store.
 *
 * Two small files in the first log dir, both rewritten whole through
 * temp + fsync + rename (+ fsync of the directory), so a crash leaves
 * either the old or the new version, never a mix:
 *   meta.properties   Kafka's: version=1, cluster.id, node.id
 *   topics.metadata   a GKeyFile: [topic:NAME] id=, partitions=,
 *                     config.KEY=VALUE for each topic override
 * docs/storage.md describes both. */

#include "broker-meta-store.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define TOPICS_FILE "topics.metadata"
#define TOPICS_FORMAT_VERSION 1
#define GROUP_PREFIX "topic:"
#define CONFIG_PREFIX "config."

typedef struct
{
  BrokerMetaStore parent;
  char           *dir;
  gint32          node_id;
  GKeyFile       *topics;
  char           *cluster_id;
} LocalStore;

BrokerTopicMeta *
broker_topic_meta_new (const char       *name,
                       const CaudalUuid *id,
                       gint32            n_partitions,
                       GHashTable       *configs)
{
  BrokerTopicMeta *meta = g_new0 (BrokerTopicMeta, 1);

  meta->name = g_strdup (name);
  meta->id = *id;
  meta->n_partitions = n_partitions;
  meta->configs = configs != NULL ? g_hash_table_ref (configs)
                                  : g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return meta;
}

void
broker_topic_meta_free (BrokerTopicMeta *meta)
{
  if (meta == NULL)
    return;
  g_free (meta->name);
  g_hash_table_unref (meta->configs);
  g_free (meta);
}

void
broker_uuid_generate (CaudalUuid *out)
{
  static const CaudalUuid zero = { { 0 } };
  CaudalUuid ones;

  memset (&ones, 0xff, sizeof ones);
  do
    {
      for (guint i = 0; i < 16; i += 4)
        {
          guint32 r = g_random_int ();
          memcpy (out->bytes + i, &r, 4);
        }
      /* Version 4, variant 1, as Java's Uuid.randomUuid(). */
      out->bytes[6] = (out->bytes[6] & 0x0f) | 0x40;
      out->bytes[8] = (out->bytes[8] & 0x3f) | 0x80;
    }
  while (memcmp (out, &zero, 16) == 0 || memcmp (out, &ones, 16) == 0);
}

char *
broker_uuid_to_string (const CaudalUuid *id)
{
  g_autofree char *b64 = g_base64_encode (id->bytes, 16);

  /* URL-safe alphabet, no padding: 22 characters. */
  for (char *p = b64; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
    }
  return g_strndup (b64, 22);
}

gboolean
broker_uuid_from_string (const char *s,
                         CaudalUuid *out)
{
  char buf[25];
  g_autofree guchar *raw = NULL;
  gsize len = 0;

  if (s == NULL || strlen (s) != 22)
    return FALSE;
  for (guint i = 0; i < 22; i++)
    {
      char c = s[i];
      if (c == '-')
        c = '+';
      else if (c == '_')
        c = '/';
      else if (!g_ascii_isalnum (c))
        return FALSE;
      buf[i] = c;
    }
  buf[22] = '=';
  buf[23] = '=';
  buf[24] = '\0';
  raw = g_base64_decode (buf, &len);
  if (len != 16)
    return FALSE;
  memcpy (out->bytes, raw, 16);
  return TRUE;
}

/* Writes @contents to @dir/@name durably: temp file, fsync, rename, fsync
 * of the directory so the rename itself survives a crash. */
static gboolean
write_file_durably (const char *dir,
                    const char *name,
                    const char *contents,
                    gsize       len,
                    GError    **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);
  int fd;
  gsize done = 0;

  fd = g_open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    goto fail;
  while (done < len)
    {
      ssize_t n = write (fd, contents + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto fail_close;
      done += (gsize) n;
    }
  if (fsync (fd) != 0)
    goto fail_close;
  if (close (fd) != 0)
    {
      fd = -1;
      goto fail;
    }
  fd = -1;
  if (g_rename (tmp, path) != 0)
    goto fail;
  fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd >= 0)
    {
      /* Best effort: some file systems refuse fsync on a directory. */
      (void) fsync (fd);
      close (fd);
    }
  return TRUE;

fail_close:
  {
    int saved = errno;
    close (fd);
    errno = saved;
  }
fail:
  {
    int saved = errno;
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot write %s: %s", path,
                 g_strerror (saved));
    g_unlink (tmp);
    return FALSE;
  }
}

static gboolean
save_topics (LocalStore *self,
             GError    **error)
{
  gsize len;
  g_autofree char *data = NULL;

  g_key_file_set_integer (self->topics, "caudal", "format-version", TOPICS_FORMAT_VERSION);
  data = g_key_file_to_data (self->topics, &len, NULL);
  return write_file_durably (self->dir, TOPICS_FILE, data, len, error);
}

static GPtrArray *
local_load_topics (BrokerMetaStore *store,
                   GError         **error)
{
  LocalStore *self = (LocalStore *) store;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) broker_topic_meta_free);
  g_auto(GStrv) groups = g_key_file_get_groups (self->topics, NULL);

  for (guint i = 0; groups[i] != NULL; i++)
    {
      const char *group = groups[i];
      g_autofree char *id_text = NULL;
      g_auto(GStrv) keys = NULL;
      g_autoptr(GHashTable) configs = NULL;
      CaudalUuid id;
      gint n;
      g_autoptr(GError) local_error = NULL;

      if (!g_str_has_prefix (group, GROUP_PREFIX))
        continue;
      id_text = g_key_file_get_string (self->topics, group, "id", NULL);
      n = g_key_file_get_integer (self->topics, group, "partitions", &local_error);
      if (id_text == NULL || !broker_uuid_from_string (id_text, &id) || local_error != NULL || n <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s/%s: topic %s has no valid id or partition count", self->dir,
                       TOPICS_FILE, group + strlen (GROUP_PREFIX));
          return NULL;
        }
      configs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      keys = g_key_file_get_keys (self->topics, group, NULL, NULL);
      for (guint k = 0; keys != NULL && keys[k] != NULL; k++)
        if (g_str_has_prefix (keys[k], CONFIG_PREFIX))
          g_hash_table_insert (configs, g_strdup (keys[k] + strlen (CONFIG_PREFIX)),
                               g_key_file_get_string (self->topics, group, keys[k], NULL));
      g_ptr_array_add (out, broker_topic_meta_new (group + strlen (GROUP_PREFIX), &id, n, configs));
    }
  return g_steal_pointer (&out);
}

static gboolean
local_put_topic (BrokerMetaStore       *store,
                 const BrokerTopicMeta *meta,
                 GError               **error)
{
  LocalStore *self = (LocalStore *) store;
  g_autofree char *group = g_strconcat (GROUP_PREFIX, meta->name, NULL);
  g_autofree char *id = broker_uuid_to_string (&meta->id);
  GHashTableIter iter;
  gpointer key, value;

  g_key_file_remove_group (self->topics, group, NULL);
  g_key_file_set_string (self->topics, group, "id", id);
  g_key_file_set_integer (self->topics, group, "partitions", meta->n_partitions);
  g_hash_table_iter_init (&iter, meta->configs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *k = g_strconcat (CONFIG_PREFIX, (const char *) key, NULL);
      g_key_file_set_string (self->topics, group, k, value);
    }
  return save_topics (self, error);
}

static gboolean
local_delete_topic (BrokerMetaStore *store,
                    const char      *name,
                    GError         **error)
{
  LocalStore *self = (LocalStore *) store;
  g_autofree char *group = g_strconcat (GROUP_PREFIX, name, NULL);

  if (!g_key_file_remove_group (self->topics, group, NULL))
    return TRUE;
  return save_topics (self, error);
}

static char *
local_dup_cluster_id (BrokerMetaStore *store,
                      GError         **error)
{
  return g_strdup (((LocalStore *) store)->cluster_id);
}

static void
local_free (BrokerMetaStore *store)
{
  LocalStore *self = (LocalStore *) store;

  g_free (self->dir);
  g_key_file_unref (self->topics);
  g_free (self->cluster_id);
  g_free (self);
}

static const BrokerMetaStoreVTable local_vtable = {
  local_load_topics,
  local_put_topic,
  local_delete_topic,
  local_dup_cluster_id,
  local_free,
};

/* Reads meta.properties (or creates it with a new cluster id). */
static gboolean
load_meta_properties (LocalStore *self,
                      GError    **error)
{
  g_autofree char *path = g_build_filename (self->dir, "meta.properties", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 recorded_node = -1;

  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      CaudalUuid id;
      g_autofree char *text = NULL;

      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      broker_uuid_generate (&id);
      self->cluster_id = broker_uuid_to_string (&id);
      text = g_strdup_printf ("#\n# written by caudald\nversion=1\ncluster.id=%s\nnode.id=%d\n",
                              self->cluster_id, self->node_id);
      return write_file_durably (self->dir, "meta.properties", text, strlen (text), error);
    }

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (g_str_has_prefix (lines[i], "cluster.id="))
        self->cluster_id = g_strdup (lines[i] + strlen ("cluster.id="));
      else if (g_str_has_prefix (lines[i], "node.id="))
        recorded_node = g_ascii_strtoll (lines[i] + strlen ("node.id="), NULL, 10);
      else if (g_str_has_prefix (lines[i], "broker.id="))
        recorded_node = g_ascii_strtoll (lines[i] + strlen ("broker.id="), NULL, 10);
    }
  if (self->cluster_id == NULL || *self->cluster_id == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s has no cluster.id", path);
      return FALSE;
    }
  /* As Kafka: a data dir belongs to one node. */
  if (recorded_node >= 0 && recorded_node != self->node_id)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s was written by node %" G_GINT64_FORMAT ", but node.id is %d", path,
                   recorded_node, self->node_id);
      return FALSE;
    }
  return TRUE;
}

BrokerMetaStore *
broker_meta_store_local_new (const char *dir,
                             gint32      node_id,
                             GError    **error)
{
  LocalStore *self;
  g_autofree char *topics_path = g_build_filename (dir, TOPICS_FILE, NULL);
  g_autoptr(GError) local_error = NULL;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot create %s: %s", dir,
                   g_strerror (saved));
      return NULL;
    }

  self = g_new0 (LocalStore, 1);
  self->parent.vtable = &local_vtable;
  self->dir = g_strdup (dir);
  self->node_id = node_id;
  self->topics = g_key_file_new ();

  if (!load_meta_properties (self, error))
    {
      local_free (&self->parent);
      return NULL;
    }
  if (!g_key_file_load_from_file (self->topics, topics_path, G_KEY_FILE_KEEP_COMMENTS, &local_error)
      && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "cannot read %s: %s", topics_path,
                   local_error->message);
      local_free (&self->parent);
      return NULL;
    }
  if (g_key_file_has_group (self->topics, "caudal")
      && g_key_file_get_integer (self->topics, "caudal", "format-version", NULL) > TOPICS_FORMAT_VERSION)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s was written by a newer caudald (format version %d)", topics_path,
                   g_key_file_get_integer (self->topics, "caudal", "format-version", NULL));
      local_free (&self->parent);
      return NULL;
    }
  return &self->parent;
}
