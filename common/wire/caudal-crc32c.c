/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caudal-crc32c.c: CRC-32C (Castagnoli, RFC 3720 appendix B.4), the record
 * batch v2 checksum (KIP-98: "CRC-32C … from the attributes to the end of
 * the batch").
 *
 * Two implementations compute the same function:
 * - portable: slicing-by-8, eight 256-entry tables so that one step folds
 *   eight input bytes with eight independent lookups;
 * - x86-64 SSE4.2: the `crc32` instruction, run on three interleaved
 *   streams so its 3-cycle latency is hidden, whose partial CRCs are then
 *   combined with precomputed "append N zero bytes" tables.
 * The choice is made once, at first use, from the processor's CPUID bits,
 * so the build does not need -msse4.2. */
#include "caudal-crc32c.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
# define CAUDAL_CRC32C_HAVE_SSE42 1
# include <nmmintrin.h>
#else
# define CAUDAL_CRC32C_HAVE_SSE42 0
#endif

/* The reflected form of the Castagnoli polynomial 0x1EDC6F41. */
#define CRC32C_POLY_REFLECTED 0x82F63B78u

/* table[k][b]: the CRC register contribution of byte b followed by k zero
 * bytes (table[0] is the classic byte-at-a-time table). */
static guint32 crc_table[8][256];

typedef guint32 (*Crc32cFunc) (guint32     crc,
                               const void *data,
                               gsize       len);

static Crc32cFunc crc_impl;
static gboolean   crc_hw_available;

static inline guint32
load_le32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, sizeof v);
  return GUINT32_FROM_LE (v);
}

static void
init_portable_tables (void)
{
  for (guint b = 0; b < 256; b++)
    {
      guint32 r = b;

      for (guint i = 0; i < 8; i++)
        r = (r >> 1) ^ (CRC32C_POLY_REFLECTED & (0u - (r & 1)));
      crc_table[0][b] = r;
    }
  for (guint k = 1; k < 8; k++)
    for (guint b = 0; b < 256; b++)
      {
        guint32 prev = crc_table[k - 1][b];
        crc_table[k][b] = (prev >> 8) ^ crc_table[0][prev & 0xff];
      }
}

/* The raw register update (no pre/post inversion) over @len bytes. */
static guint32
update_portable (guint32       reg,
                 const guint8 *p,
                 gsize         len)
{
  while (len >= 8)
    {
      guint32 lo = load_le32 (p) ^ reg;
      guint32 hi = load_le32 (p + 4);

      /* The first byte has seven more to pass through, hence table 7. */
      reg = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
            crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
            crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
            crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
      p += 8;
      len -= 8;
    }
  while (len--)
    reg = (reg >> 8) ^ crc_table[0][(reg ^ *p++) & 0xff];
  return reg;
}

static guint32
crc32c_portable_impl (guint32     crc,
                      const void *data,
                      gsize       len)
{
  return ~update_portable (~crc, data, len);
}

#if CAUDAL_CRC32C_HAVE_SSE42

/* Stream lengths of the three-way interleave. Long blocks amortise the
 * combine step; short ones keep medium buffers (a few KiB, typical of
 * small batches) on the fast path too. */
#define CRC_LONG  8192
#define CRC_SHORT 256

/* shift_x[k][b]: the register after appending CRC_X zero bytes to a
 * register whose only set bits are b << (8 k). The operation is linear
 * over GF(2), so a register is shifted by XOR-ing four lookups. */
static guint32 shift_long[4][256];
static guint32 shift_short[4][256];

/* Appends @n zero bytes to the register: with zero data a slicing step
 * reduces to the register's own four bytes. */
static guint32
append_zeros (guint32 reg,
              gsize   n)
{
  while (n >= 4)
    {
      reg = crc_table[3][reg & 0xff] ^ crc_table[2][(reg >> 8) & 0xff] ^
            crc_table[1][(reg >> 16) & 0xff] ^ crc_table[0][reg >> 24];
      n -= 4;
    }
  while (n--)
    reg = (reg >> 8) ^ crc_table[0][reg & 0xff];
  return reg;
}

static void
init_shift_table (guint32 table[4][256],
                  gsize   n)
{
  guint32 basis[32];

  /* The operator's image of each single-bit register… */
  for (guint i = 0; i < 32; i++)
    basis[i] = append_zeros (1u << i, n);
  /* …combined by linearity into one table per register byte. */
  for (guint k = 0; k < 4; k++)
    for (guint b = 0; b < 256; b++)
      {
        guint32 v = 0;

        for (guint j = 0; j < 8; j++)
          if (b & (1u << j))
            v ^= basis[8 * k + j];
        table[k][b] = v;
      }
}

static inline guint32
shift (guint32 table[4][256],
       guint32 reg)
{
  return table[0][reg & 0xff] ^ table[1][(reg >> 8) & 0xff] ^
         table[2][(reg >> 16) & 0xff] ^ table[3][reg >> 24];
}

static inline guint64
load_u64 (const guint8 *p)
{
  guint64 v;

  /* x86-64 is little-endian, which is the byte order `crc32` expects. */
  memcpy (&v, p, sizeof v);
  return v;
}

/* Three streams of @block bytes each, starting at @p; the first continues
 * from *@reg. crc(A‖B) = shift(crc(A), |B|) ^ crc₀(B) for the raw
 * register, applied twice. */
__attribute__ ((target ("sse4.2")))
static inline const guint8 *
crc_three_way (guint64       *reg,
               const guint8  *p,
               gsize          block,
               guint32        table[4][256])
{
  guint64 c0 = *reg, c1 = 0, c2 = 0;
  const guint8 *end = p + block;

  do
    {
      c0 = _mm_crc32_u64 (c0, load_u64 (p));
      c1 = _mm_crc32_u64 (c1, load_u64 (p + block));
      c2 = _mm_crc32_u64 (c2, load_u64 (p + 2 * block));
      p += 8;
    }
  while (p < end);

  c0 = shift (table, (guint32) c0) ^ (guint32) c1;
  c0 = shift (table, (guint32) c0) ^ (guint32) c2;
  *reg = c0;
  return p + 2 * block;
}

__attribute__ ((target ("sse4.2")))
static guint32
crc32c_sse42_impl (guint32     crc,
                   const void *data,
                   gsize       len)
{
  const guint8 *p = data;
  guint64 reg = (guint32) ~crc;

  while (len >= 3 * CRC_LONG)
    {
      p = crc_three_way (&reg, p, CRC_LONG, shift_long);
      len -= 3 * CRC_LONG;
    }
  while (len >= 3 * CRC_SHORT)
    {
      p = crc_three_way (&reg, p, CRC_SHORT, shift_short);
      len -= 3 * CRC_SHORT;
    }
  while (len >= 8)
    {
      reg = _mm_crc32_u64 (reg, load_u64 (p));
      p += 8;
      len -= 8;
    }
  while (len--)
    reg = _mm_crc32_u8 ((guint32) reg, *p++);
  return ~(guint32) reg;
}

#endif /* CAUDAL_CRC32C_HAVE_SSE42 */

static void
crc32c_init (void)
{
  static gsize initialized = 0;

  if (G_LIKELY (!g_once_init_enter (&initialized)))
    return;

  init_portable_tables ();
  crc_impl = crc32c_portable_impl;
  crc_hw_available = FALSE;
#if CAUDAL_CRC32C_HAVE_SSE42
  /* __builtin_cpu_init is only required before constructors run, but it
   * is cheap and makes this safe from any context. */
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("sse4.2"))
    {
      init_shift_table (shift_long, CRC_LONG);
      init_shift_table (shift_short, CRC_SHORT);
      crc_impl = crc32c_sse42_impl;
      crc_hw_available = TRUE;
    }
#endif
  g_once_init_leave (&initialized, 1);
}

guint32
caudal_crc32c (guint32     crc,
               const void *data,
               gsize       len)
{
  crc32c_init ();
  return crc_impl (crc, data, len);
}

guint32
caudal_crc32c_portable (guint32     crc,
                        const void *data,
                        gsize       len)
{
  crc32c_init ();
  return crc32c_portable_impl (crc, data, len);
}

guint32
caudal_crc32c_hardware (guint32     crc,
                        const void *data,
                        gsize       len)
{
  crc32c_init ();
#if CAUDAL_CRC32C_HAVE_SSE42
  if (crc_hw_available)
    return crc32c_sse42_impl (crc, data, len);
#endif
  return crc32c_portable_impl (crc, data, len);
}

gboolean
caudal_crc32c_hardware_available (void)
{
  crc32c_init ();
  return crc_hw_available;
}
