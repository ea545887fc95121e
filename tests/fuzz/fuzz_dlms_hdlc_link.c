// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the HDLC link layer (daemon/core/dlms/hdlc-link.c) and the mode E sign-on
 * (daemon/core/dlms/mode-e.c). Byte 0 picks the station (a physical address or the 1-byte
 * form), our offer (32..2030 octets, windows 1..7) and the answer's length; the rest is a
 * received byte stream: every frame pm_hdlc_find cuts from it goes to the link, 10 ms apart
 * (every 16th an hour later: the inactivity time-out), and every APDU the link completes is
 * answered. The same bytes are also read as mode E lines. Besides not crashing:
 *   - every frame the link sends decodes, goes to the address that called us from the one it
 *     called, and carries at most the information length agreed (FRMR's 3 octets aside);
 *   - an APDU is delivered only on a connected link and lies inside the link's buffer bound;
 *   - a mode E answer is an identification line or a rate the offer allows.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/dlms/hdlc-link.h"
#include "core/dlms/mode-e.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[PM_HDLC_LINK_OUT_MAX];
static uint8_t answer_buf[4096];

static void check_output(const struct pm_hdlc_link *l, const uint8_t *p, size_t n)
{
	struct pm_hdlc_params pr;
	size_t pos = 0, start, flen, consume;

	pm_hdlc_link_params(l, &pr);
	while (pos < n && pm_hdlc_find(p + pos, n - pos, &start, &flen, &consume)) {
		struct pm_hdlc_frame f;

		if (start != 0 || pm_hdlc_decode(p + pos, flen, &f) != PM_HDLC_OK)
			__builtin_trap();
		if (f.type != PM_HDLC_FRMR && f.type != PM_HDLC_UA && f.info_len > pr.max_info_tx)
			__builtin_trap();
		if (f.src.upper != 1)
			__builtin_trap();
		pos += flen;
	}
	if (pos != n)
		__builtin_trap(); /* nothing but whole frames */
}

static void mode_e(const uint8_t *data, size_t size)
{
	const struct pm_mode_e_config cfg = {
	    .address = "m0", .manufacturer = "PMD", .ident = "polymeter", .baud = 9600};
	uint8_t id[PM_MODE_E_LINE_MAX];
	size_t i, from = 0, len;
	unsigned baud;

	for (i = 0; i + 1 < size; i++) {
		if (data[i] != '\r' || data[i + 1] != '\n')
			continue;
		baud = 0;
		switch (
		    pm_mode_e_line(&cfg, data + from, i + 2 - from, id, sizeof(id), &len, &baud)) {
		case PM_MODE_E_IDENTIFY:
			if (len < 9 || id[0] != '/' || id[len - 1] != '\n')
				__builtin_trap();
			break;
		case PM_MODE_E_SWITCH:
			if (baud < 300 || baud > 9600)
				__builtin_trap();
			break;
		case PM_MODE_E_IGNORE:
			break;
		}
		from = i + 2;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pm_hdlc_link_config cfg;
	struct pm_hdlc_link *l;
	size_t pos = 0, start, flen, consume, len, frames = 0, answer_len;
	uint64_t now = 1000000;

	if (size < 1)
		return 0;
	mode_e(data, size);
	pm_hdlc_link_config_default(&cfg);
	cfg.lower = (data[0] & 1) ? 0x11 : 0;
	cfg.offer.max_info_tx = (data[0] & 2) ? 32 : 2030;
	cfg.offer.max_info_rx = (data[0] & 4) ? 32 : 256;
	cfg.offer.window_tx = 1 + (data[0] >> 3 & 3) * 2;
	cfg.offer.window_rx = 7;
	cfg.inactivity_usec = 5000000;
	cfg.max_apdu = 1024;
	cfg.max_answer = sizeof(answer_buf);
	answer_len = (size_t)(data[0] >> 5) * 500; /* 0 (no answer) .. 3500 octets */
	memset(answer_buf, 0xC4, sizeof(answer_buf));
	l = pm_hdlc_link_new(&cfg);
	if (!l)
		__builtin_trap();
	data++;
	size--;
	while (pos < size && pm_hdlc_find(data + pos, size - pos, &start, &flen, &consume)) {
		unsigned ev;

		now += (++frames % 16) ? 10000 : 3600000000ULL;
		ev = pm_hdlc_link_input(l, data + pos + start, flen, now, out, &len);
		check_output(l, out, len);
		if (ev & PM_HDLC_LINK_APDU) {
			const uint8_t *apdu;
			uint16_t csap, ssap;
			size_t n;

			if (!pm_hdlc_link_connected(l))
				__builtin_trap();
			pm_hdlc_link_apdu(l, &apdu, &n, &csap, &ssap);
			if (n > cfg.max_apdu)
				__builtin_trap();
			if (pm_hdlc_link_answer(l, answer_buf, answer_len, out, &len) != 0)
				__builtin_trap();
			check_output(l, out, len);
		}
		pos += consume;
	}
	(void)pm_hdlc_link_tick(l, now + 10000000);
	if (pm_hdlc_link_connected(l))
		__builtin_trap();
	pm_hdlc_link_free(l);
	return 0;
}
