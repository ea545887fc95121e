// SPDX-License-Identifier: GPL-2.0-only
/*
 * The HDLC link layer (daemon/core/dlms/hdlc-link.c), frame by frame. Every frame given to the
 * link is built here from its hand-written parts (addresses, the control byte worked out from
 * its bits, the information field); HCS and FCS come from pm_hdlc_crc16, itself checked against
 * the standard's check value and the captured frames in test_dlms_hdlc.c. The answers are read
 * with pm_hdlc_decode (checked there too) and compared field by field, the control byte as a
 * number worked out by hand: I frame N(R) << 5 | P/F 0x10 | N(S) << 1; RR N(R) << 5 | P/F | 1;
 * UA 0x73, DM 0x1F, FRMR 0x97 (with F). Two answers are also compared whole with frames the
 * project's spec-written Python client builds (tests/dlms/cosem_hdlc.py), whose CRC gives the
 * captured Gurux frames.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/dlms/hdlc-link.h"

static const uint8_t CLIENT16[] = {0x21};		  /* SAP 16: 16 << 1 | 1 */
static const uint8_t CLIENT1[] = {0x03};		  /* SAP 1 */
static const uint8_t SRV1[] = {0x03};			  /* upper 1, 1-byte form */
static const uint8_t SRV_2B[] = {0x02, 0x23};		  /* upper 1 << 1, lower 0x11 << 1 | 1 */
static const uint8_t SRV_4B[] = {0x00, 0x02, 0x00, 0x23}; /* upper 1, lower 0x11, 14 bits each */
static const uint8_t SRV_OTHER[] = {0x02, 0x25};	  /* lower 0x12: the next meter */
static const uint8_t SRV_BCAST[] = {0x02, 0xFF};	  /* lower 0x7F: all stations */
static const uint8_t LLC_REQ[] = {0xE6, 0xE6, 0x00};

struct out {
	uint8_t buf[PM_HDLC_LINK_OUT_MAX];
	size_t len;
	unsigned ev;
	/* the frames of buf */
	size_t n;
	struct pm_hdlc_frame f[8];
	uint8_t ctrl[8];
};

/* One frame from its parts into @p; returns its length. */
static size_t mk(uint8_t *p, const uint8_t *dst, size_t dl, const uint8_t *src, size_t sl,
		 uint8_t ctrl, const uint8_t *info, size_t il, bool seg)
{
	size_t hl = 2 + dl + sl + 1, total = hl + (il ? 2 + il : 0) + 2;
	uint16_t c;

	p[0] = 0x7E;
	p[1] = (uint8_t)(0xA0 | (seg ? 0x08 : 0) | total >> 8);
	p[2] = (uint8_t)total;
	memcpy(p + 3, dst, dl);
	memcpy(p + 3 + dl, src, sl);
	p[3 + dl + sl] = ctrl;
	if (il) {
		c = pm_hdlc_crc16(p + 1, hl);
		p[1 + hl] = (uint8_t)c;
		p[2 + hl] = (uint8_t)(c >> 8);
		memcpy(p + 3 + hl, info, il);
	}
	c = pm_hdlc_crc16(p + 1, total - 2);
	p[total - 1] = (uint8_t)c;
	p[total] = (uint8_t)(c >> 8);
	p[total + 1] = 0x7E;
	return total + 2;
}

/* Splits o->buf into frames, each decoded (it must decode). */
static void split(struct out *o)
{
	size_t pos = 0, start, flen, consume;

	o->n = 0;
	while (pos < o->len && pm_hdlc_find(o->buf + pos, o->len - pos, &start, &flen, &consume)) {
		ck_assert_uint_lt(o->n, 8);
		ck_assert_int_eq(pm_hdlc_decode(o->buf + pos + start, flen, &o->f[o->n]),
				 PM_HDLC_OK);
		o->ctrl[o->n] = o->buf[pos + start + 3 + o->f[o->n].dst.size + o->f[o->n].src.size];
		o->n++;
		pos += start + flen;
	}
	ck_assert_uint_eq(pos, o->len); /* nothing but frames */
}

static void feed(struct pm_hdlc_link *l, const uint8_t *dst, size_t dl, const uint8_t *src,
		 size_t sl, uint8_t ctrl, const uint8_t *info, size_t il, bool seg, uint64_t now,
		 struct out *o)
{
	uint8_t fr[PM_HDLC_MAX_FRAME];
	size_t n = mk(fr, dst, dl, src, sl, ctrl, info, il, seg);

	o->ev = pm_hdlc_link_input(l, fr, n, now, o->buf, &o->len);
	split(o);
}

/* Client 16 to the 2-byte address 1/0x11. */
static void feed2(struct pm_hdlc_link *l, uint8_t ctrl, const uint8_t *info, size_t il, bool seg,
		  struct out *o)
{
	feed(l, SRV_2B, sizeof(SRV_2B), CLIENT16, 1, ctrl, info, il, seg, 1000, o);
}

static void answer(struct pm_hdlc_link *l, const uint8_t *apdu, size_t n, struct out *o)
{
	ck_assert_int_eq(pm_hdlc_link_answer(l, apdu, n, o->buf, &o->len), 0);
	o->ev = 0;
	split(o);
}

/* A link at 1/0x11 offering 256/256 and windows 7/7. */
static struct pm_hdlc_link *bus_link(void)
{
	struct pm_hdlc_link_config cfg;
	struct pm_hdlc_link *l;

	pm_hdlc_link_config_default(&cfg);
	cfg.lower = 0x11;
	cfg.offer = (struct pm_hdlc_params){256, 256, 7, 7};
	l = pm_hdlc_link_new(&cfg);
	ck_assert_ptr_nonnull(l);
	return l;
}

/* SNRM with the client's parameters: max info tx @tx, rx @rx, windows @w both ways. */
static void connect(struct pm_hdlc_link *l, uint8_t tx, uint8_t rx, uint8_t w, struct out *o)
{
	const uint8_t p[] = {0x81, 0x80, 0x0C, 0x05, 0x01, tx,	 0x06, 0x01,
			     rx,   0x07, 0x01, w,    0x08, 0x01, w};

	feed2(l, 0x93, p, sizeof(p), false, o);
	ck_assert_uint_eq(o->n, 1);
	ck_assert_uint_eq(o->ctrl[0], 0x73);
	ck_assert(o->ev & PM_HDLC_LINK_RESET);
}

/* The release request RLRQ (62 00) behind its LLC header in one I frame N(S) 0 N(R) 0 P. */
static void request(struct pm_hdlc_link *l, struct out *o)
{
	feed2(l, 0x10, (const uint8_t[]){0xE6, 0xE6, 0x00, 0x62, 0x00}, 5, false, o);
	ck_assert_uint_eq(o->ev, PM_HDLC_LINK_APDU);
}

/* A bus link connected with a client receiving @client_rx octets a frame in windows of @window,
 * a request answered with the @n octets of @resp, all @fill: its first frames in @o. */
static struct pm_hdlc_link *answering(uint8_t client_rx, uint8_t window, uint8_t *resp, size_t n,
				      uint8_t fill, struct out *o)
{
	struct pm_hdlc_link *l = bus_link();

	memset(resp, fill, n);
	connect(l, 128, client_rx, window, o);
	request(l, o);
	answer(l, resp, n, o);
	return l;
}

START_TEST(test_snrm_captured_gets_ua)
{
	/* the captured Gurux SNRM (client 16 -> server 1, no information field: defaults) */
	static const uint8_t snrm[] = {0x7E, 0xA0, 0x07, 0x03, 0x21, 0x93, 0x0F, 0x01, 0x7E};
	/* cosem_hdlc.frame(address(16), address(1), 0x73, params(128, 128, 1, 1)) */
	static const uint8_t ua[] = {0x7E, 0xA0, 0x18, 0x21, 0x03, 0x73, 0x59, 0x31, 0x81,
				     0x80, 0x0C, 0x05, 0x01, 0x80, 0x06, 0x01, 0x80, 0x07,
				     0x01, 0x01, 0x08, 0x01, 0x01, 0x05, 0x13, 0x7E};
	struct pm_hdlc_link_config cfg;
	struct pm_hdlc_link *l;
	uint8_t out[PM_HDLC_LINK_OUT_MAX];
	size_t len;

	pm_hdlc_link_config_default(&cfg);
	l = pm_hdlc_link_new(&cfg);
	ck_assert_ptr_nonnull(l);
	ck_assert(!pm_hdlc_link_connected(l));
	ck_assert_uint_eq(pm_hdlc_link_input(l, snrm, sizeof(snrm), 5, out, &len),
			  PM_HDLC_LINK_RESET);
	ck_assert_uint_eq(len, sizeof(ua));
	ck_assert(memcmp(out, ua, len) == 0);
	ck_assert(pm_hdlc_link_connected(l));
	pm_hdlc_link_free(l);
}
END_TEST

START_TEST(test_negotiation_takes_the_smaller)
{
	struct pm_hdlc_link *l = bus_link();
	struct pm_hdlc_params pr;
	struct out o;

	/* the client transmits 64 and receives 200 at most, windows 3: we send 200 (its rx, under
	 * our 256), take 64 (its tx), windows 3 */
	connect(l, 64, 200, 3, &o);
	pm_hdlc_link_params(l, &pr);
	ck_assert_uint_eq(pr.max_info_tx, 200);
	ck_assert_uint_eq(pr.max_info_rx, 64);
	ck_assert_uint_eq(pr.window_tx, 3);
	ck_assert_uint_eq(pr.window_rx, 3);
	/* the UA says so, from our side: 05 01 C8, 06 01 40, 07 01 03, 08 01 03 */
	{
		const uint8_t want[] = {0x81, 0x80, 0x0C, 0x05, 0x01, 0xC8, 0x06, 0x01,
					0x40, 0x07, 0x01, 0x03, 0x08, 0x01, 0x03};
		ck_assert_uint_eq(o.f[0].info_len, sizeof(want));
		ck_assert(memcmp(o.f[0].info, want, sizeof(want)) == 0);
	}
	/* the UA comes from the address the client called, to the client */
	ck_assert_uint_eq(o.f[0].src.size, 2);
	ck_assert_uint_eq(o.f[0].src.lower, 0x11);
	ck_assert_uint_eq(o.f[0].dst.upper, 16);
	ck_assert(o.f[0].pf);
	pm_hdlc_link_free(l);
}
END_TEST

START_TEST(test_snrm_bad_parameters_dm)
{
	struct pm_hdlc_link *l = bus_link();
	/* window 9: above 7 */
	const uint8_t p[] = {0x81, 0x80, 0x03, 0x07, 0x01, 0x09};
	struct out o;

	feed2(l, 0x93, p, sizeof(p), false, &o);
	ck_assert_uint_eq(o.n, 1);
	ck_assert_uint_eq(o.ctrl[0], 0x1F);
	ck_assert(!pm_hdlc_link_connected(l));
	pm_hdlc_link_free(l);
}
END_TEST

START_TEST(test_request_and_answer)
{
	/* cosem_hdlc.frame(address(16), address(1), 0x30, LLC_RESPONSE + C4 01 C1 00 12 00 09) */
	static const uint8_t want[] = {0x7E, 0xA0, 0x13, 0x21, 0x03, 0x30, 0xD3,
				       0x81, 0xE6, 0xE7, 0x00, 0xC4, 0x01, 0xC1,
				       0x00, 0x12, 0x00, 0x09, 0xC2, 0x2C, 0x7E};
	static const uint8_t get[] = {0xE6, 0xE6, 0x00, 0xC0, 0x01, 0xC1, 0x00, 0x0F,
				      0x00, 0x00, 0x28, 0x00, 0x00, 0xFF, 0x02, 0x00};
	static const uint8_t resp[] = {0xC4, 0x01, 0xC1, 0x00, 0x12, 0x00, 0x09};
	struct pm_hdlc_link_config cfg;
	struct pm_hdlc_link *l;
	const uint8_t *apdu;
	uint16_t csap, ssap;
	size_t n;
	struct out o;

	pm_hdlc_link_config_default(&cfg);
	l = pm_hdlc_link_new(&cfg);
	feed(l, SRV1, 1, CLIENT16, 1, 0x93, NULL, 0, false, 0, &o);
	ck_assert_uint_eq(o.ctrl[0], 0x73);
	/* I frame N(S) 0 N(R) 0 P: 0x10 */
	feed(l, SRV1, 1, CLIENT16, 1, 0x10, get, sizeof(get), false, 1, &o);
	ck_assert_uint_eq(o.ev, PM_HDLC_LINK_APDU);
	ck_assert_uint_eq(o.n, 0); /* the answer carries the acknowledgement */
	pm_hdlc_link_apdu(l, &apdu, &n, &csap, &ssap);
	ck_assert_uint_eq(n, sizeof(get) - 3);
	ck_assert(memcmp(apdu, get + 3, n) == 0);
	ck_assert_uint_eq(csap, 16);
	ck_assert_uint_eq(ssap, 1);
	ck_assert_int_eq(pm_hdlc_link_answer(l, resp, sizeof(resp), o.buf, &o.len), 0);
	ck_assert_uint_eq(o.len, sizeof(want));
	ck_assert(memcmp(o.buf, want, sizeof(want)) == 0);
	/* the next request: N(S) 1, N(R) 1 (acknowledges our frame 0), P: 0x32 */
	feed(l, SRV1, 1, CLIENT16, 1, 0x32, get, sizeof(get), false, 2, &o);
	ck_assert_uint_eq(o.ev, PM_HDLC_LINK_APDU);
	answer(l, resp, sizeof(resp), &o);
	/* our N(S) 1, N(R) 2, F: 2 << 5 | 0x10 | 1 << 1 = 0x52 */
	ck_assert_uint_eq(o.n, 1);
	ck_assert_uint_eq(o.ctrl[0], 0x52);
	pm_hdlc_link_free(l);
}
END_TEST

START_TEST(test_addresses_1_2_4_bytes)
{
	struct pm_hdlc_link_config cfg;
	struct pm_hdlc_link *l;
	struct out o;

	/* with a lower address the 2- and 4-byte forms reach us, the 1-byte form does not */
	l = bus_link();
	feed(l, SRV_4B, 4, CLIENT16, 1, 0x93, NULL, 0, false, 0, &o);
	ck_assert_uint_eq(o.n, 1);
	ck_assert_uint_eq(o.ctrl[0], 0x73);
	ck_assert_uint_eq(o.f[0].src.size, 4); /* answered in the form it was called */
	feed(l, SRV1, 1, CLIENT16, 1, 0x93, NULL, 0, false, 0, &o);
	ck_assert_uint_eq(o.len, 0);
	pm_hdlc_link_free(l);
	/* without one, only the 1-byte form */
	pm_hdlc_link_config_default(&cfg);
	l = pm_hdlc_link_new(&cfg);
	feed(l, SRV_2B, 2, CLIENT16, 1, 0x93, NULL, 0, false, 0, &o);
	ck_assert_uint_eq(o.len, 0);
	ck_assert(!pm_hdlc_link_connected(l));
	feed(l, SRV1, 1, CLIENT16, 1, 0x93, NULL, 0, false, 0, &o);
	ck_assert_uint_eq(o.ctrl[0], 0x73);
	pm_hdlc_link_free(l);
}
END_TEST

/* While client 16 is connected, client 1's SNRM (P set, 0x93) to the same meter gets nothing
 * and changes nothing: the association of 16 goes on. */
START_TEST(test_other_client_snrm_ignored)
{
	const uint8_t p[] = {0x81, 0x80, 0x0C, 0x05, 0x01, 0x40, 0x06, 0x01,
			     0x40, 0x07, 0x01, 0x01, 0x08, 0x01, 0x01};
	struct pm_hdlc_link *l = bus_link();
	struct pm_hdlc_link_stats st;
	struct pm_hdlc_params pr;
	struct out o;

	connect(l, 128, 200, 3, &o);
	feed(l, SRV_2B, sizeof(SRV_2B), CLIENT1, 1, 0x93, p, sizeof(p), false, 1000, &o);
	ck_assert_uint_eq(o.len, 0);
	ck_assert_uint_eq(o.ev, 0);
	ck_assert(pm_hdlc_link_connected(l));
	pm_hdlc_link_params(l, &pr);
	ck_assert_uint_eq(pr.max_info_tx, 200); /* not client 1's 64 */
	ck_assert_uint_eq(pr.window_tx, 3);
	pm_hdlc_link_get_stats(l, &st);
	ck_assert_uint_eq(st.other_address, 1);
	/* client 16's first request, N(S) 0, is still the one due */
	request(l, &o);
	pm_hdlc_link_free(l);
}
END_TEST

START_TEST(test_other_meters_and_broadcast_ignored)
{
	struct pm_hdlc_link *l = bus_link();
	struct pm_hdlc_link_stats st;
	const uint8_t upper2[] = {0x04, 0x23}; /* logical device 2 of our physical address */
	struct out o;

	feed(l, SRV_OTHER, 2, CLIENT16, 1, 0x93, NULL, 0, false, 0, &o);
	ck_assert_uint_eq(o.len, 0);
	feed(l, SRV_BCAST, 2, CLIENT16, 1, 0x93, NULL, 0, false, 0, &o);
	ck_assert_uint_eq(o.len, 0);
	feed(l, upper2, 2, CLIENT16, 1, 0x93, NULL, 0, false, 0, &o);
	ck_assert_uint_eq(o.len, 0);
	ck_assert(!pm_hdlc_link_connected(l));
	/* connected, another meter's traffic changes nothing: its I frame is not ours */
	connect(l, 128, 128, 1, &o);
	feed(l, SRV_OTHER, 2, CLIENT16, 1, 0x10, LLC_REQ, 3, false, 0, &o);
	ck_assert_uint_eq(o.len, 0);
	pm_hdlc_link_get_stats(l, &st);
	ck_assert_uint_eq(st.other_address, 4);
	ck_assert_uint_eq(st.frames, 1);
	pm_hdlc_link_free(l);
}
END_TEST

START_TEST(test_bad_frames_ignored)
{
	struct pm_hdlc_link *l = bus_link();
	struct pm_hdlc_link_stats st;
	uint8_t fr[64], out[PM_HDLC_LINK_OUT_MAX];
	size_t n, len;

	n = mk(fr, SRV_2B, 2, CLIENT16, 1, 0x93, NULL, 0, false);
	fr[n - 2] ^= 0x01; /* FCS */
	ck_assert_uint_eq(pm_hdlc_link_input(l, fr, n, 0, out, &len), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(pm_hdlc_link_input(l, fr, n - 3, 0, out, &len), 0); /* half */
	ck_assert_uint_eq(len, 0);
	pm_hdlc_link_get_stats(l, &st);
	ck_assert_uint_eq(st.bad, 2);
	ck_assert(!pm_hdlc_link_connected(l));
	pm_hdlc_link_free(l);
}
END_TEST

START_TEST(test_disconnected_dm_and_disc)
{
	struct pm_hdlc_link *l = bus_link();
	struct out o;

	/* I frame before SNRM: DM with F (0x1F), nothing delivered */
	feed2(l, 0x10, LLC_REQ, 3, false, &o);
	ck_assert_uint_eq(o.ev, 0);
	ck_assert_uint_eq(o.n, 1);
	ck_assert_uint_eq(o.ctrl[0], 0x1F);
	/* DISC when disconnected: DM */
	feed2(l, 0x53, NULL, 0, false, &o);
	ck_assert_uint_eq(o.ctrl[0], 0x1F);
	connect(l, 128, 128, 1, &o);
	/* DISC when connected: UA without information, the association ends */
	feed2(l, 0x53, NULL, 0, false, &o);
	ck_assert_uint_eq(o.n, 1);
	ck_assert_uint_eq(o.ctrl[0], 0x73);
	ck_assert_uint_eq(o.f[0].info_len, 0);
	ck_assert_uint_eq(o.ev, PM_HDLC_LINK_RESET);
	ck_assert(!pm_hdlc_link_connected(l));
	pm_hdlc_link_free(l);
}
END_TEST

/* An answer of 70 octets + LLC = 73 at 32 a frame: 32, 32, 9. */
START_TEST(test_answer_segmented)
{
	struct pm_hdlc_link *l = bus_link();
	uint8_t resp[70];
	struct out o;

	for (size_t i = 0; i < sizeof(resp); i++)
		resp[i] = (uint8_t)i;
	connect(l, 128, 32, 1, &o); /* the client receives 32 */
	request(l, &o);
	answer(l, resp, sizeof(resp), &o);
	/* frame N(S) 0 N(R) 1 F, segmented: 0x30 */
	ck_assert_uint_eq(o.n, 1);
	ck_assert_uint_eq(o.ctrl[0], 0x30);
	ck_assert(o.f[0].segmented);
	ck_assert_uint_eq(o.f[0].info_len, 32);
	ck_assert_uint_eq(o.f[0].info[0], 0xE6);
	ck_assert_uint_eq(o.f[0].info[1], 0xE7);
	ck_assert_uint_eq(o.f[0].info[3], 0); /* resp[0] */
	/* RR N(R) 1 P (0x31): the next, N(S) 1: 0x32, segmented, resp[29..60] */
	feed2(l, 0x31, NULL, 0, false, &o);
	ck_assert_uint_eq(o.n, 1);
	ck_assert_uint_eq(o.ctrl[0], 0x32);
	ck_assert(o.f[0].segmented);
	ck_assert_uint_eq(o.f[0].info_len, 32);
	ck_assert_uint_eq(o.f[0].info[0], 29);
	/* the same RR again (our frame lost): the same frame again */
	feed2(l, 0x31, NULL, 0, false, &o);
	ck_assert_uint_eq(o.ctrl[0], 0x32);
	ck_assert_uint_eq(o.f[0].info[0], 29);
	/* RR N(R) 2 P (0x51): the last, N(S) 2: 0x34, not segmented, resp[61..69] */
	feed2(l, 0x51, NULL, 0, false, &o);
	ck_assert_uint_eq(o.ctrl[0], 0x34);
	ck_assert(!o.f[0].segmented);
	ck_assert_uint_eq(o.f[0].info_len, 9);
	ck_assert_uint_eq(o.f[0].info[0], 61);
	ck_assert_uint_eq(o.f[0].info[8], 69);
	pm_hdlc_link_free(l);
}
END_TEST

START_TEST(test_answer_window_3)
{
	uint8_t resp[200];
	struct out o;
	/* 203 octets at 64: 4 frames (64, 64, 64, 11); window 3: three, F on the third only */
	struct pm_hdlc_link *l = answering(64, 3, resp, sizeof(resp), 0x5A, &o);

	ck_assert_uint_eq(o.n, 3);
	ck_assert_uint_eq(o.ctrl[0], 0x20); /* N(R) 1, N(S) 0 */
	ck_assert_uint_eq(o.ctrl[1], 0x22); /* N(S) 1 */
	ck_assert_uint_eq(o.ctrl[2], 0x34); /* N(S) 2, F */
	/* the client got the first two only: RR N(R) 2 P (0x51): frames 2 and 3 */
	feed2(l, 0x51, NULL, 0, false, &o);
	ck_assert_uint_eq(o.n, 2);
	ck_assert_uint_eq(o.ctrl[0], 0x24); /* N(S) 2 again */
	ck_assert_uint_eq(o.ctrl[1], 0x36); /* N(S) 3, F, the last */
	ck_assert(o.f[0].segmented);
	ck_assert(!o.f[1].segmented);
	ck_assert_uint_eq(o.f[1].info_len, 11);
	pm_hdlc_link_free(l);
}
END_TEST

START_TEST(test_request_segmented)
{
	struct pm_hdlc_link *l = bus_link();
	uint8_t seg[64];
	const uint8_t *apdu;
	uint16_t cs, ss;
	size_t n;
	struct out o;

	connect(l, 64, 128, 1, &o); /* the client transmits 64 a frame */
	memset(seg, 0x11, sizeof(seg));
	memcpy(seg, LLC_REQ, 3);
	/* N(S) 0 P segmented: RR N(R) 1 F (0x31) */
	feed2(l, 0x10, seg, 64, true, &o);
	ck_assert_uint_eq(o.ev, 0);
	ck_assert_uint_eq(o.n, 1);
	ck_assert_uint_eq(o.ctrl[0], 0x31);
	/* N(S) 1 P, last (10 octets): the APDU, 61 + 10 octets */
	memset(seg, 0x22, 10);
	feed2(l, 0x12, seg, 10, false, &o);
	ck_assert_uint_eq(o.ev, PM_HDLC_LINK_APDU);
	pm_hdlc_link_apdu(l, &apdu, &n, &cs, &ss);
	ck_assert_uint_eq(n, 71);
	ck_assert_uint_eq(apdu[60], 0x11);
	ck_assert_uint_eq(apdu[61], 0x22);
	/* a whole frame without the LLC header: no APDU, RR N(R) 3 F (0x71) */
	memset(seg, 0, sizeof(seg));
	feed2(l, 0x14, seg, 64, false, &o); /* N(S) 2 N(R) 0 P: 64 octets fit */
	ck_assert_uint_eq(o.ev, 0);
	ck_assert_uint_eq(o.ctrl[0], 0x71);
	pm_hdlc_link_free(l);
}
END_TEST

START_TEST(test_request_in_a_window)
{
	struct pm_hdlc_link *l = bus_link();
	uint8_t seg[40];
	struct out o;

	connect(l, 40, 128, 3, &o); /* the client sends 3 frames of 40 before it polls */
	memset(seg, 0x33, sizeof(seg));
	memcpy(seg, LLC_REQ, 3);
	/* N(S) 0 and 1 without P (0x00, 0x02), segmented: taken, not answered */
	feed2(l, 0x00, seg, 40, true, &o);
	ck_assert_uint_eq(o.len, 0);
	feed2(l, 0x02, seg + 3, 37, true, &o);
	ck_assert_uint_eq(o.len, 0);
	/* N(S) 2 with P (0x14), segmented: RR N(R) 3 F (0x71) asks for more */
	feed2(l, 0x14, seg + 3, 37, true, &o);
	ck_assert_uint_eq(o.n, 1);
	ck_assert_uint_eq(o.ctrl[0], 0x71);
	/* N(S) 3 P (0x16), the last: the APDU, 37 + 37 + 37 + 5 octets */
	feed2(l, 0x16, seg + 3, 5, false, &o);
	ck_assert_uint_eq(o.ev, PM_HDLC_LINK_APDU);
	{
		const uint8_t *apdu;
		uint16_t cs, ss;
		size_t n;

		pm_hdlc_link_apdu(l, &apdu, &n, &cs, &ss);
		ck_assert_uint_eq(n, 116);
	}
	pm_hdlc_link_free(l);
}
END_TEST

START_TEST(test_frame_too_long_frmr)
{
	struct pm_hdlc_link *l = bus_link();
	uint8_t big[65];
	struct out o;

	connect(l, 64, 128, 1, &o);
	memset(big, 0, sizeof(big));
	feed2(l, 0x10, big, sizeof(big), false, &o);
	ck_assert_uint_eq(o.n, 1);
	ck_assert_uint_eq(o.ctrl[0], 0x97);
	/* rejected control 0x10; V(S) 0, V(R) 0; Y */
	ck_assert_uint_eq(o.f[0].info_len, 3);
	ck_assert_uint_eq(o.f[0].info[0], 0x10);
	ck_assert_uint_eq(o.f[0].info[1], 0x00);
	ck_assert_uint_eq(o.f[0].info[2], 0x04);
	/* until SNRM or DISC, a poll gets the FRMR again */
	feed2(l, 0x11, NULL, 0, false, &o);
	ck_assert_uint_eq(o.ctrl[0], 0x97);
	connect(l, 64, 128, 1, &o);
	feed2(l, 0x11, NULL, 0, false, &o);
	ck_assert_uint_eq(o.ctrl[0], 0x11); /* RR N(R) 0 F */
	pm_hdlc_link_free(l);
}
END_TEST

START_TEST(test_sequence_errors)
{
	struct pm_hdlc_link *l = bus_link();
	const uint8_t req[] = {0xE6, 0xE6, 0x00, 0x62, 0x00};
	const uint8_t resp[] = {0x63, 0x00};
	struct pm_hdlc_link_stats st;
	struct out o;

	connect(l, 128, 128, 1, &o);
	/* N(S) 2 where 0 is due: dropped, RR N(R) 0 F (0x11) asks for 0 */
	feed2(l, 0x14, req, sizeof(req), false, &o);
	ck_assert_uint_eq(o.ev, 0);
	ck_assert_uint_eq(o.ctrl[0], 0x11);
	/* N(R) 3 names no frame of ours: FRMR Z; V(S) 0, V(R) 0 */
	feed2(l, 0x70, req, sizeof(req), false, &o);
	ck_assert_uint_eq(o.ctrl[0], 0x97);
	ck_assert_uint_eq(o.f[0].info[0], 0x70);
	ck_assert_uint_eq(o.f[0].info[2], 0x08);
	/* again from the start: a request answered, then repeated (our answer was lost) */
	connect(l, 128, 128, 1, &o);
	feed2(l, 0x10, req, sizeof(req), false, &o);
	ck_assert_uint_eq(o.ev, PM_HDLC_LINK_APDU);
	answer(l, resp, sizeof(resp), &o);
	ck_assert_uint_eq(o.ctrl[0], 0x30);
	feed2(l, 0x10, req, sizeof(req), false, &o);
	ck_assert_uint_eq(o.ev, 0); /* not a second request */
	ck_assert_uint_eq(o.n, 1);
	ck_assert_uint_eq(o.ctrl[0], 0x30); /* the same answer */
	ck_assert_uint_eq(o.f[0].info_len, 5);
	pm_hdlc_link_get_stats(l, &st);
	ck_assert_uint_eq(st.resent, 1);
	ck_assert_uint_eq(st.frmr, 1);
	pm_hdlc_link_free(l);
}
END_TEST

/*
 * Normal response mode (ISO/IEC 13239; IEC 62056-46 uses it alone): a secondary transmits only
 * after a frame with P set, and its last frame then carries F. The client sets P on the last
 * frame it sends before it waits; frames without P get no byte back, and what they call for
 * (UA, DM, FRMR, an answer) waits for the next poll.
 */
START_TEST(test_silent_unless_polled)
{
	const uint8_t req[] = {0xE6, 0xE6, 0x00, 0x62, 0x00};
	const uint8_t resp[] = {0x63, 0x00};
	struct pm_hdlc_link *l = bus_link();
	uint8_t big[129];
	struct out o;

	/* disconnected: I frame N(S) 0 N(R) 0 without P (0x00), DISC without P (0x43): silent */
	feed2(l, 0x00, req, sizeof(req), false, &o);
	ck_assert_uint_eq(o.len, 0);
	feed2(l, 0x43, NULL, 0, false, &o);
	ck_assert_uint_eq(o.len, 0);
	/* the poll (RR N(R) 0 P, 0x11) gets the DM with F (0x1F) */
	feed2(l, 0x11, NULL, 0, false, &o);
	ck_assert_uint_eq(o.n, 1);
	ck_assert_uint_eq(o.ctrl[0], 0x1F);
	/* SNRM without P (0x83): ignored, the link stays down (test_snrm_without_p_ignored) */
	feed2(l, 0x83, NULL, 0, false, &o);
	ck_assert_uint_eq(o.len, 0);
	ck_assert_uint_eq(o.ev, 0);
	ck_assert(!pm_hdlc_link_connected(l));
	connect(l, 128, 128, 1, &o); /* SNRM with P: UA 0x73 */
	/* a whole request in an I frame without P: delivered, its answer kept */
	feed2(l, 0x00, req, sizeof(req), false, &o);
	ck_assert_uint_eq(o.ev, PM_HDLC_LINK_APDU);
	ck_assert_uint_eq(o.len, 0);
	answer(l, resp, sizeof(resp), &o);
	ck_assert_uint_eq(o.len, 0);
	/* RR N(R) 0 P polls it: I frame N(S) 0 N(R) 1 F = 1 << 5 | 0x10 = 0x30, LLC, 63 00 */
	feed2(l, 0x11, NULL, 0, false, &o);
	ck_assert_uint_eq(o.n, 1);
	ck_assert_uint_eq(o.ctrl[0], 0x30);
	ck_assert_uint_eq(o.f[0].info_len, 5);
	ck_assert_uint_eq(o.f[0].info[3], 0x63);
	/* the next request without P (N(S) 1 N(R) 1: 0x22), then sent again with P (0x32): the
	 * repeat gets the kept answer, N(S) 1 N(R) 2 F = 0x52 */
	feed2(l, 0x22, req, sizeof(req), false, &o);
	ck_assert_uint_eq(o.ev, PM_HDLC_LINK_APDU);
	answer(l, resp, sizeof(resp), &o);
	ck_assert_uint_eq(o.len, 0);
	feed2(l, 0x32, req, sizeof(req), false, &o);
	ck_assert_uint_eq(o.ev, 0);
	ck_assert_uint_eq(o.n, 1);
	ck_assert_uint_eq(o.ctrl[0], 0x52);
	/* an information field over the 128 agreed, without P (N(S) 2 N(R) 2: 0x44): no FRMR
	 * until the poll, and then once, with F (0x97), the rejected control 0x44, V(S) 2 and
	 * V(R) 2 (2 << 1 | 2 << 5 = 0x44), reason Y */
	connect(l, 128, 128, 1, &o); /* SNRM with P: UA 0x73, checked there */
	feed2(l, 0x10, req, sizeof(req), false, &o);
	answer(l, resp, sizeof(resp), &o);
	feed2(l, 0x32, req, sizeof(req), false, &o);
	answer(l, resp, sizeof(resp), &o);
	ck_assert_uint_eq(o.ctrl[0], 0x52);
	memset(big, 0, sizeof(big));
	feed2(l, 0x44, big, sizeof(big), false, &o);
	ck_assert_uint_eq(o.len, 0);
	feed2(l, 0x51, NULL, 0, false, &o); /* RR N(R) 2 P */
	ck_assert_uint_eq(o.n, 1);
	ck_assert_uint_eq(o.ctrl[0], 0x97);
	ck_assert_uint_eq(o.f[0].info[0], 0x44);
	ck_assert_uint_eq(o.f[0].info[1], 0x44);
	ck_assert_uint_eq(o.f[0].info[2], 0x04);
	/* a response the client must not send, UA without F (0x63): FRMR W only when polled */
	connect(l, 128, 128, 1, &o);
	feed2(l, 0x63, NULL, 0, false, &o);
	ck_assert_uint_eq(o.len, 0);
	feed2(l, 0x11, NULL, 0, false, &o);
	ck_assert_uint_eq(o.ctrl[0], 0x97);
	ck_assert_uint_eq(o.f[0].info[0], 0x63);
	ck_assert_uint_eq(o.f[0].info[2], 0x01);
	/* DISC without P: the link ends, the UA is not sent */
	feed2(l, 0x43, NULL, 0, false, &o);
	ck_assert_uint_eq(o.ev, PM_HDLC_LINK_RESET);
	ck_assert_uint_eq(o.len, 0);
	ck_assert(!pm_hdlc_link_connected(l));
	pm_hdlc_link_free(l);
}
END_TEST

/*
 * CRC-16/X.25 bit by bit, written here from its definition (ISO/IEC 13239's FCS: polynomial
 * x^16 + x^12 + x^5 + 1, reflected 0x8408, initial value and final XOR 0xFFFF, sent low octet
 * first), independent of pm_hdlc_crc16; its check value for "123456789" is 0x906E.
 */
static uint16_t x25(const uint8_t *p, size_t n)
{
	uint16_t c = 0xFFFF;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int b = 0; b < 8; b++)
			c = (uint16_t)(c & 1 ? (c >> 1) ^ 0x8408 : c >> 1);
	}
	return (uint16_t)~c;
}

/* Closes the hand-written frame @f of @n octets (flags included): its HCS when it has an
 * information field (after the 5 header octets of a 1-byte-address frame) and its FCS. */
static void seal(uint8_t *f, size_t n)
{
	uint16_t c;

	if (n > 9) {
		c = x25(f + 1, 5);
		f[6] = (uint8_t)c;
		f[7] = (uint8_t)(c >> 8);
	}
	c = x25(f + 1, n - 4);
	f[n - 3] = (uint8_t)c;
	f[n - 2] = (uint8_t)(c >> 8);
}

/*
 * An SNRM whose control byte lacks P (0x83 = 0x93 - 0x10) asks for no answer (normal response
 * mode: the secondary speaks only when polled) and is not taken: no UA, no DM, and nothing
 * changes, neither on a link that is down nor on one that is up (its sequence numbers, its
 * parameters and its association stay).
 */
START_TEST(test_snrm_without_p_ignored)
{
	/* client 16 (21) to server 1 (03), format A0 + length 7, SNRM without P */
	uint8_t snrm_no_p[] = {0x7E, 0xA0, 0x07, 0x03, 0x21, 0x83, 0, 0, 0x7E};
	/* the same with P, and the client's parameters (12 octets: max info tx 64, rx 64, windows
	 * 1): 5 header + 2 HCS + 15 + 2 FCS = 24 = 0x18 */
	uint8_t snrm[] = {0x7E, 0xA0, 0x18, 0x03, 0x21, 0x93, 0,    0,	  0x81,
			  0x80, 0x0C, 0x05, 0x01, 0x40, 0x06, 0x01, 0x40, 0x07,
			  0x01, 0x01, 0x08, 0x01, 0x01, 0,    0,    0x7E};
	/* RLRQ (62 00) behind the LLC: I frame N(S) 0 N(R) 0 P = 0x10, then N(S) 1 N(R) 1 P =
	 * 1 << 5 | 0x10 | 1 << 1 = 0x32 */
	uint8_t i0[] = {0x7E, 0xA0, 0x0E, 0x03, 0x21, 0x10, 0, 0,
			0xE6, 0xE6, 0x00, 0x62, 0x00, 0,    0, 0x7E};
	uint8_t i1[] = {0x7E, 0xA0, 0x0E, 0x03, 0x21, 0x32, 0, 0,
			0xE6, 0xE6, 0x00, 0x62, 0x00, 0,    0, 0x7E};
	const uint8_t resp[] = {0x63, 0x00};
	const uint8_t check[] = "123456789";
	struct pm_hdlc_link_config cfg;
	struct pm_hdlc_link_stats st;
	struct pm_hdlc_params pr;
	struct pm_hdlc_link *l;
	struct out o;

	ck_assert_uint_eq(x25(check, 9), 0x906E);
	seal(snrm_no_p, sizeof(snrm_no_p));
	seal(snrm, sizeof(snrm));
	seal(i0, sizeof(i0));
	seal(i1, sizeof(i1));
	pm_hdlc_link_config_default(&cfg);
	l = pm_hdlc_link_new(&cfg);
	ck_assert_ptr_nonnull(l);

	/* down: nothing sent, still down */
	o.ev = pm_hdlc_link_input(l, snrm_no_p, sizeof(snrm_no_p), 10, o.buf, &o.len);
	ck_assert_uint_eq(o.len, 0);
	ck_assert_uint_eq(o.ev, 0);
	ck_assert(!pm_hdlc_link_connected(l));

	/* up with P (UA 0x73, 64 octets agreed), one request answered: V(R) is 1 */
	o.ev = pm_hdlc_link_input(l, snrm, sizeof(snrm), 20, o.buf, &o.len);
	split(&o);
	ck_assert_uint_eq(o.n, 1);
	ck_assert_uint_eq(o.ctrl[0], 0x73);
	o.ev = pm_hdlc_link_input(l, i0, sizeof(i0), 30, o.buf, &o.len);
	ck_assert_uint_eq(o.ev, PM_HDLC_LINK_APDU);
	answer(l, resp, sizeof(resp), &o);
	ck_assert_uint_eq(o.ctrl[0], 0x30); /* I N(S) 0 N(R) 1 F */

	/* up: the SNRM without P is not a new link (no RESET, nothing sent) */
	o.ev = pm_hdlc_link_input(l, snrm_no_p, sizeof(snrm_no_p), 40, o.buf, &o.len);
	ck_assert_uint_eq(o.len, 0);
	ck_assert_uint_eq(o.ev, 0);
	ck_assert(pm_hdlc_link_connected(l));
	pm_hdlc_link_params(l, &pr);
	ck_assert_uint_eq(pr.max_info_tx, 64);
	/* the next request, N(S) 1 N(R) 1, is the one due: the numbering went on */
	o.ev = pm_hdlc_link_input(l, i1, sizeof(i1), 50, o.buf, &o.len);
	ck_assert_uint_eq(o.ev, PM_HDLC_LINK_APDU);
	answer(l, resp, sizeof(resp), &o);
	ck_assert_uint_eq(o.n, 1);
	ck_assert_uint_eq(o.ctrl[0], 0x52); /* I N(S) 1 N(R) 2 F: 2 << 5 | 0x10 | 1 << 1 */
	pm_hdlc_link_get_stats(l, &st);
	ck_assert_uint_eq(st.unpolled_snrm, 2);
	ck_assert_uint_eq(st.frames, 3);
	pm_hdlc_link_free(l);
}
END_TEST

START_TEST(test_rnr_holds_the_answer)
{
	uint8_t resp[100];
	struct out o;
	struct pm_hdlc_link *l = answering(64, 1, resp, sizeof(resp), 1, &o);

	ck_assert_uint_eq(o.ctrl[0], 0x30);
	/* RNR N(R) 1 P (0x35): acknowledged, but the client is busy: RR N(R) 1 F (0x31) */
	feed2(l, 0x35, NULL, 0, false, &o);
	ck_assert_uint_eq(o.n, 1);
	ck_assert_uint_eq(o.ctrl[0], 0x31);
	/* RR N(R) 1 P: the second frame, N(S) 1, the last (103 - 64 = 39 octets) */
	feed2(l, 0x31, NULL, 0, false, &o);
	ck_assert_uint_eq(o.ctrl[0], 0x32);
	ck_assert_uint_eq(o.f[0].info_len, 39);
	pm_hdlc_link_free(l);
}
END_TEST

START_TEST(test_inactivity)
{
	struct pm_hdlc_link_config cfg;
	struct pm_hdlc_link *l;
	struct out o;

	pm_hdlc_link_config_default(&cfg);
	cfg.inactivity_usec = 5000000;
	l = pm_hdlc_link_new(&cfg);
	ck_assert_uint_eq(pm_hdlc_link_deadline(l), UINT64_MAX);
	feed(l, SRV1, 1, CLIENT16, 1, 0x93, NULL, 0, false, 1000000, &o);
	ck_assert_uint_eq(pm_hdlc_link_deadline(l), 6000000);
	/* another client's frames do not keep the link alive */
	feed(l, SRV1, 1, CLIENT1, 1, 0x11, NULL, 0, false, 5000000, &o);
	ck_assert_uint_eq(o.len, 0);
	ck_assert(!pm_hdlc_link_tick(l, 5999999));
	ck_assert(pm_hdlc_link_connected(l));
	ck_assert(pm_hdlc_link_tick(l, 6000000));
	ck_assert(!pm_hdlc_link_connected(l));
	/* the client polls after that: DM */
	feed(l, SRV1, 1, CLIENT16, 1, 0x11, NULL, 0, false, 7000000, &o);
	ck_assert_uint_eq(o.ctrl[0], 0x1F);
	pm_hdlc_link_free(l);
}
END_TEST

START_TEST(test_bad_config)
{
	struct pm_hdlc_link_config cfg;

	pm_hdlc_link_config_default(&cfg);
	cfg.lower = 0x0F; /* reserved */
	ck_assert_ptr_null(pm_hdlc_link_new(&cfg));
	pm_hdlc_link_config_default(&cfg);
	cfg.offer.window_rx = 8;
	ck_assert_ptr_null(pm_hdlc_link_new(&cfg));
	pm_hdlc_link_config_default(&cfg);
	cfg.offer.max_info_tx = 2031;
	ck_assert_ptr_null(pm_hdlc_link_new(&cfg));
	pm_hdlc_link_config_default(&cfg);
	cfg.upper = 0;
	ck_assert_ptr_null(pm_hdlc_link_new(&cfg));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dlms_hdlc_link");
	TCase *tc = tcase_create("link");

	tcase_add_test(tc, test_snrm_captured_gets_ua);
	tcase_add_test(tc, test_negotiation_takes_the_smaller);
	tcase_add_test(tc, test_snrm_bad_parameters_dm);
	tcase_add_test(tc, test_request_and_answer);
	tcase_add_test(tc, test_addresses_1_2_4_bytes);
	tcase_add_test(tc, test_other_meters_and_broadcast_ignored);
	tcase_add_test(tc, test_other_client_snrm_ignored);
	tcase_add_test(tc, test_snrm_without_p_ignored);
	tcase_add_test(tc, test_bad_frames_ignored);
	tcase_add_test(tc, test_disconnected_dm_and_disc);
	tcase_add_test(tc, test_answer_segmented);
	tcase_add_test(tc, test_answer_window_3);
	tcase_add_test(tc, test_request_segmented);
	tcase_add_test(tc, test_request_in_a_window);
	tcase_add_test(tc, test_frame_too_long_frmr);
	tcase_add_test(tc, test_sequence_errors);
	tcase_add_test(tc, test_silent_unless_polled);
	tcase_add_test(tc, test_rnr_holds_the_answer);
	tcase_add_test(tc, test_inactivity);
	tcase_add_test(tc, test_bad_config);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
