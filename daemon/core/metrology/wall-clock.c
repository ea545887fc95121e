// SPDX-License-Identifier: GPL-2.0-only
/* The meter's clock from a wall clock that can be wrong (see wall-clock.h). */
#include <errno.h>
#include <string.h>

#include "core/metrology/wall-clock.h"

static const char *const trust_names[] = {
    [PM_CLOCK_TRUST_ALWAYS] = "always",
    [PM_CLOCK_TRUST_NTP] = "ntp",
    [PM_CLOCK_TRUST_RTC] = "rtc",
};

const char *pm_clock_trust_name(enum pm_clock_trust t)
{
	return trust_names[t];
}

int pm_clock_trust_parse(const char *name, enum pm_clock_trust *t)
{
	for (size_t i = 0; i < sizeof(trust_names) / sizeof(trust_names[0]); i++)
		if (!strcmp(name, trust_names[i])) {
			*t = (enum pm_clock_trust)i;
			return 0;
		}
	return -EINVAL;
}

void pm_wall_clock_init(struct pm_wall_clock *c)
{
	memset(c, 0, sizeof(*c));
}

/* Real time between two boot-clock readings; a boot clock read out of order counts none. */
static int64_t real_ns(int64_t from, int64_t to)
{
	return to > from ? to - from : 0;
}

void pm_wall_clock_read(struct pm_wall_clock *c, const struct pm_wall_reading *r, bool sample,
			struct pm_wall_step *out)
{
	memset(out, 0, sizeof(*out));
	out->trusted = r->trusted;
	if (!c->started) {
		c->started = true;
		c->meter_ns = r->wall_ns;
		out->trust_changed = true;
	} else {
		int64_t expected = c->last_wall_ns + real_ns(c->last_boot_ns, r->boot_ns);
		int64_t d = r->wall_ns - expected;

		if (d > PM_WALL_CLOCK_JUMP_NS || d < -PM_WALL_CLOCK_JUMP_NS) {
			out->jump = true;
			out->jump_from_ns = expected;
			out->jump_to_ns = r->wall_ns;
		}
		out->trust_changed = r->trusted != c->trusted;
		/* set back: the meter's clock waits for the wall clock rather than go back */
		if (r->wall_ns > c->meter_ns)
			c->meter_ns = r->wall_ns;
	}
	c->last_wall_ns = r->wall_ns;
	c->last_boot_ns = r->boot_ns;
	c->trusted = r->trusted;
	out->meter_ns = c->meter_ns;
	out->frozen = r->wall_ns < c->meter_ns;
	out->hold = !r->trusted;
	if (!sample)
		return;
	if (!r->trusted) {
		c->held = true;
		return;
	}
	/* what the meter's clock moved beyond the real time passed was not lived through */
	if (c->fed)
		out->step =
		    c->held || c->meter_ns - c->fed_meter_ns >
				   real_ns(c->fed_boot_ns, r->boot_ns) + PM_WALL_CLOCK_JUMP_NS;
	else
		out->step = c->held;
	c->held = false;
	c->fed = true;
	c->fed_meter_ns = c->meter_ns;
	c->fed_boot_ns = r->boot_ns;
}
