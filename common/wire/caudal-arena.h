/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-arena.h: a bump allocator whose blocks are all freed at once; a
 * decoded message and everything it points to live in one arena. */
#pragma once

#include "caudal-wire-types.h"

G_BEGIN_DECLS

typedef struct _CaudalArena CaudalArena;

/* @limit caps the bytes the arena may hand out (0: no cap); past it,
 * caudal_arena_try_alloc() returns NULL so a decoder can fail cleanly. */
CAUDAL_WIRE_EXPORT CaudalArena *caudal_arena_new       (gsize limit);
CAUDAL_WIRE_EXPORT void         caudal_arena_free      (CaudalArena *arena);
/* Zeroed memory aligned for any scalar type; NULL when over the limit. */
CAUDAL_WIRE_EXPORT gpointer     caudal_arena_try_alloc (CaudalArena *arena,
                                                        gsize        size);
/* Like caudal_arena_try_alloc() but aborts when over the limit: for
 * callers building messages, whose sizes they control. */
CAUDAL_WIRE_EXPORT gpointer     caudal_arena_alloc     (CaudalArena *arena,
                                                        gsize        size);
CAUDAL_WIRE_EXPORT char        *caudal_arena_strndup   (CaudalArena *arena,
                                                        const char  *s,
                                                        gsize        len);
CAUDAL_WIRE_EXPORT char        *caudal_arena_strdup    (CaudalArena *arena,
                                                        const char  *s);
/* Changes the cap (0: none): a server decodes under a cap, then lifts it
 * to build the response in the same arena. */
CAUDAL_WIRE_EXPORT void         caudal_arena_set_limit (CaudalArena *arena,
                                                        gsize        limit);
CAUDAL_WIRE_EXPORT gsize        caudal_arena_used      (const CaudalArena *arena);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CaudalArena, caudal_arena_free)

G_END_DECLS
