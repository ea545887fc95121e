/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * polymeterd pure core: a meter's STS setup as an installer or the management system gives it
 * (prepay-sts.md §1.3, §1.7, §1.9): supply group code, tariff index, key revision, key type,
 * base date and key expiry number; and the import of the TID memory of the meter the gateway
 * replaces, so that a token used before cannot be used again.
 *
 * SGC, TI, KRN and KT describe the decoder key (they are inputs of its derivation, DKGA02 /
 * DKGA04, off the meter); the meter does not decode with them, it shows and reports them, and
 * a key change token replaces KRN, KT and TI. The KEN decides key expiry and the base date how
 * TIDs read, so both change what is accepted.
 */
#ifndef POLYMETER_STS_SETUP_H
#define POLYMETER_STS_SETUP_H

#include <stddef.h>
#include <stdint.h>

#include "core/sts/sts.h"

#define STS_SGC_MAX 999999u /* 6 decimal digits */
#define STS_TI_MAX 99	    /* 2 decimal digits */
#define STS_KRN_MIN 1	    /* 1 digit, 1..9 (a key change token carries 4 bits) */
#define STS_KRN_MAX 9
#define STS_KT_MAX 3

struct sts_setup {
	uint32_t sgc; /* supply group code */
	uint8_t ti;   /* tariff index */
	uint8_t krn;  /* key revision number */
	uint8_t kt;   /* key type */
	uint8_t base; /* enum sts_base */
	uint8_t ken;  /* key expiry number; STS_KEN_NO_EXPIRY: none */
};

/* 0, or -EINVAL with @err (STS_ERROR_LEN bytes) naming the field out of range. */
int sts_setup_check(const struct sts_setup *s, char *err);

/*
 * Applies @s's TI, KRN, KT, KEN and base date to @m. The base date changes how every TID reads,
 * so it may change only while the TID memory holds no token (all slots equal, as a new meter's
 * initial TID); else a roll-over key change (key change tokens with the RO bit) moves it.
 * -EPERM with @err then, @m unchanged.
 */
int sts_setup_apply(struct sts_meter *m, const struct sts_setup *s, char *err);

/*
 * Merges @n TIDs of a replaced meter's memory into @m's: the newest STS_TID_MEMORY distinct
 * TIDs of both at or above the oldest imported one are kept (free slots repeat the oldest
 * kept), so each stays "already used" and what is older than the oldest kept is "too old", as
 * it was for the replaced meter (a TID of @m's below that is refused as too old, no longer as
 * used: refused either way). -EINVAL with @err for a TID above STS_TID_MAX or
 * n == 0, @m unchanged.
 */
int sts_import_tids(struct sts_meter *m, const uint32_t *tids, size_t n, char *err);

#endif
