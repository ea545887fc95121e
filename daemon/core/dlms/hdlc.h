/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * HDLC frames of DLMS (IEC 62056-46), pure and bounded: one frame encoded into a caller's
 * buffer, one frame decoded from a run of bytes (its information field points into that run),
 * the start of the next frame found in a receive buffer, and the SNRM/UA parameter negotiation
 * information field. No I/O, no allocation, no state between calls.
 *
 * Frame: 7E | format (2) | destination (1, 2 or 4) | source (1, 2 or 4) | control |
 * [HCS (2) | information] | FCS (2) | 7E. Format type 3: 0xA0 | segmentation bit 0x08 | an
 * 11-bit length of everything between the flags. HCS and FCS are CRC-16/X.25, low byte first.
 * No byte stuffing: the length says where a frame ends.
 */
#ifndef POLYMETER_HDLC_H
#define POLYMETER_HDLC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PM_HDLC_FLAG 0x7E
/* The 11-bit length of everything between the flags, and so the longest frame with flags. */
#define PM_HDLC_MAX_LEN 2047u
#define PM_HDLC_MAX_FRAME (PM_HDLC_MAX_LEN + 2u)
/* The longest header (format, two 4-byte addresses, control, HCS) and so the longest
 * information field a frame can carry. */
#define PM_HDLC_MAX_INFO (PM_HDLC_MAX_LEN - 2u - 4u - 4u - 1u - 2u - 2u)

/* Results: 0, or one of these (negative). */
enum pm_hdlc_err {
	PM_HDLC_OK = 0,
	PM_HDLC_ERR_TRUNCATED = -1, /* fewer bytes than the length field says */
	PM_HDLC_ERR_FLAG = -2,	    /* no 0x7E where a flag must be */
	PM_HDLC_ERR_FORMAT = -3,    /* not format type 3 (0xA nibble) */
	PM_HDLC_ERR_LENGTH = -4,    /* length too short for its parts, or bytes past the frame */
	PM_HDLC_ERR_ADDRESS = -5,   /* no extension bit in 1, 2 or 4 bytes, or a value too big */
	PM_HDLC_ERR_HCS = -6,
	PM_HDLC_ERR_FCS = -7,
	PM_HDLC_ERR_CONTROL = -8, /* a control field not listed, or information on RR/RNR */
	PM_HDLC_ERR_PARAM = -9,	  /* a bad SNRM/UA information field */
	PM_HDLC_ERR_SPACE =
	    -10, /* encoding: the output or the frame's 11-bit length is too small */
};

/* A short English name of a result ("bad FCS"), never NULL. */
const char *pm_hdlc_strerror(int err);

enum pm_hdlc_type {
	PM_HDLC_I,
	PM_HDLC_RR,
	PM_HDLC_RNR,
	PM_HDLC_SNRM,
	PM_HDLC_DISC,
	PM_HDLC_UA,
	PM_HDLC_DM,
	PM_HDLC_FRMR,
	PM_HDLC_UI,
};

/*
 * An HDLC address. size 1: upper only (0..0x7F; lower 0), one byte upper << 1 | 1. size 2:
 * upper and lower 0..0x7F, one byte each. size 4: upper and lower 0..0x3FFF, two bytes each,
 * 7 bits a byte, high part first. The last byte carries the extension bit (bit 0 = 1).
 * DLMS: the client's address is one byte (SAP 16 -> 0x21); a server's upper address is its
 * logical device (1: management), its lower one the physical device on a shared bus.
 */
struct pm_hdlc_addr {
	uint16_t upper, lower;
	uint8_t size; /* 1, 2 or 4 */
};

struct pm_hdlc_frame {
	bool segmented; /* the format's S bit: more segments of this APDU follow */
	struct pm_hdlc_addr dst, src;
	enum pm_hdlc_type type;
	bool pf;	/* poll/final */
	uint8_t ns, nr; /* 0..7: N(S) of I frames, N(R) of I, RR and RNR frames */
	const uint8_t *info;
	size_t info_len;
};

/* CRC-16/X.25 (reflected 0x1021, init and final xor 0xFFFF) of @n bytes: "123456789" 0x906E. */
uint16_t pm_hdlc_crc16(const void *p, size_t n);

/* The control byte of @f's type, P/F, N(S) and N(R). */
uint8_t pm_hdlc_control(const struct pm_hdlc_frame *f);

/*
 * Writes @f (flags included) into @out of @cap bytes and its length to *@len. Information
 * (with an HCS) is written when info_len is not 0; RR and RNR carry none. Returns 0,
 * PM_HDLC_ERR_ADDRESS, PM_HDLC_ERR_CONTROL (N(S)/N(R) above 7, information on RR/RNR) or
 * PM_HDLC_ERR_SPACE (nothing usable is written then).
 */
int pm_hdlc_encode(const struct pm_hdlc_frame *f, uint8_t *out, size_t cap, size_t *len);

/*
 * Reads the one frame that is exactly @n bytes at @p, both flags included (what pm_hdlc_find
 * returns). On 0 @f describes it, its info pointing into @p. Checked in this order: flag,
 * format, length, closing flag, addresses, HCS, FCS, control.
 */
int pm_hdlc_decode(const uint8_t *p, size_t n, struct pm_hdlc_frame *f);

/*
 * Looks in the @n received bytes at @p for the next frame: a flag, a type 3 format, a length
 * of at least 7, addresses of 1, 2 or 4 bytes, a matching HCS when the length leaves room for
 * information, and a flag where that length ends (FCS and control are pm_hdlc_decode's: it
 * answers 0, PM_HDLC_ERR_FCS or PM_HDLC_ERR_CONTROL for what this finds). A candidate whose
 * header fails is skipped as soon as the header has arrived, so noise cannot make a caller
 * wait for a long frame that is not there. Returns
 * true with the frame at p + *start, *flen bytes long (flags included); false when there is
 * none yet. Either way *consume is how many bytes the caller may drop now: on false the
 * garbage before a possible frame start (all of it when there is no flag), on true everything
 * up to but not including the frame's closing flag, which may open the next frame. A caller
 * keeps at least PM_HDLC_MAX_FRAME bytes of room so a frame can always complete.
 */
bool pm_hdlc_find(const uint8_t *p, size_t n, size_t *start, size_t *flen, size_t *consume);

/* ---- SNRM/UA information field: parameter negotiation ---- */

/* The defaults when a SNRM or UA carries no information field (or leaves one out). */
#define PM_HDLC_DEFAULT_MAX_INFO 128u
#define PM_HDLC_DEFAULT_WINDOW 1u

struct pm_hdlc_params {
	uint32_t max_info_tx, max_info_rx; /* parameters 0x05 and 0x06 */
	uint32_t window_tx, window_rx;	   /* parameters 0x07 and 0x08, 1..7 */
};

void pm_hdlc_params_default(struct pm_hdlc_params *pr);

/*
 * Reads the information field of a SNRM or UA: empty (all defaults), or format 0x81, group
 * 0x80, the group's length, then parameters (id, length 1..4, big-endian value). Unknown
 * parameters are skipped; those left out keep their defaults. Returns 0 or PM_HDLC_ERR_PARAM
 * (a wrong format or group, a length past the end or short of it, a value of 0, a window
 * above 7).
 */
int pm_hdlc_params_decode(const uint8_t *p, size_t n, struct pm_hdlc_params *pr);

/*
 * Writes the four parameters, each in the fewest of 1, 2 or 4 bytes, into @out of @cap bytes
 * (at most 27 are needed); returns the length, or 0 when @cap is too small or a value is one
 * pm_hdlc_params_decode refuses.
 */
size_t pm_hdlc_params_encode(const struct pm_hdlc_params *pr, uint8_t *out, size_t cap);

#endif
