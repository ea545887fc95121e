/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * STS token decoding, the meter's side only: token text to 66-bit value, the class bits back
 * out of the transposition, STA decryption, CRC, the amount field, and the fields of each class
 * (prepay-sts.md §1.1-1.9). Acceptance rules are in sts-accept.c, the STA cipher in sts-sta.c.
 * Making tokens (text from a value, transposition, amount rounding, encryption) is the vending
 * side: tests/support/sts-vend.c, not part of polymeterd.
 */
#include "core/sts/sts.h"
#include "core/sts/sts-sta.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define BIT(n) (UINT64_C(1) << (n))
#define CLASS_BITS (BIT(28) | BIT(27))

static void fail(struct sts_result *out, enum sts_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct sts_result *out, enum sts_status status, const char *fmt, ...)
{
	va_list ap;

	out->status = status;
	out->action = STS_ACTION_NONE;
	va_start(ap, fmt);
	vsnprintf(out->error, sizeof(out->error), fmt, ap);
	va_end(ap);
}

const char *sts_status_name(enum sts_status status)
{
	switch (status) {
	case STS_OK:
		return "accepted";
	case STS_ERR_FORMAT:
		return "malformed token";
	case STS_ERR_INVALID:
		return "invalid token";
	case STS_ERR_UNSUPPORTED:
		return "unsupported token";
	case STS_ERR_USED:
		return "already used";
	case STS_ERR_OLD:
		return "too old";
	case STS_ERR_KEY_EXPIRED:
		return "key expired";
	case STS_ERR_ARGUMENT:
		return "bad argument";
	}
	return "unknown";
}

/* --- text <-> 66-bit value ----------------------------------------------------------------- */

int sts_parse(const char *text, struct sts_value66 *value, char *err)
{
	/* The value as three 32-bit limbs (w2 holds bits 64.. and more), so no 128-bit type. */
	uint64_t w0 = 0, w1 = 0, w2 = 0;
	unsigned digits = 0;
	char dummy[STS_ERROR_LEN];

	if (!err)
		err = dummy;
	if (!text || !value) {
		snprintf(err, STS_ERROR_LEN, "no token given");
		return -EINVAL;
	}
	for (size_t i = 0; text[i] != '\0'; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == ' ' || c == '-')
			continue;
		if (c < '0' || c > '9') {
			if (c > 0x20 && c < 0x7f)
				snprintf(
				    err, STS_ERROR_LEN,
				    "malformed token: '%c' at position %zu is not a digit (only "
				    "digits, spaces and dashes are allowed)",
				    c, i + 1);
			else
				snprintf(
				    err, STS_ERROR_LEN,
				    "malformed token: byte 0x%02x at position %zu is not a digit "
				    "(only digits, spaces and dashes are allowed)",
				    c, i + 1);
			return -EINVAL;
		}
		if (++digits > STS_TOKEN_DIGITS)
			continue; /* counted for the message; the value is not used */
		w0 = w0 * 10 + (uint64_t)(c - '0');
		w1 = w1 * 10 + (w0 >> 32);
		w0 &= 0xFFFFFFFF;
		w2 = w2 * 10 + (w1 >> 32);
		w1 &= 0xFFFFFFFF;
	}
	if (digits != STS_TOKEN_DIGITS) {
		snprintf(err, STS_ERROR_LEN, "malformed token: %u digits, a token has exactly %d",
			 digits, STS_TOKEN_DIGITS);
		return -EINVAL;
	}
	if (w2 > 3) {
		snprintf(err, STS_ERROR_LEN,
			 "malformed token: the number is larger than 2^66 - 1 "
			 "(73786976294838206463), the largest 66-bit token");
		return -EINVAL;
	}
	value->hi = (uint8_t)w2;
	value->lo = w1 << 32 | w0;
	err[0] = '\0';
	return 0;
}

/* --- class bits, CRC, amount ------------------------------------------------------------ */

uint64_t sts_untranspose(struct sts_value66 value, unsigned *token_class)
{
	if (token_class)
		*token_class = (unsigned)(value.lo >> 27) & 3;
	return (value.lo & ~CLASS_BITS) | (uint64_t)(value.hi & 3) << 27;
}

uint16_t sts_crc(unsigned token_class, uint64_t block)
{
	/* 50 bits: class(2) | block bits 63..16, as 7 bytes big-endian. */
	uint64_t v = (uint64_t)(token_class & 3) << 48 | block >> 16;
	uint16_t crc = 0xFFFF;

	for (int i = 6; i >= 0; i--) {
		crc ^= (uint8_t)(v >> (8 * i));
		for (unsigned b = 0; b < 8; b++)
			crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA001) : (uint16_t)(crc >> 1);
	}
	return (uint16_t)(crc << 8 | crc >> 8);
}

/* Offsets of the four exponent ranges: sum_{n=1..e} 2^14 * 10^(n-1). */
static const uint32_t amount_offset[4] = {0, 16384, 180224, 1818624};
static const uint32_t amount_step[4] = {1, 10, 100, 1000};

uint32_t sts_amount_decode(uint16_t field)
{
	unsigned e = field >> 14;

	return amount_step[e] * (field & 0x3FFFu) + amount_offset[e];
}

int64_t sts_tid_to_utc(unsigned base, uint32_t tid)
{
	static const int64_t base_utc[3] = {725846400,	 /* 1993-01-01T00:00:00Z */
					    1388534400,	 /* 2014-01-01T00:00:00Z */
					    2051222400}; /* 2035-01-01T00:00:00Z */

	if (base > STS_BASE_2035)
		return INT64_MIN;
	return base_utc[base] + (int64_t)(tid & STS_TID_MAX) * 60;
}

/* --- decoding ------------------------------------------------------------------------------ */

static const enum sts_unit credit_unit[8] = {
    STS_UNIT_DECI_KWH,	  STS_UNIT_DECI_M3,	STS_UNIT_DECI_M3,     STS_UNIT_DECI_MINUTE,
    STS_UNIT_CURRENCY_E5, STS_UNIT_CURRENCY_E5, STS_UNIT_CURRENCY_E5, STS_UNIT_CURRENCY_E5};

static void decode_register(struct sts_token *t)
{
	t->has_tid = true;
	t->rnd = (uint8_t)((t->block >> 56) & 0xF);
	t->tid = (uint32_t)(t->block >> 32) & STS_TID_MAX;
	t->field = (uint16_t)(t->block >> 16);
	t->amount = t->field;
}

/* Fills the fields; returns false (with out->error) for what this decoder does not support. */
static bool decode_fields(struct sts_result *out)
{
	struct sts_token *t = &out->token;
	uint64_t b = t->block;

	switch (t->token_class) {
	case STS_CLASS_CREDIT:
		if (t->subclass > 7) {
			fail(out, STS_ERR_UNSUPPORTED,
			     "unsupported token: credit subclass %u is reserved", t->subclass);
			return false;
		}
		decode_register(t);
		t->kind = STS_KIND_CREDIT;
		t->amount = sts_amount_decode(t->field);
		t->unit = credit_unit[t->subclass];
		t->utility = (enum sts_utility)(t->subclass & 3);
		return true;
	case STS_CLASS_NON_METER:
		t->kind = STS_KIND_TEST;
		if (t->subclass == 0) {
			t->control = (b >> 24) & (BIT(36) - 1);
			t->mfr_code = (uint16_t)((b >> 16) & 0xFF);
			return true;
		}
		if (t->subclass == 1) {
			t->control = (b >> 32) & (BIT(28) - 1);
			t->mfr_code = (uint16_t)(b >> 16);
			return true;
		}
		fail(out, STS_ERR_UNSUPPORTED,
		     "unsupported token: class 1 subclass %u (only meter test/display 0 and 1)",
		     t->subclass);
		return false;
	case STS_CLASS_MANAGEMENT:
		switch (t->subclass) {
		case 0:
		case 6:
			decode_register(t);
			t->kind = t->subclass == 0 ? STS_KIND_SET_MAX_POWER
						   : STS_KIND_SET_PHASE_UNBALANCE;
			t->amount = sts_amount_decode(t->field);
			t->unit = STS_UNIT_W;
			return true;
		case 1:
		case 2:
		case 5:
		case 7:
			decode_register(t);
			t->kind = t->subclass == 1   ? STS_KIND_CLEAR_CREDIT
				  : t->subclass == 2 ? STS_KIND_SET_TARIFF_RATE
				  : t->subclass == 5 ? STS_KIND_CLEAR_TAMPER
						     : STS_KIND_SET_WATER_FACTOR;
			return true;
		case 3:
			t->kind = STS_KIND_KEY_CHANGE_1;
			t->kct.ken_nibble = (uint8_t)((b >> 56) & 0xF);
			t->kct.krn = (uint8_t)((b >> 52) & 0xF);
			t->kct.rollover = (b >> 51) & 1;
			t->kct.kt = (uint8_t)((b >> 48) & 3);
			t->kct.key_half = (uint32_t)(b >> 16);
			return true;
		case 4:
			t->kind = STS_KIND_KEY_CHANGE_2;
			t->kct.ken_nibble = (uint8_t)((b >> 56) & 0xF);
			t->kct.ti = (uint8_t)(b >> 48);
			t->kct.key_half = (uint32_t)(b >> 16);
			return true;
		case 8:
		case 9:
			fail(out, STS_ERR_UNSUPPORTED,
			     "unsupported token: key change subclass %u is for MISTY1 (EA11) keys",
			     t->subclass);
			return false;
		default:
			fail(out, STS_ERR_UNSUPPORTED,
			     "unsupported token: management subclass %u is not implemented",
			     t->subclass);
			return false;
		}
	default:
		fail(out, STS_ERR_UNSUPPORTED, "unsupported token: class 3 is reserved");
		return false;
	}
}

int sts_decode(const char *text, uint64_t dk, unsigned base, struct sts_result *out)
{
	struct sts_value66 v;
	unsigned token_class;
	uint64_t e;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (base > STS_BASE_2035) {
		fail(out, STS_ERR_ARGUMENT, "unknown base date %u", base);
		return -EINVAL;
	}
	if (sts_parse(text, &v, out->error) < 0) {
		out->status = STS_ERR_FORMAT;
		return -EINVAL;
	}
	e = sts_untranspose(v, &token_class);
	out->token.token_class = (uint8_t)token_class;
	out->token.block = token_class == STS_CLASS_NON_METER ? e : sts_sta_decrypt(e, dk);
	out->token.subclass = (uint8_t)(out->token.block >> 60);
	out->token.crc = (uint16_t)out->token.block;
	if (sts_crc(token_class, out->token.block) != out->token.crc) {
		fail(out, STS_ERR_INVALID,
		     "invalid token: CRC check failed (a mistyped digit, or a token for another "
		     "meter or key)");
		return -EBADMSG;
	}
	if (!decode_fields(out))
		return -ENOTSUP;
	if (out->token.has_tid)
		out->issued_utc = sts_tid_to_utc(base, out->token.tid);
	return 0;
}
