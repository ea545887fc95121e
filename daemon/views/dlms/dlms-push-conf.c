// SPDX-License-Identifier: GPL-2.0-only
/* The dlms_push_* keys' values (see dlms-push-conf.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "views/dlms/dlms-push-conf.h"

const char *const pm_dlms_push_schedule_names[PM_DLMS_PUSH_SCHEDULES] = {
    [PM_DLMS_PUSH_DAILY] = "daily",
    [PM_DLMS_PUSH_WEEKLY] = "weekly",
    [PM_DLMS_PUSH_MONTHLY] = "monthly",
    [PM_DLMS_PUSH_BILLING] = "billing",
};

const char *const pm_dlms_push_event_names[PM_DLMS_PUSH_EVENTS] = {
    [PM_DLMS_PUSH_EVENT_POWER] = "power",
    [PM_DLMS_PUSH_EVENT_SUPPLY] = "supply",
    [PM_DLMS_PUSH_EVENT_LOW_CREDIT] = "low_credit",
};

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int pm_dlms_push_parse_destination(const char *s, struct sockaddr_storage *sa)
{
	struct sockaddr_storage tmp;
	char host[64];
	const char *colon;
	uint16_t port;
	size_t n;

	if (!sa)
		sa = &tmp;
	memset(sa, 0, sizeof(*sa));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)sa;

		if (!close || close[1] != ':' || (n = (size_t)(close - s - 1)) >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, n);
		host[n] = '\0';
		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1 || parse_port(close + 2, &port))
			return -EINVAL;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		return 0;
	}
	colon = strchr(s, ':');
	if (!colon || (n = (size_t)(colon - s)) >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	struct sockaddr_in *a4 = (struct sockaddr_in *)sa;

	if (inet_pton(AF_INET, host, &a4->sin_addr) != 1 || parse_port(colon + 1, &port))
		return -EINVAL;
	a4->sin_family = AF_INET;
	a4->sin_port = htons(port);
	return 0;
}

int pm_dlms_push_parse_names(const char *s, const char *const *names, unsigned n, uint8_t *bits)
{
	uint8_t set = 0;

	if (!strcmp(s, "none")) {
		*bits = 0;
		return 0;
	}
	while (*s) {
		size_t len = strcspn(s, ", \t");
		unsigned i;

		if (len) {
			for (i = 0; i < n; i++)
				if (strlen(names[i]) == len && !strncmp(s, names[i], len))
					break;
			if (i == n)
				return -EINVAL;
			set |= (uint8_t)(1u << i);
		}
		s += len;
		s += strspn(s, ", \t");
	}
	if (!set)
		return -EINVAL;
	*bits = set;
	return 0;
}
