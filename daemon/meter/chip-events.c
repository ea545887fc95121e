// SPDX-License-Identifier: GPL-2.0-only
/* The chip's events, logged with the values of the scan after them (see chip-events.h). */
#include <stdio.h>

#include "meter/chip-events.h"

/* A source without timestamps never delivers a scan "after" an event: logged after this. */
#define CHIP_EVENT_WAIT_NS (INT64_C(5) * 1000000000)

/*
 * The chip signals both the start and the end of a swell or dip (docs/abi.md §6): the
 * voltage tells which.
 */
static void log_chip_event(struct pm_meter *pipe, const struct pm_chip_event *ev, int64_t when_ns,
			   const struct pm_scan *s)
{
	static const char *const kinds[] = {[PM_CHIP_SWELL] = "swell",
					    [PM_CHIP_DIP] = "dip",
					    [PM_CHIP_REVERSE] = "reverse_power",
					    [PM_CHIP_OVERCURRENT] = "overcurrent"};
	static const char *const lines[] = {"L1", "L2", "L3", "N"};
	int ph = ev->phase;
	char detail[128], value[48] = "no scan yet";

	if (s) {
		switch (ev->kind) {
		case PM_CHIP_SWELL:
		case PM_CHIP_DIP:
			snprintf(value, sizeof(value), "%.1f V", (double)s->ph[ph].v_mv / 1000.0);
			break;
		case PM_CHIP_REVERSE:
			snprintf(value, sizeof(value), "%s, %.1f W",
				 ev->rising ? "import again" : "export",
				 (double)s->ph[ph].p_mw / 1000.0);
			break;
		case PM_CHIP_OVERCURRENT:
			snprintf(value, sizeof(value), "%.3f A",
				 (double)(ph < PM_PHASES ? s->ph[ph].i_ma : s->neutral_ma) /
				     1000.0);
			break;
		}
	}
	snprintf(detail, sizeof(detail), "%s %s, %s", lines[ph], ev->rising ? "rising" : "falling",
		 value);
	pm_meter_event(pipe, when_ns, kinds[ev->kind], detail);
}

void pm_chip_events_flush(struct pm_chip_events *q, const struct pm_scan *last, bool all,
			  int64_t now_ns)
{
	size_t kept = 0;

	for (size_t i = 0; i < q->n_pending; i++) {
		const struct pm_chip_event *ev = &q->pending[i].ev;
		int64_t utc_ns = q->pending[i].utc_ns;

		if (all || (last && last->ts_ns > ev->ts_ns) ||
		    now_ns - utc_ns > CHIP_EVENT_WAIT_NS)
			log_chip_event(q->pipe, ev, utc_ns, last);
		else
			q->pending[kept++] = q->pending[i];
	}
	q->n_pending = kept;
}

void pm_chip_events_add(struct pm_chip_events *q, const struct pm_chip_event *ev, int64_t utc_ns,
			const struct pm_scan *last)
{
	if (q->n_pending == PM_CHIP_EVENTS_WAITING)
		pm_chip_events_flush(q, last, true, utc_ns);
	q->pending[q->n_pending].ev = *ev;
	q->pending[q->n_pending].utc_ns = utc_ns;
	q->n_pending++;
}
