// SPDX-License-Identifier: GPL-2.0-only
/* Who is calling a D-Bus method (see bus-caller.h). */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>

#include "views/dbus/bus-caller.h"

/* The gid of the group @name: 0, or -ENOENT when the system has no such group. */
static int group_gid(const char *name, gid_t *gid)
{
	size_t len = 4096;

	for (;;) {
		struct group grp, *found = NULL;
		char *buf = malloc(len);
		int r;

		if (!buf)
			return -ENOMEM;
		r = getgrnam_r(name, &grp, buf, len, &found);
		if (r == ERANGE && len < 1024 * 1024) {
			free(buf);
			len *= 2;
			continue;
		}
		if (!r && found)
			*gid = grp.gr_gid;
		free(buf);
		return r ? -r : found ? 0 : -ENOENT;
	}
}

/* The groups a caller is in, as gids; a group this system does not have matches nobody. */
struct wanted {
	gid_t admin, display;
	bool has_admin, has_display;
};

static void mark_groups(struct pm_bus_caller *c, const struct wanted *w, const uint32_t *gids,
			size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (w->has_admin && gids[i] == w->admin)
			c->admin = true;
		if (w->has_display && gids[i] == w->display)
			c->display = true;
	}
}

/* Reads GetConnectionCredentials' a{sv}; 1 when it held the uid, 0 when not. */
static int read_credentials(sd_bus_message *reply, const struct wanted *w, struct pm_bus_caller *c)
{
	bool has_uid = false;
	int r = sd_bus_message_enter_container(reply, 'a', "{sv}");

	while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
		const char *key;
		uint32_t uid;

		r = sd_bus_message_read(reply, "s", &key);
		if (r < 0)
			break;
		if (!strcmp(key, "UnixUserID")) {
			r = sd_bus_message_read(reply, "v", "u", &uid);
			c->uid = (uid_t)uid;
			has_uid = r >= 0;
		} else if (!strcmp(key, "UnixGroupIDs")) {
			const void *gids;
			size_t size = 0;

			/* the primary group and the supplementary ones, complete or absent */
			r = sd_bus_message_enter_container(reply, 'v', "au");
			if (r >= 0)
				r = sd_bus_message_read_array(reply, 'u', &gids, &size);
			if (r >= 0)
				mark_groups(c, w, gids, size / sizeof(uint32_t));
			if (r >= 0)
				r = sd_bus_message_exit_container(reply);
		} else {
			r = sd_bus_message_skip(reply, "v");
		}
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(reply);
	if (r < 0)
		return r;
	return has_uid;
}

int pm_bus_caller_get(sd_bus_message *msg, struct pm_bus_caller *c, sd_bus_error *error)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *sender = sd_bus_message_get_sender(msg);
	struct wanted w;
	int r;

	memset(c, 0, sizeof(*c));
	if (!sender)
		return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED,
					"cannot tell who is calling: the message has no sender");
	r = sd_bus_call_method(sd_bus_message_get_bus(msg), "org.freedesktop.DBus",
			       "/org/freedesktop/DBus", "org.freedesktop.DBus",
			       "GetConnectionCredentials", &e, &reply, "s", sender);
	if (r < 0) {
		r = sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
				      "cannot tell who is calling: %s",
				      e.message ? e.message : strerror(-r));
		sd_bus_error_free(&e);
		return r;
	}
	w.has_admin = group_gid(PM_BUS_ADMIN_GROUP, &w.admin) == 0;
	w.has_display = group_gid(PM_BUS_DISPLAY_GROUP, &w.display) == 0;
	r = read_credentials(reply, &w, c);
	sd_bus_message_unref(reply);
	if (r <= 0) {
		memset(c, 0, sizeof(*c));
		return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED,
					"cannot tell who is calling: the bus gave no user id");
	}
	c->root = c->uid == 0;
	return 0;
}
