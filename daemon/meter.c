// SPDX-License-Identifier: GPL-2.0-only
/* One meter's pipeline: source sample -> metrology -> snapshot, checkpoints, events. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "meter.h"

struct pm_meter {
	struct pm_meter_config cfg;
	char *name;
	struct pm_store *store;
	struct pm_met met;
	struct pm_snapshot snap;
	struct pm_met_instant inst;
	struct pm_meter_status status;
	/* the checkpoint read at start, applied to the first sample */
	bool restore_pending;
	struct pm_met_persist persist;
	/* what the last successful checkpoint holds */
	struct pm_met_registers saved;
	int64_t saved_at_ns; /* sample clock of the last checkpoint attempt */
	int64_t last_ts_ns;
};

static const char *const event_kinds[] = {
    [PM_MET_EV_COUNTER_RESTART] = "counter_restart",
    [PM_MET_EV_COUNTER_BACKWARDS] = "counter_backwards",
    [PM_MET_EV_DIVERGENCE] = "divergence",
    [PM_MET_EV_TIME_BACKWARDS] = "time_backwards",
    [PM_MET_EV_RESTART_RECOVERED] = "restart_recovered",
    [PM_MET_EV_RESTART_UNRECOVERABLE] = "restart_unrecoverable",
    [PM_MET_EV_REGISTER_RESET_REFUSED] = "register_reset_refused",
    [PM_MET_EV_BAD_SAMPLE] = "bad_sample",
};

void pm_meter_config_default(struct pm_meter_config *cfg, const char *name)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->name = name;
	cfg->wiring = PM_MET_WIRING_WYE;
	pm_met_config_default(&cfg->met);
	cfg->checkpoint_mwh = 1000;
	cfg->checkpoint_interval_ns = INT64_C(60) * 1000000000;
}

static void store_result(struct pm_meter *m, int r, const char *what)
{
	if (r >= 0) {
		if (!m->status.store_ok)
			log_info("meter %s: store works again (%s)", m->name, what);
		m->status.store_ok = true;
		return;
	}
	/* Logged at the first failure of a run of them, counted always. */
	if (m->status.store_ok || m->status.last_store_error != r)
		log_error("meter %s: %s failed: %s; metering continues in memory", m->name, what,
			  strerror(-r));
	m->status.store_ok = false;
	m->status.last_store_error = r;
	m->status.store_failures++;
}

void pm_meter_event(struct pm_meter *m, int64_t utc_ns, const char *kind, const char *detail)
{
	log_info("meter %s: event %s %s", m->name, kind, detail ? detail : "");
	if (m->store)
		store_result(m, pm_store_add_event(m->store, m->name, utc_ns, kind, detail),
			     "event log");
}

int pm_meter_new(const struct pm_meter_config *cfg, struct pm_store *store, struct pm_meter **out)
{
	struct pm_meter *m = calloc(1, sizeof(*m));
	int r;

	*out = NULL;
	if (!m)
		return -ENOMEM;
	m->cfg = *cfg;
	m->name = strdup(cfg->name);
	m->store = store;
	m->status.store_ok = store != NULL;
	if (!m->name || pm_snapshot_init(&m->snap) < 0) {
		pm_meter_free(m);
		return -ENOMEM;
	}
	m->cfg.name = m->name;
	pm_met_init(&m->met, &m->cfg.met);
	if (!store) {
		log_error("meter %s: no store: energy registers are not published", m->name);
	} else {
		r = pm_store_load_meter(store, m->name, &m->persist, NULL);
		if (r == 0) {
			m->restore_pending = true;
			m->saved = m->persist.regs;
		} else if (r == -ENOENT) {
			/* a new meter: registers start at zero from its first sample */
			m->status.restored = true;
		} else {
			store_result(m, r, "reading the checkpoint");
			log_error("meter %s: energy registers are not published until the store "
				  "can be read",
				  m->name);
		}
	}
	*out = m;
	return 0;
}

void pm_meter_free(struct pm_meter *m)
{
	if (!m)
		return;
	pm_snapshot_free(&m->snap);
	free(m->name);
	free(m);
}

static void log_events(struct pm_meter *m, const struct pm_met_events *ev, int64_t utc_ns)
{
	char detail[160];

	for (size_t i = 0; i < ev->count; i++) {
		const struct pm_met_event *e = &ev->ev[i];

		snprintf(detail, sizeof(detail), "phase=%d a=%" PRId64 " b=%" PRId64, e->phase,
			 e->a, e->b);
		pm_meter_event(m, utc_ns, event_kinds[e->type], detail);
	}
	if (ev->dropped) {
		snprintf(detail, sizeof(detail), "%zu events of one sample not logged",
			 ev->dropped);
		pm_meter_event(m, utc_ns, "events_dropped", detail);
	}
}

/* Largest growth of any register since the last checkpoint, mWh. */
static uint64_t growth_mwh(const struct pm_met_registers *now, const struct pm_met_registers *then)
{
	uint64_t g = 0;

	for (int r = 0; r < PM_MET_REG_COUNT; r++) {
		for (int ph = 0; ph < PM_MET_PHASES; ph++)
			if (now->phase[ph][r].mwh - then->phase[ph][r].mwh > g)
				g = now->phase[ph][r].mwh - then->phase[ph][r].mwh;
		if (now->total[r].mwh - then->total[r].mwh > g)
			g = now->total[r].mwh - then->total[r].mwh;
	}
	return g;
}

static int save(struct pm_meter *m, int64_t utc_ns)
{
	struct pm_met_persist p;
	int r;

	if (!m->store || !m->status.restored)
		return -ENODEV;
	pm_met_get_persist(&m->met, &p);
	r = pm_store_save_meter(m->store, m->name, &p, utc_ns);
	store_result(m, r, "checkpoint");
	m->saved_at_ns = m->last_ts_ns;
	if (r >= 0) {
		m->saved = p.regs;
		m->status.checkpoints++;
	}
	return r;
}

int pm_meter_checkpoint(struct pm_meter *m, int64_t utc_ns)
{
	if (!m->status.restored || m->restore_pending)
		return 0;
	if (!memcmp(&m->saved, pm_met_registers(&m->met), sizeof(m->saved)) &&
	    m->status.checkpoints)
		return 0;
	return save(m, utc_ns);
}

int pm_meter_push(struct pm_meter *m, const struct pm_met_sample *s, int64_t utc_ns)
{
	struct pm_met_events ev = {0};
	bool restored_now = false;
	uint64_t g;
	int r;

	if (m->restore_pending) {
		r = pm_met_restore(&m->met, &m->persist, s, &ev);
		if (r == 0) {
			m->restore_pending = false;
			m->status.restored = true;
			restored_now = true;
		}
	} else {
		r = pm_met_update(&m->met, s, &ev);
	}
	log_events(m, &ev, utc_ns);
	if (r < 0)
		return r;
	m->status.samples++;
	m->last_ts_ns = s->ts_ns;
	if (m->status.samples == 1)
		m->saved_at_ns = s->ts_ns;

	pm_met_instant(s, m->cfg.wiring, &m->inst);
	pm_snapshot_fill(&m->snap, &m->inst, pm_met_registers(&m->met));
	if (!m->status.restored)
		for (size_t i = 0; i < pm_point_count; i++)
			if (pm_points[i].source == PM_SRC_ENERGY)
				m->snap.valid[i] = false;

	if (!m->status.restored)
		return 0;
	/*
	 * The energy recovered from the driver's counters is saved at once, and so is a new
	 * meter's first sample: from then on a crash can be recovered from the counters.
	 */
	if (restored_now || m->status.samples == 1) {
		(void)save(m, utc_ns);
		return 0;
	}
	g = growth_mwh(pm_met_registers(&m->met), &m->saved);
	if (g == 0)
		return 0;
	/* A failing store is retried once an interval, not at every sample. */
	if ((m->status.store_ok && g >= m->cfg.checkpoint_mwh) ||
	    s->ts_ns - m->saved_at_ns >= m->cfg.checkpoint_interval_ns)
		(void)save(m, utc_ns);
	return 0;
}

const struct pm_snapshot *pm_meter_snapshot(const struct pm_meter *m)
{
	return &m->snap;
}

const struct pm_met_registers *pm_meter_registers(const struct pm_meter *m)
{
	return pm_met_registers(&m->met);
}

const struct pm_meter_status *pm_meter_status(const struct pm_meter *m)
{
	return &m->status;
}

const char *pm_meter_name(const struct pm_meter *m)
{
	return m->name;
}
