// SPDX-License-Identifier: GPL-2.0-only
/* One meter's pipeline: source sample -> metrology -> snapshot, checkpoints, events. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "core/billing/civil-time.h"
#include "meter/meter.h"

struct pm_meter {
	struct pm_meter_config cfg;
	char *name;
	struct pm_store *store;
	struct pm_meter_account_hook account_hook; /* the account saved with each checkpoint */
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
	/* load profile and maximum demand (UTC clock) */
	struct pm_profile prof;
	struct pm_demand dem_import, dem_export;
	bool have_last_interval; /* last_interval: the newest stored one, read at start */
	struct pm_store_profile last_interval;
	int month; /* UTC year x 12 + month of the last sample fed, -1 before */
	/* maximum demand read from the store at start, applied at the first sample fed */
	struct pm_store_demand demand_loaded[2 * PM_DEMAND_MONTHS];
	int n_demand_loaded;
	bool demand_dirty; /* peaks changed since the last successful save */
	/* power down/up: the UTC time and voltages of the previous sample */
	int64_t prev_utc_ns;
	bool have_prev;
	int64_t prev_v_mv[PM_MET_PHASES];
	int64_t checkpoint_utc_ns; /* of the checkpoint read at start */
	struct pm_wall_step clock; /* what the meter's clock says of the next sample */
	bool demand_restart;	   /* the clock was frozen: demand restarts when it runs */
	/*
	 * A run of store failures becomes one store_failed event, written once the store works
	 * again (it cannot be written while the store is the broken thing): the UTC time of the
	 * first failure, what failed, its error, and the failure count before it.
	 */
	int64_t utc_now_ns; /* of the sample or call being handled, 0 before any */
	bool store_event_pending;
	int64_t store_failed_utc_ns;
	const char *store_failed_what;
	int store_failed_error;
	uint64_t store_failures_before;
	pm_meter_event_fn event_listener;
	void *event_listener_data;
};

static const char *const event_kinds[] = {
    [PM_MET_EV_COUNTER_RESTART] = "chip_reset", /* the driver's counter_epoch changed */
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
	cfg->profile_period_ns = INT64_C(15) * 60 * 1000000000;
	cfg->profile_max_gap_ns = INT64_C(60) * 1000000000;
	cfg->demand_window_ns = INT64_C(15) * 60 * 1000000000;
	cfg->demand_subintervals = 1;
	cfg->align_ns = 0;
}

static void store_result(struct pm_meter *m, int r, const char *what);

/* The store_failed event of the last run of failures, now that the store works again. */
static void log_store_failure(struct pm_meter *m)
{
	char detail[160];
	int64_t at = m->store_failed_utc_ns ? m->store_failed_utc_ns : m->utc_now_ns;
	int r;

	snprintf(detail, sizeof(detail), "%s: %s; %" PRIu64 " store operations failed",
		 m->store_failed_what, strerror(-m->store_failed_error),
		 m->status.store_failures - m->store_failures_before);
	log_info("meter %s: event store_failed %s", m->name, detail);
	r = pm_store_add_event(m->store, m->name, at, "store_failed", detail);
	m->store_event_pending = r < 0; /* retried at the next success */
	if (r < 0)
		store_result(m, r, "event log");
}

static void store_result(struct pm_meter *m, int r, const char *what)
{
	if (r >= 0) {
		if (!m->status.store_ok)
			log_info("meter %s: store works again (%s)", m->name, what);
		m->status.store_ok = true;
		if (m->store_event_pending) {
			m->store_event_pending = false;
			log_store_failure(m);
		}
		return;
	}
	/* Logged at the first failure of a run of them, counted always. */
	if (m->status.store_ok || m->status.last_store_error != r)
		log_error("meter %s: %s failed: %s; metering continues in memory", m->name, what,
			  strerror(-r));
	if (!m->store_event_pending) {
		m->store_event_pending = true;
		m->store_failed_utc_ns = m->utc_now_ns;
		m->store_failed_what = what;
		m->store_failed_error = r;
		m->store_failures_before = m->status.store_failures;
	}
	m->status.store_ok = false;
	m->status.last_store_error = r;
	m->status.store_failures++;
}

void pm_meter_event(struct pm_meter *m, int64_t utc_ns, const char *kind, const char *detail)
{
	int r;

	log_info("meter %s: event %s %s", m->name, kind, detail ? detail : "");
	m->utc_now_ns = utc_ns;
	if (m->store) {
		r = pm_store_add_event(m->store, m->name, utc_ns, kind, detail);
		store_result(m, r, "event log");
		/* the count the views publish follows the store's, without a query per request */
		if (r >= 0)
			m->snap.events++;
	}
	if (m->event_listener)
		m->event_listener(m->event_listener_data, utc_ns, kind, detail);
}

void pm_meter_set_event_listener(struct pm_meter *m, pm_meter_event_fn fn, void *data)
{
	m->event_listener = fn;
	m->event_listener_data = data;
}

/* The store's count of the meter's events, read once; the meter counts on from there. */
static void load_event_count(struct pm_meter *m)
{
	uint64_t total = 0, dropped = 0;
	int r = pm_store_event_counts(m->store, m->name, &total, &dropped);

	if (r == -ENOENT) /* no event logged yet */
		r = 0;
	if (r < 0) {
		store_result(m, r, "reading the event count");
		return;
	}
	m->snap.events = total;
	m->snap.has_events = true;
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
	m->status.clock_trusted = true;
	m->clock.trusted = true;
	if (!m->name || pm_snapshot_init(&m->snap) < 0) {
		pm_meter_free(m);
		return -ENOMEM;
	}
	m->cfg.name = m->name;
	m->month = -1;
	pm_met_init(&m->met, &m->cfg.met);
	r = pm_profile_init(&m->prof, &(struct pm_profile_config){
					  .period_ns = cfg->profile_period_ns,
					  .align_ns = cfg->align_ns,
					  .max_gap_ns = cfg->profile_max_gap_ns,
					  .nregs = PM_STORE_PROF_REGS,
				      });
	if (r >= 0)
		r = pm_demand_init(&m->dem_import, &(struct pm_demand_config){
						       .window_ns = cfg->demand_window_ns,
						       .subintervals = cfg->demand_subintervals,
						       .align_ns = cfg->align_ns,
						   });
	if (r >= 0)
		r = pm_demand_init(&m->dem_export, &m->dem_import.cfg);
	if (r < 0) {
		pm_meter_free(m);
		return r;
	}
	if (store && pm_store_last_profile(store, m->name, &m->last_interval) == 0)
		m->have_last_interval = true;
	if (!store) {
		log_error("meter %s: no store: energy registers are not published", m->name);
	} else {
		r = pm_store_load_meter(store, m->name, &m->persist, &m->checkpoint_utc_ns);
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
	if (store)
		load_event_count(m);
	if (store) {
		r = pm_store_load_demand(store, m->name, m->demand_loaded,
					 sizeof(m->demand_loaded) / sizeof(m->demand_loaded[0]));
		if (r >= 0)
			m->n_demand_loaded = r;
		else
			store_result(m, r, "reading the maximum demand");
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

		if (e->type == PM_MET_EV_COUNTER_RESTART)
			snprintf(detail, sizeof(detail), "counter_epoch %" PRIu64 " -> %" PRIu64,
				 (uint64_t)e->a, (uint64_t)e->b);
		else
			snprintf(detail, sizeof(detail), "phase=%d a=%" PRId64 " b=%" PRId64,
				 e->phase, e->a, e->b);
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

void pm_meter_set_account_hook(struct pm_meter *m, const struct pm_meter_account_hook *hook)
{
	m->account_hook = *hook;
}

static int save(struct pm_meter *m, int64_t utc_ns)
{
	const struct pm_meter_account_hook *h = &m->account_hook;
	struct pm_store_account_record account;
	struct pm_met_persist p;
	bool with_account;
	int r;

	if (!m->store || !m->status.restored)
		return -ENODEV;
	pm_met_get_persist(&m->met, &p);
	with_account = h->record && h->record(h->userdata, utc_ns, &account);
	r = pm_store_save_checkpoint(m->store, m->name, &p, utc_ns, with_account ? &account : NULL);
	if (with_account && h->saved)
		h->saved(h->userdata, utc_ns, r);
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
	m->utc_now_ns = utc_ns;
	if (!m->status.restored || m->restore_pending)
		return 0;
	if (!memcmp(&m->saved, pm_met_registers(&m->met), sizeof(m->saved)) &&
	    m->status.checkpoints)
		return 0;
	return save(m, utc_ns);
}

/* UTC year x 12 + month (0-based) of t; its first instant in *start_ns (-1: before 1677). */
static int utc_month(int64_t t_ns, int64_t *start_ns)
{
	struct pm_civil_time ct;

	pm_civil_from_utc_ns(t_ns, &ct);
	ct.day = 1;
	ct.hour = ct.minute = ct.second = 0;
	if (start_ns && pm_civil_to_utc_ns(&ct, start_ns) < 0)
		return -1;
	return (int)(ct.year * 12 + ct.month - 1);
}

static void store_interval(struct pm_meter *m, const struct pm_profile_entry *e)
{
	struct pm_store_profile row = {
	    .end_ns = e->end_ns,
	    .period_ns = m->cfg.profile_period_ns,
	    .status = e->status,
	    .samples = e->samples,
	};
	int r;

	memcpy(row.reg, e->reg, sizeof(row.reg));
	memcpy(row.delta, e->delta, sizeof(row.delta));
	memcpy(row.avg, e->avg, sizeof(row.avg));
	if (!m->store)
		return;
	r = pm_store_add_profile(m->store, m->name, &row);
	store_result(m, r, "load profile");
	if (r >= 0)
		m->status.profile_intervals++;
	else
		m->status.profile_failures++;
}

/* The peaks stored before a restart, into the slots of the current month @month. */
static void restore_demand(struct pm_meter *m, int month)
{
	for (int i = 0; i < m->n_demand_loaded; i++) {
		const struct pm_store_demand *d = &m->demand_loaded[i];
		int slot = month - d->month;

		if (slot < 0 || slot >= PM_DEMAND_MONTHS)
			continue; /* too old, or from a clock that was ahead */
		(d->is_export ? &m->dem_export : &m->dem_import)->month[slot] =
		    (struct pm_demand_peak){
			.valid = true, .demand_mw = d->demand_mw, .end_ns = d->end_ns};
	}
	m->n_demand_loaded = 0;
}

static bool peak_eq(const struct pm_demand_peak *a, const struct pm_demand_peak *b)
{
	return a->valid == b->valid &&
	       (!a->valid || (a->demand_mw == b->demand_mw && a->end_ns == b->end_ns));
}

/*
 * Saves the valid peaks (month [0] is m->month) when they changed. A failed save is retried at
 * the next change, or at the next sample once the store works again (not at every sample of
 * a failing store).
 */
static void save_demand(struct pm_meter *m, bool changed_now)
{
	struct pm_store_demand d[2 * PM_DEMAND_MONTHS];
	size_t n = 0;
	int r;

	if (!m->store || !m->demand_dirty || (!changed_now && !m->status.store_ok))
		return;
	for (int slot = 0; slot < PM_DEMAND_MONTHS; slot++)
		for (int dir = 0; dir < 2; dir++) {
			const struct pm_demand_peak *p =
			    dir ? &m->status.demand_export[slot] : &m->status.demand_import[slot];

			if (p->valid)
				d[n++] = (struct pm_store_demand){.month = m->month - slot,
								  .is_export = dir,
								  .demand_mw = p->demand_mw,
								  .end_ns = p->end_ns};
		}
	r = pm_store_save_demand(m->store, m->name, d, n);
	store_result(m, r, "maximum demand");
	if (r >= 0)
		m->demand_dirty = false;
}

/* Feeds the load profile and the maximum demand with the (valid) registers of this sample. */
static void feed_profile_demand(struct pm_meter *m, int64_t utc_ns)
{
	const struct pm_met_registers *regs = pm_met_registers(&m->met);
	struct pm_profile_input in = {0};
	struct pm_profile_entry e;
	bool first = !m->prof.started, changed = false;
	int64_t month_start;
	int month;

	in.reg[PM_STORE_PROF_A_IMPORT] = regs->total[PM_MET_A_IMPORT].mwh;
	in.reg[PM_STORE_PROF_A_EXPORT] = regs->total[PM_MET_A_EXPORT].mwh;
	in.reg[PM_STORE_PROF_R_IMPORT] = regs->total[PM_MET_R_IMPORT].mwh;
	in.reg[PM_STORE_PROF_R_EXPORT] = regs->total[PM_MET_R_EXPORT].mwh;
	for (int ph = 0; ph < PM_MET_PHASES; ph++) {
		in.ph[ph].v_mv = m->inst.ph[ph].v_mv;
		in.ph[ph].i_ma = m->inst.ph[ph].i_ma;
		in.ph[ph].pf_micro = m->inst.ph[ph].pf_micro;
		in.ph[ph].f_mhz = m->inst.ph[ph].f_mhz;
	}
	if (m->clock.jump)
		pm_profile_mark(&m->prof, PM_PROFILE_CLOCK_ADJUSTED);
	if (m->clock.step) {
		pm_profile_clock_step(&m->prof, utc_ns);
		m->demand_restart = true;
	}
	if (pm_profile_update(&m->prof, utc_ns, &in, &e))
		store_interval(m, &e);
	if (first && m->have_last_interval) {
		/* what was counted since the last stored interval goes into the first new one */
		bool le = true;

		for (int r = 0; r < PM_STORE_PROF_REGS; r++)
			le = le && m->last_interval.reg[r] <= in.reg[r];
		if (le)
			memcpy(m->prof.base_reg, m->last_interval.reg,
			       sizeof(m->last_interval.reg));
	}

	/* a sample at exactly midnight closes the old month's last window: it belongs to it */
	month = utc_month(utc_ns - 1, NULL);
	if (m->month >= 0 && month > m->month && utc_month(utc_ns - 1, &month_start) >= 0) {
		pm_demand_month_rollover(&m->dem_import, month_start);
		pm_demand_month_rollover(&m->dem_export, month_start);
	}
	if (m->month < 0 && month >= 0)
		restore_demand(m, month);
	if (month > m->month)
		m->month = month;
	/* the energy of time that did not pass (a step) or of time counted twice (the clock
	 * set back and waiting) is no demand: the windows start again when the clock runs */
	if (m->clock.frozen) {
		m->demand_restart = true;
	} else {
		if (m->demand_restart) {
			pm_demand_restart(&m->dem_import);
			pm_demand_restart(&m->dem_export);
			m->demand_restart = false;
		}
		pm_demand_update(&m->dem_import, utc_ns, regs->total[PM_MET_A_IMPORT].mwh);
		pm_demand_update(&m->dem_export, utc_ns, regs->total[PM_MET_A_EXPORT].mwh);
	}
	for (int i = 0; i < PM_DEMAND_MONTHS; i++)
		if (!peak_eq(&m->status.demand_import[i], &m->dem_import.month[i]) ||
		    !peak_eq(&m->status.demand_export[i], &m->dem_export.month[i]))
			changed = true;
	m->demand_dirty = m->demand_dirty || changed;
	memcpy(m->status.demand_import, m->dem_import.month, sizeof(m->status.demand_import));
	memcpy(m->status.demand_export, m->dem_export.month, sizeof(m->status.demand_export));
	save_demand(m, changed);
}

/* "L1 230.0 V, L2 ..." from the voltages in mV. */
static void voltages(char *buf, size_t len, const int64_t v_mv[PM_MET_PHASES])
{
	snprintf(buf, len, "L1 %.1f V, L2 %.1f V, L3 %.1f V", (double)v_mv[0] / 1000.0,
		 (double)v_mv[1] / 1000.0, (double)v_mv[2] / 1000.0);
}

/*
 * Power down / power up: no sample for longer than profile_max_gap while the daemon ran, or,
 * at the first sample after a start, the driver's counter_epoch changed since the checkpoint
 * and the checkpoint is older than profile_max_gap (the chip restarted: its supply was cut,
 * or its module reloaded). The power_down is dated at the last sample (checkpoint) known
 * before the gap, with the voltages seen then when known.
 */
static void power_events(struct pm_meter *m, const struct pm_met_sample *s, int64_t utc_ns)
{
	char detail[160], v[96];
	int64_t down_ns = 0;
	bool down = false;

	if (m->have_prev) {
		down = utc_ns - m->prev_utc_ns > m->cfg.profile_max_gap_ns;
		down_ns = m->prev_utc_ns;
		if (down) {
			voltages(v, sizeof(v), m->prev_v_mv);
			snprintf(detail, sizeof(detail), "last sample: %s", v);
		}
	} else if (m->restore_pending && m->persist.has_counters &&
		   m->persist.generation != s->generation && m->checkpoint_utc_ns > 0) {
		down = utc_ns - m->checkpoint_utc_ns > m->cfg.profile_max_gap_ns;
		down_ns = m->checkpoint_utc_ns;
		snprintf(detail, sizeof(detail), "last checkpoint before the chip restarted");
	}
	if (down) {
		pm_meter_event(m, down_ns, "power_down", detail);
		voltages(v, sizeof(v),
			 (int64_t[PM_MET_PHASES]){s->ph[0].v_mv, s->ph[1].v_mv, s->ph[2].v_mv});
		snprintf(detail, sizeof(detail), "after %.1f s: %s",
			 (double)(utc_ns - down_ns) / 1e9, v);
		pm_meter_event(m, utc_ns, "power_up", detail);
	}
	m->have_prev = true;
	m->prev_utc_ns = utc_ns;
	for (int ph = 0; ph < PM_MET_PHASES; ph++)
		m->prev_v_mv[ph] = s->ph[ph].v_mv;
}

int pm_meter_push(struct pm_meter *m, const struct pm_met_sample *s, int64_t utc_ns)
{
	struct pm_met_events ev = {0};
	bool restored_now = false;
	uint64_t g;
	int r;

	m->utc_now_ns = utc_ns;
	/* a clock set or held is no power cut: the gap is measured from here */
	if (m->clock.step || m->clock.hold)
		m->have_prev = false;
	if (!m->clock.hold || m->restore_pending)
		power_events(m, s, utc_ns);
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
	if (!m->clock.hold)
		feed_profile_demand(m, utc_ns);
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

void pm_meter_set_clock(struct pm_meter *m, const struct pm_wall_step *clock)
{
	m->clock = *clock;
	m->status.clock_trusted = clock->trusted;
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

struct pm_store *pm_meter_store(const struct pm_meter *m)
{
	return m->store;
}

void pm_meter_set_account(struct pm_meter *m, const struct pm_snapshot_account *account)
{
	m->snap.account = *account;
}
