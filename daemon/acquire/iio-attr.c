// SPDX-License-Identifier: GPL-2.0-only
/* IIO channel attributes by sysfs file name (see iio-attr.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acquire/iio-attr.h"
#include "common/log.h"
#include "acquire/source.h"

int pm_iio_attr_find(const struct iio_device *dev, const char *file, struct pm_iio_attr *out)
{
	unsigned n = iio_device_get_channels_count(dev);

	for (unsigned i = 0; i < n; i++) {
		const struct iio_channel *c = iio_device_get_channel(dev, i);
		unsigned na = iio_channel_get_attrs_count(c);

		for (unsigned a = 0; a < na; a++) {
			const char *attr = iio_channel_get_attr(c, a);
			const char *f = iio_channel_attr_get_filename(c, attr);

			if (f && strcmp(f, file) == 0) {
				out->chn = c;
				out->attr = attr;
				return 0;
			}
		}
	}
	out->chn = NULL;
	out->attr = NULL;
	return -ENOENT;
}

int pm_iio_attr_read(const struct pm_iio_attr *a, char *buf, size_t len)
{
	ssize_t r;

	if (!a->chn)
		return -ENOENT;
	r = iio_channel_attr_read(a->chn, a->attr, buf, len);
	if (r < 0)
		return (int)r;
	buf[(size_t)r < len ? (size_t)r : len - 1] = '\0';
	return 0;
}

int pm_iio_attr_read_s32(const struct pm_iio_attr *a, int32_t *out)
{
	char buf[32], *end;
	long long v;
	int r;

	r = pm_iio_attr_read(a, buf, sizeof(buf));
	if (r < 0)
		return r;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || v < INT32_MIN || v > INT32_MAX)
		return -EINVAL;
	*out = (int32_t)v;
	return 0;
}

int pm_iio_attr_write(const struct pm_iio_attr *a, const char *val)
{
	ssize_t r;

	if (!a->chn)
		return -ENOENT;
	r = iio_channel_attr_write(a->chn, a->attr, val);
	return r < 0 ? (int)r : 0;
}

int pm_iio_read_scale(const struct iio_device *dev, const char *meter, const char *file,
		      int64_t *nano)
{
	struct pm_iio_attr a;
	char val[64];
	int r = pm_iio_attr_find(dev, file, &a);

	if (r == 0)
		r = pm_iio_attr_read(&a, val, sizeof(val));
	if (r < 0)
		return log_error_errno(r, "meter %s: cannot read %s", meter, file);
	if (pm_parse_nano(val, nano) < 0 || *nano <= 0)
		return log_error_errno(-EINVAL, "meter %s: %s = '%s' is not a positive scale",
				       meter, file, val);
	return 0;
}
