// SPDX-License-Identifier: GPL-2.0-only
/* A meter's STS decoder key file (sts-key-file.h). */
#include <errno.h>
#include <string.h>

#include "app/secret-file.h"
#include "app/sts-key-file.h"

int pm_sts_key_file_read(const char *path, uint64_t *dk, const char **why)
{
	char raw[64];
	uint64_t key = 0;
	size_t len;
	int r;

	r = pm_secret_key_file_read(path, raw, sizeof(raw), &len,
				    "may be read by every user: the decoder key is a secret "
				    "(chmod 0640; chown root:polymeter)",
				    why);
	if (r)
		return r;
	while (len > 0 && (raw[len - 1] == '\n' || raw[len - 1] == '\r'))
		len--;
	r = len == 16 ? 0 : -EINVAL;
	for (size_t i = 0; r == 0 && i < len; i++) {
		int d = pm_secret_hex_digit(raw[i]);

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
