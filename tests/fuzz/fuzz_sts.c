// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the STS token decoder and meter-side acceptance (daemon/core/sts*.c) on any
 * text. The key is the decoder key of the reference's vectors (PAN 600727000000000009), so the
 * seed tokens decrypt and pass the CRC and the fuzzer reaches the field decoding and the
 * acceptance rules. The input is split at its first newline: up to two tokens entered in turn
 * into one meter (key change halves, TID memory).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/sts/sts.h"

#define DK UINT64_C(0xe653341f9d5bf36f)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[128];
	struct sts_result result;
	struct sts_value66 value;
	char err[STS_ERROR_LEN];
	struct sts_meter meter;

	if (size >= sizeof(text))
		return -1; /* a token is 20 digits; longer inputs add nothing */
	memcpy(text, data, size);
	text[size] = '\0';

	if (sts_parse(text, &value, err) == 0) {
		char back[STS_TOKEN_TEXT_LEN];
		sts_format(value, back);
	}
	sts_decode(text, DK, STS_BASE_1993, &result);
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
