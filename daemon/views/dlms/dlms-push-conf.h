/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The dlms_push_* keys' values (docs/dlms.md, "Push"): the destination, the schedules and the
 * events by name, and the defaults. The configuration parser and the push adapter
 * (dlms-push.h) share them.
 */
#ifndef POLYMETER_DLMS_PUSH_CONF_H
#define POLYMETER_DLMS_PUSH_CONF_H

#include <stdint.h>
#include <sys/socket.h>

/* 2 h: the fleet spreads its pushes over two hours after each nominal instant */
#define PM_DLMS_PUSH_DEFAULT_WINDOW_S 7200
#define PM_DLMS_PUSH_DEFAULT_RETRY_BASE_S 60
#define PM_DLMS_PUSH_DEFAULT_RETRY_MAX_S 3600

enum pm_dlms_push_schedule {
	PM_DLMS_PUSH_DAILY,
	PM_DLMS_PUSH_WEEKLY,
	PM_DLMS_PUSH_MONTHLY,
	PM_DLMS_PUSH_BILLING,
	PM_DLMS_PUSH_SCHEDULES
};

enum pm_dlms_push_event {
	PM_DLMS_PUSH_EVENT_POWER,      /* power_down, power_up */
	PM_DLMS_PUSH_EVENT_SUPPLY,     /* supply_opened, supply_closed */
	PM_DLMS_PUSH_EVENT_LOW_CREDIT, /* low_credit */
	PM_DLMS_PUSH_EVENTS
};

extern const char *const pm_dlms_push_schedule_names[PM_DLMS_PUSH_SCHEDULES];
extern const char *const pm_dlms_push_event_names[PM_DLMS_PUSH_EVENTS];

/*
 * "HOST:PORT": a numeric IPv4 address or an IPv6 one in brackets, and a port 1..65535 (a name
 * would need a resolver that blocks the event loop). 0 and the address in *@sa (when not
 * NULL), or -EINVAL.
 */
int pm_dlms_push_parse_destination(const char *s, struct sockaddr_storage *sa);
/* Names from @names separated by commas or spaces, or "none", into the bit set *@bits: 0, or
 * -EINVAL (an unknown name, nothing). */
int pm_dlms_push_parse_names(const char *s, const char *const *names, unsigned n, uint8_t *bits);

#endif
