// SPDX-License-Identifier: GPL-2.0-only
/*
 * COSEM date-time (cosem-time.h) on the core's civil time (core/billing/civil-time.h): int64
 * day numbers, no time_t, no C library time zone.
 *
 * Field ranges (IEC 62056-6-2, date and time formats): month 1..12, 0xFD daylight savings end,
 * 0xFE daylight savings begin; day of month 1..31, 0xFD second last day, 0xFE last day of the
 * month; day of week 1..7; hour 0..23; minute and second 0..59; hundredths 0..99; deviation
 * -720..720 minutes; 0xFF (0xFFFF year, 0x8000 deviation) not specified.
 */
#include "core/billing/civil-time.h"
#include "core/dlms/cosem-time.h"

/* The special months and days of a date pattern (not a date: to_utc refuses them). */
#define COSEM_DST_END 0xFD
#define COSEM_DST_BEGIN 0xFE
#define COSEM_DEVIATION_MAX 720

void pm_cosem_datetime_encode(const struct pm_cosem_datetime *dt,
			      uint8_t out[PM_COSEM_DATETIME_LEN])
{
	uint16_t dev = (uint16_t)dt->deviation;

	out[0] = (uint8_t)(dt->year >> 8);
	out[1] = (uint8_t)dt->year;
	out[2] = dt->month;
	out[3] = dt->day;
	out[4] = dt->dow;
	out[5] = dt->hour;
	out[6] = dt->min;
	out[7] = dt->sec;
	out[8] = dt->hundredths;
	out[9] = (uint8_t)(dev >> 8);
	out[10] = (uint8_t)dev;
	out[11] = dt->status;
}

void pm_cosem_datetime_decode(const uint8_t in[PM_COSEM_DATETIME_LEN], struct pm_cosem_datetime *dt)
{
	dt->year = (uint16_t)(in[0] << 8 | in[1]);
	dt->month = in[2];
	dt->day = in[3];
	dt->dow = in[4];
	dt->hour = in[5];
	dt->min = in[6];
	dt->sec = in[7];
	dt->hundredths = in[8];
	dt->deviation = (int16_t)(uint16_t)(in[9] << 8 | in[10]);
	dt->status = in[11];
}

/* @v is in lo..hi or "not specified". */
static bool field_ok(unsigned v, unsigned lo, unsigned hi)
{
	return v == PM_COSEM_ANY || (v >= lo && v <= hi);
}

bool pm_cosem_datetime_check(const struct pm_cosem_datetime *dt)
{
	bool month_ok = field_ok(dt->month, 1, 12) || dt->month == COSEM_DST_END ||
			dt->month == COSEM_DST_BEGIN;
	bool day_ok =
	    field_ok(dt->day, 1, 31) || dt->day == COSEM_DST_END || dt->day == COSEM_DST_BEGIN;
	bool dev_ok =
	    dt->deviation == PM_COSEM_DEVIATION_ANY ||
	    (dt->deviation >= -COSEM_DEVIATION_MAX && dt->deviation <= COSEM_DEVIATION_MAX);

	/* a fully given date must exist (no 30 February) */
	if (month_ok && day_ok && dt->year != PM_COSEM_YEAR_ANY && dt->month <= 12 &&
	    dt->day <= 31 && dt->month >= 1 && dt->day >= 1 &&
	    !pm_civil_date_is_valid(dt->year, dt->month, dt->day))
		return false;
	return month_ok && day_ok && field_ok(dt->dow, 1, 7) && field_ok(dt->hour, 0, 23) &&
	       field_ok(dt->min, 0, 59) && field_ok(dt->sec, 0, 59) &&
	       field_ok(dt->hundredths, 0, 99) && dev_ok;
}

void pm_cosem_datetime_from_utc(int64_t utc_s, int32_t offset_s, uint8_t status,
				struct pm_cosem_datetime *dt)
{
	int64_t local, days, sod, year, dev_min = -(int64_t)offset_s / 60;
	int month, day;

	if (__builtin_add_overflow(utc_s, (int64_t)offset_s, &local))
		local = utc_s; /* only at the ends of int64: the year is out of range anyway */
	days = pm_civil_floor_div(local, PM_S_PER_DAY);
	sod = local % PM_S_PER_DAY; /* not local - days * 86400, which overflows at the ends */
	if (sod < 0)
		sod += PM_S_PER_DAY;
	pm_civil_date_from_days(days, &year, &month, &day);
	/* a year the 16 bits cannot hold is given as not specified, the date-time as invalid */
	if (year < 0 || year >= PM_COSEM_YEAR_ANY) {
		dt->year = PM_COSEM_YEAR_ANY;
		status |= PM_COSEM_STATUS_INVALID;
	} else {
		dt->year = (uint16_t)year;
	}
	dt->month = (uint8_t)month;
	dt->day = (uint8_t)day;
	dt->dow = (uint8_t)pm_civil_weekday(days);
	dt->hour = (uint8_t)(sod / 3600);
	dt->min = (uint8_t)(sod / 60 % 60);
	dt->sec = (uint8_t)(sod % 60);
	dt->hundredths = 0;
	/* DLMS's deviation is local to UTC: the opposite of the offset east of UTC */
	dt->deviation =
	    dev_min > INT16_MAX || dev_min <= INT16_MIN ? PM_COSEM_DEVIATION_ANY : (int16_t)dev_min;
	dt->status = status;
}

int pm_cosem_datetime_to_utc(const struct pm_cosem_datetime *dt, int64_t *utc_s)
{
	struct pm_civil_time ct;

	if (dt->year == PM_COSEM_YEAR_ANY || dt->month < 1 || dt->month > 12 || dt->day < 1 ||
	    !pm_civil_date_is_valid(dt->year, dt->month, dt->day) || dt->hour > 23 ||
	    dt->min > 59 || dt->sec > 59 || !field_ok(dt->hundredths, 0, 99) ||
	    dt->deviation == PM_COSEM_DEVIATION_ANY || dt->deviation < -COSEM_DEVIATION_MAX ||
	    dt->deviation > COSEM_DEVIATION_MAX)
		return -1;
	if (dt->dow != PM_COSEM_ANY &&
	    dt->dow != pm_civil_weekday(pm_civil_days_from_date(dt->year, dt->month, dt->day)))
		return -1;
	ct.year = dt->year;
	ct.month = dt->month;
	ct.day = dt->day;
	ct.hour = dt->hour;
	ct.minute = dt->min;
	ct.second = dt->sec;
	/* UTC = local + deviation */
	*utc_s = pm_civil_to_utc_s(&ct) + (int64_t)dt->deviation * 60;
	return 0;
}
