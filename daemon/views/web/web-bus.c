// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "views/web/web-bus.h"
#include "views/web/web-json.h"

#define PM_NAME "org.polymeter.Meter1"
#define PM_ROOT "/org/polymeter/Meter1"
#define PM_METER_IFACE "org.polymeter.Meter1.Meter"
#define PM_ACCOUNT_IFACE "org.polymeter.Account1"

static void meter_clear(struct web_meter *m)
{
	sd_bus_slot_unref(m->events_call);
	sd_bus_slot_unref(m->profile_call);
	json_decref(m->props);
	json_decref(m->account);
	json_decref(m->events);
	free(m->rows);
	free(m->path);
	free(m->name);
	memset(m, 0, sizeof(*m));
}

static void meters_clear(struct web_bus *b)
{
	for (size_t i = 0; i < b->n_meters; i++)
		meter_clear(&b->meters[i]);
	free(b->meters);
	b->meters = NULL;
	b->n_meters = 0;
}

/* Marks polymeterd as not answering, with the reason the page shows. */
static void set_down(struct web_bus *b, const sd_bus_error *e, int r)
{
	if (e && (sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
		  sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER)))
		snprintf(b->error, sizeof(b->error), "polymeterd is not running (no %s on the bus)",
			 PM_NAME);
	else
		snprintf(b->error, sizeof(b->error), "polymeterd does not answer: %s",
			 e && e->message ? e->message : strerror(r < 0 ? -r : EIO));
	if (b->up)
		log_warning("%s", b->error);
	b->up = false;
}

static struct web_meter *meter_by_path(struct web_bus *b, const char *path)
{
	for (size_t i = 0; i < b->n_meters; i++)
		if (!strcmp(b->meters[i].path, path))
			return &b->meters[i];
	return NULL;
}

const struct web_meter *web_bus_meter(const struct web_bus *b, const char *name)
{
	for (size_t i = 0; i < b->n_meters; i++)
		if (!name || !strcmp(b->meters[i].name, name))
			return &b->meters[i];
	return NULL;
}

int64_t web_bus_meter_now(const struct web_meter *m)
{
	int64_t now = pm_utc_now_ns();

	if (m->n_rows && m->rows[m->n_rows - 1].end_ns > now)
		return m->rows[m->n_rows - 1].end_ns;
	return now;
}

/* ---- PropertiesChanged ---- */

static int on_properties_changed(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error)
{
	struct web_bus *b = userdata;
	struct web_meter *m = meter_by_path(b, sd_bus_message_get_path(msg));
	const char *iface;
	int r;

	(void)ret_error;
	if (!m)
		return 0; /* a meter the list does not hold yet: the next reload brings it */
	r = sd_bus_message_read(msg, "s", &iface);
	if (r < 0)
		return 0;
	if (!strcmp(iface, PM_METER_IFACE))
		r = web_json_read_props(msg, m->props);
	else if (!strcmp(iface, PM_ACCOUNT_IFACE))
		r = web_json_read_props(msg, m->account);
	if (r < 0)
		log_warning("meter %s: unreadable PropertiesChanged: %s", m->name, strerror(-r));
	return 0;
}

/* polymeterd came or went: the meter list is read again (a restart may change it). */
static int on_owner_changed(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error)
{
	struct web_bus *b = userdata;
	const char *name, *old_owner, *new_owner;

	(void)ret_error;
	if (sd_bus_message_read(msg, "sss", &name, &old_owner, &new_owner) < 0)
		return 0;
	if (!*new_owner) {
		b->up = false;
		snprintf(b->error, sizeof(b->error), "polymeterd is not running (no %s on the bus)",
			 PM_NAME);
		log_warning("%s", b->error);
	}
	/* either way the list is stale: reloaded at the next refresh, once the name is owned */
	b->generation++;
	meters_clear(b);
	return 0;
}

/* ---- GetManagedObjects: the meters and their properties ---- */

static int read_object(struct web_bus *b, sd_bus_message *msg)
{
	struct web_meter m = {0};
	const char *path, *iface;
	int r;

	r = sd_bus_message_read(msg, "o", &path);
	if (r < 0)
		return r;
	m.props = json_object();
	m.account = json_object();
	m.events = json_array();
	m.path = strdup(path);
	if (!m.props || !m.account || !m.events || !m.path) {
		meter_clear(&m);
		return -ENOMEM;
	}
	r = sd_bus_message_enter_container(msg, 'a', "{sa{sv}}");
	while (r >= 0 && (r = sd_bus_message_enter_container(msg, 'e', "sa{sv}")) > 0) {
		r = sd_bus_message_read(msg, "s", &iface);
		if (r >= 0 && !strcmp(iface, PM_METER_IFACE))
			r = web_json_read_props(msg, m.props);
		else if (r >= 0 && !strcmp(iface, PM_ACCOUNT_IFACE))
			r = web_json_read_props(msg, m.account);
		else if (r >= 0)
			r = sd_bus_message_skip(msg, "a{sv}");
		if (r >= 0)
			r = sd_bus_message_exit_container(msg);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(msg);
	if (r >= 0 && json_string_value(json_object_get(m.props, "Name"))) {
		struct web_meter *grown = realloc(b->meters, (b->n_meters + 1) * sizeof(*grown));

		m.name = strdup(json_string_value(json_object_get(m.props, "Name")));
		if (!grown || !m.name) {
			if (grown)
				b->meters = grown;
			meter_clear(&m);
			return -ENOMEM;
		}
		b->meters = grown;
		b->meters[b->n_meters++] = m;
		return 0;
	}
	meter_clear(&m); /* the object manager itself, or an object of another kind */
	return r;
}

static void refresh_meters(struct web_bus *b);

static int on_objects(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct web_bus *b = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	int r;

	(void)ret_error;
	b->objects_call = sd_bus_slot_unref(b->objects_call);
	if (e) {
		set_down(b, e, -EIO);
		return 0;
	}
	meters_clear(b);
	r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
	while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
		r = read_object(b, reply);
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
	}
	if (r < 0) {
		meters_clear(b);
		set_down(b, NULL, r);
		return 0;
	}
	if (!b->up)
		log_info("polymeterd answers: %zu meter(s)", b->n_meters);
	b->up = true;
	b->error[0] = '\0';
	b->generation++;
	refresh_meters(b); /* their events and profile at once, not at the next tick */
	return 0;
}

/* ---- GetEvents, GetProfile ---- */

static int on_events(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct web_meter *m = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	json_t *events = NULL;

	(void)ret_error;
	m->events_call = sd_bus_slot_unref(m->events_call);
	/* NoStore and StoreFailed leave the list as it was: the page shows what it had */
	if (e || web_json_read(reply, &events) < 0)
		return 0;
	json_decref(m->events);
	m->events = events;
	return 0;
}

static int read_interval(sd_bus_message *msg, struct web_interval *iv)
{
	const uint64_t *reg, *grow;
	size_t nreg, ngrow;
	uint32_t samples;
	uint64_t end, period;
	int r;

	r = sd_bus_message_enter_container(msg, 'r', "ttuuatata(dddd)");
	if (r < 0)
		return r;
	r = sd_bus_message_read(msg, "ttuu", &end, &period, &iv->status, &samples);
	if (r >= 0)
		r = sd_bus_message_read_array(msg, 't', (const void **)&reg, &nreg);
	if (r >= 0)
		r = sd_bus_message_read_array(msg, 't', (const void **)&grow, &ngrow);
	if (r >= 0)
		r = sd_bus_message_skip(msg, "a(dddd)");
	if (r >= 0)
		r = sd_bus_message_exit_container(msg);
	if (r < 0)
		return r;
	if (nreg < 2 * sizeof(uint64_t) || ngrow < 2 * sizeof(uint64_t) || end > INT64_MAX ||
	    period > INT64_MAX || !period)
		return -EBADMSG;
	iv->end_ns = (int64_t)end;
	iv->period_ns = (int64_t)period;
	memcpy(iv->reg_mwh, reg, sizeof(iv->reg_mwh));
	memcpy(iv->grow_mwh, grow, sizeof(iv->grow_mwh));
	return 0;
}

/* Drops the intervals older than the page shows. */
static void profile_prune(struct web_meter *m)
{
	int64_t oldest = web_bus_meter_now(m) - WEB_PROFILE_KEEP_NS;
	size_t drop = 0;

	while (drop < m->n_rows && m->rows[drop].end_ns < oldest)
		drop++;
	if (!drop)
		return;
	memmove(m->rows, m->rows + drop, (m->n_rows - drop) * sizeof(*m->rows));
	m->n_rows -= drop;
}

static int on_profile(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct web_meter *m = userdata;
	int r;

	(void)ret_error;
	m->profile_call = sd_bus_slot_unref(m->profile_call);
	if (sd_bus_message_get_error(reply))
		return 0;
	r = sd_bus_message_enter_container(reply, 'a', "(ttuuatata(dddd))");
	while (r >= 0 && (r = sd_bus_message_at_end(reply, false)) == 0) {
		struct web_interval iv = {0};

		r = read_interval(reply, &iv);
		if (r < 0)
			break;
		/* asked from just after the last one kept: anything else is a repeat */
		if (m->n_rows && iv.end_ns <= m->rows[m->n_rows - 1].end_ns)
			continue;
		if (m->n_rows == m->cap_rows) {
			size_t cap = m->cap_rows ? 2 * m->cap_rows : 256;
			struct web_interval *rows = realloc(m->rows, cap * sizeof(*rows));

			if (!rows) {
				r = -ENOMEM;
				break;
			}
			m->rows = rows;
			m->cap_rows = cap;
		}
		m->rows[m->n_rows++] = iv;
	}
	if (r < 0)
		log_warning("meter %s: unreadable GetProfile answer: %s", m->name, strerror(-r));
	profile_prune(m);
	return 0;
}

static void refresh_meter(struct web_bus *b, struct web_meter *m)
{
	int r;

	if (!m->events_call) {
		r = sd_bus_call_method_async(b->bus, &m->events_call, PM_NAME, m->path,
					     PM_METER_IFACE, "GetEvents", on_events, m, "t",
					     (uint64_t)WEB_EVENTS_MAX);
		if (r < 0)
			log_warning("meter %s: GetEvents not sent: %s", m->name, strerror(-r));
	}
	if (!m->profile_call) {
		int64_t from = m->n_rows ? m->rows[m->n_rows - 1].end_ns + 1
					 : pm_utc_now_ns() - WEB_PROFILE_KEEP_NS;

		r = sd_bus_call_method_async(b->bus, &m->profile_call, PM_NAME, m->path,
					     PM_METER_IFACE, "GetProfile", on_profile, m, "tt",
					     (uint64_t)(from < 0 ? 0 : from), (uint64_t)INT64_MAX);
		if (r < 0)
			log_warning("meter %s: GetProfile not sent: %s", m->name, strerror(-r));
	}
}

static void refresh_meters(struct web_bus *b)
{
	for (size_t i = 0; i < b->n_meters; i++)
		refresh_meter(b, &b->meters[i]);
}

static int on_refresh(sd_event_source *es, uint64_t usec, void *userdata)
{
	struct web_bus *b = userdata;
	int r;

	if (b->up && b->n_meters)
		refresh_meters(b);
	else if (!b->objects_call) {
		r = sd_bus_call_method_async(b->bus, &b->objects_call, PM_NAME, PM_ROOT,
					     "org.freedesktop.DBus.ObjectManager",
					     "GetManagedObjects", on_objects, b, "");
		if (r < 0)
			set_down(b, NULL, r);
	}
	sd_event_source_set_time(es, usec + WEB_REFRESH_US);
	return sd_event_source_set_enabled(es, SD_EVENT_ON);
}

int web_bus_new(sd_event *event, bool user, struct web_bus **out)
{
	struct web_bus *b = calloc(1, sizeof(*b));
	int r;

	if (!b)
		return -ENOMEM;
	b->event = sd_event_ref(event);
	snprintf(b->error, sizeof(b->error), "waiting for polymeterd");
	r = user ? sd_bus_open_user(&b->bus) : sd_bus_open_system(&b->bus);
	if (r < 0) {
		log_error("cannot connect to the %s bus: %s", user ? "session" : "system",
			  strerror(-r));
		goto fail;
	}
	r = sd_bus_attach_event(b->bus, event, SD_EVENT_PRIORITY_NORMAL);
	if (r >= 0)
		r = sd_bus_match_signal_async(b->bus, NULL, PM_NAME, NULL,
					      "org.freedesktop.DBus.Properties",
					      "PropertiesChanged", on_properties_changed, NULL, b);
	if (r >= 0)
		r = sd_bus_add_match_async(
		    b->bus, NULL,
		    "type='signal',sender='org.freedesktop.DBus',"
		    "path='/org/freedesktop/DBus',interface='org.freedesktop.DBus',"
		    "member='NameOwnerChanged',arg0='" PM_NAME "'",
		    on_owner_changed, NULL, b);
	/* the first refresh at once: GetManagedObjects */
	if (r >= 0)
		r = sd_event_add_time(event, &b->refresh, CLOCK_MONOTONIC, 0, 0, on_refresh, b);
	if (r < 0) {
		log_error("D-Bus setup failed: %s", strerror(-r));
		goto fail;
	}
	*out = b;
	return 0;
fail:
	web_bus_free(b);
	return r;
}

void web_bus_free(struct web_bus *b)
{
	if (!b)
		return;
	meters_clear(b);
	sd_bus_slot_unref(b->objects_call);
	sd_event_source_disable_unref(b->refresh);
	sd_bus_flush_close_unref(b->bus);
	sd_event_unref(b->event);
	free(b);
}
