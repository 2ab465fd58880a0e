/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-arena.c: blocks grow geometrically; large requests get a block of
 * their own so a big array does not waste the rest of a small block. */
#include "caudal-arena.h"

#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_FIRST_BLOCK 4096

typedef struct _ArenaBlock ArenaBlock;
struct _ArenaBlock
{
  ArenaBlock *next;
  gsize       size;
  gsize       used;
  /* data follows, aligned */
};

struct _CaudalArena
{
  ArenaBlock *head;
  gsize       limit;
  gsize       handed_out;
  gsize       next_block;
};

#define BLOCK_HEADER (((sizeof (ArenaBlock)) + ARENA_ALIGN - 1) & ~(gsize) (ARENA_ALIGN - 1))

CaudalArena *
caudal_arena_new (gsize limit)
{
  CaudalArena *arena = g_new0 (CaudalArena, 1);
  arena->limit = limit;
  arena->next_block = ARENA_FIRST_BLOCK;
  return arena;
}

void
caudal_arena_free (CaudalArena *arena)
{
  if (arena == NULL)
    return;
  while (arena->head)
    {
      ArenaBlock *next = arena->head->next;
      g_free (arena->head);
      arena->head = next;
    }
  g_free (arena);
}

gpointer
caudal_arena_try_alloc (CaudalArena *arena,
                        gsize        size)
{
  ArenaBlock *b = arena->head;
  gsize rounded;
  guint8 *p;

  if (size == 0)
    size = 1;
  if (size > G_MAXSIZE / 2)
    return NULL;
  rounded = (size + ARENA_ALIGN - 1) & ~(gsize) (ARENA_ALIGN - 1);
  if (arena->limit && arena->handed_out + rounded > arena->limit)
    return NULL;

  if (b == NULL || b->size - b->used < rounded)
    {
      gsize block_size = MAX (arena->next_block, rounded);
      ArenaBlock *nb = g_malloc (BLOCK_HEADER + block_size);

      nb->size = block_size;
      nb->used = 0;
      if (rounded > arena->next_block / 2 && b != NULL)
        {
          /* A large allocation: keep the current block as the head so its
           * free space stays usable. */
          nb->next = b->next;
          b->next = nb;
        }
      else
        {
          nb->next = b;
          arena->head = nb;
          if (arena->next_block < 1024 * 1024)
            arena->next_block *= 2;
        }
      b = nb;
    }

  p = (guint8 *) b + BLOCK_HEADER + b->used;
  b->used += rounded;
  arena->handed_out += rounded;
  memset (p, 0, size);
  return p;
}

gpointer
caudal_arena_alloc (CaudalArena *arena,
                    gsize        size)
{
  gpointer p = caudal_arena_try_alloc (arena, size);
  if (p == NULL)
    g_error ("arena limit of %" G_GSIZE_FORMAT " bytes exceeded", arena->limit);
  return p;
}

char *
caudal_arena_strndup (CaudalArena *arena,
                      const char  *s,
                      gsize        len)
{
  char *d = caudal_arena_try_alloc (arena, len + 1);
  if (d == NULL)
    return NULL;
  if (len)
    memcpy (d, s, len);
  d[len] = '\0';
  return d;
}

char *
caudal_arena_strdup (CaudalArena *arena,
                     const char  *s)
{
  return caudal_arena_strndup (arena, s, strlen (s));
}

gsize
caudal_arena_used (const CaudalArena *arena)
{
  return arena->handed_out;
}

void
caudal_arena_set_limit (CaudalArena *arena,
                        gsize        limit)
{
  g_return_if_fail (arena != NULL);
  arena->limit = limit;
}
