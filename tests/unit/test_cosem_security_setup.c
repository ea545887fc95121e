// SPDX-License-Identifier: GPL-2.0-only
/*
 * Security setup (class 64, version 0, daemon/core/dlms/cosem-security-setup.c) through the
 * daemon's directory, with a fake meter: the attributes' encoding (bytes written by hand from
 * the A-XDR tags: 0x16 enum, 0x09 octet-string, 0x01 array, 0x02 structure), who may see and
 * invoke what, security_activate's only-stronger rule, and global_key_transfer's parameter
 * checks and refusals before the meter is asked (the meter's unwrap and store are
 * tests/unit/test_dlms_hls_store.c's). The wrapped key is RFC 3394 §4.1's published one.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/dlms/apdu.h"
#include "core/dlms/cosem-directory.h"
#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem-objects.h"

#define OUT_EQ(o, ...)                                                                             \
	do {                                                                                       \
		static const uint8_t want_[] = {__VA_ARGS__};                                      \
		ck_assert(!(o)->overflow);                                                         \
		ck_assert_uint_eq((o)->len, sizeof(want_));                                        \
		ck_assert(memcmp((o)->buf, want_, sizeof(want_)) == 0);                            \
	} while (0)

/* RFC 3394 §4.1: 1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5 */
#define RFC_WRAPPED                                                                                \
	0x1F, 0xA6, 0x8B, 0x0A, 0x81, 0x12, 0xB4, 0x47, 0xAE, 0xF3, 0x4B, 0xD8, 0xFB, 0x5A, 0x7B,  \
	    0x82, 0x9D, 0x3E, 0x86, 0x23, 0x71, 0xD2, 0xCF, 0xE5

static const uint8_t server_title[8] = {0x50, 0x4D, 0x54, 0, 0, 0, 0, 0x01};
static const uint8_t client_title[8] = {0x4D, 0x4D, 0x4D, 0, 0, 0, 0, 0x01};

/* What the fake meter was handed. */
static struct {
	int calls;
	size_t n;
	struct pm_cosem_wrapped_key keys[4];
	enum pm_dlms_result answer;
} transferred;

static enum pm_dlms_result fake_transfer(void *data, const struct pm_cosem_wrapped_key *keys,
					 size_t n)
{
	(void)data;
	transferred.calls++;
	transferred.n = n;
	memcpy(transferred.keys, keys, n * sizeof(*keys));
	return transferred.answer;
}

static struct pm_cosem_directory dir;
static struct pm_cosem_meter meter;
static struct pm_dlms_assoc_info pub, lls, hls;
static struct pm_cosem_request rpub, rlls, rhls;
static struct pm_axdr_out out;

static void setup(void)
{
	ck_assert_int_eq(pm_cosem_directory_init(&dir), 0);
	memset(&transferred, 0, sizeof(transferred));
	meter = (struct pm_cosem_meter){
	    .system_title = server_title,
	    .transfer_keys = fake_transfer,
	};
	pub = (struct pm_dlms_assoc_info){.client = PM_DLMS_CLIENT_PUBLIC,
					  .client_sap = 16,
					  .server_sap = 1,
					  .conformance = 0x00101D,
					  .client_max_pdu = 0xFFFF,
					  .server_max_pdu = 1024,
					  .dlms_version = 6};
	lls = pub;
	lls.client = PM_DLMS_CLIENT_MANAGEMENT;
	lls.client_sap = 1;
	lls.mechanism = PM_DLMS_MECH_LLS;
	lls.lls_restricted = true;
	hls = lls;
	hls.mechanism = PM_DLMS_MECH_GMAC;
	hls.lls_restricted = false;
	memcpy(hls.client_title, client_title, 8);
	rpub = (struct pm_cosem_request){&pub, &meter};
	rlls = (struct pm_cosem_request){&lls, &meter};
	rhls = (struct pm_cosem_request){&hls, &meter};
	pm_axdr_out_init_heap(&out, 1u << 16);
}

static void teardown(void)
{
	pm_axdr_out_free(&out);
	pm_cosem_directory_free(&dir);
}

static const struct pm_cosem_object *security_setup(const struct pm_cosem_request *req)
{
	static const uint8_t ln[6] = {0, 0, 43, 0, 0, 255};

	return pm_cosem_directory_ops.find(&dir, req, 64, ln);
}

static enum pm_dlms_result get(const struct pm_cosem_request *req, uint8_t attr)
{
	pm_axdr_out_reset(&out);
	return pm_cosem_directory_ops.get(&dir, req, security_setup(req), attr, NULL, &out);
}

static enum pm_dlms_result action(const struct pm_cosem_request *req, uint8_t method,
				  const uint8_t *p, size_t n)
{
	pm_axdr_out_reset(&out);
	return pm_cosem_directory_ops.action(&dir, req, security_setup(req), method, p, n, &out);
}

START_TEST(test_attributes)
{
	ck_assert_ptr_null(security_setup(&rpub)); /* the public client does not see it */
	ck_assert_ptr_nonnull(security_setup(&rhls));
	ck_assert_int_eq(get(&rhls, 1), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x09, 6, 0, 0, 43, 0, 0, 255);
	/* security_policy 3: all messages authenticated and encrypted */
	ck_assert_int_eq(get(&rhls, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x16, 3);
	/* security_suite 0 */
	ck_assert_int_eq(get(&rhls, 3), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x16, 0);
	ck_assert_int_eq(get(&rhls, 4), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x09, 8, 0x4D, 0x4D, 0x4D, 0, 0, 0, 0, 0x01);
	ck_assert_int_eq(get(&rhls, 5), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x09, 8, 0x50, 0x4D, 0x54, 0, 0, 0, 0, 0x01);
	/* over LLS: no client title in that association */
	ck_assert_int_eq(get(&rlls, 4), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x09, 0);
	ck_assert_int_eq(get(&rhls, 6), PM_DLMS_OBJECT_UNDEFINED);
	/* a meter without dlms_key_file */
	meter.system_title = NULL;
	ck_assert_int_eq(get(&rhls, 2), PM_DLMS_OBJECT_UNAVAILABLE);
	ck_assert_int_eq(get(&rhls, 5), PM_DLMS_OBJECT_UNAVAILABLE);
}
END_TEST

/* The object list's entry: class 64 version 0, attributes 1..5 read-only, methods 1 and 2 with
 * access, for the management client. */
START_TEST(test_access_rights)
{
	const struct pm_cosem_object *o = security_setup(&rhls);

	ck_assert_uint_eq(o->cls->class_id, 64);
	ck_assert_uint_eq(o->cls->version, 0);
	ck_assert_uint_eq(o->cls->n_attrs, 5);
	ck_assert_uint_eq(o->cls->n_methods, 2);
	for (uint8_t a = 1; a <= 5; a++)
		ck_assert_int_eq(pm_cosem_directory_attr_access(o, PM_DLMS_CLIENT_MANAGEMENT, a),
				 PM_COSEM_READ);
	ck_assert(pm_cosem_directory_method_access(o, PM_DLMS_CLIENT_MANAGEMENT, 1));
	ck_assert(pm_cosem_directory_method_access(o, PM_DLMS_CLIENT_MANAGEMENT, 2));
	ck_assert(!pm_cosem_directory_visible(o, PM_DLMS_CLIENT_PUBLIC));
	ck_assert(pm_cosem_needs_hls(o));
}
END_TEST

START_TEST(test_security_activate)
{
	static const uint8_t policy3[] = {0x16, 3}, policy1[] = {0x16, 1}, policy4[] = {0x16, 4},
			     not_enum[] = {0x11, 3};

	ck_assert_int_eq(action(&rhls, 1, policy3, sizeof(policy3)), PM_DLMS_SUCCESS);
	ck_assert_int_eq(action(&rhls, 1, policy1, sizeof(policy1)), PM_DLMS_OTHER_REASON);
	ck_assert_int_eq(action(&rhls, 1, policy4, sizeof(policy4)), PM_DLMS_TYPE_UNMATCHED);
	ck_assert_int_eq(action(&rhls, 1, not_enum, sizeof(not_enum)), PM_DLMS_TYPE_UNMATCHED);
	ck_assert_int_eq(action(&rhls, 1, NULL, 0), PM_DLMS_TYPE_UNMATCHED);
	/* over LLS: refused by the directory (the meter has HLS) and by the object itself */
	ck_assert_int_eq(action(&rlls, 1, policy3, sizeof(policy3)), PM_DLMS_READ_WRITE_DENIED);
	lls.lls_restricted = false;
	ck_assert_int_eq(action(&rlls, 1, policy3, sizeof(policy3)), PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(get(&rhls, 2), PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x16, 3);
}
END_TEST

START_TEST(test_global_key_transfer)
{
	/* array(1) of structure(2) {enum 0, octet-string(24) the RFC's wrap} */
	static const uint8_t one[] = {0x01, 1, 0x02, 2, 0x16, 0, 0x09, 24, RFC_WRAPPED};
	static const uint8_t wrapped[24] = {RFC_WRAPPED};
	/* the encryption key and the authentication key at once */
	static const uint8_t two[] = {0x01,	   2,	 0x02, 2,    0x16, 0,	 0x09, 24,
				      RFC_WRAPPED, 0x02, 2,    0x16, 2,	   0x09, 24,   RFC_WRAPPED};

	ck_assert_int_eq(action(&rhls, 2, one, sizeof(one)), PM_DLMS_SUCCESS);
	ck_assert_int_eq(transferred.calls, 1);
	ck_assert_uint_eq(transferred.n, 1);
	ck_assert_int_eq(transferred.keys[0].id, PM_COSEM_KEY_GLOBAL_UNICAST);
	ck_assert_mem_eq(transferred.keys[0].wrapped, wrapped, 24);
	ck_assert_uint_eq(out.len, 0); /* no return data */
	ck_assert_int_eq(action(&rhls, 2, two, sizeof(two)), PM_DLMS_SUCCESS);
	ck_assert_uint_eq(transferred.n, 2);
	ck_assert_int_eq(transferred.keys[1].id, PM_COSEM_KEY_AUTHENTICATION);
	/* the meter's answer is the client's: a wrap that does not unwrap */
	transferred.answer = PM_DLMS_OTHER_REASON;
	ck_assert_int_eq(action(&rhls, 2, one, sizeof(one)), PM_DLMS_OTHER_REASON);
}
END_TEST

/* Refused before the meter is asked (it is never called). */
START_TEST(test_global_key_transfer_refusals)
{
	/* key_id 1, the broadcast key; 4, no such key; 0 twice; a 16-octet "wrap" */
	static const uint8_t broadcast[] = {0x01, 1, 0x02, 2, 0x16, 1, 0x09, 24, RFC_WRAPPED};
	static const uint8_t unknown[] = {0x01, 1, 0x02, 2, 0x16, 4, 0x09, 24, RFC_WRAPPED};
	static const uint8_t twice[] = {0x01, 2, 0x02, 2, 0x16, 0,  0x09,	24, RFC_WRAPPED,
					0x02, 2, 0x16, 0, 0x09, 24, RFC_WRAPPED};
	static const uint8_t short_wrap[] = {0x01, 1, 0x02, 2, 0x16, 0,	 0x09, 16, 1,  2,  3,  4,
					     5,	   6, 7,    8, 9,    10, 11,   12, 13, 14, 15, 16};
	/* shapes: key_id as unsigned (0x11), a structure of three, not an array, trailing
	 * octets, an empty list */
	static const uint8_t id_unsigned[] = {0x01, 1, 0x02, 2, 0x11, 0, 0x09, 24, RFC_WRAPPED};
	static const uint8_t three[] = {0x01, 1, 0x02, 3, 0x16, 0, 0x09, 24, RFC_WRAPPED, 0x00};
	static const uint8_t bare[] = {0x02, 2, 0x16, 0, 0x09, 24, RFC_WRAPPED};
	static const uint8_t trailing[] = {0x01, 1, 0x02, 2, 0x16, 0, 0x09, 24, RFC_WRAPPED, 0x00};
	static const uint8_t empty[] = {0x01, 0};
	static const uint8_t one[] = {0x01, 1, 0x02, 2, 0x16, 0, 0x09, 24, RFC_WRAPPED};

	ck_assert_int_eq(action(&rhls, 2, broadcast, sizeof(broadcast)), PM_DLMS_OTHER_REASON);
	ck_assert_int_eq(action(&rhls, 2, unknown, sizeof(unknown)), PM_DLMS_OTHER_REASON);
	ck_assert_int_eq(action(&rhls, 2, twice, sizeof(twice)), PM_DLMS_OTHER_REASON);
	ck_assert_int_eq(action(&rhls, 2, short_wrap, sizeof(short_wrap)), PM_DLMS_OTHER_REASON);
	ck_assert_int_eq(action(&rhls, 2, id_unsigned, sizeof(id_unsigned)),
			 PM_DLMS_TYPE_UNMATCHED);
	ck_assert_int_eq(action(&rhls, 2, three, sizeof(three)), PM_DLMS_TYPE_UNMATCHED);
	ck_assert_int_eq(action(&rhls, 2, bare, sizeof(bare)), PM_DLMS_TYPE_UNMATCHED);
	ck_assert_int_eq(action(&rhls, 2, trailing, sizeof(trailing)), PM_DLMS_TYPE_UNMATCHED);
	ck_assert_int_eq(action(&rhls, 2, empty, sizeof(empty)), PM_DLMS_OTHER_REASON);
	ck_assert_int_eq(action(&rhls, 2, NULL, 0), PM_DLMS_TYPE_UNMATCHED);
	/* over LLS, even with nothing restricting LLS */
	ck_assert_int_eq(action(&rlls, 2, one, sizeof(one)), PM_DLMS_READ_WRITE_DENIED);
	lls.lls_restricted = false;
	ck_assert_int_eq(action(&rlls, 2, one, sizeof(one)), PM_DLMS_READ_WRITE_DENIED);
	/* a meter that cannot take keys */
	meter.transfer_keys = NULL;
	ck_assert_int_eq(action(&rhls, 2, one, sizeof(one)), PM_DLMS_OBJECT_UNAVAILABLE);
	ck_assert_int_eq(transferred.calls, 0);
}
END_TEST

/* Association LN attribute 9 security_setup_reference names this object in an HLS
 * association, and nothing (6 zero octets) in one without security. */
START_TEST(test_association_reference)
{
	static const uint8_t ln[6] = {0, 0, 40, 0, 0, 255};
	const struct pm_cosem_object *a = pm_cosem_directory_ops.find(&dir, &rhls, 15, ln);

	ck_assert_int_eq(pm_cosem_directory_ops.get(&dir, &rhls, a, 9, NULL, &out),
			 PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x09, 6, 0, 0, 43, 0, 0, 255);
	pm_axdr_out_reset(&out);
	ck_assert_int_eq(pm_cosem_directory_ops.get(&dir, &rpub, a, 9, NULL, &out),
			 PM_DLMS_SUCCESS);
	OUT_EQ(&out, 0x09, 6, 0, 0, 0, 0, 0, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cosem_security_setup");
	TCase *tc = tcase_create("cosem_security_setup");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 0);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_attributes);
	tcase_add_test(tc, test_access_rights);
	tcase_add_test(tc, test_security_activate);
	tcase_add_test(tc, test_global_key_transfer);
	tcase_add_test(tc, test_global_key_transfer_refusals);
	tcase_add_test(tc, test_association_reference);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
