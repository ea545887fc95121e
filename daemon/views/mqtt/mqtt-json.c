// SPDX-License-Identifier: GPL-2.0-only
/* The MQTT payloads' JSON writer (mqtt-json.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/billing/civil-time.h"
#include "views/mqtt/mqtt-json.h"

void pm_json_init(struct pm_json *j)
{
	memset(j, 0, sizeof(*j));
}

void pm_json_free(struct pm_json *j)
{
	free(j->buf);
	pm_json_init(j);
}

static void put(struct pm_json *j, const char *s, size_t n)
{
	if (j->oom)
		return;
	if (j->len + n + 1 > j->cap) {
		size_t cap = j->cap ? j->cap : 256;
		char *b;

		while (cap < j->len + n + 1)
			cap *= 2;
		b = realloc(j->buf, cap);
		if (!b) {
			j->oom = true;
			return;
		}
		j->buf = b;
		j->cap = cap;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void puts_(struct pm_json *j, const char *s)
{
	put(j, s, strlen(s));
}

static void quoted(struct pm_json *j, const char *s)
{
	put(j, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(j, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			puts_(j, esc);
		} else {
			put(j, s, 1);
		}
	}
	put(j, "\"", 1);
}

/* The comma before a member and its key. */
static void member(struct pm_json *j, const char *key)
{
	if (j->comma)
		put(j, ",", 1);
	j->comma = true;
	if (key) {
		quoted(j, key);
		put(j, ":", 1);
	}
}

const char *pm_json_finish(struct pm_json *j, size_t *len)
{
	if (j->oom || !j->buf)
		return NULL;
	if (len)
		*len = j->len;
	return j->buf;
}

void pm_json_open(struct pm_json *j, const char *key, char bracket)
{
	member(j, key);
	put(j, &bracket, 1);
	j->comma = false;
}

void pm_json_close(struct pm_json *j, char bracket)
{
	put(j, &bracket, 1);
	j->comma = true;
}

void pm_json_str(struct pm_json *j, const char *key, const char *s)
{
	member(j, key);
	quoted(j, s);
}

void pm_json_int(struct pm_json *j, const char *key, int64_t v)
{
	char b[24];

	member(j, key);
	snprintf(b, sizeof(b), "%" PRId64, v);
	puts_(j, b);
}

void pm_json_uint(struct pm_json *j, const char *key, uint64_t v)
{
	char b[24];

	member(j, key);
	snprintf(b, sizeof(b), "%" PRIu64, v);
	puts_(j, b);
}

void pm_json_bool(struct pm_json *j, const char *key, bool v)
{
	member(j, key);
	puts_(j, v ? "true" : "false");
}

void pm_json_null(struct pm_json *j, const char *key)
{
	member(j, key);
	puts_(j, "null");
}

const char *pm_json_decimal_text(int64_t v, int scaler, char *buf, size_t size)
{
	/* the magnitude as unsigned, so INT64_MIN has one too */
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	char digits[24];
	int n, point;
	size_t o = 0;

	n = snprintf(digits, sizeof(digits), "%" PRIu64, mag);
	if (mag == 0 || scaler >= 0) {
		if (size < 48 || scaler > 20)
			return snprintf(buf, size, "0"), buf;
		o = (size_t)snprintf(buf, size, "%s%s", v < 0 ? "-" : "", digits);
		for (int i = 0; mag && i < scaler; i++)
			buf[o++] = '0';
		buf[o] = '\0';
		return buf;
	}
	if (scaler < -20 || size < 48)
		return snprintf(buf, size, "0"), buf;
	/* digits before the point: n + scaler (may be <= 0: leading zeros) */
	point = n + scaler;
	if (v < 0)
		buf[o++] = '-';
	if (point <= 0) {
		buf[o++] = '0';
		buf[o++] = '.';
		for (int i = 0; i < -point; i++)
			buf[o++] = '0';
		memcpy(buf + o, digits, (size_t)n);
		o += (size_t)n;
	} else {
		memcpy(buf + o, digits, (size_t)point);
		o += (size_t)point;
		buf[o++] = '.';
		memcpy(buf + o, digits + point, (size_t)(n - point));
		o += (size_t)(n - point);
	}
	/* trailing zeros of the fraction, and then a bare point, say nothing */
	while (buf[o - 1] == '0')
		o--;
	if (buf[o - 1] == '.')
		o--;
	buf[o] = '\0';
	return buf;
}

void pm_json_decimal(struct pm_json *j, const char *key, int64_t v, int scaler)
{
	char b[64];

	member(j, key);
	puts_(j, pm_json_decimal_text(v, scaler, b, sizeof(b)));
}

void pm_json_utc(struct pm_json *j, const char *key, int64_t utc_ns)
{
	char b[PM_CIVIL_UTC_LEN + 16];
	int64_t frac = utc_ns % 1000000000;

	pm_civil_format_utc(utc_ns, b, PM_CIVIL_UTC_LEN);
	if (frac < 0)
		frac += 1000000000;
	if (frac) {
		size_t n = strlen(b);

		if (n && b[n - 1] == 'Z')
			snprintf(b + n - 1, sizeof(b) - (n - 1), ".%09" PRId64 "Z", frac);
	}
	pm_json_str(j, key, b);
}
