// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "common/log.h"
#include "views/web/web-conf.h"

void web_conf_defaults(struct web_conf *c)
{
	*c = (struct web_conf){0};
	/* loopback: the page shows a household's consumption and credit; exposing it on the LAN
	 * is the installer's decision (address = 0.0.0.0 or the LAN address) */
	snprintf(c->address, sizeof(c->address), "127.0.0.1");
	snprintf(c->root, sizeof(c->root), "/usr/share/polymeter/web");
	c->http.address = c->address;
	c->http.root = c->root;
	c->http.port = 8080;
	c->http.max_connections = 64;
	c->http.timeout_s = 30;
}

static int parse_uint(const char *v, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long n;

	if (!*v || *v == '-' || *v == '+')
		return -EINVAL;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n < min || n > max)
		return -EINVAL;
	*out = n;
	return 0;
}

int web_conf_set(struct web_conf *c, const char *key, const char *value, char *err, size_t errlen)
{
	unsigned char buf[sizeof(struct in6_addr)];
	unsigned long n;

	if (!strcmp(key, "address")) {
		if (strlen(value) >= sizeof(c->address) ||
		    (inet_pton(AF_INET, value, buf) != 1 && inet_pton(AF_INET6, value, buf) != 1)) {
			snprintf(err, errlen, "address = '%s': not a numeric IPv4 or IPv6 address",
				 value);
			return -EINVAL;
		}
		snprintf(c->address, sizeof(c->address), "%s", value);
	} else if (!strcmp(key, "port")) {
		if (parse_uint(value, 0, 65535, &n) < 0) {
			snprintf(err, errlen, "port = '%s': expected 0..65535", value);
			return -EINVAL;
		}
		c->http.port = (uint16_t)n;
	} else if (!strcmp(key, "root")) {
		if (value[0] != '/' || strlen(value) >= sizeof(c->root)) {
			snprintf(err, errlen, "root = '%s': expected an absolute path", value);
			return -EINVAL;
		}
		snprintf(c->root, sizeof(c->root), "%s", value);
	} else if (!strcmp(key, "max_connections")) {
		if (parse_uint(value, 1, 1024, &n) < 0) {
			snprintf(err, errlen, "max_connections = '%s': expected 1..1024", value);
			return -EINVAL;
		}
		c->http.max_connections = (unsigned)n;
	} else if (!strcmp(key, "timeout")) {
		if (parse_uint(value, 1, 3600, &n) < 0) {
			snprintf(err, errlen, "timeout = '%s': expected 1..3600 seconds", value);
			return -EINVAL;
		}
		c->http.timeout_s = (unsigned)n;
	} else if (!strcmp(key, "bus")) {
		if (strcmp(value, "system") && strcmp(value, "session")) {
			snprintf(err, errlen, "bus = '%s': expected system or session", value);
			return -EINVAL;
		}
		c->user_bus = !strcmp(value, "session");
	} else {
		snprintf(err, errlen, "unknown key '%s'", key);
		return -EINVAL;
	}
	return 0;
}

struct parse {
	struct web_conf *c;
	char err[320]; /* the first error's message; inih gives its line */
};

static int on_key(void *user, const char *section, const char *key, const char *value)
{
	struct parse *p = user;
	char err[320];

	if (strcmp(section, "web"))
		snprintf(err, sizeof(err), "[%s]: only a [web] section is read here", section);
	else if (web_conf_set(p->c, key, value, err, sizeof(err)) == 0)
		return 1;
	if (!p->err[0])
		snprintf(p->err, sizeof(p->err), "%s", err);
	return 0;
}

int web_conf_load(struct web_conf *c, const char *path, bool required)
{
	struct web_conf tmp = *c;
	struct parse p = {.c = &tmp};
	FILE *f = fopen(path, "re");
	int line;

	if (!f) {
		if (errno != ENOENT || required)
			return log_error_errno(-errno, "%s: %s", path, strerror(errno));
		return -ENOENT;
	}
	line = ini_parse_file(f, on_key, &p);
	fclose(f);
	if (line != 0) {
		log_error("%s:%d: %s", path, line, p.err[0] ? p.err : "not an INI line");
		return -EINVAL;
	}
	/* the whole file is good: only now does it take effect */
	*c = tmp;
	c->http.address = c->address;
	c->http.root = c->root;
	return 0;
}
