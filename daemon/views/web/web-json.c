// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "views/web/web-json.h"

static json_t *json_double(double d)
{
	/* JSON has no NaN: the bus's "not measured" becomes null, which the page shows as a dash */
	return isfinite(d) ? json_real(d) : json_null();
}

static int read_basic(sd_bus_message *m, char type, json_t **out)
{
	union {
		uint8_t y;
		int16_t n;
		uint16_t q;
		int32_t i;
		uint32_t u;
		int64_t x;
		uint64_t t;
		double d;
		int b;
		const char *s;
	} v;
	int r = sd_bus_message_read_basic(m, type, &v);

	if (r < 0)
		return r;
	switch (type) {
	case 'y':
		*out = json_integer(v.y);
		break;
	case 'n':
		*out = json_integer(v.n);
		break;
	case 'q':
		*out = json_integer(v.q);
		break;
	case 'i':
		*out = json_integer(v.i);
		break;
	case 'u':
		*out = json_integer(v.u);
		break;
	case 'x':
		*out = json_integer(v.x);
		break;
	/* a t beyond int64 (none today: Wh, ns) would not survive JavaScript anyway: a real */
	case 't':
		*out = v.t <= INT64_MAX ? json_integer((json_int_t)v.t) : json_real((double)v.t);
		break;
	case 'd':
		*out = json_double(v.d);
		break;
	case 'b':
		*out = json_boolean(v.b);
		break;
	case 's':
	case 'o':
	case 'g':
		*out = json_string(v.s);
		break;
	default:
		return -EINVAL; /* 'h': a file descriptor has no meaning on a page */
	}
	return *out ? 0 : -ENOMEM;
}

/* a{k v}: an object, the keys as text (the bus's dictionaries here are keyed by strings). */
static int read_dict(sd_bus_message *m, const char *contents, json_t **out)
{
	json_t *obj = json_object();
	char entry[256];
	size_t len = strlen(contents);
	int r;

	/* "{sv}" holds entries of "sv" */
	if (len < 4 || len - 2 >= sizeof(entry))
		return -EBADMSG;
	memcpy(entry, contents + 1, len - 2);
	entry[len - 2] = '\0';
	if (!obj)
		return -ENOMEM;
	r = sd_bus_message_enter_container(m, 'a', contents);
	while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', entry)) > 0) {
		const char *key;
		json_t *val = NULL;

		r = sd_bus_message_read_basic(m, 's', &key);
		if (r >= 0)
			r = web_json_read(m, &val);
		if (r >= 0)
			r = json_object_set_new(obj, key, val) ? -ENOMEM : 0;
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r < 0) {
		json_decref(obj);
		return r;
	}
	*out = obj;
	return 0;
}

/* An array or a struct: a JSON array of its members. */
static int read_list(sd_bus_message *m, char type, const char *contents, json_t **out)
{
	json_t *arr = json_array();
	int r;

	if (!arr)
		return -ENOMEM;
	r = sd_bus_message_enter_container(m, type, contents);
	while (r >= 0 && (r = sd_bus_message_at_end(m, false)) == 0) {
		json_t *val = NULL;

		r = web_json_read(m, &val);
		if (r >= 0)
			r = json_array_append_new(arr, val) ? -ENOMEM : 0;
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r < 0) {
		json_decref(arr);
		return r;
	}
	*out = arr;
	return 0;
}

int web_json_read(sd_bus_message *m, json_t **out)
{
	const char *contents;
	char type;
	int r;

	r = sd_bus_message_peek_type(m, &type, &contents);
	if (r <= 0)
		return r < 0 ? r : -EBADMSG;
	switch (type) {
	case 'v':
		r = sd_bus_message_enter_container(m, 'v', contents);
		if (r >= 0)
			r = web_json_read(m, out);
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
		return r < 0 ? r : 0;
	case 'a':
		if (contents[0] == '{' && contents[1] == 's')
			return read_dict(m, contents, out);
		return read_list(m, 'a', contents, out);
	case 'r':
		return read_list(m, 'r', contents, out);
	default:
		return read_basic(m, type, out);
	}
}

int web_json_read_props(sd_bus_message *m, json_t *props)
{
	json_t *got = NULL;
	int r = web_json_read(m, &got);

	if (r < 0)
		return r;
	if (!json_is_object(got)) {
		json_decref(got);
		return -EBADMSG;
	}
	r = json_object_update(props, got) ? -ENOMEM : 0;
	json_decref(got);
	return r;
}
