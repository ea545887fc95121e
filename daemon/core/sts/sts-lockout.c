// SPDX-License-Identifier: GPL-2.0-only
/* Token entry lockout (sts-lockout.h: the manual's §4.2.1). */
#include "core/sts/sts-lockout.h"

#include <errno.h>
#include <stdio.h>

#include "core/billing/civil-time.h"

static bool before(int32_t day, uint32_t second, int32_t until_day, uint32_t until_second)
{
	return day < until_day || (day == until_day && second < until_second);
}

bool sts_lockout_locked(const struct sts_lockout *l, const struct sts_entry_time *t)
{
	return l->locked && before(t->local_day, t->second_of_day, l->until_day, l->until_second);
}

bool sts_lockout_invalid(struct sts_lockout *l, const struct sts_entry_time *t)
{
	uint32_t hour;

	l->locked = false;
	if (l->invalid == 0 || t->utc < l->session_start_utc ||
	    t->utc - l->session_start_utc >= STS_LOCKOUT_SESSION_S) {
		l->session_start_utc = t->utc;
		l->invalid = 0;
	}
	if (++l->invalid < STS_LOCKOUT_INVALID)
		return false;
	l->invalid = 0;
	if (l->lockout_day != t->local_day) {
		l->lockout_day = t->local_day;
		l->lockouts = 0;
	}
	l->locked = true;
	if (++l->lockouts >= STS_LOCKOUT_PER_DAY) {
		l->until_day = t->local_day + 1;
		l->until_second = STS_LOCKOUT_DAY_END_S;
		return true;
	}
	hour = t->second_of_day / 3600 + 1;
	l->until_day = hour == 24 ? t->local_day + 1 : t->local_day;
	l->until_second = hour == 24 ? 0 : hour * 3600;
	return true;
}

void sts_lockout_valid(struct sts_lockout *l)
{
	l->invalid = 0;
	l->session_start_utc = 0;
}

int sts_lockout_check(const struct sts_lockout *l)
{
	if (l->invalid >= STS_LOCKOUT_INVALID || l->lockouts > STS_LOCKOUT_PER_DAY ||
	    l->until_second >= 86400)
		return -EINVAL;
	return 0;
}

const char *sts_lockout_until_text(const struct sts_lockout *l, char *buf, size_t len)
{
	int64_t y;
	int m, d;

	pm_civil_date_from_days(l->until_day, &y, &m, &d);
	snprintf(buf, len, "%04lld-%02d-%02d %02u:%02u", (long long)y, m, d, l->until_second / 3600,
		 l->until_second / 60 % 60);
	return buf;
}
