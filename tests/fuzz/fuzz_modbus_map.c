// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: Modbus request handling of the pure map (daemon/core/proto/modbus-map.c). The
 * first byte chooses the map's configuration (base address, models, SDM630 view, writes); the
 * rest is one request PDU (function code + data) answered from a snapshot with every point
 * valid. Checks the contract of pm_mb_map_handle_pdu(): a response of 2..PM_MB_MAX_PDU bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/proto/modbus-map.h"
#include "core/model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pm_snapshot snap;
	static bool ready;
	static const uint16_t bases[4] = {0, 40000, 50000, 40000};
	struct pm_mb_config cfg;
	struct pm_mb_map map;
	const char *why;
	uint8_t resp[PM_MB_MAX_PDU + 16];

	if (!ready) {
		if (pm_snapshot_init(&snap) != 0)
			return 0;
		for (size_t i = 0; i < pm_point_count; i++) {
			snap.value[i] = (int64_t)i * 7919 - 100000;
			snap.valid[i] = i % 5 != 0;
		}
		snap.seq = 42;
		ready = true;
	}
	if (size < 1)
		return 0;
	pm_mb_config_default(&cfg);
	cfg.base = bases[data[0] & 3];
	cfg.model_203 = !(data[0] & 4);
	cfg.model_213 = (data[0] & 8) || !cfg.model_203;
	cfg.sdm630 = data[0] & 16;
	cfg.writes = data[0] & 32;
	if (pm_mb_map_init(&map, &cfg, &why) != 0)
		return 0;
	size_t n =
	    pm_mb_map_handle_pdu(&map, (data[0] & 64) ? NULL : &snap, data + 1, size - 1, resp);
	if (n < 2 || n > PM_MB_MAX_PDU)
		__builtin_trap();
	return 0;
}
