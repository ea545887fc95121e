// SPDX-License-Identifier: GPL-2.0-only
/* The simulated source (see source-sim.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/adapter-math.h"
#include "acquire/generation.h"
#include "acquire/source-sim.h"
#include "common/log.h"
#include "core/billing/civil-time.h"

struct source_sim {
	struct pm_source base;
	sd_event *event;
	const struct pm_conf_meter *conf;
	pm_scan_fn cb;
	void *userdata;
	sd_event_source *timer;

	struct pm_scan scan; /* the constant part of every scan, counters updated per tick */
	int64_t power[PM_PHASES][PM_KINDS];   /* mW, mvar, mVA */
	uint64_t acc_pj[PM_PHASES][PM_KINDS]; /* energy not yet a whole counter code */
	uint64_t period_ns;
	uint64_t real_start_us; /* CLOCK_MONOTONIC when the simulated clock started */
	int64_t sim_start_ns;
	uint64_t ticks; /* scans produced */
	struct pm_calib
	    calib;	   /* the chip's correction registers, as the simulated chip holds them */
	bool dipping;	   /* the grid is in a dip (sim_dip_every_s): every voltage lowered */
	bool done;	   /* simulated clock: sim_end reached, no more scans */
	unsigned progress; /* simulated clock with sim_end: tenths of the span logged */
};

/*
 * The simulated chip's rms resolution: 0.02 mV and 0.002 mA per code (about a 1000 V and a
 * 100 A full scale over the ADE9000's 52 702 092 rms codes). The rms offsets act in these
 * codes, as the chip's do.
 */
#define SIM_V_SCALE_NANO 20000000
#define SIM_I_SCALE_NANO 2000000

static int64_t round_to_i64(double x)
{
	return (int64_t)llround(x);
}

/* gain = 1 + code / 2^27, as the chip's gain registers */
static double sim_gain(int32_t code)
{
	return 1.0 + (double)code / (double)PM_CAL_GAIN_ONE;
}

/*
 * What the chip reports for an rms input (unit of @scale_nano) that already went through the
 * gain: the offset register adds 2^15 x code to the square of the rms in codes.
 */
static int64_t sim_rms(double x_sq, int64_t scale_nano, int32_t os_code)
{
	double scale = (double)scale_nano / 1e9;
	double codes_sq = x_sq / (scale * scale) + (double)PM_CAL_RMSOS_SCALE * os_code;

	return round_to_i64(codes_sq > 0 ? sqrt(codes_sq) * scale : 0);
}

/*
 * The grid's steady state as the chip measures it: powers of every phase and the neutral
 * current. The sensors' errors (sim_*_error_ppm, sim_current_noise_ma) come first, then the
 * chip's gain and offset registers, so the calibration has something real to correct.
 */
static void sim_model(struct source_sim *s)
{
	const struct pm_conf_sim *g = &s->conf->sim;
	double in_re = 0, in_im = 0;

	for (int n = 0; n < PM_PHASES; n++) {
		const int32_t *cal = s->calib.code[n];
		double theta = (double)g->angle_mdeg[n] / 1000.0 * M_PI / 180.0;
		double v = (double)g->v_mv[n] *
			   (s->dipping ? (double)g->dip_percent / 100.0 : 1.0) *
			   (1.0 + (double)g->v_error_ppm[n] / 1e6) * sim_gain(cal[PM_CAL_VGAIN]);
		double i = (double)g->i_ma[n] * (1.0 + (double)g->i_error_ppm[n] / 1e6) *
			   sim_gain(cal[PM_CAL_IGAIN]);
		double noise = (double)g->i_noise_ma[n] * sim_gain(cal[PM_CAL_IGAIN]);
		/* mV x mA = uW; / 1000 = mW; xPGAIN scales P, Q and S */
		double s_mva = v * i / 1000.0 * sim_gain(cal[PM_CAL_PGAIN]);
		/* current phasor: the voltage of phase n is at -120 deg x n, the current lags it */
		double phi = -(2.0 * M_PI / 3.0) * n - theta;

		s->scan.ph[n].v_mv = sim_rms(v * v, SIM_V_SCALE_NANO, cal[PM_CAL_VRMSOS]);
		s->scan.ph[n].f_mhz = g->f_mhz;
		s->scan.ph[n].i_ma =
		    sim_rms(i * i + noise * noise, SIM_I_SCALE_NANO, cal[PM_CAL_IRMSOS]);
		s->power[n][PM_ACTIVE] = round_to_i64(s_mva * cos(theta));
		s->power[n][PM_REACTIVE] = round_to_i64(s_mva * sin(theta));
		s->power[n][PM_APPARENT] = round_to_i64(s_mva);
		s->scan.ph[n].p_mw = s->power[n][PM_ACTIVE];
		s->scan.ph[n].q_mvar = s->power[n][PM_REACTIVE];
		s->scan.ph[n].s_mva = s->power[n][PM_APPARENT];
		in_re += (double)g->i_ma[n] * cos(phi);
		in_im += (double)g->i_ma[n] * sin(phi);
	}
	s->scan.neutral_ma = round_to_i64(hypot(in_re, in_im));
	for (int k = 0; k < PM_KINDS; k++)
		s->scan.nj_per_code[k] = g->nj_per_code;
}

/*
 * Simulated clock with an end: a line at every tenth of the span, so a month or a year that
 * takes seconds shows it is moving, and how far, rather than staying silent until its summary.
 */
static void sim_progress(struct source_sim *s)
{
	int64_t span = s->conf->sim_end_ns - s->sim_start_ns, tenth_ns = span / 10;
	int64_t done = s->scan.ts_ns - s->sim_start_ns;
	unsigned tenths;
	char when[32];

	if (!s->conf->sim_end_ns || tenth_ns <= 0 || s->progress >= 10)
		return;
	tenths = done >= span ? 10 : (unsigned)(done / tenth_ns);
	if (tenths <= s->progress)
		return;
	s->progress = tenths;
	log_info("meter %s: simulated %u %% (%s)", s->conf->name, tenths * 10,
		 pm_civil_format_utc(s->scan.ts_ns, when, sizeof(when)));
}

/*
 * The grid's dip (sim_dip_every_s): whether the scan at @ts_ns falls in one. The first dip
 * starts one period of dip_every_s after the start, so a meter first shows its steady state.
 */
static bool sim_in_dip(const struct source_sim *s, int64_t ts_ns)
{
	const struct pm_conf_sim *g = &s->conf->sim;
	const int64_t every_ns = (int64_t)g->dip_every_s * 1000000000;
	int64_t since = ts_ns - s->sim_start_ns;

	return every_ns > 0 && since >= every_ns &&
	       since % every_ns < (int64_t)g->dip_s * 1000000000;
}

/*
 * A dip starts or ends before the scan at @ts_ns: the voltages change from this scan on, and
 * the chip raises its dip event on every phase, the start falling below the dip level, the end
 * rising above it, as the driver reports them (docs/abi.md §6), dated just before this scan so
 * that the meter logs each with this scan's voltage.
 */
static void sim_dip(struct source_sim *s, int64_t ts_ns)
{
	bool dipping = sim_in_dip(s, ts_ns);

	if (dipping == s->dipping)
		return;
	s->dipping = dipping;
	sim_model(s);
	for (int n = 0; n < PM_PHASES && s->base.on_chip_event; n++) {
		struct pm_chip_event ev = {
		    .kind = PM_CHIP_DIP, .phase = n, .rising = !dipping, .ts_ns = ts_ns - 1};

		s->base.on_chip_event(s->base.chip_event_userdata, &ev);
	}
}

/* One scan period: integrate every counter (mW x ns = pJ), then hand the scan out. */
static void sim_tick(struct source_sim *s)
{
	const uint64_t code_pj = (uint64_t)s->conf->sim.nj_per_code * 1000;
	int64_t ts_ns;

	s->ticks++;
	ts_ns = s->sim_start_ns + (int64_t)(s->ticks * s->period_ns);
	/* the period that ends with this scan is on the grid's new state: a dip's energy is
	 * counted at the dipped power */
	sim_dip(s, ts_ns);
	for (int n = 0; n < PM_PHASES; n++)
		for (int k = 0; k < PM_KINDS; k++)
			s->scan.ph[n].counter[k] +=
			    pm_energy_step(s->power[n][k], s->period_ns, code_pj, &s->acc_pj[n][k]);
	s->scan.ts_ns = ts_ns;
	/* The baseline scan is one period after sim_start, so the last is the first one period
	 * past sim_end: the energy counted between them spans sim_end - sim_start exactly (when
	 * the period divides it) and every profile interval ending by sim_end is closed. */
	if (s->conf->sim_end_ns && s->scan.ts_ns >= s->conf->sim_end_ns + (int64_t)s->period_ns)
		s->done = true;
	sim_progress(s);
	s->cb(s->userdata, &s->scan);
}

/* Simulated clock: scans as fast as the CPU allows, a batch per loop iteration so signals,
 * D-Bus and Modbus are still served in between. */
static int on_fast_timer(sd_event_source *es, uint64_t usec, void *userdata)
{
	struct source_sim *s = userdata;
	unsigned batch = 0;

	(void)usec;
	while (!s->done && batch++ < PM_SIM_BATCH)
		sim_tick(s);
	if (s->done)
		return sd_event_source_set_enabled(es, SD_EVENT_OFF);
	sd_event_source_set_time(es, 0); /* already due: runs again next iteration */
	return sd_event_source_set_enabled(es, SD_EVENT_ONESHOT);
}

static int on_timer(sd_event_source *es, uint64_t usec, void *userdata)
{
	struct source_sim *s = userdata;
	const uint64_t speed = s->conf->sim.speed;
	unsigned batch = 0;
	uint64_t now, due_ns, next_us;

	(void)usec;
	sd_event_now(s->event, CLOCK_MONOTONIC, &now);
	/* simulated ns elapsed = real us elapsed x 1000 x speed */
	due_ns = (now - s->real_start_us) * 1000 * speed;
	while ((s->ticks + 1) * s->period_ns <= due_ns && batch++ < PM_SIM_BATCH)
		sim_tick(s);
	next_us = s->real_start_us + ((s->ticks + 1) * s->period_ns) / (1000 * speed);
	sd_event_source_set_time(es, next_us > now ? next_us : now);
	sd_event_source_set_enabled(es, SD_EVENT_ONESHOT);
	return 0;
}

static void sim_free(struct pm_source *base)
{
	struct source_sim *s = (struct source_sim *)base;

	sd_event_source_disable_unref(s->timer);
	sd_event_unref(s->event);
	free(s);
}

static bool sim_connected(const struct pm_source *base)
{
	(void)base;
	return true;
}

static unsigned sim_losses(const struct pm_source *base)
{
	(void)base;
	return 0;
}

static int sim_calib_read(struct pm_source *base, int phase, int32_t code[PM_CAL_REGS],
			  int64_t rms_scale_nano[2])
{
	struct source_sim *s = (struct source_sim *)base;

	memcpy(code, s->calib.code[phase], sizeof(s->calib.code[phase]));
	rms_scale_nano[0] = SIM_V_SCALE_NANO;
	rms_scale_nano[1] = SIM_I_SCALE_NANO;
	return 0;
}

/* The simulated chip takes the codes of the phases set; the next scan shows their effect. */
static int sim_calib_apply(struct pm_source *base, const struct pm_calib *c)
{
	struct source_sim *s = (struct source_sim *)base;

	for (int n = 0; n < PM_PHASES; n++)
		if (c->set[n]) {
			s->calib.set[n] = true;
			memcpy(s->calib.code[n], c->code[n], sizeof(c->code[n]));
		}
	sim_model(s);
	return 0;
}

static bool sim_utc(const struct pm_source *base, int64_t *utc_ns)
{
	const struct source_sim *s = (const struct source_sim *)base;

	if (!s->conf->sim_start_ns)
		return false;
	*utc_ns = s->ticks ? s->scan.ts_ns : s->sim_start_ns;
	return true;
}

static bool sim_finished(const struct pm_source *base)
{
	return ((const struct source_sim *)base)->done;
}

static const struct pm_source_ops sim_ops = {
    .free = sim_free,
    .connected = sim_connected,
    .losses = sim_losses,
    .calib_read = sim_calib_read,
    .calib_apply = sim_calib_apply,
    .sim_utc = sim_utc,
    .finished = sim_finished,
};

int pm_source_sim_new(sd_event *event, const struct pm_conf_meter *conf, pm_scan_fn cb,
		      void *userdata, struct pm_source **ret)
{
	struct source_sim *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->base.ops = &sim_ops;
	s->event = sd_event_ref(event);
	s->conf = conf;
	s->cb = cb;
	s->userdata = userdata;
	s->period_ns = 1000000000ULL / conf->sim.rate_hz;
	/* the simulated chip is probed anew at every start: its counters start from zero in a
	 * generation of their own, as the driver's do (a fixed one made a restart look like
	 * counters going backwards). A calibration (sim_model again) keeps it. */
	s->scan.generation = pm_source_new_generation();
	s->scan.counters_from_zero = true;
	sim_model(s);
	sd_event_now(event, CLOCK_MONOTONIC, &s->real_start_us);
	s->sim_start_ns = (int64_t)s->real_start_us * 1000;
	if (conf->sim_start_ns) {
		/* the simulated clock: time stamps are simulated UTC */
		s->sim_start_ns = conf->sim_start_ns;
		r = sd_event_add_time(event, &s->timer, CLOCK_MONOTONIC, 0, 0, on_fast_timer, s);
	} else {
		r = sd_event_add_time(event, &s->timer, CLOCK_MONOTONIC,
				      s->real_start_us + s->period_ns / (1000 * conf->sim.speed), 0,
				      on_timer, s);
	}
	if (r < 0) {
		sim_free(&s->base);
		return r;
	}
	sd_event_source_set_enabled(s->timer, SD_EVENT_ONESHOT);
	*ret = &s->base;
	return 0;
}
