/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tariff's time of use (core/billing/tariff.h) as the COSEM time-of-use objects describe it
 * (IEC 62056-6-2: Activity calendar 20, Special days table 11, Register activation 6, the
 * Tariffication script table 9 at 0.0.10.0.100.255), and back: pure conversions, used by
 * cosem-calendar.c and its neighbours. docs/dlms-profiles.md explains the mapping.
 *
 * tariff -> calendar:
 *   - seasons, sorted by start: season k (from 1) is named "S<k>", starts every year (year
 *     0xFFFF) on its month and day at 00:00, and uses week "W<k>";
 *   - week "W<k>" gives season k's day profile of each weekday, Monday first, as day_ids;
 *   - the tariff's day profiles are day_ids 1..n, in the tariff file's order; each switch point
 *     is an action at its start time running the tariffication script with script_selector =
 *     the import rate (1..8), the script that activates that rate's register mask;
 *   - a special day that pins the import rate needs a day profile of its own, "all day on rate
 *     r": day_ids n + 1, n + 2, ... one per rate pinned, in rate order. A special day that only
 *     holds the auxiliary relay or is friendly changes no rate: it is not in the table.
 *   - what COSEM cannot say, the export rate and the auxiliary relay of a switch point, is not
 *     published.
 *
 * calendar -> tariff (a head-end's passive calendar): the active tariff with its seasons and
 * day profiles replaced, everything else (prices, blocks, special days, billing period, ...)
 * kept. Only the day profiles the seasons' weeks use are kept, in the day table's order; a
 * switch point keeps the export rate and relay state the active tariff's day profile of the
 * same day_id has in force at that time of day (export rate 1 and relay open for a day_id the
 * active tariff does not have), so a head-end changing the import switch times leaves export
 * and relay as they were. The result goes through tariff_validate like a tariff file.
 */
#ifndef POLYMETER_TOU_CALENDAR_H
#define POLYMETER_TOU_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/billing/tariff.h"

#define PM_TOU_NAME_MAX 32 /* season and week names, octets */
#define PM_TOU_CALENDAR_NAME_MAX 127
#define PM_TOU_MAX_SEASONS TARIFF_MAX_SEASONS
#define PM_TOU_MAX_WEEKS 8
#define PM_TOU_MAX_DAYS (TARIFF_MAX_DAY_PROFILES + TARIFF_MAX_RATES)
#define PM_TOU_MAX_ACTIONS TARIFF_MAX_SWITCHES
#define PM_TOU_MAX_SPECIAL_DAYS TARIFF_MAX_SPECIAL_DAYS

/* The Tariffication script table every day action names. */
extern const uint8_t pm_tou_script_ln[6];

struct pm_tou_name {
	uint8_t len;
	uint8_t b[PM_TOU_NAME_MAX];
};

struct pm_tou_season {
	struct pm_tou_name name;
	uint8_t month, day; /* every year, from 00:00 */
	struct pm_tou_name week;
};

struct pm_tou_week {
	struct pm_tou_name name;
	uint8_t day_id[7]; /* Monday .. Sunday */
};

struct pm_tou_action {
	int32_t start_s;   /* seconds since 00:00 */
	uint16_t selector; /* script_selector: the import rate, 1..8 */
};

struct pm_tou_day {
	uint8_t day_id;
	uint8_t n_actions;
	struct pm_tou_action actions[PM_TOU_MAX_ACTIONS];
};

struct pm_tou_calendar {
	uint8_t name_len;
	uint8_t name[PM_TOU_CALENDAR_NAME_MAX];
	uint8_t n_seasons, n_weeks, n_days;
	struct pm_tou_season seasons[PM_TOU_MAX_SEASONS];
	struct pm_tou_week weeks[PM_TOU_MAX_WEEKS];
	struct pm_tou_day days[PM_TOU_MAX_DAYS];
};

/*
 * The passive calendar as a head-end writes it, one attribute per SET (Activity calendar 6 name,
 * 7 seasons, 8 weeks, 9 days): what was written, and which parts were. Held by the daemon
 * (struct pm_cosem_meter.passive); activating it (attribute 10, method 1) builds the candidate
 * tariff from the parts written and, for the parts not written, the future tariff's calendar if
 * there is one, else the active one's.
 */
struct pm_tou_passive {
	bool has_name, has_seasons, has_weeks, has_days;
	struct pm_tou_calendar cal;
};

/* A special day as the Special days table lists it. */
struct pm_tou_special_day {
	uint16_t index; /* 1.. */
	uint16_t year;	/* 0xFFFF: every year */
	uint8_t month, day;
	uint8_t day_id;
};

/* The calendar of @t named @name (NUL-terminated, cut at PM_TOU_CALENDAR_NAME_MAX). */
void pm_tou_from_tariff(const struct tariff *t, const char *name, struct pm_tou_calendar *cal);

/* The special days of @t that pin a rate, with the day_ids pm_tou_from_tariff gives them; how
 * many (at most PM_TOU_MAX_SPECIAL_DAYS). */
size_t pm_tou_special_days(const struct tariff *t, struct pm_tou_special_day *out);

/*
 * The candidate tariff: @active with its time of use replaced by @cal's (see the top). 0, or
 * -EINVAL with @err naming what is wrong ("season S2 uses week W9, which the week profile table
 * does not have", or tariff_validate's message); *out is then unspecified.
 */
int pm_tou_to_tariff(const struct pm_tou_calendar *cal, const struct tariff *active,
		     struct tariff *out, struct tariff_error *err);

#endif
