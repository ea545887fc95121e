// SPDX-License-Identifier: GPL-2.0-only
/*
 * org.polymeter.Account1's properties, generated from the object model: every quantity bound
 * to the interface (core/model/quantity.c) is a property, in the table's order, read from the
 * account as pm_billing_snapshot gives it at the meter's clock and encoded by its kind and
 * D-Bus signature. Nothing here names an account value.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "views/dbus/bus-account-internal.h"

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The meter's own clock: the one its billing runs on (a simulated or replayed meter's). */
int64_t pm_bus_account_now(const struct pm_bus_account *a)
{
	return a->clock(a->clock_userdata);
}

/* The account's values now, as the object model's snapshot carries them. */
static const struct pm_snapshot *account_now(struct pm_bus_account *a)
{
	pm_billing_snapshot(a->billing, pm_bus_account_now(a), &a->snap.account);
	return &a->snap;
}

static int prop_index(const struct pm_bus_account *a, const char *name)
{
	for (size_t i = 0; i < a->n_props; i++)
		if (!strcmp(pm_quantities[a->prop_quantity[i]].dbus.name, name))
			return (int)i;
	return -1;
}

/* A quantity the account publishes only while it is known. */
static bool needs_account(const struct pm_quantity *q)
{
	return q->presence != PM_PRESENT_SNAPSHOT;
}

/* An integer as D-Bus publishes it: with the binding's bias, 0 when there is no value. */
static int64_t dbus_int(const struct pm_quantity *q, const struct pm_value *v)
{
	return v->valid ? v->i + q->dbus.bias : 0;
}

/* One basic value of D-Bus type @type, appended to @reply or written as @text. */
static int put_basic(char type, int64_t x, const struct pm_value *v, sd_bus_message *reply,
		     char *text, size_t len)
{
	char s[SENT_LEN];

	switch (type) {
	case 'b': {
		int b = x != 0;

		return reply ? sd_bus_message_append_basic(reply, 'b', &b)
			     : snprintf(text, len, "%d", b);
	}
	case 'y': {
		uint8_t y = (uint8_t)x;

		return reply ? sd_bus_message_append_basic(reply, 'y', &y)
			     : snprintf(text, len, "%u", y);
	}
	case 'u': {
		uint32_t u = (uint32_t)x;

		return reply ? sd_bus_message_append_basic(reply, 'u', &u)
			     : snprintf(text, len, "%" PRIu32, u);
	}
	case 't': {
		uint64_t t = (uint64_t)x;

		return reply ? sd_bus_message_append_basic(reply, 't', &t)
			     : snprintf(text, len, "%" PRIu64, t);
	}
	case 'x':
		return reply ? sd_bus_message_append_basic(reply, 'x', &x)
			     : snprintf(text, len, "%" PRId64, x);
	case 's':
		pm_value_text(v, s, sizeof(s));
		return reply ? sd_bus_message_append_basic(reply, 's', s)
			     : snprintf(text, len, "%s", s);
	}
	return -EINVAL;
}

/* An array of records (Payments a(txs)): appended, or as text its count and a checksum. */
static int put_array(const struct pm_quantity *q, const struct pm_value *v, sd_bus_message *reply,
		     char *text)
{
	const struct pm_record *rec = q->record;
	const char *fields = q->dbus.sig + 2;	       /* "a(" */
	uint64_t sum = UINT64_C(14695981039346656037); /* FNV-1a over every field's text */
	int r = 0;

	char inner[32]; /* "txs" of "a(txs)" */
	size_t len = strlen(fields) - 1;

	if (len >= sizeof(inner) || len != rec->n_fields)
		return -EINVAL;
	memcpy(inner, fields, len);
	inner[len] = '\0';
	if (reply)
		r = sd_bus_message_open_container(reply, 'a', q->dbus.sig + 1);
	for (size_t k = 0; r >= 0 && k < v->n; k++) {
		if (reply)
			r = sd_bus_message_open_container(reply, 'r', inner);
		for (size_t f = 0; r >= 0 && f < rec->n_fields; f++) {
			struct pm_value fv;
			char t[SENT_LEN];

			pm_record_value(v, rec, k, f, &fv);
			r = put_basic(fields[f], fv.i, &fv, reply, t, sizeof(t));
			for (const char *c = t; !reply && r >= 0 && *c; c++)
				sum = (sum ^ (uint8_t)*c) * UINT64_C(1099511628211);
			sum = (sum ^ ';') * UINT64_C(1099511628211);
		}
		if (reply && r >= 0)
			r = sd_bus_message_close_container(reply);
	}
	if (reply)
		return r >= 0 ? sd_bus_message_close_container(reply) : r;
	snprintf(text, SENT_LEN, "%zu %016" PRIx64, v->n, sum);
	return 0;
}

/* Property @i: appended to @reply, or as text (change detection) when @reply is NULL. */
/* Quantity @qi: appended to @reply, or as text (change detection) when @reply is NULL. */
static int quantity_value(const struct pm_snapshot *snap, size_t qi, sd_bus_message *reply,
			  char *text)
{
	const struct pm_quantity *q = &pm_quantities[qi];
	struct pm_value v;
	int r;

	pm_quantity_value(snap, qi, &v);
	if (q->kind == PM_VALUE_ARRAY)
		return put_array(q, &v, reply, text);
	r = put_basic(q->dbus.sig[0], dbus_int(q, &v), &v, reply, text, SENT_LEN);
	return r < 0 ? r : 0;
}

/* Property @i: appended to @reply, or as text (change detection) when @reply is NULL. */
static int prop_value(const struct pm_bus_account *a, const struct pm_snapshot *snap, size_t i,
		      sd_bus_message *reply, char *text)
{
	return quantity_value(snap, a->prop_quantity[i], reply, text);
}

/*
 * An unknown account (Running false) publishes no values: a Get or GetAll of its properties
 * answers AccountUnavailable. GetManagedObjects and InterfacesAdded carry every meter of the
 * daemon, so there the properties read Running false, "unknown" for the states, empty strings,
 * zeros and an empty Configuration: one meter's unreadable account does not hide the others.
 */
int pm_bus_account_refuse_unknown(sd_bus *bus, const struct pm_bus_account *a, sd_bus_error *error)
{
	sd_bus_message *m = sd_bus_get_current_message(bus);
	const char *member = m ? sd_bus_message_get_member(m) : NULL;

	if (!member || (strcmp(member, "Get") && strcmp(member, "GetAll")))
		return 0;
	return sd_bus_error_setf(error, PM_BUS_ACCOUNT_ERROR "AccountUnavailable",
				 "meter %s: the account could not be read; no value is published",
				 a->meter);
}

int pm_bus_account_get_prop(sd_bus *bus, const char *path, const char *interface,
			    const char *property, sd_bus_message *reply, void *userdata,
			    sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	const struct pm_snapshot *snap;
	int i = prop_index(a, property);

	(void)path;
	(void)interface;
	if (i < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY, "No property %s",
					 property);
	snap = account_now(a);
	if (!snap->account.valid && needs_account(&pm_quantities[a->prop_quantity[i]])) {
		int r = pm_bus_account_refuse_unknown(bus, a, error);

		if (r < 0)
			return r;
	}
	return prop_value(a, snap, (size_t)i, reply, NULL);
}

int pm_bus_account_emit_changes(struct pm_bus_account *a)
{
	const struct pm_snapshot *snap = account_now(a);
	bool known = snap->account.valid;
	const char **names = calloc(a->n_props + 1, sizeof(*names));
	char text[SENT_LEN];
	size_t n = 0;
	int r = 0;

	if (!names)
		return -ENOMEM;
	if (a->sent_once && known && !a->sent_known)
		(void)sd_bus_emit_properties_changed(a->bus, a->path, PM_BUS_IFACE_ACCOUNT,
						     "Configuration", NULL); /* known again */
	for (size_t i = 0; i < a->n_props; i++) {
		const struct pm_quantity *q = &pm_quantities[a->prop_quantity[i]];

		if (!known && needs_account(q)) {
			/* not published while unknown; a text no value has: sent once known */
			snprintf(a->sent[i], SENT_LEN, "%s", SENT_UNKNOWN);
			continue;
		}
		prop_value(a, snap, i, NULL, text);
		if (!a->sent_once || strcmp(text, a->sent[i])) {
			names[n++] = q->dbus.name;
			memcpy(a->sent[i], text, SENT_LEN);
		}
	}
	names[n] = NULL;
	a->sent_once = true;
	a->sent_known = known;
	a->last_emit_us = mono_us();
	if (n)
		r = sd_bus_emit_properties_changed_strv(a->bus, a->path, PM_BUS_IFACE_ACCOUNT,
							(char **)names);
	free(names);
	return r;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct pm_bus_account *a = userdata;

	(void)s;
	(void)usec;
	a->timer = sd_event_source_disable_unref(a->timer);
	(void)pm_bus_account_emit_changes(a);
	return 0;
}

void pm_bus_account_changed(struct pm_bus_account *a)
{
	uint64_t due;

	if (!a || a->timer)
		return; /* already due: it sends the newest values */
	due = a->last_emit_us + a->min_interval_us;
	if (!a->sent_once || mono_us() >= due) {
		(void)pm_bus_account_emit_changes(a);
		return;
	}
	(void)sd_event_add_time(a->event, &a->timer, CLOCK_MONOTONIC, due, 0, on_timer, a);
}

/* A quantity of this interface (@dict NULL: a property; else a key of that a{sv} property). */
static bool on_interface(const struct pm_quantity *q, const char *dict)
{
	const struct pm_dbus_binding *b = &q->dbus;

	if (!b->iface || strcmp(b->iface, PM_BUS_IFACE_ACCOUNT))
		return false;
	return dict ? b->dict && !strcmp(b->dict, dict) : !b->dict;
}

/*
 * A dictionary property (Configuration): every quantity bound to one of its keys, in the
 * table's order. An unknown account: Get and GetAll refused, empty elsewhere.
 */
int pm_bus_account_get_dict(sd_bus *bus, const char *path, const char *interface,
			    const char *property, sd_bus_message *reply, void *userdata,
			    sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	const struct pm_snapshot *snap = account_now(a);
	int r;

	(void)path;
	(void)interface;
	if (!snap->account.valid) {
		r = pm_bus_account_refuse_unknown(bus, a, error);
		return r < 0 ? r : sd_bus_message_append(reply, "a{sv}", 0);
	}
	r = sd_bus_message_open_container(reply, 'a', "{sv}");
	for (size_t q = 0; r >= 0 && q < pm_quantity_count; q++) {
		const struct pm_dbus_binding *b = &pm_quantities[q].dbus;

		if (!on_interface(&pm_quantities[q], property))
			continue;
		r = sd_bus_message_open_container(reply, 'e', "sv");
		if (r >= 0)
			r = sd_bus_message_append(reply, "s", b->name);
		if (r >= 0)
			r = sd_bus_message_open_container(reply, 'v', b->sig);
		if (r >= 0)
			r = quantity_value(snap, q, reply, NULL);
		if (r >= 0)
			r = sd_bus_message_close_container(reply);
		if (r >= 0)
			r = sd_bus_message_close_container(reply);
	}
	return r >= 0 ? sd_bus_message_close_container(reply) : r;
}

int pm_bus_account_props_init(struct pm_bus_account *a)
{
	size_t i = 0;

	a->n_props = 0;
	for (size_t q = 0; q < pm_quantity_count; q++)
		if (on_interface(&pm_quantities[q], NULL))
			a->n_props++;
	a->prop_quantity = calloc(a->n_props + 1, sizeof(*a->prop_quantity));
	a->sent = calloc(a->n_props + 1, sizeof(*a->sent));
	if (!a->prop_quantity || !a->sent)
		return -ENOMEM;
	for (size_t q = 0; q < pm_quantity_count; q++)
		if (on_interface(&pm_quantities[q], NULL))
			a->prop_quantity[i++] = (uint16_t)q;
	return 0;
}
