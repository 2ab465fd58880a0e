/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-crc32c.h: CRC-32C (Castagnoli), the checksum of Kafka's record
 * batch v2 (KIP-98), with a hardware path chosen at run time. */
#pragma once

#include "caudal-wire-types.h"

G_BEGIN_DECLS

/**
 * caudal_crc32c:
 * @crc: the CRC of the bytes before @data, or 0 for the first chunk
 * @data: (array length=len): the bytes to checksum
 * @len: the number of bytes in @data
 *
 * Computes the CRC-32C (polynomial 0x1EDC6F41, reflected, initial and
 * final XOR 0xFFFFFFFF) of @data, continuing from @crc, so that checksumming
 * a buffer in pieces gives the same value as checksumming it at once:
 * `caudal_crc32c (caudal_crc32c (0, a, n), b, m)` equals the CRC of a‖b.
 *
 * Uses the SSE4.2 `crc32` instruction when the processor has it, and a
 * table-driven portable implementation otherwise.
 *
 * Returns: the CRC of everything checksummed so far
 */
CAUDAL_WIRE_EXPORT guint32  caudal_crc32c               (guint32     crc,
                                                         const void *data,
                                                         gsize       len);

/**
 * caudal_crc32c_portable:
 * @crc: as for caudal_crc32c()
 * @data: (array length=len): as for caudal_crc32c()
 * @len: as for caudal_crc32c()
 *
 * The table-driven (slicing-by-8) implementation, whatever the processor.
 * Exposed for tests and benchmarks; callers want caudal_crc32c().
 *
 * Returns: the same value as caudal_crc32c()
 */
CAUDAL_WIRE_EXPORT guint32  caudal_crc32c_portable      (guint32     crc,
                                                         const void *data,
                                                         gsize       len);

/**
 * caudal_crc32c_hardware:
 * @crc: as for caudal_crc32c()
 * @data: (array length=len): as for caudal_crc32c()
 * @len: as for caudal_crc32c()
 *
 * The hardware implementation. Must only be called when
 * caudal_crc32c_hardware_available() returns %TRUE; otherwise it falls
 * back to caudal_crc32c_portable(). Exposed for tests and benchmarks.
 *
 * Returns: the same value as caudal_crc32c()
 */
CAUDAL_WIRE_EXPORT guint32  caudal_crc32c_hardware      (guint32     crc,
                                                         const void *data,
                                                         gsize       len);

/**
 * caudal_crc32c_hardware_available:
 *
 * Returns: %TRUE when this build and processor have a hardware CRC-32C
 *   path (x86-64 with SSE4.2), which caudal_crc32c() then uses
 */
CAUDAL_WIRE_EXPORT gboolean caudal_crc32c_hardware_available (void);

G_END_DECLS
