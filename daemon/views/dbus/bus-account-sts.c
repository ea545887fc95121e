// SPDX-License-Identifier: GPL-2.0-only
/*
 * org.polymeter.Account1's STS setup methods (bus-account.c's table; admin only, as every
 * method that changes the meter): GetStsSetup, SetStsSetup and ImportTidMemory
 * (core/sts/sts-setup.h). The decoder key is not part of the setup: SetDecoderKey sets it,
 * nothing reads it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "views/dbus/bus-account-internal.h"

static const char *base_year(uint8_t base)
{
	return base == STS_BASE_2035 ? "2035" : base == STS_BASE_2014 ? "2014" : "1993";
}

static int error_reply(sd_bus_error *error, const struct pm_billing_error *e)
{
	const char *name = e->kind == PM_BILLING_ERR_REFUSED		   ? "Refused"
			   : e->kind == PM_BILLING_ERR_NOT_CONFIGURED	   ? "NotConfigured"
			   : e->kind == PM_BILLING_ERR_NO_STORE		   ? "NoStore"
			   : e->kind == PM_BILLING_ERR_STORE_FAILED	   ? "StoreFailed"
			   : e->kind == PM_BILLING_ERR_ACCOUNT_UNAVAILABLE ? "AccountUnavailable"
									   : "InvalidArgument";
	char full[96];

	snprintf(full, sizeof(full), "%s%s", PM_BUS_ACCOUNT_ERROR, name);
	return sd_bus_error_set(error, full, e->message);
}

int pm_bus_account_get_sts_setup(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	__attribute__((cleanup(sd_bus_message_unrefp))) sd_bus_message *reply = NULL;
	struct sts_setup s;
	char sgc[12];
	bool has;
	int r;

	pm_billing_get_sts_setup(a->billing, &has, &s);
	if (!has)
		return sd_bus_error_set(error, PM_BUS_ACCOUNT_ERROR "NotConfigured",
					"no STS decoder key yet (sts_decoder_key_file, "
					"SetDecoderKey)");
	snprintf(sgc, sizeof(sgc), "%06lu", (unsigned long)s.sgc);
	r = sd_bus_message_new_method_return(msg, &reply);
	if (r >= 0)
		r = sd_bus_message_append(reply, "a{sv}", 6, "supply_group_code", "s", sgc,
					  "tariff_index", "y", s.ti, "key_revision", "y", s.krn,
					  "key_type", "y", s.kt, "base_date", "s",
					  base_year(s.base), "key_expiry", "y", s.ken);
	if (r < 0)
		return r;
	return sd_bus_send(NULL, reply, NULL);
}

/* One option's variant of type @want into @value. */
static int read_variant(sd_bus_message *msg, const char *key, const char *want, void *value,
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

static int bad(sd_bus_error *error, const char *key, const char *what)
{
	return sd_bus_error_setf(error, PM_BUS_ACCOUNT_ERROR "InvalidArgument", "%s: %s", key,
				 what);
}

/* One option of SetStsSetup into @s. */
static int read_setup_option(sd_bus_message *msg, const char *key, struct sts_setup *s,
			     sd_bus_error *error)
{
	const char *text;
	char *end;
	uint8_t y;
	int r;

	if (!strcmp(key, "supply_group_code") || !strcmp(key, "base_date")) {
		unsigned long v;

		r = read_variant(msg, key, "s", &text, error);
		if (r < 0)
			return r;
		errno = 0;
		v = strtoul(text, &end, 10);
		if (key[0] == 's') {
			if (strlen(text) != 6 || *end || errno)
				return bad(error, key, "6 digits, 000000..999999");
			s->sgc = (uint32_t)v;
		} else {
			if (*end || (v != 1993 && v != 2014 && v != 2035))
				return bad(error, key, "1993, 2014 or 2035");
			s->base = v == 2035   ? STS_BASE_2035
				  : v == 2014 ? STS_BASE_2014
					      : STS_BASE_1993;
		}
		return 0;
	}
	if (strcmp(key, "tariff_index") && strcmp(key, "key_revision") && strcmp(key, "key_type") &&
	    strcmp(key, "key_expiry"))
		return bad(error, key, "unknown option of SetStsSetup");
	r = read_variant(msg, key, "y", &y, error);
	if (r < 0)
		return r;
	if (!strcmp(key, "tariff_index"))
		s->ti = y;
	else if (!strcmp(key, "key_revision"))
		s->krn = y;
	else if (!strcmp(key, "key_type"))
		s->kt = y;
	else
		s->ken = y;
	return 0;
}

int pm_bus_account_set_sts_setup(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	struct pm_billing_error e;
	struct sts_setup s;
	bool has;
	int r;

	pm_billing_get_sts_setup(a->billing, &has, &s);
	r = sd_bus_message_enter_container(msg, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
		const char *key;

		r = sd_bus_message_read(msg, "s", &key);
		if (r >= 0)
			r = read_setup_option(msg, key, &s, error);
		if (r >= 0)
			r = sd_bus_message_exit_container(msg);
		if (r < 0)
			return r;
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(msg);
	if (r < 0)
		return r;
	r = pm_billing_set_sts_setup(a->billing, pm_bus_account_now(a), &s, &e);
	if (r < 0)
		return error_reply(error, &e);
	return sd_bus_reply_method_return(msg, "");
}

int pm_bus_account_import_tids(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pm_bus_account *a = userdata;
	struct pm_billing_error e;
	const uint32_t *tids;
	size_t size;
	int r = sd_bus_message_read_array(msg, 'u', (const void **)&tids, &size);

	if (r < 0)
		return r;
	r = pm_billing_import_sts_tids(a->billing, pm_bus_account_now(a), tids,
				       size / sizeof(*tids), &e);
	if (r < 0)
		return error_reply(error, &e);
	return sd_bus_reply_method_return(msg, "");
}
