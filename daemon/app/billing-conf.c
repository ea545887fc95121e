// SPDX-License-Identifier: GPL-2.0-only
/* A meter's billing configuration from its [meter] section (billing-conf.h). */
#include <string.h>

#include "app/billing-conf.h"
#include "app/sts-key-file.h"

void pm_billing_conf(const struct pm_conf_meter *c, bool store_failed, struct pm_billing_config *bc)
{
	const char *why;

	memset(bc, 0, sizeof(*bc));
	bc->meter = c->name;
	bc->time_zone = c->time_zone;
	bc->tariff_file = c->tariff_file;
	/* a key file that cannot be read leaves tokens refused; --check-config, which every
	 * start runs first, says why */
	if (c->sts_decoder_key_file[0])
		bc->sts = pm_sts_key_file_read(c->sts_decoder_key_file, &bc->sts_dk, &why) == 0;
	bc->energy_account = c->account_kwh;
	bc->has_sts_setup = c->has_sts_setup;
	bc->sts_setup = c->sts_setup;
	bc->save_interval_ns = c->checkpoint_interval_s * 1000000000LL;
	bc->store_failed = store_failed;
	bc->power_down_catch_up = c->power_down_catch_up;
	account_config_default(&bc->account);
	bc->account.mode = c->account_mode == PM_ACCOUNT_PREPAYMENT ? ACCOUNT_MODE_PREPAYMENT
			   : c->account_mode == PM_ACCOUNT_PAYG	    ? ACCOUNT_MODE_PAYG
								    : ACCOUNT_MODE_CREDIT;
	bc->account.payg_debt_limit_mu = c->payg_debt_limit_mu;
	bc->account.ec_enabled = c->emergency_credit_mu > 0;
	bc->account.ec_value_mu = c->emergency_credit_mu;
	bc->account.ec_threshold_mu = c->emergency_threshold_mu;
	bc->account.low_credit_threshold_mu = c->low_credit_mu;
	bc->account.load_limit_w = c->load_limit_w;
	if (c->load_limit_w)
		bc->account.load_limit_period_s = 60;
	bc->account.credit_reconnect_needs_confirmation = c->reconnect_needs_confirmation;
}
