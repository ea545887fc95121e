// SPDX-License-Identifier: GPL-2.0-only
/*
 * A-XDR codec (daemon/core/dlms/axdr.c). Expected bytes are worked out by hand from the Data
 * tags of IEC 62056-6-2 (written beside each) or are the reference's captured bytes
 * (the DLMS reference sheet §1.6); never produced by the code under test.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/dlms/axdr.h"

#define OUT_EQ(o, ...)                                                                             \
	do {                                                                                       \
		static const uint8_t want_[] = {__VA_ARGS__};                                      \
		ck_assert(!(o)->overflow);                                                         \
		ck_assert_uint_eq((o)->len, sizeof(want_));                                        \
		ck_assert(memcmp((o)->buf, want_, sizeof(want_)) == 0);                            \
	} while (0)

START_TEST(test_put_scalars)
{
	uint8_t buf[64];
	struct pm_axdr_out o;

	pm_axdr_out_init(&o, buf, sizeof(buf));
	pm_axdr_put_null(&o);
	pm_axdr_put_bool(&o, true);
	pm_axdr_put_bool(&o, false);
	OUT_EQ(&o, 0x00, 0x03, 0x01, 0x03, 0x00);

	pm_axdr_out_reset(&o);
	pm_axdr_put_i8(&o, -2);	   /* integer 15: 0xFE */
	pm_axdr_put_i16(&o, -300); /* long 16: -300 = 0xFED4 */
	pm_axdr_put_u8(&o, 200);   /* unsigned 17 */
	pm_axdr_put_u16(&o, 9);	   /* long-unsigned 18: the reference's GET answer */
	OUT_EQ(&o, 0x0F, 0xFE, 0x10, 0xFE, 0xD4, 0x11, 0xC8, 0x12, 0x00, 0x09);

	pm_axdr_out_reset(&o);
	pm_axdr_put_i32(&o, -2);	  /* double-long 5 */
	pm_axdr_put_u32(&o, 0x01020304u); /* double-long-unsigned 6 */
	OUT_EQ(&o, 0x05, 0xFF, 0xFF, 0xFF, 0xFE, 0x06, 0x01, 0x02, 0x03, 0x04);

	pm_axdr_out_reset(&o);
	pm_axdr_put_i64(&o, INT64_MIN);			   /* long64 20 */
	pm_axdr_put_u64(&o, UINT64_C(0x0102030405060708)); /* long64-unsigned 21 */
	pm_axdr_put_enum(&o, 30);			   /* enum 22: unit Wh */
	OUT_EQ(&o, 0x14, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x15, 1, 2, 3, 4, 5, 6, 7, 8, 0x16, 0x1E);
}
END_TEST

START_TEST(test_put_strings_and_containers)
{
	uint8_t buf[64];
	struct pm_axdr_out o;
	static const uint8_t ln[6] = {0, 0, 40, 0, 0, 255};
	static const uint8_t bits[2] = {0xA5, 0xFF};

	pm_axdr_out_init(&o, buf, sizeof(buf));
	/* the object list element of the reference: structure of 4, class 15, version 2, LN */
	pm_axdr_put_structure(&o, 4);
	pm_axdr_put_u16(&o, 15);
	pm_axdr_put_u8(&o, 2);
	pm_axdr_put_octet_string(&o, ln, sizeof(ln));
	OUT_EQ(&o, 0x02, 0x04, 0x12, 0x00, 0x0F, 0x11, 0x02, 0x09, 0x06, 0x00, 0x00, 0x28, 0x00,
	       0x00, 0xFF);

	pm_axdr_out_reset(&o);
	pm_axdr_put_array(&o, 2);
	pm_axdr_put_visible_string(&o, "AB");
	pm_axdr_put_octet_string(&o, NULL, 0);
	OUT_EQ(&o, 0x01, 0x02, 0x0A, 0x02, 'A', 'B', 0x09, 0x00);

	/* bit-string: length in bits; the unused low bits of the last octet are sent as zeros */
	pm_axdr_out_reset(&o);
	pm_axdr_put_bit_string(&o, bits, 12);
	pm_axdr_put_bit_string(&o, bits, 8);
	pm_axdr_put_bit_string(&o, bits, 0);
	OUT_EQ(&o, 0x04, 0x0C, 0xA5, 0xF0, 0x04, 0x08, 0xA5, 0x04, 0x00);
}
END_TEST

START_TEST(test_put_length_forms)
{
	uint8_t buf[16];
	struct pm_axdr_out o;

	pm_axdr_out_init(&o, buf, sizeof(buf));
	pm_axdr_put_length(&o, 0x7F);
	pm_axdr_put_length(&o, 0x80);
	pm_axdr_put_length(&o, 0x1DA); /* the reference's raw-data length 82 01 DA */
	OUT_EQ(&o, 0x7F, 0x81, 0x80, 0x82, 0x01, 0xDA);
	pm_axdr_out_reset(&o);
	pm_axdr_put_length(&o, 0x10000);
	pm_axdr_put_length(&o, 0x1000000);
	OUT_EQ(&o, 0x83, 0x01, 0x00, 0x00, 0x84, 0x01, 0x00, 0x00, 0x00);
}
END_TEST

START_TEST(test_put_overflow)
{
	uint8_t buf[4];
	struct pm_axdr_out o;

	pm_axdr_out_init(&o, buf, sizeof(buf));
	pm_axdr_put_u16(&o, 1); /* 3 bytes */
	ck_assert(!o.overflow);
	pm_axdr_put_u16(&o, 2); /* its tag fits, its two value bytes do not */
	ck_assert(o.overflow);
	ck_assert_uint_le(o.len, 4);
	pm_axdr_out_reset(&o);
	pm_axdr_put_u32be(&o, 1);
	pm_axdr_put_byte(&o, 0); /* full: nothing written */
	ck_assert(o.overflow);
	ck_assert_uint_eq(o.len, 4);
	pm_axdr_out_reset(&o);
	pm_axdr_put_u16be(&o, 1);
	pm_axdr_put_u32be(&o, 2); /* 4 bytes into 2 left: nothing of them written */
	ck_assert(o.overflow);
	ck_assert_uint_eq(o.len, 2);
	pm_axdr_put_byte(&o, 0); /* sticky, even though one byte would fit */
	ck_assert_uint_eq(o.len, 2);
	pm_axdr_out_reset(&o);
	ck_assert(!o.overflow);
	ck_assert_uint_eq(o.len, 0);

	/* a writer without a buffer holds nothing */
	pm_axdr_out_init(&o, NULL, 0);
	pm_axdr_put_byte(&o, 1);
	ck_assert(o.overflow);
}
END_TEST

START_TEST(test_heap_growth)
{
	struct pm_axdr_out o;
	size_t i;

	pm_axdr_out_init_heap(&o, 5000);
	for (i = 0; i < 5000; i++)
		pm_axdr_put_byte(&o, (uint8_t)i);
	ck_assert(!o.overflow);
	ck_assert_uint_eq(o.len, 5000);
	for (i = 0; i < 5000; i++)
		ck_assert_uint_eq(o.buf[i], (uint8_t)i);
	pm_axdr_put_byte(&o, 0); /* one past max */
	ck_assert(o.overflow);
	ck_assert_uint_eq(o.len, 5000);
	pm_axdr_out_reset(&o);
	pm_axdr_put_u32(&o, 7);
	OUT_EQ(&o, 0x06, 0, 0, 0, 7);
	pm_axdr_out_free(&o);
	ck_assert_ptr_null(o.buf);
	pm_axdr_out_free(&o); /* twice is harmless */
}
END_TEST

START_TEST(test_get_scalars)
{
	static const uint8_t in_bytes[] = {
	    0x00,			  /* null */
	    0x03, 0x05,			  /* boolean, any non-zero is true */
	    0x0F, 0x80,			  /* integer -128 */
	    0x10, 0x80, 0x00,		  /* long -32768 */
	    0x05, 0x80, 0x00, 0x00, 0x00, /* double-long INT32_MIN */
	    0x14, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, /* long64 -2 */
	    0x11, 0xFF,						  /* unsigned 255 */
	    0x12, 0xFF, 0xFE,					  /* long-unsigned 65534 */
	    0x06, 0xFF, 0xFF, 0xFF, 0xFF,			  /* double-long-unsigned */
	    0x15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, /* long64-unsigned max */
	    0x16, 0x1B,						  /* enum 27 (W) */
	    0x0D, 0x42,						  /* bcd */
	    0x17, 0x3F, 0x80, 0x00, 0x00,			  /* float32 1.0 */
	};
	struct pm_axdr_in in;
	struct pm_axdr_data d;

	pm_axdr_in_init(&in, in_bytes, sizeof(in_bytes));
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
	ck_assert_int_eq(d.tag, PM_AXDR_NULL);
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
	ck_assert(d.tag == PM_AXDR_BOOLEAN && d.u == 1);
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
	ck_assert(d.tag == PM_AXDR_INTEGER && d.i == -128);
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
	ck_assert(d.tag == PM_AXDR_LONG && d.i == -32768);
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
	ck_assert(d.tag == PM_AXDR_DOUBLE_LONG && d.i == INT32_MIN);
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
	ck_assert(d.tag == PM_AXDR_LONG64 && d.i == -2);
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
	ck_assert(d.tag == PM_AXDR_UNSIGNED && d.u == 255);
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
	ck_assert(d.tag == PM_AXDR_LONG_UNSIGNED && d.u == 65534);
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
	ck_assert(d.tag == PM_AXDR_DOUBLE_LONG_UNSIGNED && d.u == UINT32_MAX);
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
	ck_assert(d.tag == PM_AXDR_LONG64_UNSIGNED && d.u == UINT64_MAX);
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
	ck_assert(d.tag == PM_AXDR_ENUM && d.u == 27);
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
	ck_assert(d.tag == PM_AXDR_BCD && d.nbytes == 1 && d.bytes[0] == 0x42);
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
	ck_assert(d.tag == PM_AXDR_FLOAT32 && d.nbytes == 4 && d.bytes[0] == 0x3F);
	ck_assert_uint_eq(pm_axdr_in_left(&in), 0);
	ck_assert(!in.error);
	/* past the end: an error, and sticky */
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), -1);
	ck_assert(in.error);
}
END_TEST

START_TEST(test_get_strings_and_times)
{
	/* the reference's clock attribute 2: octet-string of 12 */
	static const uint8_t in_bytes[] = {
	    0x09, 0x0C, 0x07, 0xEA, 0x0B, 0x17, 0x01, 0x04, 0x23, 0x08, 0x00, 0x00, 0x00, 0x00,
	    0x0A, 0x03, 'a',  'b',  'c', /* visible-string */
	    0x0C, 0x00,			 /* empty utf8-string */
	    0x04, 0x0A, 0xFF, 0xC0,	 /* bit-string of 10 bits */
	    0x19, 1,	2,    3,    4,	  5,	6,    7,    8,	  9,	10,   11,   12, /* date-time
											 */
	    0x1A, 1,	2,    3,    4,	  5,						/* date */
	    0x1B, 1,	2,    3,    4,							/* time */
	};
	struct pm_axdr_in in;
	struct pm_axdr_data d;

	pm_axdr_in_init(&in, in_bytes, sizeof(in_bytes));
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
	ck_assert(d.tag == PM_AXDR_OCTET_STRING && d.nbytes == 12 && d.bytes == in_bytes + 2);
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
	ck_assert(d.tag == PM_AXDR_VISIBLE_STRING && d.nbytes == 3 && !memcmp(d.bytes, "abc", 3));
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
	ck_assert(d.tag == PM_AXDR_UTF8_STRING && d.nbytes == 0);
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
	ck_assert(d.tag == PM_AXDR_BIT_STRING && d.count == 10 && d.nbytes == 2);
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
	ck_assert(d.tag == PM_AXDR_DATE_TIME && d.nbytes == 12 && d.bytes[11] == 12);
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
	ck_assert(d.tag == PM_AXDR_DATE && d.nbytes == 5 && d.bytes[4] == 5);
	ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
	ck_assert(d.tag == PM_AXDR_TIME && d.nbytes == 4 && d.bytes[3] == 4);
	ck_assert_uint_eq(pm_axdr_in_left(&in), 0);
}
END_TEST

START_TEST(test_get_length_forms)
{
	static const uint8_t forms[] = {0x05, 0x81, 0x03, 0x82, 0x00, 0x02, 0x83, 0, 0,
					1,    0x84, 0,	  0,	0,    0,    0,	  0, 0};
	static const uint8_t indefinite[] = {0x80, 0};
	static const uint8_t five[] = {0x85, 0, 0, 0, 0, 0};
	static const uint8_t too_long[] = {0x82, 0x01, 0x00, 0xAA};
	struct pm_axdr_in in;
	size_t n;

	/* every form, each no longer than what follows it */
	pm_axdr_in_init(&in, forms, sizeof(forms));
	ck_assert_int_eq(pm_axdr_get_length(&in, &n), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(pm_axdr_get_length(&in, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(pm_axdr_get_length(&in, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(pm_axdr_get_length(&in, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(pm_axdr_get_length(&in, &n), 0);
	ck_assert_uint_eq(n, 0);

	pm_axdr_in_init(&in, indefinite, sizeof(indefinite));
	ck_assert_int_eq(pm_axdr_get_length(&in, &n), -1);
	pm_axdr_in_init(&in, five, sizeof(five));
	ck_assert_int_eq(pm_axdr_get_length(&in, &n), -1);
	/* 256 announced, 1 left */
	pm_axdr_in_init(&in, too_long, sizeof(too_long));
	ck_assert_int_eq(pm_axdr_get_length(&in, &n), -1);
	ck_assert(in.error);
	ck_assert_uint_eq(pm_axdr_in_left(&in), 0);
}
END_TEST

START_TEST(test_get_untagged)
{
	static const uint8_t in_bytes[] = {0xAB, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x01};
	struct pm_axdr_in in;
	uint8_t b;
	uint16_t w;
	uint32_t l;
	const uint8_t *p;

	pm_axdr_in_init(&in, in_bytes, sizeof(in_bytes));
	ck_assert_int_eq(pm_axdr_get_byte(&in, &b), 0);
	ck_assert_uint_eq(b, 0xAB);
	ck_assert_int_eq(pm_axdr_get_u16be(&in, &w), 0);
	ck_assert_uint_eq(w, 0x1234);
	ck_assert_int_eq(pm_axdr_get_u32be(&in, &l), 0);
	ck_assert_uint_eq(l, 0xDEADBEEFu);
	ck_assert_int_eq(pm_axdr_get_u16be(&in, &w), -1); /* one byte left */
	ck_assert(in.error);
	ck_assert_int_eq(pm_axdr_get_bytes(&in, 0, &p), -1); /* sticky */

	pm_axdr_in_init(&in, NULL, 0);
	ck_assert_int_eq(pm_axdr_get_bytes(&in, 0, &p), 0);
	ck_assert_int_eq(pm_axdr_get_byte(&in, &b), -1);
}
END_TEST

/* Every Data of @full, cut at every length, fails cleanly; the whole one reads. */
static void check_truncations(const uint8_t *full, size_t len)
{
	size_t cut;
	struct pm_axdr_in in;

	for (cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);

		memcpy(copy, full, cut);
		pm_axdr_in_init(&in, copy, cut);
		ck_assert_int_eq(pm_axdr_skip_data(&in, 8), -1);
		ck_assert(in.error);
		free(copy);
	}
	pm_axdr_in_init(&in, full, len);
	ck_assert_int_eq(pm_axdr_skip_data(&in, 8), 0);
	ck_assert_uint_eq(pm_axdr_in_left(&in), 0);
}

START_TEST(test_truncations)
{
	/* a load-profile row: structure{date-time octet-string, double-long-unsigned, enum} */
	static const uint8_t row[] = {0x02, 0x03, 0x09, 0x0C, 0x07, 0xEA, 0x0B, 0x17,
				      0x01, 0x04, 0x23, 0x08, 0x00, 0x00, 0x00, 0x00,
				      0x06, 0x00, 0x00, 0x01, 0x00, 0x16, 0x1E};
	static const uint8_t bits[] = {0x04, 0x81, 0x09, 0xFF, 0x80};
	static const uint8_t i64[] = {0x14, 1, 2, 3, 4, 5, 6, 7, 8};

	check_truncations(row, sizeof(row));
	check_truncations(bits, sizeof(bits));
	check_truncations(i64, sizeof(i64));
}
END_TEST

START_TEST(test_bad_tags)
{
	/* 7, 8, 11, 14 are no Data tag; 19 compact-array is refused; 28 and 255 are beyond */
	static const uint8_t bad[] = {7, 8, 11, 14, 19, 28, 255};
	struct pm_axdr_in in;
	struct pm_axdr_data d;
	size_t i;
	uint8_t two[2];

	for (i = 0; i < sizeof(bad); i++) {
		two[0] = bad[i];
		two[1] = 0;
		pm_axdr_in_init(&in, two, sizeof(two));
		ck_assert_int_eq(pm_axdr_get_data(&in, &d), -1);
		ck_assert(in.error);
	}
}
END_TEST

START_TEST(test_skip_depth)
{
	/* array{structure{array{null}}}: three levels of containers, then a scalar */
	static const uint8_t nested[] = {0x01, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00};
	/* an array announcing more elements than there are bytes */
	static const uint8_t liar[] = {0x01, 0x82, 0xFF, 0xFF, 0x00, 0x00};
	static const uint8_t empty_struct[] = {0x02, 0x00};
	struct pm_axdr_in in;

	pm_axdr_in_init(&in, nested, sizeof(nested));
	ck_assert_int_eq(pm_axdr_skip_data(&in, 4), 0);
	ck_assert_uint_eq(pm_axdr_in_left(&in), 0);
	pm_axdr_in_init(&in, nested, sizeof(nested));
	ck_assert_int_eq(pm_axdr_skip_data(&in, 3), -1);
	pm_axdr_in_init(&in, nested, sizeof(nested));
	ck_assert_int_eq(pm_axdr_skip_data(&in, 0), -1);

	pm_axdr_in_init(&in, liar, sizeof(liar));
	ck_assert_int_eq(pm_axdr_skip_data(&in, 4), -1);

	/* an empty container is as deep as a scalar */
	pm_axdr_in_init(&in, empty_struct, sizeof(empty_struct));
	ck_assert_int_eq(pm_axdr_skip_data(&in, 1), 0);
}
END_TEST

START_TEST(test_expect)
{
	static const uint8_t in_bytes[] = {
	    0x02, 0x02,				   /* structure of 2 */
	    0x12, 0x00, 0x0F,			   /* long-unsigned 15 */
	    0x09, 0x02, 0xAA, 0xBB,		   /* octet-string */
	    0x01, 0x00,				   /* array of 0 */
	    0x0F, 0xFF,				   /* integer -1 */
	    0x15, 0x80, 0,    0,    0, 0, 0, 0, 0, /* long64-unsigned 2^63: beyond int64 */
	};
	struct pm_axdr_in in;
	uint32_t n;
	int64_t v;
	const uint8_t *p;
	size_t len;

	pm_axdr_in_init(&in, in_bytes, sizeof(in_bytes));
	ck_assert_int_eq(pm_axdr_expect_structure(&in, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(pm_axdr_expect_int(&in, 0, 65535, &v), 0);
	ck_assert_int_eq(v, 15);
	ck_assert_int_eq(pm_axdr_expect_octet_string(&in, &p, &len), 0);
	ck_assert(len == 2 && p[0] == 0xAA && p[1] == 0xBB);
	ck_assert_int_eq(pm_axdr_expect_array(&in, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(pm_axdr_expect_int(&in, -1, -1, &v), 0);
	ck_assert_int_eq(v, -1);
	ck_assert_int_eq(pm_axdr_expect_int(&in, INT64_MIN, INT64_MAX, &v), -1);
	ck_assert(in.error);

	/* out of range, and the wrong tag */
	pm_axdr_in_init(&in, in_bytes + 2, 3);
	ck_assert_int_eq(pm_axdr_expect_int(&in, 0, 14, &v), -1);
	pm_axdr_in_init(&in, in_bytes + 2, 3);
	ck_assert_int_eq(pm_axdr_expect_structure(&in, &n), -1);
	pm_axdr_in_init(&in, in_bytes, 2);
	ck_assert_int_eq(pm_axdr_expect_array(&in, &n), -1);
	pm_axdr_in_init(&in, in_bytes + 5, 4);
	ck_assert_int_eq(pm_axdr_expect_int(&in, 0, 1, &v), -1); /* an octet-string */
}
END_TEST

START_TEST(test_round_trip_lengths)
{
	struct pm_axdr_out o;
	struct pm_axdr_in in;
	struct pm_axdr_data d;
	static const size_t lens[] = {0, 1, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x10000};
	size_t i;
	uint8_t *payload = calloc(1, 0x10000);

	pm_axdr_out_init_heap(&o, 0x20000);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		pm_axdr_out_reset(&o);
		pm_axdr_put_octet_string(&o, payload, lens[i]);
		ck_assert(!o.overflow);
		pm_axdr_in_init(&in, o.buf, o.len);
		ck_assert_int_eq(pm_axdr_get_data(&in, &d), 0);
		ck_assert_uint_eq(d.nbytes, lens[i]);
		ck_assert_uint_eq(pm_axdr_in_left(&in), 0);
	}
	pm_axdr_out_free(&o);
	free(payload);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dlms_axdr");
	TCase *tc = tcase_create("dlms_axdr");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 0); /* no time limit: these tests are about results */
	tcase_add_test(tc, test_put_scalars);
	tcase_add_test(tc, test_put_strings_and_containers);
	tcase_add_test(tc, test_put_length_forms);
	tcase_add_test(tc, test_put_overflow);
	tcase_add_test(tc, test_heap_growth);
	tcase_add_test(tc, test_get_scalars);
	tcase_add_test(tc, test_get_strings_and_times);
	tcase_add_test(tc, test_get_length_forms);
	tcase_add_test(tc, test_get_untagged);
	tcase_add_test(tc, test_truncations);
	tcase_add_test(tc, test_bad_tags);
	tcase_add_test(tc, test_skip_depth);
	tcase_add_test(tc, test_expect);
	tcase_add_test(tc, test_round_trip_lengths);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
