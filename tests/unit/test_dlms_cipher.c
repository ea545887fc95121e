// SPDX-License-Identifier: GPL-2.0-only
/*
 * Security suite 0 (daemon/core/dlms/dlms-cipher.c) against the published vectors:
 *  - DLMS UA Green Book (ed. 8), Table 40: a glo-get-request of the Clock's time, ciphered by
 *    the client with system title 4D4D4D0000BC614E, IC 01234567, EK 000102..0F, AK D0D1..DF,
 *    authenticated only (SC 10) and authenticated and encrypted (SC 30). The same bytes are
 *    in jDLMS's and dlms-cosem's tests of their ciphering.
 *  - Green Book Table 43: HLS mechanism 5 (GMAC), f(StoC) by the client (title
 *    4D4D4D0000000001, IC 00000001) and f(CtoS) by the server (4D4D4D0000BC614E, 01234567),
 *    CtoS "K56iVagY", StoC "P6wRJ21F".
 *  - RFC 3394 §4.1: 128-bit key data wrapped with a 128-bit KEK.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/dlms/dlms-cipher.h"

static const struct pm_dlms_keys gb_keys = {
    .ek = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E,
	   0x0F},
    .ak = {0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE,
	   0xDF},
};
static const uint8_t server_title[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E};
static const uint8_t client_title[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0x00, 0x00, 0x01};
/* The Green Book's get-request normal: C0 01, invoke 00, class 8,
 * 0.0.1.0.0.255, attribute 2, no selection */
static const uint8_t gb_apdu[] = {0xC0, 0x01, 0x00, 0x00, 0x08, 0x00, 0x00,
				  0x01, 0x00, 0x00, 0xFF, 0x02, 0x00};
/* Table 40, SC 30: SC || IC || C || T (the glo-get-request without its C8 1E) */
static const uint8_t gb_sc30[] = {0x30, 0x01, 0x23, 0x45, 0x67, 0x41, 0x13, 0x12, 0xFF, 0x93,
				  0x5A, 0x47, 0x56, 0x68, 0x27, 0xC4, 0x67, 0xBC, 0x7D, 0x82,
				  0x5C, 0x3B, 0xE4, 0xA7, 0x7C, 0x3F, 0xCC, 0x05, 0x6B, 0x6B};
/* Table 40, SC 10: SC || IC || APDU || T */
static const uint8_t gb_sc10[] = {0x10, 0x01, 0x23, 0x45, 0x67, 0xC0, 0x01, 0x00, 0x00, 0x08,
				  0x00, 0x00, 0x01, 0x00, 0x00, 0xFF, 0x02, 0x00, 0x06, 0x72,
				  0x5D, 0x91, 0x0F, 0x92, 0x21, 0xD2, 0x63, 0x87, 0x75, 0x16};

START_TEST(test_green_book_ciphered_get)
{
	uint8_t buf[64], plain[64], sc;
	struct pm_axdr_out o;
	uint32_t ic;
	size_t n;

	pm_axdr_out_init(&o, buf, sizeof(buf));
	pm_dlms_protect(&gb_keys, 0x30, server_title, 0x01234567, gb_apdu, sizeof(gb_apdu), &o);
	ck_assert(!o.overflow);
	ck_assert_uint_eq(o.len, sizeof(gb_sc30));
	ck_assert(memcmp(buf, gb_sc30, sizeof(gb_sc30)) == 0);

	pm_axdr_out_init(&o, buf, sizeof(buf));
	pm_dlms_protect(&gb_keys, 0x10, server_title, 0x01234567, gb_apdu, sizeof(gb_apdu), &o);
	ck_assert_uint_eq(o.len, sizeof(gb_sc10));
	ck_assert(memcmp(buf, gb_sc10, sizeof(gb_sc10)) == 0);

	ck_assert_int_eq(pm_dlms_unprotect(&gb_keys, server_title, gb_sc30, sizeof(gb_sc30), &sc,
					   &ic, plain, &n),
			 PM_DLMS_UNPROTECT_OK);
	ck_assert_uint_eq(sc, 0x30);
	ck_assert_uint_eq(ic, 0x01234567);
	ck_assert_uint_eq(n, sizeof(gb_apdu));
	ck_assert(memcmp(plain, gb_apdu, n) == 0);
	ck_assert_int_eq(pm_dlms_unprotect(&gb_keys, server_title, gb_sc10, sizeof(gb_sc10), &sc,
					   &ic, plain, &n),
			 PM_DLMS_UNPROTECT_OK);
	ck_assert_uint_eq(n, sizeof(gb_apdu));
	ck_assert(memcmp(plain, gb_apdu, n) == 0);
}
END_TEST

START_TEST(test_unprotect_refusals)
{
	struct pm_dlms_keys wrong = gb_keys;
	uint8_t frame[sizeof(gb_sc30)], plain[64], sc;
	uint32_t ic;
	size_t n = 99, i;

	/* another encryption key, another authentication key, another sender */
	wrong.ek[15] ^= 1;
	ck_assert_int_eq(
	    pm_dlms_unprotect(&wrong, server_title, gb_sc30, sizeof(gb_sc30), &sc, &ic, plain, &n),
	    PM_DLMS_UNPROTECT_BAD_TAG);
	ck_assert_uint_eq(n, 0);
	wrong = gb_keys;
	wrong.ak[0] ^= 1;
	ck_assert_int_eq(
	    pm_dlms_unprotect(&wrong, server_title, gb_sc30, sizeof(gb_sc30), &sc, &ic, plain, &n),
	    PM_DLMS_UNPROTECT_BAD_TAG);
	ck_assert_int_eq(pm_dlms_unprotect(&gb_keys, client_title, gb_sc30, sizeof(gb_sc30), &sc,
					   &ic, plain, &n),
			 PM_DLMS_UNPROTECT_BAD_TAG);
	/* any one bit changed anywhere, the header included */
	for (i = 0; i < sizeof(gb_sc30) * 8; i++) {
		memcpy(frame, gb_sc30, sizeof(frame));
		frame[i / 8] ^= (uint8_t)(1u << (i % 8));
		ck_assert_int_ne(pm_dlms_unprotect(&gb_keys, server_title, frame, sizeof(frame),
						   &sc, &ic, plain, &n),
				 PM_DLMS_UNPROTECT_OK);
	}
	/* encryption only (SC 20, Table 40's third form) carries no tag: refused */
	memcpy(frame, gb_sc30, sizeof(frame));
	frame[0] = 0x20;
	ck_assert_int_eq(
	    pm_dlms_unprotect(&gb_keys, server_title, frame, sizeof(frame), &sc, &ic, plain, &n),
	    PM_DLMS_UNPROTECT_UNSUPPORTED);
	/* suite 1, the broadcast key, compression */
	frame[0] = 0x31;
	ck_assert_int_eq(
	    pm_dlms_unprotect(&gb_keys, server_title, frame, sizeof(frame), &sc, &ic, plain, &n),
	    PM_DLMS_UNPROTECT_UNSUPPORTED);
	frame[0] = 0x70;
	ck_assert_int_eq(
	    pm_dlms_unprotect(&gb_keys, server_title, frame, sizeof(frame), &sc, &ic, plain, &n),
	    PM_DLMS_UNPROTECT_UNSUPPORTED);
	frame[0] = 0xB0;
	ck_assert_int_eq(
	    pm_dlms_unprotect(&gb_keys, server_title, frame, sizeof(frame), &sc, &ic, plain, &n),
	    PM_DLMS_UNPROTECT_UNSUPPORTED);
	/* shorter than SC || IC || T: 16 octets */
	ck_assert_int_eq(
	    pm_dlms_unprotect(&gb_keys, server_title, gb_sc30, 16, &sc, &ic, plain, &n),
	    PM_DLMS_UNPROTECT_MALFORMED);
}
END_TEST

START_TEST(test_green_book_hls_gmac)
{
	static const uint8_t ctos[] = "K56iVagY", stoc[] = "P6wRJ21F";
	/* f(StoC) = SC || IC || T, T = 1A52FE7DD3E72748973C1E28 */
	static const uint8_t f_stoc[] = {0x10, 0x00, 0x00, 0x00, 0x01, 0x1A, 0x52, 0xFE, 0x7D,
					 0xD3, 0xE7, 0x27, 0x48, 0x97, 0x3C, 0x1E, 0x28};
	/* f(CtoS), T = FE1466AFB3DBCD4F9389E2B7 */
	static const uint8_t f_ctos[] = {0x10, 0x01, 0x23, 0x45, 0x67, 0xFE, 0x14, 0x66, 0xAF,
					 0xB3, 0xDB, 0xCD, 0x4F, 0x93, 0x89, 0xE2, 0xB7};
	uint8_t reply[PM_DLMS_HLS_REPLY_LEN], bad[sizeof(f_stoc)];
	uint32_t ic = 0;

	pm_dlms_hls_gmac(&gb_keys, server_title, 0x01234567, ctos, 8, reply);
	ck_assert(memcmp(reply, f_ctos, sizeof(f_ctos)) == 0);
	pm_dlms_hls_gmac(&gb_keys, client_title, 1, stoc, 8, reply);
	ck_assert(memcmp(reply, f_stoc, sizeof(f_stoc)) == 0);

	ck_assert(
	    pm_dlms_hls_gmac_check(&gb_keys, client_title, f_stoc, sizeof(f_stoc), stoc, 8, &ic));
	ck_assert_uint_eq(ic, 1);
	/* the server's title, the other challenge, a changed tag, SC, length: no */
	ck_assert(
	    !pm_dlms_hls_gmac_check(&gb_keys, server_title, f_stoc, sizeof(f_stoc), stoc, 8, &ic));
	ck_assert(
	    !pm_dlms_hls_gmac_check(&gb_keys, client_title, f_stoc, sizeof(f_stoc), ctos, 8, &ic));
	memcpy(bad, f_stoc, sizeof(bad));
	bad[16] ^= 1;
	ck_assert(!pm_dlms_hls_gmac_check(&gb_keys, client_title, bad, sizeof(bad), stoc, 8, &ic));
	memcpy(bad, f_stoc, sizeof(bad));
	bad[0] = 0x30;
	ck_assert(!pm_dlms_hls_gmac_check(&gb_keys, client_title, bad, sizeof(bad), stoc, 8, &ic));
	ck_assert(!pm_dlms_hls_gmac_check(&gb_keys, client_title, f_stoc, 16, stoc, 8, &ic));
}
END_TEST

START_TEST(test_rfc3394_unwrap)
{
	static const uint8_t kek[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
					0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};
	static const uint8_t data[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
					 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};
	/* RFC 3394 §4.1: 1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5 */
	static const uint8_t wrapped[24] = {0x1F, 0xA6, 0x8B, 0x0A, 0x81, 0x12, 0xB4, 0x47,
					    0xAE, 0xF3, 0x4B, 0xD8, 0xFB, 0x5A, 0x7B, 0x82,
					    0x9D, 0x3E, 0x86, 0x23, 0x71, 0xD2, 0xCF, 0xE5};
	uint8_t key[16], bad[24], other[16];

	ck_assert(pm_dlms_key_unwrap(kek, wrapped, key));
	ck_assert(memcmp(key, data, sizeof(data)) == 0);
	memcpy(bad, wrapped, sizeof(bad));
	bad[23] ^= 0x80;
	ck_assert(!pm_dlms_key_unwrap(kek, bad, key));
	memcpy(other, kek, sizeof(other));
	other[0] = 0xFF;
	ck_assert(!pm_dlms_key_unwrap(other, wrapped, key));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dlms_cipher");
	TCase *tc = tcase_create("dlms_cipher");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 0); /* no time limit: these tests are about results */
	tcase_add_test(tc, test_green_book_ciphered_get);
	tcase_add_test(tc, test_unprotect_refusals);
	tcase_add_test(tc, test_green_book_hls_gmac);
	tcase_add_test(tc, test_rfc3394_unwrap);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
