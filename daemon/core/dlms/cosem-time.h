/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * COSEM date-time (IEC 62056-6-2, "date-time": octet-string of 12 octets): year (u16),
 * month, day of month, day of week (1 Monday .. 7 Sunday), hour, minute, second, hundredths,
 * deviation (i16, minutes), clock status. 0xFF (0xFFFF for the year, 0x8000 for the
 * deviation) is "not specified".
 *
 * The deviation is DLMS's, not ISO 8601's: the minutes from local time to UTC
 * (UTC = local + deviation), so Paris in winter (UTC+01:00) is -60. Gurux's documentation of
 * its Clock object confirms the sign for DLMS and IDIS (some national companions invert it;
 * we follow the standard).
 */
#ifndef POLYMETER_COSEM_TIME_H
#define POLYMETER_COSEM_TIME_H

#include <stdbool.h>
#include <stdint.h>

#define PM_COSEM_DATETIME_LEN 12
#define PM_COSEM_YEAR_ANY 0xFFFF
#define PM_COSEM_ANY 0xFF
#define PM_COSEM_DEVIATION_ANY INT16_MIN

/* Clock status bits (Clock attribute 4 and the last octet of a date-time). */
enum pm_cosem_clock_status {
	PM_COSEM_STATUS_INVALID = 0x01,
	PM_COSEM_STATUS_DOUBTFUL = 0x02,
	PM_COSEM_STATUS_DIFFERENT_BASE = 0x04,
	PM_COSEM_STATUS_INVALID_STATUS = 0x08,
	PM_COSEM_STATUS_DST = 0x80, /* daylight saving active */
};

struct pm_cosem_datetime {
	uint16_t year;
	uint8_t month, day, dow, hour, min, sec, hundredths;
	int16_t deviation;
	uint8_t status;
};

void pm_cosem_datetime_encode(const struct pm_cosem_datetime *dt,
			      uint8_t out[PM_COSEM_DATETIME_LEN]);
/* Any 12 octets decode; pm_cosem_datetime_check says whether they make a date-time. */
void pm_cosem_datetime_decode(const uint8_t in[PM_COSEM_DATETIME_LEN],
			      struct pm_cosem_datetime *dt);
/*
 * Whether every field is in its range or not specified (month and day of month may also be
 * 0xFD / 0xFE, the standard's daylight-savings-end / -begin months and second-last / last
 * days), and a fully given date exists.
 */
bool pm_cosem_datetime_check(const struct pm_cosem_datetime *dt);

/*
 * The local date-time of @utc_s at @offset_s east of UTC (what localtime gives as tm_gmtoff),
 * deviation = -offset in minutes, with @status (PM_COSEM_STATUS_DST when daylight saving is
 * in force).
 */
void pm_cosem_datetime_from_utc(int64_t utc_s, int32_t offset_s, uint8_t status,
				struct pm_cosem_datetime *dt);
/*
 * The UTC of a fully specified date-time (every field but hundredths and day of week given,
 * deviation given): 0, or -1 when a field is out of range or not specified. A wrong day of
 * week (when given) is an error too.
 */
int pm_cosem_datetime_to_utc(const struct pm_cosem_datetime *dt, int64_t *utc_s);

#endif
