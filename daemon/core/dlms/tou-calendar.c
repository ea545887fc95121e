// SPDX-License-Identifier: GPL-2.0-only
/* The tariff's time of use as COSEM calendar tables, and back (tou-calendar.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/dlms/tou-calendar.h"

/* IEC 62056-6-1's Tariffication script table (Gurux's OBIS table: 0.0.10.0.100.255). */
const uint8_t pm_tou_script_ln[6] = {0, 0, 10, 0, 100, 255};

static void set_name(struct pm_tou_name *n, char prefix, unsigned k)
{
	n->len = (uint8_t)snprintf((char *)n->b, sizeof(n->b), "%c%u", prefix, k);
}

/* The seasons' indexes in order of their start date (a tariff lists them in any order). */
static void seasons_by_start(const struct tariff *t, unsigned order[TARIFF_MAX_SEASONS])
{
	for (unsigned i = 0; i < t->n_seasons; i++)
		order[i] = i;
	for (unsigned i = 1; i < t->n_seasons; i++)
		for (unsigned j = i; j > 0; j--) {
			const struct tariff_season *a = &t->seasons[order[j - 1]],
						   *b = &t->seasons[order[j]];
			unsigned tmp;

			if (a->start_month * 32 + a->start_day <=
			    b->start_month * 32 + b->start_day)
				break;
			tmp = order[j - 1];
			order[j - 1] = order[j];
			order[j] = tmp;
		}
}

/* The day_id of "all day on rate @rate" (0-based), 0 when no special day pins it. */
static uint8_t pinned_day_id(const struct tariff *t, unsigned rate)
{
	bool pinned[TARIFF_MAX_RATES] = {false};
	uint8_t id = (uint8_t)t->n_day_profiles;

	for (unsigned i = 0; i < t->n_special_days; i++)
		if (t->special_days[i].flags & TARIFF_SPECIAL_PIN_RATE &&
		    t->special_days[i].rate < TARIFF_MAX_RATES)
			pinned[t->special_days[i].rate] = true;
	for (unsigned r = 0; r < TARIFF_MAX_RATES; r++) {
		if (!pinned[r])
			continue;
		id++;
		if (r == rate)
			return id;
	}
	return 0;
}

void pm_tou_from_tariff(const struct tariff *t, const char *name, struct pm_tou_calendar *cal)
{
	unsigned order[TARIFF_MAX_SEASONS];
	size_t len = name ? strlen(name) : 0;

	memset(cal, 0, sizeof(*cal));
	if (len > PM_TOU_CALENDAR_NAME_MAX)
		len = PM_TOU_CALENDAR_NAME_MAX;
	memcpy(cal->name, name ? name : "", len);
	cal->name_len = (uint8_t)len;
	seasons_by_start(t, order);
	for (unsigned k = 0; k < t->n_seasons && k < PM_TOU_MAX_SEASONS; k++) {
		const struct tariff_season *s = &t->seasons[order[k]];

		set_name(&cal->seasons[k].name, 'S', k + 1);
		set_name(&cal->seasons[k].week, 'W', k + 1);
		cal->seasons[k].month = (uint8_t)s->start_month;
		cal->seasons[k].day = (uint8_t)s->start_day;
		set_name(&cal->weeks[k].name, 'W', k + 1);
		for (unsigned w = 0; w < 7; w++)
			cal->weeks[k].day_id[w] = (uint8_t)(s->day_profile[w] + 1);
	}
	cal->n_seasons = cal->n_weeks = (uint8_t)t->n_seasons;
	for (unsigned p = 0; p < t->n_day_profiles && p < TARIFF_MAX_DAY_PROFILES; p++) {
		struct pm_tou_day *d = &cal->days[cal->n_days++];

		d->day_id = (uint8_t)(p + 1);
		d->n_actions = (uint8_t)t->day_profiles[p].n_switches;
		for (unsigned s = 0; s < d->n_actions && s < PM_TOU_MAX_ACTIONS; s++) {
			d->actions[s].start_s = t->day_profiles[p].switches[s].start_s;
			d->actions[s].selector =
			    (uint16_t)(t->day_profiles[p].switches[s].rate + 1);
		}
	}
	for (unsigned r = 0; r < TARIFF_MAX_RATES; r++) {
		uint8_t id = pinned_day_id(t, r);
		struct pm_tou_day *d;

		if (!id)
			continue;
		d = &cal->days[cal->n_days++];
		d->day_id = id;
		d->n_actions = 1;
		d->actions[0] = (struct pm_tou_action){0, (uint16_t)(r + 1)};
	}
}

size_t pm_tou_special_days(const struct tariff *t, struct pm_tou_special_day *out)
{
	size_t n = 0;

	for (unsigned i = 0; i < t->n_special_days && n < PM_TOU_MAX_SPECIAL_DAYS; i++) {
		const struct tariff_special_day *sd = &t->special_days[i];

		if (!(sd->flags & TARIFF_SPECIAL_PIN_RATE))
			continue;
		out[n] = (struct pm_tou_special_day){
		    .index = (uint16_t)(n + 1),
		    .year = sd->date.year ? (uint16_t)sd->date.year : 0xFFFF,
		    .month = (uint8_t)sd->date.month,
		    .day = (uint8_t)sd->date.day,
		    .day_id = pinned_day_id(t, sd->rate),
		};
		n++;
	}
	return n;
}

static bool name_eq(const struct pm_tou_name *a, const struct pm_tou_name *b)
{
	return a->len == b->len && !memcmp(a->b, b->b, a->len);
}

/* "S1" as text for a message (names are octet-strings: bytes outside ASCII as '?'). */
static const char *name_text(const struct pm_tou_name *n, char *buf, size_t size)
{
	size_t k = 0;

	for (; k < n->len && k + 1 < size; k++)
		buf[k] = n->b[k] >= 0x20 && n->b[k] < 0x7f ? (char)n->b[k] : '?';
	buf[k] = '\0';
	return buf;
}

static int fail(struct tariff_error *err, const char *msg)
{
	if (err)
		snprintf(err->message, sizeof(err->message), "%s", msg);
	return -EINVAL;
}

static const struct pm_tou_day *find_day(const struct pm_tou_calendar *cal, uint8_t day_id)
{
	for (unsigned d = 0; d < cal->n_days; d++)
		if (cal->days[d].day_id == day_id)
			return &cal->days[d];
	return NULL;
}

/* The switch of @p in force at @start_s: its export rate and relay are kept (see the top). */
static const struct tariff_switch *switch_at(const struct tariff_day_profile *p, int32_t start_s)
{
	const struct tariff_switch *in_force = NULL;

	for (unsigned s = 0; s < p->n_switches; s++)
		if (p->switches[s].start_s <= start_s)
			in_force = &p->switches[s];
	return in_force;
}

/* Day profile @d of @cal as tariff day profile @p of @out. */
static int convert_day(const struct pm_tou_day *d, const struct tariff *active,
		       struct tariff_day_profile *p, struct tariff_error *err)
{
	const struct tariff_day_profile *old = d->day_id >= 1 && d->day_id <= active->n_day_profiles
						   ? &active->day_profiles[d->day_id - 1]
						   : NULL;
	char msg[160];

	if (d->n_actions == 0 || d->n_actions > TARIFF_MAX_SWITCHES) {
		snprintf(msg, sizeof(msg), "day profile %u: %u actions, not 1..%d", d->day_id,
			 d->n_actions, TARIFF_MAX_SWITCHES);
		return fail(err, msg);
	}
	p->n_switches = d->n_actions;
	for (unsigned s = 0; s < d->n_actions; s++) {
		const struct pm_tou_action *a = &d->actions[s];
		const struct tariff_switch *kept = old ? switch_at(old, a->start_s) : NULL;

		if (a->selector < 1 || a->selector > TARIFF_MAX_RATES) {
			snprintf(msg, sizeof(msg),
				 "day profile %u action %u: script_selector %u is no rate (1..%d)",
				 d->day_id, s + 1, a->selector, TARIFF_MAX_RATES);
			return fail(err, msg);
		}
		p->switches[s] = (struct tariff_switch){
		    .start_s = a->start_s,
		    .rate = (uint8_t)(a->selector - 1),
		    .export_rate =
			kept && kept->export_rate < active->n_export_rates ? kept->export_rate : 0,
		    .aux_relay = kept ? kept->aux_relay : false,
		};
	}
	return 0;
}

int pm_tou_to_tariff(const struct pm_tou_calendar *cal, const struct tariff *active,
		     struct tariff *out, struct tariff_error *err)
{
	/* tariff day profile index of each calendar day (by position), -1 when unused */
	int index_of[PM_TOU_MAX_DAYS];
	bool used[PM_TOU_MAX_DAYS] = {false};
	char msg[160], a[PM_TOU_NAME_MAX + 1], b[PM_TOU_NAME_MAX + 1];
	unsigned n = 0;
	int r;

	*out = *active;
	if (cal->n_seasons == 0 || cal->n_seasons > TARIFF_MAX_SEASONS)
		return fail(err, "the season profile needs 1..4 seasons");
	/* which day profiles the seasons' weeks use */
	for (unsigned s = 0; s < cal->n_seasons; s++) {
		const struct pm_tou_week *week = NULL;

		for (unsigned w = 0; w < cal->n_weeks; w++)
			if (name_eq(&cal->weeks[w].name, &cal->seasons[s].week))
				week = &cal->weeks[w];
		if (!week) {
			snprintf(msg, sizeof(msg),
				 "season %s uses week %s, which the week profile table does not "
				 "have",
				 name_text(&cal->seasons[s].name, a, sizeof(a)),
				 name_text(&cal->seasons[s].week, b, sizeof(b)));
			return fail(err, msg);
		}
		for (unsigned w = 0; w < 7; w++) {
			const struct pm_tou_day *d = find_day(cal, week->day_id[w]);

			if (!d) {
				snprintf(msg, sizeof(msg),
					 "week %s uses day_id %u, which the day profile table "
					 "does not have",
					 name_text(&week->name, a, sizeof(a)), week->day_id[w]);
				return fail(err, msg);
			}
			used[d - cal->days] = true;
		}
	}
	for (unsigned d = 0; d < cal->n_days; d++) {
		index_of[d] = -1;
		if (!used[d])
			continue;
		if (n == TARIFF_MAX_DAY_PROFILES)
			return fail(err, "the weeks use more than 16 day profiles");
		r = convert_day(&cal->days[d], active, &out->day_profiles[n], err);
		if (r)
			return r;
		index_of[d] = (int)n++;
	}
	out->n_day_profiles = n;
	out->n_seasons = cal->n_seasons;
	for (unsigned s = 0; s < cal->n_seasons; s++) {
		const struct pm_tou_week *week = NULL;

		for (unsigned w = 0; w < cal->n_weeks; w++)
			if (name_eq(&cal->weeks[w].name, &cal->seasons[s].week))
				week = &cal->weeks[w];
		out->seasons[s].start_month = cal->seasons[s].month;
		out->seasons[s].start_day = cal->seasons[s].day;
		for (unsigned w = 0; w < 7; w++)
			out->seasons[s].day_profile[w] =
			    (uint8_t)index_of[find_day(cal, week->day_id[w]) - cal->days];
	}
	return tariff_validate(out, err);
}
