/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * polymeterd pure core: STS (IEC 62055-41) 20-digit token decoder and meter-side acceptance.
 *
 * The meter's side only. A meter is provisioned with its decoder key (DK) and never holds a
 * vending key, so decoder key generation (DKGA02 / DKGA04 with DES and HMAC-SHA-256) and the
 * token encoder are not here: they are the vending side, in tests/support/ (sts-vend.h,
 * sts-keygen.h) for the tests and the fuzzer. The only cipher the decoder needs is STA
 * (sts-sta.h); DES-encrypted tokens (EA09) are not supported, see below.
 *
 * No I/O, no globals, no wall clock, no floating point, no __int128. Time comes in as an
 * argument (UTC seconds since the epoch, suffix _utc).
 *
 * Sources: ../shared/reference/prepay-sts.md §1-2 (the IEC 62055-41 text itself was not
 * available to the authors; facts are reconstructed from the STS Association's web pages and
 * open implementations) and the vectors in sts_test_vectors.tsv, all of which are reproduced by
 * tests/unit/test_sts.c. Status of each fact used here:
 *
 *  verified by vectors (tests/unit/test_sts.c):
 *   - 20-digit decimal of a 66-bit value; class in bits 28..27 after the class-bit
 *     transposition, the displaced block bits 28..27 carried in bits 65..64.
 *   - STA (EA07) with the production S-boxes / permutation and the key schedule
 *     k0 = ROTR64(~DK, 12), k(i+1) = ROTL64(k(i), 1); encrypt and decrypt.
 *   - CRC-16 (poly 0x8005 reflected, init 0xFFFF) over the 7-byte image of
 *     class(2) | block bits 63..16, byte-swapped into block bits 15..0.
 *   - Class 0 layout (subclass, RND, TID, amount) and the amount encoding (2-bit exponent,
 *     14-bit mantissa), including the boundary fields 0x3fff/0x4000/0x8000/0xc000/0xffff.
 *   - Class 1 (not encrypted) subclass 0/1 layout; class 2 register family layout
 *     (2/0 max power W, 2/1 clear credit, 2/5 clear tamper, 2/6 phase unbalance W);
 *     class 2 key change tokens 2/3 and 2/4 decrypted with the OLD key.
 *   - TID = minutes since the base date (1993-01-01, 2014-01-01, 2035-01-01).
 *
 *  cited, NOT verified by any vector (implemented as the reference states them):
 *   - class 0 subclasses 4..7 are currency credit in 0.00001 base currency units;
 *   - key expiry: a token whose (TID >> 16) > KEN is refused; KEN 0xFF disables expiry;
 *   - the TID memory rules (used = equal to a stored TID; old = below the smallest stored TID;
 *     an accepted TID replaces the smallest) and their depth (IEC minimum not found; one meter
 *     firmware keeps 20, this implementation keeps STS_TID_MEMORY);
 *   - the roll-over (RO) bit of a key change: clear the TID memory and move to the next base
 *     date (1993 -> 2014 is documented; 2014 -> 2035 is our extrapolation);
 *   - the 10-minute limit for entering the second half of a key change (vendor practice);
 *   - 2/2 SetTariffRate and 2/7 SetWaterMeterFactor: raw 16-bit value, unit unknown.
 *
 *  time zone: the sources do not say in which time zone the vending system counts TIDs; the
 *  vectors use naive wall-clock minutes. sts_tid_to_utc() treats them as UTC; an adapter that
 *  knows the vendor's zone should apply its offset for display. Acceptance never compares the
 *  TID with the clock (as a meter, only via the KEN).
 *
 *  not supported: EA09 (DES-encrypted tokens) and EA11 (MISTY1, 128-bit keys): such a token
 *  fails the CRC after STA decryption and is refused as invalid (a meter cannot tell it from a
 *  token for another key); the MISTY1 key change tokens 2/8 and 2/9, class 1 subclasses >= 2
 *  and class 3 (reserved) are refused as unsupported, with a message saying which.
 */
#ifndef POLYMETER_STS_H
#define POLYMETER_STS_H

#include <stdbool.h>
#include <stdint.h>

#define STS_TOKEN_DIGITS 20
#define STS_TOKEN_TEXT_LEN (STS_TOKEN_DIGITS + 1) /* 20 digits and the NUL */
#define STS_ERROR_LEN 160
#define STS_TID_MAX UINT32_C(0xFFFFFF)	  /* 24-bit minutes since the base date */
#define STS_AMOUNT_MAX UINT32_C(18201624) /* largest encodable amount (field 0xffff) */
#define STS_TID_MEMORY 64		  /* accepted TIDs remembered (>= 20 per reference) */
#define STS_KEN_NO_EXPIRY 0xFF		  /* key expiry number that disables the check */
#define STS_KCT_PAIR_TIMEOUT_S 600	  /* both key change halves within 10 minutes */

/* Token classes (the 2 bits outside the encrypted block). */
enum sts_class {
	STS_CLASS_CREDIT = 0,	  /* transfer credit, encrypted, carries a TID */
	STS_CLASS_NON_METER = 1,  /* non-meter-specific test/display, NOT encrypted */
	STS_CLASS_MANAGEMENT = 2, /* meter-specific management, encrypted */
	STS_CLASS_RESERVED = 3,
};

/* Base dates of the TID. */
enum sts_base {
	STS_BASE_1993 = 0,
	STS_BASE_2014 = 1,
	STS_BASE_2035 = 2,
};

/* What a token is, by class and subclass. */
enum sts_kind {
	STS_KIND_CREDIT,	      /* 0/0..0/7 */
	STS_KIND_TEST,		      /* 1/0, 1/1 initiate meter test / display */
	STS_KIND_SET_MAX_POWER,	      /* 2/0 value in W (amount encoding) */
	STS_KIND_CLEAR_CREDIT,	      /* 2/1 value = register: 0 credit register, 0xffff all */
	STS_KIND_SET_TARIFF_RATE,     /* 2/2 raw value, unit unknown */
	STS_KIND_KEY_CHANGE_1,	      /* 2/3 first half of a key change (KCT) */
	STS_KIND_KEY_CHANGE_2,	      /* 2/4 second half of a key change (KCT) */
	STS_KIND_CLEAR_TAMPER,	      /* 2/5 */
	STS_KIND_SET_PHASE_UNBALANCE, /* 2/6 value in W (amount encoding) */
	STS_KIND_SET_WATER_FACTOR,    /* 2/7 raw value, unit unknown */
};

/* What a class 0 credit is counted in. */
enum sts_unit {
	STS_UNIT_NONE,
	STS_UNIT_DECI_KWH,    /* 0.1 kWh (subclass 0, electricity) */
	STS_UNIT_DECI_M3,     /* 0.1 m3 (subclass 1 water, 2 gas) */
	STS_UNIT_DECI_MINUTE, /* 0.1 min (subclass 3, time) */
	STS_UNIT_CURRENCY_E5, /* 0.00001 base currency unit (subclasses 4..7) [unverified] */
	STS_UNIT_W,	      /* watts (2/0, 2/6) */
};

enum sts_utility {
	STS_UTILITY_ELECTRICITY = 0,
	STS_UTILITY_WATER = 1,
	STS_UTILITY_GAS = 2,
	STS_UTILITY_TIME = 3,
};

/* Why a token was refused (0 = accepted). Each call also returns a negative errno. */
enum sts_status {
	STS_OK = 0,
	STS_ERR_FORMAT,	     /* not 20 digits, a stray character, > 2^66 - 1      (-EINVAL) */
	STS_ERR_INVALID,     /* CRC mismatch: a wrong digit, or a wrong key        (-EBADMSG) */
	STS_ERR_UNSUPPORTED, /* a class/subclass this decoder does not implement   (-ENOTSUP) */
	STS_ERR_USED,	     /* the TID is in the TID memory: already used         (-EALREADY) */
	STS_ERR_OLD,	     /* the TID is below the TID window: too old           (-ESTALE) */
	STS_ERR_KEY_EXPIRED, /* (TID >> 16) > KEN                                  (-EKEYEXPIRED) */
	STS_ERR_ARGUMENT,    /* a NULL pointer or an out-of-range argument/state   (-EINVAL) */
};

/* A 66-bit token value: bits 65..64 in hi, 63..0 in lo. */
struct sts_value66 {
	uint8_t hi;
	uint64_t lo;
};

/* Fields of a key change token (KCT) half, 2/3 or 2/4. */
struct sts_kct {
	uint8_t ken_nibble; /* 2/3: KENHO (high nibble of KEN); 2/4: KENLO */
	uint32_t key_half;  /* 2/3: NKHO, bits 63..32 of the new key; 2/4: NKLO, bits 31..0 */
	/* 2/3 only */
	uint8_t krn;   /* new key revision number, 0..15 */
	bool rollover; /* RO bit: clear the TID memory, move to the next base date */
	uint8_t kt;    /* new key type, 0..3 */
	/* 2/4 only */
	uint8_t ti; /* new tariff index, 0..255 */
};

/* A decoded token: what sts_decode() found, before any acceptance rule. */
struct sts_token {
	uint8_t token_class; /* enum sts_class */
	uint8_t subclass;    /* 0..15 */
	enum sts_kind kind;
	uint64_t block; /* the plain 64-bit data block, CRC in bits 15..0 */
	uint16_t crc;

	/* Class 0 and the class 2 register family (2/0, 2/1, 2/2, 2/5, 2/6, 2/7). */
	bool has_tid;
	uint8_t rnd;
	uint32_t tid;	 /* minutes since the base date */
	uint16_t field;	 /* the raw 16-bit amount / value field */
	uint32_t amount; /* credit and 2/0, 2/6: field decoded (§1.2); others: field as is */
	enum sts_unit unit;
	enum sts_utility utility; /* class 0 only */

	/* Class 1. */
	uint64_t control; /* sub 0: 36 bits, sub 1: 28 bits; all ones = "test/display all" */
	uint16_t
	    mfr_code; /* sub 0: 8 bits (2-digit code), sub 1: 16 bits (4-digit code); 0 = all */

	/* Class 2 subclasses 3 and 4. */
	struct sts_kct kct;
};

/* Meter-side state that the caller persists between tokens. Persist it field by field (the
 * in-memory layout has padding and host byte order), or as a blob on one machine only. */
struct sts_meter {
	uint64_t dk;	     /* decoder key as an integer: its 8 bytes read big-endian */
	uint8_t ken;	     /* key expiry number; STS_KEN_NO_EXPIRY disables the check */
	uint8_t kt, krn, ti; /* key type, revision and tariff index of dk (informational) */
	uint8_t base;	     /* enum sts_base */
	uint32_t tids[STS_TID_MEMORY]; /* TID memory; the window starts at its smallest entry */

	/* A key change half waiting for its other half. */
	bool kct1_staged, kct2_staged;
	int64_t kct_staged_utc;
	struct sts_kct kct1, kct2;
};

/* What the caller must do after sts_accept(). */
enum sts_action {
	STS_ACTION_NONE,	/* refused: nothing to do, nothing changed */
	STS_ACTION_ADD_CREDIT,	/* add result.token.amount in result.token.unit */
	STS_ACTION_TEST,	/* class 1: run the test / display (check mfr_code) */
	STS_ACTION_MANAGEMENT,	/* class 2 register family: apply token.kind with token.amount */
	STS_ACTION_KEY_STAGED,	/* first key change half stored, waiting for the other */
	STS_ACTION_KEY_CHANGED, /* the decoder key (and KEN, KRN, KT, TI) were replaced */
};

struct sts_result {
	enum sts_status status;
	char error[STS_ERROR_LEN]; /* a sentence saying why, "" when accepted */
	enum sts_action action;
	/* STS_ACTION_ADD_CREDIT: the credit to add, in credit_unit (e.g. 0.1 kWh for electricity,
	 * so 1 count = 100 Wh); 0 / STS_UNIT_NONE otherwise. */
	uint32_t credit;
	enum sts_unit credit_unit;
	struct sts_token token;
	int64_t issued_utc; /* token.has_tid: base date + TID minutes (see header: time zone) */
	bool rollover_done; /* STS_ACTION_KEY_CHANGED with the RO bit: TID memory cleared */
};

/* --- building blocks (all verified against the vectors) ----------------------------------- */

/* The CRC of a block as stored in its bits 15..0 (already byte-swapped). */
uint16_t sts_crc(unsigned token_class, uint64_t block);

/* Amount field (2-bit exponent, 14-bit mantissa) -> counts, 0 .. STS_AMOUNT_MAX. */
uint32_t sts_amount_decode(uint16_t field);

/* 20-digit text -> 66-bit value. Tolerates spaces and dashes between digits; anything else, a
 * digit count other than 20, or a value above 2^66 - 1 is refused: returns -EINVAL and writes
 * a sentence to err (STS_ERROR_LEN bytes; may be NULL). */
int sts_parse(const char *text, struct sts_value66 *value, char *err);

/* Undoes the class-bit transposition: 66-bit token value -> the (encrypted) 64-bit block and
 * the class (token_class may be NULL). */
uint64_t sts_untranspose(struct sts_value66 value, unsigned *token_class);

/* TID minutes -> seconds since 1970-01-01 (base date midnight counted as UTC), or INT64_MIN
 * for an invalid base. */
int64_t sts_tid_to_utc(unsigned base, uint32_t tid);

/* --- tokens ------------------------------------------------------------------------------- */

/* Parse, untranspose, decrypt (classes 0 and 2) with dk, check the CRC and decode the fields of
 * one token. No acceptance rule, no state. Returns 0, or a negative errno with out->status and
 * out->error set (see enum sts_status). out is always reset first. */
int sts_decode(const char *text, uint64_t dk, unsigned base, struct sts_result *out);

/* --- meter-side acceptance ---------------------------------------------------------------- */

/* A meter with decoder key dk, KEN, base date, and the TID memory filled with initial_tid
 * (the manufacture/commissioning TID: tokens issued before it are "too old", and a token with
 * exactly that TID counts as used). Returns 0 or -EINVAL. */
int sts_meter_init(struct sts_meter *m, uint64_t dk, uint8_t ken, unsigned base,
		   uint32_t initial_tid);

/* The start of the TID window: the smallest remembered TID. A TID below it is "too old"; a
 * TID at or above it that is not in the memory is accepted. */
uint32_t sts_meter_window_start(const struct sts_meter *m);

/*
 * Enter one token at time now_utc. Rules, in order:
 *   format -> CRC with the current key ("invalid token") -> class/subclass supported ->
 *   for tokens with a TID: key expiry (KEN), "already used" (TID in memory), "too old"
 *   (TID below the smallest remembered TID); then the TID replaces the smallest in memory.
 *   Class 1 tokens change nothing. Key change halves are staged until the other half arrives
 *   (within STS_KCT_PAIR_TIMEOUT_S); then the key, KEN, KRN, KT, TI change and, with the RO bit,
 *   the TID memory is cleared and the base date moves on.
 * On refusal: returns a negative errno, out->status / out->error say why, *m is unchanged.
 * On success: returns 0, out->action says what to do (e.g. add out->token.amount of credit).
 * The caller must persist *m before it acts on or acknowledges the token, and restore its
 * previous copy if persisting fails.
 */
int sts_accept(struct sts_meter *m, const char *text, int64_t now_utc, struct sts_result *out);

const char *sts_status_name(enum sts_status status);

#endif
