// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DLMS HLS key file (daemon/app/dlms-key-file.c) on real files: the keys and titles read
 * from "name = hex" lines; a file others may read or its group write, a key missing, of the
 * wrong length or not hex, an unknown name: each refused with its reason and no key given out.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/dlms-key-file.h"

static char dir[256], path[300];

static void write_file(const char *text, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/pm-dlms-keys-XXXXXX", tmp && tmp[0] ? tmp : P_tmpdir);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/keys", dir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
}

#define GOOD                                                                                       \
	"# the meter's keys\n"                                                                     \
	"system_title = 4D4D4D0000BC614E\n"                                                        \
	"\n"                                                                                       \
	"  encryption_key=000102030405060708090a0b0c0d0e0f  \r\n"                                  \
	"authentication_key = D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF\n"

START_TEST(test_read)
{
	static const uint8_t title[8] = {0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E};
	static const uint8_t client[8] = {0x4D, 0x4D, 0x4D, 0, 0, 0, 0, 0x01}, none[8];
	struct pm_dlms_key_file k;
	const char *why = NULL;

	write_file(GOOD, 0640);
	ck_assert_int_eq(pm_dlms_key_file_read(path, &k, &why), 0);
	ck_assert(memcmp(k.title, title, 8) == 0);
	ck_assert(memcmp(k.client_title, none, 8) == 0);
	for (int i = 0; i < 16; i++) {
		ck_assert_uint_eq(k.keys.ek[i], i);
		ck_assert_uint_eq(k.keys.ak[i], 0xD0 + i);
	}
	ck_assert(!k.has_master_key);
	write_file(GOOD "client_system_title = 4D4D4D0000000001\n", 0600);
	ck_assert_int_eq(pm_dlms_key_file_read(path, &k, &why), 0);
	ck_assert(memcmp(k.client_title, client, 8) == 0);
	/* the optional master key (KEK) */
	write_file(GOOD "master_key = 3131313131313131313131313131313F\n", 0600);
	ck_assert_int_eq(pm_dlms_key_file_read(path, &k, &why), 0);
	ck_assert(k.has_master_key);
	ck_assert_uint_eq(k.master_key[0], 0x31);
	ck_assert_uint_eq(k.master_key[15], 0x3F);
}
END_TEST

/* Each refused, with a reason, and nothing of the file left in the result. */
static void refused(const char *text, mode_t mode, int err, const char *reason)
{
	static const struct pm_dlms_key_file zero;
	struct pm_dlms_key_file k;
	const char *why = NULL;

	write_file(text, mode);
	memset(&k, 0x55, sizeof(k));
	ck_assert_int_eq(pm_dlms_key_file_read(path, &k, &why), err);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, reason), "%s", why);
	ck_assert(memcmp(&k, &zero, sizeof(k)) == 0);
}

START_TEST(test_refused)
{
	const char *why = NULL;
	struct pm_dlms_key_file k;

	refused(GOOD, 0644, -EPERM, "may be read by every user");
	refused(GOOD, 0660, -EPERM, "may be written by its group");
	refused(
	    "system_title = 4D4D4D0000BC614E\nencryption_key = 000102030405060708090A0B0C0D0E0F\n",
	    0640, -EINVAL, "authentication_key");
	refused(GOOD "encryption_key = 000102\n", 0640, -EINVAL, "32 each");
	refused(GOOD "client_system_title = 4D4D4D00000000XY\n", 0640, -EINVAL, "16 hexadecimal");
	refused(GOOD "master_key = 000102030405060708090A0B0C0D0E\n", 0640, -EINVAL,
		"master_key, one \"name = hex\" a line");
	refused(GOOD "master_key = D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF\n", 0640, -EINVAL,
		"master_key equal to encryption_key or authentication_key");
	refused(GOOD "broadcast_key = 000102030405060708090A0B0C0D0E0F\n", 0640, -EINVAL,
		"one \"name = hex\" a line");
	refused(GOOD "authentication_key\n", 0640, -EINVAL, "one \"name = hex\" a line");
	unlink(path);
	ck_assert_int_eq(pm_dlms_key_file_read(path, &k, &why), -ENOENT);
	ck_assert_str_eq(why, "cannot be opened");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dlms_key_file");
	TCase *tc = tcase_create("dlms_key_file");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 0); /* no time limit: these tests are about results */
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_read);
	tcase_add_test(tc, test_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
