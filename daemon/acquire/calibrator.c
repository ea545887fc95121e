// SPDX-License-Identifier: GPL-2.0-only
/* One meter's calibration (see calibrator.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acquire/calibrator.h"
#include "common/clock.h"
#include "common/log.h"

struct pm_calibrator {
	struct pm_meter *pipe;
	struct pm_source *source;
	unsigned settle;
	unsigned skip;	/* scans still to ignore */
	unsigned count; /* scans in the window, up to PM_CALIBRATOR_WINDOW */
	unsigned next;	/* ring position */
	int64_t v_mv[PM_CALIBRATOR_WINDOW][PM_PHASES];
	int64_t i_ma[PM_CALIBRATOR_WINDOW][PM_PHASES];
	int64_t p_mw[PM_CALIBRATOR_WINDOW][PM_PHASES];
};

static void restart_window(struct pm_calibrator *c)
{
	c->skip = c->settle;
	c->count = 0;
	c->next = 0;
}

int pm_calibrator_new(struct pm_meter *pipe, struct pm_source *source, unsigned settle,
		      struct pm_calibrator **out)
{
	struct pm_store *store = pm_meter_store(pipe);
	struct pm_calibrator *c;
	struct pm_calib stored;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->pipe = pipe;
	c->source = source;
	c->settle = settle;
	restart_window(c);
	r = store ? pm_store_load_calib(store, pm_meter_name(pipe), &stored) : -ENOENT;
	if (r == 0) {
		/* not connected yet: the source writes them when it connects */
		r = pm_source_calib_apply(source, &stored);
		log_info("meter %s: calibration restored from the store", pm_meter_name(pipe));
	} else if (r != -ENOENT) {
		log_error_errno(r, "meter %s: cannot read its calibration; the chip keeps its own",
				pm_meter_name(pipe));
	}
	*out = c;
	return 0;
}

void pm_calibrator_free(struct pm_calibrator *c)
{
	free(c);
}

void pm_calibrator_scan(struct pm_calibrator *c, const struct pm_scan *scan)
{
	if (c->skip) {
		c->skip--;
		return;
	}
	for (int n = 0; n < PM_PHASES; n++) {
		c->v_mv[c->next][n] = scan->ph[n].v_mv;
		c->i_ma[c->next][n] = scan->ph[n].i_ma;
		c->p_mw[c->next][n] = scan->ph[n].p_mw;
	}
	c->next = (c->next + 1) % PM_CALIBRATOR_WINDOW;
	if (c->count < PM_CALIBRATOR_WINDOW)
		c->count++;
}

static int64_t mean(int64_t w[PM_CALIBRATOR_WINDOW][PM_PHASES], int n)
{
	int64_t sum = 0;

	for (int k = 0; k < PM_CALIBRATOR_WINDOW; k++)
		sum += w[k][n];
	return (sum + (sum >= 0 ? 1 : -1) * PM_CALIBRATOR_WINDOW / 2) / PM_CALIBRATOR_WINDOW;
}

static int fail(char *err, size_t errlen, int r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return r;
}

static void note(struct pm_cal_result *res, int phase, enum pm_cal_reg reg, int32_t old,
		 int32_t new_code, int64_t measured, int64_t reference)
{
	res->change[res->n++] = (struct pm_cal_change){
	    .phase = phase,
	    .reg = reg,
	    .old_code = old,
	    .new_code = new_code,
	    .measured = measured,
	    .reference = reference,
	};
}

/* One phase's new codes into @code (which holds the chip's codes on entry). */
static int compute_phase(struct pm_calibrator *c, const struct pm_cal_request *req, int n,
			 int32_t code[PM_CAL_REGS], const int64_t scale[2],
			 struct pm_cal_result *res, char *err, size_t errlen)
{
	int64_t v = mean(c->v_mv, n), i = mean(c->i_ma, n), p = mean(c->p_mw, n);
	const int32_t old_v = code[PM_CAL_VGAIN], old_i = code[PM_CAL_IGAIN];
	int r;

	if (req->step == PM_CAL_STEP_GAIN) {
		if (req->v_mv) {
			r = pm_cal_gain_code(old_v, req->v_mv, v, &code[PM_CAL_VGAIN]);
			if (r < 0)
				return fail(err, errlen, r,
					    "L%d voltage reads %" PRId64 " mV for %" PRId64
					    " mV: %s",
					    n + 1, v, req->v_mv,
					    r == -ERANGE ? "beyond a gain of 1 +- 0.5"
							 : "no voltage to calibrate");
			note(res, n + 1, PM_CAL_VGAIN, old_v, code[PM_CAL_VGAIN], v, req->v_mv);
		}
		if (req->i_ma) {
			r = pm_cal_gain_code(old_i, req->i_ma, i, &code[PM_CAL_IGAIN]);
			if (r < 0)
				return fail(err, errlen, r,
					    "L%d current reads %" PRId64 " mA for %" PRId64
					    " mA: %s",
					    n + 1, i, req->i_ma,
					    r == -ERANGE ? "beyond a gain of 1 +- 0.5"
							 : "no current to calibrate");
			note(res, n + 1, PM_CAL_IGAIN, old_i, code[PM_CAL_IGAIN], i, req->i_ma);
		}
		if (req->p_mw) {
			/* the power the chip will read once the new V and I gains apply */
			int64_t after = pm_cal_regain(pm_cal_regain(p, old_v, code[PM_CAL_VGAIN]),
						      old_i, code[PM_CAL_IGAIN]);
			int32_t old_p = code[PM_CAL_PGAIN];

			r = pm_cal_gain_code(old_p, req->p_mw, after, &code[PM_CAL_PGAIN]);
			if (r < 0)
				return fail(err, errlen, r,
					    "L%d active power reads %" PRId64 " mW for %" PRId64
					    " mW: %s",
					    n + 1, after, req->p_mw,
					    r == -ERANGE ? "beyond a gain of 1 +- 0.5"
							 : "no imported active power to calibrate");
			note(res, n + 1, PM_CAL_PGAIN, old_p, code[PM_CAL_PGAIN], after, req->p_mw);
		}
		return 0;
	}
	/* offset: in rms codes, on the square */
	for (int k = 0; k < 2; k++) {
		const enum pm_cal_reg reg = k ? PM_CAL_IRMSOS : PM_CAL_VRMSOS;
		const int64_t ref = k ? req->i_ma : req->v_mv, meas = k ? i : v;
		const int32_t old = code[reg];
		int64_t ref_codes, meas_codes;

		if (!ref)
			continue;
		r = pm_cal_to_codes(ref, scale[k], &ref_codes);
		if (r == 0)
			r = pm_cal_to_codes(meas, scale[k], &meas_codes);
		if (r == 0)
			r = pm_cal_rms_offset_code(old, ref_codes, meas_codes, &code[reg]);
		if (r < 0)
			return fail(err, errlen, r, "L%d %s reads %" PRId64 " for %" PRId64 ": %s",
				    n + 1, k ? "current" : "voltage", meas, ref,
				    r == -ERANGE ? "an offset beyond the 24-bit register"
						 : "cannot compute an offset");
		note(res, n + 1, reg, old, code[reg], meas, ref);
	}
	return 0;
}

int pm_calibrator_run(struct pm_calibrator *c, const struct pm_cal_request *req,
		      struct pm_cal_result *res, char *err, size_t errlen)
{
	struct pm_store *store = pm_meter_store(c->pipe);
	const char *name = pm_meter_name(c->pipe);
	struct pm_calib before = {0}, after = {0};
	char detail[200];
	int r;

	memset(res, 0, sizeof(*res));
	if (req->step != PM_CAL_STEP_GAIN && req->step != PM_CAL_STEP_OFFSET)
		return fail(err, errlen, -EINVAL, "unknown step");
	if (req->phase < 0 || req->phase > PM_CAL_PHASES)
		return fail(err, errlen, -EINVAL, "phase must be 1, 2, 3 or 0 (all)");
	if (req->v_mv < 0 || req->i_ma < 0 || req->p_mw < 0)
		return fail(err, errlen, -EINVAL, "a reference must not be negative");
	if (!req->v_mv && !req->i_ma && !req->p_mw)
		return fail(err, errlen, -EINVAL, "no reference given");
	if (req->step == PM_CAL_STEP_OFFSET && req->p_mw)
		return fail(err, errlen, -EINVAL,
			    "the offset step takes a voltage and/or a current, not a power");
	if (!store)
		return fail(err, errlen, -ENODEV,
			    "meter %s has no store: a calibration could not be kept", name);
	if (!pm_source_connected(c->source))
		return fail(err, errlen, -ENOTCONN, "meter %s: no device", name);
	if (c->count < PM_CALIBRATOR_WINDOW)
		return fail(err, errlen, -EAGAIN,
			    "meter %s: readings not settled yet (%u of %d scans); try again", name,
			    c->count, PM_CALIBRATOR_WINDOW);

	for (int n = 0; n < PM_CAL_PHASES; n++) {
		int64_t scale[2];

		if (req->phase && req->phase != n + 1)
			continue;
		r = pm_source_calib_read(c->source, n, before.code[n], scale);
		if (r < 0)
			return fail(err, errlen, -EIO, "meter %s: cannot read the chip's codes: %s",
				    name, strerror(-r));
		before.set[n] = after.set[n] = true;
		memcpy(after.code[n], before.code[n], sizeof(after.code[n]));
		r = compute_phase(c, req, n, after.code[n], scale, res, err, errlen);
		if (r < 0) {
			memset(res, 0, sizeof(*res));
			return r;
		}
	}

	r = pm_source_calib_apply(c->source, &after);
	if (r < 0) {
		pm_source_calib_apply(c->source, &before);
		memset(res, 0, sizeof(*res));
		return fail(err, errlen, -EIO, "meter %s: the chip refused a code: %s", name,
			    strerror(-r));
	}
	r = pm_store_save_calib(store, name, &after, pm_utc_now_ns());
	if (r < 0) {
		pm_source_calib_apply(c->source, &before);
		memset(res, 0, sizeof(*res));
		return fail(err, errlen, r, "meter %s: store: %s; calibration not changed", name,
			    strerror(-r));
	}
	restart_window(c);
	snprintf(detail, sizeof(detail), "%s step, phase %s, %zu register(s) changed",
		 req->step == PM_CAL_STEP_GAIN ? "gain" : "offset",
		 req->phase ? (const char *[]){"L1", "L2", "L3"}[req->phase - 1] : "all", res->n);
	pm_meter_event(c->pipe, pm_utc_now_ns(), "calibration", detail);
	log_info("meter %s: calibration: %s", name, detail);
	return 0;
}
