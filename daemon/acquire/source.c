// SPDX-License-Identifier: GPL-2.0-only
/* Sources of scans (see source.h): dispatch and helpers shared by the kinds. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "acquire/source.h"

int pm_source_new(sd_event *event, const struct pm_conf_meter *conf, pm_scan_fn cb, void *userdata,
		  struct pm_source **ret)
{
	switch (conf->source) {
	case PM_SOURCE_IIO:
		return pm_source_iio_new(event, conf, cb, userdata, ret);
	case PM_SOURCE_SIM:
		return pm_source_sim_new(event, conf, cb, userdata, ret);
	case PM_SOURCE_REPLAY:
		return pm_source_replay_new(event, conf, cb, userdata, ret);
	case PM_SOURCE_NONE:
		break;
	}
	return -EINVAL;
}

struct pm_source *pm_source_free(struct pm_source *s)
{
	if (s)
		s->ops->free(s);
	return NULL;
}

bool pm_source_connected(const struct pm_source *s)
{
	return s->ops->connected(s);
}

unsigned pm_source_losses(const struct pm_source *s)
{
	return s->ops->losses(s);
}

int pm_source_calib_read(struct pm_source *s, int phase, int32_t code[PM_CAL_REGS],
			 int64_t rms_scale_nano[2])
{
	if (!pm_source_can_calibrate(s))
		return -EOPNOTSUPP;
	if (phase < 0 || phase >= PM_PHASES)
		return -EINVAL;
	return s->ops->calib_read(s, phase, code, rms_scale_nano);
}

bool pm_source_can_calibrate(const struct pm_source *s)
{
	return s->ops->calib_read && s->ops->calib_apply;
}

int pm_source_calib_apply(struct pm_source *s, const struct pm_calib *c)
{
	if (!pm_source_can_calibrate(s))
		return -EOPNOTSUPP;
	return s->ops->calib_apply(s, c);
}

void pm_source_set_chip_event_cb(struct pm_source *s, pm_chip_event_fn fn, void *userdata)
{
	s->on_chip_event = fn;
	s->chip_event_userdata = userdata;
}

bool pm_source_sim_utc(const struct pm_source *s, int64_t *utc_ns)
{
	return s->ops->sim_utc && s->ops->sim_utc(s, utc_ns);
}

bool pm_source_finished(const struct pm_source *s)
{
	return s->ops->finished && s->ops->finished(s);
}

int pm_parse_nano(const char *s, int64_t *ret)
{
	bool neg = false, digits = false;
	int64_t v = 0;
	int frac = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (INT64_MAX / 10 - 9) / 1000000000)
			return -ERANGE;
		v = v * 10 + (*s - '0');
		digits = true;
	}
	v *= 1000000000;
	if (*s == '.') {
		int64_t unit = 100000000;

		for (s++; *s >= '0' && *s <= '9'; s++, frac++) {
			digits = true;
			if (frac < 9) {
				v += (*s - '0') * unit;
				unit /= 10;
			} else if (frac == 9 && *s >= '5') {
				v += 1; /* round half up on the 10th decimal */
			}
		}
	}
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (!digits || *s)
		return -EINVAL;
	*ret = neg ? -v : v;
	return 0;
}
