// SPDX-License-Identifier: GPL-2.0-only
/*
 * The HDLC link layer of DLMS, server side (hdlc-link.h). Numbering modulo 8; V(S) is the
 * N(S) of our next new frame, V(A) the first we sent that the client has not acknowledged,
 * V(R) the N(S) we expect. Our answer is kept whole until the client acknowledges its last
 * frame (by its next I frame, or by an RR after the last segment), so any frame of it can be
 * sent again: segment k after V(A) starts at ack_off + k * max_info_tx.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/dlms/hdlc-link.h"

#define MOD8(x) ((uint8_t)((x)&7u))
/* FRMR reasons, the third octet of its information field (ISO/IEC 13239, as LAPB's: Linux's
 * net/lapb builds the same three octets; IEC 62056-46's text was not read): */
#define FRMR_W 0x01u /* a control field undefined or not implemented */
#define FRMR_Y 0x04u /* an information field longer than agreed */
#define FRMR_Z 0x08u /* an N(R) that names no frame sent and unacknowledged */
#define BROADCAST_1 0x7Fu
#define BROADCAST_4 0x3FFFu

static const uint8_t llc_request[PM_HDLC_LLC_LEN] = {0xE6, 0xE6, 0x00};
static const uint8_t llc_response[PM_HDLC_LLC_LEN] = {0xE6, 0xE7, 0x00};

struct pm_hdlc_link {
	struct pm_hdlc_link_config cfg;
	bool connected;
	bool frmr; /* a FRMR condition: every poll but SNRM/DISC gets it (again) */
	uint8_t frmr_info[3];
	bool peer_busy; /* the client said RNR */
	/* the last frame for us had P: in normal response mode a secondary transmits only
	 * then, and once (ISO/IEC 13239); cleared when our frame with F goes out */
	bool polled;
	struct pm_hdlc_addr self, peer; /* as the client addresses us, and the client */
	struct pm_hdlc_params neg;
	uint8_t vs, va, vr;
	uint64_t last_usec;
	/* the request being joined (LLC included) */
	uint8_t *rx;
	size_t rx_len;
	bool rx_overflow;
	/* our answer (LLC included), ack_off the first byte the client has not acknowledged */
	uint8_t *tx;
	size_t tx_len, ack_off;
	bool tx_active;
	/* the last complete request, for pm_hdlc_link_apdu */
	size_t apdu_len;
	struct pm_hdlc_link_stats st;
};

void pm_hdlc_link_config_default(struct pm_hdlc_link_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->upper = 1;
	cfg->offer.max_info_tx = PM_HDLC_LINK_DEFAULT_MAX_INFO;
	cfg->offer.max_info_rx = PM_HDLC_LINK_DEFAULT_MAX_INFO;
	cfg->offer.window_tx = PM_HDLC_LINK_DEFAULT_WINDOW;
	cfg->offer.window_rx = PM_HDLC_LINK_DEFAULT_WINDOW;
	cfg->inactivity_usec = PM_HDLC_LINK_DEFAULT_INACTIVITY_USEC;
	cfg->max_apdu = 1024;
	cfg->max_answer = 0xFFFF;
}

static bool length_ok(uint32_t v)
{
	return v >= 32 && v <= PM_HDLC_LINK_MAX_INFO_LIMIT;
}

static bool window_ok(uint32_t v)
{
	return v >= 1 && v <= 7;
}

struct pm_hdlc_link *pm_hdlc_link_new(const struct pm_hdlc_link_config *cfg)
{
	struct pm_hdlc_link *l;

	/* the lower address: 0 (none), else 0x10..0x3FFD (0..0x0F are reserved, 0x3FFE/F are
	 * the calling and broadcast addresses) */
	if (cfg->upper < 1 || cfg->upper >= BROADCAST_4 ||
	    (cfg->lower && (cfg->lower < 0x10 || cfg->lower > 0x3FFD)) ||
	    !length_ok(cfg->offer.max_info_tx) || !length_ok(cfg->offer.max_info_rx) ||
	    !window_ok(cfg->offer.window_tx) || !window_ok(cfg->offer.window_rx) ||
	    cfg->max_apdu < 1 || cfg->max_answer < 1)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->cfg = *cfg;
	l->neg = cfg->offer;
	l->rx = malloc(cfg->max_apdu + PM_HDLC_LLC_LEN);
	l->tx = malloc(cfg->max_answer + PM_HDLC_LLC_LEN);
	if (!l->rx || !l->tx)
		return pm_hdlc_link_free(l);
	return l;
}

struct pm_hdlc_link *pm_hdlc_link_free(struct pm_hdlc_link *l)
{
	if (l) {
		free(l->rx);
		free(l->tx);
		free(l);
	}
	return NULL;
}

/* Is @a (a frame's destination) this station? Broadcasts are not: nobody may answer them. */
static bool for_us(const struct pm_hdlc_link_config *cfg, const struct pm_hdlc_addr *a)
{
	if (a->upper != cfg->upper)
		return false;
	if (a->size == 1)
		return cfg->lower == 0;
	return cfg->lower != 0 && a->lower == cfg->lower;
}

static bool is_broadcast(const struct pm_hdlc_addr *a)
{
	if (a->size == 4)
		return a->upper == BROADCAST_4 || a->lower == BROADCAST_4;
	return a->upper == BROADCAST_1 || (a->size == 2 && a->lower == BROADCAST_1);
}

/* Appends one frame to @out; false (nothing written) if it cannot be encoded. */
static bool emit(struct pm_hdlc_link *l, enum pm_hdlc_type type, bool pf, const uint8_t *info,
		 size_t info_len, bool segmented, uint8_t *out, size_t *out_len)
{
	struct pm_hdlc_frame f = {
	    .segmented = segmented,
	    .dst = l->peer,
	    .src = l->self,
	    .type = type,
	    .pf = pf,
	    .ns = l->vs,
	    .nr = l->vr,
	    .info = info,
	    .info_len = info_len,
	};
	size_t n;

	if (pm_hdlc_encode(&f, out + *out_len, PM_HDLC_LINK_OUT_MAX - *out_len, &n) != PM_HDLC_OK)
		return false;
	*out_len += n;
	return true;
}

/* Our one frame when polled (F set, the poll used up); nothing when not: an unpolled
 * secondary keeps silent, and the condition (FRMR, DM) stands for the next poll. True when
 * the frame went out. */
static bool reply(struct pm_hdlc_link *l, enum pm_hdlc_type type, const uint8_t *info,
		  size_t info_len, uint8_t *out, size_t *out_len)
{
	if (!l->polled)
		return false;
	l->polled = false;
	return emit(l, type, true, info, info_len, false, out, out_len);
}

static void disconnect(struct pm_hdlc_link *l)
{
	l->connected = false;
	l->frmr = false;
	l->peer_busy = false;
	l->neg = l->cfg.offer;
	l->vs = l->va = l->vr = 0;
	l->rx_len = 0;
	l->rx_overflow = false;
	l->tx_active = false;
	l->tx_len = l->ack_off = 0;
}

/* Sends FRMR for the frame with control byte @ctrl; the link waits for SNRM or DISC. */
static void send_frmr(struct pm_hdlc_link *l, uint8_t ctrl, uint8_t reason, uint8_t *out,
		      size_t *out_len)
{
	l->frmr = true;
	l->frmr_info[0] = ctrl;
	/* 0, V(S) in bits 2..4, C/R 0 (the rejected frame was a command), V(R) in bits 6..8 */
	l->frmr_info[1] = (uint8_t)(l->vs << 1 | l->vr << 5);
	l->frmr_info[2] = reason;
	if (reply(l, PM_HDLC_FRMR, l->frmr_info, sizeof(l->frmr_info), out, out_len))
		l->st.frmr++;
}

/* The segment size of our answer and the number of its frames from ack_off on. */
static size_t segments_left(const struct pm_hdlc_link *l)
{
	size_t seg = l->neg.max_info_tx, left = l->tx_len - l->ack_off;

	return (left + seg - 1) / seg;
}

/* Sends our answer from the first unacknowledged frame on, up to the window; the last frame
 * sent carries F. Sends RR when the client is busy (it polled: it must get a frame). */
static void send_burst(struct pm_hdlc_link *l, uint8_t *out, size_t *out_len)
{
	size_t seg = l->neg.max_info_tx, n, k, off;

	if (!l->polled)
		return; /* the answer waits for the client's poll (its RR, or its I frame again) */
	if (l->peer_busy || !l->tx_active) {
		reply(l, PM_HDLC_RR, NULL, 0, out, out_len);
		return;
	}
	l->polled = false;
	n = segments_left(l);
	if (n > l->neg.window_tx)
		n = l->neg.window_tx;
	l->vs = l->va;
	for (k = 0; k < n; k++) {
		off = l->ack_off + k * seg;
		size_t len = l->tx_len - off < seg ? l->tx_len - off : seg;
		bool more = off + len < l->tx_len;

		emit(l, PM_HDLC_I, k + 1 == n, l->tx + off, len, more, out, out_len);
		l->vs = MOD8(l->vs + 1);
	}
}

/* The client's N(R) acknowledges our frames up to it. False if it names no frame we sent. */
static bool acknowledge(struct pm_hdlc_link *l, uint8_t nr)
{
	uint8_t k = MOD8(nr - l->va), sent = MOD8(l->vs - l->va);

	if (k > sent)
		return false;
	if (!l->tx_active) {
		l->va = nr;
		return true;
	}
	l->ack_off += (size_t)k * l->neg.max_info_tx;
	if (l->ack_off >= l->tx_len) {
		l->tx_active = false; /* all of it arrived */
		l->ack_off = l->tx_len = 0;
	}
	l->va = nr;
	return true;
}

static unsigned on_snrm(struct pm_hdlc_link *l, const struct pm_hdlc_frame *f, uint8_t *out,
			size_t *out_len)
{
	struct pm_hdlc_params cl, *n = &l->neg;
	uint8_t info[32];
	size_t len;
	bool was = l->connected;

	disconnect(l);
	l->self = f->dst;
	l->peer = f->src;
	if (pm_hdlc_params_decode(f->info, f->info_len, &cl) != PM_HDLC_OK) {
		reply(l, PM_HDLC_DM, NULL, 0, out, out_len);
		return was ? PM_HDLC_LINK_RESET : 0;
	}
	/* the client's view: what it transmits we receive */
	if (cl.max_info_rx < n->max_info_tx)
		n->max_info_tx = cl.max_info_rx;
	if (cl.max_info_tx < n->max_info_rx)
		n->max_info_rx = cl.max_info_tx;
	if (cl.window_rx < n->window_tx)
		n->window_tx = cl.window_rx;
	if (cl.window_tx < n->window_rx)
		n->window_rx = cl.window_tx;
	len = pm_hdlc_params_encode(n, info, sizeof(info));
	l->connected = true;
	reply(l, PM_HDLC_UA, info, len, out, out_len);
	return PM_HDLC_LINK_RESET;
}

/* An I frame on a connected link. */
static unsigned on_i(struct pm_hdlc_link *l, const struct pm_hdlc_frame *f, uint8_t ctrl,
		     uint8_t *out, size_t *out_len)
{
	if (f->info_len > l->neg.max_info_rx) {
		send_frmr(l, ctrl, FRMR_Y, out, out_len);
		return 0;
	}
	if (f->ns != l->vr) {
		/* the client repeats its last frame: it missed our answer, which it gets again */
		if (MOD8(f->ns + 1) == l->vr && f->pf && !f->segmented && l->tx_active) {
			l->st.resent++;
			send_burst(l, out, out_len);
			return 0;
		}
		reply(l, PM_HDLC_RR, NULL, 0, out, out_len); /* out of sequence: ask for V(R) */
		return 0;
	}
	if (!acknowledge(l, f->nr)) {
		send_frmr(l, ctrl, FRMR_Z, out, out_len);
		return 0;
	}
	/* a new request: whatever remained of our last answer the client no longer wants */
	l->tx_active = false;
	l->tx_len = l->ack_off = 0;
	l->va = l->vs;
	l->peer_busy = false;
	l->vr = MOD8(l->vr + 1);
	if (!l->rx_overflow && l->rx_len + f->info_len <= l->cfg.max_apdu + PM_HDLC_LLC_LEN) {
		memcpy(l->rx + l->rx_len, f->info, f->info_len);
		l->rx_len += f->info_len;
	} else {
		l->rx_overflow = true;
	}
	if (f->segmented) {
		reply(l, PM_HDLC_RR, NULL, 0, out, out_len);
		return 0;
	}
	if (l->rx_overflow) {
		/* longer than any request we take: the client ignores our PDU size */
		l->rx_len = 0;
		l->rx_overflow = false;
		send_frmr(l, ctrl, FRMR_Y, out, out_len);
		return 0;
	}
	if (l->rx_len <= PM_HDLC_LLC_LEN || memcmp(l->rx, llc_request, PM_HDLC_LLC_LEN) != 0) {
		l->rx_len = 0; /* no LLC header, or nothing after it: not an APDU */
		reply(l, PM_HDLC_RR, NULL, 0, out, out_len);
		return 0;
	}
	l->apdu_len = l->rx_len - PM_HDLC_LLC_LEN;
	l->rx_len = 0;
	return PM_HDLC_LINK_APDU;
}

/* RR or RNR on a connected link. */
static unsigned on_supervisory(struct pm_hdlc_link *l, const struct pm_hdlc_frame *f, uint8_t ctrl,
			       uint8_t *out, size_t *out_len)
{
	if (!acknowledge(l, f->nr)) {
		send_frmr(l, ctrl, FRMR_Z, out, out_len);
		return 0;
	}
	l->peer_busy = f->type == PM_HDLC_RNR;
	if (!l->polled)
		return 0;
	if (l->tx_active && !l->peer_busy && l->vs != l->va)
		l->st.resent++; /* it did not get all of the last burst */
	send_burst(l, out, out_len);
	return 0;
}

unsigned pm_hdlc_link_input(struct pm_hdlc_link *l, const uint8_t *p, size_t n, uint64_t now_usec,
			    uint8_t *out, size_t *out_len)
{
	struct pm_hdlc_frame f;
	unsigned ev = 0;
	uint8_t ctrl;
	int r;

	*out_len = 0;
	r = pm_hdlc_decode(p, n, &f);
	if (r != PM_HDLC_OK && r != PM_HDLC_ERR_CONTROL) {
		l->st.bad++;
		return 0;
	}
	if (is_broadcast(&f.dst) || !for_us(&l->cfg, &f.dst)) {
		l->st.other_address++;
		return 0;
	}
	if (pm_hdlc_link_tick(l, now_usec))
		ev |= PM_HDLC_LINK_RESET;
	if (l->connected && (f.src.size != l->peer.size || f.src.upper != l->peer.upper ||
			     f.src.lower != l->peer.lower)) {
		/* another client while one is connected: it must wait for the link to end (the
		 * client's DISC or SNRM, or inactivity). Its SNRM too: else any station on the
		 * bus could end the association of another with one frame. No DM either: it
		 * reports disconnected mode, which the link is not. */
		l->st.other_address++;
		return ev;
	}
	if (f.type == PM_HDLC_SNRM && r == PM_HDLC_OK && !f.pf) {
		/* SNRM is a command a primary sends with P set and the secondary answers with UA
		 * and F (ISO/IEC 13239 normal response mode; every DLMS client's SNRM is 0x93).
		 * One without P asks for no answer, and taking it would end a working link in
		 * silence (a corrupted control byte, a confused station): no state changes, nothing
		 * is sent, and the client, without its UA, sends SNRM again with P. */
		l->st.unpolled_snrm++;
		return ev;
	}
	l->st.frames++;
	l->last_usec = now_usec;
	/* the control byte follows the format (2) and the addresses; its P bit (0x10) is where
	 * it is in every format, also in a control field we do not know */
	ctrl = p[3 + f.dst.size + f.src.size];
	l->polled = (ctrl & 0x10) != 0;
	if (f.type == PM_HDLC_UI && r == PM_HDLC_OK)
		return ev; /* unnumbered information: nothing a meter is asked with, no answer */
	if (r == PM_HDLC_ERR_CONTROL) {
		/* a control field we do not know: FRMR when connected, else nothing (a
		 * disconnected station answers only SNRM and DISC, and polls with DM) */
		if (l->connected) {
			l->self = f.dst;
			send_frmr(l, ctrl, FRMR_W, out, out_len);
		}
		return ev;
	}
	if (f.type == PM_HDLC_SNRM)
		return ev | on_snrm(l, &f, out, out_len);
	if (!l->connected) {
		/* DISC, I, RR, RNR, and the responses UA, DM, FRMR a client never sends: DM */
		l->self = f.dst;
		l->peer = f.src;
		reply(l, PM_HDLC_DM, NULL, 0, out, out_len);
		return ev;
	}
	if (f.type == PM_HDLC_DISC) {
		disconnect(l);
		l->self = f.dst;
		l->peer = f.src;
		reply(l, PM_HDLC_UA, NULL, 0, out, out_len);
		return ev | PM_HDLC_LINK_RESET;
	}
	if (l->frmr) {
		/* the FRMR condition holds until SNRM or DISC: say it again */
		reply(l, PM_HDLC_FRMR, l->frmr_info, sizeof(l->frmr_info), out, out_len);
		return ev;
	}
	l->self = f.dst;
	switch (f.type) {
	case PM_HDLC_I:
		return ev | on_i(l, &f, ctrl, out, out_len);
	case PM_HDLC_RR:
	case PM_HDLC_RNR:
		return ev | on_supervisory(l, &f, ctrl, out, out_len);
	default:
		/* UA, DM, FRMR: responses, never commands to a secondary station */
		send_frmr(l, ctrl, FRMR_W, out, out_len);
		return ev;
	}
}

void pm_hdlc_link_apdu(const struct pm_hdlc_link *l, const uint8_t **apdu, size_t *len,
		       uint16_t *client_sap, uint16_t *server_sap)
{
	*apdu = l->rx + PM_HDLC_LLC_LEN;
	*len = l->apdu_len;
	*client_sap = l->peer.upper;
	*server_sap = l->self.upper;
}

int pm_hdlc_link_answer(struct pm_hdlc_link *l, const uint8_t *apdu, size_t len, uint8_t *out,
			size_t *out_len)
{
	int r = 0;

	*out_len = 0;
	if (!l->connected)
		return 0;
	if (len > l->cfg.max_answer) {
		r = -EMSGSIZE;
		len = 0;
	}
	if (len) {
		memcpy(l->tx, llc_response, PM_HDLC_LLC_LEN);
		memcpy(l->tx + PM_HDLC_LLC_LEN, apdu, len);
		l->tx_len = len + PM_HDLC_LLC_LEN;
		l->ack_off = 0;
		l->tx_active = true;
		l->va = l->vs;
	}
	send_burst(l, out, out_len);
	return r;
}

bool pm_hdlc_link_tick(struct pm_hdlc_link *l, uint64_t now_usec)
{
	if (!l->connected || now_usec < pm_hdlc_link_deadline(l))
		return false;
	disconnect(l);
	return true;
}

uint64_t pm_hdlc_link_deadline(const struct pm_hdlc_link *l)
{
	if (!l->connected || !l->cfg.inactivity_usec)
		return UINT64_MAX;
	return l->last_usec + l->cfg.inactivity_usec;
}

bool pm_hdlc_link_connected(const struct pm_hdlc_link *l)
{
	return l->connected;
}

void pm_hdlc_link_params(const struct pm_hdlc_link *l, struct pm_hdlc_params *pr)
{
	*pr = l->neg;
}

void pm_hdlc_link_get_stats(const struct pm_hdlc_link *l, struct pm_hdlc_link_stats *st)
{
	*st = l->st;
}

void pm_hdlc_link_count_bad(struct pm_hdlc_link *l)
{
	l->st.bad++;
}
