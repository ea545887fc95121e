// SPDX-License-Identifier: GPL-2.0-only
/* The account's supply decision on the lines, the button to the account (see supply-link.h). */
#include <errno.h>
#include <stdlib.h>

#include "common/log.h"
#include "supply/supply-link.h"

bool pm_supply_link_configured(const struct pm_relay_config *c)
{
	return c->contactor.spec[0] || c->aux.spec[0] || c->button.spec[0];
}

/* The customer's button: the same confirmation as ConfirmReconnect from a local display. */
static void on_button(void *userdata)
{
	struct pm_supply_link *l = userdata;
	struct pm_billing_error e = {0};
	int r = pm_billing_confirm(l->billing, l->now(l->userdata), &e);

	if (r < 0)
		log_info("meter %s: button pressed, nothing to confirm (%s)", l->meter, e.message);
	else
		log_notice("meter %s: button pressed, reconnection confirmed", l->meter);
	l->account_changed(l->userdata);
}

int pm_supply_link_start(struct pm_supply_link *l, int64_t utc_ns)
{
	struct pm_relay_config rc;
	struct pm_billing_view *v;
	int r = 0;

	if (!pm_supply_link_configured(l->conf))
		return 0;
	rc = *l->conf;
	v = calloc(1, sizeof(*v));
	if (!v)
		return log_error_errno(-ENOMEM, "meter %s: out of memory", l->meter);
	pm_billing_view(l->billing, utc_ns, v);
	rc.contactor_initially_closed = v->supply.closed;
	rc.aux_initially_closed = v->aux_closed;
	if (v->running)
		r = pm_relay_new(l->event, &rc, on_button, l, &l->relay);
	else
		log_warning("meter %s: account unknown: its supply-control lines are left as "
			    "they are, not requested",
			    l->meter);
	free(v);
	if (r < 0)
		return log_error_errno(r, "meter %s: cannot take its supply-control lines",
				       l->meter);
	return 0;
}

void pm_supply_link_set(struct pm_supply_link *l, bool contactor_closed, bool aux_closed)
{
	int r;

	log_notice("meter %s: supply contactor %s, auxiliary relay %s", l->meter,
		   contactor_closed ? "closed" : "open", aux_closed ? "closed" : "open");
	if (!l->relay && pm_supply_link_configured(l->conf)) {
		/* the account was unknown at start (the lines were left alone): now it is read,
		 * the lines are taken where it has them */
		struct pm_relay_config rc = *l->conf;

		rc.contactor_initially_closed = contactor_closed;
		rc.aux_initially_closed = aux_closed;
		r = pm_relay_new(l->event, &rc, on_button, l, &l->relay);
		if (r < 0)
			log_error_errno(r, "meter %s: cannot take its supply-control lines",
					l->meter);
	}
	if (!l->relay)
		return;
	r = pm_relay_set(l->relay, PM_RELAY_CONTACTOR, contactor_closed);
	if (r < 0 && r != -ENODEV)
		log_error_errno(r, "meter %s: cannot drive the contactor line", l->meter);
	r = pm_relay_set(l->relay, PM_RELAY_AUX, aux_closed);
	if (r < 0 && r != -ENODEV)
		log_error_errno(r, "meter %s: cannot drive the auxiliary relay line", l->meter);
}

void pm_supply_link_free(struct pm_supply_link *l)
{
	pm_relay_free(l->relay);
	l->relay = NULL;
}
