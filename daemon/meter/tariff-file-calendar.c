// SPDX-License-Identifier: GPL-2.0-only
/* The tariff file's calendar: day profiles of switch points, seasons of week days, special days. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/tariff-file-internal.h"

static const char *const weekday_names[7] = {"monday", "tuesday",  "wednesday", "thursday",
					     "friday", "saturday", "sunday"};

/* ---------------------------------------------------------------- the calendar */

static int parse_switch(struct tariff_file_ctx *c, const char *path, json_t *sw, unsigned index,
			struct tariff_day_profile *profile)
{
	static const char *const keys[] = {"at", "rate", "export_rate", "aux_relay", NULL};
	struct tariff_switch *s = &profile->switches[index];
	char p[PATH_LEN];
	json_t *v;

	if (tariff_file_need_object(c, path, sw) || tariff_file_check_keys(c, path, sw, keys) ||
	    tariff_file_member(c, path, sw, "at", true, &v, p) ||
	    tariff_file_get_time_of_day(c, p, v, &s->start_s))
		return -EINVAL;
	if (index == 0 && s->start_s != 0)
		return tariff_file_fail(
		    c, p,
		    "'%s': the first switch point must be at 00:00, so that every second "
		    "of the day has a rate",
		    json_string_value(v));
	if (index > 0 && s->start_s <= profile->switches[index - 1].start_s)
		return tariff_file_fail(c, p, "'%s' is not after the previous switch point",
					json_string_value(v));
	if (tariff_file_member(c, path, sw, "rate", true, &v, p) ||
	    tariff_file_get_rate(c, p, v, c->t.n_rates, "a rate", &s->rate))
		return -EINVAL;
	if (tariff_file_member(c, path, sw, "export_rate", false, &v, p) ||
	    (v &&
	     tariff_file_get_rate(c, p, v, c->t.n_export_rates, "an export rate", &s->export_rate)))
		return -EINVAL;
	if (tariff_file_member(c, path, sw, "aux_relay", false, &v, p) ||
	    (v && tariff_file_get_bool(c, p, v, &s->aux_relay)))
		return -EINVAL;
	return 0;
}

static bool valid_profile_name(const char *name)
{
	size_t len = strlen(name);

	if (len < 1 || len > PROFILE_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

int tariff_file_parse_day_profiles(struct tariff_file_ctx *c, json_t *root)
{
	char p[PATH_LEN], q[QUOTE_LEN];
	json_t *section, *switches;
	const char *name;
	unsigned n = 0;

	if (tariff_file_member(c, "", root, "day_profiles", true, &section, p) ||
	    tariff_file_need_object(c, p, section))
		return -EINVAL;
	if (json_object_size(section) < 1 || json_object_size(section) > TARIFF_MAX_DAY_PROFILES)
		return tariff_file_fail(c, p, "%zu day profiles: give 1..%d",
					json_object_size(section), TARIFF_MAX_DAY_PROFILES);
	json_object_foreach(section, name, switches)
	{
		struct tariff_day_profile *profile = &c->t.day_profiles[n];
		char pp[PATH_LEN];
		size_t count;

		tariff_file_path_key(pp, "day_profiles", name);
		if (!valid_profile_name(name))
			return tariff_file_fail(
			    c, pp,
			    "'%s' is not a day profile name (1..%d letters, digits, '_' or "
			    "'-')",
			    tariff_file_quote(q, name), PROFILE_NAME_MAX);
		if (tariff_file_need_array(c, pp, switches))
			return -EINVAL;
		count = json_array_size(switches);
		if (count < 1 || count > TARIFF_MAX_SWITCHES)
			return tariff_file_fail(c, pp,
						"%zu switch points: give 1..%d, the first at 00:00",
						count, TARIFF_MAX_SWITCHES);
		for (unsigned i = 0; i < count; i++) {
			char ps[PATH_LEN];

			tariff_file_path_index(ps, pp, i);
			if (parse_switch(c, ps, json_array_get(switches, i), i, profile))
				return -EINVAL;
		}
		profile->n_switches = (unsigned)count;
		memcpy(c->profile_names[n], name, strlen(name) + 1);
		n++;
	}
	c->t.n_day_profiles = n;
	return 0;
}

static int find_profile(struct tariff_file_ctx *c, const char *path, const json_t *v,
			uint8_t *index)
{
	char q[QUOTE_LEN], names[200] = "";
	size_t used = 0;

	if (tariff_file_need_string(c, path, v))
		return -EINVAL;
	for (unsigned i = 0; i < c->t.n_day_profiles; i++) {
		if (strcmp(c->profile_names[i], json_string_value(v)) == 0) {
			*index = (uint8_t)i;
			return 0;
		}
	}
	for (unsigned i = 0; i < c->t.n_day_profiles; i++) {
		int n = snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "",
				 c->profile_names[i]);
		if (n < 0 || (size_t)n >= sizeof(names) - used)
			break;
		used += (size_t)n;
	}
	return tariff_file_fail(c, path, "no day profile named '%s' (day profiles: %s)",
				tariff_file_quote(q, json_string_value(v)), names);
}

/*
 * "days": {"weekdays": "work", "weekend": "rest", "friday": "friday"}: a single day wins over
 * "weekdays"/"weekend", which win over "every_day".
 */
static int parse_season_days(struct tariff_file_ctx *c, const char *path, json_t *days,
			     struct tariff_season *season)
{
	static const char *const keys[] = {"every_day", "weekdays",  "weekend",	 "monday",
					   "tuesday",	"wednesday", "thursday", "friday",
					   "saturday",	"sunday",    NULL};
	int level[7] = {0};
	const char *key;
	json_t *v;

	if (tariff_file_need_object(c, path, days) || tariff_file_check_keys(c, path, days, keys))
		return -EINVAL;
	json_object_foreach(days, key, v)
	{
		char p[PATH_LEN];
		uint8_t profile = 0;
		int first = 0, last = 6, specificity = 1;

		tariff_file_path_key(p, path, key);
		if (find_profile(c, p, v, &profile))
			return -EINVAL;
		if (strcmp(key, "weekdays") == 0) {
			last = 4;
			specificity = 2;
		} else if (strcmp(key, "weekend") == 0) {
			first = 5;
			specificity = 2;
		} else if (strcmp(key, "every_day") != 0) {
			for (int w = 0; w < 7; w++)
				if (strcmp(key, weekday_names[w]) == 0)
					first = last = w;
			specificity = 3;
		}
		for (int w = first; w <= last; w++) {
			if (level[w] < specificity) {
				level[w] = specificity;
				season->day_profile[w] = profile;
			}
		}
	}
	for (int w = 0; w < 7; w++)
		if (level[w] == 0)
			return tariff_file_fail(
			    c, path, "no day profile for %s (give \"%s\", \"%s\" or \"every_day\")",
			    weekday_names[w], weekday_names[w], w < 5 ? "weekdays" : "weekend");
	return 0;
}

/*
 * A season's start by rule, "last sunday of march", "first monday of october": the nth (first,
 * second, third, fourth, last) weekday of a month, words in lower case. 0, or -EINVAL with the
 * error naming the field.
 */
static int parse_season_rule(struct tariff_file_ctx *c, const char *path, const char *text,
			     struct tariff_season *season)
{
	static const char *const weeks[] = {"last", "first", "second", "third", "fourth"};
	static const char *const months[] = {"january",	  "february", "march",	  "april",
					     "may",	  "june",     "july",	  "august",
					     "september", "october",  "november", "december"};
	char week[16], weekday[16], of[8], month[16], rest[2];
	int w = -1, d = -1, m = -1;

	if (sscanf(text, "%15s %15s %7s %15s %1s", week, weekday, of, month, rest) == 4 &&
	    !strcmp(of, "of")) {
		for (int i = 0; i < 5; i++)
			if (!strcmp(week, weeks[i]))
				w = i;
		for (int i = 0; i < 7; i++)
			if (!strcmp(weekday, weekday_names[i]))
				d = i;
		for (int i = 0; i < 12; i++)
			if (!strcmp(month, months[i]))
				m = i;
	}
	if (w < 0 || d < 0 || m < 0)
		return tariff_file_fail(c, path,
					"'%s' is neither MM-DD nor a rule such as 'last sunday of "
					"march' (first, second, third, fourth or last)",
					text);
	season->start_month = m + 1;
	season->start_day = 0;
	season->start_weekday = (uint8_t)(d + 1);
	season->start_week = (int8_t)(w == 0 ? -1 : w);
	return 0;
}

/* "start": "MM-DD" (every year on that date) or a rule (parse_season_rule). */
static int parse_season_start(struct tariff_file_ctx *c, const char *path, const json_t *v,
			      struct tariff_season *season)
{
	struct tariff_date start = {0, 1, 1};

	if (tariff_file_need_string(c, path, v))
		return -EINVAL;
	if (strchr(json_string_value(v), ' '))
		return parse_season_rule(c, path, json_string_value(v), season);
	if (tariff_file_get_date(c, path, v, DATE_YEARLY, &start))
		return -EINVAL;
	if (start.month == 2 && start.day == 29)
		return tariff_file_fail(
		    c, path, "'02-29' is not a date of every year: a season starts every year");
	season->start_month = start.month;
	season->start_day = (int16_t)start.day;
	return 0;
}

/*
 * The engine's validator refuses this too, but in its own terms ("season[1].start"); checked
 * here so that the message names the file's field. (Two starts by rule, or a rule and a date,
 * that can fall on one day are left to the validator: "can fall on the start of season[0]".)
 */
static int check_season_start(struct tariff_file_ctx *c, const char *season_path, size_t index)
{
	const struct tariff_season *season = &c->t.seasons[index];
	char p[PATH_LEN];

	tariff_file_path_key(p, season_path, "start");
	for (size_t j = 0; j < index; j++)
		if (season->start_week == 0 && c->t.seasons[j].start_week == 0 &&
		    c->t.seasons[j].start_month == season->start_month &&
		    c->t.seasons[j].start_day == season->start_day)
			return tariff_file_fail(c, p,
						"'%02d-%02d' is also the start of seasons[%zu]",
						season->start_month, season->start_day, j);
	return 0;
}

int tariff_file_parse_seasons(struct tariff_file_ctx *c, json_t *root)
{
	static const char *const keys[] = {"name", "start", "days", NULL};
	char p[PATH_LEN];
	json_t *section;
	size_t n;

	if (tariff_file_member(c, "", root, "seasons", true, &section, p) ||
	    tariff_file_need_array(c, p, section))
		return -EINVAL;
	n = json_array_size(section);
	if (n < 1 || n > TARIFF_MAX_SEASONS)
		return tariff_file_fail(c, p, "%zu seasons: give 1..%d", n, TARIFF_MAX_SEASONS);
	for (size_t i = 0; i < n; i++) {
		struct tariff_season *season = &c->t.seasons[i];
		json_t *obj = json_array_get(section, i), *v;
		char ps[PATH_LEN], pv[PATH_LEN];

		tariff_file_path_index(ps, "seasons", i);
		if (tariff_file_need_object(c, ps, obj) ||
		    tariff_file_check_keys(c, ps, obj, keys) ||
		    tariff_file_member(c, ps, obj, "name", false, &v, pv) ||
		    (v && tariff_file_get_label(c, pv, v, NULL, 64)) ||
		    tariff_file_member(c, ps, obj, "start", n > 1, &v, pv))
			return -EINVAL;
		season->start_month = 1;
		season->start_day = 1;
		if ((v && parse_season_start(c, pv, v, season)) || check_season_start(c, ps, i) ||
		    tariff_file_member(c, ps, obj, "days", true, &v, pv) ||
		    parse_season_days(c, pv, v, season))
			return -EINVAL;
	}
	c->t.n_seasons = (unsigned)n;
	return 0;
}

/* As check_season_start(): the engine would name "special_day[i].date". */
static int check_special_date(struct tariff_file_ctx *c, const char *date_path, size_t index)
{
	const struct tariff_date *d = &c->t.special_days[index].date;

	for (size_t j = 0; j < index; j++) {
		const struct tariff_date *other = &c->t.special_days[j].date;

		if (other->year == d->year && other->month == d->month && other->day == d->day)
			return tariff_file_fail(c, date_path, "the same date as special_days[%zu]",
						j);
	}
	return 0;
}

int tariff_file_parse_special_days(struct tariff_file_ctx *c, json_t *root)
{
	static const char *const keys[] = {"date", "name", "rate", "aux_relay", "friendly", NULL};
	char p[PATH_LEN];
	json_t *section;
	size_t n;

	if (tariff_file_member(c, "", root, "special_days", false, &section, p))
		return -EINVAL;
	if (!section)
		return 0;
	if (tariff_file_need_array(c, p, section))
		return -EINVAL;
	n = json_array_size(section);
	if (n > TARIFF_MAX_SPECIAL_DAYS)
		return tariff_file_fail(c, p, "%zu special days: at most %d", n,
					TARIFF_MAX_SPECIAL_DAYS);
	for (size_t i = 0; i < n; i++) {
		struct tariff_special_day *special = &c->t.special_days[i];
		json_t *obj = json_array_get(section, i), *v;
		char ps[PATH_LEN], pv[PATH_LEN];
		bool friendly = false;

		tariff_file_path_index(ps, "special_days", i);
		if (tariff_file_need_object(c, ps, obj) ||
		    tariff_file_check_keys(c, ps, obj, keys) ||
		    tariff_file_member(c, ps, obj, "date", true, &v, pv) ||
		    tariff_file_get_date(c, pv, v, DATE_FULL | DATE_YEARLY, &special->date) ||
		    check_special_date(c, pv, i) ||
		    tariff_file_member(c, ps, obj, "name", false, &v, pv) ||
		    (v && tariff_file_get_label(c, pv, v, NULL, 64)))
			return -EINVAL;
		if (tariff_file_member(c, ps, obj, "rate", false, &v, pv))
			return -EINVAL;
		if (v) {
			if (tariff_file_get_rate(c, pv, v, c->t.n_rates, "a rate", &special->rate))
				return -EINVAL;
			special->flags |= TARIFF_SPECIAL_PIN_RATE;
		}
		if (tariff_file_member(c, ps, obj, "aux_relay", false, &v, pv))
			return -EINVAL;
		if (v) {
			if (tariff_file_get_bool(c, pv, v, &special->aux_relay))
				return -EINVAL;
			special->flags |= TARIFF_SPECIAL_PIN_AUX;
		}
		if (tariff_file_member(c, ps, obj, "friendly", false, &v, pv) ||
		    (v && tariff_file_get_bool(c, pv, v, &friendly)))
			return -EINVAL;
		if (friendly)
			special->flags |= TARIFF_SPECIAL_FRIENDLY;
		if (special->flags == 0)
			return tariff_file_fail(
			    c, ps,
			    "changes nothing: give \"rate\", \"aux_relay\" or \"friendly\": "
			    "true");
	}
	c->t.n_special_days = (unsigned)n;
	return 0;
}
