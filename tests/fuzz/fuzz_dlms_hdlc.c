// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the HDLC frame codec (daemon/core/dlms/hdlc.c). The input is a received
 * byte stream: the frames pm_hdlc_find finds in it are decoded, and so is the whole input as
 * one frame. Besides not crashing:
 *   - find's answers lie inside what it was given (a frame starts and ends with a flag, a
 *     caller never drops more than it has), it always advances on a frame, and decode finds
 *     nothing wrong with what it found but the FCS or the control field;
 *   - the same stream fed in chunks (byte 0 picks their size) to a buffer of
 *     PM_HDLC_MAX_FRAME bytes gives the same frames at the same offsets;
 *   - decode answers one of its results; a frame it accepts encodes again to the same bytes
 *     (every bit of a frame is meaningful), with its information inside the input;
 *   - an accepted SNRM/UA parameter field encodes again to one that reads back the same.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/dlms/hdlc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t stream_buf[PM_HDLC_MAX_FRAME];
static uint8_t out[PM_HDLC_MAX_FRAME];

static void check_params(const uint8_t *p, size_t n)
{
	struct pm_hdlc_params a, b;
	uint8_t enc[32];
	size_t len;

	if (pm_hdlc_params_decode(p, n, &a) != PM_HDLC_OK)
		return;
	len = pm_hdlc_params_encode(&a, enc, sizeof(enc));
	if (!len || pm_hdlc_params_decode(enc, len, &b) != PM_HDLC_OK ||
	    memcmp(&a, &b, sizeof(a)) != 0)
		__builtin_trap();
}

/* Decodes the @n bytes at @p as one frame and checks what it answers; @found: a frame
 * pm_hdlc_find found, so only its FCS or control field may be wrong. */
static void check_frame(const uint8_t *p, size_t n, bool found)
{
	struct pm_hdlc_frame f;
	size_t len;
	int rc = pm_hdlc_decode(p, n, &f);

	if (rc > 0 || rc < PM_HDLC_ERR_CONTROL)
		__builtin_trap();
	if (found && rc && rc != PM_HDLC_ERR_FCS && rc != PM_HDLC_ERR_CONTROL)
		__builtin_trap();
	if (!pm_hdlc_strerror(rc)[0])
		__builtin_trap();
	if (rc)
		return;
	if (f.info_len && (f.info < p || f.info + f.info_len > p + n))
		__builtin_trap();
	if (pm_hdlc_encode(&f, out, sizeof(out), &len) != PM_HDLC_OK || len != n ||
	    memcmp(out, p, n) != 0)
		__builtin_trap();
	if (f.type == PM_HDLC_SNRM || f.type == PM_HDLC_UA)
		check_params(f.info, f.info_len);
}

/* Frames found: how many and a sum over their offsets in the stream and lengths. */
struct found {
	size_t count;
	uint64_t sum;
};

static void found_add(struct found *fd, size_t off, size_t len)
{
	fd->count++;
	fd->sum = fd->sum * 1000003u + (uint64_t)off * 4099u + len;
}

/* One find on @p, @n (at stream offset @off): checks its answer; returns the bytes to drop,
 * and whether a frame was found in *@got. */
static size_t find_once(const uint8_t *p, size_t n, size_t off, struct found *fd, bool *got)
{
	size_t start, flen, consume;

	*got = pm_hdlc_find(p, n, &start, &flen, &consume);
	if (consume > n)
		__builtin_trap();
	if (*got) {
		if (flen < 9 || flen > PM_HDLC_MAX_FRAME || start > n || flen > n - start ||
		    p[start] != PM_HDLC_FLAG || p[start + flen - 1] != PM_HDLC_FLAG ||
		    consume != start + flen - 1)
			__builtin_trap();
		found_add(fd, off + start, flen);
		check_frame(p + start, flen, true);
	}
	return consume;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct found whole = {0}, chunked = {0};
	size_t pos = 0, fill = 0, base = 0, chunk, take, drop;
	bool got;

	check_frame(data, size, false);

	/* the whole input at once */
	do {
		drop = find_once(data + pos, size - pos, pos, &whole, &got);
		pos += drop;
	} while (got);

	/* the same stream in chunks of 1..64 bytes through a bounded buffer */
	chunk = size ? (size_t)(data[0] & 63) + 1 : 1;
	pos = 0;
	while (pos < size) {
		take = size - pos < chunk ? size - pos : chunk;
		if (fill == sizeof(stream_buf))
			__builtin_trap(); /* find kept a full frame's room without a frame */
		if (take > sizeof(stream_buf) - fill)
			take = sizeof(stream_buf) - fill;
		memcpy(stream_buf + fill, data + pos, take);
		fill += take;
		pos += take;
		do {
			drop = find_once(stream_buf, fill, base, &chunked, &got);
			memmove(stream_buf, stream_buf + drop, fill - drop);
			fill -= drop;
			base += drop;
		} while (got);
	}
	if (whole.count != chunked.count || whole.sum != chunked.sum)
		__builtin_trap();
	return 0;
}
