/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One measurement scan as every source delivers it: physical integers, no floating point.
 * The instantaneous values are rounded to the unit; the energy counters stay raw codes with
 * their scale, so energy is exact (docs/abi.md §3: 64-bit lifetime counters that never wrap
 * in practice; consumers still take wrap-safe differences).
 */
#ifndef POLYMETER_SCAN_H
#define POLYMETER_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#define PM_PHASES 3

enum pm_kind { PM_ACTIVE, PM_REACTIVE, PM_APPARENT, PM_KINDS };

struct pm_scan_phase {
	int64_t v_mv;		   /* rms voltage */
	int64_t i_ma;		   /* rms current */
	int64_t p_mw;		   /* active power, negative = export */
	int64_t q_mvar;		   /* reactive power */
	int64_t s_mva;		   /* apparent power */
	int64_t f_mhz;		   /* line frequency measured on this phase; 0 = unknown */
	int64_t counter[PM_KINDS]; /* lifetime energy counters, codes */
};

struct pm_scan {
	int64_t ts_ns; /* monotonic clock of the source (IIO: the device's timestamp) */
	/*
	 * Identifies one run of the counters: differences of counters are meaningful only
	 * within one generation. A new generation whose counters_from_zero is true started
	 * counting at zero (the driver's counter_epoch changed: the counters restarted at probe).
	 */
	uint64_t generation;
	bool counters_from_zero;
	struct pm_scan_phase ph[PM_PHASES];
	int64_t neutral_ma;
	uint32_t nj_per_code[PM_KINDS]; /* counter scale: nJ (or nvar·s, nVA·s) per code */
};

/* Called by a source for every scan, in order. */
typedef void (*pm_scan_fn)(void *userdata, const struct pm_scan *scan);

static inline const char *pm_kind_name(enum pm_kind k)
{
	static const char *const names[PM_KINDS] = {"active", "reactive", "apparent"};
	return names[k];
}

#endif
