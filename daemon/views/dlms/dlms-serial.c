// SPDX-License-Identifier: GPL-2.0-only
/* The DLMS/COSEM view over HDLC on a serial line (see dlms-serial.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "core/dlms/hdlc-link.h"
#include "core/dlms/mode-e.h"
#include "views/dlms/dlms-serial.h"
#include "views/serial/serial-port.h"

#define WHO "dlms-hdlc"
/* The longest answer APDU (the client's max-receive-pdu-size can be up to 0xFFFF; longer
 * answers go out in GET blocks, the session's business). */
#define ANSWER_APDU_MAX 0xFFFF
/* What we offer in the UA: windows of 7 both ways and 256-octet frames (the client's smaller
 * values win; most readers ask for 128 and 1). */
#define OFFER_MAX_INFO 256
#define OFFER_WINDOW 7
#define IN_MAX (2 * PM_HDLC_MAX_FRAME)
#define OUT_MAX (2 * PM_HDLC_LINK_OUT_MAX)

enum phase {
	PHASE_HDLC,	  /* frames */
	PHASE_SIGN_ON,	  /* mode E: waiting for "/?addr!" at 300 baud */
	PHASE_IDENTIFIED, /* mode E: the identification sent or due, waiting for the ACK */
};

struct station {
	struct pm_dlms_station cfg;
	struct pm_hdlc_link *link;
	struct pm_dlms_session *session;
};

struct pm_dlms_serial {
	sd_event *event;
	struct pm_dlms_serial_config line; /* as opened; .device is the port's */
	struct pm_serial_port *port;
	struct station st[PM_DLMS_SERIAL_STATIONS_MAX];
	size_t n_st;
	enum phase phase;
	bool slow_due;		/* mode E: 300 baud once the answer to DISC is out */
	uint64_t slow_usec;	/* when that was decided */
	sd_event_source *gap;	/* the inter-octet time-out of a frame being received */
	uint64_t gap_usec;	/* that time-out at the line's current speed */
	sd_event_source *tick;	/* the links' inactivity, mode E's fall back */
	sd_event_source *reply; /* mode E: the identification after the reaction time */
	uint64_t last_usec;	/* the last frame for a station */
	size_t in_len, text_len, ident_len;
	struct pm_dlms_serial_stats stats;
	struct pm_axdr_out apdu; /* the session's answer */
	uint8_t frames[PM_HDLC_LINK_OUT_MAX];
	uint8_t text[PM_MODE_E_LINE_MAX];
	uint8_t ident[PM_MODE_E_LINE_MAX];
	uint8_t in[IN_MAX];
};

static struct pm_tty_line hdlc_line(const struct pm_dlms_serial_config *cfg, unsigned baud)
{
	return (struct pm_tty_line){
	    .baud = baud, .data_bits = 8, .parity = cfg->parity, .stop_bits = cfg->stop_bits};
}

/* The line is now @l: the inter-octet time-out follows its speed (mode E changes it). */
static void line_set(struct pm_dlms_serial *s, const struct pm_tty_line *l)
{
	unsigned bits = 1 + l->data_bits + (l->parity != 'N') + l->stop_bits;

	s->gap_usec = pm_dlms_serial_inter_octet_usec(l->baud, bits);
}

/* IEC 62056-21: the sign-on at 300 baud, 7 data bits, even parity, 1 stop bit. */
static const struct pm_tty_line sign_on_line = {
    .baud = 300, .data_bits = 7, .parity = 'E', .stop_bits = 1};

static uint64_t now_usec(const struct pm_dlms_serial *s)
{
	uint64_t now = 0;

	(void)sd_event_now(s->event, CLOCK_MONOTONIC, &now);
	return now;
}

static void send_bytes(struct pm_dlms_serial *s, const uint8_t *b, size_t n)
{
	int r;

	if (!n)
		return;
	r = pm_serial_port_send(s->port, b, n);
	if (r == -ENOBUFS) {
		s->stats.dropped++;
		log_debug(WHO ": output queue full, answer dropped");
	} else if (r < 0) {
		log_warning_errno(r, WHO ": %s: write", pm_serial_port_device(s->port));
	}
}

static int new_session(struct station *t)
{
	pm_dlms_session_free(t->session);
	t->session = pm_dlms_session_new(t->cfg.server);
	return t->session ? 0 : -ENOMEM;
}

static void arm(sd_event_source *src, uint64_t when)
{
	if (when == UINT64_MAX) {
		(void)sd_event_source_set_enabled(src, SD_EVENT_OFF);
		return;
	}
	(void)sd_event_source_set_time(src, when);
	(void)sd_event_source_set_enabled(src, SD_EVENT_ONESHOT);
}

/* When the tick timer next has something to do: a link's inactivity, or mode E's return to
 * the sign-on when no link came up. */
static void arm_tick(struct pm_dlms_serial *s)
{
	uint64_t when = UINT64_MAX;
	bool any = false;

	for (size_t i = 0; i < s->n_st; i++) {
		uint64_t d = pm_hdlc_link_deadline(s->st[i].link);

		if (d < when)
			when = d;
		any |= pm_hdlc_link_connected(s->st[i].link);
	}
	if (s->line.mode_e && s->phase == PHASE_HDLC && !any && s->line.inactivity_usec)
		when = s->last_usec + s->line.inactivity_usec;
	arm(s->tick, when);
}

/* Mode E: back to waiting for a sign-on (the rate follows once our last answer is out). */
static void start_sign_on(struct pm_dlms_serial *s)
{
	s->phase = PHASE_SIGN_ON;
	s->slow_due = true;
	s->slow_usec = now_usec(s);
	s->text_len = 0;
	(void)sd_event_source_set_enabled(s->reply, SD_EVENT_OFF);
}

/* The APDU a link completed: the session's answer goes back through the link. */
static void answer_apdu(struct pm_dlms_serial *s, struct station *t)
{
	const uint8_t *apdu;
	uint16_t client, server;
	size_t len, n;
	enum pm_dlms_verdict v;

	pm_hdlc_link_apdu(t->link, &apdu, &len, &client, &server);
	pm_axdr_out_reset(&s->apdu);
	v = pm_dlms_session_apdu(t->session, t->cfg.meter(t->cfg.data), client, server, apdu, len,
				 &s->apdu);
	if (s->apdu.overflow) {
		log_warning(WHO ": an answer to SAP %u did not fit 64 KiB", client);
		s->apdu.len = 0;
	}
	if (pm_hdlc_link_answer(t->link, s->apdu.buf, s->apdu.len, s->frames, &n) < 0)
		log_warning(WHO ": an answer to SAP %u longer than a link takes", client);
	s->stats.answers++;
	send_bytes(s, s->frames, n);
	/* the session asked to end (a transport closing after its answer): over HDLC the link
	 * stays, the association starts again */
	if (v == PM_DLMS_CLOSE && new_session(t) < 0)
		log_error(WHO ": no memory for a session");
}

/* One frame cut from the line: every station's link sees it (each takes its own address). */
static void on_frame(struct pm_dlms_serial *s, const uint8_t *p, size_t n)
{
	bool ours = false;
	size_t len;

	for (size_t i = 0; i < s->n_st; i++) {
		struct station *t = &s->st[i];
		struct pm_hdlc_link_stats before, after;
		unsigned ev;

		pm_hdlc_link_get_stats(t->link, &before);
		ev = pm_hdlc_link_input(t->link, p, n, now_usec(s), s->frames, &len);
		pm_hdlc_link_get_stats(t->link, &after);
		if (after.bad != before.bad) {
			s->stats.noise++; /* the FCS: the same for every station */
			return;
		}
		if (after.other_address != before.other_address)
			continue;
		ours = true;
		s->last_usec = now_usec(s);
		send_bytes(s, s->frames, len);
		if ((ev & PM_HDLC_LINK_RESET) && new_session(t) < 0)
			log_error(WHO ": no memory for a session");
		if (ev & PM_HDLC_LINK_APDU)
			answer_apdu(s, t);
		if (s->line.mode_e && (ev & PM_HDLC_LINK_RESET) && !pm_hdlc_link_connected(t->link))
			start_sign_on(s); /* DISC: the reader goes away */
	}
	s->stats.frames++;
	if (!ours)
		s->stats.other_address++;
}

/* True when the @n bytes at @p are nothing but flags (a frame's closing flag, an opener). */
static bool only_flags(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != PM_HDLC_FLAG)
			return false;
	return true;
}

/* Mode E: the line goes back to 300 baud 7E1 once our answer to DISC has left it (a rate
 * changed under bytes being sent garbles them). */
static void maybe_slow_down(struct pm_dlms_serial *s)
{
	int r;

	if (!s->slow_due)
		return;
	/* a line whose peer stopped reading never drains: a second is more than a UA takes */
	if ((pm_serial_port_queued(s->port) || pm_serial_port_unsent(s->port) > 0) &&
	    now_usec(s) < s->slow_usec + 1000000) {
		arm(s->gap, now_usec(s) + s->gap_usec); /* look again */
		return;
	}
	s->slow_due = false;
	r = pm_serial_port_set_line(s->port, &sign_on_line);
	if (r < 0)
		log_warning_errno(r, WHO ": %s: back to 300 baud", pm_serial_port_device(s->port));
	else
		line_set(s, &sign_on_line);
}

/* Cuts the frames out of what was received; @stale: the line has been quiet for the
 * inter-octet time-out, so a frame begun in the buffer will not be completed. */
static void drain(struct pm_dlms_serial *s, bool stale)
{
	size_t start, flen, consume;

	while (s->in_len && s->phase == PHASE_HDLC) {
		bool found = pm_hdlc_find(s->in, s->in_len, &start, &flen, &consume);

		if (found)
			on_frame(s, s->in + start, flen);
		if (!found && stale && consume < s->in_len)
			consume++; /* give up the frame begun here: look past its flag */
		if (!only_flags(s->in, found ? start : consume))
			s->stats.noise++; /* bytes before a frame, or with no frame in them */
		if (!consume)
			break;
		memmove(s->in, s->in + consume, s->in_len - consume);
		s->in_len -= consume;
		if (!found && !stale)
			break;
	}
	if (s->phase != PHASE_HDLC)
		s->in_len = 0; /* DISC on the optical port: what follows is a sign-on */
	if (s->in_len)
		arm(s->gap, now_usec(s) + s->gap_usec);
	else
		(void)sd_event_source_set_enabled(s->gap, SD_EVENT_OFF);
	maybe_slow_down(s);
	arm_tick(s);
}

/* Mode E: one line of the sign-on dialogue. */
static void on_text_line(struct pm_dlms_serial *s)
{
	const struct station *t = &s->st[0];
	const struct pm_mode_e_config me = {
	    .address = t->cfg.address,
	    .manufacturer = PM_DLMS_SERIAL_MANUFACTURER,
	    .ident = PM_DLMS_SERIAL_IDENT,
	    .baud = s->line.baud,
	};
	struct pm_tty_line l;
	unsigned baud = 0;
	int r;

	switch (pm_mode_e_line(&me, s->text, s->text_len, s->ident, sizeof(s->ident), &s->ident_len,
			       &baud)) {
	case PM_MODE_E_IDENTIFY:
		s->phase = PHASE_IDENTIFIED;
		arm(s->reply, now_usec(s) + PM_DLMS_SERIAL_REACTION_USEC);
		break;
	case PM_MODE_E_SWITCH:
		if (s->phase != PHASE_IDENTIFIED)
			break;
		l = hdlc_line(&s->line, baud);
		s->slow_due = false;
		r = pm_serial_port_set_line(s->port, &l);
		if (r < 0) {
			log_warning_errno(r, WHO ": %s: %u baud", pm_serial_port_device(s->port),
					  baud);
			start_sign_on(s);
			break;
		}
		line_set(s, &l);
		s->stats.sign_ons++;
		s->phase = PHASE_HDLC;
		/* a reader that did not wait for the identification gets none in the middle of HDLC
		 */
		(void)sd_event_source_set_enabled(s->reply, SD_EVENT_OFF);
		s->in_len = 0;
		s->last_usec = now_usec(s);
		log_debug(WHO ": mode E: HDLC at %u baud", baud);
		arm_tick(s);
		break;
	case PM_MODE_E_IGNORE:
		break;
	}
}

/* Mode E before HDLC: 7-bit characters gathered into lines ending in CR LF. Returns how many
 * of the @n bytes it took: all, or those up to the option select that switched to HDLC. */
static size_t on_text(struct pm_dlms_serial *s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && s->phase != PHASE_HDLC; i++) {
		uint8_t c = p[i] & 0x7F; /* a 7-bit line: the parity bit is not data */

		if (s->text_len == sizeof(s->text))
			s->text_len = 0; /* no message is that long: noise */
		if (c == '/' || c == 0x06)
			s->text_len = 0; /* a message starts: what came before was noise */
		s->text[s->text_len++] = c;
		if (c == '\n' && s->text_len >= 2 && s->text[s->text_len - 2] == '\r') {
			on_text_line(s);
			s->text_len = 0;
		}
	}
	return i;
}

static void on_rx(void *data, const uint8_t *p, size_t n)
{
	struct pm_dlms_serial *s = data;

	while (n) {
		size_t k;

		if (s->phase != PHASE_HDLC) {
			k = on_text(s, p, n);
			p += k;
			n -= k;
			continue;
		}
		k = n < IN_MAX - s->in_len ? n : IN_MAX - s->in_len;
		memcpy(s->in + s->in_len, p, k);
		s->in_len += k;
		p += k;
		n -= k;
		/* room is always made: pm_hdlc_find lets go of all but a frame's worth */
		drain(s, s->in_len == IN_MAX);
	}
}

/* The line hung up: a frame begun will not be completed. */
static void on_hangup(void *data)
{
	struct pm_dlms_serial *s = data;

	s->in_len = s->text_len = 0;
	(void)sd_event_source_set_enabled(s->gap, SD_EVENT_OFF);
}

static int on_gap(sd_event_source *src, uint64_t usec, void *userdata)
{
	(void)src;
	(void)usec;
	drain(userdata, true);
	return 0;
}

static int on_tick(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct pm_dlms_serial *s = userdata;
	bool any = false;

	(void)src;
	for (size_t i = 0; i < s->n_st; i++) {
		struct station *t = &s->st[i];

		if (pm_hdlc_link_tick(t->link, usec)) {
			log_debug(WHO ": a link inactive too long: disconnected");
			if (new_session(t) < 0)
				log_error(WHO ": no memory for a session");
		}
		any |= pm_hdlc_link_connected(t->link);
	}
	if (s->line.mode_e && s->phase == PHASE_HDLC && !any &&
	    usec >= s->last_usec + s->line.inactivity_usec) {
		start_sign_on(s);
		maybe_slow_down(s);
	}
	arm_tick(s);
	return 0;
}

static int on_reply(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct pm_dlms_serial *s = userdata;

	(void)src;
	(void)usec;
	send_bytes(s, s->ident, s->ident_len);
	return 0;
}

static int station_init(struct station *t, const struct pm_dlms_serial_config *cfg,
			const struct pm_dlms_station *st)
{
	struct pm_hdlc_link_config lc;

	pm_hdlc_link_config_default(&lc);
	lc.lower = st->lower;
	lc.offer =
	    (struct pm_hdlc_params){OFFER_MAX_INFO, OFFER_MAX_INFO, OFFER_WINDOW, OFFER_WINDOW};
	lc.inactivity_usec = cfg->inactivity_usec;
	lc.max_apdu = st->server->max_pdu ? st->server->max_pdu : PM_DLMS_SERVER_MAX_PDU;
	lc.max_answer = ANSWER_APDU_MAX;
	*t = (struct station){.cfg = *st}; /* a slot a released station may have left behind */
	t->link = pm_hdlc_link_new(&lc);
	if (!t->link)
		return -EINVAL;
	return new_session(t);
}

static void station_free(struct station *t)
{
	pm_hdlc_link_free(t->link);
	pm_dlms_session_free(t->session);
}

static bool line_valid(const struct pm_dlms_serial_config *cfg)
{
	struct pm_tty_line l = hdlc_line(cfg, cfg->baud);

	return cfg->device && cfg->baud <= 115200 && pm_tty_line_valid(&l) &&
	       (!cfg->mode_e ||
		(cfg->parity == 'N' && cfg->stop_bits == 1 && pm_mode_e_baud_char(cfg->baud)));
}

int pm_dlms_serial_new(sd_event *event, const struct pm_dlms_serial_config *cfg,
		       const struct pm_dlms_station *st, struct pm_dlms_serial **out)
{
	struct pm_tty_line l = hdlc_line(cfg, cfg->baud);
	struct pm_dlms_serial *s;
	int r;

	if (!line_valid(cfg))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->event = sd_event_ref(event);
	s->line = *cfg;
	pm_axdr_out_init_heap(&s->apdu, ANSWER_APDU_MAX);
	s->n_st = 1; /* freed with the server from here on, whatever station_init did */
	r = station_init(&s->st[0], cfg, st);
	if (r < 0)
		goto fail;
	r = pm_serial_port_new(event, WHO, cfg->device, cfg->mode_e ? &sign_on_line : &l,
			       cfg->rs485, OUT_MAX, on_rx, on_hangup, s, &s->port);
	if (r < 0)
		goto fail;
	s->line.device = pm_serial_port_device(s->port);
	line_set(s, cfg->mode_e ? &sign_on_line : &l);
	s->phase = cfg->mode_e ? PHASE_SIGN_ON : PHASE_HDLC;
	/* accuracy 1 ms: the default (250 ms) would stretch the inter-octet time-out and the
	 * reaction time past what a reader waits */
	r = sd_event_add_time(event, &s->gap, CLOCK_MONOTONIC, 0, 1000, on_gap, s);
	if (r >= 0)
		r = sd_event_add_time(event, &s->tick, CLOCK_MONOTONIC, 0, 1000, on_tick, s);
	if (r >= 0)
		r = sd_event_add_time(event, &s->reply, CLOCK_MONOTONIC, 0, 1000, on_reply, s);
	if (r < 0)
		goto fail;
	arm(s->gap, UINT64_MAX);
	arm(s->tick, UINT64_MAX);
	arm(s->reply, UINT64_MAX);
	log_info(WHO ": %s: %u 8%c%u%s, station %u", s->line.device, cfg->baud, cfg->parity,
		 cfg->stop_bits, cfg->mode_e ? ", IEC 62056-21 mode E sign-on at 300 baud" : "",
		 st->lower);
	*out = s;
	return 0;
fail:
	pm_dlms_serial_free(s);
	return r;
}

static bool same_address(uint16_t a, uint16_t b)
{
	return a == b; /* 0 is the 1-byte form: one station's alone, as any lower address */
}

int pm_dlms_serial_add(struct pm_dlms_serial *s, const struct pm_dlms_serial_config *cfg,
		       const struct pm_dlms_station *st)
{
	int r;

	if (cfg->baud != s->line.baud || cfg->parity != s->line.parity ||
	    cfg->stop_bits != s->line.stop_bits || cfg->rs485 != s->line.rs485 || cfg->mode_e ||
	    s->line.mode_e || cfg->inactivity_usec != s->line.inactivity_usec)
		return -EINVAL;
	for (size_t i = 0; i < s->n_st; i++)
		if (same_address(s->st[i].cfg.lower, st->lower))
			return -EEXIST;
	if (s->n_st == PM_DLMS_SERIAL_STATIONS_MAX)
		return -ENOSPC;
	r = station_init(&s->st[s->n_st], cfg, st);
	if (r < 0) {
		station_free(&s->st[s->n_st]);
		return r;
	}
	s->n_st++;
	log_info(WHO ": %s: station %u added (%zu on the line)", s->line.device, st->lower,
		 s->n_st);
	return 0;
}

struct pm_dlms_serial *pm_dlms_serial_release(struct pm_dlms_serial *s, const void *data)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < s->n_st; i++)
		if (s->st[i].cfg.data == data) {
			station_free(&s->st[i]);
			s->st[i] = s->st[--s->n_st];
			break;
		}
	return s->n_st ? NULL : pm_dlms_serial_free(s);
}

struct pm_dlms_serial *pm_dlms_serial_free(struct pm_dlms_serial *s)
{
	if (!s)
		return NULL;
	if (s->port)
		log_info(WHO ": %s: %llu frames, %llu answers, %llu for other stations, %llu runs "
			     "of noise, %llu sign-ons; %llu answers dropped",
			 s->line.device, (unsigned long long)s->stats.frames,
			 (unsigned long long)s->stats.answers,
			 (unsigned long long)s->stats.other_address,
			 (unsigned long long)s->stats.noise, (unsigned long long)s->stats.sign_ons,
			 (unsigned long long)s->stats.dropped);
	for (size_t i = 0; i < s->n_st; i++)
		station_free(&s->st[i]);
	sd_event_source_disable_unref(s->gap);
	sd_event_source_disable_unref(s->tick);
	sd_event_source_disable_unref(s->reply);
	pm_serial_port_free(s->port);
	pm_axdr_out_free(&s->apdu);
	sd_event_unref(s->event);
	free(s);
	return NULL;
}

const char *pm_dlms_serial_device(const struct pm_dlms_serial *s)
{
	return s->line.device;
}

void pm_dlms_serial_get_stats(const struct pm_dlms_serial *s, struct pm_dlms_serial_stats *st)
{
	*st = s->stats;
}
