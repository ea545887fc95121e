/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A meter's billing configuration from its [meter] section: one translation, used where the
 * daemon starts the meter's billing (manager.c) and where --check-config builds it to see
 * that it would start (check-config.c).
 */
#ifndef POLYMETER_BILLING_CONF_H
#define POLYMETER_BILLING_CONF_H

#include "app/conf.h"
#include "meter/billing.h"

/* Fills @bc from @c (its strings point into @c). @store_failed: see pm_billing_config. */
void pm_billing_conf(const struct pm_conf_meter *c, bool store_failed,
		     struct pm_billing_config *bc);

#endif
