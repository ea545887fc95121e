// SPDX-License-Identifier: GPL-2.0-only
/*
 * A-XDR writer and reader (axdr.h). The writer records an overflow instead of writing past its
 * capacity; the reader records an error instead of reading past its input, and both states are
 * sticky, so a caller checks once after a run of calls.
 *
 * Data tags and sizes are IEC 62056-6-2's "Data" CHOICE: every scalar has a fixed size (bcd,
 * integer, unsigned, enum and boolean one octet; long and long-unsigned two; double-long,
 * double-long-unsigned and float32 four; long64, long64-unsigned and float64 eight; date-time
 * 12, date 5, time 4), strings carry a length, a bit-string a length in bits.
 */
#include <stdlib.h>
#include <string.h>

#include "core/dlms/axdr.h"

/* The first heap buffer: most APDUs fit in it. */
#define AXDR_HEAP_FIRST 256u

/* ---- writer ---- */

void pm_axdr_out_init(struct pm_axdr_out *o, uint8_t *buf, size_t cap)
{
	o->buf = buf;
	o->cap = buf ? cap : 0;
	o->len = 0;
	o->max = 0;
	o->overflow = false;
}

void pm_axdr_out_init_heap(struct pm_axdr_out *o, size_t max)
{
	o->buf = NULL;
	o->cap = 0;
	o->len = 0;
	/* max 0 would read as "fixed": a heap writer that may hold nothing is one of 1 byte */
	o->max = max ? max : 1;
	o->overflow = false;
}

void pm_axdr_out_free(struct pm_axdr_out *o)
{
	if (o->max)
		free(o->buf);
	o->buf = NULL;
	o->cap = 0;
	o->len = 0;
	o->overflow = false;
}

void pm_axdr_out_reset(struct pm_axdr_out *o)
{
	o->len = 0;
	o->overflow = false;
}

/* Room for @n more bytes: grows a heap buffer up to its max; false (overflow set) otherwise. */
static bool out_room(struct pm_axdr_out *o, size_t n)
{
	size_t need, cap;
	uint8_t *p;

	if (o->overflow)
		return false;
	if (n <= o->cap - o->len)
		return true;
	if (!o->max || n > o->max - o->len) {
		o->overflow = true;
		return false;
	}
	need = o->len + n;
	cap = o->cap ? o->cap : AXDR_HEAP_FIRST;
	while (cap < need)
		cap = cap > o->max / 2 ? o->max : cap * 2;
	if (cap > o->max)
		cap = o->max;
	p = realloc(o->buf, cap);
	if (!p) {
		o->overflow = true;
		return false;
	}
	o->buf = p;
	o->cap = cap;
	return true;
}

void pm_axdr_put_raw(struct pm_axdr_out *o, const void *p, size_t n)
{
	if (!n || !out_room(o, n))
		return;
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

void pm_axdr_put_byte(struct pm_axdr_out *o, uint8_t b)
{
	pm_axdr_put_raw(o, &b, 1);
}

void pm_axdr_put_u16be(struct pm_axdr_out *o, uint16_t v)
{
	const uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	pm_axdr_put_raw(o, b, sizeof(b));
}

void pm_axdr_put_u32be(struct pm_axdr_out *o, uint32_t v)
{
	const uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
			      (uint8_t)v};

	pm_axdr_put_raw(o, b, sizeof(b));
}

static void put_u64be(struct pm_axdr_out *o, uint64_t v)
{
	pm_axdr_put_u32be(o, (uint32_t)(v >> 32));
	pm_axdr_put_u32be(o, (uint32_t)v);
}

void pm_axdr_put_length(struct pm_axdr_out *o, size_t n)
{
	uint8_t b[5];
	size_t k, i;

	if (n < 0x80) {
		pm_axdr_put_byte(o, (uint8_t)n);
		return;
	}
	/* Two shifts, so a 32-bit size_t compiles without a type-limits
	 * warning: A-XDR lengths stop at four octets. */
	if ((n >> 16) >> 16) {
		o->overflow = true;
		return;
	}
	k = n <= 0xFF ? 1 : n <= 0xFFFF ? 2 : n <= 0xFFFFFF ? 3 : 4;
	b[0] = (uint8_t)(0x80 | k);
	for (i = 0; i < k; i++)
		b[1 + i] = (uint8_t)(n >> (8 * (k - 1 - i)));
	pm_axdr_put_raw(o, b, 1 + k);
}

void pm_axdr_put_null(struct pm_axdr_out *o)
{
	pm_axdr_put_byte(o, PM_AXDR_NULL);
}

void pm_axdr_put_array(struct pm_axdr_out *o, size_t n)
{
	pm_axdr_put_byte(o, PM_AXDR_ARRAY);
	pm_axdr_put_length(o, n);
}

void pm_axdr_put_structure(struct pm_axdr_out *o, size_t n)
{
	pm_axdr_put_byte(o, PM_AXDR_STRUCTURE);
	pm_axdr_put_length(o, n);
}

void pm_axdr_put_bool(struct pm_axdr_out *o, bool v)
{
	pm_axdr_put_byte(o, PM_AXDR_BOOLEAN);
	pm_axdr_put_byte(o, v ? 1 : 0);
}

void pm_axdr_put_bit_string(struct pm_axdr_out *o, const uint8_t *bits, size_t nbits)
{
	size_t nbytes = nbits / 8 + (nbits % 8 != 0);

	pm_axdr_put_byte(o, PM_AXDR_BIT_STRING);
	pm_axdr_put_length(o, nbits);
	if (!nbytes)
		return;
	pm_axdr_put_raw(o, bits, nbytes - 1);
	/* the unused low bits of the last octet go out as zeros whatever the caller left there */
	pm_axdr_put_byte(o, (uint8_t)(bits[nbytes - 1] & (0xFFu << ((8 - nbits % 8) % 8))));
}

void pm_axdr_put_i8(struct pm_axdr_out *o, int8_t v)
{
	pm_axdr_put_byte(o, PM_AXDR_INTEGER);
	pm_axdr_put_byte(o, (uint8_t)v);
}

void pm_axdr_put_i16(struct pm_axdr_out *o, int16_t v)
{
	pm_axdr_put_byte(o, PM_AXDR_LONG);
	pm_axdr_put_u16be(o, (uint16_t)v);
}

void pm_axdr_put_i32(struct pm_axdr_out *o, int32_t v)
{
	pm_axdr_put_byte(o, PM_AXDR_DOUBLE_LONG);
	pm_axdr_put_u32be(o, (uint32_t)v);
}

void pm_axdr_put_i64(struct pm_axdr_out *o, int64_t v)
{
	pm_axdr_put_byte(o, PM_AXDR_LONG64);
	put_u64be(o, (uint64_t)v);
}

void pm_axdr_put_u8(struct pm_axdr_out *o, uint8_t v)
{
	pm_axdr_put_byte(o, PM_AXDR_UNSIGNED);
	pm_axdr_put_byte(o, v);
}

void pm_axdr_put_u16(struct pm_axdr_out *o, uint16_t v)
{
	pm_axdr_put_byte(o, PM_AXDR_LONG_UNSIGNED);
	pm_axdr_put_u16be(o, v);
}

void pm_axdr_put_u32(struct pm_axdr_out *o, uint32_t v)
{
	pm_axdr_put_byte(o, PM_AXDR_DOUBLE_LONG_UNSIGNED);
	pm_axdr_put_u32be(o, v);
}

void pm_axdr_put_u64(struct pm_axdr_out *o, uint64_t v)
{
	pm_axdr_put_byte(o, PM_AXDR_LONG64_UNSIGNED);
	put_u64be(o, v);
}

void pm_axdr_put_enum(struct pm_axdr_out *o, uint8_t v)
{
	pm_axdr_put_byte(o, PM_AXDR_ENUM);
	pm_axdr_put_byte(o, v);
}

void pm_axdr_put_octet_string(struct pm_axdr_out *o, const void *p, size_t n)
{
	pm_axdr_put_byte(o, PM_AXDR_OCTET_STRING);
	pm_axdr_put_length(o, n);
	pm_axdr_put_raw(o, p, n);
}

void pm_axdr_put_visible_string(struct pm_axdr_out *o, const char *s)
{
	size_t n = strlen(s);

	pm_axdr_put_byte(o, PM_AXDR_VISIBLE_STRING);
	pm_axdr_put_length(o, n);
	pm_axdr_put_raw(o, s, n);
}

/* ---- reader ---- */

void pm_axdr_in_init(struct pm_axdr_in *in, const void *p, size_t len)
{
	in->p = p;
	in->len = p ? len : 0;
	in->pos = 0;
	in->error = false;
}

static int in_fail(struct pm_axdr_in *in)
{
	in->error = true;
	return -1;
}

int pm_axdr_get_bytes(struct pm_axdr_in *in, size_t n, const uint8_t **p)
{
	if (in->error || n > in->len - in->pos)
		return in_fail(in);
	*p = in->p + in->pos;
	in->pos += n;
	return 0;
}

int pm_axdr_get_byte(struct pm_axdr_in *in, uint8_t *v)
{
	const uint8_t *p;

	if (pm_axdr_get_bytes(in, 1, &p))
		return -1;
	*v = p[0];
	return 0;
}

/* @n (1..8) octets big-endian. */
static int get_be(struct pm_axdr_in *in, size_t n, uint64_t *v)
{
	const uint8_t *p;
	uint64_t x = 0;
	size_t i;

	if (pm_axdr_get_bytes(in, n, &p))
		return -1;
	for (i = 0; i < n; i++)
		x = x << 8 | p[i];
	*v = x;
	return 0;
}

int pm_axdr_get_u16be(struct pm_axdr_in *in, uint16_t *v)
{
	uint64_t x;

	if (get_be(in, 2, &x))
		return -1;
	*v = (uint16_t)x;
	return 0;
}

int pm_axdr_get_u32be(struct pm_axdr_in *in, uint32_t *v)
{
	uint64_t x;

	if (get_be(in, 4, &x))
		return -1;
	*v = (uint32_t)x;
	return 0;
}

/*
 * A length in any of its forms, not compared with the input: an element count or a bit count
 * is not a byte count. 0x80 (BER's indefinite form) and forms above 0x84 are malformed.
 */
static int get_length_any(struct pm_axdr_in *in, uint32_t *n)
{
	uint8_t b;
	uint64_t x;

	if (pm_axdr_get_byte(in, &b))
		return -1;
	if (b < 0x80) {
		*n = b;
		return 0;
	}
	if (b == 0x80 || b > 0x84)
		return in_fail(in);
	if (get_be(in, b & 0x7F, &x))
		return -1;
	*n = (uint32_t)x;
	return 0;
}

int pm_axdr_get_length(struct pm_axdr_in *in, size_t *n)
{
	uint32_t x;

	if (get_length_any(in, &x))
		return -1;
	if (x > in->len - in->pos)
		return in_fail(in);
	*n = x;
	return 0;
}

/* The fixed size of a scalar tag's value; -1 for a tag that is not a fixed-size scalar. */
static int fixed_size(uint8_t tag)
{
	switch (tag) {
	case PM_AXDR_NULL:
		return 0;
	case PM_AXDR_BOOLEAN:
	case PM_AXDR_BCD:
	case PM_AXDR_INTEGER:
	case PM_AXDR_UNSIGNED:
	case PM_AXDR_ENUM:
		return 1;
	case PM_AXDR_LONG:
	case PM_AXDR_LONG_UNSIGNED:
		return 2;
	case PM_AXDR_TIME:
	case PM_AXDR_DOUBLE_LONG:
	case PM_AXDR_DOUBLE_LONG_UNSIGNED:
	case PM_AXDR_FLOAT32:
		return 4;
	case PM_AXDR_DATE:
		return 5;
	case PM_AXDR_LONG64:
	case PM_AXDR_LONG64_UNSIGNED:
	case PM_AXDR_FLOAT64:
		return 8;
	case PM_AXDR_DATE_TIME:
		return 12;
	default:
		return -1;
	}
}

/* Sign-extends the low @bytes (1..8) octets of @x. */
static int64_t sign_extend(uint64_t x, int bytes)
{
	if (bytes < 8 && (x >> (8 * bytes - 1)) & 1)
		x |= UINT64_MAX << (8 * bytes);
	return (int64_t)x; /* two's complement: gcc and clang define the conversion so */
}

int pm_axdr_get_data(struct pm_axdr_in *in, struct pm_axdr_data *d)
{
	uint8_t tag;
	uint32_t n;
	uint64_t x;
	int size;

	memset(d, 0, sizeof(*d));
	if (pm_axdr_get_byte(in, &tag))
		return -1;
	d->tag = (enum pm_axdr_tag)tag;
	switch (tag) {
	case PM_AXDR_ARRAY:
	case PM_AXDR_STRUCTURE:
		if (get_length_any(in, &n))
			return -1;
		/* every element is at least its tag octet: a larger count cannot be in the input */
		if (n > in->len - in->pos)
			return in_fail(in);
		d->count = n;
		return 0;
	case PM_AXDR_BIT_STRING:
		if (get_length_any(in, &n))
			return -1;
		d->count = n;
		d->nbytes = n / 8 + (n % 8 != 0);
		return pm_axdr_get_bytes(in, d->nbytes, &d->bytes);
	case PM_AXDR_OCTET_STRING:
	case PM_AXDR_VISIBLE_STRING:
	case PM_AXDR_UTF8_STRING:
		if (pm_axdr_get_length(in, &d->nbytes))
			return -1;
		return pm_axdr_get_bytes(in, d->nbytes, &d->bytes);
	default:
		break;
	}
	size = fixed_size(tag);
	if (size < 0)
		return in_fail(in); /* compact-array, or no Data tag at all */
	switch (tag) {
	case PM_AXDR_NULL:
		return 0;
	case PM_AXDR_BCD:
	case PM_AXDR_FLOAT32:
	case PM_AXDR_FLOAT64:
	case PM_AXDR_DATE_TIME:
	case PM_AXDR_DATE:
	case PM_AXDR_TIME:
		d->nbytes = (size_t)size;
		return pm_axdr_get_bytes(in, d->nbytes, &d->bytes);
	default:
		break;
	}
	if (get_be(in, (size_t)size, &x))
		return -1;
	switch (tag) {
	case PM_AXDR_INTEGER:
	case PM_AXDR_LONG:
	case PM_AXDR_DOUBLE_LONG:
	case PM_AXDR_LONG64:
		d->i = sign_extend(x, size);
		break;
	case PM_AXDR_BOOLEAN:
		d->u = x != 0; /* A-XDR: any octet but 0 is TRUE */
		break;
	default:
		d->u = x;
		break;
	}
	return 0;
}

int pm_axdr_skip_data(struct pm_axdr_in *in, unsigned max_depth)
{
	struct pm_axdr_data d;
	uint32_t i;

	if (!max_depth)
		return in_fail(in);
	if (pm_axdr_get_data(in, &d))
		return -1;
	if (d.tag != PM_AXDR_ARRAY && d.tag != PM_AXDR_STRUCTURE)
		return 0;
	if (max_depth == 1 && d.count)
		return in_fail(in);
	for (i = 0; i < d.count; i++)
		if (pm_axdr_skip_data(in, max_depth - 1))
			return -1;
	return 0;
}

static int expect_tag(struct pm_axdr_in *in, enum pm_axdr_tag tag, struct pm_axdr_data *d)
{
	if (pm_axdr_get_data(in, d))
		return -1;
	if (d->tag != tag)
		return in_fail(in);
	return 0;
}

int pm_axdr_expect_structure(struct pm_axdr_in *in, uint32_t *count)
{
	struct pm_axdr_data d;

	if (expect_tag(in, PM_AXDR_STRUCTURE, &d))
		return -1;
	*count = d.count;
	return 0;
}

int pm_axdr_expect_array(struct pm_axdr_in *in, uint32_t *count)
{
	struct pm_axdr_data d;

	if (expect_tag(in, PM_AXDR_ARRAY, &d))
		return -1;
	*count = d.count;
	return 0;
}

int pm_axdr_expect_octet_string(struct pm_axdr_in *in, const uint8_t **p, size_t *n)
{
	struct pm_axdr_data d;

	if (expect_tag(in, PM_AXDR_OCTET_STRING, &d))
		return -1;
	*p = d.bytes;
	*n = d.nbytes;
	return 0;
}

int pm_axdr_expect_int(struct pm_axdr_in *in, int64_t min, int64_t max, int64_t *v)
{
	struct pm_axdr_data d;
	int64_t x;

	if (pm_axdr_get_data(in, &d))
		return -1;
	switch (d.tag) {
	case PM_AXDR_INTEGER:
	case PM_AXDR_LONG:
	case PM_AXDR_DOUBLE_LONG:
	case PM_AXDR_LONG64:
		x = d.i;
		break;
	case PM_AXDR_UNSIGNED:
	case PM_AXDR_LONG_UNSIGNED:
	case PM_AXDR_DOUBLE_LONG_UNSIGNED:
	case PM_AXDR_LONG64_UNSIGNED:
		if (d.u > (uint64_t)INT64_MAX)
			return in_fail(in);
		x = (int64_t)d.u;
		break;
	default:
		return in_fail(in);
	}
	if (x < min || x > max)
		return in_fail(in);
	*v = x;
	return 0;
}
