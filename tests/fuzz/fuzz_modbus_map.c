// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: Modbus request handling of the pure map (daemon/core/proto/modbus-map.c). The
 * first byte chooses the map's configuration (base address, models, SDM630 view, writes); the
 * rest is one request PDU (function code + data) answered from a snapshot with every point
 * valid. Checks the contract of pm_mb_map_handle_pdu(): a response of 2..PM_MB_MAX_PDU bytes.
 *
 * The map of each configuration is laid out once, on its first input, and kept: pm_mb_map_init()
 * looks each of its ~250 SunSpec and SDM630 fields up by name, a linear search over the 73 points
 * (some 10 000 strcmp, each traced by libFuzzer's value profile): 98 % of an input's time, and its
 * result depends on the configuration byte alone. pm_mb_map_handle_pdu() reads the map through a
 * const pointer, so a kept map is the one a fresh init gives. Each map is a heap block of its own,
 * so ASan still sees a read past its end.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/proto/modbus-map.h"
#include "core/model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The map of configuration byte @c (bit 6, no snapshot, is not part of it), laid out on first
 * use; NULL when pm_mb_map_init() refuses the configuration. */
static const struct pm_mb_map *map_for(uint8_t c)
{
	static const uint16_t bases[4] = {0, 40000, 50000, 40000};
	static struct pm_mb_map *maps[64];
	static bool tried[64];
	struct pm_mb_config cfg;
	const char *why;

	c &= 63;
	if (tried[c])
		return maps[c];
	tried[c] = true;
	pm_mb_config_default(&cfg);
	cfg.base = bases[c & 3];
	cfg.model_203 = !(c & 4);
	cfg.model_213 = (c & 8) || !cfg.model_203;
	cfg.sdm630 = c & 16;
	cfg.writes = c & 32;
	maps[c] = malloc(sizeof(*maps[c]));
	if (!maps[c])
		__builtin_trap();
	if (pm_mb_map_init(maps[c], &cfg, &why) != 0) {
		free(maps[c]);
		maps[c] = NULL;
	}
	return maps[c];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pm_snapshot snap;
	static bool ready;
	const struct pm_mb_map *map;
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
	map = map_for(data[0]);
	if (!map)
		return 0;
	size_t n =
	    pm_mb_map_handle_pdu(map, (data[0] & 64) ? NULL : &snap, data + 1, size - 1, resp);
	if (n < 2 || n > PM_MB_MAX_PDU)
		__builtin_trap();
	return 0;
}
