// SPDX-License-Identifier: GPL-2.0-only
/*
 * The configuration's value parsers (conf-internal.h): integers and their ranges, one value per
 * phase, strings, yes/no, UTC times, the RTU line, the Modbus TCP address, the GPIO lines. Each
 * returns 0, or -EINVAL and leaves its output alone; the caller writes the message.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/conf-internal.h"
#include "core/billing/civil-time.h"

int conf_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int conf_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	int64_t v;

	if (conf_parse_i64(s, min, max, &v) < 0)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* One value for every phase, or one per phase: "230000" or "230000 231000 229500". */
int conf_parse_phases(const char *s, int64_t min, int64_t max, int64_t out[PM_CONF_PHASES])
{
	int64_t v[PM_CONF_PHASES];
	char tok[32];
	int n = 0;

	while (*s) {
		size_t len;

		s += strspn(s, " \t");
		if (!*s)
			break;
		len = strcspn(s, " \t");
		if (n == PM_CONF_PHASES || len >= sizeof(tok))
			return -EINVAL;
		memcpy(tok, s, len);
		tok[len] = '\0';
		if (conf_parse_i64(tok, min, max, &v[n]) < 0)
			return -EINVAL;
		n++;
		s += len;
	}
	if (n == 1)
		v[1] = v[2] = v[0];
	else if (n != PM_CONF_PHASES)
		return -EINVAL;
	memcpy(out, v, sizeof(v));
	return 0;
}

int conf_set_string(char *dst, size_t size, const char *value)
{
	size_t n = strlen(value);

	if (n == 0 || n >= size)
		return -EINVAL;
	memcpy(dst, value, n + 1);
	return 0;
}

/* "yes" or "no" */
int conf_parse_yes_no(const char *value, bool *out)
{
	if (strcmp(value, "yes") == 0)
		*out = true;
	else if (strcmp(value, "no") == 0)
		*out = false;
	else
		return -EINVAL;
	return 0;
}

/* "2026-01-01T00:00:00Z" (UTC, whole seconds) -> ns since the epoch; a date that does not
 * exist (2026-02-30), one not after 1970-01-01T00:00:00Z or one after 2200 is refused. */
int conf_parse_utc(const char *s, int64_t *out)
{
	int64_t ns, year_2201_ns = pm_civil_days_from_date(2201, 1, 1) * PM_S_PER_DAY * PM_NS_PER_S;

	if (pm_civil_parse_utc(s, &ns) < 0 || ns <= 0 || ns >= year_2201_ns)
		return -EINVAL;
	*out = ns;
	return 0;
}

/* "19200 E 1": baud, parity, stop bits (the serial servers check the baud is a standard one) */
int conf_parse_line(const char *value, unsigned min_baud, unsigned max_baud, uint32_t *baud,
		    char *parity, uint32_t *stop)
{
	unsigned b, st;
	char pa, end;

	if (sscanf(value, "%u %c %u %c", &b, &pa, &st, &end) != 3)
		return -EINVAL;
	if (b < min_baud || b > max_baud || (pa != 'N' && pa != 'E' && pa != 'O') ||
	    (st != 1 && st != 2))
		return -EINVAL;
	*baud = b;
	*parity = pa;
	*stop = st;
	return 0;
}

/*
 * The Modbus TCP bind address: a numeric IPv4 or IPv6 address, as strictly as the server reads
 * it (inet_pton: no host name, no "127.1" shorthand, no scope id).
 */
int conf_set_address(char *dst, size_t size, const char *value)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET6, value, &a6) != 1 && inet_pton(AF_INET, value, &a4) != 1)
		return -EINVAL;
	return conf_set_string(dst, size, value);
}

/* A supply-control line: its spec (syntax only; the line is looked up when the daemon starts) */
int conf_set_gpio(struct pm_relay_line *l, const char *value)
{
	if (pm_relay_spec_check(value) < 0)
		return -EINVAL;
	return conf_set_string(l->spec, sizeof(l->spec), value);
}

/* Its active level: "high" (closed or pressed = high) or "low" */
int conf_set_active(struct pm_relay_line *l, const char *value)
{
	if (strcmp(value, "high") == 0)
		l->active_low = false;
	else if (strcmp(value, "low") == 0)
		l->active_low = true;
	else
		return -EINVAL;
	return 0;
}
