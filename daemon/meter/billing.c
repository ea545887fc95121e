// SPDX-License-Identifier: GPL-2.0-only
/* One meter's account: life cycle, hooks and where the supply belongs (see billing.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter/billing-internal.h"
#include "common/log.h"
#include "meter/local-clock.h"
#include "meter/local-time.h"

int billing_fail(struct pm_billing_error *e, enum pm_billing_err kind, int r, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		e->kind = kind;
		va_start(ap, fmt);
		vsnprintf(e->message, sizeof(e->message), fmt, ap);
		va_end(ap);
	}
	return r;
}

void billing_report_supply(struct pm_billing *b)
{
	bool contactor = account_supply(&b->st.acc).closed;
	bool aux = b->st.has_tariff && b->st.te.aux_relay;

	if (b->supply_reported && contactor == b->contactor_reported && aux == b->aux_reported)
		return;
	b->supply_reported = true;
	b->contactor_reported = contactor;
	b->aux_reported = aux;
	if (b->supply_fn)
		b->supply_fn(b->userdata, contactor, aux);
}

void pm_billing_set_hooks(struct pm_billing *b, pm_billing_supply_fn supply,
			  pm_billing_event_fn event, void *userdata)
{
	b->supply_fn = supply;
	b->event_fn = event;
	b->userdata = userdata;
	b->supply_reported = false;
	if (b->running)
		billing_report_supply(b);
	else if (b->unavailable && b->event_fn)
		b->event_fn(b->userdata, b->unavailable_ns, "account_unavailable",
			    b->unavailable_why);
}

void pm_billing_get_config(const struct pm_billing *b, struct account_config *config)
{
	*config = b->st.acc.config;
}

int pm_billing_new(const struct pm_billing_config *cfg, struct pm_store *store, int64_t utc_ns,
		   struct pm_billing **out, char *err, size_t errlen)
{
	struct pm_billing *b = calloc(1, sizeof(*b));
	int r;

	*out = NULL;
	err[0] = '\0';
	if (!b)
		return -ENOMEM;
	b->cfg = *cfg;
	b->meter = strdup(cfg->meter);
	b->zone = strdup(cfg->time_zone ? cfg->time_zone : "");
	b->tariff_file = strdup(cfg->tariff_file ? cfg->tariff_file : "");
	b->clock = malloc(sizeof(*b->clock));
	b->written = malloc(sizeof(*b->written));
	b->store = store;
	if (!b->meter || !b->zone || !b->tariff_file || !b->clock || !b->written) {
		pm_billing_free(b);
		return -ENOMEM;
	}
	if (!pm_local_time_zone_exists(b->zone)) {
		snprintf(err, errlen, "meter %s: time_zone '%s' is not a tzdata zone", b->meter,
			 b->zone);
		pm_billing_free(b);
		return -EINVAL;
	}
	pm_local_clock_init(b->clock, b->zone);
	if (store) {
		r = billing_start_account(b, utc_ns, err, errlen);
	} else if (cfg->store_failed) {
		billing_set_unavailable(b, utc_ns, "the store could not be opened");
		snprintf(
		    err, errlen,
		    "meter %s: account unavailable (the store could not be opened): billing "
		    "stopped, no account values published, commands refused, supply lines left "
		    "as they are, until a restart opens the store",
		    b->meter);
		r = -EAGAIN;
	} else {
		/* state_dir = none: an account in memory only, every command refused */
		r = billing_seed(b, utc_ns, err, errlen);
		b->running = r == 0;
	}
	if (r < 0 && r != -EAGAIN) {
		pm_billing_free(b);
		return r;
	}
	*out = b;
	return 0;
}

void pm_billing_free(struct pm_billing *b)
{
	if (!b)
		return;
	free(b->meter);
	free(b->zone);
	free(b->tariff_file);
	free(b->clock);
	free(b->written);
	free(b);
}
