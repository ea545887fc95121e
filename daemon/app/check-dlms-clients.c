// SPDX-License-Identifier: GPL-2.0-only
/* What start-up checks of a meter's DLMS clients' secrets (check-dlms-clients.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <nettle/memops.h>

#include "app/check-dlms-clients.h"
#include "app/dlms-conf.h"
#include "app/dlms-key-file.h"

/* One client's secrets as read from its files. */
struct client {
	uint16_t sap;
	enum pm_dlms_client rights;
	const char *password_file, *key_file;
	char password[PM_DLMS_PASSWORD_MAX + 1]; /* zero-padded: compared whole */
	struct pm_dlms_key_file keys;
	bool has_password, has_keys;
	struct stat password_st, key_st;
};

struct check {
	const struct pm_conf_meter *m;
	const char *path;
	char *err;
	size_t len;
	struct client c[PM_DLMS_MAX_CLIENTS];
	size_t n;
};

__attribute__((format(printf, 3, 4))) static int fail(struct check *k, int r, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(k->err, k->len, "%s:%u: meter %s: dlms_clients: %s", k->path,
		 k->m->lines.dlms_clients ? k->m->lines.dlms_clients : k->m->line, k->m->name,
		 what);
	return r;
}

/* Client @c's files read (their mode checked by the readers) under the meter's @title. */
static int read_client(struct check *k, struct client *c, const uint8_t *title)
{
	const char *why = NULL;
	int r;

	if (c->password_file[0]) {
		r = pm_dlms_read_password(c->password_file, c->password, &why);
		if (r == 0 && stat(c->password_file, &c->password_st) < 0)
			r = -errno, why = "cannot be looked at";
		if (r < 0)
			return fail(k, r, "client SAP %u's password file %s %s", c->sap,
				    c->password_file, why);
		c->has_password = true;
	}
	if (c->key_file[0] && title) {
		r = pm_dlms_client_key_file_read(c->key_file, title, &c->keys, &why);
		if (r == 0 && stat(c->key_file, &c->key_st) < 0)
			r = -errno, why = "cannot be looked at";
		if (r < 0)
			return fail(k, r, "client SAP %u's key file %s %s", c->sap, c->key_file,
				    why);
		c->has_keys = true;
	}
	return 0;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Clients @a and @b (a before b) against each other. */
static int compare(struct check *k, const struct client *a, const struct client *b)
{
	bool other_rights = a->rights != b->rights;

	if ((a->has_password && b->has_password && same_file(&a->password_st, &b->password_st)) ||
	    (a->has_keys && b->has_keys && same_file(&a->key_st, &b->key_st)))
		return fail(k, -EEXIST,
			    "client SAP %u names the secret file of client SAP %u; each client "
			    "needs its own",
			    b->sap, a->sap);
	if (other_rights && a->has_password && b->has_password &&
	    memeql_sec(a->password, b->password, sizeof(a->password)))
		return fail(k, -EEXIST,
			    "client SAP %u's password is client SAP %u's, whose rights differ; "
			    "each client needs its own",
			    b->sap, a->sap);
	if (a->has_keys && b->has_keys &&
	    memeql_sec(a->keys.keys.ek, b->keys.keys.ek, sizeof(a->keys.keys.ek)))
		return fail(k, -EEXIST,
			    "client SAP %u's encryption_key is client SAP %u's; each client needs "
			    "its own (the invocation counters go with the key)",
			    b->sap, a->sap);
	if (other_rights && a->has_keys && b->has_keys &&
	    memeql_sec(a->keys.keys.ak, b->keys.keys.ak, sizeof(a->keys.keys.ak)))
		return fail(k, -EEXIST,
			    "client SAP %u's authentication_key is client SAP %u's, whose rights "
			    "differ; each client needs its own",
			    b->sap, a->sap);
	return 0;
}

int pm_check_dlms_clients(const struct pm_conf_meter *m, const char *path, char *err, size_t len)
{
	static struct check k; /* secrets: not on the stack of every caller, wiped below */
	struct pm_dlms_client_rule rules[PM_DLMS_MAX_CLIENTS];
	struct pm_conf_dlms_secrets files[PM_DLMS_MAX_CLIENTS];
	struct pm_dlms_key_file meter;
	const char *why = NULL;
	bool has_title = false;
	uint8_t title[PM_DLMS_SYSTEM_TITLE_LEN];
	int r = 0;

	memset(&k, 0, sizeof(k));
	k = (struct check){.m = m, .path = path, .err = err, .len = len};
	/* the meter's title: check_meter reports a bad dlms_key_file itself */
	if (m->dlms_key_file[0] && pm_dlms_key_file_read(m->dlms_key_file, &meter, &why) == 0) {
		memcpy(title, meter.title, sizeof(title));
		has_title = true;
	}
	explicit_bzero(&meter, sizeof(meter));
	k.n = pm_conf_dlms_clients(m, rules, files);
	for (size_t i = 0; !r && i < k.n; i++) {
		struct client *c = &k.c[i];

		c->sap = rules[i].sap;
		c->rights = rules[i].rights;
		c->password_file = rules[i].auth & PM_DLMS_AUTH_LLS ? files[i].password_file : "";
		c->key_file = rules[i].auth & PM_DLMS_AUTH_HLS ? files[i].key_file : "";
		r = read_client(&k, c, has_title ? title : NULL);
		for (size_t j = 0; !r && j < i; j++)
			r = compare(&k, &k.c[j], c);
	}
	explicit_bzero(&k, sizeof(k));
	return r;
}
