// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "views/web/web-files.h"

/* A bundle is a few hundred KiB: anything far larger is not the front end. */
#define WEB_FILE_MAX (8u << 20)

static const char *content_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
	    {".html", "text/html; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".ico", "image/x-icon"},
	    {".json", "application/json"},
	    {".map", "application/json"},
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static int read_file(int dirfd, const char *name, char **data, size_t *len)
{
	struct stat st;
	ssize_t got;
	size_t done = 0;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || (size_t)st.st_size > WEB_FILE_MAX) {
		r = errno ? -errno : -EFBIG;
		goto out;
	}
	*data = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!*data) {
		r = -ENOMEM;
		goto out;
	}
	while (done < (size_t)st.st_size && (got = read(fd, *data + done, st.st_size - done)) > 0)
		done += (size_t)got;
	*len = done;
out:
	close(fd);
	return r;
}

static int add(struct web_files *out, const char *url, char *data, size_t len)
{
	struct web_file *f = realloc(out->f, (out->n + 1) * sizeof(*f));

	if (!f)
		return -ENOMEM;
	out->f = f;
	f[out->n] = (struct web_file){strdup(url), content_type(url), data, len};
	if (!f[out->n].url)
		return -ENOMEM;
	out->n++;
	return 0;
}

/* The regular files of @dir (url prefix @prefix), and with @depth its subfolders'. */
static int load_dir(int dirfd, const char *prefix, int depth, struct web_files *out)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *e;
	int r = 0;

	if (!d) {
		close(dirfd);
		return -errno;
	}
	while (r >= 0 && (e = readdir(d))) {
		char url[512];
		struct stat st;

		if (e->d_name[0] == '.' || fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		snprintf(url, sizeof(url), "%s/%s", prefix, e->d_name);
		if (S_ISREG(st.st_mode)) {
			char *data = NULL;
			size_t len = 0;

			r = read_file(dirfd, e->d_name, &data, &len);
			if (r >= 0)
				r = add(out, url, data, len);
			if (r < 0)
				free(data);
		} else if (S_ISDIR(st.st_mode) && depth > 0) {
			int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			r = sub < 0 ? -errno : load_dir(sub, url, depth - 1, out);
		}
	}
	closedir(d);
	return r;
}

int web_files_load(const char *root, struct web_files *out, char *err, size_t errlen)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	*out = (struct web_files){0};
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "front end %s: %s (build it with make web)", root,
			 strerror(-r));
		return r;
	}
	r = load_dir(fd, "", 1, out);
	if (r >= 0 && !web_files_find(out, "/index.html"))
		r = -ENOENT;
	if (r < 0) {
		snprintf(err, errlen, "front end %s: %s (build it with make web)", root,
			 r == -ENOENT ? "no index.html" : strerror(-r));
		web_files_free(out);
	}
	return r;
}

const struct web_file *web_files_find(const struct web_files *files, const char *url)
{
	for (size_t i = 0; i < files->n; i++)
		if (!strcmp(files->f[i].url, url))
			return &files->f[i];
	return NULL;
}

void web_files_free(struct web_files *files)
{
	for (size_t i = 0; i < files->n; i++) {
		free(files->f[i].url);
		free(files->f[i].data);
	}
	free(files->f);
	*files = (struct web_files){0};
}
