// SPDX-License-Identifier: GPL-2.0-only
/* The small files that hold a meter's secrets (secret-file.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/secret-file.h"

int pm_secret_file_read(const char *path, char *buf, size_t cap, size_t *len, mode_t *mode,
			const char **why)
{
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		*why = "cannot be opened";
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		*why = "is not a regular file";
		return -EINVAL;
	}
	n = read(fd, buf, cap);
	close(fd);
	if (n < 0) {
		*why = "cannot be read";
		return -EIO;
	}
	*len = (size_t)n;
	*mode = st.st_mode;
	return 0;
}

/* Why a key file of @mode is refused, or NULL: the service's group may read it and nobody
 * else, only its owner may write it (0640 root:polymeter). @world: the reason when every user
 * may read it. */
static const char *key_mode(mode_t mode, const char *world)
{
	if (mode & S_IRWXO)
		return world;
	if (mode & S_IWGRP)
		return "may be written by its group (chmod 0640; chown root:polymeter)";
	return NULL;
}

int pm_secret_key_file_read(const char *path, char *buf, size_t cap, size_t *len, const char *world,
			    const char **why)
{
	mode_t mode;
	int r = pm_secret_file_read(path, buf, cap, len, &mode, why);

	if (r)
		return r;
	*why = key_mode(mode, world);
	if (*why) {
		explicit_bzero(buf, cap);
		return -EPERM;
	}
	return 0;
}

int pm_secret_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
