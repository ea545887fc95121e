// SPDX-License-Identifier: GPL-2.0-only
/* The Modbus TCP server (see modbus-tcp.h): MBAP framing over the stream server. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "views/modbus/modbus-tcp.h"
#include "views/net/stream-server.h"

#define MBAP_HEADER 7 /* transaction id, protocol id, length, unit id */
#define ADU_MAX (MBAP_HEADER - 1 + 1 + PM_MB_MAX_PDU) /* 260 */
#define OUT_MAX (4 * ADU_MAX)			      /* answers waiting for a slow reader */
#define UNIT_NONSIGNIFICANT 0xFF /* "the server itself" (Modbus TCP implementation guide) */

struct pm_mbtcp {
	const struct pm_mb_map *map;
	const struct pm_snapshot *snap;
	struct pm_mb_image image; /* of snap, rebuilt when it changes: every master reads it */
	struct pm_stream_server *net;
};

void pm_mbtcp_config_default(struct pm_stream_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->port = PM_MBTCP_DEFAULT_PORT;
	cfg->listen_fd = -1;
	cfg->max_conn = PM_MBTCP_DEFAULT_MAX_CONN;
	cfg->idle_usec = PM_MBTCP_DEFAULT_IDLE_USEC;
	cfg->header_usec = PM_MBTCP_DEFAULT_HEADER_USEC;
}

/* Classifies the bytes at @a; a complete request's length in *len. */
static enum pm_stream_head mbap_head(void *data, const uint8_t *a, size_t n, size_t *len)
{
	unsigned proto, mlen;

	(void)data;
	if (n == 0)
		return PM_STREAM_EMPTY;
	if (n < 6)
		return PM_STREAM_PARTIAL;
	/* protocol id and length are known from the sixth byte: a bad one is refused at once */
	proto = (unsigned)a[2] << 8 | a[3];
	mlen = (unsigned)a[4] << 8 | a[5];
	if (proto != 0 || mlen < 2 || mlen > 1 + PM_MB_MAX_PDU)
		return PM_STREAM_BAD;
	*len = 6 + mlen;
	return n < *len ? PM_STREAM_PARTIAL : PM_STREAM_COMPLETE;
}

/* Answers one complete ADU (header + PDU). */
static size_t mbap_answer(void *data, void *conn, const uint8_t *adu, size_t len, uint8_t *o,
			  bool *close_after)
{
	struct pm_mbtcp *srv = data;
	const struct pm_mb_map *map = srv->map;
	size_t n;

	(void)conn;
	(void)close_after;
	memcpy(o, adu, 4); /* transaction id, protocol id */
	o[6] = adu[6];	   /* unit id echoed */
	if (adu[6] != map->cfg.unit_id && adu[6] != UNIT_NONSIGNIFICANT) {
		o[7] = (uint8_t)(adu[7] | 0x80);
		o[8] = PM_MB_EX_GATEWAY_TARGET;
		n = 2;
	} else {
		n = pm_mb_map_answer(map, &srv->image, srv->snap, adu + MBAP_HEADER,
				     len - MBAP_HEADER, o + MBAP_HEADER);
	}
	o[4] = (uint8_t)((n + 1) >> 8);
	o[5] = (uint8_t)(n + 1);
	return MBAP_HEADER + n;
}

static const struct pm_stream_protocol mbap = {
    .name = "modbus-tcp",
    .frame_max = ADU_MAX,
    .answer_max = ADU_MAX,
    .out_max = OUT_MAX,
    .head = mbap_head,
    .answer = mbap_answer,
};

int pm_mbtcp_check_address(const char *address)
{
	return pm_stream_check_address(address);
}

int pm_mbtcp_new(sd_event *event, const struct pm_mb_map *map, const struct pm_snapshot *snap,
		 const struct pm_stream_config *cfg, struct pm_mbtcp **out)
{
	struct pm_mbtcp *srv = calloc(1, sizeof(*srv));
	int r;

	if (!srv)
		return -ENOMEM;
	srv->map = map;
	srv->snap = snap;
	pm_mb_image_init(&srv->image);
	r = pm_stream_server_new(event, &mbap, srv, cfg, &srv->net);
	if (r < 0) {
		free(srv);
		return r;
	}
	*out = srv;
	return 0;
}

struct pm_mbtcp *pm_mbtcp_free(struct pm_mbtcp *srv)
{
	if (srv) {
		pm_stream_server_free(srv->net);
		free(srv);
	}
	return NULL;
}

int pm_mbtcp_port(const struct pm_mbtcp *srv)
{
	return pm_stream_server_port(srv->net);
}

unsigned pm_mbtcp_connections(const struct pm_mbtcp *srv)
{
	return pm_stream_server_connections(srv->net);
}

int pm_mbtcp_activated_fd(const char *name)
{
	return pm_stream_activated_fd(name);
}
