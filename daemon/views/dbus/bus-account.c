// SPDX-License-Identifier: GPL-2.0-only
/* org.polymeter.Account1 on each meter object (see bus-account.h): its methods, its
 * Configuration and the object; the properties are in bus-account-props.c. */
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views/dbus/bus-account-internal.h"
#include "views/dbus/bus-caller.h"

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
	case PM_BILLING_ERR_TOKEN_UTILITY:
		return PM_BUS_ACCOUNT_ERROR "TokenWrongUtility";
	case PM_BILLING_ERR_TOKEN_UNIT:
		return PM_BUS_ACCOUNT_ERROR "TokenWrongUnit";
	case PM_BILLING_ERR_TOKEN_LOCKED:
		return PM_BUS_ACCOUNT_ERROR "TokenEntryLocked";
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
	(void)pm_bus_account_emit_changes(a);
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
	r = pm_billing_topup(a->billing, pm_bus_account_now(a), amount, ref, ACCOUNT_PAYMENT_LOCAL,
			     &e);
	return done(msg, a, r, &e, error);
}

static int customer_answer_allowed(sd_bus_message *msg, const char *method, bool *at_meter,
				   sd_bus_error *error);

static int m_token(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	struct pm_billing_error e;
	struct sts_result res;
	const char *token;
	bool at_meter = false;
	int64_t credit;
	int r = customer_answer_allowed(msg, "EnterToken", &at_meter, error);

	if (r < 0)
		return r;
	r = sd_bus_message_read(msg, "s", &token);
	if (r < 0)
		return r;
	r = pm_billing_token(a->billing, pm_bus_account_now(a), token, &credit, &res, &e);
	if (r < 0)
		return sd_bus_error_set(error, error_name(e.kind), e.message);
	(void)pm_bus_account_emit_changes(a);
	return sd_bus_reply_method_return(msg, "sx", pm_billing_token_kind(res.action), credit);
}

/* SetDecoderKey: 16 hexadecimal digits; the key is never repeated in a reply or a log. */
static int m_sts_key(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	struct pm_billing_error e;
	const char *text;
	uint64_t dk = 0;
	size_t n;
	int r = sd_bus_message_read(msg, "s", &text);

	if (r < 0)
		return r;
	n = strlen(text);
	for (size_t i = 0; i < n && n == 16; i++) {
		char c = text[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;

		if (d < 0) {
			n = 0;
			break;
		}
		dk = dk << 4 | (uint64_t)d;
	}
	if (n != 16)
		return sd_bus_error_set(error, PM_BUS_ACCOUNT_ERROR "InvalidArgument",
					"key: not 16 hexadecimal digits");
	r = pm_billing_set_sts_key(a->billing, pm_bus_account_now(a), dk, &e);
	explicit_bzero(&dk, sizeof(dk));
	return done(msg, a, r, &e, error);
}

static int m_tariff(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	struct pm_billing_error e;
	const char *json;
	int r = sd_bus_message_read(msg, "s", &json);

	if (r < 0)
		return r;
	r = pm_billing_set_tariff(a->billing, pm_bus_account_now(a), json, &e);
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
	r = pm_billing_set_future_tariff(a->billing, pm_bus_account_now(a), json, date, &e);
	return done(msg, a, r, &e, error);
}

static int m_cancel_future(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	struct pm_billing_error e;
	int r = pm_billing_cancel_future_tariff(a->billing, pm_bus_account_now(a), &e);

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
	r = pm_billing_convert_currency(a->billing, pm_bus_account_now(a), date, factor, NULL, &e);
	return done(msg, a, r, &e, error);
}

/* ConvertCurrencyTo: ConvertCurrency that also changes the currency (§8.11: "Currency to be
 * converted to"); a method of its own, ConvertCurrency's signature stays as it was. */
static int m_convert_to(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	struct pm_billing_error e;
	const char *date, *factor, *currency;
	int r = sd_bus_message_read(msg, "sss", &date, &factor, &currency);

	if (r < 0)
		return r;
	r = pm_billing_convert_currency(a->billing, pm_bus_account_now(a), date, factor, currency,
					&e);
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
	r = pm_billing_set_mode(a->billing, pm_bus_account_now(a), mode, &e);
	return done(msg, a, r, &e, error);
}

enum plain { TAKE_EC, DISCONNECT, RECONNECT, ARM, CONFIRM };

/*
 * TakeEmergencyCredit and ConfirmReconnect are the customer's answers, which somebody must
 * give at the meter (appliances left on, someone working on the installation): root, the
 * admin group and the meter's display group only, checked here as well as by the bus policy.
 * EnterToken too: the display's keypad enters tokens, as the meter's own keys do (§4.2.1).
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
	int64_t now = pm_bus_account_now(a);
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
	r = pm_billing_adjust_balance(a->billing, pm_bus_account_now(a), delta, &e);
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
	r = pm_billing_set_debt(a->billing, pm_bus_account_now(a), time_debt, payment_debt, &e);
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
	r = pm_billing_wallet(a->billing, pm_bus_account_now(a), date, cost, final, &e);
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
	int64_t now = pm_bus_account_now(a);
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

/* @s as a code of the vocabulary @name_of (names until "unknown"), or -EINVAL. */
static int parse_name(const char *s, const char *(*name_of)(int), int *out)
{
	for (int i = 0; strcmp(name_of(i), "unknown"); i++)
		if (!strcmp(s, name_of(i))) {
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

/* The setting a key of Configure names: a row of the object model bound to it. */
static const struct pm_quantity *find_setting(const char *key)
{
	for (size_t i = 0; i < pm_quantity_count; i++) {
		const struct pm_dbus_binding *b = &pm_quantities[i].dbus;

		if (b->iface && !strcmp(b->iface, PM_BUS_IFACE_ACCOUNT) && b->dict &&
		    !strcmp(b->dict, "Configuration") && !strcmp(b->name, key))
			return &pm_quantities[i];
	}
	return NULL;
}

/* The names of @name_of as "a, b or c" (an error message lists what is accepted). */
static const char *vocabulary(const char *(*name_of)(int), char *buf, size_t len)
{
	size_t n = 0;
	int count = 0;

	while (strcmp(name_of(count), "unknown"))
		count++;
	buf[0] = '\0';
	for (int i = 0; i < count && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s",
				      i == 0	       ? ""
				      : i == count - 1 ? " or "
						       : ", ",
				      name_of(i));
	return buf;
}

/*
 * One option of Configure written into @c where the object model's row says (its field of
 * struct account_config), read with the row's D-Bus signature; an enum by its name.
 */
static int write_setting(sd_bus_message *msg, const struct pm_quantity *q, struct account_config *c,
			 sd_bus_error *error)
{
	const char *key = q->dbus.name;
	char *field = (char *)c + q->setting.off;
	union {
		int64_t x;
		uint32_t u;
		uint8_t y;
		int b;
		const char *s;
	} in = {0};
	char words[128];
	int code, r = read_option(msg, key, q->dbus.sig, &in, error);

	if (r < 0)
		return r;
	switch (q->kind) {
	case PM_VALUE_ENUM:
		if (q->setting.size != sizeof(int))
			break;
		if (parse_name(in.s, q->enum_name, &code) < 0)
			return sd_bus_error_setf(error, PM_BUS_ACCOUNT_ERROR "InvalidArgument",
						 "%s: '%s' is not %s", key, in.s,
						 vocabulary(q->enum_name, words, sizeof(words)));
		memcpy(field, &code, sizeof(code));
		return 0;
	case PM_VALUE_BOOL:
		if (q->setting.size != sizeof(bool))
			break;
		*(bool *)field = in.b != 0;
		return 0;
	case PM_VALUE_INT:
		if (q->dbus.sig[0] == 'x' && q->setting.size == sizeof(in.x)) {
			memcpy(field, &in.x, sizeof(in.x));
			return 0;
		}
		if (q->dbus.sig[0] == 'u' && q->setting.size == sizeof(in.u)) {
			memcpy(field, &in.u, sizeof(in.u));
			return 0;
		}
		if (q->dbus.sig[0] == 'y' && q->setting.size == sizeof(in.y)) {
			memcpy(field, &in.y, sizeof(in.y));
			return 0;
		}
		break;
	default:
		break;
	}
	/* a row whose field does not fit its signature: test_model.c rules it out */
	return -EINVAL;
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
		const struct pm_quantity *q;
		const char *key;
		int64_t x;

		r = sd_bus_message_read(msg, "s", &key);
		if (r < 0)
			return r;
		q = find_setting(key);
		if (!q)
			return invalid(error, "%s: unknown option of Configure", key);
		if (q->setting.size) {
			r = write_setting(msg, q, &c, error);
		} else if (!strcmp(key, "emergency_credit")) {
			/* the amount offered, and 0 for none: two fields of the settings */
			r = read_option(msg, key, "x", &x, error);
			c.ec_enabled = x != 0;
			c.ec_value_mu = x;
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
	r = pm_billing_configure(a->billing, pm_bus_account_now(a), &c, &e);
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
				     SD_BUS_PARAM(kind) SD_BUS_PARAM(credit), m_token,
				     SD_BUS_VTABLE_UNPRIVILEGED),
	    SD_BUS_METHOD_WITH_NAMES("SetDecoderKey", "s", SD_BUS_PARAM(key), "", , m_sts_key, 0),
	    SD_BUS_METHOD_WITH_NAMES("GetStsSetup", "", , "a{sv}", SD_BUS_PARAM(setup),
				     pm_bus_account_get_sts_setup, 0),
	    SD_BUS_METHOD_WITH_NAMES("SetStsSetup", "a{sv}", SD_BUS_PARAM(options), "", ,
				     pm_bus_account_set_sts_setup, 0),
	    SD_BUS_METHOD_WITH_NAMES("ImportTidMemory", "au", SD_BUS_PARAM(tids), "", ,
				     pm_bus_account_import_tids, 0),
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
	    SD_BUS_METHOD_WITH_NAMES("ConvertCurrencyTo", "sss",
				     SD_BUS_PARAM(date) SD_BUS_PARAM(factor) SD_BUS_PARAM(currency),
				     "", , m_convert_to, 0),
	};
	size_t nm = sizeof(methods) / sizeof(methods[0]), n = 0;

	/* the properties: every quantity of the object model bound to this interface */
	int r = pm_bus_account_props_init(a);

	if (r < 0)
		return r;
	a->vtable = calloc(a->n_props + nm + 3, sizeof(*a->vtable));
	a->admin_handlers = calloc(a->n_props + nm + 3, sizeof(*a->admin_handlers));
	if (!a->vtable || !a->admin_handlers)
		return -ENOMEM;
	a->vtable[n++] = (sd_bus_vtable)SD_BUS_VTABLE_START(0);
	for (size_t i = 0; i < a->n_props; i++) {
		const struct pm_dbus_binding *b = &pm_quantities[a->prop_quantity[i]].dbus;

		a->vtable[n++] =
		    (sd_bus_vtable)SD_BUS_PROPERTY(b->name, b->sig, pm_bus_account_get_prop, 0,
						   SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE);
	}
	a->vtable[n++] =
	    (sd_bus_vtable)SD_BUS_PROPERTY("Configuration", "a{sv}", pm_bus_account_get_dict, 0,
					   SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE);
	for (size_t i = 0; i < nm; i++) {
		a->vtable[n] = methods[i];
		/*
		 * Admin only, unless named here: the customer's answers and tokens check their
		 * callers in customer_answer_allowed(). A method added to the table is admin only.
		 */
		if (methods[i].x.method.handler != m_take_ec &&
		    methods[i].x.method.handler != m_confirm &&
		    methods[i].x.method.handler != m_token) {
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
