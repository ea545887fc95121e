/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IIO channel attributes found by their sysfs file name ("in_altvoltage0_rms_raw"). libiio
 * splits a file name into channel and attribute in ways that differ between its versions and
 * with extend_names and modifiers; the file name is what the kernel ABI documents, for our
 * driver and for mainline's alike.
 */
#ifndef POLYMETER_IIO_ATTR_H
#define POLYMETER_IIO_ATTR_H

#include <iio.h>
#include <stddef.h>
#include <stdint.h>

struct pm_iio_attr {
	const struct iio_channel *chn; /* NULL: the device has no such file */
	const char *attr;
};

/* Finds @file among the device's channel attributes: 0, or -ENOENT. */
int pm_iio_attr_find(const struct iio_device *dev, const char *file, struct pm_iio_attr *out);
/* Reads the attribute's text (NUL-terminated): 0 or a negative errno. */
int pm_iio_attr_read(const struct pm_iio_attr *a, char *buf, size_t len);
/* Reads a signed 32-bit decimal (a register's value): -EINVAL when it is anything else. */
int pm_iio_attr_read_s32(const struct pm_iio_attr *a, int32_t *out);
int pm_iio_attr_write(const struct pm_iio_attr *a, const char *val);

/*
 * Reads the scale @file ("0.010747063", units per code) of meter @meter's device as units per
 * code x 1e9; logs why it cannot: -ENOENT or a read error, -EINVAL when it is not a positive
 * decimal.
 */
int pm_iio_read_scale(const struct iio_device *dev, const char *meter, const char *file,
		      int64_t *nano);

#endif
