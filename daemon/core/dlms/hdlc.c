// SPDX-License-Identifier: GPL-2.0-only
/*
 * HDLC frame codec of DLMS (hdlc.h, IEC 62056-46). Our own code: no Debian package implements
 * DLMS HDLC (the generic HDLC of the kernel and of PPP stuffs bytes and has none of the DLMS
 * addressing or parameter negotiation), and the open DLMS libraries are GPL-only (Gurux) or
 * source-available (dlms-cosem, Business Source License): written from the frame layout of
 * IEC 62056-46 and checked against the frames the DLMS reference sheet captured from Gurux.
 *
 * Control field (bit 0 first): I frames xxx P sss 0 (N(R), P/F, N(S)); RR rrr P 0001, RNR
 * rrr P 0101; unnumbered frames with P/F at bit 4: SNRM 0x83, DISC 0x43, UA 0x63, DM 0x0F,
 * FRMR 0x87, UI 0x03.
 */
#include <string.h>

#include "core/dlms/hdlc.h"

#define FORMAT_TYPE3 0xA0u
#define FORMAT_SEGMENTED 0x08u
#define CTRL_PF 0x10u

static const struct {
	enum pm_hdlc_type type;
	uint8_t ctrl; /* P/F clear */
} unnumbered[] = {
    {PM_HDLC_SNRM, 0x83}, {PM_HDLC_DISC, 0x43}, {PM_HDLC_UA, 0x63},
    {PM_HDLC_DM, 0x0F},	  {PM_HDLC_FRMR, 0x87}, {PM_HDLC_UI, 0x03},
};

const char *pm_hdlc_strerror(int err)
{
	switch (err) {
	case PM_HDLC_OK:
		return "ok";
	case PM_HDLC_ERR_TRUNCATED:
		return "truncated frame";
	case PM_HDLC_ERR_FLAG:
		return "bad flag";
	case PM_HDLC_ERR_FORMAT:
		return "bad frame format";
	case PM_HDLC_ERR_LENGTH:
		return "bad frame length";
	case PM_HDLC_ERR_ADDRESS:
		return "bad address";
	case PM_HDLC_ERR_HCS:
		return "bad HCS";
	case PM_HDLC_ERR_FCS:
		return "bad FCS";
	case PM_HDLC_ERR_CONTROL:
		return "bad control field";
	case PM_HDLC_ERR_PARAM:
		return "bad parameter negotiation field";
	case PM_HDLC_ERR_SPACE:
		return "no room for the frame";
	default:
		return "unknown HDLC error";
	}
}

uint16_t pm_hdlc_crc16(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint16_t crc = 0xFFFF;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		crc ^= b[i];
		for (k = 0; k < 8; k++)
			crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0x8408) : (uint16_t)(crc >> 1);
	}
	return (uint16_t)(crc ^ 0xFFFF);
}

uint8_t pm_hdlc_control(const struct pm_hdlc_frame *f)
{
	uint8_t pf = f->pf ? CTRL_PF : 0;
	size_t i;

	switch (f->type) {
	case PM_HDLC_I:
		return (uint8_t)((f->nr & 7) << 5 | pf | (f->ns & 7) << 1);
	case PM_HDLC_RR:
		return (uint8_t)((f->nr & 7) << 5 | pf | 0x01);
	case PM_HDLC_RNR:
		return (uint8_t)((f->nr & 7) << 5 | pf | 0x05);
	default:
		for (i = 0; i < sizeof(unnumbered) / sizeof(unnumbered[0]); i++)
			if (unnumbered[i].type == f->type)
				return (uint8_t)(unnumbered[i].ctrl | pf);
		return 0xFF; /* no frame has it: refused by the decoder */
	}
}

/* The control byte @c into @f's type, P/F, N(S), N(R); false if it is none we know. */
static bool control_read(uint8_t c, struct pm_hdlc_frame *f)
{
	size_t i;

	f->pf = (c & CTRL_PF) != 0;
	f->ns = 0;
	f->nr = 0;
	if (!(c & 1)) {
		f->type = PM_HDLC_I;
		f->ns = (uint8_t)(c >> 1 & 7);
		f->nr = (uint8_t)(c >> 5);
		return true;
	}
	if ((c & 0x0F) == 0x01 || (c & 0x0F) == 0x05) {
		f->type = (c & 0x0F) == 0x01 ? PM_HDLC_RR : PM_HDLC_RNR;
		f->nr = (uint8_t)(c >> 5);
		return true;
	}
	for (i = 0; i < sizeof(unnumbered) / sizeof(unnumbered[0]); i++)
		if (unnumbered[i].ctrl == (c & (uint8_t)~CTRL_PF)) {
			f->type = unnumbered[i].type;
			return true;
		}
	return false;
}

/* Writes @a into @out (room for 4); returns its size, or 0 if it cannot be written. */
static size_t addr_write(const struct pm_hdlc_addr *a, uint8_t *out)
{
	switch (a->size) {
	case 1:
		if (a->upper > 0x7F || a->lower)
			return 0;
		out[0] = (uint8_t)(a->upper << 1 | 1);
		return 1;
	case 2:
		if (a->upper > 0x7F || a->lower > 0x7F)
			return 0;
		out[0] = (uint8_t)(a->upper << 1);
		out[1] = (uint8_t)(a->lower << 1 | 1);
		return 2;
	case 4:
		if (a->upper > 0x3FFF || a->lower > 0x3FFF)
			return 0;
		out[0] = (uint8_t)((a->upper >> 7) << 1);
		out[1] = (uint8_t)((a->upper & 0x7F) << 1);
		out[2] = (uint8_t)((a->lower >> 7) << 1);
		out[3] = (uint8_t)((a->lower & 0x7F) << 1 | 1);
		return 4;
	default:
		return 0;
	}
}

/* Reads an address from the @n bytes at @p; returns its size, or 0 if it is not 1, 2 or 4
 * bytes long. */
static size_t addr_read(const uint8_t *p, size_t n, struct pm_hdlc_addr *a)
{
	size_t len = 0;

	while (len < n && len < 4 && !(p[len] & 1))
		len++;
	if (len == n || len == 4)
		return 0; /* no extension bit within 4 bytes or within the header */
	len++;
	a->size = (uint8_t)len;
	switch (len) {
	case 1:
		a->upper = p[0] >> 1;
		a->lower = 0;
		return 1;
	case 2:
		a->upper = p[0] >> 1;
		a->lower = p[1] >> 1;
		return 2;
	case 4:
		a->upper = (uint16_t)((p[0] >> 1) << 7 | p[1] >> 1);
		a->lower = (uint16_t)((p[2] >> 1) << 7 | p[3] >> 1);
		return 4;
	default:
		return 0;
	}
}

static void put_crc(uint8_t *out, uint16_t crc)
{
	out[0] = (uint8_t)(crc & 0xFF);
	out[1] = (uint8_t)(crc >> 8);
}

static uint16_t get_crc(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

int pm_hdlc_encode(const struct pm_hdlc_frame *f, uint8_t *out, size_t cap, size_t *len)
{
	uint8_t hdr[2 + 4 + 4 + 1];
	size_t hl = 2, a, total;

	*len = 0;
	if ((f->type == PM_HDLC_RR || f->type == PM_HDLC_RNR) && f->info_len)
		return PM_HDLC_ERR_CONTROL;
	if (f->ns > 7 || f->nr > 7 || pm_hdlc_control(f) == 0xFF)
		return PM_HDLC_ERR_CONTROL;
	if (!(a = addr_write(&f->dst, hdr + hl)))
		return PM_HDLC_ERR_ADDRESS;
	hl += a;
	if (!(a = addr_write(&f->src, hdr + hl)))
		return PM_HDLC_ERR_ADDRESS;
	hl += a;
	hdr[hl++] = pm_hdlc_control(f);
	if (f->info_len > PM_HDLC_MAX_INFO)
		return PM_HDLC_ERR_SPACE;
	/* between the flags: header, [HCS, info], FCS */
	total = hl + (f->info_len ? 2 + f->info_len : 0) + 2;
	if (total > PM_HDLC_MAX_LEN)
		return PM_HDLC_ERR_SPACE;
	if (cap < total + 2)
		return PM_HDLC_ERR_SPACE;
	hdr[0] = (uint8_t)(FORMAT_TYPE3 | (f->segmented ? FORMAT_SEGMENTED : 0) | total >> 8);
	hdr[1] = (uint8_t)(total & 0xFF);
	out[0] = PM_HDLC_FLAG;
	memcpy(out + 1, hdr, hl);
	if (f->info_len) {
		put_crc(out + 1 + hl, pm_hdlc_crc16(hdr, hl));
		memcpy(out + 1 + hl + 2, f->info, f->info_len);
	}
	put_crc(out + 1 + total - 2, pm_hdlc_crc16(out + 1, total - 2));
	out[1 + total] = PM_HDLC_FLAG;
	*len = total + 2;
	return PM_HDLC_OK;
}

int pm_hdlc_decode(const uint8_t *p, size_t n, struct pm_hdlc_frame *f)
{
	const uint8_t *q;
	size_t total, hl, a;

	memset(f, 0, sizeof(*f));
	if (n < 1)
		return PM_HDLC_ERR_TRUNCATED;
	if (p[0] != PM_HDLC_FLAG)
		return PM_HDLC_ERR_FLAG;
	if (n < 3)
		return PM_HDLC_ERR_TRUNCATED;
	if ((p[1] & 0xF0) != FORMAT_TYPE3)
		return PM_HDLC_ERR_FORMAT;
	total = (size_t)(p[1] & 0x07) << 8 | p[2];
	/* the shortest: format, two 1-byte addresses, control, FCS */
	if (total < 7)
		return PM_HDLC_ERR_LENGTH;
	if (n < total + 2)
		return PM_HDLC_ERR_TRUNCATED;
	if (n > total + 2)
		return PM_HDLC_ERR_LENGTH;
	if (p[total + 1] != PM_HDLC_FLAG)
		return PM_HDLC_ERR_FLAG;
	q = p + 1; /* the total bytes between the flags */
	f->segmented = (q[0] & FORMAT_SEGMENTED) != 0;
	hl = 2;
	/* the addresses lie within the bytes before control and FCS */
	if (!(a = addr_read(q + hl, total - hl - 3, &f->dst)))
		return PM_HDLC_ERR_ADDRESS;
	hl += a;
	if (!(a = addr_read(q + hl, total - hl - 3, &f->src)))
		return PM_HDLC_ERR_ADDRESS;
	hl += a;
	hl++; /* control */
	if (total - hl > 2) {
		/* HCS, at least one byte of information, FCS */
		if (total - hl < 5)
			return PM_HDLC_ERR_LENGTH;
		if (get_crc(q + hl) != pm_hdlc_crc16(q, hl))
			return PM_HDLC_ERR_HCS;
		f->info = q + hl + 2;
		f->info_len = total - hl - 4;
	}
	if (get_crc(q + total - 2) != pm_hdlc_crc16(q, total - 2))
		return PM_HDLC_ERR_FCS;
	if (!control_read(q[hl - 1], f))
		return PM_HDLC_ERR_CONTROL;
	if ((f->type == PM_HDLC_RR || f->type == PM_HDLC_RNR) && f->info_len)
		return PM_HDLC_ERR_CONTROL;
	return PM_HDLC_OK;
}

/*
 * What the first @avail bytes at @q (the format byte on) say of a frame of @total bytes between
 * its flags: 1 its addresses are 1, 2 or 4 bytes long and, when it carries information, its
 * HCS matches; -1 it cannot be a frame; 0 more bytes are needed to know.
 */
static int header_check(const uint8_t *q, size_t avail, size_t total)
{
	size_t hl = 2, a;
	int k;

	for (k = 0; k < 2; k++) {
		for (a = 0; a < 4; a++) {
			if (hl + a >= total - 3)
				return -1; /* runs into the control field and FCS */
			if (hl + a >= avail)
				return 0;
			if (q[hl + a] & 1)
				break;
		}
		if (a == 4 || a == 2)
			return -1; /* no extension bit in 4 bytes, or a 3-byte address */
		hl += a + 1;
	}
	hl++; /* control */
	if (total - hl <= 2)
		return 1;
	if (total - hl < 5)
		return -1;
	if (avail < hl + 2)
		return 0;
	return get_crc(q + hl) == pm_hdlc_crc16(q, hl) ? 1 : -1;
}

bool pm_hdlc_find(const uint8_t *p, size_t n, size_t *start, size_t *flen, size_t *consume)
{
	size_t i, total;
	int h;

	*start = 0;
	*flen = 0;
	for (i = 0; i < n; i++) {
		if (p[i] != PM_HDLC_FLAG)
			continue;
		if (n - i >= 2 && (p[i + 1] & 0xF0) != FORMAT_TYPE3)
			continue; /* a second flag (kept as the opener) or noise */
		if (n - i < 3) {
			*consume = i; /* a flag and maybe a format: wait for more */
			return false;
		}
		total = (size_t)(p[i + 1] & 0x07) << 8 | p[i + 2];
		if (total < 7)
			continue;
		/* the header first: noise that looks like the start of a long frame must not
		 * hold up the frames behind it until that length has arrived */
		h = header_check(p + i + 1, n - i - 1, total);
		if (h < 0)
			continue;
		if (!h || n - i < total + 2) {
			*consume = i;
			return false;
		}
		if (p[i + total + 1] != PM_HDLC_FLAG)
			continue; /* noise that looked like a frame start */
		*start = i;
		*flen = total + 2;
		*consume = i + total + 1;
		return true;
	}
	*consume = n;
	return false;
}

/* ---- parameter negotiation ---- */

#define PARAM_FORMAT 0x81
#define PARAM_GROUP 0x80

void pm_hdlc_params_default(struct pm_hdlc_params *pr)
{
	pr->max_info_tx = PM_HDLC_DEFAULT_MAX_INFO;
	pr->max_info_rx = PM_HDLC_DEFAULT_MAX_INFO;
	pr->window_tx = PM_HDLC_DEFAULT_WINDOW;
	pr->window_rx = PM_HDLC_DEFAULT_WINDOW;
}

static bool params_valid(const struct pm_hdlc_params *pr)
{
	return pr->max_info_tx && pr->max_info_rx && pr->window_tx && pr->window_tx <= 7 &&
	       pr->window_rx && pr->window_rx <= 7;
}

int pm_hdlc_params_decode(const uint8_t *p, size_t n, struct pm_hdlc_params *pr)
{
	size_t i, k, glen;

	pm_hdlc_params_default(pr);
	if (!n)
		return PM_HDLC_OK;
	if (n < 3 || p[0] != PARAM_FORMAT || p[1] != PARAM_GROUP)
		return PM_HDLC_ERR_PARAM;
	glen = p[2];
	if (glen != n - 3)
		return PM_HDLC_ERR_PARAM;
	for (i = 3; i < n;) {
		uint8_t id, len;
		uint32_t v = 0;

		if (n - i < 2)
			return PM_HDLC_ERR_PARAM;
		id = p[i];
		len = p[i + 1];
		i += 2;
		if (len > n - i)
			return PM_HDLC_ERR_PARAM;
		if (id >= 0x05 && id <= 0x08) {
			if (len < 1 || len > 4)
				return PM_HDLC_ERR_PARAM;
			for (k = 0; k < len; k++)
				v = v << 8 | p[i + k];
			if (id == 0x05)
				pr->max_info_tx = v;
			else if (id == 0x06)
				pr->max_info_rx = v;
			else if (id == 0x07)
				pr->window_tx = v;
			else
				pr->window_rx = v;
		}
		i += len;
	}
	return params_valid(pr) ? PM_HDLC_OK : PM_HDLC_ERR_PARAM;
}

/* One parameter at @out: id, length, the value in 1, 2 or 4 bytes; returns its size. */
static size_t param_put(uint8_t *out, uint8_t id, uint32_t v)
{
	size_t len = v <= 0xFF ? 1 : v <= 0xFFFF ? 2 : 4, k;

	out[0] = id;
	out[1] = (uint8_t)len;
	for (k = 0; k < len; k++)
		out[2 + k] = (uint8_t)(v >> (8 * (len - 1 - k)));
	return 2 + len;
}

size_t pm_hdlc_params_encode(const struct pm_hdlc_params *pr, uint8_t *out, size_t cap)
{
	uint8_t tmp[3 + 4 * 6];
	size_t n = 3;

	if (!params_valid(pr))
		return 0;
	tmp[0] = PARAM_FORMAT;
	tmp[1] = PARAM_GROUP;
	n += param_put(tmp + n, 0x05, pr->max_info_tx);
	n += param_put(tmp + n, 0x06, pr->max_info_rx);
	n += param_put(tmp + n, 0x07, pr->window_tx);
	n += param_put(tmp + n, 0x08, pr->window_rx);
	tmp[2] = (uint8_t)(n - 3);
	if (cap < n)
		return 0;
	memcpy(out, tmp, n);
	return n;
}
