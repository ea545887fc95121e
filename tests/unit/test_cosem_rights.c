// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rights a configured client SAP may have (core/dlms/cosem.h: reader, operator) as the
 * daemon's directory applies them (cosem-directory.c): what each sees, reads, writes and
 * invokes, against the management and public clients' rights on the same objects. The
 * expected rights are the docs' (docs/dlms.md, "Associations and rights";
 * docs/dlms-objects.md's r/rw/x columns for the management client).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/dlms/cosem-directory.h"
#include "core/dlms/cosem-objects.h"

static struct pm_cosem_directory dir;

static void setup(void)
{
	ck_assert_int_eq(pm_cosem_directory_init(&dir), 0);
}

static void teardown(void)
{
	pm_cosem_directory_free(&dir);
}

static const struct pm_cosem_object *object(uint16_t class_id, uint8_t a, uint8_t b, uint8_t c,
					    uint8_t d, uint8_t e, uint8_t f)
{
	const uint8_t ln[6] = {a, b, c, d, e, f};

	for (size_t i = 0; i < dir.n; i++)
		if (dir.objects[i].cls->class_id == class_id && !memcmp(dir.objects[i].ln, ln, 6))
			return &dir.objects[i];
	ck_abort_msg("no object %u %u.%u.%u.%u.%u.%u", class_id, a, b, c, d, e, f);
	return NULL;
}

/* Account (111) attribute 16 low_credit_threshold: management rw (HLS), others read it;
 * the token gateway's enter: management only; the reader and operator see what management
 * sees. */
START_TEST(test_reader_and_operator)
{
	const struct pm_cosem_object *account = object(111, 0, 0, 19, 0, 0, 255);
	const struct pm_cosem_object *gateway = object(115, 0, 0, 19, 40, 0, 255);
	const struct pm_cosem_object *disconnect = object(70, 0, 0, 96, 3, 10, 255);
	const struct pm_cosem_object *sap = object(17, 0, 0, 41, 0, 0, 255);

	ck_assert_int_eq(pm_cosem_directory_attr_access(account, PM_DLMS_CLIENT_MANAGEMENT, 16),
			 PM_COSEM_READ_WRITE);
	ck_assert_int_eq(pm_cosem_directory_attr_access(account, PM_DLMS_CLIENT_READER, 16),
			 PM_COSEM_READ);
	ck_assert_int_eq(pm_cosem_directory_attr_access(account, PM_DLMS_CLIENT_OPERATOR, 16),
			 PM_COSEM_READ);
	ck_assert_int_eq(pm_cosem_directory_attr_access(account, PM_DLMS_CLIENT_PUBLIC, 16),
			 PM_COSEM_READ);
	/* the public client does not see the token gateway; the reader and operator do */
	ck_assert(!pm_cosem_directory_visible(gateway, PM_DLMS_CLIENT_PUBLIC));
	ck_assert(pm_cosem_directory_visible(gateway, PM_DLMS_CLIENT_READER));
	ck_assert(pm_cosem_directory_visible(gateway, PM_DLMS_CLIENT_OPERATOR));
	ck_assert_int_eq(pm_cosem_directory_attr_access(gateway, PM_DLMS_CLIENT_READER, 2),
			 PM_COSEM_READ);
	ck_assert(pm_cosem_directory_method_access(gateway, PM_DLMS_CLIENT_MANAGEMENT, 1));
	ck_assert(!pm_cosem_directory_method_access(gateway, PM_DLMS_CLIENT_READER, 1));
	ck_assert(!pm_cosem_directory_method_access(gateway, PM_DLMS_CLIENT_OPERATOR, 1));
	/* remote disconnect moves the supply: management only */
	ck_assert(pm_cosem_directory_method_access(disconnect, PM_DLMS_CLIENT_MANAGEMENT, 1));
	ck_assert(!pm_cosem_directory_method_access(disconnect, PM_DLMS_CLIENT_OPERATOR, 1));
	ck_assert(!pm_cosem_directory_method_access(disconnect, PM_DLMS_CLIENT_READER, 2));
	/* what nobody writes stays read-only for all */
	ck_assert_int_eq(pm_cosem_directory_attr_access(sap, PM_DLMS_CLIENT_READER, 2),
			 PM_COSEM_READ);
	ck_assert_int_eq(pm_cosem_directory_attr_access(sap, PM_DLMS_CLIENT_NONE, 2),
			 PM_COSEM_NO_ACCESS);
}
END_TEST

/* Through the directory's operations: a reader's SET and ACTION are refused read-write-denied
 * before any class is asked, and its GET served. */
START_TEST(test_reader_refused)
{
	const struct pm_dlms_assoc_info reader = {
	    .client = PM_DLMS_CLIENT_READER, .client_sap = 17, .server_sap = 1, .mechanism = 1};
	const struct pm_cosem_request req = {.assoc = &reader};
	const struct pm_cosem_object *account = object(111, 0, 0, 19, 0, 0, 255);
	const struct pm_cosem_object *disconnect = object(70, 0, 0, 96, 3, 10, 255);
	static const uint8_t value[] = {0x05, 0, 0, 0, 1}; /* double-long 1 */
	static const uint8_t zero[] = {0x0F, 0};	   /* integer 0 */
	struct pm_axdr_out out;

	pm_axdr_out_init_heap(&out, 1024);
	ck_assert_int_eq(pm_cosem_directory_ops.set(&dir, &req, account, 16, value, sizeof(value)),
			 PM_DLMS_READ_WRITE_DENIED);
	ck_assert_int_eq(
	    pm_cosem_directory_ops.action(&dir, &req, disconnect, 1, zero, sizeof(zero), &out),
	    PM_DLMS_READ_WRITE_DENIED);
	/* attribute 1, the logical name, is read by whoever sees the object */
	ck_assert_int_eq(pm_cosem_directory_ops.get(&dir, &req, account, 1, NULL, &out),
			 PM_DLMS_SUCCESS);
	pm_axdr_out_free(&out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cosem_rights");
	TCase *tc = tcase_create("cosem_rights");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 0);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_reader_and_operator);
	tcase_add_test(tc, test_reader_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
