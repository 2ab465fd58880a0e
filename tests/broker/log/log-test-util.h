/* SPDX-License-Identifier: GPL-3.0-or-later */
/* log-test-util.h: helpers shared by the broker/log tests: temporary
 * directories, real record batches from CaudalRecordBatchBuilder, and
 * checks of what the log hands back. */
#pragma once

#include "broker-log.h"
#include "caudal-record-batch.h"

G_BEGIN_DECLS

/* A fresh temporary directory; remove it with log_test_rm_rf(). */
char     *log_test_make_tmp_dir (void);
void      log_test_rm_rf        (const char *path);

/* A batch of @n_records records with timestamps @first_ts, @first_ts +
 * @ts_step, …, values of @value_size bytes; base offset 0 (producers send
 * 0), leader epoch -1. Returned as a newly allocated, modifiable buffer. */
guint8   *log_test_make_batch   (guint       n_records,
                                 gint64      first_ts,
                                 gint64      ts_step,
                                 gsize       value_size,
                                 gsize      *len);

/* Appends one such batch and checks that it got @expected_base. */
void      log_test_append       (BrokerLog  *log,
                                 guint       n_records,
                                 gint64      first_ts,
                                 gint64      ts_step,
                                 gsize       value_size,
                                 gint64      now_ms,
                                 gint64      expected_base);

/* Reads at @offset and returns the bytes (empty at the end). */
GBytes   *log_test_read         (BrokerLog  *log,
                                 gint64      offset,
                                 gsize       max_bytes);

/* Parses @bytes as whole batches, checks every CRC and that offsets are
 * contiguous, and returns the batches' base offsets (GArray of gint64). */
GArray   *log_test_batch_bases  (GBytes     *bytes);

/* The size of the file at @path, or -1. */
gint64    log_test_file_size    (const char *path);
char     *log_test_segment_path (const char *dir,
                                 gint64      base,
                                 const char *suffix);

G_END_DECLS
