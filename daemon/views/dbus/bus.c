// SPDX-License-Identifier: GPL-2.0-only
/* The D-Bus view (see bus.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "views/dbus/bus-caller.h"
#include "views/dbus/bus.h"

struct pm_bus_meter {
	struct pm_bus *bus;
	char *name;
	char *path;
	const struct pm_snapshot *snap;
	const struct pm_bus_meter_ops *ops;
	void *ops_userdata;
	bool connected;
	uint64_t last_update_us; /* CLOCK_REALTIME of the last refill */
	sd_bus_vtable *vtable;
	char **prop_names; /* [pm_point_count], property name of each point */
	sd_bus_slot *slot;
	/* What the last PropertiesChanged said, to send only what changed since */
	int64_t *sent_value;
	bool *sent_valid;
	bool sent_connected;
	bool sent_once;
	uint64_t last_emit_us; /* CLOCK_MONOTONIC */
	sd_event_source *timer;
	pm_bus_calibrate_fn calibrate; /* NULL: Calibrate answers NotSupported */
	void *calibrate_userdata;
	/* maximum demand as last sent: [0] import, [1] export */
	struct pm_demand_peak sent_demand[2][PM_DEMAND_MONTHS];
	/* the store's state as last sent */
	bool sent_store_ok;
	bool sent_clock_trusted;
	uint64_t sent_store_failures;
};

struct pm_bus {
	sd_bus *bus;
	sd_event *event;
	uint64_t min_interval_us;
	sd_bus_slot *manager_slot;
	struct pm_bus_meter **meters;
	size_t n_meters;
};

static const char *const phase_suffix[PM_MET_PHASES + 1] = {"L1", "L2", "L3", ""};

static bool is_energy(const struct pm_point *p)
{
	return p->unit == PM_UNIT_WH || p->unit == PM_UNIT_VARH || p->unit == PM_UNIT_VAH;
}

static double scaled(int64_t v, int scaler)
{
	double p = 1.0;

	/* one multiplication or division by an exact power of ten: correctly rounded */
	for (int i = scaler < 0 ? -scaler : scaler; i > 0; i--)
		p *= 10.0;
	return scaler < 0 ? (double)v / p : (double)v * p;
}

/* Energy registers are published as whole Wh (floor): value is in 10^scaler Wh. */
static uint64_t whole_units(int64_t v, int scaler)
{
	uint64_t u = v > 0 ? (uint64_t)v : 0;

	for (; scaler < 0; scaler++)
		u /= 10;
	for (; scaler > 0; scaler--)
		u *= 10;
	return u;
}

static int point_index(const struct pm_bus_meter *m, const char *property)
{
	for (size_t i = 0; i < pm_point_count; i++)
		if (!strcmp(m->prop_names[i], property))
			return (int)i;
	return -1;
}

static int get_point(sd_bus *bus, const char *path, const char *interface, const char *property,
		     sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	const struct pm_bus_meter *m = userdata;
	int i = point_index(m, property);
	const struct pm_point *p;
	bool valid;
	int64_t v;

	(void)bus;
	(void)path;
	(void)interface;
	if (i < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY, "No property %s",
					 property);
	p = &pm_points[i];
	valid = m->snap->valid[i];
	v = m->snap->value[i];
	if (is_energy(p))
		return sd_bus_message_append(reply, "t", valid ? whole_units(v, p->scaler) : 0);
	return sd_bus_message_append(reply, "d", valid ? scaled(v, p->scaler) : NAN);
}

static int get_name(sd_bus *bus, const char *path, const char *interface, const char *property,
		    sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	const struct pm_bus_meter *m = userdata;

	(void)bus;
	(void)path;
	(void)interface;
	(void)property;
	(void)error;
	return sd_bus_message_append(reply, "s", m->name);
}

static int get_connected(sd_bus *bus, const char *path, const char *interface, const char *property,
			 sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	const struct pm_bus_meter *m = userdata;

	(void)bus;
	(void)path;
	(void)interface;
	(void)property;
	(void)error;
	return sd_bus_message_append(reply, "b", m->connected);
}

static int get_last_update(sd_bus *bus, const char *path, const char *interface,
			   const char *property, sd_bus_message *reply, void *userdata,
			   sd_bus_error *error)
{
	const struct pm_bus_meter *m = userdata;

	(void)bus;
	(void)path;
	(void)interface;
	(void)property;
	(void)error;
	return sd_bus_message_append(reply, "t", m->last_update_us);
}

/* The meter's maximum demand (ops->demand), all invalid when it has none. */
static void read_demand(const struct pm_bus_meter *m, struct pm_demand_peak d[2][PM_DEMAND_MONTHS])
{
	memset(d, 0, sizeof(struct pm_demand_peak) * 2 * PM_DEMAND_MONTHS);
	if (m->ops && m->ops->demand)
		m->ops->demand(m->ops_userdata, d[0], d[1]);
}

/* The meter's store state (ops->store): not OK and no failures when it has none. */
static void read_store(const struct pm_bus_meter *m, bool *ok, uint64_t *failures)
{
	*ok = false;
	*failures = 0;
	if (m->ops && m->ops->store)
		m->ops->store(m->ops_userdata, ok, failures);
}

/* StoreOK: b; StoreFailures: t. */
static int get_store(sd_bus *bus, const char *path, const char *interface, const char *property,
		     sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	bool ok;
	uint64_t failures;

	(void)bus;
	(void)path;
	(void)interface;
	(void)error;
	read_store(userdata, &ok, &failures);
	if (!strcmp(property, "StoreOK"))
		return sd_bus_message_append(reply, "b", (int)ok);
	return sd_bus_message_append(reply, "t", failures);
}

static bool read_clock_trusted(const struct pm_bus_meter *m)
{
	return !m->ops || !m->ops->clock_trusted || m->ops->clock_trusted(m->ops_userdata);
}

/* ClockTrusted: b. */
static int get_clock_trusted(sd_bus *bus, const char *path, const char *interface,
			     const char *property, sd_bus_message *reply, void *userdata,
			     sd_bus_error *error)
{
	(void)bus;
	(void)path;
	(void)interface;
	(void)property;
	(void)error;
	return sd_bus_message_append(reply, "b", (int)read_clock_trusted(userdata));
}

/* MaximumDemandImport / Export: a(dt), [current month, previous, the one before]. */
static int get_demand(sd_bus *bus, const char *path, const char *interface, const char *property,
		      sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	const struct pm_bus_meter *m = userdata;
	struct pm_demand_peak d[2][PM_DEMAND_MONTHS];
	int dir = !strcmp(property, "MaximumDemandExport");
	int r;

	(void)bus;
	(void)path;
	(void)interface;
	(void)error;
	read_demand(m, d);
	r = sd_bus_message_open_container(reply, 'a', "(dt)");
	for (int i = 0; r >= 0 && i < PM_DEMAND_MONTHS; i++) {
		const struct pm_demand_peak *p = &d[dir][i];

		/* mW -> W; a window end before 1970 cannot be a meter's: 0 = none */
		r = sd_bus_message_append(reply, "(dt)",
					  p->valid ? (double)p->demand_mw / 1000.0 : NAN,
					  p->valid && p->end_ns > 0 ? (uint64_t)p->end_ns : 0);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	return r;
}

static int store_error(sd_bus_error *error, const struct pm_bus_meter *m, int r)
{
	if (r == -ENODEV)
		return sd_bus_error_setf(error, PM_BUS_ERROR_NO_STORE, "Meter %s has no store",
					 m->name);
	return sd_bus_error_setf(error, PM_BUS_ERROR_STORE_FAILED, "Meter %s: store: %s", m->name,
				 strerror(-r));
}

static int method_get_events(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	const struct pm_bus_meter *m = userdata;
	struct pm_store_event *ev = NULL;
	sd_bus_message *reply = NULL;
	uint64_t max;
	int r, n;

	r = sd_bus_message_read(msg, "t", &max);
	if (r < 0)
		return r;
	if (!m->ops || !m->ops->events)
		return store_error(error, m, -ENODEV);
	if (max > PM_STORE_EVENTS_KEPT)
		max = PM_STORE_EVENTS_KEPT;
	if (max) {
		ev = calloc(max, sizeof(*ev));
		if (!ev)
			return -ENOMEM;
	}
	n = max ? m->ops->events(m->ops_userdata, ev, max) : 0;
	if (n < 0) {
		free(ev);
		return store_error(error, m, n);
	}
	r = sd_bus_message_new_method_return(msg, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(tss)");
	for (int i = 0; r >= 0 && i < n && (size_t)i < max; i++)
		r = sd_bus_message_append(reply, "(tss)", (uint64_t)ev[i].utc_ns, ev[i].kind,
					  ev[i].detail);
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	free(ev);
	return r;
}

static int append_interval(sd_bus_message *reply, const struct pm_store_profile *e)
{
	int r = sd_bus_message_open_container(reply, 'r', "ttuuatata(dddd)");

	if (r >= 0)
		r = sd_bus_message_append(reply, "ttuu", (uint64_t)e->end_ns,
					  (uint64_t)e->period_ns, e->status, e->samples);
	if (r >= 0)
		r = sd_bus_message_append_array(reply, 't', e->reg, sizeof(e->reg));
	if (r >= 0)
		r = sd_bus_message_append_array(reply, 't', e->delta, sizeof(e->delta));
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(dddd)");
	for (int ph = 0; r >= 0 && ph < PM_MET_PHASES; ph++)
		r = sd_bus_message_append(
		    reply, "(dddd)", scaled(e->avg[ph].v_mv, -3), scaled(e->avg[ph].i_ma, -3),
		    scaled(e->avg[ph].pf_micro, -6), scaled(e->avg[ph].f_mhz, -3));
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	return r;
}

static int method_get_profile(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	const struct pm_bus_meter *m = userdata;
	struct pm_store_profile *v = NULL;
	sd_bus_message *reply = NULL;
	uint64_t from, to;
	size_t n = 0;
	int r;

	r = sd_bus_message_read(msg, "tt", &from, &to);
	if (r < 0)
		return r;
	if (from > to)
		return sd_bus_error_setf(error, PM_BUS_ERROR_INVALID_ARGUMENT,
					 "from (%" PRIu64 ") is after to (%" PRIu64 ")", from, to);
	if (!m->ops || !m->ops->profile)
		return store_error(error, m, -ENODEV);
	/* UTC ns beyond 2262 cannot be stored: a range reaching there ends at the last one */
	if (from > INT64_MAX)
		from = INT64_MAX;
	if (to > INT64_MAX)
		to = INT64_MAX;
	r = m->ops->profile(m->ops_userdata, (int64_t)from, (int64_t)to, &v, &n);
	if (r < 0)
		return store_error(error, m, r);
	r = sd_bus_message_new_method_return(msg, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(ttuuatata(dddd))");
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = append_interval(reply, &v[i]);
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	free(v);
	return r;
}

/* A reference in V, A or W to milli-units; 0 stays 0 (not given). */
static bool milli_of(double x, int64_t *out)
{
	if (!isfinite(x) || x < 0 || x > 1e9)
		return false;
	*out = llround(x * 1000.0);
	return true;
}

static int calibrate_error(sd_bus_error *error, int r, const char *msg)
{
	const char *name = PM_BUS_ERROR_STORE_FAILED;

	switch (r) {
	case -EINVAL:
	case -ERANGE:
		name = PM_BUS_ERROR_INVALID_ARGUMENT;
		break;
	case -ENOTCONN:
		name = PM_BUS_ERROR_NOT_CONNECTED;
		break;
	case -EAGAIN:
		name = PM_BUS_ERROR_NOT_READY;
		break;
	case -ENODEV:
		name = PM_BUS_ERROR_NO_STORE;
		break;
	case -EIO:
		name = PM_BUS_ERROR_CALIBRATION_FAILED;
		break;
	}
	return sd_bus_error_set(error, name, msg);
}

static int method_calibrate(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	const struct pm_bus_meter *m = userdata;
	struct pm_cal_request req = {0};
	struct pm_cal_result *res;
	sd_bus_message *reply = NULL;
	const char *step;
	char err[256] = "";
	double v, i, p;
	uint32_t phase;
	struct pm_bus_caller caller;
	int r;

	/*
	 * Changes the meter: root and the admin group only, checked here as well as by the bus
	 * policy (sd-bus's own check is off: on a system bus it would demand CAP_SYS_ADMIN).
	 */
	r = pm_bus_caller_get(msg, &caller, error);
	if (r < 0)
		return r;
	if (!caller.root && !caller.admin)
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "Calibrate: only root and the group %s may call this (uid "
					 "%u is not in it)",
					 PM_BUS_ADMIN_GROUP, (unsigned)caller.uid);
	r = sd_bus_message_read(msg, "suddd", &step, &phase, &v, &i, &p);
	if (r < 0)
		return r;
	if (!m->calibrate)
		return sd_bus_error_setf(error, PM_BUS_ERROR_NOT_SUPPORTED,
					 "Meter %s cannot be calibrated", m->name);
	if (strcmp(step, "gain") == 0)
		req.step = PM_CAL_STEP_GAIN;
	else if (strcmp(step, "offset") == 0)
		req.step = PM_CAL_STEP_OFFSET;
	else
		return sd_bus_error_setf(error, PM_BUS_ERROR_INVALID_ARGUMENT,
					 "step must be \"gain\" or \"offset\", not \"%s\"", step);
	if (phase > PM_CAL_PHASES)
		return sd_bus_error_setf(error, PM_BUS_ERROR_INVALID_ARGUMENT,
					 "phase must be 1, 2, 3 or 0 (all), not %" PRIu32, phase);
	if (!milli_of(v, &req.v_mv) || !milli_of(i, &req.i_ma) || !milli_of(p, &req.p_mw))
		return sd_bus_error_setf(error, PM_BUS_ERROR_INVALID_ARGUMENT,
					 "references must be finite, 0 (not given) or positive");
	req.phase = (int)phase;
	res = calloc(1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	r = m->calibrate(m->calibrate_userdata, &req, res, err, sizeof(err));
	if (r < 0) {
		free(res);
		return calibrate_error(error, r, err);
	}
	r = sd_bus_message_new_method_return(msg, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(usiidd)");
	for (size_t k = 0; r >= 0 && k < res->n; k++) {
		const struct pm_cal_change *c = &res->change[k];

		r = sd_bus_message_append(
		    reply, "(usiidd)", (uint32_t)c->phase, pm_cal_reg_name(c->reg), c->old_code,
		    c->new_code, (double)c->measured / 1000.0, (double)c->reference / 1000.0);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	free(res);
	return r;
}

static uint64_t now_us(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void meter_free(struct pm_bus_meter *m)
{
	if (!m)
		return;
	sd_event_source_disable_unref(m->timer);
	sd_bus_slot_unref(m->slot);
	if (m->prop_names)
		for (size_t i = 0; i < pm_point_count; i++)
			free(m->prop_names[i]);
	free(m->prop_names);
	free(m->vtable);
	free(m->sent_value);
	free(m->sent_valid);
	free(m->name);
	free(m->path);
	free(m);
}

struct pm_bus *pm_bus_free(struct pm_bus *bus)
{
	if (!bus)
		return NULL;
	for (size_t i = 0; i < bus->n_meters; i++)
		meter_free(bus->meters[i]);
	free(bus->meters);
	sd_bus_slot_unref(bus->manager_slot);
	if (bus->bus) {
		sd_bus_flush(bus->bus);
		sd_bus_detach_event(bus->bus);
		sd_bus_close_unref(bus->bus);
	}
	sd_event_unref(bus->event);
	free(bus);
	return NULL;
}

int pm_bus_new(sd_event *event, bool user, uint64_t min_interval_us, struct pm_bus **out)
{
	struct pm_bus *b = calloc(1, sizeof(*b));
	int r;

	*out = NULL;
	if (!b)
		return -ENOMEM;
	b->event = sd_event_ref(event);
	b->min_interval_us = min_interval_us;
	r = user ? sd_bus_open_user(&b->bus) : sd_bus_open_system(&b->bus);
	if (r < 0)
		goto fail;
	r = sd_bus_attach_event(b->bus, event, SD_EVENT_PRIORITY_NORMAL);
	if (r < 0)
		goto fail;
	r = sd_bus_add_object_manager(b->bus, &b->manager_slot, PM_BUS_ROOT);
	if (r < 0)
		goto fail;
	r = sd_bus_request_name(b->bus, PM_BUS_NAME, 0);
	if (r < 0)
		goto fail;
	*out = b;
	return 0;
fail:
	pm_bus_free(b);
	return r;
}

static struct pm_bus_meter *find_meter(struct pm_bus *bus, const char *name)
{
	for (size_t i = 0; i < bus->n_meters; i++)
		if (!strcmp(bus->meters[i]->name, name))
			return bus->meters[i];
	return NULL;
}

static bool valid_path_element(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static int build_vtable(struct pm_bus_meter *m)
{
	/*
	 * start, Name, Connected, LastUpdate, one per point, two demands, two of the store, three
	 * methods, end
	 */
	size_t n = 0, total = pm_point_count + 13;

	m->vtable = calloc(total, sizeof(*m->vtable));
	m->prop_names = calloc(pm_point_count, sizeof(*m->prop_names));
	if (!m->vtable || !m->prop_names)
		return -ENOMEM;
	m->vtable[n++] = (sd_bus_vtable)SD_BUS_VTABLE_START(0);
	m->vtable[n++] =
	    (sd_bus_vtable)SD_BUS_PROPERTY("Name", "s", get_name, 0, SD_BUS_VTABLE_PROPERTY_CONST);
	m->vtable[n++] = (sd_bus_vtable)SD_BUS_PROPERTY("Connected", "b", get_connected, 0,
							SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE);
	m->vtable[n++] = (sd_bus_vtable)SD_BUS_PROPERTY("LastUpdate", "t", get_last_update, 0,
							SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE);
	for (size_t i = 0; i < pm_point_count; i++) {
		const struct pm_point *p = &pm_points[i];

		if (asprintf(&m->prop_names[i], "%s%s", p->dbus_name, phase_suffix[p->phase]) < 0) {
			m->prop_names[i] = NULL;
			return -ENOMEM;
		}
		m->vtable[n++] = (sd_bus_vtable)SD_BUS_PROPERTY(
		    m->prop_names[i], is_energy(p) ? "t" : "d", get_point, 0,
		    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE);
	}
	m->vtable[n++] = (sd_bus_vtable)SD_BUS_PROPERTY("MaximumDemandImport", "a(dt)", get_demand,
							0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE);
	m->vtable[n++] = (sd_bus_vtable)SD_BUS_PROPERTY("MaximumDemandExport", "a(dt)", get_demand,
							0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE);
	m->vtable[n++] = (sd_bus_vtable)SD_BUS_PROPERTY("StoreOK", "b", get_store, 0,
							SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE);
	m->vtable[n++] = (sd_bus_vtable)SD_BUS_PROPERTY("StoreFailures", "t", get_store, 0,
							SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE);
	m->vtable[n++] = (sd_bus_vtable)SD_BUS_PROPERTY("ClockTrusted", "b", get_clock_trusted, 0,
							SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE);
	m->vtable[n++] = (sd_bus_vtable)SD_BUS_METHOD_WITH_NAMES(
	    "GetEvents", "t", SD_BUS_PARAM(max), "a(tss)", SD_BUS_PARAM(events), method_get_events,
	    SD_BUS_VTABLE_UNPRIVILEGED);
	m->vtable[n++] = (sd_bus_vtable)SD_BUS_METHOD_WITH_NAMES(
	    "GetProfile", "tt", SD_BUS_PARAM(from_utc_ns) SD_BUS_PARAM(to_utc_ns),
	    "a(ttuuatata(dddd))", SD_BUS_PARAM(intervals), method_get_profile,
	    SD_BUS_VTABLE_UNPRIVILEGED);
	m->vtable[n++] = (sd_bus_vtable)SD_BUS_METHOD_WITH_NAMES(
	    "Calibrate", "suddd",
	    SD_BUS_PARAM(step) SD_BUS_PARAM(phase) SD_BUS_PARAM(voltage) SD_BUS_PARAM(current)
		SD_BUS_PARAM(power),
	    "a(usiidd)", SD_BUS_PARAM(changes), method_calibrate, SD_BUS_VTABLE_UNPRIVILEGED);
	m->vtable[n++] = (sd_bus_vtable)SD_BUS_VTABLE_END;
	return 0;
}

int pm_bus_add_meter(struct pm_bus *bus, const char *name, const struct pm_snapshot *snap,
		     const struct pm_bus_meter_ops *ops, void *userdata)
{
	struct pm_bus_meter *m, **meters;
	int r;

	if (!valid_path_element(name))
		return -EINVAL;
	if (find_meter(bus, name))
		return -EEXIST;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->bus = bus;
	m->snap = snap;
	m->ops = ops;
	m->ops_userdata = userdata;
	m->name = strdup(name);
	m->sent_value = calloc(pm_point_count, sizeof(*m->sent_value));
	m->sent_valid = calloc(pm_point_count, sizeof(*m->sent_valid));
	if (!m->name || !m->sent_value || !m->sent_valid ||
	    asprintf(&m->path, "%s/%s", PM_BUS_ROOT, name) < 0) {
		m->path = NULL;
		r = -ENOMEM;
		goto fail;
	}
	r = build_vtable(m);
	if (r < 0)
		goto fail;
	r = sd_bus_add_object_vtable(bus->bus, &m->slot, m->path, PM_BUS_IFACE_METER, m->vtable, m);
	if (r < 0)
		goto fail;
	meters = realloc(bus->meters, (bus->n_meters + 1) * sizeof(*meters));
	if (!meters) {
		r = -ENOMEM;
		goto fail;
	}
	bus->meters = meters;
	bus->meters[bus->n_meters++] = m;
	/* Clients that already listed the objects learn about the new one. */
	(void)sd_bus_emit_object_added(bus->bus, m->path);
	return 0;
fail:
	meter_free(m);
	return r;
}

int pm_bus_meter_set_calibrate(struct pm_bus *bus, const char *name, pm_bus_calibrate_fn fn,
			       void *userdata)
{
	struct pm_bus_meter *m = find_meter(bus, name);

	if (!m)
		return -ENOENT;
	m->calibrate = fn;
	m->calibrate_userdata = userdata;
	return 0;
}

/* Sends one PropertiesChanged with everything that differs from what was sent last. */
static int emit_changes(struct pm_bus_meter *m)
{
	const char **names = calloc(pm_point_count + 8, sizeof(*names));
	struct pm_demand_peak demand[2][PM_DEMAND_MONTHS];
	bool store_ok;
	uint64_t store_failures;
	size_t n = 0;
	int r;

	if (!names)
		return -ENOMEM;
	if (!m->sent_once || m->sent_connected != m->connected)
		names[n++] = "Connected";
	names[n++] = "LastUpdate";
	for (size_t i = 0; i < pm_point_count; i++) {
		bool valid = m->snap->valid[i];
		int64_t v = m->snap->value[i];

		if (!m->sent_once || valid != m->sent_valid[i] || (valid && v != m->sent_value[i]))
			names[n++] = m->prop_names[i];
		m->sent_valid[i] = valid;
		m->sent_value[i] = v;
	}
	read_demand(m, demand);
	for (int dir = 0; dir < 2; dir++) {
		bool same = m->sent_once;

		for (int i = 0; same && i < PM_DEMAND_MONTHS; i++)
			same = demand[dir][i].valid == m->sent_demand[dir][i].valid &&
			       demand[dir][i].demand_mw == m->sent_demand[dir][i].demand_mw &&
			       demand[dir][i].end_ns == m->sent_demand[dir][i].end_ns;
		if (!same)
			names[n++] = dir ? "MaximumDemandExport" : "MaximumDemandImport";
	}
	memcpy(m->sent_demand, demand, sizeof(demand));
	read_store(m, &store_ok, &store_failures);
	if (!m->sent_once || store_ok != m->sent_store_ok)
		names[n++] = "StoreOK";
	if (!m->sent_once || store_failures != m->sent_store_failures)
		names[n++] = "StoreFailures";
	m->sent_store_ok = store_ok;
	m->sent_store_failures = store_failures;
	if (!m->sent_once || read_clock_trusted(m) != m->sent_clock_trusted)
		names[n++] = "ClockTrusted";
	m->sent_clock_trusted = read_clock_trusted(m);
	m->sent_connected = m->connected;
	m->sent_once = true;
	m->last_emit_us = now_us(CLOCK_MONOTONIC);
	r = sd_bus_emit_properties_changed_strv(m->bus->bus, m->path, PM_BUS_IFACE_METER,
						(char **)names);
	free(names);
	return r;
}

static int on_rate_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct pm_bus_meter *m = userdata;

	(void)s;
	(void)usec;
	m->timer = sd_event_source_disable_unref(m->timer);
	/* A failed send is not retried: the next change sends the newest values. */
	(void)emit_changes(m);
	return 0;
}

int pm_bus_meter_changed(struct pm_bus *bus, const char *name, bool connected)
{
	struct pm_bus_meter *m = find_meter(bus, name);
	uint64_t now, due;

	if (!m)
		return -ENOENT;
	m->connected = connected;
	m->last_update_us = now_us(CLOCK_REALTIME);
	if (m->timer)
		return 0; /* already due: it will send the newest values */
	now = now_us(CLOCK_MONOTONIC);
	due = m->last_emit_us + bus->min_interval_us;
	if (!m->sent_once || now >= due)
		return emit_changes(m);
	return sd_event_add_time(bus->event, &m->timer, CLOCK_MONOTONIC, due, 0, on_rate_timer, m);
}

sd_bus *pm_bus_sd_bus(struct pm_bus *bus)
{
	return bus->bus;
}
