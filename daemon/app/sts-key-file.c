// SPDX-License-Identifier: GPL-2.0-only
/* A meter's STS decoder key file (sts-key-file.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/sts-key-file.h"

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int pm_sts_key_file_read(const char *path, uint64_t *dk, const char **why)
{
	char raw[64];
	struct stat st;
	uint64_t key = 0;
	size_t len;
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		*why = "cannot be opened";
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*why = "is not a regular file";
		r = -EINVAL;
	} else if (st.st_mode & S_IRWXO) {
		*why = "may be read by every user: the decoder key is a secret "
		       "(chmod 0640; chown root:polymeter)";
		r = -EPERM;
	} else if (st.st_mode & S_IWGRP) {
		*why = "may be written by its group (chmod 0640; chown root:polymeter)";
		r = -EPERM;
	}
	n = r ? 0 : read(fd, raw, sizeof(raw));
	close(fd);
	if (r)
		return r;
	if (n < 0) {
		*why = "cannot be read";
		return -EIO;
	}
	len = (size_t)n;
	while (len > 0 && (raw[len - 1] == '\n' || raw[len - 1] == '\r'))
		len--;
	r = len == 16 ? 0 : -EINVAL;
	for (size_t i = 0; r == 0 && i < len; i++) {
		int d = hex_digit(raw[i]);

		if (d < 0)
			r = -EINVAL;
		key = key << 4 | (uint64_t)(d < 0 ? 0 : d);
	}
	explicit_bzero(raw, sizeof(raw));
	if (r) {
		explicit_bzero(&key, sizeof(key));
		*why = "must hold the decoder key, 16 hexadecimal digits, on one line";
		return r;
	}
	*dk = key;
	return 0;
}
