/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One meter's calibration against a reference load (the D-Bus Calibrate method, polymeterctl
 * calibrate; docs/dbus.md). The arithmetic is daemon/core/metrology/calibration.c; this file
 * averages the readings, reads the codes in the chip, writes the new ones through the source,
 * persists them and logs a "calibration" event.
 *
 * Readings: the mean of the last PM_CALIBRATOR_WINDOW scans, all taken after the codes last
 * changed (plus @settle scans that may still carry the old codes: a libiio buffer in flight).
 * Until there are that many, a request fails with -EAGAIN (try again).
 *
 * Steps (an installer runs both, in this order, as the ADE9000's calibration procedure does):
 *   gain    at a nominal load: xVGAIN from the voltage, xIGAIN from the current, xPGAIN from the
 *           active power (after the voltage and current gains; power factor 1 recommended).
 *   offset  at a low load, gains done: xVRMSOS and xIRMSOS from the voltage and current.
 * A reference of 0 leaves that register as it is.
 *
 * Order, so that a failure changes nothing: everything is validated and computed first; then
 * the codes are written to the chip, then committed to the store; if the store refuses, the old
 * codes are written back. At start, pm_calibrator_new hands the stored codes to the source,
 * which writes them at every (re)connection.
 */
#ifndef POLYMETER_CALIBRATOR_H
#define POLYMETER_CALIBRATOR_H

#include <stddef.h>
#include <stdint.h>

#include "core/metrology/calibration.h"
#include "meter/meter.h"
#include "acquire/scan.h"
#include "acquire/source.h"

#define PM_CALIBRATOR_WINDOW 10

struct pm_calibrator;

/*
 * For @pipe's meter fed by @source; loads the stored calibration (if any) into the source.
 * @settle: scans to ignore after a change.
 */
int pm_calibrator_new(struct pm_meter *pipe, struct pm_source *source, unsigned settle,
		      struct pm_calibrator **out);
void pm_calibrator_free(struct pm_calibrator *c);
/* Every scan of the meter. */
void pm_calibrator_scan(struct pm_calibrator *c, const struct pm_scan *scan);
/*
 * Runs one step. Errors (nothing changed): -EINVAL bad request, -ERANGE a correction beyond
 * the registers' limits (wrong reference or wiring), -ENOTCONN no device, -EAGAIN readings not
 * settled yet, -ENODEV no store to persist into, -EIO the chip refused a code, other negative
 * errno: the store failed. @err gets a message for people.
 */
int pm_calibrator_run(struct pm_calibrator *c, const struct pm_cal_request *req,
		      struct pm_cal_result *res, char *err, size_t errlen);

#endif
