/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The front end's files, read into memory once at start: the page is a few files that never
 * change while polymeter-web runs, and serving them from memory needs no file system access
 * per request (the unit can then be read-only everywhere) and cannot be led outside the root.
 */
#ifndef POLYMETER_WEB_FILES_H
#define POLYMETER_WEB_FILES_H

#include <stddef.h>

struct web_file {
	char *url; /* "/index.html", "/assets/app.js" */
	const char *type;
	char *data;
	size_t len;
};

struct web_files {
	struct web_file *f;
	size_t n;
};

/* Reads every regular file under @root (at most two levels); needs index.html. 0 or -errno
 * with the reason in @err. */
int web_files_load(const char *root, struct web_files *out, char *err, size_t errlen);
const struct web_file *web_files_find(const struct web_files *files, const char *url);
void web_files_free(struct web_files *files);

#endif
