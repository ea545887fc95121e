// SPDX-License-Identifier: GPL-2.0-only
/*
 * The manager (see manager.h): the sd-event loop and the wiring of every meter, from its
 * source through its pipeline and account to its views. What each part does is in its own
 * file: the clocks (acquire/source-clock.c), the energy counted since start
 * (meter/counted-energy.c), the chip's and the device's events (meter/chip-events.c,
 * meter/device-events.c), the supply lines (supply/supply-link.c), the recording
 * (acquire/recorder.c), what is printed (app/report.c), the D-Bus reads
 * (views/dbus/bus-meter-ops.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include <sys/stat.h>

#include "acquire/calibrator.h"
#include "acquire/recorder.h"
#include "acquire/source-clock.h"
#include "acquire/source-replay.h"
#include "acquire/source.h"
#include "acquire/wall-clock-watch.h"
#include "app/billing-conf.h"
#include "app/dlms-view.h"
#include "app/manager.h"
#include "app/meter-config.h"
#include "app/modbus-tcp-conf.h"
#include "app/report.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/version.h"
#include "core/billing/civil-time.h"
#include "core/dlms/cosem-directory.h"
#include "core/proto/modbus-map.h"
#include "meter/billing-clock-step.h"
#include "meter/billing.h"
#include "meter/chip-events.h"
#include "meter/counted-energy.h"
#include "meter/device-events.h"
#include "meter/meter.h"
#include "meter/period-capture.h"
#include "meter/scan-sample.h"
#include "store/store.h"
#include "supply/supply-link.h"
#include "views/dbus/bus-account.h"
#include "views/dbus/bus-meter-ops.h"
#include "views/dbus/bus-modbus-rtu.h"
#include "views/dbus/bus.h"
#include "views/modbus/modbus-rtu.h"
#include "views/modbus/modbus-tcp.h"
#include "views/mqtt/mqtt.h"

struct manager_meter {
	struct pm_manager *manager;
	const struct pm_conf_meter *conf;
	struct pm_source *source;
	struct pm_sim_clock sim_clock; /* source = sim without sim_start (source-clock.h) */
	/* the meter's clock from the wall clock (core/metrology/wall-clock.h, docs/clock.md) */
	struct pm_wall_clock wall;
	struct pm_wall_step clock; /* of the last scan */
	bool wall_jumped;	   /* a jump observed since the last scan */
	bool have_sim_offset;	   /* sim without sim_start: the wall's offset at its first scan */
	int64_t sim_offset_ns;
	bool have_last;
	struct pm_scan last;
	struct pm_counted_energy counted; /* since start: the JSON line, the status line */
	uint64_t scans;
	uint64_t scans_logged; /* at the last status line */
	struct pm_meter *pipe; /* metrology, snapshot, checkpoints */
	struct pm_mb_map modbus_map;
	struct pm_mbtcp *modbus;     /* NULL: no Modbus TCP server for this meter */
	struct pm_mbrtu *modbus_rtu; /* NULL: no Modbus RTU server */
	struct pm_calibrator *calib;
	struct pm_device_events device; /* device_lost / device_found */
	struct pm_chip_events chip;	/* waiting for the scan whose values they are logged with */
	struct pm_billing *billing;	/* the account (tariff, balance, supply) */
	struct pm_supply_link supply;	/* the account's supply decision on the GPIO lines */
	struct pm_bus_account *bus_account;
	struct pm_bus_rtu *bus_rtu;	  /* its RTU line's counters on D-Bus; NULL: none */
	struct pm_dlms_view *dlms;	  /* NULL: no DLMS server for this meter */
	struct pm_period_capture capture; /* the daily and monthly billing captures */
	struct pm_recorder record;	  /* record = FILE */
	bool finished;			  /* the source delivered its last scan */
};

struct pm_manager {
	sd_event *event;
	/* the caller's (pm_manager_new): a copy would make 160 KiB of 64 meter slots resident */
	const struct pm_conf *conf;
	/*
	 * conf->n_meters of them, not PM_CONF_MAX_METERS in the struct: 64 slots are 155 KiB that
	 * calloc, given memory glibc had freed since start-up, clears and so makes resident
	 */
	struct manager_meter *meter;
	size_t n_meters;
	sd_event_source *log_timer;
	uint64_t once; /* 0 = run until stopped */
	size_t once_done;
	FILE *json;
	struct pm_store *store;			/* NULL: registers in memory only */
	struct pm_bus *bus;			/* NULL: no D-Bus view */
	struct pm_wall_watch *wall_watch;	/* the system's clock: readings, trust, sets */
	struct pm_mqtt *mqtt;			/* NULL: no [mqtt] publisher */
	struct pm_cosem_directory dlms_objects; /* every meter's DLMS view serves these */
	bool have_dlms_objects;
	sd_event_source *device_timer; /* looks for lost and found devices */
	size_t finished;	       /* meters whose source has finished */
};

/*
 * The source's clock: its simulated UTC (simulated clock, replay); for a simulated source
 * without sim_start, its simulated clock at the last scan (source-clock.h), which runs sim_speed
 * times faster than the wall's; else the wall clock.
 */
static int64_t source_now(const struct manager_meter *mt)
{
	if (mt->sim_clock.started && mt->have_last)
		return mt->sim_clock.utc0_ns + (mt->last.ts_ns - mt->sim_clock.ts0_ns);
	return pm_source_utc_now(mt->source);
}

/* clock_jump, clock_trusted and clock_untrusted in the meter's event log. */
static void clock_events(struct manager_meter *mt, const struct pm_wall_step *st, bool first)
{
	char from[40], to[40], detail[160];

	if (st->jump) {
		snprintf(detail, sizeof(detail), "wall clock set from %s to %s (%+.3f s)",
			 pm_civil_format_utc(st->jump_from_ns, from, sizeof(from)),
			 pm_civil_format_utc(st->jump_to_ns, to, sizeof(to)),
			 (double)(st->jump_to_ns - st->jump_from_ns) / 1e9);
		pm_meter_event(mt->pipe, st->meter_ns, "clock_jump", detail);
	}
	if (st->trust_changed && (!first || !st->trusted)) {
		snprintf(detail, sizeof(detail), "clock_trust = %s",
			 pm_clock_trust_name(mt->manager->conf->clock_trust));
		pm_meter_event(mt->pipe, st->meter_ns,
			       st->trusted ? "clock_trusted" : "clock_untrusted", detail);
		if (mt->manager->bus)
			pm_bus_meter_changed(mt->manager->bus, mt->conf->name, true);
	}
}

/*
 * The meter's clock at @source_ns, the source's time of a scan (@sample) or now: a simulated
 * or replayed UTC as it is; else the wall clock through the meter's pm_wall_clock, which
 * detects it being set and whether it is trusted. A simulated meter without sim_start runs on
 * its simulated clock moved by what the wall clock was set by since its first scan.
 */
static int64_t wall_clock(struct manager_meter *mt, int64_t source_ns, bool sample)
{
	struct pm_wall_reading rd;
	struct pm_wall_step st;
	bool first = !mt->wall.started;
	int64_t t;

	if (mt->source && pm_source_sim_utc(mt->source, &t)) {
		mt->clock = (struct pm_wall_step){.meter_ns = source_ns, .trusted = true};
		return source_ns;
	}
	pm_wall_watch_read(mt->manager->wall_watch, &rd);
	if (mt->sim_clock.started) {
		int64_t offset = rd.wall_ns - rd.boot_ns;

		if (!mt->have_sim_offset) {
			mt->have_sim_offset = true;
			mt->sim_offset_ns = offset;
		}
		rd.wall_ns = source_ns + offset - mt->sim_offset_ns;
		rd.boot_ns = source_ns;
	}
	pm_wall_clock_read(&mt->wall, &rd, sample, &st);
	clock_events(mt, &st, first);
	if (!sample) {
		mt->wall_jumped = mt->wall_jumped || st.jump;
		return st.meter_ns;
	}
	st.jump = st.jump || mt->wall_jumped;
	mt->wall_jumped = false;
	mt->clock = st;
	return st.meter_ns;
}

/* The system's clock was set (the timerfd): every meter on the wall clock logs it now. */
static void on_clock_set(void *userdata)
{
	struct pm_manager *m = userdata;

	for (size_t i = 0; i < m->n_meters; i++) {
		struct manager_meter *mt = &m->meter[i];

		if (mt->wall.started)
			(void)wall_clock(mt, source_now(mt), false);
	}
}

/*
 * The meter's clock: the source's, moved by what a DLMS management client set (the Clock
 * object: views/dlms/dlms-meter.h; 0 until one does). Billing, the profile and the demand run
 * on it, so a command never lands before the sample billed last.
 */
static int64_t meter_now(const struct manager_meter *mt)
{
	int64_t t = source_now(mt);

	/* on the wall clock: never before the sample billed last (the clock set back) */
	if (mt->wall.started && mt->wall.meter_ns > t && !mt->clock.hold)
		t = mt->wall.meter_ns;
	return t + pm_dlms_view_clock_offset_ns(mt->dlms);
}

/* The D-Bus account view runs on the meter's clock, as its billing does. */
static int64_t meter_clock(void *userdata)
{
	return meter_now(userdata);
}

/* The last scan, NULL before the first. */
static const struct pm_scan *last_scan(const struct manager_meter *mt)
{
	return mt->have_last ? &mt->last : NULL;
}

/* The account follows the registers: billed on each sample, saved with the meter's energy
 * checkpoints in their transaction (account_record below), so billing itself saves only at its
 * save interval. */
static void bill_scan(struct manager_meter *mt, const struct pm_scan *scan, int64_t utc)
{
	const struct pm_meter_status *st = pm_meter_status(mt->pipe);
	const struct pm_met_registers *regs = pm_meter_registers(mt->pipe);
	int64_t p_mw = 0, lo = INT64_MAX, hi = INT64_MIN;

	for (int n = 0; n < PM_PHASES; n++) {
		p_mw += scan->ph[n].p_mw;
		lo = scan->ph[n].p_mw < lo ? scan->ph[n].p_mw : lo;
		hi = scan->ph[n].p_mw > hi ? scan->ph[n].p_mw : hi;
	}
	/* the phase power unbalance (STS 2/6): the largest difference between phase loads */
	pm_billing_set_phase_unbalance(mt->billing, (int32_t)((hi - lo) / 1000));
	pm_billing_sample(mt->billing, utc, st->restored, regs->total[PM_MET_A_IMPORT].mwh,
			  regs->total[PM_MET_A_EXPORT].mwh, (int32_t)(p_mw / 1000), false);
	if (mt->billing) {
		struct pm_snapshot_account acc;

		pm_billing_snapshot(mt->billing, utc, &acc);
		pm_meter_set_account(mt->pipe, &acc);
	}
	pm_bus_account_changed(mt->bus_account);
}

/* The account's supply hook: the lines follow it (supply-link.h). */
static void on_supply(void *userdata, bool contactor_closed, bool aux_closed)
{
	struct manager_meter *mt = userdata;

	pm_supply_link_set(&mt->supply, contactor_closed, aux_closed);
}

static int64_t supply_now(void *userdata)
{
	return meter_now(userdata);
}

/* The button confirmed a reconnection: the account's D-Bus view refreshes. */
static void supply_account_changed(void *userdata)
{
	struct manager_meter *mt = userdata;

	pm_bus_account_changed(mt->bus_account);
}

static void on_billing_event(void *userdata, int64_t when_ns, const char *kind, const char *detail)
{
	struct manager_meter *mt = userdata;

	pm_meter_event(mt->pipe, when_ns, kind, detail);
}

/* The meter's account hook (meter.h): the account goes with each energy checkpoint. */
static bool account_record(void *userdata, int64_t utc_ns, struct pm_store_account_record *rec)
{
	struct manager_meter *mt = userdata;

	return pm_billing_checkpoint_record(mt->billing, utc_ns, rec);
}

/* The billing period's end (meter/period-capture.h): the account's side of it. */
static bool period_end(void *userdata, struct pm_store_account_record *rec, int64_t *charges_mu)
{
	struct manager_meter *mt = userdata;

	return pm_billing_period_end(mt->billing, rec, charges_mu);
}

static void period_saved(void *userdata, int64_t utc_ns, int64_t charges_mu, int result)
{
	struct manager_meter *mt = userdata;

	pm_billing_period_saved(mt->billing, utc_ns, charges_mu, result);
}

static void account_saved(void *userdata, int64_t utc_ns, int result)
{
	struct manager_meter *mt = userdata;

	pm_billing_checkpoint_saved(mt->billing, utc_ns, result);
}

static int start_billing(struct pm_manager *m, struct manager_meter *mt)
{
	const struct pm_conf_meter *c = mt->conf;
	struct pm_billing_config bc;
	char err[512];
	int r;

	/* a store configured but not opened: the account is unknown, not new */
	pm_billing_conf(c, !m->store && strcmp(m->conf->state_dir, "none") != 0, &bc);
	r = pm_billing_new(&bc, m->store, pm_utc_now_ns(), &mt->billing, err, sizeof(err));
	if (r < 0) {
		/* the message names the cause (a file's, with its errno text) once */
		log_error("%s", err);
		return r;
	}
	if (err[0])
		log_error("%s", err);
	mt->supply = (struct pm_supply_link){
	    .event = m->event,
	    .meter = c->name,
	    .conf = &c->relay,
	    .billing = mt->billing,
	    .now = supply_now,
	    .account_changed = supply_account_changed,
	    .userdata = mt,
	};
	r = pm_supply_link_start(&mt->supply, pm_utc_now_ns());
	if (r < 0)
		return r;
	pm_billing_set_hooks(mt->billing, on_supply, on_billing_event, mt);
	return 0;
}

static void on_scan(void *userdata, const struct pm_scan *scan)
{
	struct manager_meter *mt = userdata;
	struct pm_manager *m = mt->manager;

	struct pm_met_sample sample;
	int64_t now;

	if (m->once && mt->scans >= m->once)
		return; /* this meter is done, the others are not yet */
	pm_scan_to_sample(scan, &sample);
	pm_counted_energy_add(&mt->counted, mt->conf->name, &sample);
	mt->last = *scan;
	mt->have_last = true;
	if (mt->calib)
		pm_calibrator_scan(mt->calib, scan);
	pm_chip_events_flush(&mt->chip, last_scan(mt), false, pm_utc_now_ns());
	now = wall_clock(mt,
			 pm_source_scan_utc(mt->source, mt->conf->source == PM_SOURCE_SIM,
					    &mt->sim_clock, scan),
			 true) +
	      pm_dlms_view_clock_offset_ns(mt->dlms);
	pm_meter_set_clock(mt->pipe, &mt->clock);
	pm_meter_push(mt->pipe, &sample, now);
	/* an untrusted clock holds billing; time stepped over is not billed (docs/clock.md) */
	if (!mt->clock.hold) {
		if (mt->clock.step)
			pm_billing_clock_step(mt->billing, now);
		bill_scan(mt, scan, now);
		/* after billing: the account's rate registers belong to the same sample */
		pm_period_capture_scan(&mt->capture, now, mt->pipe);
	}
	if (m->bus)
		pm_bus_meter_changed(m->bus, mt->conf->name, true);
	mt->scans++;
	pm_recorder_scan(&mt->record, now, scan);
	if (!mt->finished && pm_source_finished(mt->source)) {
		mt->finished = true;
		pm_report_finished_json(m->json, mt->conf->name, mt->scans, meter_now(mt),
					mt->pipe);
		log_info("meter %s: source finished after %" PRIu64 " scans", mt->conf->name,
			 mt->scans);
		if (++m->finished == m->n_meters)
			sd_event_exit(m->event, 0);
	}
	if (!m->once)
		return;
	pm_report_scan_json(m->json, mt->conf->name, mt->scans, pm_source_losses(mt->source), scan,
			    &mt->counted, mt->pipe);
	if (mt->scans == m->once && ++m->once_done == m->n_meters)
		sd_event_exit(m->event, 0);
}

static int on_log_timer(sd_event_source *es, uint64_t usec, void *userdata)
{
	struct pm_manager *m = userdata;

	for (size_t i = 0; i < m->n_meters; i++) {
		struct manager_meter *mt = &m->meter[i];

		pm_report_status(mt->conf->name, last_scan(mt), &mt->counted,
				 mt->scans - mt->scans_logged, pm_source_connected(mt->source));
		if (mt->have_last)
			mt->scans_logged = mt->scans;
	}
	sd_event_source_set_time(es, usec + m->conf->log_interval_s * 1000000ULL);
	sd_event_source_set_enabled(es, SD_EVENT_ON);
	return 0;
}

/* The event is dated now (on a simulated clock, its time: a simulated dip in a simulated
 * month); its values are those of the first scan taken after it. */
static void on_chip_event(void *userdata, const struct pm_chip_event *ev)
{
	struct manager_meter *mt = userdata;
	int64_t now;

	if (!pm_source_sim_utc(mt->source, &now))
		now = pm_utc_now_ns();
	pm_chip_events_add(&mt->chip, ev, now, last_scan(mt));
}

static int on_device_timer(sd_event_source *es, uint64_t usec, void *userdata)
{
	struct pm_manager *m = userdata;

	for (size_t i = 0; i < m->n_meters; i++) {
		struct manager_meter *mt = &m->meter[i];
		int64_t now = pm_utc_now_ns();

		/* a device lost: its waiting chip events go with the last values seen, no scan is
		 * coming */
		if (pm_device_events_new_loss(&mt->device, mt->source))
			pm_chip_events_flush(&mt->chip, last_scan(mt), true, now);
		pm_device_events_check(&mt->device, mt->source, mt->pipe, now);
	}
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
		pm_meter_event(mt->pipe, pm_utc_now_ns(), "config_change", diff);
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
	for (size_t i = 0; i < m->conf->n_meters; i++) {
		const struct pm_conf_meter *c = &m->conf->meter[i];
		struct manager_meter *mt = &m->meter[i];
		char err[512];
		uint64_t scans;
		int r;

		if (c->source == PM_SOURCE_REPLAY) {
			r = pm_recording_check(c->replay_file, &scans, err, sizeof(err));
			if (r < 0) {
				log_error("meter %s: %s", c->name, err); /* names the cause */
				return r;
			}
		}
		if (!c->record[0])
			continue;
		r = pm_recorder_open(&mt->record, c->name, c->record);
		if (r < 0)
			return r;
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

	if (!strcmp(m->conf->state_dir, "none")) {
		log_notice("state_dir = none: registers are kept in memory only");
		return 0;
	}
	if (mkdir(m->conf->state_dir, 0750) < 0 && errno != EEXIST)
		log_warning("cannot create %s: %s", m->conf->state_dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/polymeter.db", m->conf->state_dir);
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
	struct pm_stream_config tcfg;
	struct pm_mbrtu_config rcfg;
	struct pm_mb_config mcfg;
	const char *why = NULL;
	char fdname[64];
	int r;

	snprintf(fdname, sizeof(fdname), "modbus-%s", mt->conf->name);
	pm_conf_mbtcp(mt->conf, &tcfg);
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

static int64_t dlms_source_now(void *userdata)
{
	return source_now(userdata);
}

static bool dlms_connected(void *userdata)
{
	const struct manager_meter *mt = userdata;

	return !mt->source || pm_source_connected(mt->source);
}

static void dlms_account_changed(void *userdata)
{
	struct manager_meter *mt = userdata;

	pm_bus_account_changed(mt->bus_account);
}

/* The DLMS HDLC line an earlier meter opened on the same tty, or NULL. */
static struct pm_dlms_serial *hdlc_line_of(struct pm_manager *m, const struct manager_meter *mt)
{
	for (const struct manager_meter *o = m->meter; mt->conf->dlms_hdlc_device[0] && o < mt; o++)
		if (pm_dlms_view_serial(o->dlms) &&
		    strcmp(o->conf->dlms_hdlc_device, mt->conf->dlms_hdlc_device) == 0)
			return pm_dlms_view_serial(o->dlms);
	return NULL;
}

/* The meter's DLMS/COSEM server (app/dlms-view.h), when configured or socket-activated. */
static int start_dlms(struct pm_manager *m, struct manager_meter *mt)
{
	const struct pm_dlms_meter_config mc = {
	    .name = mt->conf->name,
	    .time_zone = mt->conf->time_zone,
	    .firmware = "polymeterd " PM_VERSION,
	    .pipe = mt->pipe,
	    .billing = mt->billing,
	    .measuring_period_s = mt->conf->profile_period_min * 60,
	    .now = dlms_source_now,
	    .connected = dlms_connected,
	    .account_changed = dlms_account_changed,
	    .userdata = mt,
	};
	int r;

	if (!m->have_dlms_objects) {
		r = pm_cosem_directory_init(&m->dlms_objects);
		if (r < 0)
			return log_error_errno(r, "cannot build the DLMS objects");
		m->have_dlms_objects = true;
	}
	return pm_dlms_view_new(m->event, mt->conf, &m->dlms_objects, &mc, hdlc_line_of(m, mt),
				&mt->dlms);
}

/* The MQTT publisher of every meter ([mqtt], views/mqtt/mqtt.h), when configured. */
static int start_mqtt(struct pm_manager *m)
{
	int r;

	if (!m->conf->mqtt.enabled)
		return 0;
	r = pm_mqtt_new(m->event, &m->conf->mqtt, m->store, &m->mqtt);
	if (r < 0)
		return log_error_errno(r, "cannot set up the MQTT publisher");
	for (size_t i = 0; i < m->n_meters; i++) {
		r = pm_mqtt_add_meter(m->mqtt, m->meter[i].conf->name, m->meter[i].pipe);
		if (r < 0)
			return log_error_errno(r, "meter %s: cannot publish it over MQTT",
					       m->meter[i].conf->name);
	}
	r = pm_mqtt_start(m->mqtt);
	if (r < 0)
		return log_error_errno(r, "cannot start the MQTT publisher");
	return 0;
}

struct pm_manager *pm_manager_free(struct pm_manager *m)
{
	if (!m)
		return NULL;
	pm_mqtt_free(m->mqtt); /* its cursors saved; the broker publishes the will */
	for (size_t i = 0; i < m->n_meters; i++) {
		struct manager_meter *mt = &m->meter[i];
		int64_t now = meter_now(mt);

		pm_source_free(mt->source);
		pm_calibrator_free(mt->calib);
		pm_mbtcp_free(mt->modbus);
		pm_dlms_view_free(mt->dlms);
		mt->bus_rtu = pm_bus_rtu_free(mt->bus_rtu); /* before its line may go */
		pm_mbrtu_release(mt->modbus_rtu, &mt->modbus_map);
		pm_bus_account_free(mt->bus_account);
		/* shutdown: what was counted since the last checkpoint is saved, the account
		 * with it; then the account if it changed since */
		if (mt->pipe)
			pm_meter_checkpoint(mt->pipe, now);
		if (mt->billing && pm_billing_flush(mt->billing, now) < 0)
			log_error("meter %s: saving the account at shutdown failed",
				  mt->conf->name);
		pm_billing_free(mt->billing);
		mt->billing = NULL;
		pm_supply_link_free(&mt->supply);
		if (mt->pipe) {
			pm_chip_events_flush(&mt->chip, last_scan(mt), true, pm_utc_now_ns());
			pm_meter_event(mt->pipe, now, "daemon_stop", "");
		}
		pm_meter_free(mt->pipe);
	}
	for (size_t i = 0; m->meter && i < m->conf->n_meters; i++)
		pm_recorder_close(&m->meter[i].record);
	free(m->meter);
	pm_bus_free(m->bus);
	if (m->have_dlms_objects)
		pm_cosem_directory_free(&m->dlms_objects);
	pm_store_close(m->store);
	pm_wall_watch_free(m->wall_watch);
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
	m->conf = conf;
	m->meter = calloc(conf->n_meters ? conf->n_meters : 1, sizeof(*m->meter));
	if (!m->meter)
		return -ENOMEM;
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
	r = pm_wall_watch_new(m->event, m->conf->clock_trust, on_clock_set, m, &m->wall_watch);
	if (r < 0)
		return r;
	r = open_store(m);
	if (r < 0)
		return r;
	if (m->conf->dbus != PM_DBUS_NONE) {
		r = pm_bus_new(m->event, m->conf->dbus == PM_DBUS_SESSION,
			       m->conf->dbus_interval_ms * 1000ULL, &m->bus);
		/* Metering does not depend on D-Bus: without it, the other views still serve. */
		if (r < 0)
			log_error_errno(r, "cannot publish %s on the %s bus; continuing without it",
					PM_BUS_NAME,
					m->conf->dbus == PM_DBUS_SESSION ? "session" : "system");
	}
	for (size_t i = 0; i < m->conf->n_meters; i++) {
		struct manager_meter *mt = &m->meter[i];
		struct pm_meter_config mc;

		mt->manager = m;
		mt->conf = &m->conf->meter[i];
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
		mt->chip.pipe = mt->pipe;
		pm_period_capture_init(&mt->capture, mt->conf->name, mt->conf->time_zone, m->store);
		/* counted from here: a failure below frees what it has (pm_manager_free takes
		 * the parts not made yet as NULL) */
		m->n_meters = i + 1;
		pm_meter_event(mt->pipe, pm_utc_now_ns(), "daemon_start", "");
		check_config(m, mt);
		r = start_billing(m, mt);
		if (r < 0)
			return r;
		if (mt->billing) {
			const struct pm_meter_account_hook hook = {account_record, account_saved,
								   mt};

			pm_meter_set_account_hook(mt->pipe, &hook);
			mt->capture.account =
			    (struct pm_period_account){period_end, period_saved, mt};
		}
		r = start_modbus(m, mt);
		if (r < 0)
			return r;
		if (m->bus) {
			r = pm_bus_add_meter(m->bus, mt->conf->name, pm_meter_snapshot(mt->pipe),
					     &pm_meter_bus_ops, mt->pipe);
			if (r < 0)
				return log_error_errno(r, "meter %s: cannot publish it on D-Bus",
						       mt->conf->name);
			r = pm_bus_account_add(m->bus, m->event,
					       m->conf->dbus_interval_ms * 1000ULL, mt->conf->name,
					       mt->billing, meter_clock, mt, &mt->bus_account);
			if (r < 0)
				return log_error_errno(r, "meter %s: cannot publish its account",
						       mt->conf->name);
			if (mt->modbus_rtu) {
				r = pm_bus_rtu_add(m->bus, mt->conf->name, mt->modbus_rtu,
						   &mt->bus_rtu);
				if (r < 0)
					return log_error_errno(
					    r, "meter %s: cannot publish its Modbus RTU counters",
					    mt->conf->name);
			}
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
			r = pm_bus_meter_set_calibrate(m->bus, mt->conf->name,
						       pm_calibrator_bus_run, mt->calib);
			if (r < 0)
				return log_error_errno(r, "meter %s: cannot publish Calibrate",
						       mt->conf->name);
		}
		pm_source_set_chip_event_cb(mt->source, on_chip_event, mt);
		r = start_dlms(m, mt);
		if (r < 0)
			return r;
		log_info("meter %s: source %s", mt->conf->name,
			 pm_conf_source_name(mt->conf->source));
	}
	r = start_mqtt(m);
	if (r < 0)
		return r;
	if (m->conf->log_interval_s) {
		r = sd_event_add_time_relative(m->event, &m->log_timer, CLOCK_MONOTONIC,
					       m->conf->log_interval_s * 1000000ULL, 0,
					       on_log_timer, m);
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
