// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the A-XDR reader (daemon/core/dlms/axdr.c). The input is a run of Data.
 * Each is walked with pm_axdr_get_data (nested at most DEPTH levels) and written again with the
 * writer; besides not crashing:
 *   - pm_axdr_skip_data consumes exactly what the walk consumed, and fails where it fails;
 *   - what was written again reads back, and writes again to the same bytes (a fixpoint: the
 *     writer's forms are canonical, the input's need not be).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/dlms/axdr.h"

#define DEPTH 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One Data read from @in and written to @o: 0, or -1 where the reader fails. */
static int copy_data(struct pm_axdr_in *in, struct pm_axdr_out *o, unsigned depth)
{
	struct pm_axdr_data d;
	uint32_t i;

	if (!depth || pm_axdr_get_data(in, &d))
		return -1;
	switch (d.tag) {
	case PM_AXDR_NULL:
		pm_axdr_put_null(o);
		return 0;
	case PM_AXDR_ARRAY:
	case PM_AXDR_STRUCTURE:
		if (depth == 1 && d.count)
			return -1;
		if (d.tag == PM_AXDR_ARRAY)
			pm_axdr_put_array(o, d.count);
		else
			pm_axdr_put_structure(o, d.count);
		for (i = 0; i < d.count; i++)
			if (copy_data(in, o, depth - 1))
				return -1;
		return 0;
	case PM_AXDR_BOOLEAN:
		pm_axdr_put_bool(o, d.u);
		return 0;
	case PM_AXDR_BIT_STRING:
		pm_axdr_put_bit_string(o, d.bytes, d.count);
		return 0;
	case PM_AXDR_INTEGER:
		pm_axdr_put_i8(o, (int8_t)d.i);
		return 0;
	case PM_AXDR_LONG:
		pm_axdr_put_i16(o, (int16_t)d.i);
		return 0;
	case PM_AXDR_DOUBLE_LONG:
		pm_axdr_put_i32(o, (int32_t)d.i);
		return 0;
	case PM_AXDR_LONG64:
		pm_axdr_put_i64(o, d.i);
		return 0;
	case PM_AXDR_UNSIGNED:
		pm_axdr_put_u8(o, (uint8_t)d.u);
		return 0;
	case PM_AXDR_LONG_UNSIGNED:
		pm_axdr_put_u16(o, (uint16_t)d.u);
		return 0;
	case PM_AXDR_DOUBLE_LONG_UNSIGNED:
		pm_axdr_put_u32(o, (uint32_t)d.u);
		return 0;
	case PM_AXDR_LONG64_UNSIGNED:
		pm_axdr_put_u64(o, d.u);
		return 0;
	case PM_AXDR_ENUM:
		pm_axdr_put_enum(o, (uint8_t)d.u);
		return 0;
	case PM_AXDR_OCTET_STRING:
		pm_axdr_put_octet_string(o, d.bytes, d.nbytes);
		return 0;
	case PM_AXDR_VISIBLE_STRING:
	case PM_AXDR_UTF8_STRING:
		pm_axdr_put_byte(o, (uint8_t)d.tag);
		pm_axdr_put_length(o, d.nbytes);
		pm_axdr_put_raw(o, d.bytes, d.nbytes);
		return 0;
	default: /* bcd, floats, date, time, date-time: fixed octets */
		pm_axdr_put_byte(o, (uint8_t)d.tag);
		pm_axdr_put_raw(o, d.bytes, d.nbytes);
		return 0;
	}
}

/* The Data of @p, @n copied to @o up to the first that fails; returns how many octets the
 * copied ones took. */
static size_t copy_all(const uint8_t *p, size_t n, struct pm_axdr_out *o)
{
	struct pm_axdr_in walk, skip;
	size_t done = 0;

	pm_axdr_in_init(&walk, p, n);
	pm_axdr_in_init(&skip, p, n);
	while (pm_axdr_in_left(&walk)) {
		size_t mark = o->len;
		int a = copy_data(&walk, o, DEPTH);
		int b = pm_axdr_skip_data(&skip, DEPTH);

		if (a != b)
			__builtin_trap();
		if (a) {
			o->len = mark; /* the part of the failed Data written is not kept */
			break;
		}
		if (walk.pos != skip.pos)
			__builtin_trap();
		done = walk.pos;
	}
	return done;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pm_axdr_out once, twice;

	pm_axdr_out_init_heap(&once, 4 * size + 64);
	pm_axdr_out_init_heap(&twice, 4 * size + 64);
	copy_all(data, size, &once);
	if (once.overflow)
		__builtin_trap();
	if (copy_all(once.buf, once.len, &twice) != once.len || twice.len != once.len ||
	    (once.len && memcmp(once.buf, twice.buf, once.len) != 0))
		__builtin_trap();
	pm_axdr_out_free(&once);
	pm_axdr_out_free(&twice);
	return 0;
}
