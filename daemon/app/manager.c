// SPDX-License-Identifier: GPL-2.0-only
/* The manager (see manager.h). */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include <sys/stat.h>
#include <time.h>

#include "meter/billing.h"
#include "views/dbus/bus-account.h"
#include "supply/relay.h"
#include "common/adapter-math.h"
#include "views/dbus/bus.h"
#include "acquire/calibrator.h"
#include "common/log.h"
#include "app/manager.h"
#include "app/meter-config.h"
#include "meter/meter.h"
#include "core/proto/modbus-map.h"
#include "views/modbus/modbus-rtu.h"
#include "views/modbus/modbus-tcp.h"
#include "acquire/source-replay.h"
#include "acquire/source.h"
#include "store/store.h"

struct manager_meter {
	struct pm_manager *manager;
	const struct pm_conf_meter *conf;
	struct pm_source *source;
	bool have_last;
	struct pm_scan last;
	struct pm_energy_nj energy_nj[PM_PHASES][PM_KINDS]; /* counted since start, signed */
	uint64_t scans;
	uint64_t scans_logged; /* at the last status line */
	unsigned restarts;     /* counter generations seen change */
	struct pm_meter *pipe; /* metrology, snapshot, checkpoints */
	struct pm_mb_map modbus_map;
	struct pm_mbtcp *modbus;     /* NULL: no Modbus TCP server for this meter */
	struct pm_mbrtu *modbus_rtu; /* NULL: no Modbus RTU server */
	struct pm_calibrator *calib;
	/* device lost/found events: what the source said at the last look */
	unsigned losses_seen;
	bool lost;
	int64_t lost_utc_ns;
	/* the sim source's simulated clock as UTC: UTC at its first scan + simulated time */
	bool have_sim_clock;
	int64_t sim_utc0_ns, sim_ts0_ns;
	/* chip events waiting for the next scan, whose values they are logged with */
	struct pending_chip_event {
		struct pm_chip_event ev;
		int64_t utc_ns;
	} pending[8];
	size_t n_pending;
	struct pm_billing *billing; /* the account (tariff, balance, supply) */
	struct pm_relay *relay;	    /* supply-control GPIO lines; NULL when none configured */
	struct pm_bus_account *bus_account;
	uint64_t checkpoints_seen; /* the meter's energy checkpoints billing has seen */
	FILE *record;		   /* NULL: not recording */
	bool finished;		   /* the source delivered its last scan */
};

struct pm_manager {
	sd_event *event;
	struct pm_conf conf;
	struct manager_meter meter[PM_CONF_MAX_METERS];
	size_t n_meters;
	sd_event_source *log_timer;
	uint64_t once; /* 0 = run until stopped */
	size_t once_done;
	FILE *json;
	struct pm_store *store;	       /* NULL: registers in memory only */
	struct pm_bus *bus;	       /* NULL: no D-Bus view */
	sd_event_source *device_timer; /* looks for lost and found devices */
	size_t finished;	       /* meters whose source has finished */
};

static int64_t utc_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * The meter's clock: its source's simulated UTC (simulated clock, replay); for a simulated source
 * without sim_start, its simulated clock at the last scan (scan_utc_ns), which runs sim_speed
 * times faster than the wall's; else the wall clock. Billing runs on the same clock, so a
 * command never lands before the sample billed last.
 */
static int64_t meter_now(const struct manager_meter *mt)
{
	int64_t t;

	if (mt->source && pm_source_sim_utc(mt->source, &t))
		return t;
	if (mt->have_sim_clock && mt->have_last)
		return mt->sim_utc0_ns + (mt->last.ts_ns - mt->sim_ts0_ns);
	return utc_ns();
}

/* The D-Bus account view runs on the meter's clock, as its billing does. */
static int64_t meter_clock(void *userdata)
{
	return meter_now(userdata);
}

/* The D-Bus view reads a meter's event log and load profile from the store. */
static int bus_events(void *userdata, struct pm_store_event *ev, size_t max)
{
	struct pm_meter *pipe = userdata;
	struct pm_store *st = pm_meter_store(pipe);

	return st ? pm_store_events(st, pm_meter_name(pipe), ev, max) : -ENODEV;
}

static int bus_profile(void *userdata, int64_t from_ns, int64_t to_ns,
		       struct pm_store_profile **out, size_t *n)
{
	struct pm_meter *pipe = userdata;
	struct pm_store *st = pm_meter_store(pipe);

	return st ? pm_store_profiles(st, pm_meter_name(pipe), from_ns, to_ns, out, n) : -ENODEV;
}

static void bus_demand(void *userdata, struct pm_demand_peak import[PM_DEMAND_MONTHS],
		       struct pm_demand_peak export_[PM_DEMAND_MONTHS])
{
	const struct pm_meter_status *st = pm_meter_status(userdata);

	memcpy(import, st->demand_import, sizeof(st->demand_import));
	memcpy(export_, st->demand_export, sizeof(st->demand_export));
}

static void bus_store(void *userdata, bool *ok, uint64_t *failures)
{
	const struct pm_meter_status *st = pm_meter_status(userdata);

	*ok = st->store_ok;
	*failures = st->store_failures;
}

static const struct pm_bus_meter_ops bus_ops = {
    .events = bus_events,
    .profile = bus_profile,
    .demand = bus_demand,
    .store = bus_store,
};

static int bus_calibrate(void *userdata, const struct pm_cal_request *req,
			 struct pm_cal_result *res, char *err, size_t errlen)
{
	return pm_calibrator_run(userdata, req, res, err, errlen);
}

/* A scan as metrology takes it (same units; PF from P and S, frequency not in the scan). */
static void to_sample(const struct pm_scan *scan, struct pm_met_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->ts_ns = scan->ts_ns;
	s->generation = scan->generation;
	s->neutral_i_ma = scan->neutral_ma;
	for (int k = 0; k < PM_KINDS; k++)
		s->nj_per_code[k] = scan->nj_per_code[k];
	for (int n = 0; n < PM_PHASES; n++) {
		const struct pm_scan_phase *in = &scan->ph[n];
		struct pm_met_phase_sample *out = &s->ph[n];

		out->v_mv = in->v_mv;
		out->i_ma = in->i_ma;
		out->p_mw = in->p_mw;
		out->q_mvar = in->q_mvar;
		out->s_mva = in->s_mva;
		out->pf_micro = in->s_mva > 0 ? (int32_t)(in->p_mw * 1000000 / in->s_mva) : 1000000;
		out->f_mhz = in->f_mhz;
		for (int k = 0; k < PM_KINDS; k++)
			out->counter[k] = in->counter[k];
	}
}

/* "-12.345" from milli-units, without floating point. */
static const char *milli(char *buf, size_t len, int64_t x)
{
	const char *sign = x < 0 ? "-" : "";
	uint64_t a = pm_abs_u64(x);

	snprintf(buf, len, "%s%" PRIu64 ".%03u", sign, a / 1000, (unsigned)(a % 1000));
	return buf;
}

/* The energy between the previous scan and this one, per phase and kind, in counter codes. */
static void count_energy(struct manager_meter *mt, const struct pm_scan *scan)
{
	int64_t delta[PM_PHASES][PM_KINDS];
	bool credit = true;

	if (!mt->have_last) {
		credit = false; /* first scan: the baseline */
	} else if (scan->generation != mt->last.generation) {
		mt->restarts++;
		credit = scan->counters_from_zero;
		log_notice("meter %s: energy counters restarted (generation %" PRIu64 " -> %" PRIu64
			   "), %s",
			   mt->conf->name, mt->last.generation, scan->generation,
			   credit ? "counting from zero" : "new baseline");
	}
	for (int n = 0; n < PM_PHASES; n++)
		for (int k = 0; k < PM_KINDS; k++) {
			int64_t from = 0;

			if (mt->have_last && scan->generation == mt->last.generation)
				from = mt->last.ph[n].counter[k];
			/* two's complement difference: right across a wrap of the counter */
			delta[n][k] = (int64_t)((uint64_t)scan->ph[n].counter[k] - (uint64_t)from);
		}
	if (credit && mt->have_last && scan->generation == mt->last.generation) {
		/* Same generation and yet apparent energy went back: the counters were reset
		 * behind our back. Nothing can be credited for this interval. */
		for (int n = 0; n < PM_PHASES; n++)
			if (delta[n][PM_APPARENT] < 0) {
				log_warning("meter %s: phase %c apparent counter went backwards, "
					    "new baseline",
					    mt->conf->name, 'A' + n);
				mt->restarts++;
				credit = false;
			}
	}
	if (credit)
		for (int n = 0; n < PM_PHASES; n++)
			for (int k = 0; k < PM_KINDS; k++)
				pm_energy_add_codes(&mt->energy_nj[n][k], delta[n][k],
						    scan->nj_per_code[k]);
	mt->last = *scan;
	mt->have_last = true;
}

static void print_json(struct manager_meter *mt, const struct pm_scan *s, FILE *f)
{
	static const char *const kinds[PM_KINDS] = {"active", "reactive", "apparent"};
	char b[3][48];

	fprintf(f,
		"{\"meter\":\"%s\",\"scan\":%" PRIu64 ",\"ts_ns\":%" PRId64
		",\"generation\":%" PRIu64 ",\"restarts\":%u,\"losses\":%u",
		mt->conf->name, mt->scans, s->ts_ns, s->generation, mt->restarts,
		pm_source_losses(mt->source));
#define PHASES3(key, field)                                                                        \
	fprintf(f, ",\"" key "\":[%" PRId64 ",%" PRId64 ",%" PRId64 "]", s->ph[0].field,           \
		s->ph[1].field, s->ph[2].field)
	PHASES3("v_mv", v_mv);
	PHASES3("i_ma", i_ma);
	PHASES3("p_mw", p_mw);
	PHASES3("q_mvar", q_mvar);
	PHASES3("s_mva", s_mva);
	PHASES3("f_mhz", f_mhz);
#undef PHASES3
	fprintf(f, ",\"neutral_ma\":%" PRId64, s->neutral_ma);
	fprintf(f, ",\"nj_per_code\":[%" PRIu32 ",%" PRIu32 ",%" PRIu32 "]", s->nj_per_code[0],
		s->nj_per_code[1], s->nj_per_code[2]);
	fputs(",\"counter\":{", f);
	for (int k = 0; k < PM_KINDS; k++)
		fprintf(f, "%s\"%s\":[%" PRId64 ",%" PRId64 ",%" PRId64 "]", k ? "," : "", kinds[k],
			s->ph[0].counter[k], s->ph[1].counter[k], s->ph[2].counter[k]);
	fputs("},\"energy_nj\":{", f);
	for (int k = 0; k < PM_KINDS; k++)
		fprintf(f, "%s\"%s\":[%s,%s,%s]", k ? "," : "", kinds[k],
			pm_energy_nj_str(b[0], sizeof(b[0]), &mt->energy_nj[0][k]),
			pm_energy_nj_str(b[1], sizeof(b[1]), &mt->energy_nj[1][k]),
			pm_energy_nj_str(b[2], sizeof(b[2]), &mt->energy_nj[2][k]));
	fputs("}", f);
	if (pm_meter_snapshot(mt->pipe)->valid[pm_point_find("total.energy.active_import")]) {
		static const struct {
			const char *name;
			enum pm_met_reg reg;
		} regs[] = {{"A+", PM_MET_A_IMPORT}, {"A-", PM_MET_A_EXPORT},
			    {"R+", PM_MET_R_IMPORT}, {"R-", PM_MET_R_EXPORT},
			    {"S+", PM_MET_S_IMPORT}, {"S-", PM_MET_S_EXPORT}};
		const struct pm_met_registers *r = pm_meter_registers(mt->pipe);

		/* registers in mWh: total, then phases A, B, C */
		fputs(",\"registers_mwh\":{", f);
		for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
			fprintf(f, "%s\"%s\":[%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "]",
				i ? "," : "", regs[i].name, r->total[regs[i].reg].mwh,
				r->phase[0][regs[i].reg].mwh, r->phase[1][regs[i].reg].mwh,
				r->phase[2][regs[i].reg].mwh);
		fputs("}", f);
	}
	fputs("}\n", f);
	fflush(f);
}

/*
 * The UTC time of a scan for the profile, the demand, the account and the events: the source's
 * simulated UTC (simulated clock with sim_start, replay), else the wall clock, except for the
 * simulated source without sim_start, whose simulated clock runs from the wall clock of its first
 * scan (so sim_speed makes demand windows and profile intervals pass faster too).
 */
static int64_t scan_utc_ns(struct manager_meter *mt, const struct pm_scan *scan)
{
	int64_t t;

	if (pm_source_sim_utc(mt->source, &t))
		return t;
	if (mt->conf->source != PM_SOURCE_SIM)
		return utc_ns();
	if (!mt->have_sim_clock) {
		mt->have_sim_clock = true;
		mt->sim_utc0_ns = utc_ns();
		mt->sim_ts0_ns = scan->ts_ns;
	}
	return mt->sim_utc0_ns + (scan->ts_ns - mt->sim_ts0_ns);
}

static void flush_chip_events_when(struct manager_meter *mt, bool all);

/* The account follows the registers: billed on each sample, saved with each checkpoint. */
static void bill_scan(struct manager_meter *mt, const struct pm_scan *scan, int64_t utc)
{
	const struct pm_meter_status *st = pm_meter_status(mt->pipe);
	const struct pm_met_registers *regs = pm_meter_registers(mt->pipe);
	int64_t p_mw = 0;

	for (int n = 0; n < PM_PHASES; n++)
		p_mw += scan->ph[n].p_mw;
	pm_billing_sample(mt->billing, utc, st->restored, regs->total[PM_MET_A_IMPORT].mwh,
			  regs->total[PM_MET_A_EXPORT].mwh, (int32_t)(p_mw / 1000),
			  st->checkpoints != mt->checkpoints_seen);
	mt->checkpoints_seen = st->checkpoints;
	if (mt->billing) {
		struct pm_snapshot_account acc;

		pm_billing_snapshot(mt->billing, utc, &acc);
		pm_meter_set_account(mt->pipe, &acc);
	}
	pm_bus_account_changed(mt->bus_account);
}

static void on_button(void *userdata);
static bool relay_configured(const struct pm_relay_config *c);

/*
 * Where billing wants the supply: the contactor and auxiliary relay lines follow it. A line
 * that cannot be driven is logged; the account keeps its state (the next change retries).
 */
static void on_supply(void *userdata, bool contactor_closed, bool aux_closed)
{
	struct manager_meter *mt = userdata;
	int r;

	log_notice("meter %s: supply contactor %s, auxiliary relay %s", mt->conf->name,
		   contactor_closed ? "closed" : "open", aux_closed ? "closed" : "open");
	if (!mt->relay && relay_configured(&mt->conf->relay)) {
		/* the account was unknown at start (start_billing left the lines alone): now it
		 * is read, the lines are taken where it has them */
		struct pm_relay_config rc = mt->conf->relay;

		rc.contactor_initially_closed = contactor_closed;
		rc.aux_initially_closed = aux_closed;
		r = pm_relay_new(mt->manager->event, &rc, on_button, mt, &mt->relay);
		if (r < 0)
			log_error_errno(r, "meter %s: cannot take its supply-control lines",
					mt->conf->name);
	}
	if (!mt->relay)
		return;
	r = pm_relay_set(mt->relay, PM_RELAY_CONTACTOR, contactor_closed);
	if (r < 0 && r != -ENODEV)
		log_error_errno(r, "meter %s: cannot drive the contactor line", mt->conf->name);
	r = pm_relay_set(mt->relay, PM_RELAY_AUX, aux_closed);
	if (r < 0 && r != -ENODEV)
		log_error_errno(r, "meter %s: cannot drive the auxiliary relay line",
				mt->conf->name);
}

/* The customer's button: the same confirmation as ConfirmReconnect from a local display. */
static void on_button(void *userdata)
{
	struct manager_meter *mt = userdata;
	struct pm_billing_error e = {0};
	int r = pm_billing_confirm(mt->billing, meter_now(mt), &e);

	if (r < 0)
		log_info("meter %s: button pressed, nothing to confirm (%s)", mt->conf->name,
			 e.message);
	else
		log_notice("meter %s: button pressed, reconnection confirmed", mt->conf->name);
	pm_bus_account_changed(mt->bus_account);
}

static bool relay_configured(const struct pm_relay_config *c)
{
	return c->contactor.spec[0] || c->aux.spec[0] || c->button.spec[0];
}

static void on_billing_event(void *userdata, int64_t when_ns, const char *kind, const char *detail)
{
	struct manager_meter *mt = userdata;

	pm_meter_event(mt->pipe, when_ns, kind, detail);
}

static int start_billing(struct pm_manager *m, struct manager_meter *mt)
{
	const struct pm_conf_meter *c = mt->conf;
	struct pm_billing_config bc = {
	    .meter = c->name,
	    .time_zone = c->time_zone,
	    .tariff_file = c->tariff_file,
	    .sts = c->has_sts_decoder_key,
	    .sts_dk = c->sts_decoder_key,
	    .save_interval_ns = c->checkpoint_interval_s * 1000000000LL,
	    /* a store configured but not opened: the account is unknown, not new */
	    .store_failed = !m->store && strcmp(m->conf.state_dir, "none") != 0,
	};
	char err[512];
	int r;

	account_config_default(&bc.account);
	bc.account.mode = c->account_mode == PM_ACCOUNT_PREPAYMENT ? ACCOUNT_MODE_PREPAYMENT
			  : c->account_mode == PM_ACCOUNT_PAYG	   ? ACCOUNT_MODE_PAYG
								   : ACCOUNT_MODE_CREDIT;
	bc.account.payg_debt_limit_mu = c->payg_debt_limit_mu;
	bc.account.ec_enabled = c->emergency_credit_mu > 0;
	bc.account.ec_value_mu = c->emergency_credit_mu;
	bc.account.ec_threshold_mu = c->emergency_threshold_mu;
	bc.account.low_credit_threshold_mu = c->low_credit_mu;
	bc.account.load_limit_w = c->load_limit_w;
	if (c->load_limit_w)
		bc.account.load_limit_period_s = 60;
	bc.account.credit_reconnect_needs_confirmation = c->reconnect_needs_confirmation;
	r = pm_billing_new(&bc, m->store, utc_ns(), &mt->billing, err, sizeof(err));
	if (r < 0)
		return log_error_errno(r, "%s", err);
	if (err[0])
		log_error("%s", err);
	if (relay_configured(&c->relay)) {
		struct pm_relay_config rc = c->relay;
		struct pm_billing_view *v = calloc(1, sizeof(*v));

		if (!v)
			return log_error_errno(-ENOMEM, "meter %s: out of memory", c->name);
		/* Take the lines where the stored account has them: a restart must not close,
		 * even for an instant, a supply the account holds open. */
		pm_billing_view(mt->billing, utc_ns(), v);
		rc.contactor_initially_closed = v->supply.closed;
		rc.aux_initially_closed = v->aux_closed;
		if (v->running) {
			r = pm_relay_new(m->event, &rc, on_button, mt, &mt->relay);
		} else {
			/* An unknown account says nothing about the supply: the lines are not
			 * requested, so they stay as they are (the contactor as the last run left
			 * it) until the account is read (on_supply takes them then). */
			log_warning(
			    "meter %s: account unknown: its supply-control lines are left as "
			    "they are, not requested",
			    c->name);
			r = 0;
		}
		free(v);
		if (r < 0)
			return log_error_errno(r, "meter %s: cannot take its supply-control lines",
					       c->name);
	}
	pm_billing_set_hooks(mt->billing, on_supply, on_billing_event, mt);
	return 0;
}

/* record = FILE: every scan, with the UTC the pipeline used (source-replay.h). */
static void record_scan(struct manager_meter *mt, int64_t now, const struct pm_scan *scan)
{
	if (!mt->record)
		return;
	if (pm_recording_write(mt->record, now, scan) < 0) {
		log_error("meter %s: cannot write to %s; recording stopped", mt->conf->name,
			  mt->conf->record);
		fclose(mt->record);
		mt->record = NULL;
	}
}

/*
 * The end of a finite source (sim_end reached, recording played): one JSON line on stdout
 * with what the run produced, integers only: meter, scans, utc_ns (the last scan's),
 * registers_mwh {A+, A-, R+, R-, S+, S-: total, phases A, B, C}, checkpoints,
 * profile_intervals (stored), profile_failures, demand_import and demand_export (maximum
 * demand of the current month and the two before: [mw, end_ns], null when none).
 */
static void print_summary(struct manager_meter *mt, FILE *f)
{
	static const struct {
		const char *name;
		enum pm_met_reg reg;
	} regs[] = {{"A+", PM_MET_A_IMPORT}, {"A-", PM_MET_A_EXPORT}, {"R+", PM_MET_R_IMPORT},
		    {"R-", PM_MET_R_EXPORT}, {"S+", PM_MET_S_IMPORT}, {"S-", PM_MET_S_EXPORT}};
	const struct pm_met_registers *r = pm_meter_registers(mt->pipe);
	const struct pm_meter_status *st = pm_meter_status(mt->pipe);
	const struct pm_demand_peak *peaks[2] = {st->demand_import, st->demand_export};

	fprintf(f, "{\"meter\":\"%s\",\"finished\":true,\"scans\":%" PRIu64 ",\"utc_ns\":%" PRId64,
		mt->conf->name, mt->scans, meter_now(mt));
	fputs(",\"registers_mwh\":{", f);
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		fprintf(f, "%s\"%s\":[%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "]",
			i ? "," : "", regs[i].name, r->total[regs[i].reg].mwh,
			r->phase[0][regs[i].reg].mwh, r->phase[1][regs[i].reg].mwh,
			r->phase[2][regs[i].reg].mwh);
	fprintf(f,
		"},\"checkpoints\":%" PRIu64 ",\"profile_intervals\":%" PRIu64
		",\"profile_failures\":%" PRIu64,
		st->checkpoints, st->profile_intervals, st->profile_failures);
	for (int d = 0; d < 2; d++) {
		fprintf(f, ",\"%s\":[", d ? "demand_export" : "demand_import");
		for (int i = 0; i < PM_DEMAND_MONTHS; i++) {
			if (peaks[d][i].valid)
				fprintf(f, "%s[%" PRId64 ",%" PRId64 "]", i ? "," : "",
					peaks[d][i].demand_mw, peaks[d][i].end_ns);
			else
				fprintf(f, "%snull", i ? "," : "");
		}
		fputs("]", f);
	}
	fputs("}\n", f);
	fflush(f);
	log_info("meter %s: source finished after %" PRIu64 " scans", mt->conf->name, mt->scans);
}

static void on_scan(void *userdata, const struct pm_scan *scan)
{
	struct manager_meter *mt = userdata;
	struct pm_manager *m = mt->manager;

	struct pm_met_sample sample;
	int64_t now;

	if (m->once && mt->scans >= m->once)
		return; /* this meter is done, the others are not yet */
	count_energy(mt, scan);
	if (mt->calib)
		pm_calibrator_scan(mt->calib, scan);
	flush_chip_events_when(mt, false);
	to_sample(scan, &sample);
	now = scan_utc_ns(mt, scan);
	pm_meter_push(mt->pipe, &sample, now);
	bill_scan(mt, scan, now);
	if (m->bus)
		pm_bus_meter_changed(m->bus, mt->conf->name, true);
	mt->scans++;
	record_scan(mt, now, scan);
	if (!mt->finished && pm_source_finished(mt->source)) {
		mt->finished = true;
		print_summary(mt, m->json);
		if (++m->finished == m->n_meters)
			sd_event_exit(m->event, 0);
	}
	if (!m->once)
		return;
	print_json(mt, scan, m->json);
	if (mt->scans == m->once && ++m->once_done == m->n_meters)
		sd_event_exit(m->event, 0);
}

static void log_meter(struct manager_meter *mt)
{
	const struct pm_scan *s = &mt->last;
	char v[3][32], i[3][32], p[3][32], e[PM_KINDS][48];
	struct pm_energy_nj total[PM_KINDS] = {0};

	if (!mt->have_last) {
		log_info("meter %s: no scan yet (%s)", mt->conf->name,
			 pm_source_connected(mt->source) ? "connected" : "waiting for the device");
		return;
	}
	for (int k = 0; k < PM_KINDS; k++) {
		for (int n = 0; n < PM_PHASES; n++)
			pm_energy_sum(&total[k], &mt->energy_nj[n][k]);
		/* nJ -> mWh: / 3.6e9; printed as Wh with 3 decimals */
		milli(e[k], sizeof(e[k]), pm_energy_mwh(&total[k]));
	}
	for (int n = 0; n < PM_PHASES; n++) {
		milli(v[n], sizeof(v[n]), s->ph[n].v_mv);
		milli(i[n], sizeof(i[n]), s->ph[n].i_ma);
		milli(p[n], sizeof(p[n]), s->ph[n].p_mw);
	}
	log_info("meter %s: V %s %s %s V, I %s %s %s A, P %s %s %s W; counted %s Wh, %s varh, "
		 "%s VAh; %" PRIu64 " scans%s",
		 mt->conf->name, v[0], v[1], v[2], i[0], i[1], i[2], p[0], p[1], p[2], e[0], e[1],
		 e[2], mt->scans - mt->scans_logged,
		 pm_source_connected(mt->source) ? "" : ", device lost");
	mt->scans_logged = mt->scans;
}

static int on_log_timer(sd_event_source *es, uint64_t usec, void *userdata)
{
	struct pm_manager *m = userdata;

	for (size_t i = 0; i < m->n_meters; i++)
		log_meter(&m->meter[i]);
	sd_event_source_set_time(es, usec + m->conf.log_interval_s * 1000000ULL);
	sd_event_source_set_enabled(es, SD_EVENT_ON);
	return 0;
}

/*
 * A chip event, logged with the values of the scan after it: "swell L2 rising, 253.1 V". The
 * chip signals both the start and the end of a swell or dip (docs/abi.md §6): the voltage
 * tells which.
 */
static void log_chip_event(struct manager_meter *mt, const struct pm_chip_event *ev,
			   int64_t when_ns)
{
	static const char *const kinds[] = {[PM_CHIP_SWELL] = "swell",
					    [PM_CHIP_DIP] = "dip",
					    [PM_CHIP_REVERSE] = "reverse_power",
					    [PM_CHIP_OVERCURRENT] = "overcurrent"};
	static const char *const lines[] = {"L1", "L2", "L3", "N"};
	const struct pm_scan *s = &mt->last;
	int ph = ev->phase;
	char detail[128], value[48] = "no scan yet";

	if (mt->have_last) {
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
	pm_meter_event(mt->pipe, when_ns, kinds[ev->kind], detail);
}

/*
 * Logs the pending chip events the last scan speaks for: those the chip saw before that scan
 * was taken (a buffer refill delivers scans taken before an event that already arrived), and
 * any waiting longer than CHIP_EVENT_WAIT_NS (a source without timestamps); @all: every one.
 */
#define CHIP_EVENT_WAIT_NS (INT64_C(5) * 1000000000)
static void flush_chip_events_when(struct manager_meter *mt, bool all)
{
	size_t kept = 0;
	int64_t now = utc_ns();

	for (size_t i = 0; i < mt->n_pending; i++) {
		const struct pending_chip_event *p = &mt->pending[i];

		if (all || (mt->have_last && mt->last.ts_ns > p->ev.ts_ns) ||
		    now - p->utc_ns > CHIP_EVENT_WAIT_NS)
			log_chip_event(mt, &p->ev, p->utc_ns);
		else
			mt->pending[kept++] = *p;
	}
	mt->n_pending = kept;
}

static void flush_chip_events(struct manager_meter *mt)
{
	flush_chip_events_when(mt, true);
}

/* The event is dated now; its values are those of the first scan taken after it. */
static void on_chip_event(void *userdata, const struct pm_chip_event *ev)
{
	struct manager_meter *mt = userdata;

	if (mt->n_pending == sizeof(mt->pending) / sizeof(mt->pending[0]))
		flush_chip_events(mt);
	mt->pending[mt->n_pending++] = (struct pending_chip_event){*ev, utc_ns()};
}

/*
 * device_lost when the source counts a new loss, device_found when it delivers again after
 * one; looked at once a second, so a loss and recovery within a second is still one of each.
 */
static void check_device(struct manager_meter *mt)
{
	unsigned losses = pm_source_losses(mt->source);
	bool connected = pm_source_connected(mt->source);
	char detail[96];

	if (losses != mt->losses_seen) {
		flush_chip_events(mt); /* with the last values seen: no scan is coming */
		snprintf(detail, sizeof(detail), "%u loss(es) since start", losses);
		pm_meter_event(mt->pipe, utc_ns(), "device_lost", detail);
		mt->losses_seen = losses;
		if (!mt->lost)
			mt->lost_utc_ns = utc_ns();
		mt->lost = true;
	}
	if (mt->lost && connected) {
		snprintf(detail, sizeof(detail), "after %.1f s",
			 (double)(utc_ns() - mt->lost_utc_ns) / 1e9);
		pm_meter_event(mt->pipe, utc_ns(), "device_found", detail);
		mt->lost = false;
	}
}

static int on_device_timer(sd_event_source *es, uint64_t usec, void *userdata)
{
	struct pm_manager *m = userdata;

	for (size_t i = 0; i < m->n_meters; i++)
		check_device(&m->meter[i]);
	sd_event_source_set_time(es, usec + 1000000ULL);
	sd_event_source_set_enabled(es, SD_EVENT_ON);
	return 0;
}

/*
 * config_change: the meter's effective configuration (meter-config.h) differs from the one
 * recorded at its last start; the event names the keys. The first start records it silently.
 */
static void check_config(struct pm_manager *m, struct manager_meter *mt)
{
	char now[2048], before[2048], diff[256];
	int r;

	if (!m->store)
		return;
	if (pm_meter_config_describe(mt->conf, now, sizeof(now)) < 0) {
		log_warning("meter %s: configuration too long to record", mt->conf->name);
		return;
	}
	r = pm_store_get_config(m->store, mt->conf->name, before, sizeof(before));
	if (r == 0 && !strcmp(before, now))
		return;
	if (r == 0) {
		pm_meter_config_diff(before, now, diff, sizeof(diff));
		pm_meter_event(mt->pipe, utc_ns(), "config_change", diff);
	} else if (r != -ENOENT) {
		log_warning("meter %s: cannot read its last configuration: %s", mt->conf->name,
			    strerror(-r));
	}
	r = pm_store_set_config(m->store, mt->conf->name, now);
	if (r < 0)
		log_warning("meter %s: cannot record its configuration: %s", mt->conf->name,
			    strerror(-r));
}

static int on_signal(sd_event_source *es, const struct signalfd_siginfo *si, void *userdata)
{
	struct pm_manager *m = userdata;

	(void)es;
	log_info("signal %u: stopping", si->ssi_signo);
	sd_event_exit(m->event, 0);
	return 0;
}

/*
 * Recordings to replay are checked whole, and the files to record to are created, before
 * anything (the store included) is touched.
 */
static int check_recordings(struct pm_manager *m)
{
	for (size_t i = 0; i < m->conf.n_meters; i++) {
		const struct pm_conf_meter *c = &m->conf.meter[i];
		struct manager_meter *mt = &m->meter[i];
		char err[512];
		uint64_t scans;
		int r;

		if (c->source == PM_SOURCE_REPLAY) {
			r = pm_recording_check(c->replay_file, &scans, err, sizeof(err));
			if (r < 0)
				return log_error_errno(r, "meter %s: %s", c->name, err);
		}
		if (!c->record[0])
			continue;
		mt->record = fopen(c->record, "we");
		r = mt->record ? pm_recording_start(mt->record) : -(errno ? errno : EIO);
		if (r < 0)
			return log_error_errno(r, "meter %s: cannot record to %s", c->name,
					       c->record);
	}
	return 0;
}

/*
 * The store lives in state_dir (systemd's StateDirectory=). A store that cannot be opened
 * (corrupted, read-only, missing directory) is logged and metering goes on without it: the
 * meters then publish no energy registers rather than registers counted from zero.
 */
static int open_store(struct pm_manager *m)
{
	char path[300], err[512];
	int r;

	if (!strcmp(m->conf.state_dir, "none")) {
		log_notice("state_dir = none: registers are kept in memory only");
		return 0;
	}
	if (mkdir(m->conf.state_dir, 0750) < 0 && errno != EEXIST)
		log_warning("cannot create %s: %s", m->conf.state_dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/polymeter.db", m->conf.state_dir);
	r = pm_store_open(path, &m->store, err, sizeof(err));
	if (r < 0)
		log_error("store: %s; metering without it, energy registers not published", err);
	return 0;
}

/* The RTU server an earlier meter opened on the same tty, or NULL. */
static struct pm_mbrtu *rtu_line_of(struct pm_manager *m, const struct manager_meter *mt)
{
	for (const struct manager_meter *o = m->meter; o < mt; o++)
		if (o->modbus_rtu &&
		    strcmp(o->conf->modbus_rtu_device, mt->conf->modbus_rtu_device) == 0)
			return o->modbus_rtu;
	return NULL;
}

/*
 * The meter's Modbus TCP server: on the socket systemd passes as FileDescriptorName=modbus-NAME
 * (socket activation: port 502 without privilege), else on modbus_tcp_port.
 */
static int start_modbus(struct pm_manager *m, struct manager_meter *mt)
{
	struct pm_mbtcp_config tcfg;
	struct pm_mbrtu_config rcfg;
	struct pm_mb_config mcfg;
	const char *why = NULL;
	char fdname[64];
	int r;

	snprintf(fdname, sizeof(fdname), "modbus-%s", mt->conf->name);
	pm_mbtcp_config_default(&tcfg);
	tcfg.listen_fd = pm_mbtcp_activated_fd(fdname);
	if (tcfg.listen_fd < 0 && !mt->conf->modbus_tcp_port && !mt->conf->modbus_rtu_device[0])
		return 0;
	pm_mb_config_default(&mcfg);
	mcfg.unit_id = (uint8_t)mt->conf->modbus_unit;
	mcfg.sdm630 = mt->conf->modbus_sdm630;
	mcfg.writes = mt->conf->modbus_writes;
	mcfg.model = "polymeter ADE9000";
	mcfg.serial = mt->conf->name;
	r = pm_mb_map_init(&mt->modbus_map, &mcfg, &why);
	if (r < 0)
		return log_error_errno(r, "meter %s: Modbus map: %s", mt->conf->name, why);
	if (tcfg.listen_fd >= 0 || mt->conf->modbus_tcp_port) {
		tcfg.port = (uint16_t)mt->conf->modbus_tcp_port;
		r = pm_mbtcp_new(m->event, &mt->modbus_map, pm_meter_snapshot(mt->pipe), &tcfg,
				 &mt->modbus);
		if (r < 0)
			return log_error_errno(r, "meter %s: cannot serve Modbus TCP on port %u",
					       mt->conf->name, mt->conf->modbus_tcp_port);
		log_info("meter %s: Modbus TCP (SunSpec%s) on port %d, unit %u", mt->conf->name,
			 mcfg.sdm630 ? " + SDM630" : "", pm_mbtcp_port(mt->modbus),
			 mt->conf->modbus_unit);
	}
	if (mt->conf->modbus_rtu_device[0]) {
		pm_mbrtu_config_default(&rcfg);
		rcfg.device = mt->conf->modbus_rtu_device;
		rcfg.baud = mt->conf->modbus_rtu_baud;
		rcfg.parity = mt->conf->modbus_rtu_parity;
		rcfg.stop_bits = mt->conf->modbus_rtu_stop;
		rcfg.rs485 = mt->conf->modbus_rtu_rs485;
		mt->modbus_rtu = rtu_line_of(m, mt);
		/* several meters on one bus: one server for the tty, one slave address each */
		if (mt->modbus_rtu)
			r = pm_mbrtu_add_unit(mt->modbus_rtu, &mt->modbus_map,
					      pm_meter_snapshot(mt->pipe), &rcfg);
		else
			r = pm_mbrtu_new(m->event, &mt->modbus_map, pm_meter_snapshot(mt->pipe),
					 &rcfg, &mt->modbus_rtu);
		if (r < 0) {
			mt->modbus_rtu = NULL;
			return log_error_errno(r, "meter %s: cannot serve Modbus RTU on %s",
					       mt->conf->name, mt->conf->modbus_rtu_device);
		}
		log_info("meter %s: Modbus RTU on %s, %u %c %u, slave %u", mt->conf->name,
			 mt->conf->modbus_rtu_device, mt->conf->modbus_rtu_baud,
			 mt->conf->modbus_rtu_parity, mt->conf->modbus_rtu_stop,
			 mt->conf->modbus_unit);
	}
	return 0;
}

struct pm_manager *pm_manager_free(struct pm_manager *m)
{
	if (!m)
		return NULL;
	for (size_t i = 0; i < m->n_meters; i++) {
		struct manager_meter *mt = &m->meter[i];
		int64_t now = meter_now(mt);

		pm_source_free(mt->source);
		pm_calibrator_free(mt->calib);
		pm_mbtcp_free(mt->modbus);
		pm_mbrtu_release(mt->modbus_rtu, &mt->modbus_map);
		pm_bus_account_free(mt->bus_account);
		if (mt->billing && pm_billing_flush(mt->billing, utc_ns()) < 0)
			log_error("meter %s: saving the account at shutdown failed",
				  mt->conf->name);
		pm_billing_free(mt->billing);
		pm_relay_free(mt->relay);
		if (mt->pipe) {
			/* shutdown: what was counted since the last checkpoint is saved */
			pm_meter_checkpoint(mt->pipe, now);
			flush_chip_events(mt);
			pm_meter_event(mt->pipe, now, "daemon_stop", "");
		}
		pm_meter_free(mt->pipe);
	}
	for (size_t i = 0; i < m->conf.n_meters; i++)
		if (m->meter[i].record && fclose(m->meter[i].record) != 0)
			log_error("meter %s: cannot write %s", m->conf.meter[i].name,
				  m->conf.meter[i].record);
	pm_bus_free(m->bus);
	pm_store_close(m->store);
	sd_event_source_disable_unref(m->log_timer);
	sd_event_source_disable_unref(m->device_timer);
	sd_event_unref(m->event);
	free(m);
	return NULL;
}

int pm_manager_new(const struct pm_conf *conf, uint64_t once, FILE *json, struct pm_manager **ret)
{
	__attribute__((cleanup(pm_manager_freep))) struct pm_manager *m = NULL;
	int r;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->conf = *conf;
	m->once = once;
	m->json = json;
	r = sd_event_default(&m->event);
	if (r < 0)
		return log_error_errno(r, "cannot create the event loop");
	r = sd_event_set_watchdog(m->event, true);
	if (r < 0)
		return log_error_errno(r, "cannot enable the watchdog");
	r = sd_event_add_signal(m->event, NULL, SIGTERM, on_signal, m);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGINT, on_signal, m);
	if (r < 0)
		return log_error_errno(r, "cannot watch SIGTERM/SIGINT");

	r = check_recordings(m);
	if (r < 0)
		return r;
	r = open_store(m);
	if (r < 0)
		return r;
	if (m->conf.dbus != PM_DBUS_NONE) {
		r = pm_bus_new(m->event, m->conf.dbus == PM_DBUS_SESSION,
			       m->conf.dbus_interval_ms * 1000ULL, &m->bus);
		/* Metering does not depend on D-Bus: without it, the other views still serve. */
		if (r < 0)
			log_error_errno(r, "cannot publish %s on the %s bus; continuing without it",
					PM_BUS_NAME,
					m->conf.dbus == PM_DBUS_SESSION ? "session" : "system");
	}
	for (size_t i = 0; i < m->conf.n_meters; i++) {
		struct manager_meter *mt = &m->meter[i];
		struct pm_meter_config mc;

		mt->manager = m;
		mt->conf = &m->conf.meter[i];
		pm_meter_config_default(&mc, mt->conf->name);
		mc.wiring =
		    mt->conf->wiring == PM_WIRING_DELTA ? PM_MET_WIRING_DELTA : PM_MET_WIRING_WYE;
		mc.checkpoint_mwh = mt->conf->checkpoint_wh * 1000ULL;
		mc.checkpoint_interval_ns = mt->conf->checkpoint_interval_s * 1000000000LL;
		mc.profile_period_ns = mt->conf->profile_period_min * 60000000000LL;
		mc.demand_window_ns = mt->conf->demand_period_min * 60000000000LL;
		mc.demand_subintervals = mt->conf->demand_subintervals;
		r = pm_meter_new(&mc, m->store, &mt->pipe);
		if (r < 0)
			return log_error_errno(r, "meter %s: cannot create it", mt->conf->name);
		/* counted from here: a failure below frees what it has (pm_manager_free takes
		 * the parts not made yet as NULL) */
		m->n_meters = i + 1;
		pm_meter_event(mt->pipe, utc_ns(), "daemon_start", "");
		check_config(m, mt);
		r = start_billing(m, mt);
		if (r < 0)
			return r;
		r = start_modbus(m, mt);
		if (r < 0)
			return r;
		if (m->bus) {
			r = pm_bus_add_meter(m->bus, mt->conf->name, pm_meter_snapshot(mt->pipe),
					     &bus_ops, mt->pipe);
			if (r < 0)
				return log_error_errno(r, "meter %s: cannot publish it on D-Bus",
						       mt->conf->name);
			r = pm_bus_account_add(m->bus, m->event, m->conf.dbus_interval_ms * 1000ULL,
					       mt->conf->name, mt->billing, meter_clock, mt,
					       &mt->bus_account);
			if (r < 0)
				return log_error_errno(r, "meter %s: cannot publish its account",
						       mt->conf->name);
		}
		r = pm_source_new(m->event, mt->conf, on_scan, mt, &mt->source);
		if (r < 0)
			return log_error_errno(r, "meter %s: cannot start its source",
					       mt->conf->name);
		/* The stored calibration goes to the source, which writes it at every connection;
		 * a libiio buffer may still hold two refills of scans taken before a change (a
		 * direct poll none, but the chip's rms filters settle in about a second). A
		 * recording has no chip: its meter has no Calibrate (NotSupported). */
		if (pm_source_can_calibrate(mt->source)) {
			unsigned settle = 1;

			if (mt->conf->source == PM_SOURCE_IIO)
				settle = mt->conf->acquisition == PM_ACQ_DIRECT
					     ? 1000 / mt->conf->poll_interval_ms + 1
					     : 2 * mt->conf->buffer_scans;
			r = pm_calibrator_new(mt->pipe, mt->source, settle, &mt->calib);
			if (r < 0)
				return log_error_errno(r, "meter %s: cannot set up calibration",
						       mt->conf->name);
		}
		if (m->bus && mt->calib) {
			r = pm_bus_meter_set_calibrate(m->bus, mt->conf->name, bus_calibrate,
						       mt->calib);
			if (r < 0)
				return log_error_errno(r, "meter %s: cannot publish Calibrate",
						       mt->conf->name);
		}
		pm_source_set_chip_event_cb(mt->source, on_chip_event, mt);
		log_info("meter %s: source %s", mt->conf->name,
			 pm_conf_source_name(mt->conf->source));
	}
	if (m->conf.log_interval_s) {
		r = sd_event_add_time_relative(m->event, &m->log_timer, CLOCK_MONOTONIC,
					       m->conf.log_interval_s * 1000000ULL, 0, on_log_timer,
					       m);
		if (r < 0)
			return log_error_errno(r, "cannot add the log timer");
		sd_event_source_set_enabled(m->log_timer, SD_EVENT_ON);
	}
	r = sd_event_add_time_relative(m->event, &m->device_timer, CLOCK_MONOTONIC, 1000000ULL, 0,
				       on_device_timer, m);
	if (r < 0)
		return log_error_errno(r, "cannot add the device timer");
	sd_event_source_set_enabled(m->device_timer, SD_EVENT_ON);
	*ret = m;
	m = NULL;
	return 0;
}

int pm_manager_run(struct pm_manager *m)
{
	int r;

	sd_notify(0, "READY=1\nSTATUS=metering");
	r = sd_event_loop(m->event);
	sd_notify(0, "STOPPING=1");
	if (r < 0)
		return log_error_errno(r, "event loop failed");
	return 0;
}
