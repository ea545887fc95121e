// SPDX-License-Identifier: GPL-2.0-only
/*
 * The [meter] key dlms_clients (conf-internal.h): the DLMS client SAPs besides, or instead
 * of, the standard two, each with how it authenticates and its rights (docs/dlms.md,
 * "Associations and rights"). Comma-separated entries of "SAP AUTHENTICATION RIGHTS":
 *
 *   dlms_clients = 17 lls reader, 18 hls operator, 20 none public
 *
 *   SAP             1..126: HDLC's client addresses without 0 (no station) and 127 (all
 *                   stations); 1 and 16 replace the standard management and public clients
 *   AUTHENTICATION  none, lls (the dlms_password_file), hls (HLS-GMAC, dlms_key_file) or
 *                   lls+hls
 *   RIGHTS          public, reader, operator or management (core/dlms/cosem.h)
 *
 * A client without authentication may only be public: anyone on the network may claim a SAP.
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
static int parse_entry(struct conf_parser *p, char *entry, struct pm_dlms_client_rule *c)
{
	char *save = NULL, *sap = strtok_r(entry, " \t", &save);
	char *auth = sap ? strtok_r(NULL, " \t", &save) : NULL;
	char *rights = auth ? strtok_r(NULL, " \t", &save) : NULL;
	size_t i;
	uint32_t v;

	if (!rights || strtok_r(NULL, " \t", &save)) {
		conf_parse_error(p, p->line,
				 "dlms_clients: '%s': expected SAP AUTHENTICATION RIGHTS, e.g. "
				 "17 lls reader",
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
	return 0;
}

int conf_dlms_clients(struct conf_parser *p, const char *value)
{
	struct pm_conf_meter *m = p->meter;
	char *copy = strdup(value), *save = NULL, *entry;
	int r = 0;

	if (!copy) {
		conf_parse_error(p, p->line, "out of memory");
		return -ENOMEM;
	}
	m->n_dlms_clients = 0;
	for (entry = strtok_r(copy, ",", &save); entry && !r; entry = strtok_r(NULL, ",", &save)) {
		struct pm_dlms_client_rule c;

		if (m->n_dlms_clients == PM_CONF_DLMS_CLIENTS) {
			conf_parse_error(p, p->line, "dlms_clients: more than %d clients",
					 PM_CONF_DLMS_CLIENTS);
			r = -EINVAL;
			break;
		}
		r = parse_entry(p, entry, &c);
		for (unsigned i = 0; !r && i < m->n_dlms_clients; i++)
			if (m->dlms_clients[i].sap == c.sap) {
				conf_parse_error(p, p->line,
						 "dlms_clients: client SAP %u given twice", c.sap);
				r = -EINVAL;
			}
		if (!r)
			m->dlms_clients[m->n_dlms_clients++] = c;
	}
	if (!r && m->n_dlms_clients == 0) {
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

void conf_validate_dlms_clients(struct conf_parser *p, size_t meter)
{
	const struct pm_conf_meter *m = &p->conf.meter[meter];
	const unsigned line = p->key_line[meter][K_DLMS_CLIENTS];

	for (unsigned i = 0; i < m->n_dlms_clients; i++) {
		const struct pm_dlms_client_rule *c = &m->dlms_clients[i];

		if ((c->auth & PM_DLMS_AUTH_HLS) && !m->dlms_key_file[0]) {
			conf_parse_error(
			    p, line,
			    "dlms_clients: client SAP %u authenticates with hls, which "
			    "needs dlms_key_file in [meter %s]",
			    c->sap, m->name);
			return;
		}
		if (c->auth == PM_DLMS_AUTH_LLS && !m->dlms_password_file[0]) {
			conf_parse_error(
			    p, line,
			    "dlms_clients: client SAP %u authenticates with lls, which "
			    "needs dlms_password_file in [meter %s]",
			    c->sap, m->name);
			return;
		}
	}
}
