// SPDX-License-Identifier: GPL-2.0-only
/*
 * HDLC frame codec (daemon/core/dlms/hdlc.c). The SNRM and UA frames are the captured bytes of
 * the DLMS reference sheet (§1.6, Gurux client and server). The other frames were built by
 * hand; their HCS and FCS were computed with a separate bitwise CRC-16/X.25 (Python, poly
 * 0x8408 reflected, init 0xFFFF, final xor 0xFFFF, low byte first) that gives the captured
 * frames' CRCs and the standard check value ("123456789" -> 0x906E), never by the code under
 * test. Where a test needs a valid CRC over bytes it alters on purpose (to reach a later check),
 * it uses pm_hdlc_crc16, itself checked against the check value first.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/dlms/hdlc.h"

/* captured: SNRM client 16 (0x21) -> server 1 (0x03), control 0x93, no information */
static const uint8_t snrm[] = {0x7E, 0xA0, 0x07, 0x03, 0x21, 0x93, 0x0F, 0x01, 0x7E};
/* captured: UA server 1 -> client 16, control 0x73, HCS C3 7A, max info 128/128, window 1/1 */
static const uint8_t ua[] = {0x7E, 0xA0, 0x1E, 0x21, 0x03, 0x73, 0xC3, 0x7A, 0x81, 0x80, 0x12,
			     0x05, 0x01, 0x80, 0x06, 0x01, 0x80, 0x07, 0x04, 0x00, 0x00, 0x00,
			     0x01, 0x08, 0x04, 0x00, 0x00, 0x00, 0x01, 0x53, 0x3B, 0x7E};
/* hand-built: I frame N(S)=0 N(R)=0 P (0x10) from client 16 to a 2-byte server address
 * upper 1 (0x02) lower 17 (0x23), LLC E6 E6 00 and C0 01; HCS F2 E2, FCS 3D B8 */
static const uint8_t i_2byte[] = {0x7E, 0xA0, 0x0F, 0x02, 0x23, 0x21, 0x10, 0xF2, 0xE2,
				  0xE6, 0xE6, 0x00, 0xC0, 0x01, 0x3D, 0xB8, 0x7E};
/* hand-built: segmented (A8) I frame N(R)=1 F (0x30) to client 16 from a 4-byte server address
 * upper 1 (00 02) lower 0x123 (0x123 >> 7 = 2 -> 04, 0x23 -> 0x46 | 1 = 47), LLC E6 E7 00;
 * HCS 98 2B, FCS 9E B4 */
static const uint8_t i_4byte[] = {0x7E, 0xA8, 0x0F, 0x21, 0x00, 0x02, 0x04, 0x47, 0x30,
				  0x98, 0x2B, 0xE6, 0xE7, 0x00, 0x9E, 0xB4, 0x7E};
/* hand-built: RR N(R)=5 F (0xB1) from server 1 to client 16; FCS 1F A5 */
static const uint8_t rr[] = {0x7E, 0xA0, 0x07, 0x21, 0x03, 0xB1, 0x1F, 0xA5, 0x7E};

static struct pm_hdlc_addr addr(uint8_t size, uint16_t upper, uint16_t lower)
{
	struct pm_hdlc_addr a = {.upper = upper, .lower = lower, .size = size};
	return a;
}

static void expect_encode(const struct pm_hdlc_frame *f, const uint8_t *want, size_t n)
{
	uint8_t buf[64];
	size_t len = 99;

	ck_assert_int_eq(pm_hdlc_encode(f, buf, sizeof(buf), &len), PM_HDLC_OK);
	ck_assert_uint_eq(len, n);
	ck_assert(memcmp(buf, want, n) == 0);
	/* exactly the room it needs is enough; one byte less is not */
	ck_assert_int_eq(pm_hdlc_encode(f, buf, n, &len), PM_HDLC_OK);
	ck_assert_int_eq(pm_hdlc_encode(f, buf, n - 1, &len), PM_HDLC_ERR_SPACE);
	ck_assert_uint_eq(len, 0);
}

/* Rewrites the HCS (when @hl, the header length without flag, is given) and the FCS of the
 * frame at @p so a test reaches a later check. */
static void fix_crcs(uint8_t *p, size_t n, size_t hl)
{
	uint16_t c;

	if (hl) {
		c = pm_hdlc_crc16(p + 1, hl);
		p[1 + hl] = (uint8_t)(c & 0xFF);
		p[2 + hl] = (uint8_t)(c >> 8);
	}
	c = pm_hdlc_crc16(p + 1, n - 4);
	p[n - 3] = (uint8_t)(c & 0xFF);
	p[n - 2] = (uint8_t)(c >> 8);
}

START_TEST(test_crc_check_value)
{
	ck_assert_uint_eq(pm_hdlc_crc16("123456789", 9), 0x906E);
	ck_assert_uint_eq(pm_hdlc_crc16("", 0), 0x0000);
	/* the captured SNRM: FCS over A0 07 03 21 93 is 0x010F, sent 0F 01 */
	ck_assert_uint_eq(pm_hdlc_crc16(snrm + 1, 5), 0x010F);
}
END_TEST

START_TEST(test_snrm_captured)
{
	struct pm_hdlc_frame f = {0};

	f.dst = addr(1, 1, 0);
	f.src = addr(1, 16, 0);
	f.type = PM_HDLC_SNRM;
	f.pf = true;
	expect_encode(&f, snrm, sizeof(snrm));

	memset(&f, 0xAA, sizeof(f));
	ck_assert_int_eq(pm_hdlc_decode(snrm, sizeof(snrm), &f), PM_HDLC_OK);
	ck_assert_int_eq(f.type, PM_HDLC_SNRM);
	ck_assert(f.pf);
	ck_assert(!f.segmented);
	ck_assert_uint_eq(f.dst.size, 1);
	ck_assert_uint_eq(f.dst.upper, 1);
	ck_assert_uint_eq(f.dst.lower, 0);
	ck_assert_uint_eq(f.src.size, 1);
	ck_assert_uint_eq(f.src.upper, 16);
	ck_assert_uint_eq(f.info_len, 0);
	ck_assert_ptr_null(f.info);
}
END_TEST

START_TEST(test_ua_captured)
{
	struct pm_hdlc_frame f;
	struct pm_hdlc_params pr;

	ck_assert_int_eq(pm_hdlc_decode(ua, sizeof(ua), &f), PM_HDLC_OK);
	ck_assert_int_eq(f.type, PM_HDLC_UA);
	ck_assert(f.pf);
	ck_assert_uint_eq(f.dst.upper, 16);
	ck_assert_uint_eq(f.src.upper, 1);
	ck_assert_uint_eq(f.info_len, 21);
	ck_assert_ptr_eq(f.info, ua + 8);
	ck_assert_int_eq(pm_hdlc_params_decode(f.info, f.info_len, &pr), PM_HDLC_OK);
	ck_assert_uint_eq(pr.max_info_tx, 128);
	ck_assert_uint_eq(pr.max_info_rx, 128);
	ck_assert_uint_eq(pr.window_tx, 1);
	ck_assert_uint_eq(pr.window_rx, 1);

	/* the same frame encoded again, information as captured */
	expect_encode(&f, ua, sizeof(ua));
}
END_TEST

START_TEST(test_i_frames_2_and_4_byte_addresses)
{
	struct pm_hdlc_frame f = {0};
	static const uint8_t req[] = {0xE6, 0xE6, 0x00, 0xC0, 0x01};
	static const uint8_t resp[] = {0xE6, 0xE7, 0x00};

	f.dst = addr(2, 1, 17);
	f.src = addr(1, 16, 0);
	f.type = PM_HDLC_I;
	f.pf = true;
	f.info = req;
	f.info_len = sizeof(req);
	ck_assert_uint_eq(pm_hdlc_control(&f), 0x10);
	expect_encode(&f, i_2byte, sizeof(i_2byte));
	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(pm_hdlc_decode(i_2byte, sizeof(i_2byte), &f), PM_HDLC_OK);
	ck_assert_int_eq(f.type, PM_HDLC_I);
	ck_assert_uint_eq(f.ns, 0);
	ck_assert_uint_eq(f.nr, 0);
	ck_assert(f.pf);
	ck_assert_uint_eq(f.dst.size, 2);
	ck_assert_uint_eq(f.dst.upper, 1);
	ck_assert_uint_eq(f.dst.lower, 17);
	ck_assert_uint_eq(f.info_len, sizeof(req));
	ck_assert(memcmp(f.info, req, sizeof(req)) == 0);

	memset(&f, 0, sizeof(f));
	f.segmented = true;
	f.dst = addr(1, 16, 0);
	f.src = addr(4, 1, 0x123);
	f.type = PM_HDLC_I;
	f.nr = 1;
	f.pf = true;
	f.info = resp;
	f.info_len = sizeof(resp);
	ck_assert_uint_eq(pm_hdlc_control(&f), 0x30);
	expect_encode(&f, i_4byte, sizeof(i_4byte));
	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(pm_hdlc_decode(i_4byte, sizeof(i_4byte), &f), PM_HDLC_OK);
	ck_assert(f.segmented);
	ck_assert_int_eq(f.type, PM_HDLC_I);
	ck_assert_uint_eq(f.ns, 0);
	ck_assert_uint_eq(f.nr, 1);
	ck_assert_uint_eq(f.src.size, 4);
	ck_assert_uint_eq(f.src.upper, 1);
	ck_assert_uint_eq(f.src.lower, 0x123);
	ck_assert_uint_eq(f.info_len, sizeof(resp));
	ck_assert(memcmp(f.info, resp, sizeof(resp)) == 0);
}
END_TEST

START_TEST(test_rr)
{
	struct pm_hdlc_frame f = {0};

	f.dst = addr(1, 16, 0);
	f.src = addr(1, 1, 0);
	f.type = PM_HDLC_RR;
	f.nr = 5;
	f.pf = true;
	expect_encode(&f, rr, sizeof(rr));
	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(pm_hdlc_decode(rr, sizeof(rr), &f), PM_HDLC_OK);
	ck_assert_int_eq(f.type, PM_HDLC_RR);
	ck_assert_uint_eq(f.nr, 5);
	ck_assert(f.pf);
}
END_TEST

/* The control byte of every type, and every type, P/F, N(S), N(R) back through a frame. */
START_TEST(test_control_fields)
{
	static const struct {
		enum pm_hdlc_type type;
		uint8_t ctrl; /* P/F set, N(S) 0, N(R) 0 */
	} want[] = {
	    {PM_HDLC_I, 0x10},	  {PM_HDLC_RR, 0x11},	{PM_HDLC_RNR, 0x15},
	    {PM_HDLC_SNRM, 0x93}, {PM_HDLC_DISC, 0x53}, {PM_HDLC_UA, 0x73},
	    {PM_HDLC_DM, 0x1F},	  {PM_HDLC_FRMR, 0x97}, {PM_HDLC_UI, 0x13},
	};
	struct pm_hdlc_frame f = {0}, g;
	uint8_t buf[32];
	size_t i, len;
	unsigned ns, nr, pf;

	f.dst = addr(1, 1, 0);
	f.src = addr(1, 16, 0);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		f.type = want[i].type;
		f.pf = true;
		f.ns = f.nr = 0;
		ck_assert_uint_eq(pm_hdlc_control(&f), want[i].ctrl);
		f.pf = false;
		ck_assert_uint_eq(pm_hdlc_control(&f), want[i].ctrl & 0xEF);
		for (pf = 0; pf < 2; pf++)
			for (ns = 0; ns < 8; ns++)
				for (nr = 0; nr < 8; nr++) {
					f.pf = pf;
					f.ns = (uint8_t)ns;
					f.nr = (uint8_t)nr;
					ck_assert_int_eq(pm_hdlc_encode(&f, buf, sizeof(buf), &len),
							 PM_HDLC_OK);
					ck_assert_int_eq(pm_hdlc_decode(buf, len, &g), PM_HDLC_OK);
					ck_assert_int_eq(g.type, f.type);
					ck_assert(g.pf == f.pf);
					ck_assert_uint_eq(g.ns, f.type == PM_HDLC_I ? ns : 0);
					ck_assert_uint_eq(g.nr, f.type <= PM_HDLC_RNR ? nr : 0);
				}
	}
	/* I: N(R) 7, N(S) 7, no P: 111 0 111 0 */
	f.type = PM_HDLC_I;
	f.pf = false;
	f.ns = 7;
	f.nr = 7;
	ck_assert_uint_eq(pm_hdlc_control(&f), 0xEE);
	f.type = PM_HDLC_RNR;
	f.pf = true;
	f.nr = 2; /* 010 1 0101 */
	ck_assert_uint_eq(pm_hdlc_control(&f), 0x55);
}
END_TEST

/* Addresses at their limits back and forth; sizes and values an address cannot have. */
START_TEST(test_addresses)
{
	static const struct {
		struct pm_hdlc_addr a;
		uint8_t bytes[4];
	} ok[] = {
	    {{0x7F, 0, 1}, {0xFF}},
	    {{0, 0, 1}, {0x01}},
	    {{0x7F, 0x7F, 2}, {0xFE, 0xFF}},
	    {{0, 0, 2}, {0x00, 0x01}},
	    {{0x3FFF, 0x3FFF, 4}, {0xFE, 0xFE, 0xFE, 0xFF}},
	    {{0x80, 0x81, 4}, {0x02, 0x00, 0x02, 0x03}},
	};
	static const struct pm_hdlc_addr bad[] = {
	    {0x80, 0, 1},   {1, 1, 1},	    {0x80, 0, 2}, {0, 0x80, 2},
	    {0x4000, 0, 4}, {0, 0x4000, 4}, {1, 0, 3},	  {1, 0, 0},
	};
	struct pm_hdlc_frame f = {0}, g;
	uint8_t buf[32];
	size_t i, len;

	f.type = PM_HDLC_DISC;
	f.pf = true;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		f.dst = ok[i].a;
		f.src = ok[i].a;
		ck_assert_int_eq(pm_hdlc_encode(&f, buf, sizeof(buf), &len), PM_HDLC_OK);
		ck_assert_uint_eq(len, 2 + 2 + 2u * ok[i].a.size + 1 + 2);
		ck_assert(memcmp(buf + 3, ok[i].bytes, ok[i].a.size) == 0);
		ck_assert(memcmp(buf + 3 + ok[i].a.size, ok[i].bytes, ok[i].a.size) == 0);
		ck_assert_int_eq(pm_hdlc_decode(buf, len, &g), PM_HDLC_OK);
		ck_assert_uint_eq(g.dst.size, ok[i].a.size);
		ck_assert_uint_eq(g.dst.upper, ok[i].a.upper);
		ck_assert_uint_eq(g.dst.lower, ok[i].a.lower);
		ck_assert_uint_eq(g.src.size, ok[i].a.size);
		ck_assert_uint_eq(g.src.upper, ok[i].a.upper);
		ck_assert_uint_eq(g.src.lower, ok[i].a.lower);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f.dst = bad[i];
		f.src = addr(1, 16, 0);
		ck_assert_int_eq(pm_hdlc_encode(&f, buf, sizeof(buf), &len), PM_HDLC_ERR_ADDRESS);
		f.dst = addr(1, 1, 0);
		f.src = bad[i];
		ck_assert_int_eq(pm_hdlc_encode(&f, buf, sizeof(buf), &len), PM_HDLC_ERR_ADDRESS);
	}
}
END_TEST

START_TEST(test_decode_errors)
{
	uint8_t b[64];
	struct pm_hdlc_frame f;
	size_t n;

	/* truncated: nothing, a flag and a format byte, one byte short of the length */
	ck_assert_int_eq(pm_hdlc_decode(snrm, 0, &f), PM_HDLC_ERR_TRUNCATED);
	ck_assert_int_eq(pm_hdlc_decode(snrm, 2, &f), PM_HDLC_ERR_TRUNCATED);
	ck_assert_int_eq(pm_hdlc_decode(snrm, sizeof(snrm) - 1, &f), PM_HDLC_ERR_TRUNCATED);
	ck_assert_int_eq(pm_hdlc_decode(ua, sizeof(ua) - 1, &f), PM_HDLC_ERR_TRUNCATED);

	/* flags: opening and closing */
	memcpy(b, snrm, sizeof(snrm));
	b[0] = 0x7F;
	ck_assert_int_eq(pm_hdlc_decode(b, sizeof(snrm), &f), PM_HDLC_ERR_FLAG);
	memcpy(b, snrm, sizeof(snrm));
	b[8] = 0x00;
	ck_assert_int_eq(pm_hdlc_decode(b, sizeof(snrm), &f), PM_HDLC_ERR_FLAG);

	/* format: not type 3 */
	memcpy(b, snrm, sizeof(snrm));
	b[1] = 0x80;
	ck_assert_int_eq(pm_hdlc_decode(b, sizeof(snrm), &f), PM_HDLC_ERR_FORMAT);

	/* length: under 7, bytes past the closing flag, 3 or 4 bytes after control */
	memcpy(b, snrm, sizeof(snrm));
	b[2] = 0x06;
	ck_assert_int_eq(pm_hdlc_decode(b, 8, &f), PM_HDLC_ERR_LENGTH);
	memcpy(b, snrm, sizeof(snrm));
	b[9] = 0x7E;
	ck_assert_int_eq(pm_hdlc_decode(b, 10, &f), PM_HDLC_ERR_LENGTH);
	for (n = 10; n <= 11; n++) {
		/* 7E A0 len 03 21 93 [n - 7 bytes] 7E */
		memset(b, 0, sizeof(b));
		memcpy(b, snrm, 6);
		b[2] = (uint8_t)(n - 2);
		b[n - 1] = 0x7E;
		ck_assert_int_eq(pm_hdlc_decode(b, n, &f), PM_HDLC_ERR_LENGTH);
	}

	/* address: no extension bit before control and FCS; a 3-byte address */
	memcpy(b, snrm, sizeof(snrm));
	b[3] = 0x02;
	b[4] = 0x20;
	ck_assert_int_eq(pm_hdlc_decode(b, sizeof(snrm), &f), PM_HDLC_ERR_ADDRESS);
	memcpy(b, snrm, sizeof(snrm));
	b[4] = 0x20; /* source with no extension bit: runs into control */
	ck_assert_int_eq(pm_hdlc_decode(b, sizeof(snrm), &f), PM_HDLC_ERR_ADDRESS);
	/* 7E A0 0C 00 00 00 00 01 21 93 FCS 7E: 5 address bytes; 00 00 03: 3 bytes */
	memset(b, 0, sizeof(b));
	b[0] = 0x7E;
	b[1] = 0xA0;
	b[2] = 0x0C;
	b[7] = 0x01;
	b[8] = 0x21;
	b[9] = 0x93;
	b[13] = 0x7E;
	ck_assert_int_eq(pm_hdlc_decode(b, 14, &f), PM_HDLC_ERR_ADDRESS);
	b[2] = 0x0A;
	b[5] = 0x03;
	b[6] = 0x21;
	b[7] = 0x93;
	b[11] = 0x7E;
	ck_assert_int_eq(pm_hdlc_decode(b, 12, &f), PM_HDLC_ERR_ADDRESS);

	/* HCS then FCS, each one bit off */
	memcpy(b, ua, sizeof(ua));
	b[6] ^= 1;
	ck_assert_int_eq(pm_hdlc_decode(b, sizeof(ua), &f), PM_HDLC_ERR_HCS);
	memcpy(b, ua, sizeof(ua));
	b[4] ^= 2; /* the header changed: HCS first */
	ck_assert_int_eq(pm_hdlc_decode(b, sizeof(ua), &f), PM_HDLC_ERR_HCS);
	memcpy(b, ua, sizeof(ua));
	b[10] ^= 0x40; /* information changed: FCS */
	ck_assert_int_eq(pm_hdlc_decode(b, sizeof(ua), &f), PM_HDLC_ERR_FCS);
	memcpy(b, ua, sizeof(ua));
	b[29] ^= 0x80;
	ck_assert_int_eq(pm_hdlc_decode(b, sizeof(ua), &f), PM_HDLC_ERR_FCS);
	memcpy(b, snrm, sizeof(snrm));
	b[5] = 0x83; /* SNRM without P: the FCS no longer matches */
	ck_assert_int_eq(pm_hdlc_decode(b, sizeof(snrm), &f), PM_HDLC_ERR_FCS);

	/* control: REJ (0x09), SREJ (0x0D), SABM (0x2F), 0xFF; all with good CRCs */
	static const uint8_t unknown[] = {0x09, 0x0D, 0x2F, 0x3F, 0xFF, 0xE3};
	for (n = 0; n < sizeof(unknown); n++) {
		memcpy(b, snrm, sizeof(snrm));
		b[5] = unknown[n];
		fix_crcs(b, sizeof(snrm), 0);
		ck_assert_int_eq(pm_hdlc_decode(b, sizeof(snrm), &f), PM_HDLC_ERR_CONTROL);
	}
	/* the control fix works: 0x83 with its CRC is a SNRM without P */
	memcpy(b, snrm, sizeof(snrm));
	b[5] = 0x83;
	fix_crcs(b, sizeof(snrm), 0);
	ck_assert_int_eq(pm_hdlc_decode(b, sizeof(snrm), &f), PM_HDLC_OK);
	ck_assert(!f.pf);
	/* RR carrying information */
	memcpy(b, ua, sizeof(ua));
	b[5] = 0x11;
	fix_crcs(b, sizeof(ua), 5);
	ck_assert_int_eq(pm_hdlc_decode(b, sizeof(ua), &f), PM_HDLC_ERR_CONTROL);
	b[5] = 0x13; /* UI may */
	fix_crcs(b, sizeof(ua), 5);
	ck_assert_int_eq(pm_hdlc_decode(b, sizeof(ua), &f), PM_HDLC_OK);
	ck_assert_int_eq(f.type, PM_HDLC_UI);
}
END_TEST

START_TEST(test_encode_errors_and_largest)
{
	struct pm_hdlc_frame f = {0}, g;
	uint8_t info[PM_HDLC_MAX_INFO + 1];
	uint8_t *buf = malloc(PM_HDLC_MAX_FRAME + 8);
	size_t len, i;

	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < sizeof(info); i++)
		info[i] = (uint8_t)(i * 7);
	f.dst = addr(1, 1, 0);
	f.src = addr(1, 16, 0);
	f.type = PM_HDLC_RR;
	f.info = info;
	f.info_len = 1;
	ck_assert_int_eq(pm_hdlc_encode(&f, buf, 64, &len), PM_HDLC_ERR_CONTROL);
	f.type = PM_HDLC_RNR;
	ck_assert_int_eq(pm_hdlc_encode(&f, buf, 64, &len), PM_HDLC_ERR_CONTROL);
	f.type = PM_HDLC_I;
	f.ns = 8;
	ck_assert_int_eq(pm_hdlc_encode(&f, buf, 64, &len), PM_HDLC_ERR_CONTROL);
	f.ns = 0;
	f.nr = 8;
	ck_assert_int_eq(pm_hdlc_encode(&f, buf, 64, &len), PM_HDLC_ERR_CONTROL);
	f.nr = 0;
	f.type = (enum pm_hdlc_type)99;
	ck_assert_int_eq(pm_hdlc_encode(&f, buf, 64, &len), PM_HDLC_ERR_CONTROL);

	/* the largest information field with the largest header: exactly 2047 between flags */
	f.type = PM_HDLC_I;
	f.dst = addr(4, 0x3FFF, 0x3FFF);
	f.src = addr(4, 1, 2);
	f.info_len = PM_HDLC_MAX_INFO;
	ck_assert_int_eq(pm_hdlc_encode(&f, buf, PM_HDLC_MAX_FRAME, &len), PM_HDLC_OK);
	ck_assert_uint_eq(len, PM_HDLC_MAX_FRAME);
	ck_assert_uint_eq(buf[1], 0xA7);
	ck_assert_uint_eq(buf[2], 0xFF);
	ck_assert_int_eq(pm_hdlc_decode(buf, len, &g), PM_HDLC_OK);
	ck_assert_uint_eq(g.info_len, PM_HDLC_MAX_INFO);
	ck_assert(memcmp(g.info, info, PM_HDLC_MAX_INFO) == 0);
	ck_assert_int_eq(pm_hdlc_encode(&f, buf, PM_HDLC_MAX_FRAME - 1, &len), PM_HDLC_ERR_SPACE);
	f.info_len = PM_HDLC_MAX_INFO + 1;
	ck_assert_int_eq(pm_hdlc_encode(&f, buf, PM_HDLC_MAX_FRAME + 8, &len), PM_HDLC_ERR_SPACE);
	/* with 1-byte addresses six more bytes fit */
	f.dst = addr(1, 1, 0);
	f.src = addr(1, 16, 0);
	ck_assert_int_eq(pm_hdlc_encode(&f, buf, PM_HDLC_MAX_FRAME + 8, &len), PM_HDLC_ERR_SPACE);
	free(buf);
}
END_TEST

START_TEST(test_find)
{
	uint8_t b[128] = {0};
	size_t n = 0, start, flen, consume;

	/* nothing, no flag */
	ck_assert(!pm_hdlc_find(b, 0, &start, &flen, &consume));
	ck_assert_uint_eq(consume, 0);
	memset(b, 0x55, 10);
	ck_assert(!pm_hdlc_find(b, 10, &start, &flen, &consume));
	ck_assert_uint_eq(consume, 10);

	/* garbage (with a stray flag and a false frame start), then SNRM, then UA sharing the
	 * SNRM's closing flag, then RR with flags of its own */
	memcpy(b, "\x11\x7E\x22\x7E\xA0\x07\x00\x00", 8);
	n = 8;
	memcpy(b + n, snrm, sizeof(snrm));
	n += sizeof(snrm);
	memcpy(b + n, ua + 1, sizeof(ua) - 1);
	n += sizeof(ua) - 1;
	memcpy(b + n, rr, sizeof(rr));
	n += sizeof(rr);

	/* partial: only the garbage and half the SNRM: drop the garbage before its flag */
	ck_assert(!pm_hdlc_find(b, 12, &start, &flen, &consume));
	ck_assert_uint_eq(consume, 8);
	ck_assert(!pm_hdlc_find(b + 8, 1, &start, &flen, &consume));
	ck_assert_uint_eq(consume, 0);
	ck_assert(!pm_hdlc_find(b + 8, 2, &start, &flen, &consume));
	ck_assert_uint_eq(consume, 0);

	ck_assert(pm_hdlc_find(b, n, &start, &flen, &consume));
	ck_assert_uint_eq(start, 8);
	ck_assert_uint_eq(flen, sizeof(snrm));
	ck_assert(memcmp(b + start, snrm, sizeof(snrm)) == 0);
	ck_assert_uint_eq(consume, 8 + sizeof(snrm) - 1);
	memmove(b, b + consume, n - consume);
	n -= consume;

	ck_assert(pm_hdlc_find(b, n, &start, &flen, &consume));
	ck_assert_uint_eq(start, 0);
	ck_assert_uint_eq(flen, sizeof(ua));
	ck_assert(memcmp(b, ua, sizeof(ua)) == 0);
	memmove(b, b + consume, n - consume);
	n -= consume;

	/* 7E (closing of UA) 7E A0 ...: the first flag is skipped */
	ck_assert(pm_hdlc_find(b, n, &start, &flen, &consume));
	ck_assert_uint_eq(start, 1);
	ck_assert_uint_eq(flen, sizeof(rr));
	ck_assert(memcmp(b + 1, rr, sizeof(rr)) == 0);
	memmove(b, b + consume, n - consume);
	n -= consume;

	/* the last closing flag is kept, as a possible opener */
	ck_assert_uint_eq(n, 1);
	ck_assert(!pm_hdlc_find(b, n, &start, &flen, &consume));
	ck_assert_uint_eq(consume, 0);

	/* a format with a length under 7, and one whose end is no flag: skipped */
	memcpy(b, "\x7E\xA0\x03\x7E", 4);
	memcpy(b + 4, snrm, sizeof(snrm));
	b[5] = 0xA0;
	b[6] = 0x05; /* 7E A0 05: ... ends at b[10], not a flag */
	ck_assert(!pm_hdlc_find(b, 4, &start, &flen, &consume));
	ck_assert_uint_eq(consume, 3);
	memcpy(b, "\x7E\xA0\x08\x7E", 4);
	memcpy(b + 4, snrm, sizeof(snrm));
	/* 7E A0 08 runs to b[9], not a flag; b[3] is a second flag before the SNRM's */
	ck_assert(pm_hdlc_find(b, 4 + sizeof(snrm), &start, &flen, &consume));
	ck_assert_uint_eq(start, 4);
	ck_assert_uint_eq(flen, sizeof(snrm));

	/* a flag and a byte that is no format at the end: nothing to wait for */
	ck_assert(!pm_hdlc_find((const uint8_t *)"\x7E\x00", 2, &start, &flen, &consume));
	ck_assert_uint_eq(consume, 2);
	ck_assert(!pm_hdlc_find((const uint8_t *)"\x7E\xA0", 2, &start, &flen, &consume));
	ck_assert_uint_eq(consume, 0);
}
END_TEST

/* Noise that looks like the start of a 2047-byte frame does not hold up the frame behind it
 * once its header shows it is none; a header not yet arrived is waited for. */
START_TEST(test_find_noise_header)
{
	uint8_t b[64] = {0};
	size_t n, start, flen, consume;

	/* 7E A7 FF 03 21 13 then a bad HCS (00 00), then the SNRM */
	memcpy(b, "\x7E\xA7\xFF\x03\x21\x13\x00\x00", 8);
	memcpy(b + 8, snrm, sizeof(snrm));
	n = 8 + sizeof(snrm);
	ck_assert(pm_hdlc_find(b, n, &start, &flen, &consume));
	ck_assert_uint_eq(start, 8);
	ck_assert_uint_eq(flen, sizeof(snrm));
	/* its HCS only partly there: wait */
	ck_assert(!pm_hdlc_find(b, 7, &start, &flen, &consume));
	ck_assert_uint_eq(consume, 0);
	ck_assert(!pm_hdlc_find(b, 4, &start, &flen, &consume));
	ck_assert_uint_eq(consume, 0);

	/* the same with a good HCS (that of the UA's header A0 1E 21 03 73 is C3 7A) would be
	 * waited for: UA header with a long length and its HCS recomputed */
	memcpy(b, ua, 8);
	b[1] = 0xA7;
	b[2] = 0xFF;
	b[6] = (uint8_t)(pm_hdlc_crc16(b + 1, 5) & 0xFF);
	b[7] = (uint8_t)(pm_hdlc_crc16(b + 1, 5) >> 8);
	ck_assert(!pm_hdlc_find(b, n, &start, &flen, &consume));
	ck_assert_uint_eq(consume, 0);

	/* addresses: a 3-byte one, and one with no extension bit before control and FCS */
	memcpy(b, "\x7E\xA7\xFF\x02\x02\x03\x21\x13", 8);
	ck_assert(pm_hdlc_find(b, n, &start, &flen, &consume));
	ck_assert_uint_eq(start, 8);
	memcpy(b, "\x7E\xA0\x08\x02\x02\x02\x21\x13", 8);
	ck_assert(pm_hdlc_find(b, n, &start, &flen, &consume));
	ck_assert_uint_eq(start, 8);
	/* 3 or 4 bytes after control: room for neither FCS alone nor HCS, information and FCS */
	memcpy(b, "\x7E\xA0\x09\x03\x21\x13\x00\x00", 8);
	ck_assert(pm_hdlc_find(b, n, &start, &flen, &consume));
	ck_assert_uint_eq(start, 8);
	/* a source address not yet arrived: wait */
	memcpy(b, "\x7E\xA7\xFF\x00\x02\x00\x03\x20", 8);
	ck_assert(!pm_hdlc_find(b, 8, &start, &flen, &consume));
	ck_assert_uint_eq(consume, 0);
}
END_TEST

START_TEST(test_params)
{
	struct pm_hdlc_params pr;
	uint8_t out[32];
	static const uint8_t defaults[] = {0x81, 0x80, 0x0C, 0x05, 0x01, 0x80, 0x06, 0x01,
					   0x80, 0x07, 0x01, 0x01, 0x08, 0x01, 0x01};
	/* TX 0x400 (2 bytes), RX 0x10000 (4 bytes), window 7 and 3: 16 bytes in the group */
	static const uint8_t wide[] = {0x81, 0x80, 0x10, 0x05, 0x02, 0x04, 0x00, 0x06, 0x04, 0x00,
				       0x01, 0x00, 0x00, 0x07, 0x01, 0x07, 0x08, 0x01, 0x03};

	memset(&pr, 0, sizeof(pr));
	ck_assert_int_eq(pm_hdlc_params_decode(NULL, 0, &pr), PM_HDLC_OK);
	ck_assert_uint_eq(pr.max_info_tx, 128);
	ck_assert_uint_eq(pr.window_rx, 1);
	ck_assert_uint_eq(pm_hdlc_params_encode(&pr, out, sizeof(out)), sizeof(defaults));
	ck_assert(memcmp(out, defaults, sizeof(defaults)) == 0);
	ck_assert_uint_eq(pm_hdlc_params_encode(&pr, out, sizeof(defaults) - 1), 0);

	pr.max_info_tx = 0x400;
	pr.max_info_rx = 0x10000;
	pr.window_tx = 7;
	pr.window_rx = 3;
	ck_assert_uint_eq(pm_hdlc_params_encode(&pr, out, sizeof(out)), sizeof(wide));
	ck_assert(memcmp(out, wide, sizeof(wide)) == 0);
	memset(&pr, 0, sizeof(pr));
	ck_assert_int_eq(pm_hdlc_params_decode(wide, sizeof(wide), &pr), PM_HDLC_OK);
	ck_assert_uint_eq(pr.max_info_tx, 0x400);
	ck_assert_uint_eq(pr.max_info_rx, 0x10000);
	ck_assert_uint_eq(pr.window_tx, 7);
	ck_assert_uint_eq(pr.window_rx, 3);

	/* only window RX, and an unknown parameter: the rest default */
	static const uint8_t some[] = {0x81, 0x80, 0x07, 0x0A, 0x02, 0xAA, 0xBB, 0x08, 0x01, 0x04};
	ck_assert_int_eq(pm_hdlc_params_decode(some, sizeof(some), &pr), PM_HDLC_OK);
	ck_assert_uint_eq(pr.max_info_tx, 128);
	ck_assert_uint_eq(pr.max_info_rx, 128);
	ck_assert_uint_eq(pr.window_tx, 1);
	ck_assert_uint_eq(pr.window_rx, 4);
	/* an empty group */
	ck_assert_int_eq(pm_hdlc_params_decode(defaults, 3 - 0, &pr), PM_HDLC_ERR_PARAM);
	static const uint8_t empty_group[] = {0x81, 0x80, 0x00};
	ck_assert_int_eq(pm_hdlc_params_decode(empty_group, 3, &pr), PM_HDLC_OK);

	/* errors */
	static const uint8_t *const bad[] = {
	    (const uint8_t *)"\x82\x80\x03\x07\x01\x01", /* format */
	    (const uint8_t *)"\x81\x81\x03\x07\x01\x01", /* group */
	    (const uint8_t *)"\x81\x80\x04\x07\x01\x01", /* group length past the end */
	    (const uint8_t *)"\x81\x80\x02\x07\x01\x01", /* group length short of it */
	    (const uint8_t *)"\x81\x80\x03\x07\x02\x01", /* parameter past the end */
	    (const uint8_t *)"\x81\x80\x03\x07\x00\x01", /* length 0 (then a dangling id) */
	    (const uint8_t *)"\x81\x80\x03\x07\x01\x00", /* window 0 */
	    (const uint8_t *)"\x81\x80\x03\x07\x01\x08", /* window 8 */
	    (const uint8_t *)"\x81\x80\x03\x05\x01\x00", /* max info 0 */
	    (const uint8_t *)"\x81\x80\x03\x08\x01\x09", /* window RX 9 */
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(pm_hdlc_params_decode(bad[i], 6, &pr) == PM_HDLC_ERR_PARAM, "bad %zu",
			      i);
	static const uint8_t len5[] = {0x81, 0x80, 0x07, 0x05, 0x05, 0, 0, 0, 0, 1};
	ck_assert_int_eq(pm_hdlc_params_decode(len5, sizeof(len5), &pr), PM_HDLC_ERR_PARAM);
	ck_assert_int_eq(pm_hdlc_params_decode(len5, 2, &pr), PM_HDLC_ERR_PARAM);
	static const uint8_t dangling[] = {0x81, 0x80, 0x04, 0x07, 0x01, 0x01, 0x05};
	ck_assert_int_eq(pm_hdlc_params_decode(dangling, sizeof(dangling), &pr), PM_HDLC_ERR_PARAM);

	pm_hdlc_params_default(&pr);
	pr.window_tx = 8;
	ck_assert_uint_eq(pm_hdlc_params_encode(&pr, out, sizeof(out)), 0);
	pm_hdlc_params_default(&pr);
	pr.max_info_rx = 0;
	ck_assert_uint_eq(pm_hdlc_params_encode(&pr, out, sizeof(out)), 0);
}
END_TEST

START_TEST(test_strerror)
{
	int e;

	ck_assert_str_eq(pm_hdlc_strerror(PM_HDLC_ERR_FCS), "bad FCS");
	ck_assert_str_eq(pm_hdlc_strerror(PM_HDLC_ERR_HCS), "bad HCS");
	for (e = 1; e >= -11; e--)
		ck_assert_ptr_nonnull(pm_hdlc_strerror(e));
	ck_assert_str_eq(pm_hdlc_strerror(1), "unknown HDLC error");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dlms_hdlc");
	TCase *tc = tcase_create("dlms_hdlc");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 0); /* no time limit: these tests are about results */
	tcase_add_test(tc, test_crc_check_value);
	tcase_add_test(tc, test_snrm_captured);
	tcase_add_test(tc, test_ua_captured);
	tcase_add_test(tc, test_i_frames_2_and_4_byte_addresses);
	tcase_add_test(tc, test_rr);
	tcase_add_test(tc, test_control_fields);
	tcase_add_test(tc, test_addresses);
	tcase_add_test(tc, test_decode_errors);
	tcase_add_test(tc, test_encode_errors_and_largest);
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_find_noise_header);
	tcase_add_test(tc, test_params);
	tcase_add_test(tc, test_strerror);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
