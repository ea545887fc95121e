// SPDX-License-Identifier: GPL-2.0-only
/*
 * The meter's event kinds (docs/events.md, meter/billing-events.c, meter/chip-events.c) as the
 * DLMS event logs' codes (cosem-event-codes.h). Codes below 256 are the IDIS / DSMR ones:
 * standard event log 1 power down, 2 power up, 5 clock adjusted (new time), 9 tariff (TOU)
 * activated, 19 passive tariff (TOU) updated, 47 configuration change; disconnector control
 * log 61 manual connection, 62 remote disconnection, 63 remote connection, 65 limiter threshold
 * exceeded; power quality log 76-78 undervoltage L1-L3, 79-81 overvoltage L1-L3, 85-87 voltage
 * L1-L3 normal (OSGP EventType / EventTypeDtoLookup; EnergyICT protocolimpl dlms idis
 * PowerQualityEventLog, nta DisconnectControlLog). From 1000 they are polymeter's: DSMR's
 * manufacturer-specific codes 230..249 (OSGP's EventType MANUFACTURER_SPECIFIC_230..249, which
 * Iskraemeco fills with its own) are too few for the kinds below, and 1000..1999 is clear of
 * every code above 255 OSGP's table knows (0x1000..0x1307 and 0x8080..0x83A1, the M-Bus
 * channels', and 0xFFFF). Every kind the daemon logs (docs/events.md) has a code here;
 * test_cosem_profiles.c lists them.
 */
#include <string.h>

#include "core/dlms/cosem-event-codes.h"

struct kind_code {
	const char *kind;
	uint8_t log; /* enum pm_cosem_profile */
	uint16_t code;
};

#define STD PM_COSEM_STANDARD_EVENTS
#define DISC PM_COSEM_DISCONNECT_EVENTS
#define CREDIT PM_COSEM_CREDIT_EVENTS

/* Kinds whose code does not depend on their detail. */
static const struct kind_code plain[] = {
    {"power_down", STD, 1},
    {"power_up", STD, 2},
    {"clock_set", STD, 5},
    {"tariff_activated", STD, 9},
    {"tariff_deferred", STD, 19},
    {"config_change", STD, 47},
    {"daemon_start", STD, 1000},
    {"daemon_stop", STD, 1001},
    {"restart_recovered", STD, 1002},
    {"restart_unrecoverable", STD, 1003},
    {"chip_reset", STD, 1004},
    {"device_lost", STD, 1005},
    {"device_found", STD, 1006},
    {"divergence", STD, 1007},
    {"counter_backwards", STD, 1008},
    {"time_backwards", STD, 1009},
    {"register_reset_refused", STD, 1010},
    {"bad_sample", STD, 1011},
    {"events_dropped", STD, 1012},
    {"store_failed", STD, 1013},
    {"calibration", STD, 1014},
    {"account_unavailable", STD, 1015},
    {"account_available", STD, 1016},
    /* the clock's trust and jumps (docs/clock.md), the MQTT view's backlog (docs/mqtt.md) */
    {"clock_jump", STD, 1017},
    {"clock_trusted", STD, 1018},
    {"clock_untrusted", STD, 1019},
    {"mqtt_backlog_dropped", STD, 1020},
    {"tariff_set", STD, 1100},
    {"tariff_deferred_cancelled", STD, 1101},
    {"tariff_period", STD, 1102},
    {"tariff_rate", STD, 1103},
    {"tariff_block", STD, 1104},
    {"tariff_reconciled", STD, 1105},
    {"currency_conversion_set", STD, 1106},
    {"currency_converted", STD, 1107},
    {"account_snapshot", STD, 1108},
    {"tenancy_changed", STD, 1109},
    {"wallet_reconciled", STD, 1110},
    {"energy_snapshot", STD, 1111},
    {"load_limit_tripped", DISC, 65},
    {"supply_armed", DISC, 1305},
    {"disconnect_suspended", DISC, 1306},
    /* STS 2/6's unbalance limit opened the supply (its supply_opened says load-limit) */
    {"phase_unbalance_tripped", DISC, 1307},
    {"sts_token", CREDIT, 1400},
    {"payment_accepted", CREDIT, 1401},
    {"low_credit", CREDIT, 1402},
    {"ec_available", CREDIT, 1403},
    {"ec_taken", CREDIT, 1404},
    {"ec_exhausted", CREDIT, 1405},
    {"debt_cleared", CREDIT, 1406},
    /* the STS token path (meter/billing-token.c, docs/account.md "STS tokens") */
    {"token_refused", CREDIT, 1407},
    {"token_entry_locked", CREDIT, 1408},
    {"sts_credit", CREDIT, 1409},
    {"sts_key_set", CREDIT, 1410},
    {"sts_setup", CREDIT, 1411},
    {"sts_tids_imported", CREDIT, 1412},
    {"sts_max_power", CREDIT, 1413},
    {"sts_clear_credit", CREDIT, 1414},
    {"sts_clear_tamper", CREDIT, 1415},
    {"sts_management", CREDIT, 1416},
    {"sts_phase_unbalance", CREDIT, 1417},
    /* the standing charge and instalments a power-down or a clock step passed over */
    {"power_down_charges", CREDIT, 1418},
    {"clock_step_charges", CREDIT, 1419},
};

/* The supply's opening and closing, by the reason in the detail ("reason=remote-disconnect"). */
static uint16_t supply_code(bool opened, const char *detail)
{
	const char *reason = detail ? strstr(detail, "reason=") : NULL;

	reason = reason ? reason + 7 : "";
	if (opened) {
		if (!strncmp(reason, "remote-disconnect", 17))
			return 62;
		if (!strncmp(reason, "out-of-credit", 13))
			return 1300;
		if (!strncmp(reason, "load-limit", 10))
			return 1301;
		return 1302;
	}
	if (!strncmp(reason, "remote-reconnect", 16))
		return 63;
	if (!strncmp(reason, "customer-confirmation", 21))
		return 61; /* the customer's button: a manual connection */
	if (!strncmp(reason, "credit-restored", 15))
		return 1303;
	return 1304;
}

/*
 * The chip's events ("L2 rising, 253.1 V", meter/chip-events.c): the phase (L1..L3, N = 3) and
 * the edge; -1 when the detail does not say.
 */
static int chip_phase(const char *detail, bool *rising)
{
	int ph;

	if (!detail)
		return -1;
	if (detail[0] == 'L' && detail[1] >= '1' && detail[1] <= '3')
		ph = detail[1] - '1';
	else if (detail[0] == 'N')
		ph = 3;
	else
		return -1;
	if (strstr(detail, " rising"))
		*rising = true;
	else if (strstr(detail, " falling"))
		*rising = false;
	else
		return -1;
	return ph;
}

/* A swell starts rising and a dip falling; each ends back at normal voltage. */
static uint16_t quality_code(const char *kind, const char *detail)
{
	bool rising = false;
	int ph = chip_phase(detail, &rising);

	if (ph < 0 || (ph == 3 && (!strcmp(kind, "swell") || !strcmp(kind, "dip"))))
		return 1240;
	if (!strcmp(kind, "swell"))
		return (uint16_t)(rising ? 79 + ph : 85 + ph);
	if (!strcmp(kind, "dip"))
		return (uint16_t)(rising ? 85 + ph : 76 + ph);
	if (!strcmp(kind, "overcurrent"))
		return (uint16_t)(rising ? 1200 + ph : 1210 + ph);
	/* reverse power: falling is export starting, rising import again */
	return (uint16_t)(rising ? 1230 + ph : 1220 + ph);
}

void pm_cosem_event_classify(const char *kind, const char *detail, enum pm_cosem_profile *log,
			     uint16_t *code)
{
	if (!kind)
		kind = "";
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (!strcmp(kind, plain[i].kind)) {
			*log = (enum pm_cosem_profile)plain[i].log;
			*code = plain[i].code;
			return;
		}
	if (!strcmp(kind, "supply_opened") || !strcmp(kind, "supply_closed")) {
		*log = PM_COSEM_DISCONNECT_EVENTS;
		*code = supply_code(!strcmp(kind, "supply_opened"), detail);
		return;
	}
	if (!strcmp(kind, "swell") || !strcmp(kind, "dip") || !strcmp(kind, "overcurrent") ||
	    !strcmp(kind, "reverse_power")) {
		*log = PM_COSEM_POWER_QUALITY_EVENTS;
		*code = quality_code(kind, detail);
		return;
	}
	*log = PM_COSEM_STANDARD_EVENTS;
	*code = PM_EVENT_CODE_OTHER;
}
