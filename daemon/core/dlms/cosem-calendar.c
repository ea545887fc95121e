// SPDX-License-Identifier: GPL-2.0-only
/*
 * Activity calendar (class 20, version 0) at 0.0.13.0.0.255: the tariff's time of use
 * (tou-calendar.h). Attributes (IEC 62056-6-2; types as Gurux's GXDLMSActivityCalendar
 * getDataType / getValue give them, gurux.dlms.java):
 *   2 calendar_name_active, 6 calendar_name_passive: octet-string;
 *   3 season_profile_active, 7 _passive: array of {season_profile_name octet-string,
 *     season_start octet-string (date-time, 12), week_name octet-string};
 *   4 week_profile_table_active, 8 _passive: array of {week_profile_name octet-string, monday
 *     .. sunday unsigned (day_id)};
 *   5 day_profile_table_active, 9 _passive: array of {day_id unsigned, day_schedule array of
 *     {start_time octet-string (time, 4), script_logical_name octet-string, script_selector
 *     long-unsigned}};
 *   10 activate_passive_calendar_time: octet-string (date-time, 12). Gurux's getDataType says
 *     octet-string, which settles the reference's "date-time or octet-string" question; a SET
 *     with the date-time tag (25) is taken too.
 * Method 1 activate_passive_calendar (integer 0).
 *
 * Active: the active tariff. Passive: what a head-end has written (struct pm_tou_passive, one
 * attribute per SET), over the future tariff's calendar when there is one, else over a copy of
 * the active one. Both clients read; the management client writes 6..10 and invokes method 1.
 *
 * Activation. The meter changes its tariff at a local midnight only (billing's deferred tariff:
 * tariff_engine_set_deferred). SET of attribute 10 to a date-time at 00:00:00 local (seconds
 * and hundredths may be "not specified") of a date after today makes the passive calendar the
 * future tariff from that midnight: the candidate is the active tariff with its time of use
 * replaced (tou-calendar.h), validated by tariff_validate as a tariff file is, then handed to
 * the meter (set_future_tariff). Method 1 does the same for the next local midnight (tomorrow
 * 00:00): the standard's "activate now" cannot be honoured mid-day without splitting the day's
 * billing, so it is the earliest the meter can. A date-time with every date field "not
 * specified" cancels the future tariff.
 *
 * Results. SET of a value of the wrong shape: type-unmatched. A value of the right shape the
 * meter cannot take (a season starting in a given year or not at midnight, a name too long,
 * more seasons, weeks, days or actions than the tariff holds, a day action not naming the
 * Tariffication script table, two weeks or days of one name): other-reason, nothing written.
 * Activation of a time not at local midnight, of a date not after today, or of a calendar
 * that does not make a valid tariff (a week naming a missing day profile, a day profile using
 * a rate the tariff does not have, a first action not at 00:00, ...): other-reason, nothing
 * changed. No tariff: object-unavailable for reads; writes temporary-failure.
 */
#include <string.h>

#include "core/billing/civil-time.h"
#include "core/dlms/cosem-binding.h"
#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem-objects.h"
#include "core/dlms/cosem-time.h"
#include "core/dlms/tou-calendar.h"

enum calendar_attr {
	NAME_ACTIVE = 2,
	SEASONS_ACTIVE = 3,
	WEEKS_ACTIVE = 4,
	DAYS_ACTIVE = 5,
	NAME_PASSIVE = 6,
	SEASONS_PASSIVE = 7,
	WEEKS_PASSIVE = 8,
	DAYS_PASSIVE = 9,
	ACTIVATION_TIME = 10,
};

#define ACTIVATE_PASSIVE_CALENDAR 1
#define COSEM_TIME_LEN 4

/* ---- encoding ---- */

static void put_name(struct pm_axdr_out *out, const struct pm_tou_name *n)
{
	pm_axdr_put_octet_string(out, n->b, n->len);
}

/* Every year (year and weekday not specified), at 00:00:00.00, deviation and status not
 * specified. */
static void put_season_start(struct pm_axdr_out *out, uint8_t month, uint8_t day)
{
	const uint8_t b[PM_COSEM_DATETIME_LEN] = {0xFF, 0xFF, month, day,  0xFF, 0,
						  0,	0,    0,     0x80, 0x00, 0xFF};

	pm_axdr_put_octet_string(out, b, sizeof(b));
}

static void put_seasons(struct pm_axdr_out *out, const struct pm_tou_calendar *cal)
{
	pm_axdr_put_array(out, cal->n_seasons);
	for (unsigned k = 0; k < cal->n_seasons; k++) {
		pm_axdr_put_structure(out, 3);
		put_name(out, &cal->seasons[k].name);
		put_season_start(out, cal->seasons[k].month, cal->seasons[k].day);
		put_name(out, &cal->seasons[k].week);
	}
}

static void put_weeks(struct pm_axdr_out *out, const struct pm_tou_calendar *cal)
{
	pm_axdr_put_array(out, cal->n_weeks);
	for (unsigned k = 0; k < cal->n_weeks; k++) {
		pm_axdr_put_structure(out, 8);
		put_name(out, &cal->weeks[k].name);
		for (unsigned w = 0; w < 7; w++)
			pm_axdr_put_u8(out, cal->weeks[k].day_id[w]);
	}
}

static void put_days(struct pm_axdr_out *out, const struct pm_tou_calendar *cal)
{
	pm_axdr_put_array(out, cal->n_days);
	for (unsigned k = 0; k < cal->n_days; k++) {
		const struct pm_tou_day *d = &cal->days[k];

		pm_axdr_put_structure(out, 2);
		pm_axdr_put_u8(out, d->day_id);
		pm_axdr_put_array(out, d->n_actions);
		for (unsigned a = 0; a < d->n_actions; a++) {
			int32_t t = d->actions[a].start_s;
			const uint8_t time[COSEM_TIME_LEN] = {
			    (uint8_t)(t / 3600), (uint8_t)(t / 60 % 60), (uint8_t)(t % 60), 0};

			pm_axdr_put_structure(out, 3);
			pm_axdr_put_octet_string(out, time, sizeof(time));
			pm_axdr_put_octet_string(out, pm_tou_script_ln, 6);
			pm_axdr_put_u16(out, d->actions[a].selector);
		}
	}
}

/* The passive calendar: what was written over the future tariff's, else the active's. */
static void passive_view(const struct pm_cosem_meter *m, struct pm_tou_calendar *cal)
{
	const struct pm_tou_passive *p = m->passive;

	if (m->future_tariff)
		pm_tou_from_tariff(m->future_tariff, m->future_tariff_name, cal);
	else
		pm_tou_from_tariff(m->tariff, m->tariff_name, cal);
	if (!p)
		return;
	if (p->has_name) {
		cal->name_len = p->cal.name_len;
		memcpy(cal->name, p->cal.name, sizeof(cal->name));
	}
	if (p->has_seasons) {
		cal->n_seasons = p->cal.n_seasons;
		memcpy(cal->seasons, p->cal.seasons, sizeof(cal->seasons));
	}
	if (p->has_weeks) {
		cal->n_weeks = p->cal.n_weeks;
		memcpy(cal->weeks, p->cal.weeks, sizeof(cal->weeks));
	}
	if (p->has_days) {
		cal->n_days = p->cal.n_days;
		memcpy(cal->days, p->cal.days, sizeof(cal->days));
	}
}

/* The UTC of 00:00 local on @d: the local time less the offset in force then. */
static int64_t local_midnight_utc(const struct pm_cosem_meter *m, const struct tariff_date *d)
{
	int64_t local = pm_civil_days_from_date(d->year, d->month, d->day) * PM_S_PER_DAY;
	bool dst;
	int32_t off = pm_cosem_meter_offset_at(m, local, &dst);

	return local - pm_cosem_meter_offset_at(m, local - off, &dst);
}

static void put_activation_time(struct pm_axdr_out *out, const struct pm_cosem_meter *m)
{
	int64_t utc;
	bool dst;
	int32_t off;

	if (!m->future_tariff) {
		pm_cosem_put_datetime_unspecified(out);
		return;
	}
	utc = local_midnight_utc(m, &m->future_tariff_date);
	off = pm_cosem_meter_offset_at(m, utc, &dst);
	pm_cosem_put_datetime(out, utc, off, dst ? PM_COSEM_STATUS_DST : 0);
}

static enum pm_dlms_result calendar_get(const struct pm_cosem_object *o,
					const struct pm_cosem_request *req, uint8_t attr,
					const struct pm_cosem_selector *sel,
					struct pm_axdr_out *out)
{
	const struct pm_cosem_meter *m = req->meter;
	struct pm_tou_calendar cal;

	(void)o;
	(void)sel;
	if (!m || !m->tariff)
		return PM_DLMS_OBJECT_UNAVAILABLE;
	if (attr == ACTIVATION_TIME) {
		put_activation_time(out, m);
		return PM_DLMS_SUCCESS;
	}
	if (attr < NAME_PASSIVE)
		pm_tou_from_tariff(m->tariff, m->tariff_name, &cal);
	else
		passive_view(m, &cal);
	switch (attr) {
	case NAME_ACTIVE:
	case NAME_PASSIVE:
		pm_axdr_put_octet_string(out, cal.name, cal.name_len);
		return PM_DLMS_SUCCESS;
	case SEASONS_ACTIVE:
	case SEASONS_PASSIVE:
		put_seasons(out, &cal);
		return PM_DLMS_SUCCESS;
	case WEEKS_ACTIVE:
	case WEEKS_PASSIVE:
		put_weeks(out, &cal);
		return PM_DLMS_SUCCESS;
	case DAYS_ACTIVE:
	case DAYS_PASSIVE:
		put_days(out, &cal);
		return PM_DLMS_SUCCESS;
	default:
		return PM_DLMS_OBJECT_UNDEFINED;
	}
}

/* ---- decoding a passive attribute ---- */

/* Shape errors (type-unmatched) and values the meter cannot take (other-reason). */
#define SHAPE PM_DLMS_TYPE_UNMATCHED
#define VALUE PM_DLMS_OTHER_REASON

static enum pm_dlms_result get_name(struct pm_axdr_in *in, struct pm_tou_name *n)
{
	const uint8_t *p;
	size_t len;

	if (pm_axdr_expect_octet_string(in, &p, &len))
		return SHAPE;
	if (len > PM_TOU_NAME_MAX)
		return VALUE;
	n->len = (uint8_t)len;
	memcpy(n->b, p, len);
	return PM_DLMS_SUCCESS;
}

static bool name_eq(const struct pm_tou_name *a, const struct pm_tou_name *b)
{
	return a->len == b->len && !memcmp(a->b, b->b, a->len);
}

/* A season start: every year (year not specified), a month and day, at 00:00 (or time not
 * specified). */
static enum pm_dlms_result get_season_start(struct pm_axdr_in *in, struct pm_tou_season *s)
{
	struct pm_cosem_datetime dt;
	struct pm_axdr_data d;

	if (pm_axdr_get_data(in, &d) ||
	    (d.tag != PM_AXDR_OCTET_STRING && d.tag != PM_AXDR_DATE_TIME) ||
	    d.nbytes != PM_COSEM_DATETIME_LEN)
		return SHAPE;
	pm_cosem_datetime_decode(d.bytes, &dt);
	if (dt.year != PM_COSEM_YEAR_ANY || dt.month < 1 || dt.month > 12 || dt.day < 1 ||
	    dt.day > 31 || (dt.hour != 0 && dt.hour != PM_COSEM_ANY) ||
	    (dt.min != 0 && dt.min != PM_COSEM_ANY) || (dt.sec != 0 && dt.sec != PM_COSEM_ANY))
		return VALUE;
	s->month = dt.month;
	s->day = dt.day;
	return PM_DLMS_SUCCESS;
}

static enum pm_dlms_result decode_seasons(struct pm_axdr_in *in, struct pm_tou_calendar *cal)
{
	enum pm_dlms_result r;
	uint32_t n, k;

	if (pm_axdr_expect_array(in, &n))
		return SHAPE;
	if (n > PM_TOU_MAX_SEASONS)
		return VALUE;
	for (uint32_t i = 0; i < n; i++) {
		struct pm_tou_season *s = &cal->seasons[i];

		if (pm_axdr_expect_structure(in, &k) || k != 3)
			return SHAPE;
		if ((r = get_name(in, &s->name)) || (r = get_season_start(in, s)) ||
		    (r = get_name(in, &s->week)))
			return r;
	}
	cal->n_seasons = (uint8_t)n;
	return PM_DLMS_SUCCESS;
}

static enum pm_dlms_result decode_weeks(struct pm_axdr_in *in, struct pm_tou_calendar *cal)
{
	enum pm_dlms_result r;
	uint32_t n, k;
	int64_t v;

	if (pm_axdr_expect_array(in, &n))
		return SHAPE;
	if (n > PM_TOU_MAX_WEEKS)
		return VALUE;
	for (uint32_t i = 0; i < n; i++) {
		struct pm_tou_week *w = &cal->weeks[i];

		if (pm_axdr_expect_structure(in, &k) || k != 8)
			return SHAPE;
		if ((r = get_name(in, &w->name)))
			return r;
		for (unsigned d = 0; d < 7; d++) {
			if (pm_axdr_expect_int(in, 0, UINT8_MAX, &v))
				return SHAPE;
			w->day_id[d] = (uint8_t)v;
		}
		for (uint32_t j = 0; j < i; j++)
			if (name_eq(&cal->weeks[j].name, &w->name))
				return VALUE;
	}
	cal->n_weeks = (uint8_t)n;
	return PM_DLMS_SUCCESS;
}

/* A day action's start time: octet-string of 4 {hour, minute, second, hundredths}; seconds
 * and hundredths may be "not specified" (0). */
static enum pm_dlms_result get_start_time(struct pm_axdr_in *in, int32_t *start_s)
{
	const uint8_t *p;
	size_t len;
	unsigned sec;

	if (pm_axdr_expect_octet_string(in, &p, &len) || len != COSEM_TIME_LEN)
		return SHAPE;
	sec = p[2] == PM_COSEM_ANY ? 0 : p[2];
	if (p[0] > 23 || p[1] > 59 || sec > 59)
		return VALUE;
	*start_s = p[0] * 3600 + p[1] * 60 + (int32_t)sec;
	return PM_DLMS_SUCCESS;
}

static enum pm_dlms_result decode_day(struct pm_axdr_in *in, struct pm_tou_day *d)
{
	const uint8_t *ln;
	enum pm_dlms_result r;
	uint32_t n, k;
	size_t len;
	int64_t v;

	if (pm_axdr_expect_structure(in, &k) || k != 2 || pm_axdr_expect_int(in, 0, UINT8_MAX, &v))
		return SHAPE;
	d->day_id = (uint8_t)v;
	if (pm_axdr_expect_array(in, &n))
		return SHAPE;
	if (n > PM_TOU_MAX_ACTIONS)
		return VALUE;
	for (uint32_t a = 0; a < n; a++) {
		if (pm_axdr_expect_structure(in, &k) || k != 3)
			return SHAPE;
		if ((r = get_start_time(in, &d->actions[a].start_s)))
			return r;
		if (pm_axdr_expect_octet_string(in, &ln, &len) || len != 6)
			return SHAPE;
		if (pm_axdr_expect_int(in, 0, UINT16_MAX, &v))
			return SHAPE;
		if (memcmp(ln, pm_tou_script_ln, 6))
			return VALUE; /* only the tariffication script switches rates */
		d->actions[a].selector = (uint16_t)v;
	}
	d->n_actions = (uint8_t)n;
	return PM_DLMS_SUCCESS;
}

static enum pm_dlms_result decode_days(struct pm_axdr_in *in, struct pm_tou_calendar *cal)
{
	enum pm_dlms_result r;
	uint32_t n;

	if (pm_axdr_expect_array(in, &n))
		return SHAPE;
	if (n > PM_TOU_MAX_DAYS)
		return VALUE;
	for (uint32_t i = 0; i < n; i++) {
		if ((r = decode_day(in, &cal->days[i])))
			return r;
		for (uint32_t j = 0; j < i; j++)
			if (cal->days[j].day_id == cal->days[i].day_id)
				return VALUE;
	}
	cal->n_days = (uint8_t)n;
	return PM_DLMS_SUCCESS;
}

static enum pm_dlms_result decode_name(struct pm_axdr_in *in, struct pm_tou_calendar *cal)
{
	const uint8_t *p;
	size_t len;

	if (pm_axdr_expect_octet_string(in, &p, &len))
		return SHAPE;
	if (len > PM_TOU_CALENDAR_NAME_MAX)
		return VALUE;
	cal->name_len = (uint8_t)len;
	memcpy(cal->name, p, len);
	return PM_DLMS_SUCCESS;
}

/* SET of a passive attribute 6..9: decoded whole into a copy, then written. */
static enum pm_dlms_result set_passive(const struct pm_cosem_meter *m, uint8_t attr,
				       struct pm_axdr_in *in)
{
	struct pm_tou_passive work = *m->passive;
	enum pm_dlms_result r;

	switch (attr) {
	case NAME_PASSIVE:
		r = decode_name(in, &work.cal);
		work.has_name = true;
		break;
	case SEASONS_PASSIVE:
		r = decode_seasons(in, &work.cal);
		work.has_seasons = true;
		break;
	case WEEKS_PASSIVE:
		r = decode_weeks(in, &work.cal);
		work.has_weeks = true;
		break;
	default:
		r = decode_days(in, &work.cal);
		work.has_days = true;
		break;
	}
	if (r == PM_DLMS_SUCCESS && (pm_axdr_in_left(in) || in->error))
		r = SHAPE;
	if (r == PM_DLMS_SUCCESS)
		*m->passive = work;
	return r;
}

/* ---- activation ---- */

/* The passive calendar as the future tariff from 00:00 local on @date. */
static enum pm_dlms_result activate(const struct pm_cosem_meter *m, const struct tariff_date *date,
				    int16_t deviation_min)
{
	struct pm_tou_calendar cal;
	struct tariff_error err;
	struct tariff candidate;
	char name[PM_TOU_CALENDAR_NAME_MAX + 1];
	enum pm_dlms_result r;

	if (!m->set_future_tariff)
		return PM_DLMS_TEMPORARY_FAILURE;
	passive_view(m, &cal);
	if (pm_tou_to_tariff(&cal, m->tariff, &candidate, &err))
		return PM_DLMS_OTHER_REASON;
	/* the name as text: up to its first NUL */
	memcpy(name, cal.name, cal.name_len);
	name[cal.name_len] = '\0';
	r = m->set_future_tariff(m->profiles_data, &candidate, name, date, deviation_min);
	/* the passive calendar is now the future tariff's: what was written is in it */
	if (r == PM_DLMS_SUCCESS && m->passive)
		memset(m->passive, 0, sizeof(*m->passive));
	return r;
}

static enum pm_dlms_result set_activation_time(const struct pm_cosem_meter *m,
					       struct pm_axdr_in *in)
{
	struct pm_cosem_datetime dt;
	struct pm_axdr_data d;
	struct tariff_date date;

	if (pm_axdr_get_data(in, &d) ||
	    (d.tag != PM_AXDR_OCTET_STRING && d.tag != PM_AXDR_DATE_TIME) ||
	    d.nbytes != PM_COSEM_DATETIME_LEN || pm_axdr_in_left(in))
		return SHAPE;
	pm_cosem_datetime_decode(d.bytes, &dt);
	if (dt.year == PM_COSEM_YEAR_ANY && dt.month == PM_COSEM_ANY && dt.day == PM_COSEM_ANY) {
		if (!m->cancel_future_tariff)
			return PM_DLMS_TEMPORARY_FAILURE;
		return m->cancel_future_tariff(m->profiles_data);
	}
	if (dt.year == PM_COSEM_YEAR_ANY || !pm_civil_date_is_valid(dt.year, dt.month, dt.day))
		return VALUE;
	/* the meter changes tariff at a local midnight only */
	if (dt.hour != 0 || dt.min != 0 || (dt.sec != 0 && dt.sec != PM_COSEM_ANY) ||
	    (dt.hundredths != 0 && dt.hundredths != PM_COSEM_ANY))
		return VALUE;
	date = (struct tariff_date){dt.year, dt.month, dt.day};
	return activate(m, &date, dt.deviation);
}

static enum pm_dlms_result calendar_set(const struct pm_cosem_object *o,
					const struct pm_cosem_request *req, uint8_t attr,
					const uint8_t *value, size_t len)
{
	const struct pm_cosem_meter *m = req->meter;
	struct pm_axdr_in in;

	(void)o;
	if (!m || !m->tariff)
		return PM_DLMS_TEMPORARY_FAILURE;
	pm_axdr_in_init(&in, value, value ? len : 0);
	if (attr == ACTIVATION_TIME)
		return set_activation_time(m, &in);
	if (attr < NAME_PASSIVE || attr > DAYS_PASSIVE)
		return PM_DLMS_READ_WRITE_DENIED;
	if (!m->passive)
		return PM_DLMS_TEMPORARY_FAILURE;
	return set_passive(m, attr, &in);
}

static enum pm_dlms_result calendar_action(const struct pm_cosem_object *o,
					   const struct pm_cosem_request *req, uint8_t method,
					   const uint8_t *param, size_t len,
					   struct pm_axdr_out *out)
{
	const struct pm_cosem_meter *m = req->meter;
	struct tariff_date tomorrow;
	struct pm_axdr_in in;
	int64_t day, year, v;
	bool dst;

	(void)o;
	(void)out;
	if (method != ACTIVATE_PASSIVE_CALENDAR)
		return PM_DLMS_OBJECT_UNDEFINED;
	/* data: integer (0); a client sending none is taken as sending it */
	pm_axdr_in_init(&in, param, param ? len : 0);
	if (param && len &&
	    (pm_axdr_expect_int(&in, INT64_MIN, INT64_MAX, &v) || pm_axdr_in_left(&in)))
		return SHAPE;
	if (!m || !m->tariff)
		return PM_DLMS_TEMPORARY_FAILURE;
	day = pm_civil_floor_div(m->clock.utc_s + pm_cosem_meter_offset_at(m, m->clock.utc_s, &dst),
				 PM_S_PER_DAY) +
	      1;
	pm_civil_date_from_days(day, &year, &tomorrow.month, &tomorrow.day);
	tomorrow.year = (int)year;
	return activate(m, &tomorrow, PM_COSEM_DEVIATION_ANY);
}

static enum pm_cosem_attr_access calendar_access(const struct pm_cosem_object *o,
						 enum pm_dlms_client client, uint8_t attr)
{
	if (!pm_cosem_visible_to_all(o, client))
		return PM_COSEM_NO_ACCESS;
	if (attr >= NAME_PASSIVE && client == PM_DLMS_CLIENT_MANAGEMENT)
		return PM_COSEM_READ_WRITE;
	return PM_COSEM_READ;
}

const struct pm_cosem_class pm_cosem_calendar_class = {
    .class_id = 20,
    .version = 0,
    .n_attrs = 10,
    .n_methods = 1,
    .visible = pm_cosem_visible_to_all,
    .attr_access = calendar_access,
    .method_access = pm_cosem_methods_by_management,
    .selectors = pm_cosem_no_selectors,
    .get = calendar_get,
    .set = calendar_set,
    .action = calendar_action,
};

static const struct pm_cosem_object calendar[] = {
    {{0, 0, 13, 0, 0, 255}, &pm_cosem_calendar_class, 0},
};

const struct pm_cosem_table pm_cosem_calendar_table = PM_COSEM_TABLE(calendar);
