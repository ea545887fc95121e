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

#include "adapter-math.h"
#include "bus.h"
#include "log.h"
#include "manager.h"
#include "meter.h"
#include "modbus-map.h"
#include "modbus-rtu.h"
#include "modbus-tcp.h"
#include "source-replay.h"
#include "source.h"
#include "store.h"

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
	FILE *record;		     /* NULL: not recording */
	bool finished;		     /* the source delivered its last scan */
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
	struct pm_store *store; /* NULL: registers in memory only */
	struct pm_bus *bus;	/* NULL: no D-Bus view */
	size_t finished;	/* meters whose source has finished */
};

static int64_t utc_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The meter's clock: its source's simulated UTC (simulated clock, replay), else the wall clock. */
static int64_t meter_now(const struct manager_meter *mt)
{
	int64_t t;

	return mt->source && pm_source_sim_utc(mt->source, &t) ? t : utc_ns();
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

static const struct pm_bus_meter_ops bus_ops = {
    .events = bus_events,
    .profile = bus_profile,
};

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
	to_sample(scan, &sample);
	now = meter_now(mt);
	pm_meter_push(mt->pipe, &sample, now);
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
		r = pm_mbrtu_new(m->event, &mt->modbus_map, pm_meter_snapshot(mt->pipe), &rcfg,
				 &mt->modbus_rtu);
		if (r < 0)
			return log_error_errno(r, "meter %s: cannot serve Modbus RTU on %s",
					       mt->conf->name, mt->conf->modbus_rtu_device);
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
		pm_mbtcp_free(mt->modbus);
		pm_mbrtu_free(mt->modbus_rtu);
		if (mt->pipe) {
			/* shutdown: what was counted since the last checkpoint is saved */
			pm_meter_checkpoint(mt->pipe, now);
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
		pm_meter_event(mt->pipe, utc_ns(), "daemon_start", "");
		r = start_modbus(m, mt);
		if (r < 0)
			return r;
		if (m->bus) {
			r = pm_bus_add_meter(m->bus, mt->conf->name, pm_meter_snapshot(mt->pipe),
					     &bus_ops, mt->pipe);
			if (r < 0)
				return log_error_errno(r, "meter %s: cannot publish it on D-Bus",
						       mt->conf->name);
		}
		r = pm_source_new(m->event, mt->conf, on_scan, mt, &mt->source);
		if (r < 0)
			return log_error_errno(r, "meter %s: cannot start its source",
					       mt->conf->name);
		m->n_meters++;
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
