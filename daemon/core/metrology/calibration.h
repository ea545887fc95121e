/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Calibration arithmetic for the ADE9000's own correction registers (pure: no I/O).
 *
 * The chip corrects its measurements with signed register codes that the driver exposes as
 * *_calibscale (gains) and *_calibbias (offsets), docs/abi.md §5:
 *
 * - Gains (xVGAIN, xIGAIN, xPGAIN): gain = 1 + code / 2^27. A reading m was taken with the code
 *   c_old already in the register, so the code that makes it read the reference r is the one
 *   whose gain is (1 + c_old / 2^27) x r / m:  c_new = (2^27 + c_old) x r / m - 2^27.
 * - RMS offsets (xVRMSOS, xIRMSOS): the chip adds the offset to the *square* of the rms before
 *   the square root, rms = sqrt(rms0^2 + 2^15 x code), in rms register codes; the register is
 *   24-bit signed (ADI's no-OS ADE9000-family calibration code: OFFSET_SCALE_FACTOR 2^15,
 *   OFFSET_REG_MIN/MAX -2^23 .. 2^23 - 1). The code that makes a reading m (codes, taken with
 *   c_old) read r:  c_new = c_old + (r^2 - m^2) / 2^15.
 *
 * A correction beyond PM_CAL_MAX_GAIN_CODE (gain outside 0.5 .. 1.5) is refused: such an error
 * is a wiring or reference mistake, not something to calibrate away.
 */
#ifndef POLYMETER_CALIBRATION_H
#define POLYMETER_CALIBRATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PM_CAL_PHASES 3
#define PM_CAL_GAIN_ONE (INT64_C(1) << 27)	/* code scale of the gain registers */
#define PM_CAL_MAX_GAIN_CODE (INT64_C(1) << 26) /* |gain - 1| <= 0.5 */
#define PM_CAL_RMSOS_SCALE (INT64_C(1) << 15)	/* rms^2 codes per offset code */
#define PM_CAL_RMSOS_MIN (-(INT64_C(1) << 23))	/* 24-bit signed register */
#define PM_CAL_RMSOS_MAX ((INT64_C(1) << 23) - 1)

/* The correction registers of one phase, in this order everywhere (store, D-Bus, sysfs). */
enum pm_cal_reg {
	PM_CAL_VGAIN,  /* in_voltageN_calibscale */
	PM_CAL_IGAIN,  /* in_currentN_calibscale */
	PM_CAL_PGAIN,  /* in_powerN_active_calibscale */
	PM_CAL_VRMSOS, /* in_altvoltageN_rms_calibbias */
	PM_CAL_IRMSOS, /* in_currentN_rms_calibbias (mainline: in_altcurrentN_rms_calibbias) */
	PM_CAL_WATTOS, /* in_powerN_active_calibbias */
	PM_CAL_VAROS,  /* in_powerN_reactive_calibbias */
	PM_CAL_REGS
};

/* The codes of every phase; a phase not @set has never been calibrated (left alone). */
struct pm_calib {
	bool set[PM_CAL_PHASES];
	int32_t code[PM_CAL_PHASES][PM_CAL_REGS];
};

/* One calibration step against a reference load (daemon/acquire/calibrator.h). */
enum pm_cal_step { PM_CAL_STEP_GAIN, PM_CAL_STEP_OFFSET };

struct pm_cal_request {
	enum pm_cal_step step;
	int phase;    /* 1..3, or 0: every phase against the same reference */
	int64_t v_mv; /* reference rms voltage; 0 = leave */
	int64_t i_ma; /* reference rms current; 0 = leave */
	int64_t p_mw; /* reference active power (gain step only); 0 = leave */
};

struct pm_cal_change {
	int phase; /* 1..3 */
	enum pm_cal_reg reg;
	int32_t old_code, new_code;
	int64_t measured, reference; /* mV, mA or mW */
};

struct pm_cal_result {
	size_t n;
	struct pm_cal_change change[PM_CAL_PHASES * PM_CAL_REGS];
};

/* The sysfs attribute of @reg for phase @n (0-based), e.g. "in_voltage0_calibscale". */
const char *pm_cal_attr_fmt(enum pm_cal_reg reg);
const char *pm_cal_reg_name(enum pm_cal_reg reg);

/*
 * The gain code that turns @measured into @reference (same unit, both > 0), given @old in the
 * register when @measured was read. -EINVAL: a value not > 0 or @old beyond the limit;
 * -ERANGE: the resulting gain is outside 1 +- 0.5.
 */
int pm_cal_gain_code(int32_t old, int64_t reference, int64_t measured, int32_t *out);

/*
 * What a value read as @measured with gain code @old reads with gain code @new (rounded):
 * the power reading after the voltage and current gains change, for instance.
 */
int64_t pm_cal_regain(int64_t measured, int32_t old, int32_t new_code);

/*
 * The rms offset code that turns @measured into @reference (rms register codes, >= 0), given
 * @old in the register when @measured was read. -EINVAL: negative input or @old out of the
 * register's range; -ERANGE: the result does not fit the 24-bit register.
 */
int pm_cal_rms_offset_code(int32_t old, int64_t reference, int64_t measured, int32_t *out);

/* A physical value (mV, mA) to rms register codes with the channel's scale (unit x 1e9 per
 * code), rounded; -EINVAL for a scale not > 0 or a value < 0 or too large. */
int pm_cal_to_codes(int64_t value, int64_t scale_nano, int64_t *codes);

#endif
