/* SPDX-License-Identifier: GPL-3.0-or-later */
/* core-test-util.h: helpers shared by the broker core tests. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A fresh temporary directory; remove it with core_test_rm_rf(). */
char   *core_test_make_tmp_dir (void);
void    core_test_rm_rf        (const char *path);

/* A valid v2 batch of @n_records records (keys "key-N", values of
 * @value_size bytes of @fill, timestamps @first_ts + i), base offset 0.
 * With @producer_id >= 0 it carries that producer, @epoch and
 * @base_sequence. */
GBytes *core_test_make_batch   (guint   n_records,
                                gint64  first_ts,
                                gsize   value_size,
                                char    fill,
                                gint64  producer_id,
                                gint16  epoch,
                                gint32  base_sequence);

G_END_DECLS
