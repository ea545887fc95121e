// SPDX-License-Identifier: GPL-2.0-only
/* What an accepted token is worth, and the names of refusals (sts-credit.h). */
#include "core/sts/sts-credit.h"

const char *sts_utility_name(enum sts_utility utility)
{
	switch (utility) {
	case STS_UTILITY_ELECTRICITY:
		return "electricity";
	case STS_UTILITY_WATER:
		return "water";
	case STS_UTILITY_GAS:
		return "gas";
	case STS_UTILITY_TIME:
		return "time";
	}
	return "unknown";
}

int64_t sts_currency_minor_units(uint32_t counts, int minor_units, uint32_t *dropped)
{
	uint32_t per_minor = 1;

	for (int i = minor_units; i < STS_CURRENCY_DECIMALS; i++)
		per_minor *= 10;
	*dropped = counts % per_minor;
	return counts / per_minor;
}

const char *sts_refusal_reason(enum sts_status status)
{
	switch (status) {
	case STS_ERR_FORMAT:
		return "malformed";
	case STS_ERR_INVALID:
		return "invalid";
	case STS_ERR_UNSUPPORTED:
		return "unsupported";
	case STS_ERR_USED:
		return "used";
	case STS_ERR_OLD:
		return "old";
	case STS_ERR_KEY_EXPIRED:
		return "key_expired";
	case STS_OK:
	case STS_ERR_ARGUMENT:
		break;
	}
	return "refused";
}
