// SPDX-License-Identifier: GPL-2.0-only
/*
 * Configuration file parser (see conf.h). libinih splits the file into sections and key/value
 * pairs; a reader of our own feeds it the lines, so every message can name its line, and sees
 * every section header (libinih does not report empty sections). This file owns the reading:
 * the sections, the [daemon] keys and pm_conf_load(); the [meter] keys are in conf-meter.c, the
 * value parsers in conf-values.c, the checks across keys and sections in conf-validate.c.
 */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/conf-internal.h"

static const char *const daemon_keys[D_COUNT] = {
    [D_LOG_INTERVAL] = "log_interval",	    [D_STATE_DIR] = "state_dir",     [D_DBUS] = "dbus",
    [D_DBUS_INTERVAL] = "dbus_interval_ms", [D_CLOCK_TRUST] = "clock_trust",
};

void conf_parse_error(struct conf_parser *p, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (p->err_line)
		return; /* the first error is the one reported */
	p->err_line = line;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
}

static bool valid_meter_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(((struct pm_conf_meter *)0)->name))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* A section header seen by the reader: "[daemon]" or "[meter NAME]". */
static void section_start(struct conf_parser *p, const char *name)
{
	p->sec = SEC_BAD;
	p->meter = NULL;
	if (strcmp(name, "daemon") == 0) {
		if (p->daemon_line) {
			conf_parse_error(p, p->line, "[daemon] given twice (first on line %u)",
					 p->daemon_line);
			return;
		}
		p->daemon_line = p->line;
		p->sec = SEC_DAEMON;
		return;
	}
	if (strcmp(name, "mqtt") == 0) {
		if (p->conf.mqtt.enabled) {
			conf_parse_error(p, p->line, "[mqtt] given twice (first on line %u)",
					 p->conf.mqtt.lines.section);
			return;
		}
		p->conf.mqtt.enabled = true;
		p->conf.mqtt.lines.section = p->line;
		p->sec = SEC_MQTT;
		return;
	}
	if (strncmp(name, "meter", 5) != 0 || (name[5] != ' ' && name[5] != '\t')) {
		conf_parse_error(p, p->line,
				 "unknown section [%s] (known: [daemon], [mqtt], [meter NAME])",
				 name);
		return;
	}
	name += 5;
	name += strspn(name, " \t");
	if (!valid_meter_name(name)) {
		conf_parse_error(p, p->line,
				 "bad meter name '%s' (1 to 31 characters of A-Z, a-z, 0-9, _)",
				 name);
		return;
	}
	for (size_t i = 0; i < p->conf.n_meters; i++)
		if (strcmp(p->conf.meter[i].name, name) == 0) {
			conf_parse_error(p, p->line, "[meter %s] given twice (first on line %u)",
					 name, p->conf.meter[i].line);
			return;
		}
	if (p->conf.n_meters >= PM_CONF_MAX_METERS) {
		conf_parse_error(p, p->line, "too many meters (at most %d)", PM_CONF_MAX_METERS);
		return;
	}
	p->meter = &p->conf.meter[p->conf.n_meters++];
	conf_meter_defaults(p->meter);
	strcpy(p->meter->name, name);
	p->meter->line = p->line;
	p->sec = SEC_METER;
}

/* libinih's line source: one line of the file per call, counted. */
static char *reader(char *str, int num, void *stream)
{
	struct conf_parser *p = stream;
	ssize_t n = getline(&p->buf, &p->cap, p->f);
	const char *s;
	char name[128];

	if (n < 0)
		return NULL;
	p->line++;
	if (memchr(p->buf, '\0', (size_t)n)) {
		/* libinih would read the line up to the NUL and the rest would vanish unseen */
		conf_parse_error(p, p->line, "a NUL byte in the line (not a text file?)");
		strcpy(str, "\n");
		return str;
	}
	if (n > num - 1) {
		conf_parse_error(p, p->line, "line too long (at most %d characters)", num - 2);
		strcpy(str, "\n");
		return str;
	}
	memcpy(str, p->buf, (size_t)n + 1);

	s = p->buf + strspn(p->buf, " \t");
	if (*s == '[') {
		const char *end = strchr(s, ']');
		size_t len;

		if (!end)
			return str; /* libinih reports the syntax error on this line */
		s++;
		s += strspn(s, " \t");
		len = (size_t)(end - s);
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (len >= sizeof(name)) {
			conf_parse_error(p, p->line, "section name too long");
			p->sec = SEC_BAD;
			return str;
		}
		memcpy(name, s, len);
		name[len] = '\0';
		section_start(p, name);
	}
	return str;
}

static int daemon_key(struct conf_parser *p, const char *name, const char *value)
{
	int k, r = -EINVAL;

	for (k = 0; k < D_COUNT; k++)
		if (strcmp(name, daemon_keys[k]) == 0)
			break;
	if (k == D_COUNT) {
		conf_parse_error(p, p->line, "unknown key '%s' in [daemon]", name);
		return -EINVAL;
	}
	if (p->daemon_key_line[k]) {
		conf_parse_error(p, p->line, "'%s' given twice in [daemon] (first on line %u)",
				 name, p->daemon_key_line[k]);
		return -EINVAL;
	}
	p->daemon_key_line[k] = p->line;
	switch ((enum daemon_key)k) {
	case D_LOG_INTERVAL:
		r = conf_parse_u32(value, 0, 3600, &p->conf.log_interval_s);
		break;
	case D_STATE_DIR:
		/* an absolute path, or "none": registers are then kept in memory only */
		r = value[0] == '/' || strcmp(value, "none") == 0
			? conf_set_string(p->conf.state_dir, sizeof(p->conf.state_dir), value)
			: -EINVAL;
		break;
	case D_DBUS:
		r = 0;
		if (strcmp(value, "system") == 0)
			p->conf.dbus = PM_DBUS_SYSTEM;
		else if (strcmp(value, "session") == 0)
			p->conf.dbus = PM_DBUS_SESSION;
		else if (strcmp(value, "none") == 0)
			p->conf.dbus = PM_DBUS_NONE;
		else
			r = -EINVAL;
		break;
	case D_DBUS_INTERVAL:
		r = conf_parse_u32(value, 0, 60000, &p->conf.dbus_interval_ms);
		break;
	case D_CLOCK_TRUST:
		r = pm_clock_trust_parse(value, &p->conf.clock_trust);
		break;
	case D_COUNT:
		break;
	}
	if (r < 0) {
		static const char *const want[D_COUNT] = {
		    [D_LOG_INTERVAL] = "0..3600 (seconds)",
		    [D_STATE_DIR] = "an absolute directory of at most 255 characters, or none",
		    [D_DBUS] = "system, session or none",
		    [D_DBUS_INTERVAL] = "0..60000 (milliseconds)",
		    [D_CLOCK_TRUST] = "always, ntp or rtc",
		};
		conf_parse_error(p, p->line, "%s = '%s': expected %s", name, value, want[k]);
	}
	return r;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct conf_parser *p = user;

	(void)section; /* the reader saw the header and set p->sec */
	switch (p->sec) {
	case SEC_NONE:
		conf_parse_error(p, p->line, "'%s' outside of any section", name);
		return 0;
	case SEC_BAD:
		return 0; /* the header's error is reported */
	case SEC_DAEMON:
		return daemon_key(p, name, value) < 0 ? 0 : 1;
	case SEC_METER:
		return conf_meter_key(p, name, value) < 0 ? 0 : 1;
	case SEC_MQTT:
		return conf_mqtt_key(p, name, value) < 0 ? 0 : 1;
	}
	return 0;
}

const char *pm_conf_source_name(enum pm_conf_source s)
{
	switch (s) {
	case PM_SOURCE_IIO:
		return "iio";
	case PM_SOURCE_SIM:
		return "sim";
	case PM_SOURCE_REPLAY:
		return "replay";
	case PM_SOURCE_NONE:
		break;
	}
	return "none";
}

/*
 * @src into @dst but for the meter slots past n_meters, which stay as they were. A struct pm_conf
 * is 160 KiB, almost all of it the 64 meter slots; a whole-struct copy would write, and so make
 * resident, every page of @dst for one meter's 2.5 KiB (polymeterd's peak RSS, tests/bench/daemon).
 */
static void conf_copy(struct pm_conf *dst, const struct pm_conf *src)
{
	memcpy(dst, src, offsetof(struct pm_conf, meter));
	memcpy(dst->meter, src->meter, src->n_meters * sizeof(src->meter[0]));
	dst->mqtt = src->mqtt;
}

int pm_conf_load(const char *path, struct pm_conf *conf, char *err, size_t errlen)
{
	struct conf_parser *p;
	struct stat st;
	int r;

	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	p->path = path;
	p->conf.log_interval_s = 1;
	strcpy(p->conf.state_dir, PM_CONF_DEFAULT_STATE_DIR);
	p->conf.dbus = PM_DBUS_SYSTEM;
	p->conf.dbus_interval_ms = 1000;
	p->conf.clock_trust = PM_CLOCK_TRUST_ALWAYS;
	conf_mqtt_defaults(&p->conf.mqtt);
	p->f = fopen(path, "re");
	if (!p->f) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		free(p);
		return r;
	}
	/* fopen opens a directory for reading; only reading it fails, and not with a word */
	if (fstat(fileno(p->f), &st) == 0 && S_ISDIR(st.st_mode)) {
		r = -EISDIR;
		snprintf(err, errlen, "%s: is a directory, not a configuration file", path);
		fclose(p->f);
		free(p);
		return r;
	}

	/* Plain "key = value" lines only: no continuation lines, no key without a value. */
	ini_allow_multiline = false;
	ini_allow_no_value = false;
	ini_stop_on_first_error = true;
	r = ini_parse_stream(reader, p, handler, p);
	if (r > 0 && (!p->err_line || (unsigned)r < p->err_line)) {
		p->err_line = 0;
		conf_parse_error(p, (unsigned)r,
				 "syntax error (expected [section] or key = value)");
	} else if (r < 0 && !p->err_line) {
		conf_parse_error(p, p->line, "cannot parse (%d)", r);
	}
	if (ferror(p->f))
		conf_parse_error(p, p->line, "read error");
	if (!p->err_line)
		conf_validate(p);
	if (!p->err_line)
		conf_mqtt_validate(p);

	if (p->err_line) {
		snprintf(err, errlen, "%s:%u: %s", path, p->err_line, p->err);
		r = -EINVAL;
	} else {
		conf_copy(conf, &p->conf);
		r = 0;
	}
	fclose(p->f);
	free(p->buf);
	free(p);
	return r;
}
