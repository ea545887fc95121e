// SPDX-License-Identifier: GPL-2.0-only
/*
 * The profiles' logical names and capture objects (cosem-profile.h). OBIS codes (IEC 62056-6-1
 * as Gurux's OBIS table lists them, OBISCodes.txt: "99.1 Load profile with recording period 1",
 * "98.1 / 98.2 Data of billing period, scheme 1 / 2", "99.98 Event log", "96.10 Status
 * register", "96.11 Event object"; the log numbers E per IDIS / DSMR: 0 standard, 2
 * disconnector control, 4 power quality, 6 the prepayment log), docs/dlms-profiles.md.
 */
#include "core/dlms/cosem-profile.h"

#define CLOCK_COLUMN                                                                               \
	{                                                                                          \
		8, {0, 0, 1, 0, 0, 255}, 2, PM_COSEM_COL_CLOCK, 0                                  \
	}
#define ENERGY(c, e, source, i)                                                                    \
	{                                                                                          \
		3, {1, 0, c, 8, e, 255}, 2, source, i                                              \
	}
#define TOTALS                                                                                     \
	ENERGY(1, 0, PM_COSEM_COL_REG, 0), ENERGY(2, 0, PM_COSEM_COL_REG, 1),                      \
	    ENERGY(3, 0, PM_COSEM_COL_REG, 2), ENERGY(4, 0, PM_COSEM_COL_REG, 3)
#define RATES(c, source)                                                                           \
	ENERGY(c, 1, source, 0), ENERGY(c, 2, source, 1), ENERGY(c, 3, source, 2),                 \
	    ENERGY(c, 4, source, 3), ENERGY(c, 5, source, 4), ENERGY(c, 6, source, 5),             \
	    ENERGY(c, 7, source, 6), ENERGY(c, 8, source, 7)
/* the maximum demand Extended registers (cosem-extended-register.c): value and capture_time */
#define DEMAND(c, i)                                                                               \
	{4, {1, 0, c, 6, 0, 255}, 2, PM_COSEM_COL_DEMAND, i},                                      \
	{                                                                                          \
		4, {1, 0, c, 6, 0, 255}, 5, PM_COSEM_COL_DEMAND_TIME, i                            \
	}

/* clock, status (the AMR profile status, Data 0.0.96.10.1.255), +A, -A, +R, -R */
static const struct pm_cosem_column load_profile[] = {
    CLOCK_COLUMN,
    {1, {0, 0, 96, 10, 1, 255}, 2, PM_COSEM_COL_STATUS, 0},
    TOTALS,
};

/* clock, the totals, the 8 import and 8 export rate registers, the maximum demand of +A, -A */
static const struct pm_cosem_column billing[] = {
    CLOCK_COLUMN,
    TOTALS,
    RATES(1, PM_COSEM_COL_RATE_IMPORT),
    RATES(2, PM_COSEM_COL_RATE_EXPORT),
    DEMAND(1, 0),
    DEMAND(2, 1),
};

#define EVENT_LOG(e)                                                                               \
	static const struct pm_cosem_column event_log_##e[] = {                                    \
	    CLOCK_COLUMN,                                                                          \
	    {1, {0, 0, 96, 11, e, 255}, 2, PM_COSEM_COL_EVENT_CODE, 0},                            \
	}
EVENT_LOG(0);
EVENT_LOG(2);
EVENT_LOG(4);
EVENT_LOG(6);

#define N_OF(a) (uint8_t)(sizeof(a) / sizeof((a)[0]))
#define EVENTS(e)                                                                                  \
	{                                                                                          \
		{0, 0, 99, 98, e, 255}, event_log_##e, N_OF(event_log_##e), 0                      \
	}

static const struct pm_cosem_profile_def defs[PM_COSEM_PROFILES] = {
    [PM_COSEM_LOAD_PROFILE] = {{1, 0, 99, 1, 0, 255},
			       load_profile,
			       N_OF(load_profile),
			       PM_COSEM_PERIOD_OF_METER},
    /* captured at local midnights: daily a period of a day, monthly none (months vary) */
    [PM_COSEM_DAILY_BILLING] = {{1, 0, 98, 2, 0, 255}, billing, N_OF(billing), 86400},
    [PM_COSEM_MONTHLY_BILLING] = {{1, 0, 98, 1, 0, 255}, billing, N_OF(billing), 0},
    [PM_COSEM_STANDARD_EVENTS] = EVENTS(0),
    [PM_COSEM_DISCONNECT_EVENTS] = EVENTS(2),
    [PM_COSEM_POWER_QUALITY_EVENTS] = EVENTS(4),
    [PM_COSEM_CREDIT_EVENTS] = EVENTS(6),
};

_Static_assert(N_OF(billing) <= PM_COSEM_MAX_COLUMNS, "more columns than a selection holds");

const struct pm_cosem_profile_def *pm_cosem_profile_def(enum pm_cosem_profile p)
{
	return (unsigned)p < PM_COSEM_PROFILES ? &defs[p] : NULL;
}
