// SPDX-License-Identifier: GPL-2.0-only
/*
 * The [meter] key dlms_clients (conf-internal.h): the DLMS client SAPs besides, or instead
 * of, the standard two, each with how it authenticates, its rights and its own secrets
 * (docs/dlms.md, "Associations and rights"). Comma-separated entries of
 * "SAP AUTHENTICATION RIGHTS [PASSWORD_FILE] [KEY_FILE]":
 *
 *   dlms_clients = 17 lls reader /etc/polymeter/dlms-17.password, 20 none public
 *   dlms_clients = 18 hls operator /etc/polymeter/dlms-18.keys
 *
 *   SAP             1..126: HDLC's client addresses without 0 (no station) and 127 (all
 *                   stations); 1 and 16 replace the standard management and public clients
 *   AUTHENTICATION  none, lls (the dlms_password_file), hls (HLS-GMAC, dlms_key_file) or
 *                   lls+hls
 *   RIGHTS          public, reader, operator or management (core/dlms/cosem.h)
 *   PASSWORD_FILE   lls and lls+hls: the client's own password (as dlms_password_file)
 *   KEY_FILE        hls and lls+hls: the client's own keys, master key and client system
 *                   title (as dlms_key_file; its system_title, the meter's, may be left out)
 *
 * The key may be given on several lines, each adding its entries (a line holds at most 198
 * characters). A client without authentication may only be public: anyone on the network may
 * claim a SAP. Each client has its own secrets: with another's password or keys, a reader could
 * associate as the management client. SAP 1 alone may leave them out and use dlms_password_file and
 * dlms_key_file; conf_validate_dlms_clients refuses an entry without its secrets and two
 * entries naming one file, pm_check_config two files holding one secret.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app/conf-internal.h"

#define SAP_MIN 1
#define SAP_MAX 126

static const struct {
	const char *name;
	uint8_t auth;
} auths[] = {
    {"none", PM_DLMS_AUTH_NONE},
    {"lls", PM_DLMS_AUTH_LLS},
    {"hls", PM_DLMS_AUTH_HLS},
    {"lls+hls", PM_DLMS_AUTH_LLS | PM_DLMS_AUTH_HLS},
};

static const struct {
	const char *name;
	enum pm_dlms_client rights;
} levels[] = {
    {"public", PM_DLMS_CLIENT_PUBLIC},
    {"reader", PM_DLMS_CLIENT_READER},
    {"operator", PM_DLMS_CLIENT_OPERATOR},
    {"management", PM_DLMS_CLIENT_MANAGEMENT},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* One entry "SAP AUTH RIGHTS" (NUL-terminated, modified in place) into @c: 0, or -EINVAL with
 * the error recorded. */
static int parse_entry(struct conf_parser *p, char *entry, struct pm_dlms_client_rule *c,
		       struct pm_conf_dlms_client_files *f)
{
	char *save = NULL, *sap = strtok_r(entry, " \t\n", &save);
	char *auth = sap ? strtok_r(NULL, " \t\n", &save) : NULL;
	char *rights = auth ? strtok_r(NULL, " \t\n", &save) : NULL;
	char *files[3] = {NULL, NULL, NULL};
	size_t i, nfiles = 0, want;
	uint32_t v;

	while (rights && nfiles < 3 && (files[nfiles] = strtok_r(NULL, " \t\n", &save)))
		nfiles++;
	if (!rights || nfiles > 2) {
		conf_parse_error(p, p->line,
				 "dlms_clients: '%s': expected SAP AUTHENTICATION RIGHTS "
				 "[PASSWORD_FILE] [KEY_FILE], e.g. 17 lls reader "
				 "/etc/polymeter/dlms-17.password",
				 sap ? sap : "");
		return -EINVAL;
	}
	if (conf_parse_u32(sap, SAP_MIN, SAP_MAX, &v) < 0) {
		conf_parse_error(p, p->line,
				 "dlms_clients: client SAP '%s': expected %d..%d (0 and 127 are "
				 "HDLC's no-station and all-station addresses)",
				 sap, SAP_MIN, SAP_MAX);
		return -EINVAL;
	}
	c->sap = (uint16_t)v;
	for (i = 0; i < N_OF(auths) && strcmp(auth, auths[i].name); i++)
		;
	if (i == N_OF(auths)) {
		conf_parse_error(p, p->line,
				 "dlms_clients: client SAP %u: authentication '%s': expected none, "
				 "lls, hls or lls+hls",
				 v, auth);
		return -EINVAL;
	}
	c->auth = auths[i].auth;
	for (i = 0; i < N_OF(levels) && strcmp(rights, levels[i].name); i++)
		;
	if (i == N_OF(levels)) {
		conf_parse_error(
		    p, p->line,
		    "dlms_clients: client SAP %u: rights '%s': expected public, reader, "
		    "operator or management",
		    v, rights);
		return -EINVAL;
	}
	c->rights = levels[i].rights;
	if (c->auth == PM_DLMS_AUTH_NONE && c->rights != PM_DLMS_CLIENT_PUBLIC) {
		conf_parse_error(p, p->line,
				 "dlms_clients: client SAP %u: without authentication a client may "
				 "only be public (anyone may claim a SAP)",
				 v);
		return -EINVAL;
	}
	/* a file for each secret the authentication takes: lls a password, hls keys */
	want = !!(c->auth & PM_DLMS_AUTH_LLS) + !!(c->auth & PM_DLMS_AUTH_HLS);
	if (nfiles && nfiles != want) {
		conf_parse_error(p, p->line, "dlms_clients: client SAP %u: %s takes %s", v, auth,
				 want == 0		      ? "no secret file"
				 : want == 2		      ? "a password file then a key file"
				 : c->auth & PM_DLMS_AUTH_LLS ? "one password file"
							      : "one key file");
		return -EINVAL;
	}
	memset(f, 0, sizeof(*f));
	for (i = 0; i < nfiles; i++) {
		bool password = i == 0 && (c->auth & PM_DLMS_AUTH_LLS);
		char *dst = password ? f->password_file : f->key_file;

		if (strlen(files[i]) >= sizeof(f->key_file) || files[i][0] != '/') {
			conf_parse_error(p, p->line,
					 "dlms_clients: client SAP %u: '%s': expected an absolute "
					 "path of at most %zu characters",
					 v, files[i], sizeof(f->key_file) - 1);
			return -EINVAL;
		}
		strcpy(dst, files[i]);
	}
	return 0;
}

int conf_dlms_clients(struct conf_parser *p, const char *value)
{
	struct pm_conf_meter *m = p->meter;
	char *copy = strdup(value), *save = NULL, *entry;
	const unsigned before = m->n_dlms_clients;
	int r = 0;

	if (!copy) {
		conf_parse_error(p, p->line, "out of memory");
		return -ENOMEM;
	}
	/* each dlms_clients line adds its entries to the earlier lines' */
	for (entry = strtok_r(copy, ",", &save); entry && !r; entry = strtok_r(NULL, ",", &save)) {
		struct pm_dlms_client_rule c = {0};
		struct pm_conf_dlms_client_files f;

		if (m->n_dlms_clients == PM_CONF_DLMS_CLIENTS) {
			conf_parse_error(p, p->line, "dlms_clients: more than %d clients",
					 PM_CONF_DLMS_CLIENTS);
			r = -EINVAL;
			break;
		}
		r = parse_entry(p, entry, &c, &f);
		for (unsigned i = 0; !r && i < m->n_dlms_clients; i++)
			if (m->dlms_clients[i].sap == c.sap) {
				conf_parse_error(p, p->line,
						 "dlms_clients: client SAP %u given twice", c.sap);
				r = -EINVAL;
			}
		if (!r) {
			m->dlms_client_files[m->n_dlms_clients] = f;
			m->dlms_clients[m->n_dlms_clients++] = c;
		}
	}
	if (!r && m->n_dlms_clients == before) {
		conf_parse_error(p, p->line,
				 "dlms_clients: expected SAP AUTHENTICATION RIGHTS entries, "
				 "comma-separated, e.g. 17 lls reader");
		r = -EINVAL;
	}
	free(copy);
	if (r)
		m->n_dlms_clients = 0;
	return r;
}

/* Client @i's secret file of @kind (its own, or SAP 1's fallback): "" none. */
static const char *secret_file(const struct pm_conf_meter *m, unsigned i, bool password)
{
	const struct pm_conf_dlms_client_files *f = &m->dlms_client_files[i];
	const char *own = password ? f->password_file : f->key_file;

	if (own[0] || m->dlms_clients[i].sap != PM_DLMS_CLIENT_MANAGEMENT)
		return own;
	return password ? m->dlms_password_file : m->dlms_key_file;
}

/* Whether some client other than @i uses @path as a secret file: SAP 1 as the standard client
 * too, when no entry replaces it. */
static bool shared(const struct pm_conf_meter *m, unsigned i, const char *path)
{
	bool sap1_listed = false;

	for (unsigned j = 0; j < m->n_dlms_clients; j++) {
		sap1_listed |= m->dlms_clients[j].sap == PM_DLMS_CLIENT_MANAGEMENT;
		if (j != i && (!strcmp(secret_file(m, j, true), path) ||
			       !strcmp(secret_file(m, j, false), path)))
			return true;
	}
	return !sap1_listed && m->dlms_clients[i].sap != PM_DLMS_CLIENT_MANAGEMENT &&
	       (!strcmp(m->dlms_password_file, path) || !strcmp(m->dlms_key_file, path));
}

void conf_validate_dlms_clients(struct conf_parser *p, size_t meter)
{
	const struct pm_conf_meter *m = &p->conf.meter[meter];
	const unsigned line = p->key_line[meter][K_DLMS_CLIENTS];

	for (unsigned i = 0; i < m->n_dlms_clients; i++) {
		const struct pm_dlms_client_rule *c = &m->dlms_clients[i];
		const char *password = secret_file(m, i, true), *keys = secret_file(m, i, false);

		/* the meter's system title, which every HLS client's keys go with */
		if ((c->auth & PM_DLMS_AUTH_HLS) && !m->dlms_key_file[0]) {
			conf_parse_error(
			    p, line,
			    "dlms_clients: client SAP %u authenticates with hls, which "
			    "needs dlms_key_file in [meter %s]",
			    c->sap, m->name);
			return;
		}
		/* lls+hls included: a client that may use lls without a password could not,
		 * and a password it borrowed would be another client's */
		if ((c->auth & PM_DLMS_AUTH_LLS) && !password[0]) {
			conf_parse_error(
			    p, line,
			    "dlms_clients: client SAP %u authenticates with lls and has "
			    "no password file of its own (e.g. %u lls reader "
			    "/etc/polymeter/dlms-%u.password)",
			    c->sap, c->sap, c->sap);
			return;
		}
		if ((c->auth & PM_DLMS_AUTH_HLS) && !keys[0]) {
			conf_parse_error(
			    p, line,
			    "dlms_clients: client SAP %u authenticates with hls and has "
			    "no key file of its own (e.g. %u hls operator "
			    "/etc/polymeter/dlms-%u.keys)",
			    c->sap, c->sap, c->sap);
			return;
		}
		for (int k = 0; k < 2; k++) {
			const char *path = k ? keys : password;

			if (path[0] && shared(m, i, path)) {
				conf_parse_error(p, line,
						 "dlms_clients: client SAP %u: %s is another "
						 "client's secret file too; each client needs its "
						 "own",
						 c->sap, path);
				return;
			}
		}
	}
}
