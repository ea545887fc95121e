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
 *   currency convert FACTOR --on YYYY-MM-DD  at 00:00 local on that date, every price and money
 *                                         register x FACTOR (0.25..4, e.g. 0.5)
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
 * Every command but `account` takes the meter from --meter NAME, or the only meter there is.
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

static const char *const commands[] = {
    "account", "topup",	    "token",   "tariff", "mode",
    "supply",  "adjust",    "debt",    "wallet", "emergency-credit",
    "tenancy", "configure", "currency"};

static bool is_command(const char *cmd)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i]))
			return true;
	return false;
}

static int usage_error(const char *what)
{
	fprintf(stderr, "polymeterctl: %s (see polymeterctl --help)\n", what);
	return 2;
}

/* The meter names under /org/polymeter/Meter1 that carry the account interface. */
static int only_meter(sd_bus *bus, char *name, size_t len)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *path;
	unsigned n = 0;
	int r;

	r = sd_bus_call_method(bus, PM_BUS_NAME, PM_BUS_ROOT, "org.freedesktop.DBus.ObjectManager",
			       "GetManagedObjects", &error, &reply, "");
	if (r < 0) {
		fprintf(stderr, "polymeterctl: %s\n", error.message ? error.message : strerror(-r));
		sd_bus_error_free(&error);
		return r;
	}
	r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
	while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
		r = sd_bus_message_read(reply, "o", &path);
		if (r >= 0 && !strncmp(path, PM_BUS_ROOT "/", strlen(PM_BUS_ROOT) + 1)) {
			if (!n++)
				snprintf(name, len, "%s", path + strlen(PM_BUS_ROOT) + 1);
		}
		if (r >= 0)
			r = sd_bus_message_skip(reply, "a{sa{sv}}");
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
	}
	sd_bus_message_unref(reply);
	if (r < 0)
		return r;
	if (n != 1) {
		fprintf(stderr, "polymeterctl: %u meters: name one with --meter\n", n);
		return -EINVAL;
	}
	return 0;
}

static int call_failed(const char *meter, sd_bus_error *error, int r)
{
	const char *name = error->name ? error->name : "";

	if (!strncmp(name, PM_BUS_ACCOUNT_ERROR, strlen(PM_BUS_ACCOUNT_ERROR)))
		fprintf(stderr, "polymeterctl: meter %s: %s (%s)\n", meter, error->message,
			name + strlen(PM_BUS_ACCOUNT_ERROR));
	else if (!strcmp(name, SD_BUS_ERROR_UNKNOWN_OBJECT))
		fprintf(stderr, "polymeterctl: no meter %s\n", meter);
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

struct account_props {
	bool running, supply_closed, aux, has_tariff;
	char mode[16], ec[16], state[16], reason[32], tariff[128], currency[8];
	int64_t balance, available, total, ec_remaining, debt_to_clear, time_debt, payment_debt,
	    cost_hour, cost_today, price;
	uint32_t payments;
	uint8_t rate, block;
	/* pending changes: "" when none (FutureTariffName/Date, CurrencyConversionDate/Factor) */
	char future_tariff[128], future_date[16], conversion_date[16], conversion_factor[48];
};

static int read_account(sd_bus *bus, const char *path, const char *meter, struct account_props *p)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *name, *contents;
	int r;

	memset(p, 0, sizeof(*p));
	r = sd_bus_call_method(bus, PM_BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll",
			       &error, &reply, "s", PM_BUS_IFACE_ACCOUNT);
	if (r < 0)
		return -call_failed(meter, &error, r);
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
			for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
				if (!strcmp(name, xs[i].name))
					r = sd_bus_message_read(reply, "x",
								(int64_t *)((char *)p + xs[i].off));
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
			else if (!strcmp(name, "FutureTariffName"))
				snprintf(p->future_tariff, sizeof(p->future_tariff), "%s", s);
			else if (!strcmp(name, "FutureTariffDate"))
				snprintf(p->future_date, sizeof(p->future_date), "%s", s);
			else if (!strcmp(name, "CurrencyConversionDate"))
				snprintf(p->conversion_date, sizeof(p->conversion_date), "%s", s);
			else if (!strcmp(name, "CurrencyConversionFactor"))
				snprintf(p->conversion_factor, sizeof(p->conversion_factor), "%s",
					 s);
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
	return r < 0 ? r : 0;
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
	char m[10][40];

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
		printf("\"rate\":%u,\"block\":%u,", p->rate + 1u, p->block + 1u);
		json_str("price_per_kwh", m[9], true);
		printf("\"aux_relay_closed\":%s,\"balance_mu\":%" PRId64 ",",
		       p->aux ? "true" : "false", p->balance);
		json_pending("future_tariff", p->future_tariff, *p->future_date, true);
		json_pending("future_tariff_date", p->future_date, *p->future_date, true);
		json_pending("currency_conversion_date", p->conversion_date, *p->conversion_date,
			     true);
		json_pending("currency_conversion_factor", p->conversion_factor,
			     *p->conversion_date, false);
		printf("}\n");
		return;
	}
	printf("meter %s: %s account%s, supply %s (%s)\n", meter, p->mode,
	       p->running ? "" : " (NOT RUNNING: stored account unreadable)", p->state, p->reason);
	printf("balance          %s %s (available %s)\n", m[0], p->currency, m[1]);
	printf("total credit     %s in %" PRIu32 " payments\n", m[2], p->payments);
	printf("emergency credit %s, remaining %s, debt to clear %s\n", p->ec, m[3], m[4]);
	printf("debt             time-based %s, payment-based %s\n", m[5], m[6]);
	printf("cost             last hour %s, today %s\n", m[7], m[8]);
	if (p->has_tariff)
		printf("tariff           %s: rate %u, block %u, %s per kWh; aux relay %s\n",
		       p->tariff, p->rate + 1u, p->block + 1u, m[9], p->aux ? "closed" : "open");
	else
		printf("tariff           none\n");
	/* the daemon publishes a pending change's date (and the rest) only while it is pending */
	if (*p->future_date)
		printf("future tariff    %s from %s 00:00 local\n",
		       *p->future_tariff ? p->future_tariff : "(no name)", p->future_date);
	if (*p->conversion_date)
		printf("currency         every price and money register x %s at %s 00:00 local\n",
		       p->conversion_factor, p->conversion_date);
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

static int tenancy(sd_bus *bus, const char *path, const char *meter, int argc, char **argv)
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

static int run(sd_bus *bus, const char *meter, bool json, int argc, char **argv)
{
	const char *cmd = argv[0];
	char path[128];
	int64_t a, b;

	snprintf(path, sizeof(path), "%s/%s", PM_BUS_ROOT, meter);
	if (!strcmp(cmd, "account")) {
		struct account_props p;
		int r = read_account(bus, path, meter, &p);

		if (r < 0)
			return 1;
		print_account(meter, &p, json);
		return 0;
	}
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
		return simple_call(bus, path, meter, "TopUp", "xs", a, ref);
	}
	if (!strcmp(cmd, "token"))
		return argc != 2 ? usage_error("token DIGITS")
				 : simple_call(bus, path, meter, "EnterToken", "s", argv[1]);
	if (!strcmp(cmd, "tariff")) {
		char *text;
		int r;

		if (argc == 2 && !strcmp(argv[1], "cancel"))
			return simple_call(bus, path, meter, "CancelFutureTariff", "");
		if ((argc != 3 && (argc != 5 || strcmp(argv[3], "--from"))) ||
		    strcmp(argv[1], "set"))
			return usage_error(
			    "tariff set FILE.json [--from YYYY-MM-DD] | tariff cancel");
		text = read_file(argv[2]);
		if (!text)
			return 1;
		if (argc == 5)
			r = simple_call(bus, path, meter, "SetFutureTariff", "ss", text, argv[4]);
		else
			r = simple_call(bus, path, meter, "SetTariff", "s", text);
		free(text);
		return r;
	}
	if (!strcmp(cmd, "currency")) {
		if (argc != 5 || strcmp(argv[1], "convert") || strcmp(argv[3], "--on"))
			return usage_error("currency convert FACTOR --on YYYY-MM-DD");
		return simple_call(bus, path, meter, "ConvertCurrency", "ss", argv[4], argv[2]);
	}
	if (!strcmp(cmd, "mode"))
		return argc != 2 ? usage_error("mode credit|prepayment|payg")
				 : simple_call(bus, path, meter, "SetMode", "s", argv[1]);
	if (!strcmp(cmd, "supply")) {
		static const char *const sub[][2] = {{"disconnect", "Disconnect"},
						     {"reconnect", "Reconnect"},
						     {"arm", "ArmReconnect"},
						     {"confirm", "ConfirmReconnect"}};

		for (size_t i = 0; argc == 2 && i < 4; i++)
			if (!strcmp(argv[1], sub[i][0]))
				return simple_call(bus, path, meter, sub[i][1], "");
		return usage_error("supply disconnect|reconnect|arm|confirm");
	}
	if (!strcmp(cmd, "emergency-credit"))
		return simple_call(bus, path, meter, "TakeEmergencyCredit", "");
	if (!strcmp(cmd, "adjust")) {
		if (argc != 2)
			return usage_error("adjust DELTA");
		return money_arg("adjust", argv[1], &a) < 0
			   ? 2
			   : simple_call(bus, path, meter, "AdjustBalance", "x", a);
	}
	if (!strcmp(cmd, "debt")) {
		if (argc != 3)
			return usage_error("debt TIME_DEBT PAYMENT_DEBT");
		if (money_arg("debt", argv[1], &a) < 0 || money_arg("debt", argv[2], &b) < 0)
			return 2;
		return simple_call(bus, path, meter, "SetDebt", "xx", a, b);
	}
	if (!strcmp(cmd, "wallet")) {
		if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "final")))
			return usage_error("wallet YYYY-MM-DD COST [final]");
		if (money_arg("wallet", argv[2], &a) < 0)
			return 2;
		return simple_call(bus, path, meter, "PostWalletCost", "sxb", argv[1], a,
				   argc == 4);
	}
	if (!strcmp(cmd, "configure"))
		return configure(bus, path, meter, argc, argv);
	return tenancy(bus, path, meter, argc, argv);
}

static int account_main(bool user, bool json, const char *meter, int argc, char **argv)
{
	sd_bus *bus = NULL;
	char only[64];
	int r;

	if (!strcmp(argv[0], "account") && argc == 2 && !meter)
		meter = argv[1];
	else if (!strcmp(argv[0], "account") && argc > 1)
		return usage_error("account [METER]");
	r = user ? sd_bus_open_user(&bus) : sd_bus_open_system(&bus);
	if (r < 0) {
		fprintf(stderr, "polymeterctl: cannot connect to the %s bus: %s\n",
			user ? "session" : "system", strerror(-r));
		return 1;
	}
	if (!meter) {
		r = only_meter(bus, only, sizeof(only));
		meter = only;
	}
	if (r >= 0)
		r = run(bus, meter, json, argc, argv);
	else
		r = 1;
	sd_bus_flush_close_unref(bus);
	return r;
}

/* The first argument that is neither an option nor an option's value. */
static int command_index(int argc, char **argv)
{
	static const char *const with_value[] = {"--meter", "--max", "--from", "--to"};

	for (int i = 1; i < argc; i++) {
		bool skip = false;

		if (argv[i][0] != '-')
			return i;
		for (size_t k = 0; k < sizeof(with_value) / sizeof(with_value[0]); k++)
			skip = skip || !strcmp(argv[i], with_value[k]);
		i += skip;
	}
	return -1;
}

int pm_ctl_account_dispatch(int argc, char **argv)
{
	const char *meter = NULL;
	bool user = false, json = false;
	char *args[64];
	int n = 0, i = command_index(argc, argv);

	if (i < 0 || !is_command(argv[i]))
		return -1;
	/* options anywhere; "-1.50" (a negative amount) is an operand */
	for (int k = 1; k < argc; k++) {
		const char *a = argv[k];

		if (!strcmp(a, "--user")) {
			user = true;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--meter") && k + 1 < argc) {
			meter = argv[++k];
		} else if (!strncmp(a, "--meter=", 8)) {
			meter = a + 8;
		} else if ((!strcmp(a, "--from") || !strcmp(a, "--on")) && k + 1 < argc &&
			   n + 2 <= (int)(sizeof(args) / sizeof(args[0]))) {
			/* the date of a future tariff or a conversion: an operand pair */
			args[n++] = argv[k];
			args[n++] = argv[++k];
		} else if (a[0] == '-' && !(a[1] >= '0' && a[1] <= '9')) {
			fprintf(stderr, "polymeterctl: %s: unknown option %s\n", argv[i], a);
			return 2;
		} else if (n < (int)(sizeof(args) / sizeof(args[0]))) {
			args[n++] = argv[k];
		} else {
			return usage_error("too many arguments");
		}
	}
	return account_main(user, json, meter, n, args);
}
