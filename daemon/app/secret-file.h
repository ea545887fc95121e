/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The small files that hold a meter's secrets (the DLMS password file, the STS decoder key
 * file): read whole, each caller judging the mode by its own rule. One place opens them so
 * that every secret is refused alike when it is not a regular file or cannot be read.
 */
#ifndef POLYMETER_SECRET_FILE_H
#define POLYMETER_SECRET_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Reads at most @cap bytes of the regular file @path into @buf (no terminating NUL): 0 with
 * *len and the file's *mode, or a negative errno with *why completing "KEY PATH ...". The
 * caller checks *mode before it uses the bytes and wipes @buf when it refuses them.
 */
int pm_secret_file_read(const char *path, char *buf, size_t cap, size_t *len, mode_t *mode,
			const char **why);

/*
 * A key file: read as pm_secret_file_read, then refused (-EPERM, @buf wiped, *why the reason)
 * unless the service's group may read it and nobody else, and only its owner may write it
 * (0640 root:polymeter). @world: the reason when every user may read it.
 */
int pm_secret_key_file_read(const char *path, char *buf, size_t cap, size_t *len, const char *world,
			    const char **why);

/* The value of a hexadecimal digit (key files hold keys in hex), -1 for another character. */
int pm_secret_hex_digit(char c);

#endif
