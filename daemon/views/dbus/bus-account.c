// SPDX-License-Identifier: GPL-2.0-only
/* org.polymeter.Account1 on each meter object (see bus-account.h). */
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/model/quantity.h"
#include "views/dbus/bus-account.h"
#include "views/dbus/bus-caller.h"

/* Change detection keeps what the last PropertiesChanged said, as text of this length. */
#define SENT_LEN 160
/* The text of a property not published (the account unknown): no value has it. */
#define SENT_UNKNOWN "\x1f"

struct pm_bus_account {
	sd_bus *bus;
	sd_event *event;
	uint64_t min_interval_us;
	char *meter;
	char *path;
	struct pm_billing *billing;
	pm_bus_account_clock_fn clock;
	void *clock_userdata;
	sd_bus_slot *slot;
	sd_bus_vtable *vtable;
	sd_event_source *timer;
	uint64_t last_emit_us;
	bool sent_once;
	bool sent_known; /* the account was known at the last PropertiesChanged */
	/* The properties: the quantities bound to this interface, in the table's order. */
	size_t n_props;
	uint16_t *prop_quantity;
	char (*sent)[SENT_LEN];
	struct pm_snapshot snap; /* the account part, filled at the meter's clock */
	sd_bus_message_handler_t *admin_handlers; /* by vtable index: admin_call() runs these */
};

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The meter's own clock: the one its billing runs on (a simulated or replayed meter's). */
static int64_t meter_now(const struct pm_bus_account *a)
{
	return a->clock(a->clock_userdata);
}

/* The account's values now, as the object model's snapshot carries them. */
static const struct pm_snapshot *account_now(struct pm_bus_account *a)
{
	pm_billing_snapshot(a->billing, meter_now(a), &a->snap.account);
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
static int prop_value(const struct pm_bus_account *a, const struct pm_snapshot *snap, size_t i,
		      sd_bus_message *reply, char *text)
{
	size_t qi = a->prop_quantity[i];
	const struct pm_quantity *q = &pm_quantities[qi];
	struct pm_value v;
	int r;

	pm_quantity_value(snap, qi, &v);
	if (q->kind == PM_VALUE_ARRAY)
		return put_array(q, &v, reply, text);
	r = put_basic(q->dbus.sig[0], dbus_int(q, &v), &v, reply, text, SENT_LEN);
	return r < 0 ? r : 0;
}

/*
 * An unknown account (Running false) publishes no values: a Get or GetAll of its properties
 * answers AccountUnavailable. GetManagedObjects and InterfacesAdded carry every meter of the
 * daemon, so there the properties read Running false, "unknown" for the states, empty strings,
 * zeros and an empty Configuration: one meter's unreadable account does not hide the others.
 */
static int refuse_unknown(sd_bus *bus, const struct pm_bus_account *a, sd_bus_error *error)
{
	sd_bus_message *m = sd_bus_get_current_message(bus);
	const char *member = m ? sd_bus_message_get_member(m) : NULL;

	if (!member || (strcmp(member, "Get") && strcmp(member, "GetAll")))
		return 0;
	return sd_bus_error_setf(error, PM_BUS_ACCOUNT_ERROR "AccountUnavailable",
				 "meter %s: the account could not be read; no value is published",
				 a->meter);
}

static int get_prop(sd_bus *bus, const char *path, const char *interface, const char *property,
		    sd_bus_message *reply, void *userdata, sd_bus_error *error)
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
		int r = refuse_unknown(bus, a, error);

		if (r < 0)
			return r;
	}
	return prop_value(a, snap, (size_t)i, reply, NULL);
}

/* Sends one PropertiesChanged with what differs from what was sent last. */
static int emit_changes(struct pm_bus_account *a)
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
	(void)emit_changes(a);
	return 0;
}

void pm_bus_account_changed(struct pm_bus_account *a)
{
	uint64_t due;

	if (!a || a->timer)
		return; /* already due: it sends the newest values */
	due = a->last_emit_us + a->min_interval_us;
	if (!a->sent_once || mono_us() >= due) {
		(void)emit_changes(a);
		return;
	}
	(void)sd_event_add_time(a->event, &a->timer, CLOCK_MONOTONIC, due, 0, on_timer, a);
}

/* --- methods ------------------------------------------------------------------------------ */

static const char *error_name(enum pm_billing_err kind)
{
	switch (kind) {
	case PM_BILLING_OK:
	case PM_BILLING_ERR_INVALID:
		break;
	case PM_BILLING_ERR_REFUSED:
		return PM_BUS_ACCOUNT_ERROR "Refused";
	case PM_BILLING_ERR_DUPLICATE:
		return PM_BUS_ACCOUNT_ERROR "DuplicateReference";
	case PM_BILLING_ERR_TARIFF:
		return PM_BUS_ACCOUNT_ERROR "InvalidTariff";
	case PM_BILLING_ERR_TOKEN:
		return PM_BUS_ACCOUNT_ERROR "InvalidToken";
	case PM_BILLING_ERR_NOT_CONFIGURED:
		return PM_BUS_ACCOUNT_ERROR "NotConfigured";
	case PM_BILLING_ERR_NO_STORE:
		return PM_BUS_ACCOUNT_ERROR "NoStore";
	case PM_BILLING_ERR_STORE_FAILED:
		return PM_BUS_ACCOUNT_ERROR "StoreFailed";
	case PM_BILLING_ERR_ACCOUNT_UNAVAILABLE:
		return PM_BUS_ACCOUNT_ERROR "AccountUnavailable";
	}
	return PM_BUS_ACCOUNT_ERROR "InvalidArgument";
}

static int invalid(sd_bus_error *error, const char *fmt, const char *what)
{
	return sd_bus_error_setf(error, PM_BUS_ACCOUNT_ERROR "InvalidArgument", fmt, what);
}

/* The reply to a command: its error, or (after PropertiesChanged) an empty return. */
static int done(sd_bus_message *msg, struct pm_bus_account *a, int r,
		const struct pm_billing_error *e, sd_bus_error *error)
{
	if (r < 0)
		return sd_bus_error_set(error, error_name(e->kind), e->message);
	(void)emit_changes(a);
	return sd_bus_reply_method_return(msg, "");
}

static int m_topup(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	struct pm_billing_error e;
	const char *ref;
	int64_t amount;
	int r = sd_bus_message_read(msg, "xs", &amount, &ref);

	if (r < 0)
		return r;
	r = pm_billing_topup(a->billing, meter_now(a), amount, ref, ACCOUNT_PAYMENT_LOCAL, &e);
	return done(msg, a, r, &e, error);
}

static const char *token_kind(enum sts_action action)
{
	switch (action) {
	case STS_ACTION_ADD_CREDIT:
		return "credit";
	case STS_ACTION_TEST:
		return "test";
	case STS_ACTION_MANAGEMENT:
		return "management";
	case STS_ACTION_KEY_STAGED:
		return "key_change_staged";
	case STS_ACTION_KEY_CHANGED:
		return "key_changed";
	case STS_ACTION_NONE:
		break;
	}
	return "none";
}

static int m_token(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	struct pm_billing_error e;
	struct sts_result res;
	const char *token;
	int64_t credit;
	int r = sd_bus_message_read(msg, "s", &token);

	if (r < 0)
		return r;
	r = pm_billing_token(a->billing, meter_now(a), token, &credit, &res, &e);
	if (r < 0)
		return sd_bus_error_set(error, error_name(e.kind), e.message);
	(void)emit_changes(a);
	return sd_bus_reply_method_return(msg, "sx", token_kind(res.action), credit);
}

static int m_tariff(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	struct pm_billing_error e;
	const char *json;
	int r = sd_bus_message_read(msg, "s", &json);

	if (r < 0)
		return r;
	r = pm_billing_set_tariff(a->billing, meter_now(a), json, &e);
	return done(msg, a, r, &e, error);
}

static int m_future_tariff(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	struct pm_billing_error e;
	const char *json, *date;
	int r = sd_bus_message_read(msg, "ss", &json, &date);

	if (r < 0)
		return r;
	r = pm_billing_set_future_tariff(a->billing, meter_now(a), json, date, &e);
	return done(msg, a, r, &e, error);
}

static int m_cancel_future(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	struct pm_billing_error e;
	int r = pm_billing_cancel_future_tariff(a->billing, meter_now(a), &e);

	return done(msg, a, r, &e, error);
}

static int m_convert(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	struct pm_billing_error e;
	const char *date, *factor;
	int r = sd_bus_message_read(msg, "ss", &date, &factor);

	if (r < 0)
		return r;
	r = pm_billing_convert_currency(a->billing, meter_now(a), date, factor, &e);
	return done(msg, a, r, &e, error);
}

static int m_mode(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	struct pm_billing_error e;
	enum account_mode mode;
	const char *name;
	int r = sd_bus_message_read(msg, "s", &name);

	if (r < 0)
		return r;
	if (pm_billing_mode_parse(name, &mode) < 0)
		return invalid(error, "mode: '%s' is not credit, prepayment or payg", name);
	r = pm_billing_set_mode(a->billing, meter_now(a), mode, &e);
	return done(msg, a, r, &e, error);
}

enum plain { TAKE_EC, DISCONNECT, RECONNECT, ARM, CONFIRM };

/*
 * TakeEmergencyCredit and ConfirmReconnect are the customer's answers, which somebody must
 * give at the meter (appliances left on, someone working on the installation): root, the
 * admin group and the meter's display group only, checked here as well as by the bus policy.
 * @at_meter: the caller is the display, so its answer is given at the meter.
 */
static int customer_answer_allowed(sd_bus_message *msg, const char *method, bool *at_meter,
				   sd_bus_error *error)
{
	struct pm_bus_caller c;
	int r = pm_bus_caller_get(msg, &c, error);

	if (r < 0)
		return r;
	if (!c.root && !c.admin && !c.display)
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "%s: only root and the groups %s and %s may call this "
					 "(uid %u is in neither)",
					 method, PM_BUS_DISPLAY_GROUP, PM_BUS_ADMIN_GROUP,
					 (unsigned)c.uid);
	*at_meter = c.display;
	return 0;
}

static int plain(sd_bus_message *msg, void *userdata, sd_bus_error *error, enum plain what)
{
	struct pm_bus_account *a = userdata;
	struct pm_billing_error e;
	int64_t now = meter_now(a);
	bool at_meter = false;
	int r;

	if (what == TAKE_EC || what == CONFIRM) {
		r = customer_answer_allowed(msg, sd_bus_message_get_member(msg), &at_meter, error);
		if (r < 0)
			return r;
	}
	switch (what) {
	case TAKE_EC:
		/*
		 * Taken on the display, at the meter: also the customer's confirmation. Taken
		 * remotely (root, admin): a supply held open for credit stays armed.
		 */
		r = pm_billing_take_emergency_credit(a->billing, now, at_meter, &e);
		break;
	case DISCONNECT:
		r = pm_billing_disconnect(a->billing, now, &e);
		break;
	case RECONNECT:
		r = pm_billing_reconnect(a->billing, now, false, &e);
		break;
	case ARM:
		r = pm_billing_reconnect(a->billing, now, true, &e);
		break;
	case CONFIRM:
	default:
		r = pm_billing_confirm(a->billing, now, &e);
		break;
	}
	return done(msg, a, r, &e, error);
}

static int m_take_ec(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return plain(msg, userdata, error, TAKE_EC);
}

static int m_disconnect(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return plain(msg, userdata, error, DISCONNECT);
}

static int m_reconnect(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return plain(msg, userdata, error, RECONNECT);
}

static int m_arm(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return plain(msg, userdata, error, ARM);
}

static int m_confirm(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return plain(msg, userdata, error, CONFIRM);
}

static int m_adjust(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	struct pm_billing_error e;
	int64_t delta;
	int r = sd_bus_message_read(msg, "x", &delta);

	if (r < 0)
		return r;
	r = pm_billing_adjust_balance(a->billing, meter_now(a), delta, &e);
	return done(msg, a, r, &e, error);
}

static int m_debt(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	struct pm_billing_error e;
	int64_t time_debt, payment_debt;
	int r = sd_bus_message_read(msg, "xx", &time_debt, &payment_debt);

	if (r < 0)
		return r;
	r = pm_billing_set_debt(a->billing, meter_now(a), time_debt, payment_debt, &e);
	return done(msg, a, r, &e, error);
}

static int m_wallet(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	struct pm_billing_error e;
	const char *date;
	int64_t cost;
	int final;
	int r = sd_bus_message_read(msg, "sxb", &date, &cost, &final);

	if (r < 0)
		return r;
	r = pm_billing_wallet(a->billing, meter_now(a), date, cost, final, &e);
	return done(msg, a, r, &e, error);
}

/* One option of ChangeOfTenancy: its variant must hold @want. */
static int read_option(sd_bus_message *msg, const char *key, const char *want, void *value,
		       sd_bus_error *error)
{
	const char *contents;
	char type;
	int r = sd_bus_message_peek_type(msg, &type, &contents);

	if (r < 0)
		return r;
	if (type != 'v' || strcmp(contents, want))
		return sd_bus_error_setf(error, PM_BUS_ACCOUNT_ERROR "InvalidArgument",
					 "%s: expected a value of type '%s'", key, want);
	r = sd_bus_message_enter_container(msg, 'v', want);
	if (r >= 0)
		r = sd_bus_message_read_basic(msg, want[0], value);
	if (r >= 0)
		r = sd_bus_message_exit_container(msg);
	return r;
}

static int parse_contactor(const char *s, enum account_contactor_action *c)
{
	static const char *const names[] = {"unchanged", "open", "close", "arm"};

	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i])) {
			*c = (enum account_contactor_action)i;
			return 0;
		}
	return -EINVAL;
}

static int m_tenancy(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	struct account_tenancy_change c = {0};
	struct pm_billing_error e;
	int64_t now = meter_now(a);
	int r;

	c.effective_utc = now / 1000000000;
	r = sd_bus_message_enter_container(msg, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
		const char *key, *s;
		int64_t x;
		int b;

		r = sd_bus_message_read(msg, "s", &key);
		if (r < 0)
			return r;
		if (!strcmp(key, "effective_utc")) {
			r = read_option(msg, key, "x", &c.effective_utc, error);
		} else if (!strcmp(key, "balance")) {
			r = read_option(msg, key, "x", &x, error);
			c.balance_action = ACCOUNT_REGISTER_SET;
			c.balance_mu = x;
		} else if (!strcmp(key, "reset_balance")) {
			r = read_option(msg, key, "b", &b, error);
			if (b)
				c.balance_action = ACCOUNT_REGISTER_RESET;
		} else if (!strcmp(key, "time_debt") || !strcmp(key, "payment_debt")) {
			r = read_option(msg, key, "x", &x, error);
			c.debt_action = ACCOUNT_REGISTER_SET;
			if (key[0] == 't')
				c.time_debt_mu = x;
			else
				c.payment_debt_mu = x;
		} else if (!strcmp(key, "reset_debt")) {
			r = read_option(msg, key, "b", &b, error);
			if (b)
				c.debt_action = ACCOUNT_REGISTER_RESET;
		} else if (!strcmp(key, "clear_payments") || !strcmp(key, "zero_standing_charge") ||
			   !strcmp(key, "clear_future_tariffs")) {
			r = read_option(msg, key, "b", &b, error);
			if (key[0] == 'z')
				c.zero_standing_charge = b;
			else if (!strcmp(key, "clear_payments"))
				c.clear_payment_log = b;
			else
				c.clear_future_tariffs = b;
		} else if (!strcmp(key, "contactor")) {
			r = read_option(msg, key, "s", &s, error);
			if (r >= 0 && parse_contactor(s, &c.contactor) < 0)
				return sd_bus_error_setf(
				    error, PM_BUS_ACCOUNT_ERROR "InvalidArgument",
				    "contactor: '%s' is not unchanged, open, close or arm", s);
		} else {
			return invalid(error, "%s: unknown option of ChangeOfTenancy", key);
		}
		if (r < 0)
			return r;
		r = sd_bus_message_exit_container(msg);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	r = sd_bus_message_exit_container(msg);
	if (r < 0)
		return r;
	r = pm_billing_change_tenancy(a->billing, now, &c, &e);
	return done(msg, a, r, &e, error);
}

/* --- configuration ----------------------------------------------------------------------- */

static const char *const collection_names[] = {[ACCOUNT_DEBT_COLLECT_ALWAYS] = "always",
					       [ACCOUNT_DEBT_HALT_OUT_OF_CREDIT] =
						   "halt_out_of_credit"};
static const char *const debt_in_ec_names[] = {[ACCOUNT_DEBT_EC_REDUCE_EC] = "reduce",
					       [ACCOUNT_DEBT_EC_KEEP_EC] = "keep",
					       [ACCOUNT_DEBT_EC_SUSPEND] = "suspend"};

static int get_config(sd_bus *bus, const char *path, const char *interface, const char *property,
		      sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	struct pm_billing_view v;
	struct account_config c;
	int r;

	(void)path;
	(void)interface;
	(void)property;
	pm_billing_view(a->billing, meter_now(a), &v);
	if (!v.running) {
		r = refuse_unknown(bus, a, error);
		return r < 0 ? r : sd_bus_message_append(reply, "a{sv}", 0);
	}
	pm_billing_get_config(a->billing, &c);
	r = sd_bus_message_open_container(reply, 'a', "{sv}");
	if (r >= 0)
		r = sd_bus_message_append(
		    reply, "{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}",
		    "payg_debt_limit", "x", c.payg_debt_limit_mu, "max_balance", "x",
		    c.max_balance_mu, "low_credit", "x", c.low_credit_threshold_mu,
		    "emergency_credit", "x", c.ec_enabled ? c.ec_value_mu : (int64_t)0,
		    "emergency_credit_threshold", "x", c.ec_threshold_mu, "debt_weekly_rate", "x",
		    c.debt_weekly_rate_mu, "debt_collection", "s",
		    collection_names[c.debt_collection], "debt_in_emergency_credit", "s",
		    debt_in_ec_names[c.debt_in_ec], "payment_debt_percent", "y", c.payment_debt_pct,
		    "load_limit_w", "u", c.load_limit_w, "load_limit_peak_w", "u",
		    c.load_limit_peak_w, "load_limit_period_s", "u", c.load_limit_period_s,
		    "reconnect_needs_confirmation", "b", (int)c.credit_reconnect_needs_confirmation,
		    "friendly_special_days", "b", (int)c.friendly_special_days);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'e', "sv");
	if (r >= 0)
		r = sd_bus_message_append(reply, "s", "friendly_periods");
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'v', "a(yuu)");
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(yuu)");
	for (int d = 0; r >= 0 && d < 7; d++)
		for (unsigned k = 0; r >= 0 && k < c.friendly_count[d]; k++)
			r = sd_bus_message_append(reply, "(yuu)", (uint8_t)d,
						  c.friendly[d][k].start_s, c.friendly[d][k].end_s);
	for (int i = 0; r >= 0 && i < 4; i++)
		r = sd_bus_message_close_container(reply);
	return r;
}

static int parse_name(const char *s, const char *const *names, int n, int *out)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

static int read_friendly(sd_bus_message *msg, struct account_config *c, sd_bus_error *error)
{
	const char *contents;
	char type;
	uint8_t day;
	uint32_t start, end;
	int r = sd_bus_message_peek_type(msg, &type, &contents);

	if (r < 0)
		return r;
	if (type != 'v' || strcmp(contents, "a(yuu)"))
		return invalid(error, "%s: expected a value of type 'a(yuu)'", "friendly_periods");
	memset(c->friendly_count, 0, sizeof(c->friendly_count));
	r = sd_bus_message_enter_container(msg, 'v', "a(yuu)");
	if (r >= 0)
		r = sd_bus_message_enter_container(msg, 'a', "(yuu)");
	while (r >= 0 && (r = sd_bus_message_read(msg, "(yuu)", &day, &start, &end)) > 0) {
		if (day > 6 || c->friendly_count[day] >= ACCOUNT_FRIENDLY_PERIODS_PER_DAY)
			return invalid(error, "%s: a weekday 0..6 with at most 8 periods each",
				       "friendly_periods");
		c->friendly[day][c->friendly_count[day]++] =
		    (struct account_friendly_period){.start_s = start, .end_s = end};
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(msg);
	if (r >= 0)
		r = sd_bus_message_exit_container(msg);
	return r;
}

/* Configure(a{sv}): the options given replace those settings; the others stay. */
static int m_configure(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	struct pm_billing_error e;
	struct account_config c;
	int r;

	pm_billing_get_config(a->billing, &c);
	r = sd_bus_message_enter_container(msg, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
		static const struct {
			const char *key;
			size_t off;
		} money[] = {
#define M(k, f) {k, offsetof(struct account_config, f)}
		    M("payg_debt_limit", payg_debt_limit_mu),
		    M("max_balance", max_balance_mu),
		    M("low_credit", low_credit_threshold_mu),
		    M("emergency_credit_threshold", ec_threshold_mu),
		    M("debt_weekly_rate", debt_weekly_rate_mu),
#undef M
		};
		const char *key, *s;
		uint32_t u;
		int64_t x;
		uint8_t y;
		int b, i, found = 0;

		r = sd_bus_message_read(msg, "s", &key);
		if (r < 0)
			return r;
		for (size_t k = 0; k < sizeof(money) / sizeof(money[0]); k++)
			if (!strcmp(key, money[k].key)) {
				r = read_option(msg, key, "x", (char *)&c + money[k].off, error);
				found = 1;
			}
		if (found) {
		} else if (!strcmp(key, "emergency_credit")) {
			r = read_option(msg, key, "x", &x, error);
			c.ec_enabled = x != 0;
			c.ec_value_mu = x;
		} else if (!strcmp(key, "debt_collection") ||
			   !strcmp(key, "debt_in_emergency_credit")) {
			bool coll = key[5] == 'c';

			r = read_option(msg, key, "s", &s, error);
			if (r >= 0 && parse_name(s, coll ? collection_names : debt_in_ec_names,
						 coll ? 2 : 3, &i) < 0)
				return sd_bus_error_setf(error,
							 PM_BUS_ACCOUNT_ERROR "InvalidArgument",
							 "%s: '%s' is not %s", key, s,
							 coll ? "always or halt_out_of_credit"
							      : "reduce, keep or suspend");
			if (r >= 0 && coll)
				c.debt_collection = (enum account_debt_collection)i;
			else if (r >= 0)
				c.debt_in_ec = (enum account_debt_in_ec)i;
		} else if (!strcmp(key, "payment_debt_percent")) {
			r = read_option(msg, key, "y", &y, error);
			c.payment_debt_pct = y;
		} else if (!strcmp(key, "load_limit_w") || !strcmp(key, "load_limit_peak_w") ||
			   !strcmp(key, "load_limit_period_s")) {
			r = read_option(msg, key, "u", &u, error);
			if (!strcmp(key, "load_limit_w"))
				c.load_limit_w = u;
			else if (!strcmp(key, "load_limit_peak_w"))
				c.load_limit_peak_w = u;
			else
				c.load_limit_period_s = u;
		} else if (!strcmp(key, "reconnect_needs_confirmation") ||
			   !strcmp(key, "friendly_special_days")) {
			r = read_option(msg, key, "b", &b, error);
			if (key[0] == 'r')
				c.credit_reconnect_needs_confirmation = b;
			else
				c.friendly_special_days = b;
		} else if (!strcmp(key, "friendly_periods")) {
			r = read_friendly(msg, &c, error);
		} else {
			return invalid(error, "%s: unknown option of Configure", key);
		}
		if (r < 0)
			return r;
		r = sd_bus_message_exit_container(msg);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	r = sd_bus_message_exit_container(msg);
	if (r < 0)
		return r;
	r = pm_billing_configure(a->billing, meter_now(a), &c, &e);
	if (r >= 0)
		(void)sd_bus_emit_properties_changed(a->bus, a->path, PM_BUS_IFACE_ACCOUNT,
						     "Configuration", NULL);
	return done(msg, a, r, &e, error);
}

/*
 * Every method but the customer's answers runs through here. The bus policy allows them to
 * root and polymeter-admin only; polymeterd checks the same itself, so that a permissive or
 * missing policy file does not open them. sd-bus's own check is off for them
 * (SD_BUS_VTABLE_UNPRIVILEGED): on the system bus it would demand CAP_SYS_ADMIN of an admin.
 */
static int admin_call(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	const char *member = sd_bus_message_get_member(msg);
	struct pm_bus_caller c;
	size_t i;
	int r;

	for (i = 0; a->vtable[i].type != _SD_BUS_VTABLE_END; i++)
		if (a->admin_handlers[i] && !strcmp(a->vtable[i].x.method.member, member))
			break;
	if (a->vtable[i].type == _SD_BUS_VTABLE_END)
		return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_METHOD, "No method %s",
					 member);
	r = pm_bus_caller_get(msg, &c, error);
	if (r < 0)
		return r;
	if (!c.root && !c.admin)
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "%s: only root and the group %s may call this (uid %u is "
					 "not in it)",
					 member, PM_BUS_ADMIN_GROUP, (unsigned)c.uid);
	return a->admin_handlers[i](msg, userdata, error);
}

/* --- object ------------------------------------------------------------------------------- */

static int build_vtable(struct pm_bus_account *a)
{
	static const sd_bus_vtable methods[] = {
	    SD_BUS_METHOD_WITH_NAMES("TopUp", "xs", SD_BUS_PARAM(amount) SD_BUS_PARAM(reference),
				     "", , m_topup, 0),
	    SD_BUS_METHOD_WITH_NAMES("EnterToken", "s", SD_BUS_PARAM(token), "sx",
				     SD_BUS_PARAM(kind) SD_BUS_PARAM(credit), m_token, 0),
	    SD_BUS_METHOD_WITH_NAMES("SetTariff", "s", SD_BUS_PARAM(json), "", , m_tariff, 0),
	    SD_BUS_METHOD_WITH_NAMES("SetMode", "s", SD_BUS_PARAM(mode), "", , m_mode, 0),
	    /* the customer's answers: customer_answer_allowed() checks the caller, not sd-bus */
	    SD_BUS_METHOD("TakeEmergencyCredit", "", "", m_take_ec, SD_BUS_VTABLE_UNPRIVILEGED),
	    SD_BUS_METHOD("Disconnect", "", "", m_disconnect, 0),
	    SD_BUS_METHOD("Reconnect", "", "", m_reconnect, 0),
	    SD_BUS_METHOD("ArmReconnect", "", "", m_arm, 0),
	    SD_BUS_METHOD("ConfirmReconnect", "", "", m_confirm, SD_BUS_VTABLE_UNPRIVILEGED),
	    SD_BUS_METHOD_WITH_NAMES("ChangeOfTenancy", "a{sv}", SD_BUS_PARAM(options), "", ,
				     m_tenancy, 0),
	    SD_BUS_METHOD_WITH_NAMES("AdjustBalance", "x", SD_BUS_PARAM(delta), "", , m_adjust, 0),
	    SD_BUS_METHOD_WITH_NAMES("SetDebt", "xx",
				     SD_BUS_PARAM(time_debt) SD_BUS_PARAM(payment_debt), "", ,
				     m_debt, 0),
	    SD_BUS_METHOD_WITH_NAMES("Configure", "a{sv}", SD_BUS_PARAM(options), "", , m_configure,
				     0),
	    SD_BUS_METHOD_WITH_NAMES("PostWalletCost", "sxb",
				     SD_BUS_PARAM(date) SD_BUS_PARAM(cost) SD_BUS_PARAM(final), "",
				     , m_wallet, 0),
	    SD_BUS_METHOD_WITH_NAMES("SetFutureTariff", "ss", SD_BUS_PARAM(json) SD_BUS_PARAM(date),
				     "", , m_future_tariff, 0),
	    SD_BUS_METHOD("CancelFutureTariff", "", "", m_cancel_future, 0),
	    SD_BUS_METHOD_WITH_NAMES("ConvertCurrency", "ss",
				     SD_BUS_PARAM(date) SD_BUS_PARAM(factor), "", , m_convert, 0),
	};
	size_t nm = sizeof(methods) / sizeof(methods[0]), n = 0;

	/* the properties: every quantity of the object model bound to this interface */
	for (size_t q = 0; q < pm_quantity_count; q++)
		if (pm_quantities[q].dbus.iface &&
		    !strcmp(pm_quantities[q].dbus.iface, PM_BUS_IFACE_ACCOUNT))
			a->n_props++;
	a->prop_quantity = calloc(a->n_props + 1, sizeof(*a->prop_quantity));
	a->sent = calloc(a->n_props + 1, sizeof(*a->sent));
	a->vtable = calloc(a->n_props + nm + 3, sizeof(*a->vtable));
	a->admin_handlers = calloc(a->n_props + nm + 3, sizeof(*a->admin_handlers));
	if (!a->prop_quantity || !a->sent || !a->vtable || !a->admin_handlers)
		return -ENOMEM;
	a->vtable[n++] = (sd_bus_vtable)SD_BUS_VTABLE_START(0);
	for (size_t q = 0, i = 0; q < pm_quantity_count; q++) {
		const struct pm_dbus_binding *b = &pm_quantities[q].dbus;

		if (!b->iface || strcmp(b->iface, PM_BUS_IFACE_ACCOUNT))
			continue;
		a->prop_quantity[i++] = (uint16_t)q;
		a->vtable[n++] = (sd_bus_vtable)SD_BUS_PROPERTY(
		    b->name, b->sig, get_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE);
	}
	a->vtable[n++] = (sd_bus_vtable)SD_BUS_PROPERTY("Configuration", "a{sv}", get_config, 0,
							SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE);
	for (size_t i = 0; i < nm; i++) {
		a->vtable[n] = methods[i];
		/*
		 * Admin only, unless named here: the customer's answers check their callers in
		 * customer_answer_allowed(). A method added to the table is admin only.
		 */
		if (methods[i].x.method.handler != m_take_ec &&
		    methods[i].x.method.handler != m_confirm) {
			a->admin_handlers[n] = methods[i].x.method.handler;
			a->vtable[n].x.method.handler = admin_call;
			a->vtable[n].flags |= SD_BUS_VTABLE_UNPRIVILEGED;
		}
		n++;
	}
	a->vtable[n++] = (sd_bus_vtable)SD_BUS_VTABLE_END;
	return 0;
}

struct pm_bus_account *pm_bus_account_free(struct pm_bus_account *a)
{
	if (!a)
		return NULL;
	sd_event_source_disable_unref(a->timer);
	sd_bus_slot_unref(a->slot);
	sd_event_unref(a->event);
	free(a->vtable);
	free(a->admin_handlers);
	free(a->prop_quantity);
	free(a->sent);
	free(a->meter);
	free(a->path);
	free(a);
	return NULL;
}

int pm_bus_account_add(struct pm_bus *bus, sd_event *event, uint64_t min_interval_us,
		       const char *meter, struct pm_billing *billing, pm_bus_account_clock_fn clock,
		       void *clock_userdata, struct pm_bus_account **out)
{
	struct pm_bus_account *a = calloc(1, sizeof(*a));
	int r;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	a->bus = pm_bus_sd_bus(bus);
	a->event = sd_event_ref(event);
	a->min_interval_us = min_interval_us;
	a->billing = billing;
	a->clock = clock;
	a->clock_userdata = clock_userdata;
	a->meter = strdup(meter);
	if (!a->meter || asprintf(&a->path, "%s/%s", PM_BUS_ROOT, meter) < 0) {
		a->path = NULL;
		pm_bus_account_free(a);
		return -ENOMEM;
	}
	r = build_vtable(a);
	if (r >= 0)
		r = sd_bus_add_object_vtable(a->bus, &a->slot, a->path, PM_BUS_IFACE_ACCOUNT,
					     a->vtable, a);
	if (r < 0) {
		pm_bus_account_free(a);
		return r;
	}
	(void)sd_bus_emit_interfaces_added(a->bus, a->path, PM_BUS_IFACE_ACCOUNT, NULL);
	*out = a;
	return 0;
}
