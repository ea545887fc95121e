// SPDX-License-Identifier: GPL-2.0-only
/*
 * What polymeterctl reads from polymeterd over D-Bus (polymeterctl-internal.h): the meters'
 * names, one meter's Meter properties, and the message of a failed method call.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "ctl/polymeterctl-internal.h"
#include "views/dbus/bus.h"

const struct prop *ctl_prop_find(const struct meter_props *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->p[i].name, name))
			return &m->p[i];
	return NULL;
}

/* Reads an a(dt) maximum demand (at most 3 entries kept). */
static int read_demand(sd_bus_message *msg, struct prop *p)
{
	double w;
	uint64_t end;
	int r;

	r = sd_bus_message_enter_container(msg, 'a', "(dt)");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_read(msg, "(dt)", &w, &end)) > 0)
		if (p->n_md < 3) {
			p->md_w[p->n_md] = w;
			p->md_end[p->n_md++] = end;
		}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(msg);
}

/* Reads one a{sv} of properties (positioned at the array) into @m. */
static int read_props(sd_bus_message *msg, struct meter_props *m)
{
	int r;

	r = sd_bus_message_enter_container(msg, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
		struct prop p = {0};
		const char *name, *contents;
		char type;

		r = sd_bus_message_read(msg, "s", &name);
		if (r < 0)
			return r;
		r = sd_bus_message_peek_type(msg, &type, &contents);
		if (r < 0)
			return r;
		snprintf(p.name, sizeof(p.name), "%s", name);
		p.type = contents[0];
		r = sd_bus_message_enter_container(msg, 'v', contents);
		if (r < 0)
			return r;
		switch (p.type) {
		case 'd':
			r = sd_bus_message_read(msg, "d", &p.d);
			break;
		case 't':
			r = sd_bus_message_read(msg, "t", &p.t);
			break;
		case 'b': {
			int b;

			r = sd_bus_message_read(msg, "b", &b);
			p.b = b;
			break;
		}
		case 's': {
			const char *s;

			r = sd_bus_message_read(msg, "s", &s);
			if (r >= 0)
				snprintf(p.s, sizeof(p.s), "%s", s);
			break;
		}
		case 'a':
			if (!strcmp(contents, "a(dt)")) {
				r = read_demand(msg, &p);
				break;
			}
			r = sd_bus_message_skip(msg, contents);
			break;
		default:
			r = sd_bus_message_skip(msg, contents);
		}
		if (r < 0)
			return r;
		r = sd_bus_message_exit_container(msg);
		if (r < 0)
			return r;
		r = sd_bus_message_exit_container(msg);
		if (r < 0)
			return r;
		if (m->n < MAX_PROPS)
			m->p[m->n++] = p;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(msg);
}

int ctl_get_meter_props_quiet(sd_bus *bus, const char *meter, struct meter_props *m,
			      sd_bus_error *error)
{
	sd_bus_message *reply = NULL;
	char path[256];
	int r;

	snprintf(path, sizeof(path), "%s/%s", PM_BUS_ROOT, meter);
	r = sd_bus_call_method(bus, PM_BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll",
			       error, &reply, "s", PM_BUS_IFACE_METER);
	if (r < 0)
		return r;
	m->n = 0;
	r = read_props(reply, m);
	sd_bus_message_unref(reply);
	return r;
}

int ctl_get_meter_props(sd_bus *bus, const char *meter, struct meter_props *m)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	int r = ctl_get_meter_props_quiet(bus, meter, m, &error);

	if (r < 0)
		return ctl_call_error(meter, &error, r);
	sd_bus_error_free(&error);
	return r;
}

double ctl_prop_double(const struct meter_props *m, const char *name)
{
	const struct prop *p = ctl_prop_find(m, name);

	return p && p->type == 'd' ? p->d : NAN;
}

uint64_t ctl_prop_u64(const struct meter_props *m, const char *name)
{
	const struct prop *p = ctl_prop_find(m, name);

	return p && p->type == 't' ? p->t : 0;
}

/* Meter names: the children of the ObjectManager root. */
int ctl_list_meters(sd_bus *bus, char names[][64], size_t max, size_t *n)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int r;

	*n = 0;
	r = sd_bus_call_method(bus, PM_BUS_NAME, PM_BUS_ROOT, "org.freedesktop.DBus.ObjectManager",
			       "GetManagedObjects", &error, &reply, NULL);
	if (r < 0) {
		if (!ctl_explain_bus_error(&error, r))
			fprintf(stderr, "polymeterctl: %s: %s\n", PM_BUS_NAME,
				error.message ? error.message : strerror(-r));
		sd_bus_error_free(&error);
		return r;
	}
	r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
	while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
		const char *path;

		r = sd_bus_message_read(reply, "o", &path);
		if (r < 0)
			break;
		if (*n < max && !strncmp(path, PM_BUS_ROOT "/", strlen(PM_BUS_ROOT) + 1))
			snprintf(names[(*n)++], 64, "%s", path + strlen(PM_BUS_ROOT) + 1);
		r = sd_bus_message_skip(reply, "a{sa{sv}}");
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
	}
	sd_bus_message_unref(reply);
	return r < 0 ? r : 0;
}

int ctl_call_error(const char *meter, sd_bus_error *error, int r)
{
	if (ctl_explain_bus_error(error, r))
		;
	else if (sd_bus_error_has_name(error, SD_BUS_ERROR_UNKNOWN_OBJECT))
		fprintf(stderr, "polymeterctl: no meter %s (polymeterctl list)\n", meter);
	else if (error->name && !strncmp(error->name, "org.polymeter.Meter1.Error.", 27))
		fprintf(stderr, "polymeterctl: meter %s: %s (%s)\n", meter, error->message,
			error->name + 27);
	else
		fprintf(stderr, "polymeterctl: meter %s: %s\n", meter,
			error->message ? error->message : strerror(-r));
	sd_bus_error_free(error);
	return r;
}

static const char *bus_name(void)
{
	return ctl_user ? "session" : "system";
}

int ctl_open_bus(sd_bus **bus)
{
	int r = ctl_user ? sd_bus_open_user(bus) : sd_bus_open_system(bus);

	if (r < 0)
		ctl_explain_bus_error(&SD_BUS_ERROR_NULL, r);
	return r;
}

bool ctl_daemon_absent(const sd_bus_error *error)
{
	return sd_bus_error_has_name(error, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
	       sd_bus_error_has_name(error, SD_BUS_ERROR_NAME_HAS_NO_OWNER);
}

bool ctl_explain_bus_error(const sd_bus_error *error, int r)
{
	if (ctl_daemon_absent(error)) {
		fprintf(stderr, "polymeterctl: polymeterd is not running (no %s on the %s bus)\n",
			PM_BUS_NAME, bus_name());
		fputs(
		    ctl_user
			? "  start it with dbus = session on this bus (DBUS_SESSION_BUS_ADDRESS), "
			  "e.g. with make run\n"
			: "  start it: systemctl start polymeterd (why it stopped: journalctl "
			  "-u polymeterd); a polymeterd on the session bus needs --user\n",
		    stderr);
		return true;
	}
	if (sd_bus_error_has_name(error, SD_BUS_ERROR_ACCESS_DENIED)) {
		fprintf(stderr,
			"polymeterctl: %s\n  run it as root or as a member of the group "
			"polymeter-admin\n",
			error->message ? error->message : "access denied");
		return true;
	}
	if (sd_bus_error_has_name(error, SD_BUS_ERROR_NO_REPLY) || r == -ETIMEDOUT) {
		fprintf(stderr, "polymeterctl: polymeterd did not answer in time (busy or stuck: "
				"journalctl -u polymeterd)\n");
		return true;
	}
	if (!sd_bus_error_is_set(error) && (r == -ENOENT || r == -ECONNREFUSED || r == -ENOMEDIUM ||
					    r == -ECONNRESET || r == -ENOTCONN || r == -EACCES)) {
		fprintf(stderr, "polymeterctl: cannot connect to the %s bus: %s\n", bus_name(),
			strerror(-r));
		fputs(ctl_user
			  ? "  --user needs DBUS_SESSION_BUS_ADDRESS of the bus polymeterd is on "
			    "(make run prints it)\n"
			  : "  is dbus running? systemctl status dbus\n",
		      stderr);
		return true;
	}
	return false;
}
