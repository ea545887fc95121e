// SPDX-License-Identifier: GPL-2.0-only
/* Calibration arithmetic (see calibration.h). */
#include <errno.h>
#include <stddef.h>

#include "core/metrology/calibration.h"

/* Largest reference or reading: (2^27 + 2^26) x value must stay inside int64_t. */
#define MAX_VALUE (INT64_MAX / (PM_CAL_GAIN_ONE + PM_CAL_MAX_GAIN_CODE))
/* Largest rms in codes: its square must stay inside int64_t. */
#define MAX_RMS_CODES INT64_C(2147483647)

static const char *const attr_fmt[PM_CAL_REGS] = {
    [PM_CAL_VGAIN] = "in_voltage%d_calibscale",
    [PM_CAL_IGAIN] = "in_current%d_calibscale",
    [PM_CAL_PGAIN] = "in_power%d_active_calibscale",
    [PM_CAL_VRMSOS] = "in_altvoltage%d_rms_calibbias",
    [PM_CAL_IRMSOS] = "in_current%d_rms_calibbias",
    [PM_CAL_WATTOS] = "in_power%d_active_calibbias",
    [PM_CAL_VAROS] = "in_power%d_reactive_calibbias",
};

static const char *const reg_name[PM_CAL_REGS] = {
    [PM_CAL_VGAIN] = "vgain",	[PM_CAL_IGAIN] = "igain",   [PM_CAL_PGAIN] = "pgain",
    [PM_CAL_VRMSOS] = "vrmsos", [PM_CAL_IRMSOS] = "irmsos", [PM_CAL_WATTOS] = "wattos",
    [PM_CAL_VAROS] = "varos",
};

const char *pm_cal_attr_fmt(enum pm_cal_reg reg)
{
	if ((unsigned)reg >= PM_CAL_REGS)
		return NULL;
	return attr_fmt[reg];
}

const char *pm_cal_reg_name(enum pm_cal_reg reg)
{
	if ((unsigned)reg >= PM_CAL_REGS)
		return NULL;
	return reg_name[reg];
}

/* a / b rounded half away from zero, b > 0. */
static int64_t div_round(int64_t a, int64_t b)
{
	return a >= 0 ? (a + b / 2) / b : -((-a + b / 2) / b);
}

static bool gain_code_ok(int64_t c)
{
	return c >= -PM_CAL_MAX_GAIN_CODE && c <= PM_CAL_MAX_GAIN_CODE;
}

int pm_cal_gain_code(int32_t old, int64_t reference, int64_t measured, int32_t *out)
{
	int64_t c;

	if (!gain_code_ok(old) || reference <= 0 || measured <= 0 || reference > MAX_VALUE ||
	    measured > MAX_VALUE)
		return -EINVAL;
	c = div_round((PM_CAL_GAIN_ONE + old) * reference, measured) - PM_CAL_GAIN_ONE;
	if (!gain_code_ok(c))
		return -ERANGE;
	*out = (int32_t)c;
	return 0;
}

int64_t pm_cal_regain(int64_t measured, int32_t old, int32_t new_code)
{
	/* both codes within +-2^26 (callers checked), measured within MAX_VALUE */
	return div_round(measured * (PM_CAL_GAIN_ONE + new_code), PM_CAL_GAIN_ONE + old);
}

int pm_cal_rms_offset_code(int32_t old, int64_t reference, int64_t measured, int32_t *out)
{
	int64_t c;

	if (old < PM_CAL_RMSOS_MIN || old > PM_CAL_RMSOS_MAX || reference < 0 || measured < 0 ||
	    reference > MAX_RMS_CODES || measured > MAX_RMS_CODES)
		return -EINVAL;
	c = old + div_round(reference * reference - measured * measured, PM_CAL_RMSOS_SCALE);
	if (c < PM_CAL_RMSOS_MIN || c > PM_CAL_RMSOS_MAX)
		return -ERANGE;
	*out = (int32_t)c;
	return 0;
}

int pm_cal_to_codes(int64_t value, int64_t scale_nano, int64_t *codes)
{
	if (scale_nano <= 0 || value < 0 || value > INT64_MAX / 1000000000)
		return -EINVAL;
	*codes = div_round(value * 1000000000, scale_nano);
	return 0;
}
