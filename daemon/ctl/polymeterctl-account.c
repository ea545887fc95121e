// SPDX-License-Identifier: GPL-2.0-only
/*
 * polymeterctl's account commands (org.polymeter.Account1, see bus-account.h):
 *
 *   account [METER]                       the account registers
 *   topup AMOUNT [REFERENCE]              AMOUNT in currency units ("10.00"); REFERENCE is the
 *                                         payment's unique id (a replay is refused); without
 *                                         one, a reference is made from the clock
 *   token DIGITS                          an STS token (20 digits)
 *   tariff set FILE.json                  replace the tariff
 *   tariff set FILE.json --from YYYY-MM-DD   a future tariff: replaces the active one at 00:00
 *                                         local on that date
 *   tariff cancel                         drop the pending future tariff
 *   currency convert FACTOR --on YYYY-MM-DD [--to CODE]
 *                                         at 00:00 local on that date, every price and money
 *                                         register x FACTOR (0.25..4, e.g. 0.5), in the ISO 4217
 *                                         currency CODE from then on (§8.11; default: the same)
 *   mode credit|prepayment|payg
 *   supply disconnect|reconnect|arm|confirm
 *   emergency-credit                      take the emergency credit on offer
 *   adjust DELTA                          a balance correction in currency units, signed
 *   debt TIME_DEBT PAYMENT_DEBT           set the debt registers (currency units)
 *   wallet YYYY-MM-DD COST [final]        the second utility's cost of that local day
 *   configure KEY=VALUE...                account settings (Configure): money keys in currency
 *                                         units, e.g. emergency_credit=5.00 load_limit_w=7200
 *   tenancy [OPTION...]                   change of tenancy now (or at=UTC-SECONDS):
 *       balance=X reset-balance time-debt=X payment-debt=X reset-debt clear-payments
 *       zero-standing-charge clear-future-tariffs contactor=unchanged|open|close|arm
 *
 * polymeterctl.c chooses the meter (--meter NAME, or the only one). Every command that changes
 * the account prints what changed (the account before and after, property by property); the
 * destructive ones (tenancy, supply disconnect) ask first on a terminal, or need --yes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-bus.h>

#include "views/dbus/bus-account.h"
#include "core/billing/money.h"
#include "ctl/polymeterctl-account.h"
#include "ctl/polymeterctl-internal.h"

static int usage_error(const char *what)
{
	fprintf(stderr, "polymeterctl: %s (see polymeterctl --help)\n", what);
	return 2;
}

static int call_failed(const char *meter, sd_bus_error *error, int r)
{
	const char *name = error->name ? error->name : "";

	if (ctl_explain_bus_error(error, r))
		;
	else if (!strncmp(name, PM_BUS_ACCOUNT_ERROR, strlen(PM_BUS_ACCOUNT_ERROR)))
		fprintf(stderr, "polymeterctl: meter %s: %s (%s)\n", meter, error->message,
			name + strlen(PM_BUS_ACCOUNT_ERROR));
	else if (!strcmp(name, SD_BUS_ERROR_UNKNOWN_OBJECT))
		fprintf(stderr, "polymeterctl: no meter %s (polymeterctl list)\n", meter);
	else if (!strcmp(name, SD_BUS_ERROR_UNKNOWN_INTERFACE) ||
		 !strcmp(name, SD_BUS_ERROR_UNKNOWN_METHOD))
		fprintf(stderr,
			"polymeterctl: meter %s: this daemon has no account interface (%s)\n",
			meter, name);
	else
		fprintf(stderr, "polymeterctl: meter %s: %s\n", meter,
			error->message ? error->message : strerror(-r));
	sd_bus_error_free(error);
	return 1;
}

static int simple_call(sd_bus *bus, const char *path, const char *meter, const char *method,
		       const char *types, ...)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *msg = NULL, *reply = NULL;
	va_list ap;
	int r;

	r = sd_bus_message_new_method_call(bus, &msg, PM_BUS_NAME, path, PM_BUS_IFACE_ACCOUNT,
					   method);
	if (r >= 0 && types[0]) {
		va_start(ap, types);
		r = sd_bus_message_appendv(msg, types, ap);
		va_end(ap);
	}
	if (r >= 0)
		r = sd_bus_call(bus, msg, 0, &error, &reply);
	sd_bus_message_unref(msg);
	if (r < 0)
		return call_failed(meter, &error, r);
	if (!strcmp(method, "EnterToken")) {
		const char *kind;
		int64_t credit;
		char m[40];

		if (sd_bus_message_read(reply, "sx", &kind, &credit) >= 0)
			printf("token accepted: %s%s%s\n", kind, credit ? ", credit " : "",
			       credit ? pm_money_format(credit, m, sizeof(m)) : "");
	}
	sd_bus_message_unref(reply);
	return 0;
}

/* Configuration's a{sv} as text, money in currency units: what `configure` changed. */
static int read_config(sd_bus_message *reply, struct account_props *p)
{
	const char *key, *contents;
	char type;
	int r;

	r = sd_bus_message_enter_container(reply, 'a', "{sv}");
	while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
		char *v = p->n_cfg < PM_CTL_MAX_CFG ? p->cfg[p->n_cfg][1] : NULL;
		size_t vlen = sizeof(p->cfg[0][1]);
		bool kept = true;

		r = sd_bus_message_read(reply, "s", &key);
		if (r >= 0)
			r = sd_bus_message_peek_type(reply, &type, &contents);
		if (r >= 0)
			r = sd_bus_message_enter_container(reply, 'v', contents);
		if (r < 0)
			break;
		if (!v) {
			r = sd_bus_message_skip(reply, contents);
			kept = false;
		} else if (!strcmp(contents, "x")) {
			int64_t x;

			r = sd_bus_message_read(reply, "x", &x);
			pm_money_format(x, v, vlen);
		} else if (!strcmp(contents, "u")) {
			uint32_t u;

			r = sd_bus_message_read(reply, "u", &u);
			snprintf(v, vlen, "%" PRIu32, u);
		} else if (!strcmp(contents, "y")) {
			uint8_t y;

			r = sd_bus_message_read(reply, "y", &y);
			snprintf(v, vlen, "%u", y);
		} else if (!strcmp(contents, "b")) {
			int b;

			r = sd_bus_message_read(reply, "b", &b);
			snprintf(v, vlen, "%s", b ? "yes" : "no");
		} else if (!strcmp(contents, "s")) {
			const char *t;

			r = sd_bus_message_read(reply, "s", &t);
			snprintf(v, vlen, "%s", t);
		} else {
			r = sd_bus_message_skip(reply, contents);
			kept = false;
		}
		if (r >= 0 && kept)
			snprintf(p->cfg[p->n_cfg++][0], sizeof(p->cfg[0][0]), "%s", key);
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(reply);
	return r;
}

static int read_account(sd_bus *bus, const char *path, const char *meter, struct account_props *p,
			bool quiet)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *name, *contents;
	int r;

	memset(p, 0, sizeof(*p));
	r = sd_bus_call_method(bus, PM_BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll",
			       &error, &reply, "s", PM_BUS_IFACE_ACCOUNT);
	if (r < 0 && quiet)
		sd_bus_error_free(&error);
	if (r < 0)
		return quiet ? r : -call_failed(meter, &error, r);
	r = sd_bus_message_enter_container(reply, 'a', "{sv}");
	while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
		static const struct {
			const char *name;
			size_t off;
		} xs[] = {
#define X(n, f) {n, offsetof(struct account_props, f)}
		    X("Balance", balance),	     X("AvailableCredit", available),
		    X("TotalCredit", total),	     X("EmergencyCreditRemaining", ec_remaining),
		    X("DebtToClear", debt_to_clear), X("TimeDebt", time_debt),
		    X("PaymentDebt", payment_debt),  X("CostLastHour", cost_hour),
		    X("CostToday", cost_today),	     X("Price", price),
#undef X
		};
		char type;
		const char *s;
		int b;

		r = sd_bus_message_read(reply, "s", &name);
		if (r >= 0)
			r = sd_bus_message_peek_type(reply, &type, &contents);
		if (r < 0)
			break;
		r = sd_bus_message_enter_container(reply, 'v', contents);
		if (r < 0)
			break;
		if (!strcmp(contents, "x")) {
			size_t i = 0;

			while (i < sizeof(xs) / sizeof(xs[0]) && strcmp(name, xs[i].name))
				i++;
			/* a property this polymeterctl does not show (ChargesThisPeriod, or a
			 * newer daemon's) is skipped: left unread, the container would not close */
			if (i < sizeof(xs) / sizeof(xs[0]))
				r = sd_bus_message_read(reply, "x",
							(int64_t *)((char *)p + xs[i].off));
			else
				r = sd_bus_message_skip(reply, contents);
		} else if (!strcmp(contents, "b")) {
			r = sd_bus_message_read(reply, "b", &b);
			if (!strcmp(name, "Running"))
				p->running = b;
			else if (!strcmp(name, "SupplyClosed"))
				p->supply_closed = b;
			else if (!strcmp(name, "AuxRelayClosed"))
				p->aux = b;
			else if (!strcmp(name, "HasTariff"))
				p->has_tariff = b;
		} else if (!strcmp(contents, "s")) {
			r = sd_bus_message_read(reply, "s", &s);
			if (!strcmp(name, "Mode"))
				snprintf(p->mode, sizeof(p->mode), "%s", s);
			else if (!strcmp(name, "EmergencyCredit"))
				snprintf(p->ec, sizeof(p->ec), "%s", s);
			else if (!strcmp(name, "SupplyState"))
				snprintf(p->state, sizeof(p->state), "%s", s);
			else if (!strcmp(name, "SupplyReason"))
				snprintf(p->reason, sizeof(p->reason), "%s", s);
			else if (!strcmp(name, "TariffName"))
				snprintf(p->tariff, sizeof(p->tariff), "%s", s);
			else if (!strcmp(name, "Currency"))
				snprintf(p->currency, sizeof(p->currency), "%s", s);
			else if (!strcmp(name, "RateName"))
				snprintf(p->rate_name, sizeof(p->rate_name), "%s", s);
			else if (!strcmp(name, "FutureTariffName"))
				snprintf(p->future_tariff, sizeof(p->future_tariff), "%s", s);
			else if (!strcmp(name, "FutureTariffDate"))
				snprintf(p->future_date, sizeof(p->future_date), "%s", s);
			else if (!strcmp(name, "CurrencyConversionDate"))
				snprintf(p->conversion_date, sizeof(p->conversion_date), "%s", s);
			else if (!strcmp(name, "CurrencyConversionFactor"))
				snprintf(p->conversion_factor, sizeof(p->conversion_factor), "%s",
					 s);
			else if (!strcmp(name, "CurrencyConversionCurrency"))
				snprintf(p->conversion_currency, sizeof(p->conversion_currency),
					 "%s", s);
		} else if (!strcmp(contents, "a{sv}") && !strcmp(name, "Configuration")) {
			r = read_config(reply, p);
		} else if (!strcmp(contents, "u") && !strcmp(name, "PaymentCount")) {
			r = sd_bus_message_read(reply, "u", &p->payments);
		} else if (!strcmp(contents, "y") && !strcmp(name, "Rate")) {
			r = sd_bus_message_read(reply, "y", &p->rate);
		} else if (!strcmp(contents, "y") && !strcmp(name, "Block")) {
			r = sd_bus_message_read(reply, "y", &p->block);
		} else {
			r = sd_bus_message_skip(reply, contents);
		}
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
	}
	sd_bus_message_unref(reply);
	if (*p->currency)
		snprintf(p->unit, sizeof(p->unit), " %s", p->currency);
	return r < 0 ? r : 0;
}

const char *ctl_rate_name(const struct account_props *p, char *buf, size_t len)
{
	if (*p->rate_name)
		snprintf(buf, len, " (%s)", p->rate_name);
	else if (len)
		*buf = '\0';
	return buf;
}

static void json_str(const char *key, const char *v, bool comma)
{
	printf("\"%s\":\"", key);
	for (; *v; v++)
		if (*v == '"' || *v == '\\')
			printf("\\%c", *v);
		else if ((unsigned char)*v < 0x20)
			printf("\\u%04x", *v);
		else
			putchar(*v);
	printf("\"%s", comma ? "," : "");
}

/* A pending change's field: its string while it is pending, else null. */
static void json_pending(const char *key, const char *v, bool pending, bool comma)
{
	if (pending)
		json_str(key, v, comma);
	else
		printf("\"%s\":null%s", key, comma ? "," : "");
}

static void print_account(const char *meter, const struct account_props *p, bool json)
{
	const char *c = p->unit;
	char m[10][40], rn[80];

	pm_money_format(p->balance, m[0], sizeof(m[0]));
	pm_money_format(p->available, m[1], sizeof(m[1]));
	pm_money_format(p->total, m[2], sizeof(m[2]));
	pm_money_format(p->ec_remaining, m[3], sizeof(m[3]));
	pm_money_format(p->debt_to_clear, m[4], sizeof(m[4]));
	pm_money_format(p->time_debt, m[5], sizeof(m[5]));
	pm_money_format(p->payment_debt, m[6], sizeof(m[6]));
	pm_money_format(p->cost_hour, m[7], sizeof(m[7]));
	pm_money_format(p->cost_today, m[8], sizeof(m[8]));
	pm_money_format(p->price, m[9], sizeof(m[9]));
	if (json) {
		printf("{");
		json_str("meter", meter, true);
		json_str("mode", p->mode, true);
		json_str("supply", p->state, true);
		json_str("supply_reason", p->reason, true);
		json_str("balance", m[0], true);
		json_str("available_credit", m[1], true);
		json_str("total_credit", m[2], true);
		printf("\"payment_count\":%" PRIu32 ",", p->payments);
		json_str("emergency_credit", p->ec, true);
		json_str("emergency_credit_remaining", m[3], true);
		json_str("debt_to_clear", m[4], true);
		json_str("time_debt", m[5], true);
		json_str("payment_debt", m[6], true);
		json_str("cost_last_hour", m[7], true);
		json_str("cost_today", m[8], true);
		json_str("tariff", p->tariff, true);
		json_str("currency", p->currency, true);
		printf("\"rate\":%u,", p->rate + 1u);
		json_str("rate_name", p->rate_name, true);
		printf("\"block\":%u,", p->block + 1u);
		json_str("price_per_kwh", m[9], true);
		printf("\"aux_relay_closed\":%s,\"balance_mu\":%" PRId64 ",",
		       p->aux ? "true" : "false", p->balance);
		json_pending("future_tariff", p->future_tariff, *p->future_date, true);
		json_pending("future_tariff_date", p->future_date, *p->future_date, true);
		json_pending("currency_conversion_date", p->conversion_date, *p->conversion_date,
			     true);
		json_pending("currency_conversion_factor", p->conversion_factor,
			     *p->conversion_date, true);
		json_pending("currency_conversion_currency", p->conversion_currency,
			     *p->conversion_date, false);
		printf("}\n");
		return;
	}
	printf("meter %s: %s account%s, supply %s (%s)\n", meter, p->mode,
	       p->running ? "" : " (NOT RUNNING: stored account unreadable)", p->state, p->reason);
	/* every amount with its currency: the tariff's, which the balance is kept in */
	printf("balance          %s%s (available %s%s)\n", m[0], c, m[1], c);
	printf("total credit     %s%s in %" PRIu32 " payments\n", m[2], c, p->payments);
	printf("emergency credit %s, remaining %s%s, debt to clear %s%s\n", p->ec, m[3], c, m[4],
	       c);
	printf("debt             time-based %s%s, payment-based %s%s\n", m[5], c, m[6], c);
	printf("cost             last hour %s%s, today %s%s\n", m[7], c, m[8], c);
	if (p->has_tariff)
		printf("tariff           %s: rate %u%s, block %u, %s%s per kWh; aux relay %s\n",
		       p->tariff, p->rate + 1u, ctl_rate_name(p, rn, sizeof(rn)), p->block + 1u,
		       m[9], c, p->aux ? "closed" : "open");
	else
		printf("tariff           none\n");
	/* the daemon publishes a pending change's date (and the rest) only while it is pending */
	if (*p->future_date)
		printf("future tariff    %s from %s 00:00 local\n",
		       *p->future_tariff ? p->future_tariff : "(no name)", p->future_date);
	/* §8.11: the currency it changes to, when it changes */
	if (*p->conversion_date)
		printf(
		    "currency         every price and money register x %s at %s 00:00 local%s%s\n",
		    p->conversion_factor, p->conversion_date,
		    strcmp(p->conversion_currency, p->currency) ? ", into " : "",
		    strcmp(p->conversion_currency, p->currency) ? p->conversion_currency : "");
}

static int money_arg(const char *what, const char *s, int64_t *mu)
{
	if (pm_money_parse(s, mu) < 0) {
		fprintf(stderr, "polymeterctl: %s: not an amount of money: %s\n", what, s);
		return -EINVAL;
	}
	return 0;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, n;

	if (!f) {
		fprintf(stderr, "polymeterctl: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		char *nb = realloc(buf, len + 65536 + 1);

		if (!nb) {
			free(buf);
			fclose(f);
			return NULL;
		}
		buf = nb;
		n = fread(buf + len, 1, 65536, f);
		len += n;
		if (n < 65536)
			break;
	}
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static int tenancy(sd_bus *bus, const char *path, const char *meter, int argc, char **argv,
		   bool yes)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *msg = NULL;
	int r;

	r = sd_bus_message_new_method_call(bus, &msg, PM_BUS_NAME, path, PM_BUS_IFACE_ACCOUNT,
					   "ChangeOfTenancy");
	if (r >= 0)
		r = sd_bus_message_open_container(msg, 'a', "{sv}");
	for (int i = 1; r >= 0 && i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');
		int64_t x;

		if (!strcmp(a, "reset-balance") || !strcmp(a, "reset-debt") ||
		    !strcmp(a, "clear-payments") || !strcmp(a, "zero-standing-charge") ||
		    !strcmp(a, "clear-future-tariffs")) {
			char key[32];

			snprintf(key, sizeof(key), "%s", a);
			for (char *c = key; *c; c++)
				if (*c == '-')
					*c = '_';
			if (!strcmp(key, "clear_payments"))
				snprintf(key, sizeof(key), "clear_payments");
			r = sd_bus_message_append(msg, "{sv}", key, "b", 1);
		} else if (eq && !strncmp(a, "contactor=", 10)) {
			r = sd_bus_message_append(msg, "{sv}", "contactor", "s", eq + 1);
		} else if (eq && !strncmp(a, "at=", 3)) {
			char *end;

			errno = 0;
			x = strtoll(eq + 1, &end, 10);
			if (errno || *end || end == eq + 1) {
				sd_bus_message_unref(msg);
				return usage_error("tenancy: at= takes UTC seconds");
			}
			r = sd_bus_message_append(msg, "{sv}", "effective_utc", "x", x);
		} else if (eq && (!strncmp(a, "balance=", 8) || !strncmp(a, "time-debt=", 10) ||
				  !strncmp(a, "payment-debt=", 13))) {
			if (money_arg(a, eq + 1, &x) < 0) {
				sd_bus_message_unref(msg);
				return 2;
			}
			r = sd_bus_message_append(msg, "{sv}",
						  a[0] == 'b'	? "balance"
						  : a[0] == 't' ? "time_debt"
								: "payment_debt",
						  "x", x);
		} else {
			sd_bus_message_unref(msg);
			fprintf(stderr, "polymeterctl: tenancy: unknown option %s\n", a);
			return 2;
		}
	}
	if (r >= 0)
		r = sd_bus_message_close_container(msg);
	if (r >= 0 &&
	    !ctl_confirm(yes, "A change of tenancy ends the present customer's account")) {
		sd_bus_message_unref(msg);
		return 1;
	}
	if (r >= 0)
		r = sd_bus_call(bus, msg, 0, &error, NULL);
	sd_bus_message_unref(msg);
	return r < 0 ? call_failed(meter, &error, r) : 0;
}

/* configure KEY=VALUE...: money keys in currency units, the others as Configure takes them. */
static int configure(sd_bus *bus, const char *path, const char *meter, int argc, char **argv)
{
	static const char *const money_keys[] = {"payg_debt_limit",
						 "max_balance",
						 "low_credit",
						 "emergency_credit",
						 "emergency_credit_threshold",
						 "debt_weekly_rate"};
	static const char *const u32_keys[] = {"load_limit_w", "load_limit_peak_w",
					       "load_limit_period_s"};
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *msg = NULL;
	int r;

	if (argc < 2)
		return usage_error("configure KEY=VALUE...");
	r = sd_bus_message_new_method_call(bus, &msg, PM_BUS_NAME, path, PM_BUS_IFACE_ACCOUNT,
					   "Configure");
	if (r >= 0)
		r = sd_bus_message_open_container(msg, 'a', "{sv}");
	for (int i = 1; r >= 0 && i < argc; i++) {
		char key[64];
		const char *eq = strchr(argv[i], '='), *v;
		bool done = false;
		int64_t x;
		char *end;

		if (!eq || (size_t)(eq - argv[i]) >= sizeof(key)) {
			sd_bus_message_unref(msg);
			return usage_error("configure KEY=VALUE...");
		}
		memcpy(key, argv[i], (size_t)(eq - argv[i]));
		key[eq - argv[i]] = '\0';
		v = eq + 1;
		for (size_t k = 0; !done && k < sizeof(money_keys) / sizeof(money_keys[0]); k++)
			if (!strcmp(key, money_keys[k])) {
				if (money_arg(key, v, &x) < 0) {
					sd_bus_message_unref(msg);
					return 2;
				}
				r = sd_bus_message_append(msg, "{sv}", key, "x", x);
				done = true;
			}
		for (size_t k = 0; !done && k < sizeof(u32_keys) / sizeof(u32_keys[0]); k++)
			if (!strcmp(key, u32_keys[k])) {
				errno = 0;
				x = strtoll(v, &end, 10);
				if (errno || *end || end == v || x < 0 || x > UINT32_MAX) {
					sd_bus_message_unref(msg);
					return usage_error("a whole number expected");
				}
				r = sd_bus_message_append(msg, "{sv}", key, "u", (uint32_t)x);
				done = true;
			}
		if (done)
			continue;
		if (!strcmp(key, "payment_debt_percent")) {
			errno = 0;
			x = strtoll(v, &end, 10);
			if (errno || *end || end == v || x < 0 || x > 255) {
				sd_bus_message_unref(msg);
				return usage_error("payment_debt_percent: 0..100");
			}
			r = sd_bus_message_append(msg, "{sv}", key, "y", (uint8_t)x);
		} else if (!strcmp(key, "reconnect_needs_confirmation") ||
			   !strcmp(key, "friendly_special_days")) {
			if (strcmp(v, "yes") && strcmp(v, "no")) {
				sd_bus_message_unref(msg);
				return usage_error("yes or no expected");
			}
			r = sd_bus_message_append(msg, "{sv}", key, "b", !strcmp(v, "yes"));
		} else {
			/* debt_collection, debt_in_emergency_credit; the daemon checks the rest */
			r = sd_bus_message_append(msg, "{sv}", key, "s", v);
		}
	}
	if (r >= 0)
		r = sd_bus_message_close_container(msg);
	if (r >= 0)
		r = sd_bus_call(bus, msg, 0, &error, NULL);
	sd_bus_message_unref(msg);
	return r < 0 ? call_failed(meter, &error, r) : 0;
}

/* One account value as text, with the currency where it is money; "" when it is not shown. */
struct field {
	const char *label;
	char v[160];
};

static size_t fields(const struct account_props *p, struct field *f)
{
	const char *cur = p->unit;
	size_t n = 0;
	char m[40];

#define MONEY(l, x)                                                                                \
	do {                                                                                       \
		f[n].label = l;                                                                    \
		snprintf(f[n++].v, sizeof(f[0].v), "%s%s", pm_money_format(x, m, sizeof(m)), cur); \
	} while (0)
#define TEXT(l, ...)                                                                               \
	do {                                                                                       \
		f[n].label = l;                                                                    \
		snprintf(f[n++].v, sizeof(f[0].v), __VA_ARGS__);                                   \
	} while (0)
	TEXT("mode", "%s", p->mode);
	TEXT("supply", "%s (%s)", p->state, p->reason);
	MONEY("balance", p->balance);
	MONEY("total credit", p->total);
	TEXT("payments", "%" PRIu32, p->payments);
	TEXT("emergency credit", "%s", p->ec);
	MONEY("emergency credit left", p->ec_remaining);
	MONEY("debt to clear", p->debt_to_clear);
	MONEY("time debt", p->time_debt);
	MONEY("payment debt", p->payment_debt);
	TEXT("tariff", "%s", p->has_tariff ? p->tariff : "none");
	MONEY("price per kWh", p->price);
	TEXT("currency", "%s", p->currency);
	TEXT("future tariff", "%s", *p->future_date ? p->future_tariff : "none");
	TEXT("future tariff from", "%s", *p->future_date ? p->future_date : "-");
	TEXT("currency conversion", "%s%s%s%s%s",
	     *p->conversion_date ? p->conversion_factor : "none", *p->conversion_date ? " at " : "",
	     p->conversion_date, *p->conversion_date ? " into " : "",
	     *p->conversion_date ? p->conversion_currency : "");
#undef MONEY
#undef TEXT
	for (size_t i = 0; i < p->n_cfg; i++) {
		f[n].label = p->cfg[i][0];
		snprintf(f[n++].v, sizeof(f[0].v), "%s", p->cfg[i][1]);
	}
	return n;
}

/* What a command changed: every field that differs between @before and @after. */
static void print_changes(const char *meter, const char *what, const struct account_props *before,
			  const struct account_props *after, bool json)
{
	struct field fb[16 + PM_CTL_MAX_CFG], fa[16 + PM_CTL_MAX_CFG];
	size_t nb = fields(before, fb), na = fields(after, fa), shown = 0;

	if (json) {
		printf("{\"meter\":");
		ctl_json_string(meter);
		printf(",\"done\":");
		ctl_json_string(what);
		printf(",\"changed\":{");
	} else {
		printf("meter %s: %s\n", meter, what);
	}
	for (size_t i = 0; i < na; i++) {
		const char *old = "-";

		for (size_t k = 0; k < nb; k++)
			if (!strcmp(fb[k].label, fa[i].label))
				old = fb[k].v;
		if (!strcmp(old, fa[i].v))
			continue;
		if (json) {
			printf("%s", shown ? "," : "");
			ctl_json_string(fa[i].label);
			printf(":[");
			ctl_json_string(old);
			putchar(',');
			ctl_json_string(fa[i].v);
			putchar(']');
		} else {
			printf("  %-22s %s -> %s\n", fa[i].label, old, fa[i].v);
		}
		shown++;
	}
	if (json)
		printf("}}\n");
	else if (!shown)
		printf("  nothing changed (it was so already)\n");
}

/* The account command's call; 0, or the exit status of a failure (printed). */
static int call(sd_bus *bus, const char *path, const char *meter, const struct ctl_opts *o,
		const char *cur, char *what, size_t what_len)
{
	int argc = o->n_args;
	char *const *argv = o->args;
	const char *cmd = argv[0];
	int64_t a, b;
	char m[40];

	if (!strcmp(cmd, "topup")) {
		char ref[64];

		if (argc < 2 || argc > 3)
			return usage_error("topup AMOUNT [REFERENCE]");
		if (money_arg("topup", argv[1], &a) < 0)
			return 2;
		if (argc == 3) {
			snprintf(ref, sizeof(ref), "%s", argv[2]);
		} else {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			snprintf(ref, sizeof(ref), "ctl-%lld%09ld", (long long)ts.tv_sec,
				 ts.tv_nsec);
		}
		snprintf(what, what_len, "topped up %s%s (reference %s)",
			 pm_money_format(a, m, sizeof(m)), cur, ref);
		return simple_call(bus, path, meter, "TopUp", "xs", a, ref);
	}
	if (!strcmp(cmd, "token")) {
		snprintf(what, what_len, "token entered");
		return argc != 2 ? usage_error("token DIGITS")
				 : simple_call(bus, path, meter, "EnterToken", "s", argv[1]);
	}
	if (!strcmp(cmd, "tariff")) {
		char *text;
		int r;

		if (argc == 2 && !strcmp(argv[1], "cancel")) {
			snprintf(what, what_len, "future tariff cancelled");
			return simple_call(bus, path, meter, "CancelFutureTariff", "");
		}
		if (argc != 3 || strcmp(argv[1], "set"))
			return usage_error(
			    "tariff set FILE.json [--from YYYY-MM-DD] | tariff cancel");
		text = read_file(argv[2]);
		if (!text)
			return 1;
		if (o->from) {
			snprintf(what, what_len, "tariff %s set from %s", argv[2], o->from);
			r = simple_call(bus, path, meter, "SetFutureTariff", "ss", text, o->from);
		} else {
			snprintf(what, what_len, "tariff %s set", argv[2]);
			r = simple_call(bus, path, meter, "SetTariff", "s", text);
		}
		free(text);
		return r;
	}
	if (!strcmp(cmd, "currency")) {
		if (argc != 3 || strcmp(argv[1], "convert") || !o->on)
			return usage_error("currency convert FACTOR --on YYYY-MM-DD [--to CODE]");
		snprintf(what, what_len, "currency conversion x %s%s%s on %s scheduled", argv[2],
			 o->to ? " to " : "", o->to ? o->to : "", o->on);
		/* §8.11: the request names the currency converted to; without --to it stays */
		if (o->to)
			return simple_call(bus, path, meter, "ConvertCurrencyTo", "sss", o->on,
					   argv[2], o->to);
		return simple_call(bus, path, meter, "ConvertCurrency", "ss", o->on, argv[2]);
	}
	if (!strcmp(cmd, "mode")) {
		snprintf(what, what_len, "mode set");
		return argc != 2 ? usage_error("mode credit|prepayment|payg")
				 : simple_call(bus, path, meter, "SetMode", "s", argv[1]);
	}
	if (!strcmp(cmd, "supply")) {
		static const char *const sub[][2] = {{"disconnect", "Disconnect"},
						     {"reconnect", "Reconnect"},
						     {"arm", "ArmReconnect"},
						     {"confirm", "ConfirmReconnect"}};

		for (size_t i = 0; argc == 2 && i < 4; i++)
			if (!strcmp(argv[1], sub[i][0])) {
				snprintf(what, what_len, "supply %s done", sub[i][0]);
				if (i == 0 && !ctl_confirm(o->yes, "Disconnect the supply"))
					return 1;
				return simple_call(bus, path, meter, sub[i][1], "");
			}
		return usage_error("supply disconnect|reconnect|arm|confirm");
	}
	if (!strcmp(cmd, "emergency-credit")) {
		snprintf(what, what_len, "emergency credit taken");
		return argc != 1 ? usage_error("emergency-credit takes no argument")
				 : simple_call(bus, path, meter, "TakeEmergencyCredit", "");
	}
	if (!strcmp(cmd, "adjust")) {
		if (argc != 2)
			return usage_error("adjust DELTA");
		if (money_arg("adjust", argv[1], &a) < 0)
			return 2;
		snprintf(what, what_len, "balance adjusted by %s%s",
			 pm_money_format(a, m, sizeof(m)), cur);
		return simple_call(bus, path, meter, "AdjustBalance", "x", a);
	}
	if (!strcmp(cmd, "debt")) {
		if (argc != 3)
			return usage_error("debt TIME_DEBT PAYMENT_DEBT");
		if (money_arg("debt", argv[1], &a) < 0 || money_arg("debt", argv[2], &b) < 0)
			return 2;
		snprintf(what, what_len, "debt set");
		return simple_call(bus, path, meter, "SetDebt", "xx", a, b);
	}
	if (!strcmp(cmd, "wallet")) {
		if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "final")))
			return usage_error("wallet YYYY-MM-DD COST [final]");
		if (money_arg("wallet", argv[2], &a) < 0)
			return 2;
		snprintf(what, what_len, "wallet cost %s%s of %s posted%s",
			 pm_money_format(a, m, sizeof(m)), cur, argv[1],
			 argc == 4 ? " (final)" : "");
		return simple_call(bus, path, meter, "PostWalletCost", "sxb", argv[1], a,
				   argc == 4);
	}
	if (!strcmp(cmd, "configure")) {
		snprintf(what, what_len, "configured");
		return configure(bus, path, meter, argc, (char **)argv);
	}
	snprintf(what, what_len, "change of tenancy done");
	return tenancy(bus, path, meter, argc, (char **)argv, o->yes);
}

bool ctl_read_account_quiet(sd_bus *bus, const char *meter, struct account_props *p)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", PM_BUS_ROOT, meter);
	return read_account(bus, path, meter, p, true) >= 0 && p->running;
}

int ctl_account_command(sd_bus *bus, const struct ctl_opts *o, const char *meter)
{
	struct account_props before, after;
	char path[128], what[256] = "";
	int r;

	snprintf(path, sizeof(path), "%s/%s", PM_BUS_ROOT, meter);
	if (!strcmp(o->args[0], "account")) {
		if (read_account(bus, path, meter, &before, false) < 0)
			return 1;
		print_account(meter, &before, o->json);
		return 0;
	}
	if (read_account(bus, path, meter, &before, false) < 0)
		return 1;
	r = call(bus, path, meter, o, before.unit, what, sizeof(what));
	if (r)
		return r;
	/* committed: what changed, read back from the daemon */
	if (read_account(bus, path, meter, &after, false) < 0)
		return 1;
	print_changes(meter, what, &before, &after, o->json);
	return 0;
}
