// SPDX-License-Identifier: GPL-2.0-only
/* The small files that hold a meter's secrets (secret-file.h). */
#include <errno.h>
#include <fcntl.h>
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
