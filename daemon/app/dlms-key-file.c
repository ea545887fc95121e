// SPDX-License-Identifier: GPL-2.0-only
/* A meter's DLMS HLS-GMAC key file (dlms-key-file.h). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <nettle/memops.h>

#include "app/dlms-key-file.h"
#include "app/secret-file.h"

/* @s (@n characters) as exactly @len octets of hexadecimal into @out. */
static bool parse_hex(const char *s, size_t n, uint8_t *out, size_t len)
{
	if (n != 2 * len)
		return false;
	for (size_t i = 0; i < len; i++) {
		int hi = pm_secret_hex_digit(s[2 * i]), lo = pm_secret_hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static size_t trim(const char **s, size_t n)
{
	while (n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		n--;
	}
	while (n && ((*s)[n - 1] == ' ' || (*s)[n - 1] == '\t' || (*s)[n - 1] == '\r'))
		n--;
	return n;
}

enum { HAS_TITLE = 1, HAS_EK = 2, HAS_AK = 4, HAS_ALL = 7 };

/* One "name = hex" line into @k: the bit it set, 0 for a line that sets nothing, -1 when it
 * is not one. */
static int parse_line(const char *line, size_t n, struct pm_dlms_key_file *k)
{
	const char *eq = memchr(line, '=', n), *name = line, *value;
	size_t nname, nvalue;

	n = trim(&line, n);
	if (n == 0 || line[0] == '#')
		return 0;
	if (!eq)
		return -1;
	nname = trim(&name, (size_t)(eq - name));
	value = eq + 1;
	nvalue = trim(&value, n - (size_t)(value - line));
#define IS(s) (nname == strlen(s) && memcmp(name, s, nname) == 0)
	if (IS("system_title"))
		return parse_hex(value, nvalue, k->title, sizeof(k->title)) ? HAS_TITLE : -1;
	if (IS("client_system_title"))
		return parse_hex(value, nvalue, k->client_title, sizeof(k->client_title)) ? 0 : -1;
	if (IS("encryption_key"))
		return parse_hex(value, nvalue, k->keys.ek, sizeof(k->keys.ek)) ? HAS_EK : -1;
	if (IS("authentication_key"))
		return parse_hex(value, nvalue, k->keys.ak, sizeof(k->keys.ak)) ? HAS_AK : -1;
	if (IS("master_key")) {
		k->has_master_key = parse_hex(value, nvalue, k->master_key, sizeof(k->master_key));
		return k->has_master_key ? 0 : -1;
	}
#undef IS
	return -1;
}

int pm_dlms_key_file_read(const char *path, struct pm_dlms_key_file *k, const char **why)
{
	char raw[1024];
	const char *p, *end, *nl;
	unsigned seen = 0;
	size_t len;
	int r, bit;

	memset(k, 0, sizeof(*k));
	r = pm_secret_key_file_read(path, raw, sizeof(raw), &len,
				    "may be read by every user: the DLMS keys are secrets "
				    "(chmod 0640; chown root:polymeter)",
				    why);
	if (r)
		return r;
	r = len == sizeof(raw) ? -EINVAL : 0; /* longer than any such file */
	for (p = raw, end = raw + len; !r && p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		bit = parse_line(p, (size_t)(nl - p), k);
		if (bit < 0)
			r = -EINVAL;
		else
			seen |= (unsigned)bit;
	}
	explicit_bzero(raw, sizeof(raw));
	if (!r && seen != HAS_ALL)
		r = -EINVAL;
	/* the client under the meter's own title: both sides' IVs would be (title, counter) */
	if (!r && !memcmp(k->title, k->client_title, sizeof(k->title))) {
		explicit_bzero(k, sizeof(*k));
		*why = "has client_system_title equal to system_title: the client needs a title "
		       "of its own";
		return -EINVAL;
	}
	/* a master key that is also a working key would let the keys it wraps be read by whoever
	 * holds that working key: they must be apart (compared in constant time: secrets) */
	if (!r && k->has_master_key &&
	    (memeql_sec(k->master_key, k->keys.ek, sizeof(k->master_key)) ||
	     memeql_sec(k->master_key, k->keys.ak, sizeof(k->master_key)))) {
		explicit_bzero(k, sizeof(*k));
		*why = "has master_key equal to encryption_key or authentication_key: the master "
		       "key must be a key of its own";
		return -EINVAL;
	}
	if (r) {
		explicit_bzero(k, sizeof(*k));
		*why = "must hold system_title (16 hexadecimal digits), encryption_key and "
		       "authentication_key (32 each), and optionally client_system_title and "
		       "master_key, one \"name = hex\" a line";
	}
	return r;
}
