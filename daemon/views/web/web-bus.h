/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * polymeter-web's view of polymeterd: a D-Bus client that keeps, in memory, what the page
 * shows of every meter (the Meter and Account properties, kept current by PropertiesChanged;
 * the newest events; the load profile of the last 32 days, fetched incrementally). Every call
 * to polymeterd is asynchronous on the one sd-event loop, and the HTTP side answers from this
 * copy only, so a slow or absent polymeterd never holds up a page, and many pages do not
 * multiply the load on polymeterd.
 */
#ifndef POLYMETER_WEB_BUS_H
#define POLYMETER_WEB_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

/* How many of the newest events the page lists. */
#define WEB_EVENTS_MAX 20
/* The profile kept: a calendar month (this month's energy) and the month plot, and a day. */
#define WEB_PROFILE_KEEP_NS (32LL * 86400 * 1000000000)
/* How often the events and the profile's new intervals are asked for. */
#define WEB_REFRESH_US (2 * 1000000ULL)

/* One load-profile interval, as much of GetProfile's as the page uses. */
struct web_interval {
	int64_t end_ns;
	int64_t period_ns;
	uint32_t status;
	uint64_t reg_mwh[2];  /* +A, -A at the interval's last sample */
	uint64_t grow_mwh[2]; /* +A, -A growth during the interval */
};

struct web_meter {
	char *path;
	char *name;
	json_t *props;		   /* org.polymeter.Meter1.Meter, property -> value */
	json_t *account;	   /* org.polymeter.Account1, empty when the meter has none */
	json_t *events;		   /* GetEvents: [[utc_ns, kind, detail], ...], newest first */
	struct web_interval *rows; /* oldest first */
	size_t n_rows, cap_rows;
	sd_bus_slot *events_call, *profile_call;
};

struct web_bus {
	sd_bus *bus;
	sd_event *event;
	struct web_meter *meters;
	size_t n_meters;
	bool up;	     /* polymeterd answered its last call */
	char error[256];     /* why not, for the page */
	uint64_t generation; /* counts the (re)loads of the meter list */
	sd_bus_slot *objects_call;
	sd_event_source *refresh;
};

/* Connects to the system bus (or the session bus with @user) and starts the refresh. */
int web_bus_new(sd_event *event, bool user, struct web_bus **out);
void web_bus_free(struct web_bus *b);

/* The meter named @name, or the first one when @name is NULL; NULL when there is none. */
const struct web_meter *web_bus_meter(const struct web_bus *b, const char *name);

/* The meter's clock as the page should take it: the wall clock, or the newest profile
 * interval's end when that is later (a replayed or simulated meter runs ahead of it). */
int64_t web_bus_meter_now(const struct web_meter *m);

#endif
