/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A-XDR (IEC 61334-6) encoding of COSEM "Data" (IEC 62056-6-2) and the length form the xDLMS
 * APDUs use. Pure and bounded: a writer never writes past its capacity (it records an overflow
 * instead), a reader never reads past its input (it records an error and every later read
 * fails), and nesting is limited by the caller. Our own code: no DLMS library in Debian, and
 * the open ones are GPL-only (Gurux) or source-available (dlms-cosem), see DESIGN.md.
 *
 * Lengths (of octet-strings, visible-strings, arrays, structures, bit-strings and the APDUs'
 * own variable fields) are one byte below 0x80, else 0x81 nn, 0x82 nnnn, 0x83 nnnnnn or
 * 0x84 nnnnnnnn (big-endian).
 */
#ifndef POLYMETER_AXDR_H
#define POLYMETER_AXDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The Data CHOICE tags. */
enum pm_axdr_tag {
	PM_AXDR_NULL = 0,
	PM_AXDR_ARRAY = 1,
	PM_AXDR_STRUCTURE = 2,
	PM_AXDR_BOOLEAN = 3,
	PM_AXDR_BIT_STRING = 4,
	PM_AXDR_DOUBLE_LONG = 5,	  /* int32 */
	PM_AXDR_DOUBLE_LONG_UNSIGNED = 6, /* uint32 */
	PM_AXDR_OCTET_STRING = 9,
	PM_AXDR_VISIBLE_STRING = 10,
	PM_AXDR_UTF8_STRING = 12,
	PM_AXDR_BCD = 13,
	PM_AXDR_INTEGER = 15,	    /* int8 */
	PM_AXDR_LONG = 16,	    /* int16 */
	PM_AXDR_UNSIGNED = 17,	    /* uint8 */
	PM_AXDR_LONG_UNSIGNED = 18, /* uint16 */
	PM_AXDR_COMPACT_ARRAY = 19,
	PM_AXDR_LONG64 = 20,
	PM_AXDR_LONG64_UNSIGNED = 21,
	PM_AXDR_ENUM = 22,
	PM_AXDR_FLOAT32 = 23,
	PM_AXDR_FLOAT64 = 24,
	PM_AXDR_DATE_TIME = 25, /* 12 octets, no length */
	PM_AXDR_DATE = 26,	/* 5 octets */
	PM_AXDR_TIME = 27,	/* 4 octets */
};

/* ---- writer ---- */

/*
 * A buffer being written. Fixed (pm_axdr_out_init) or growing on the heap up to max bytes
 * (pm_axdr_out_init_heap, freed with pm_axdr_out_free): a write that does not fit sets
 * overflow and writes nothing more, so a caller checks once at the end.
 */
struct pm_axdr_out {
	uint8_t *buf;
	size_t cap, len;
	size_t max; /* heap: the most it may grow to; 0: fixed buffer */
	bool overflow;
};

void pm_axdr_out_init(struct pm_axdr_out *o, uint8_t *buf, size_t cap);
void pm_axdr_out_init_heap(struct pm_axdr_out *o, size_t max);
void pm_axdr_out_free(struct pm_axdr_out *o);
/* Empties it (keeps the buffer). */
void pm_axdr_out_reset(struct pm_axdr_out *o);

void pm_axdr_put_raw(struct pm_axdr_out *o, const void *p, size_t n);
void pm_axdr_put_byte(struct pm_axdr_out *o, uint8_t b);
void pm_axdr_put_u16be(struct pm_axdr_out *o, uint16_t v);
void pm_axdr_put_u32be(struct pm_axdr_out *o, uint32_t v);
void pm_axdr_put_length(struct pm_axdr_out *o, size_t n);

/* Tagged Data. */
void pm_axdr_put_null(struct pm_axdr_out *o);
void pm_axdr_put_array(struct pm_axdr_out *o, size_t n);     /* n elements follow */
void pm_axdr_put_structure(struct pm_axdr_out *o, size_t n); /* n elements follow */
void pm_axdr_put_bool(struct pm_axdr_out *o, bool v);
/* nbits bits, the first in the most significant bit of bits[0] */
void pm_axdr_put_bit_string(struct pm_axdr_out *o, const uint8_t *bits, size_t nbits);
void pm_axdr_put_i8(struct pm_axdr_out *o, int8_t v);	 /* integer */
void pm_axdr_put_i16(struct pm_axdr_out *o, int16_t v);	 /* long */
void pm_axdr_put_i32(struct pm_axdr_out *o, int32_t v);	 /* double-long */
void pm_axdr_put_i64(struct pm_axdr_out *o, int64_t v);	 /* long64 */
void pm_axdr_put_u8(struct pm_axdr_out *o, uint8_t v);	 /* unsigned */
void pm_axdr_put_u16(struct pm_axdr_out *o, uint16_t v); /* long-unsigned */
void pm_axdr_put_u32(struct pm_axdr_out *o, uint32_t v); /* double-long-unsigned */
void pm_axdr_put_u64(struct pm_axdr_out *o, uint64_t v); /* long64-unsigned */
void pm_axdr_put_enum(struct pm_axdr_out *o, uint8_t v);
void pm_axdr_put_octet_string(struct pm_axdr_out *o, const void *p, size_t n);
void pm_axdr_put_visible_string(struct pm_axdr_out *o, const char *s);

/* ---- reader ---- */

struct pm_axdr_in {
	const uint8_t *p;
	size_t len, pos;
	bool error; /* a read ran past the end or met a malformed field; sticky */
};

void pm_axdr_in_init(struct pm_axdr_in *in, const void *p, size_t len);
static inline size_t pm_axdr_in_left(const struct pm_axdr_in *in)
{
	return in->error ? 0 : in->len - in->pos;
}

/* Untagged fields; each returns 0, or -1 with in->error set. */
int pm_axdr_get_byte(struct pm_axdr_in *in, uint8_t *v);
int pm_axdr_get_u16be(struct pm_axdr_in *in, uint16_t *v);
int pm_axdr_get_u32be(struct pm_axdr_in *in, uint32_t *v);
/* A length (the forms above); fails when it is longer than what is left of the input. */
int pm_axdr_get_length(struct pm_axdr_in *in, size_t *n);
/* @n bytes, pointed to in the input. */
int pm_axdr_get_bytes(struct pm_axdr_in *in, size_t n, const uint8_t **p);

/*
 * One Data's head: its tag and, for a scalar, its value; for an array or a structure the count
 * of elements that follow (read each with further calls). Integers of every width come in i
 * (signed) or u (unsigned), booleans and enums in u; strings, BCD, date, time, date-time and
 * float bytes in bytes/nbytes (pointing into the input); a bit-string's bit count in count and
 * its bytes in bytes. compact-array is not accepted (error): the server never needs it.
 */
struct pm_axdr_data {
	enum pm_axdr_tag tag;
	uint32_t count;
	int64_t i;
	uint64_t u;
	const uint8_t *bytes;
	size_t nbytes;
};

int pm_axdr_get_data(struct pm_axdr_in *in, struct pm_axdr_data *d);
/*
 * Skips one whole Data (with every element of an array or a structure), nested at most
 * @max_depth levels (1: a scalar only). Returns 0, or -1 (error set) when it is malformed,
 * truncated or nested deeper.
 */
int pm_axdr_skip_data(struct pm_axdr_in *in, unsigned max_depth);

/* Convenience: the next Data must have this tag (else -1, error set). */
int pm_axdr_expect_structure(struct pm_axdr_in *in, uint32_t *count);
int pm_axdr_expect_array(struct pm_axdr_in *in, uint32_t *count);
/* The next Data must be an integer of any width and sign whose value fits [min, max]. */
int pm_axdr_expect_int(struct pm_axdr_in *in, int64_t min, int64_t max, int64_t *v);
int pm_axdr_expect_octet_string(struct pm_axdr_in *in, const uint8_t **p, size_t *n);

#endif
