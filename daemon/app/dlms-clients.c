// SPDX-License-Identifier: GPL-2.0-only
/* A meter's DLMS clients with their own secrets (dlms-clients.h). */
#include <errno.h>
#include <string.h>

#include <nettle/memops.h>

#include "app/dlms-clients.h"
#include "app/dlms-conf.h"
#include "app/dlms-key-file.h"
#include "common/log.h"

/* dlms-hls.h other_uses: @key is the EK or AK another client's associations start under. */
static bool other_uses(void *data, const struct pm_dlms_hls *self, const uint8_t *key)
{
	const struct pm_dlms_clients *c = data;
	bool used = false;

	for (size_t i = 0; i < c->n; i++) {
		const struct pm_dlms_client_secrets *cs = &c->secrets[i];
		const struct pm_dlms_keys *k;

		if (!cs->has_hls || &cs->hls == self)
			continue;
		k = pm_dlms_hls_security(&cs->hls)->keys;
		used |= memeql_sec(k->ek, key, PM_DLMS_KEY_LEN) |
			memeql_sec(k->ak, key, PM_DLMS_KEY_LEN);
	}
	return used;
}

/* Client @i's HLS-GMAC from its key file, under the meter's title (a title the file names must
 * be that one: dlms_key_file's, SAP 1's file, always is). */
static int start_hls(struct pm_dlms_clients *c, size_t i, const char *path, const char *name,
		     struct pm_meter *pipe)
{
	struct pm_dlms_client_secrets *cs = &c->secrets[i];
	uint16_t sap = c->rules[i].sap;
	struct pm_dlms_key_file keys;
	const char *why = NULL;
	int r;

	r = pm_dlms_client_key_file_read(path, c->title, &keys, &why);
	if (r < 0)
		return log_error_errno(r, "meter %s: client %u's key file %s %s", name, sap, path,
				       why);
	r = pm_dlms_hls_init(&cs->hls, name, sap, pipe, &keys.keys, c->title, keys.client_title,
			     keys.has_master_key ? keys.master_key : NULL);
	explicit_bzero(&keys, sizeof(keys));
	if (r < 0)
		return log_error_errno(
		    r, "meter %s: HLS needs the store for its invocation counters", name);
	cs->has_hls = true;
	cs->hls.other_uses = other_uses;
	cs->hls.other_data = c;
	c->rules[i].security = pm_dlms_hls_security(&cs->hls);
	return 0;
}

int pm_dlms_clients_start(struct pm_dlms_clients *c, const struct pm_conf_meter *conf,
			  const char *name, struct pm_meter *pipe)
{
	struct pm_conf_dlms_secrets files[PM_DLMS_MAX_CLIENTS];
	const char *why = NULL;
	int r;

	memset(c, 0, sizeof(*c));
	c->n = pm_conf_dlms_clients(conf, c->rules, files);
	if (conf->dlms_key_file[0]) {
		struct pm_dlms_key_file meter;

		r = pm_dlms_key_file_read(conf->dlms_key_file, &meter, &why);
		memcpy(c->title, meter.title, sizeof(c->title));
		explicit_bzero(&meter, sizeof(meter));
		if (r < 0)
			return log_error_errno(r, "meter %s: dlms_key_file %s %s", name,
					       conf->dlms_key_file, why);
		c->has_title = true;
	}
	for (size_t i = 0; i < c->n; i++) {
		struct pm_dlms_client_rule *rule = &c->rules[i];

		if ((rule->auth & PM_DLMS_AUTH_LLS) && files[i].password_file[0]) {
			r = pm_dlms_read_password(files[i].password_file, c->secrets[i].password,
						  &why);
			if (r < 0)
				return log_error_errno(
				    r, "meter %s: client %u's password file %s %s", name, rule->sap,
				    files[i].password_file, why);
			rule->password = c->secrets[i].password;
		}
		/* HLS needs the meter's title: conf_validate_dlms_clients holds a configured
		 * client to it; the standard SAP 1 has HLS with dlms_key_file only */
		if ((rule->auth & PM_DLMS_AUTH_HLS) && files[i].key_file[0] && c->has_title) {
			r = start_hls(c, i, files[i].key_file, name, pipe);
			if (r < 0)
				return r;
		}
		log_info("meter %s: DLMS client %u:%s%s%s", name, rule->sap,
			 rule->auth & PM_DLMS_AUTH_NONE ? " no authentication" : "",
			 rule->password ? " LLS with its own password" : "",
			 rule->security ? " HLS-GMAC with its own keys" : "");
	}
	return 0;
}

enum pm_dlms_result pm_dlms_clients_transfer(struct pm_dlms_clients *c, uint16_t sap,
					     const struct pm_cosem_wrapped_key *keys, size_t n)
{
	for (size_t i = 0; i < c->n; i++) {
		struct pm_dlms_client_secrets *cs = &c->secrets[i];
		enum pm_dlms_result r;

		if (c->rules[i].sap != sap || !cs->has_hls)
			continue;
		r = pm_dlms_hls_transfer(&cs->hls, keys, n);
		c->rules[i].security = pm_dlms_hls_security(&cs->hls);
		return r;
	}
	return PM_DLMS_OBJECT_UNAVAILABLE;
}

void pm_dlms_clients_done(struct pm_dlms_clients *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->secrets[i].has_hls)
			pm_dlms_hls_done(&c->secrets[i].hls);
	explicit_bzero(c, sizeof(*c));
}
