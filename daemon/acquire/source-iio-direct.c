// SPDX-License-Identifier: GPL-2.0-only
/* The direct acquisition of the libiio source (see source-iio-direct.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/adapter-math.h"
#include "acquire/iio-attr.h"
#include "common/log.h"
#include "core/metrology/power-integrator.h"
#include "acquire/source-iio-direct.h"
#include "acquire/source.h"

/* ADE9000 datasheet: the codes of a full-scale input (as docs/abi.md §8 uses them) */
#define RMS_FULL_SCALE_CODES 52702092u
#define POWER_FULL_SCALE_CODES 20694066u

enum value { D_V, D_I, D_P, D_Q, D_S, D_VALUES };

struct pm_iio_direct {
	const struct pm_conf_meter *conf;
	bool mainline;
	struct pm_iio_attr raw[PM_PHASES][D_VALUES];
	int64_t scale_nano[PM_PHASES][D_VALUES]; /* mV, mA, mW, mvar, mVA per code, x 1e9 */
	struct pm_iio_attr neutral;		 /* chn NULL: none */
	int64_t neutral_scale_nano;
	struct pm_power_integrator pint;
};

static int find_raw(struct pm_iio_direct *d, const struct iio_device *dev, const char *file,
		    struct pm_iio_attr *out)
{
	if (pm_iio_attr_find(dev, file, out) < 0)
		return log_error_errno(-ENOENT, "meter %s: the device has no %s", d->conf->name,
				       file);
	return 0;
}

/* The device's own scale of "<prefix>_raw": "<prefix>_scale", physical units. */
static int read_scale(struct pm_iio_direct *d, const struct iio_device *dev, const char *raw_file,
		      int64_t *out)
{
	char file[64];

	snprintf(file, sizeof(file), "%.*s_scale", (int)(strlen(raw_file) - strlen("_raw")),
		 raw_file);
	return pm_iio_read_scale(dev, d->conf->name, file, out);
}

/* Vfs / 52 702 092 mV, Ifs / 52 702 092 mA, Vfs[V] x Ifs[mA] / 20 694 066 mW per code */
static void full_scale_scales(struct pm_iio_direct *d)
{
	const struct pm_conf_meter *c = d->conf;
	int64_t v =
	    (int64_t)pm_met_muldiv_u64((uint64_t)c->full_scale_mv, PM_NANO, RMS_FULL_SCALE_CODES);
	int64_t i =
	    (int64_t)pm_met_muldiv_u64((uint64_t)c->full_scale_ma, PM_NANO, RMS_FULL_SCALE_CODES);
	int64_t p =
	    (int64_t)pm_met_muldiv_u64((uint64_t)c->full_scale_mv * (uint64_t)c->full_scale_ma,
				       1000000u, POWER_FULL_SCALE_CODES);

	for (int n = 0; n < PM_PHASES; n++) {
		d->scale_nano[n][D_V] = v;
		d->scale_nano[n][D_I] = i;
		d->scale_nano[n][D_P] = p;
		d->scale_nano[n][D_Q] = p;
		d->scale_nano[n][D_S] = p;
	}
}

int pm_iio_direct_open(const struct iio_device *dev, const struct pm_conf_meter *conf,
		       struct pm_iio_direct **ret)
{
	static const char *const power_kind[3] = {"active", "reactive", "apparent"};
	struct pm_iio_direct *d;
	struct pm_iio_attr probe;
	char file[PM_PHASES][D_VALUES][48];
	int r = 0;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->conf = conf;
	d->mainline = pm_iio_attr_find(dev, "in_energy0_active_scale", &probe) < 0;
	if (d->mainline && (!conf->full_scale_mv || !conf->full_scale_ma)) {
		log_error(
		    "meter %s: the device's scales are fractions of the ADC's full scale (the "
		    "mainline ade9000 ABI): set full_scale_voltage_mv and full_scale_current_ma "
		    "in [meter %s], the line rms voltage and current at the ADC's full scale",
		    conf->name, conf->name);
		pm_iio_direct_free(d);
		return -EINVAL;
	}
	if (!d->mainline && (conf->full_scale_mv || conf->full_scale_ma))
		log_notice(
		    "meter %s: full_scale_voltage_mv and full_scale_current_ma are not used: "
		    "the device publishes physical scales",
		    conf->name);

	for (int n = 0; n < PM_PHASES && r == 0; n++) {
		snprintf(file[n][D_V], sizeof(file[n][D_V]), "in_altvoltage%d_rms_raw", n);
		snprintf(file[n][D_I], sizeof(file[n][D_I]), "in_current%d_rms_raw", n);
		if (pm_iio_attr_find(dev, file[n][D_I], &probe) < 0)
			snprintf(file[n][D_I], sizeof(file[n][D_I]), "in_altcurrent%d_rms_raw", n);
		for (int k = 0; k < 3; k++)
			snprintf(file[n][D_P + k], sizeof(file[n][D_P + k]), "in_power%d_%s_raw", n,
				 power_kind[k]);
		for (int e = 0; e < D_VALUES && r == 0; e++) {
			r = find_raw(d, dev, file[n][e], &d->raw[n][e]);
			if (r == 0 && !d->mainline)
				r = read_scale(d, dev, file[n][e], &d->scale_nano[n][e]);
		}
	}
	if (r == 0 && d->mainline)
		full_scale_scales(d);
	if (r == 0 && pm_iio_attr_find(dev, "in_current3_rms_raw", &d->neutral) == 0)
		r = read_scale(d, dev, "in_current3_rms_raw", &d->neutral_scale_nano);
	if (r < 0) {
		pm_iio_direct_free(d);
		return r;
	}
	pm_power_integrator_reset(&d->pint);
	*ret = d;
	return 0;
}

struct pm_iio_direct *pm_iio_direct_free(struct pm_iio_direct *d)
{
	free(d);
	return NULL;
}

static int read_scaled(const struct pm_iio_attr *a, int64_t scale_nano, int64_t *out)
{
	int32_t raw;
	int r = pm_iio_attr_read_s32(a, &raw);

	if (r < 0)
		return r;
	*out = pm_scale_round(raw, scale_nano);
	return 0;
}

int pm_iio_direct_read(struct pm_iio_direct *d, int64_t mono_ns, struct pm_scan *scan)
{
	int64_t v[PM_PHASES][D_VALUES], power[PM_PHASES][PM_KINDS];
	int r;

	for (int n = 0; n < PM_PHASES; n++)
		for (int e = 0; e < D_VALUES; e++) {
			r = read_scaled(&d->raw[n][e], d->scale_nano[n][e], &v[n][e]);
			if (r < 0)
				return r;
		}
	scan->neutral_ma = 0;
	if (d->neutral.chn) {
		r = read_scaled(&d->neutral, d->neutral_scale_nano, &scan->neutral_ma);
		if (r < 0)
			return r;
	}
	for (int n = 0; n < PM_PHASES; n++) {
		struct pm_scan_phase *ph = &scan->ph[n];

		ph->v_mv = v[n][D_V];
		ph->i_ma = v[n][D_I];
		ph->p_mw = v[n][D_P];
		ph->q_mvar = v[n][D_Q];
		ph->s_mva = v[n][D_S];
		power[n][PM_ACTIVE] = ph->p_mw;
		power[n][PM_REACTIVE] = ph->q_mvar;
		power[n][PM_APPARENT] = ph->s_mva;
	}
	pm_power_integrator_step(&d->pint, mono_ns, power);
	for (int n = 0; n < PM_PHASES; n++)
		for (int k = 0; k < PM_KINDS; k++)
			scan->ph[n].counter[k] = d->pint.counter[n][k];
	for (int k = 0; k < PM_KINDS; k++)
		scan->nj_per_code[k] = PM_PINT_NJ_PER_CODE;
	return 0;
}

bool pm_iio_direct_mainline(const struct pm_iio_direct *d)
{
	return d->mainline;
}

void pm_iio_direct_rms_scales(const struct pm_iio_direct *d, int phase, int64_t out[2])
{
	out[0] = d->scale_nano[phase][D_V];
	out[1] = d->scale_nano[phase][D_I];
}

int64_t pm_iio_direct_line_mhz(const struct pm_iio_direct *d, int64_t reported_mhz)
{
	if (d->mainline && reported_mhz >= 22500 && reported_mhz <= 32500)
		return 2 * reported_mhz;
	return reported_mhz;
}
