// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "views/web/web-api.h"

#define NS_PER_S 1000000000LL

static int answer(struct web_answer *out, unsigned status, json_t *doc)
{
	if (!doc)
		return -ENOMEM;
	out->status = status;
	out->body = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!out->body)
		return -ENOMEM;
	out->len = strlen(out->body);
	return 0;
}

static int error_answer(struct web_answer *out, unsigned status, const char *fmt, const char *arg)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, arg);
	return answer(out, status, json_pack("{ss}", "error", msg));
}

/*
 * The starts of the local day and month holding @now_ns (the gateway's time zone, TZ or
 * /etc/localtime: the zone the site lives in), in UTC ns.
 */
static void local_starts(int64_t now_ns, int64_t *day_ns, int64_t *month_ns)
{
	time_t now = (time_t)(now_ns / NS_PER_S);
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1; /* midnight's own offset, which may differ from now's */
	*day_ns = (int64_t)mktime(&tm) * NS_PER_S;
	tm.tm_mday = 1;
	tm.tm_isdst = -1;
	*month_ns = (int64_t)mktime(&tm) * NS_PER_S;
}

/*
 * The energy since @since_ns: the register now (whole Wh, as published) less the register at
 * the start of the first profile interval ending after @since_ns (its last sample's register
 * less its growth), in whole Wh as the register showed then. Null when the profile has no
 * interval since then. "since" says where the count started, later than @since_ns when the
 * profile starts later (a meter installed today).
 */
static json_t *energy_since(const struct web_meter *m, int64_t since_ns)
{
	json_int_t now_wh[2] = {
	    json_integer_value(json_object_get(m->props, "EnergyImport")),
	    json_integer_value(json_object_get(m->props, "EnergyExport")),
	};
	size_t i = 0;

	while (i < m->n_rows && m->rows[i].end_ns <= since_ns)
		i++;
	if (i == m->n_rows)
		return json_null();
	const struct web_interval *iv = &m->rows[i];
	int64_t start_ns = iv->end_ns - iv->period_ns;
	json_int_t at_wh[2];

	for (int k = 0; k < 2; k++)
		at_wh[k] = (json_int_t)((iv->reg_mwh[k] - iv->grow_mwh[k]) / 1000);
	return json_pack("{sIsIsI}", "since_ns",
			 (json_int_t)(start_ns > since_ns ? start_ns : since_ns), "import_wh",
			 now_wh[0] - at_wh[0], "export_wh", now_wh[1] - at_wh[1]);
}

static json_t *meter_list(const struct web_bus *b)
{
	json_t *names = json_array();

	for (size_t i = 0; names && i < b->n_meters; i++)
		json_array_append_new(names, json_string(b->meters[i].name));
	return names;
}

static int meters_answer(const struct web_bus *b, struct web_answer *out)
{
	return answer(out, 200,
		      json_pack("{sbsssoss}", "daemon", b->up, "error", b->error, "meters",
				meter_list(b), "version", "1"));
}

static int snapshot_answer(const struct web_bus *b, const struct web_meter *m,
			   struct web_answer *out)
{
	int64_t now = web_bus_meter_now(m), day, month;

	local_starts(now, &day, &month);
	return answer(out, 200,
		      json_pack("{sbsssssIsOsOsOs{soso}so}", "daemon", b->up, "error", b->error,
				"meter", m->name, "now_ns", (json_int_t)now, "values", m->props,
				"account", m->account, "events", m->events, "energy", "today",
				energy_since(m, day), "month", energy_since(m, month), "meters",
				meter_list(b)));
}

/* The intervals ending in the last @span_ns, as columns (the plot's layout): end in ms since
 * 1970 (JavaScript's Date), mean import and export power in W = growth mWh x 3600 s/h /
 * period s / 1000 mW/W, and the status bits. */
static int profile_answer(const struct web_meter *m, const char *range, int64_t span_ns,
			  struct web_answer *out)
{
	int64_t now = web_bus_meter_now(m), from = now - span_ns;
	json_t *end = json_array(), *imp = json_array(), *exp = json_array(), *st = json_array();
	json_t *doc;

	for (size_t i = 0; i < m->n_rows && end && imp && exp && st; i++) {
		const struct web_interval *iv = &m->rows[i];
		double period_s = (double)iv->period_ns / NS_PER_S;

		if (iv->end_ns < from)
			continue;
		json_array_append_new(end, json_integer(iv->end_ns / 1000000));
		json_array_append_new(imp, json_real((double)iv->grow_mwh[0] * 3.6 / period_s));
		json_array_append_new(exp, json_real((double)iv->grow_mwh[1] * 3.6 / period_s));
		json_array_append_new(st, json_integer(iv->status));
	}
	doc = json_pack("{sssssIsIsosososo}", "meter", m->name, "range", range, "from_ns",
			(json_int_t)from, "to_ns", (json_int_t)now, "end_ms", end, "import_w", imp,
			"export_w", exp, "status", st);
	return answer(out, 200, doc);
}

/* The one value of @key among the parameters; -EINVAL names a repeated or unknown key. */
static const char *param(const char *const *keys, const char *const *values, size_t n,
			 const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(keys[i], key))
			return values[i] ? values[i] : "";
	return NULL;
}

/* The first parameter not in @allowed (a NULL-terminated list) or given twice, or NULL. */
static const char *bad_param(const char *const *keys, size_t n, const char *const *allowed)
{
	for (size_t i = 0; i < n; i++) {
		size_t a = 0;

		while (allowed[a] && strcmp(allowed[a], keys[i]))
			a++;
		if (!allowed[a])
			return keys[i];
		for (size_t j = 0; j < i; j++)
			if (!strcmp(keys[j], keys[i]))
				return keys[i];
	}
	return NULL;
}

int web_api_answer(const struct web_bus *b, const char *path, const char *const *keys,
		   const char *const *values, size_t n, struct web_answer *out)
{
	static const char *const none[] = {NULL};
	static const char *const snap[] = {"meter", NULL};
	static const char *const prof[] = {"meter", "range", NULL};
	static const struct {
		const char *name;
		int64_t span_ns;
	} ranges[] = {
	    {"day", 86400 * NS_PER_S},
	    {"week", 7 * 86400 * NS_PER_S},
	    {"month", 31 * 86400 * NS_PER_S},
	};
	const char *bad, *name, *range;
	const struct web_meter *m;

	if (!strcmp(path, "/api/meters")) {
		if ((bad = bad_param(keys, n, none)))
			return error_answer(out, 400, "unknown or repeated parameter '%.64s'", bad);
		return meters_answer(b, out);
	}
	if (strcmp(path, "/api/snapshot") && strcmp(path, "/api/profile"))
		return error_answer(out, 404, "no such API path '%.64s'", path);
	bad = bad_param(keys, n, strcmp(path, "/api/snapshot") ? prof : snap);
	if (bad)
		return error_answer(out, 400, "unknown or repeated parameter '%.64s'", bad);
	name = param(keys, values, n, "meter");
	m = web_bus_meter(b, name);
	if (!m && name)
		return error_answer(out, 404, "no meter '%.64s'", name);
	if (!m)
		return answer(out, 503,
			      json_pack("{ssss}", "error",
					b->error[0] ? b->error : "polymeterd publishes no meter",
					"retry", "yes"));
	if (!strcmp(path, "/api/snapshot"))
		return snapshot_answer(b, m, out);
	range = param(keys, values, n, "range");
	if (!range)
		return error_answer(out, 400, "range is missing: day, week or month%s", "");
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (!strcmp(range, ranges[i].name))
			return profile_answer(m, range, ranges[i].span_ns, out);
	return error_answer(out, 400, "range '%.64s' is not day, week or month", range);
}
