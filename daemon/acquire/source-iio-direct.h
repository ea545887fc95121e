/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The direct acquisition of the libiio source: every poll_interval_ms it reads the rms, power
 * and frequency attributes (the direct-read ABI that our driver and the mainline 6.18 ade9000
 * driver share) and turns the powers into energy counters (power-integrator.h).
 *
 * Why it exists: mainline's buffer carries only the six waveform channels, and its energy
 * attributes hold the energy of the chip's last 1-second window, with no scale: a daemon cannot
 * meter from them without missing or repeating windows. Polling the powers is what such a device
 * allows; each connection starts a new run of counters (nothing is known of the energy the chip
 * saw while nobody polled).
 *
 * Names and scales (README, "Acquisition"):
 * - rms voltage in_altvoltageN_rms_raw; rms current in_currentN_rms_raw (ours) or
 *   in_altcurrentN_rms_raw (mainline); powers in_powerN_{active,reactive,apparent}_raw; the
 *   neutral current in_current3_rms_raw when the device has one (mainline has none).
 * - A device with in_energy0_active_scale (ours) publishes physical scales (mV, mA, mW per
 *   code): they are used. Without it (mainline) every scale is a fraction of the ADC's full
 *   scale, printed to 9 decimals (1/52 866 837 prints as 0.000000018, 5 % off): the scales are
 *   then computed from full_scale_voltage_mv and full_scale_current_ma and the datasheet's
 *   full-scale codes (rms 52 702 092, power 20 694 066), as our driver computes its own.
 */
#ifndef POLYMETER_SOURCE_IIO_DIRECT_H
#define POLYMETER_SOURCE_IIO_DIRECT_H

#include <iio.h>
#include <stdbool.h>

#include "app/conf.h"
#include "acquire/scan.h"

struct pm_iio_direct;

/* Finds the attributes and their scales; logs what is missing and fails (-ENOENT, -EINVAL). */
int pm_iio_direct_open(const struct iio_device *dev, const struct pm_conf_meter *conf,
		       struct pm_iio_direct **ret);
struct pm_iio_direct *pm_iio_direct_free(struct pm_iio_direct *d);

/*
 * Reads every attribute now into @scan (instantaneous values, counters, nj_per_code; the
 * caller sets the time, generation and frequency). @mono_ns is when, on CLOCK_MONOTONIC: the
 * powers are integrated over it. A negative errno when an attribute cannot be read.
 */
int pm_iio_direct_read(struct pm_iio_direct *d, int64_t mono_ns, struct pm_scan *scan);

/* Whether the device has the mainline ABI (fractional scales, its frequency formula). */
bool pm_iio_direct_mainline(const struct pm_iio_direct *d);
/* The rms scales of @phase: [0] mV, [1] mA per code, x 1e9 (for calibration). */
void pm_iio_direct_rms_scales(const struct pm_iio_direct *d, int phase, int64_t out[2]);

/*
 * The line frequency from what in_voltageN_frequency printed (mHz). Mainline computes it as
 * 4000 x 65536 / (PERIOD + 1), the ADE9078's sample rate; the ADE9000's period counts 8 kSPS
 * samples (datasheet; ADI's own code uses 8000), so mainline prints half the line frequency.
 * A mainline reading that is half of a power line's 45..65 Hz is doubled; any other is kept,
 * so a corrected driver is read as it is.
 */
int64_t pm_iio_direct_line_mhz(const struct pm_iio_direct *d, int64_t reported_mhz);

#endif
