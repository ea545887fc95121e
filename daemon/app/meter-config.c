// SPDX-License-Identifier: GPL-2.0-only
/* A meter's effective configuration as text, and what differs between two (meter-config.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "app/meter-config.h"

struct writer {
	char *buf;
	size_t len, pos;
	bool overflow;
};

__attribute__((format(printf, 2, 3))) static void put(struct writer *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(w->buf + w->pos, w->len - w->pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->len - w->pos) {
		w->overflow = true;
		w->pos = w->len - 1;
		return;
	}
	w->pos += (size_t)n;
}

static void put3(struct writer *w, const char *key, const int64_t v[PM_CONF_PHASES])
{
	put(w, "%s=%" PRId64 " %" PRId64 " %" PRId64 "\n", key, v[0], v[1], v[2]);
}

int pm_meter_config_describe(const struct pm_conf_meter *c, char *buf, size_t len)
{
	struct writer w = {.buf = buf, .len = len};

	if (!len)
		return -ENOBUFS;
	buf[0] = '\0';
	put(&w, "source=%s\n", pm_conf_source_name(c->source));
	if (c->source == PM_SOURCE_IIO) {
		put(&w, "uri=%s\n", c->uri);
		put(&w, "device=%s\n", c->device);
		put(&w, "sampling_frequency=%" PRIu32 "\n", c->sampling_frequency);
		/* only when set: a digest stored before these keys existed still matches */
		if (c->acquisition != PM_ACQ_AUTO)
			put(&w, "acquisition=%s\n",
			    c->acquisition == PM_ACQ_DIRECT ? "direct" : "buffer");
		if (c->acquisition != PM_ACQ_BUFFER && c->poll_interval_ms != 250)
			put(&w, "poll_interval_ms=%" PRIu32 "\n", c->poll_interval_ms);
		if (c->full_scale_mv || c->full_scale_ma)
			put(&w,
			    "full_scale_voltage_mv=%" PRId64 "\nfull_scale_current_ma=%" PRId64
			    "\n",
			    c->full_scale_mv, c->full_scale_ma);
	} else if (c->source == PM_SOURCE_SIM) {
		put3(&w, "sim_voltage_mv", c->sim.v_mv);
		put3(&w, "sim_current_ma", c->sim.i_ma);
		put3(&w, "sim_angle_mdeg", c->sim.angle_mdeg);
		put(&w, "sim_frequency_mhz=%" PRId64 "\n", c->sim.f_mhz);
		put(&w, "sim_rate_hz=%" PRIu32 "\n", c->sim.rate_hz);
		put(&w, "sim_speed=%" PRIu32 "\n", c->sim.speed);
		put(&w, "sim_nj_per_code=%" PRIu32 "\n", c->sim.nj_per_code);
		/* only when set: a digest stored before these keys existed still matches */
		if (c->sim.dip_every_s)
			put(&w,
			    "sim_dip_every_s=%" PRIu32 "\nsim_dip_s=%" PRIu32
			    "\nsim_dip_percent=%" PRIu32 "\n",
			    c->sim.dip_every_s, c->sim.dip_s, c->sim.dip_percent);
	}
	put(&w, "wiring=%s\n", c->wiring == PM_WIRING_DELTA ? "delta" : "wye");
	put(&w, "checkpoint_wh=%" PRIu32 "\n", c->checkpoint_wh);
	put(&w, "checkpoint_interval=%" PRIu32 "\n", c->checkpoint_interval_s);
	put(&w, "profile_period=%" PRIu32 "\n", c->profile_period_min);
	put(&w, "demand_period=%" PRIu32 "\n", c->demand_period_min);
	put(&w, "demand_subintervals=%" PRIu32 "\n", c->demand_subintervals);
	return w.overflow ? -ENOBUFS : 0;
}

/* The value of @key (up to the end of its line) in @text, or NULL; its length in *n. */
static const char *find_value(const char *text, const char *key, size_t keylen, size_t *n)
{
	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t linelen = eol ? (size_t)(eol - line) : strlen(line);

		if (linelen > keylen && !strncmp(line, key, keylen) && line[keylen] == '=') {
			*n = linelen - keylen - 1;
			return line + keylen + 1;
		}
		line = eol ? eol + 1 : NULL;
	}
	return NULL;
}

/* Adds to @w every key of @a whose value differs in @b; keys only in @b when @only_missing. */
static size_t diff_keys(struct writer *w, const char *a, const char *b, bool a_is_old,
			bool only_missing, size_t count)
{
	for (const char *line = a; line && *line;) {
		const char *eol = strchr(line, '\n');
		const char *eq = strchr(line, '=');
		size_t linelen = eol ? (size_t)(eol - line) : strlen(line);

		if (eq && eq < line + linelen) {
			size_t keylen = (size_t)(eq - line), alen = linelen - keylen - 1, blen = 0;
			const char *av = eq + 1, *bv = find_value(b, line, keylen, &blen);

			if (bv ? !only_missing && (alen != blen || strncmp(av, bv, alen)) : true) {
				const char *ov = a_is_old ? av : bv, *nv = a_is_old ? bv : av;
				int olen = (int)(a_is_old ? alen : blen);
				int nlen = (int)(a_is_old ? blen : alen);

				put(w, "%s%.*s %.*s -> %.*s", count ? ", " : "", (int)keylen, line,
				    ov ? olen : 6, ov ? ov : "(none)", nv ? nlen : 6,
				    nv ? nv : "(none)");
				count++;
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	return count;
}

size_t pm_meter_config_diff(const char *old, const char *new, char *out, size_t len)
{
	char dummy[1];
	struct writer w = {.buf = len ? out : dummy, .len = len ? len : sizeof(dummy)};
	size_t count;

	w.buf[0] = '\0';
	count = diff_keys(&w, old, new, true, false, 0);
	return diff_keys(&w, new, old, false, true, count);
}
