/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Profile generic objects (class 7, version 1: cosem-profile.c) and what they read of the
 * meter: the load profile, the daily and monthly billing profiles and the event logs, whose rows
 * the daemon streams from its store (struct pm_cosem_meter's profile callbacks,
 * views/dlms/dlms-meter-profiles.c), and their capture objects (cosem-profile-defs.c).
 * docs/dlms-profiles.md has the OBIS codes, the columns and the event codes.
 */
#ifndef POLYMETER_COSEM_PROFILE_H
#define POLYMETER_COSEM_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dlms/cosem.h"

/* The profiles this meter keeps; the object's arg. */
enum pm_cosem_profile {
	PM_COSEM_LOAD_PROFILE,	       /* 1.0.99.1.0.255 */
	PM_COSEM_DAILY_BILLING,	       /* 1.0.98.2.0.255 */
	PM_COSEM_MONTHLY_BILLING,      /* 1.0.98.1.0.255 */
	PM_COSEM_STANDARD_EVENTS,      /* 0.0.99.98.0.255 */
	PM_COSEM_DISCONNECT_EVENTS,    /* 0.0.99.98.2.255 */
	PM_COSEM_POWER_QUALITY_EVENTS, /* 0.0.99.98.4.255 */
	PM_COSEM_CREDIT_EVENTS,	       /* 0.0.99.98.6.255 */
	PM_COSEM_PROFILES
};

#define PM_COSEM_PROFILE_RATES 8 /* rate registers a billing row holds */

/*
 * One row of a profile, as the meter gives it; each profile's columns read their fields
 * (cosem-profile-defs.c). Energy in mWh / mvarh (the Registers' scaler -3), demand in mW.
 */
struct pm_cosem_profile_row {
	int64_t utc_s;			 /* the clock column: interval end, capture or event time */
	uint32_t status;		 /* load profile: enum pm_profile_status bits */
	uint16_t event_code;		 /* event logs: cosem-event-codes.h */
	uint64_t reg[4];		 /* +A, -A, +R, -R totals */
	uint8_t n_rates, n_export_rates; /* billing: the rate registers the tariff had */
	uint64_t rate_import[PM_COSEM_PROFILE_RATES];
	uint64_t rate_export[PM_COSEM_PROFILE_RATES];
	bool md_valid[2]; /* billing: maximum demand of +A [0] and -A [1] */
	int64_t md_mw[2];
	int64_t md_end_s[2];
};

/*
 * Which rows: by time, those whose clock column is in [from_utc_s, to_utc_s]; by entry, the
 * @count rows from the 0-based @first one, oldest first (count 0: to the last).
 */
struct pm_cosem_rows_query {
	bool by_entry;
	int64_t from_utc_s, to_utc_s;
	uint32_t first, count;
};

/* Visits one row; 0 goes on, anything else stops the read. */
typedef int (*pm_cosem_row_fn)(void *ctx, const struct pm_cosem_profile_row *row);

/* What a column of a profile reads of a row. */
enum pm_cosem_column_source {
	PM_COSEM_COL_CLOCK,	  /* date-time of utc_s, local time */
	PM_COSEM_COL_STATUS,	  /* the profile status bits (cosem-profile.c), unsigned */
	PM_COSEM_COL_EVENT_CODE,  /* long-unsigned */
	PM_COSEM_COL_REG,	  /* reg[index], long64 */
	PM_COSEM_COL_RATE_IMPORT, /* rate_import[index], long64; null-data beyond n_rates */
	PM_COSEM_COL_RATE_EXPORT,
	PM_COSEM_COL_DEMAND,	  /* md_mw[index], long64 */
	PM_COSEM_COL_DEMAND_TIME, /* md_end_s[index], date-time ("not specified" when none) */
};

/* One capture object: {class_id, logical_name, attribute_index, data_index 0}, and its source. */
struct pm_cosem_column {
	uint16_t class_id;
	uint8_t ln[6];
	int8_t attr;
	uint8_t source; /* enum pm_cosem_column_source */
	uint8_t index;
};

#define PM_COSEM_MAX_COLUMNS 32

struct pm_cosem_profile_def {
	uint8_t ln[6];
	const struct pm_cosem_column *columns;
	uint8_t n_columns;
	/* capture_period (attribute 4), s; UINT32_MAX: the meter's profile period */
	uint32_t capture_period_s;
};

#define PM_COSEM_PERIOD_OF_METER UINT32_MAX

struct pm_cosem_meter;

/*
 * The meter's local offset east of UTC at @utc_s and whether daylight saving is in force then:
 * its local_offset callback, else the Clock's rules for this year (cosem-clock.h). Every time
 * stamp of the profiles and the calendar objects is written with it (cosem-profile.c).
 */
int32_t pm_cosem_meter_offset_at(const struct pm_cosem_meter *m, int64_t utc_s, bool *dst);

/* The definition of profile @p (cosem-profile-defs.c). */
const struct pm_cosem_profile_def *pm_cosem_profile_def(enum pm_cosem_profile p);

#endif
