/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The HDLC link layer of DLMS (IEC 62056-46), server side, pure: one secondary station (one
 * meter) on a line, fed the frames pm_hdlc_find cut from the received bytes, giving the frames
 * to send and the whole APDUs the application layer answers. No I/O and no clock: the time is
 * an argument, so the inactivity timeout is tested without waiting.
 *
 *   - Addressing. The meter answers to its upper address (the logical device, 1) and, on a
 *     shared bus, its lower (physical) address, in the 2- or 4-byte form; with no lower address
 *     configured it answers to the 1-byte form only (a point-to-point line, the optical port).
 *     Frames for any other address, and broadcasts (upper 0x7F or lower 0x7F / 0x3FFF: no
 *     station may answer them on a multi-drop line), are ignored without a byte sent, so the
 *     meters sharing a bus and the client are not disturbed.
 *   - Normal response mode (ISO/IEC 13239): we transmit only after a frame for us with P
 *     set, and our last frame then carries F. A frame without P gets no byte back: a UA, DM
 *     or FRMR it calls for goes out at the next poll only if the condition still holds (the
 *     FRMR, the DM of a disconnected link), and the answer to a request whose last frame
 *     lacked P is kept until the client's RR with P (or its repeat of that frame with P).
 *   - SNRM with P -> UA with the negotiated parameters (an SNRM without P is ignored: nothing
 *     changes, nothing is sent): each maximum information field length and
 *     window the smaller of ours and the client's (the client states its own view: its transmit
 *     length is our receive length); a field it leaves out means the default (128, 1). The
 *     connected client's SNRM starts the link again (and so ends the association); while one
 *     client is connected, every frame from another, SNRM included, is ignored. DISC -> UA
 *     (DM when not connected); every other frame on a disconnected link -> DM when polled.
 *   - I frames: N(S) must be V(R), else the information is dropped and, when polled, RR with
 *     V(R) asks for it again; a repeat of the last frame (the client did not get our answer)
 *     gets our answer again. N(R) acknowledges our frames; one outside the frames we sent is a
 *     protocol error: FRMR (reason Z), as is an information field longer than negotiated (Y)
 *     or a control field we do not know (W); the client then sends SNRM or DISC.
 *   - Segmentation both ways: an APDU longer than the negotiated length goes out in frames
 *     with the segmentation bit, up to the window at a time, the last of them with F; the
 *     client's RR (or RNR, which stops us until the next RR) acknowledges and asks for more;
 *     an unacknowledged frame is sent again from the first one the client's N(R) names
 *     (go-back-N). Received segments are acknowledged with RR and joined, up to max_apdu.
 *   - The LLC header: E6 E6 00 before each request APDU (an APDU without it is dropped), E6 E7
 *     00 before each answer; the link adds and strips it.
 *   - Inactivity: a link without a frame for us for inactivity_usec falls back to disconnected
 *     (pm_hdlc_link_tick), as does the association above it.
 */
#ifndef POLYMETER_HDLC_LINK_H
#define POLYMETER_HDLC_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dlms/hdlc.h"

/* What we offer in the UA before negotiation. */
#define PM_HDLC_LINK_DEFAULT_MAX_INFO 128u
#define PM_HDLC_LINK_DEFAULT_WINDOW 1u
/* The longest information field we take or send: the standard's upper bound (IEC 62056-46). */
#define PM_HDLC_LINK_MAX_INFO_LIMIT 2030u
/* 120 s: the usual inactivity_time_out of an HDLC setup object (class 23). */
#define PM_HDLC_LINK_DEFAULT_INACTIVITY_USEC (120 * 1000000ULL)
/* The LLC header of a request and of a response (IEC 62056-46, 8.6). */
#define PM_HDLC_LLC_LEN 3u
/* The most frames one input makes us send: a window of 7. */
#define PM_HDLC_LINK_OUT_MAX (7u * PM_HDLC_MAX_FRAME)

struct pm_hdlc_link_config {
	uint16_t upper; /* our logical device address (server SAP), 1..0x3FFF */
	uint16_t lower; /* our physical address on a bus, 0x10..0x3FFD; 0: none (1-byte form) */
	struct pm_hdlc_params offer; /* our proposal: lengths 32..2030, windows 1..7 */
	uint64_t inactivity_usec;    /* 0: never */
	size_t max_apdu;	     /* the longest request APDU we join (without LLC) */
	size_t max_answer;	     /* the longest answer APDU (without LLC) */
};

/* Events of one input (a bit set). */
enum {
	PM_HDLC_LINK_APDU = 1,	/* an APDU is whole: pm_hdlc_link_apdu, then pm_hdlc_link_answer */
	PM_HDLC_LINK_RESET = 2, /* the link (re)started or ended: the association above ends */
};

/* What the link saw; every frame given to pm_hdlc_link_input lands in one of the first four. */
struct pm_hdlc_link_stats {
	uint64_t frames;	/* for us and handled */
	uint64_t other_address; /* ignored: for another station, or a broadcast */
	uint64_t bad;		/* ignored: FCS, length or format wrong (pm_hdlc_decode fails) */
	uint64_t unpolled_snrm; /* for us, ignored: an SNRM without P */
	uint64_t frmr;		/* FRMR sent */
	uint64_t resent;	/* our frames sent again (go-back-N) */
};

struct pm_hdlc_link;

/* The defaults: upper 1, no lower address, 128/128 and windows 1/1 offered, 120 s. */
void pm_hdlc_link_config_default(struct pm_hdlc_link_config *cfg);

/* NULL on a bad configuration (see the limits above) or no memory. @cfg is copied. */
struct pm_hdlc_link *pm_hdlc_link_new(const struct pm_hdlc_link_config *cfg);
struct pm_hdlc_link *pm_hdlc_link_free(struct pm_hdlc_link *l);

/*
 * One frame (@n bytes at @p, flags included, as pm_hdlc_find cut it) received at @now_usec
 * (any monotonic clock). The frames to send are written to @out (at least
 * PM_HDLC_LINK_OUT_MAX bytes), their length to *@out_len (0: send nothing). Returns the events.
 */
unsigned pm_hdlc_link_input(struct pm_hdlc_link *l, const uint8_t *p, size_t n, uint64_t now_usec,
			    uint8_t *out, size_t *out_len);

/*
 * After PM_HDLC_LINK_APDU: the request APDU (LLC stripped), valid until the next input, and
 * the client's address (its SAP) and the logical device it called.
 */
void pm_hdlc_link_apdu(const struct pm_hdlc_link *l, const uint8_t **apdu, size_t *len,
		       uint16_t *client_sap, uint16_t *server_sap);

/*
 * The answer to the APDU (@len 0: none): its first frames (or an RR when there is no answer)
 * into @out (PM_HDLC_LINK_OUT_MAX bytes), their length to *@out_len: 0 when the request's
 * last frame had no P (the answer is kept for the poll). Returns 0, or -EMSGSIZE when @len
 * exceeds max_answer (nothing but an RR is sent then).
 */
int pm_hdlc_link_answer(struct pm_hdlc_link *l, const uint8_t *apdu, size_t len, uint8_t *out,
			size_t *out_len);

/* At @now_usec: true (and the link disconnected) when it has been inactive too long. */
bool pm_hdlc_link_tick(struct pm_hdlc_link *l, uint64_t now_usec);
/* When pm_hdlc_link_tick next has something to do; UINT64_MAX when never. */
uint64_t pm_hdlc_link_deadline(const struct pm_hdlc_link *l);

bool pm_hdlc_link_connected(const struct pm_hdlc_link *l);
/* The parameters in force (our view: tx what we send); the offer when not connected. */
void pm_hdlc_link_params(const struct pm_hdlc_link *l, struct pm_hdlc_params *pr);
void pm_hdlc_link_get_stats(const struct pm_hdlc_link *l, struct pm_hdlc_link_stats *st);
/* Counts a run of bytes the frame finder threw away (noise, half frames) as one bad input. */
void pm_hdlc_link_count_bad(struct pm_hdlc_link *l);

#endif
