// SPDX-License-Identifier: GPL-2.0-only
/* What start-up checks beyond the file's syntax (check-config.h). */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acquire/source-replay.h"
#include "app/billing-conf.h"
#include "app/check-config.h"
#include "app/check-dlms-clients.h"
#include "app/dlms-conf.h"
#include "app/dlms-key-file.h"
#include "app/sts-key-file.h"
#include "common/clock.h"
#include "meter/billing.h"
#include "meter/local-time.h"
#include "meter/tariff-file.h"
#include "views/mqtt/mqtt.h"

/* The line to name: the key's, else the meter's header. */
static unsigned at(const struct pm_conf_meter *m, unsigned key_line)
{
	return key_line ? key_line : m->line;
}

/* The file to record to can be created: its directory exists and is writable. */
static int check_record(const struct pm_conf_meter *m, const char *path, char *err, size_t len)
{
	char dir[sizeof(m->record)];
	struct stat st;

	if (stat(m->record, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, len, "%s:%u: meter %s: record %s is a directory", path,
			 at(m, m->lines.record), m->name, m->record);
		return -EISDIR;
	}
	snprintf(dir, sizeof(dir), "%s", m->record);
	if (access(dirname(dir), W_OK) < 0) {
		int r = -errno;

		snprintf(dir, sizeof(dir), "%s", m->record);
		snprintf(err, len, "%s:%u: meter %s: record %s: its directory %s: %s", path,
			 at(m, m->lines.record), m->name, m->record, dirname(dir), strerror(-r));
		return r;
	}
	return 0;
}

/*
 * The line of the key an account error names ("meter NAME: KEY: ..." as billing-amounts.c
 * words it, the configuration's key names), else the meter's header.
 */
static unsigned account_line(const struct pm_conf_meter *m, const char *msg)
{
	const struct {
		const char *key;
		unsigned line;
	} keys[] = {
	    {"payg_debt_limit", m->lines.payg_debt_limit},
	    {"emergency_credit", m->lines.emergency_credit},
	    {"emergency_credit_threshold", m->lines.emergency_credit_threshold},
	    {"low_credit", m->lines.low_credit},
	};
	const char *key = strstr(msg, ": ");

	for (size_t i = 0; key && i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t n = strlen(keys[i].key);

		if (!strncmp(key + 2, keys[i].key, n) && key[2 + n] == ':')
			return at(m, keys[i].line);
	}
	return m->line;
}

static int check_meter(const struct pm_conf_meter *m, const char *path, char *err, size_t len)
{
	char msg[512], password[PM_DLMS_PASSWORD_MAX + 1];
	struct pm_billing_config bc;
	struct pm_billing *billing;
	const char *why;
	uint64_t scans;
	int r;

	if (!pm_local_time_zone_exists(m->time_zone)) {
		snprintf(err, len, "%s:%u: meter %s: time_zone '%s' is not a tzdata zone", path,
			 at(m, m->lines.time_zone), m->name, m->time_zone);
		return -EINVAL;
	}
	if (m->tariff_file[0]) {
		struct tariff *t = malloc(sizeof(*t));
		struct pm_tariff_file_info info;

		if (!t)
			return -ENOMEM;
		r = pm_tariff_file_load(m->tariff_file, t, &info, msg, sizeof(msg));
		free(t);
		if (r < 0) {
			snprintf(err, len, "%s:%u: meter %s: tariff_file %s", path,
				 at(m, m->lines.tariff_file), m->name, msg);
			return r;
		}
	}
	/* the account as a meter with no stored one builds it: amounts against the tariff */
	pm_billing_conf(m, false, &bc);
	r = pm_billing_new(&bc, NULL, pm_utc_now_ns(), &billing, msg, sizeof(msg));
	pm_billing_free(billing);
	if (r < 0) {
		snprintf(err, len, "%s:%u: %s", path, account_line(m, msg), msg);
		return r;
	}
	if (m->source == PM_SOURCE_REPLAY) {
		r = pm_recording_check(m->replay_file, &scans, msg, sizeof(msg));
		if (r < 0) {
			snprintf(err, len, "%s:%u: meter %s: replay_file %s", path,
				 at(m, m->lines.replay_file), m->name, msg);
			return r;
		}
	}
	if (m->record[0]) {
		r = check_record(m, path, err, len);
		if (r < 0)
			return r;
	}
	if (m->sts_decoder_key_file[0]) {
		uint64_t dk;

		r = pm_sts_key_file_read(m->sts_decoder_key_file, &dk, &why);
		explicit_bzero(&dk, sizeof(dk));
		if (r < 0) {
			snprintf(err, len, "%s:%u: meter %s: sts_decoder_key_file %s %s", path,
				 at(m, m->lines.sts_decoder_key_file), m->name,
				 m->sts_decoder_key_file, why);
			return r;
		}
	}
	if (m->dlms_key_file[0]) {
		struct pm_dlms_key_file keys;

		r = pm_dlms_key_file_read(m->dlms_key_file, &keys, &why);
		explicit_bzero(&keys, sizeof(keys));
		if (r < 0) {
			snprintf(err, len, "%s:%u: meter %s: dlms_key_file %s %s", path,
				 at(m, m->lines.dlms_key_file), m->name, m->dlms_key_file, why);
			return r;
		}
	}
	if (m->dlms_password_file[0]) {
		r = pm_dlms_read_password(m->dlms_password_file, password, &why);
		explicit_bzero(password, sizeof(password));
		if (r < 0) {
			snprintf(err, len, "%s:%u: meter %s: dlms_password_file %s %s", path,
				 at(m, m->lines.dlms_password_file), m->name, m->dlms_password_file,
				 why);
			return r;
		}
	}
	return pm_check_dlms_clients(m, path, err, len);
}

/* [mqtt]: the password's and the TLS files must be readable, as a start reads them. */
static int check_mqtt(const struct pm_conf_mqtt *q, const char *path, char *err, size_t len)
{
	const struct {
		const char *key, *file;
		unsigned line;
	} files[] = {
	    {"ca_file", q->ca_file, q->lines.ca_file},
	    {"cert_file", q->cert_file, q->lines.cert_file},
	    {"key_file", q->key_file, q->lines.key_file},
	};
	char password[256];
	const char *why;
	int r;

	if (!q->enabled)
		return 0;
	if (q->password_file[0]) {
		r = pm_mqtt_read_password(q->password_file, password, sizeof(password), &why);
		explicit_bzero(password, sizeof(password));
		if (r < 0) {
			snprintf(err, len, "%s:%u: mqtt: password_file %s %s", path,
				 q->lines.password_file, q->password_file, why);
			return r;
		}
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f;

		if (!files[i].file[0])
			continue;
		f = fopen(files[i].file, "re");
		if (!f) {
			r = -errno;
			snprintf(err, len, "%s:%u: mqtt: %s %s: %s", path, files[i].line,
				 files[i].key, files[i].file, strerror(-r));
			return r;
		}
		fclose(f);
	}
	return 0;
}

/*
 * Two meters' key files (each already read by check_meter) naming one system title or one
 * encryption key: the GCM IV is unique only per title and key, so two meters under them would
 * answer from one counter sequence with two sets of clients.
 */
static int check_dlms_titles(const struct pm_conf *conf, const char *path, char *err, size_t len)
{
	struct pm_dlms_key_file a, b;
	const char *why;
	int r = 0;

	for (size_t j = 1; !r && j < conf->n_meters; j++) {
		const struct pm_conf_meter *mb = &conf->meter[j];

		if (!mb->dlms_key_file[0] || pm_dlms_key_file_read(mb->dlms_key_file, &b, &why) < 0)
			continue;
		for (size_t i = 0; !r && i < j; i++) {
			const struct pm_conf_meter *ma = &conf->meter[i];

			if (!ma->dlms_key_file[0] ||
			    pm_dlms_key_file_read(ma->dlms_key_file, &a, &why) < 0)
				continue;
			if (!memcmp(a.title, b.title, sizeof(a.title)) ||
			    !memcmp(a.keys.ek, b.keys.ek, sizeof(a.keys.ek))) {
				snprintf(
				    err, len,
				    "%s:%u: meter %s: dlms_key_file %s has the system_title or "
				    "encryption_key of meter %s's %s; each meter needs its own",
				    path, at(mb, mb->lines.dlms_key_file), mb->name,
				    mb->dlms_key_file, ma->name, ma->dlms_key_file);
				r = -EEXIST;
			}
			explicit_bzero(&a, sizeof(a));
		}
		explicit_bzero(&b, sizeof(b));
	}
	return r;
}

int pm_check_config(const char *path, const struct pm_conf *conf, char *err, size_t errlen)
{
	int rm = check_mqtt(&conf->mqtt, path, err, errlen);

	if (rm < 0)
		return rm;
	for (size_t i = 0; i < conf->n_meters; i++) {
		int r = check_meter(&conf->meter[i], path, err, errlen);

		if (r < 0)
			return r;
	}
	return check_dlms_titles(conf, path, err, errlen);
}
