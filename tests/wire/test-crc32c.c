/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CRC-32C: published check values, incremental use, and agreement between
 * the portable and hardware implementations. */
#include "caudal-crc32c.h"

#include <string.h>

static void
test_check_value (void)
{
  /* The "check" value of the CRC-32C catalogue entry (CRC-32/ISCSI). */
  g_assert_cmphex (caudal_crc32c (0, "123456789", 9), ==, 0xE3069283);
  g_assert_cmphex (caudal_crc32c_portable (0, "123456789", 9), ==, 0xE3069283);
  g_assert_cmphex (caudal_crc32c_hardware (0, "123456789", 9), ==, 0xE3069283);
  g_assert_cmphex (caudal_crc32c (0, NULL, 0), ==, 0);
  g_assert_cmphex (caudal_crc32c (0, "a", 1), ==, 0xC1D04330);
}

typedef guint32 (*CrcFunc) (guint32, const void *, gsize);

static void
check_rfc3720 (CrcFunc fn)
{
  guint8 buf[32];

  /* RFC 3720 appendix B.4; the RFC lists the CRC bytes as sent, i.e. the
   * value in little-endian order (aa 36 91 8a is 0x8A9136AA). */
  memset (buf, 0x00, sizeof buf);
  g_assert_cmphex (fn (0, buf, sizeof buf), ==, 0x8A9136AA);
  memset (buf, 0xff, sizeof buf);
  g_assert_cmphex (fn (0, buf, sizeof buf), ==, 0x62A8AB43);
  for (guint i = 0; i < 32; i++)
    buf[i] = (guint8) i;
  g_assert_cmphex (fn (0, buf, sizeof buf), ==, 0x46DD794E);
  for (guint i = 0; i < 32; i++)
    buf[i] = (guint8) (31 - i);
  g_assert_cmphex (fn (0, buf, sizeof buf), ==, 0x113FDB5C);
}

static void
test_rfc3720 (void)
{
  check_rfc3720 (caudal_crc32c);
  check_rfc3720 (caudal_crc32c_portable);
  check_rfc3720 (caudal_crc32c_hardware);
}

static void
test_iscsi_pdu (void)
{
  /* RFC 3720 B.4: an iSCSI read command PDU of 48 bytes. */
  static const guint8 pdu[48] = {
    0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
    0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
    0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  };

  g_assert_cmphex (caudal_crc32c (0, pdu, sizeof pdu), ==, 0xD9963A56);
}

static void
fill_random (guint8 *buf,
             gsize   len,
             GRand  *rand)
{
  for (gsize i = 0; i < len; i++)
    buf[i] = (guint8) g_rand_int_range (rand, 0, 256);
}

static void
test_incremental (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  guint8 buf[300];
  CrcFunc fns[] = { caudal_crc32c, caudal_crc32c_portable, caudal_crc32c_hardware };

  fill_random (buf, sizeof buf, rand);
  for (guint f = 0; f < G_N_ELEMENTS (fns); f++)
    {
      guint32 whole = fns[f] (0, buf, sizeof buf);

      for (gsize split = 0; split <= sizeof buf; split++)
        {
          guint32 crc = fns[f] (0, buf, split);
          crc = fns[f] (crc, buf + split, sizeof buf - split);
          g_assert_cmphex (crc, ==, whole);
        }
      /* Three pieces, to exercise continuing from a non-zero CRC twice. */
      for (gsize a = 0; a <= sizeof buf; a += 7)
        for (gsize b = a; b <= sizeof buf; b += 13)
          {
            guint32 crc = fns[f] (0, buf, a);
            crc = fns[f] (crc, buf + a, b - a);
            crc = fns[f] (crc, buf + b, sizeof buf - b);
            g_assert_cmphex (crc, ==, whole);
          }
    }
}

static void
test_implementations_agree (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autofree guint8 *buf = g_malloc (1024 + 16);

  if (!caudal_crc32c_hardware_available ())
    g_test_message ("no hardware CRC-32C here: comparing the portable path with itself");

  fill_random (buf, 1024 + 16, rand);
  for (gsize misalign = 0; misalign < 16; misalign++)
    for (gsize len = 0; len <= 1024; len++)
      {
        guint32 seed = (len & 1) ? g_rand_int (rand) : 0;
        guint32 sw = caudal_crc32c_portable (seed, buf + misalign, len);
        guint32 hw = caudal_crc32c_hardware (seed, buf + misalign, len);

        if (sw != hw)
          g_error ("len %" G_GSIZE_FORMAT " misalign %" G_GSIZE_FORMAT
                   ": portable %08x, hardware %08x", len, misalign, sw, hw);
        g_assert_cmphex (caudal_crc32c (seed, buf + misalign, len), ==, sw);
      }
}

static void
test_large_buffers (void)
{
  /* Sizes around the hardware path's interleave blocks (3 x 256 and
   * 3 x 8192 bytes), which short buffers never reach. */
  static const gsize sizes[] = {
    767, 768, 769, 24575, 24576, 24577, 24576 + 768 + 7, 100000, 1 << 20,
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  gsize max = 1 << 20;
  g_autofree guint8 *buf = g_malloc (max + 8);

  fill_random (buf, max + 8, rand);
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    for (gsize misalign = 0; misalign < 8; misalign += 3)
      {
        guint32 sw = caudal_crc32c_portable (0, buf + misalign, sizes[i]);

        g_assert_cmphex (caudal_crc32c_hardware (0, buf + misalign, sizes[i]), ==, sw);
        g_assert_cmphex (caudal_crc32c (0, buf + misalign, sizes[i]), ==, sw);
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/crc32c/check-value", test_check_value);
  g_test_add_func ("/crc32c/rfc3720", test_rfc3720);
  g_test_add_func ("/crc32c/iscsi-pdu", test_iscsi_pdu);
  g_test_add_func ("/crc32c/incremental", test_incremental);
  g_test_add_func ("/crc32c/implementations-agree", test_implementations_agree);
  g_test_add_func ("/crc32c/large-buffers", test_large_buffers);
  return g_test_run ();
}
