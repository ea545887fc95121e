// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the STS token decoder and meter-side acceptance (daemon/core/sts/) on any
 * text. The key is the decoder key of the reference's vectors (PAN 600727000000000009), so the
 * seed tokens decrypt and pass the CRC and the fuzzer reaches the field decoding and the
 * acceptance rules. The input is split at its first newline: up to two tokens entered in turn
 * into one meter (key change halves, TID memory).
 *
 * Every token that decodes is made again with the vending side (tests/support/sts-vend.c) from
 * its class, subclass and middle bits: it must give the same 20 digits, so the decoder and the
 * encoder stay exact inverses (STA, CRC, transposition, text) on every input the fuzzer finds.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/sts/sts.h"
#include "support/sts-vend.h"

#define DK UINT64_C(0xe653341f9d5bf36f)
#define MIDDLE44(block) (((block) >> 16) & ((UINT64_C(1) << 44) - 1))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[128], back[STS_TOKEN_TEXT_LEN], again[STS_TOKEN_TEXT_LEN];
	struct sts_result result;
	struct sts_value66 value;
	char err[STS_ERROR_LEN];
	struct sts_meter meter;

	if (size >= sizeof(text))
		return -1; /* a token is 20 digits; longer inputs add nothing */
	memcpy(text, data, size);
	text[size] = '\0';

	if (sts_parse(text, &value, err) == 0)
		sts_format(value, back);
	if (sts_decode(text, DK, STS_BASE_1993, &result) == 0) {
		const struct sts_token *t = &result.token;

		if (sts_encode(t->token_class, t->subclass, MIDDLE44(t->block), DK, again) != 0 ||
		    strcmp(again, back) != 0)
			__builtin_trap();
	}
	if (sts_meter_init(&meter, DK, STS_KEN_NO_EXPIRY, STS_BASE_1993, 5000000) != 0)
		return 0;
	char *second = strchr(text, '\n');
	if (second)
		*second++ = '\0';
	sts_accept(&meter, text, 1100000000, &result);
	if (second)
		sts_accept(&meter, second, 1100000300, &result);
	return 0;
}
