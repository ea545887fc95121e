// SPDX-License-Identifier: GPL-2.0-only
/* The DLMS/COSEM wrapper over TCP (see dlms-tcp.h). */
#include <errno.h>
#include <stdlib.h>

#include "common/log.h"
#include "views/dlms/dlms-tcp.h"
#include "views/net/stream-server.h"

/* The longest APDU we answer with: a client may take up to 0xFFFF octets (its
 * max-receive-pdu-size); longer answers go out in blocks (the session's business). */
#define ANSWER_APDU_MAX 0xFFFF

struct pm_dlms_tcp {
	const struct pm_dlms_server_config *server;
	pm_dlms_meter_fn meter;
	void *data;
	struct pm_stream_protocol proto;
	struct pm_stream_server *net;
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static size_t max_apdu(const struct pm_dlms_server_config *server)
{
	return server->max_pdu ? server->max_pdu : PM_DLMS_SERVER_MAX_PDU;
}

/* Wrapper framing: an APDU longer than we announced is a client that ignores the
 * negotiation, or a length that lies. */
static enum pm_stream_head wrapper_head(void *data, const uint8_t *a, size_t n, size_t *len)
{
	const struct pm_dlms_tcp *srv = data;
	size_t apdu;

	if (n == 0)
		return PM_STREAM_EMPTY;
	if (n >= 2 && be16(a) != PM_DLMS_WRAPPER_VERSION)
		return PM_STREAM_BAD; /* not a wrapper: the stream cannot be resynchronised */
	if (n < PM_DLMS_WRAPPER_HEADER)
		return PM_STREAM_PARTIAL;
	apdu = be16(a + 6);
	if (apdu == 0 || apdu > max_apdu(srv->server))
		return PM_STREAM_BAD;
	*len = PM_DLMS_WRAPPER_HEADER + apdu;
	return n < *len ? PM_STREAM_PARTIAL : PM_STREAM_COMPLETE;
}

static int wrapper_open(void *data, void **conn)
{
	struct pm_dlms_tcp *srv = data;

	*conn = pm_dlms_session_new(srv->server);
	return *conn ? 0 : -ENOMEM;
}

static void wrapper_close(void *data, void *conn)
{
	(void)data;
	pm_dlms_session_free(conn);
}

static size_t wrapper_answer(void *data, void *conn, const uint8_t *req, size_t len, uint8_t *o,
			     bool *close_after)
{
	struct pm_dlms_tcp *srv = data;
	uint16_t client = be16(req + 2), server = be16(req + 4);
	struct pm_axdr_out out;
	enum pm_dlms_verdict v;

	pm_axdr_out_init(&out, o + PM_DLMS_WRAPPER_HEADER, ANSWER_APDU_MAX);
	v = pm_dlms_session_apdu(conn, srv->meter(srv->data), client, server,
				 req + PM_DLMS_WRAPPER_HEADER, len - PM_DLMS_WRAPPER_HEADER, &out);
	if (v == PM_DLMS_CLOSE)
		*close_after = true;
	if (out.overflow || out.len == 0) {
		if (out.overflow) {
			log_warning("dlms-tcp: an answer to SAP %u did not fit 64 KiB: closing",
				    client);
			*close_after = true;
		}
		return 0;
	}
	o[0] = 0;
	o[1] = PM_DLMS_WRAPPER_VERSION;
	o[2] = (uint8_t)(server >> 8); /* from the wPort the client addressed */
	o[3] = (uint8_t)server;
	o[4] = (uint8_t)(client >> 8);
	o[5] = (uint8_t)client;
	o[6] = (uint8_t)(out.len >> 8);
	o[7] = (uint8_t)out.len;
	return PM_DLMS_WRAPPER_HEADER + out.len;
}

int pm_dlms_tcp_new(sd_event *event, const struct pm_dlms_server_config *server,
		    pm_dlms_meter_fn meter, void *data, const struct pm_stream_config *cfg,
		    struct pm_dlms_tcp **out)
{
	struct pm_dlms_tcp *srv = calloc(1, sizeof(*srv));
	int r;

	if (!srv)
		return -ENOMEM;
	srv->server = server;
	srv->meter = meter;
	srv->data = data;
	srv->proto = (struct pm_stream_protocol){
	    .name = "dlms-tcp",
	    .frame_max = PM_DLMS_WRAPPER_HEADER + max_apdu(server),
	    .answer_max = PM_DLMS_WRAPPER_HEADER + ANSWER_APDU_MAX,
	    .out_max = PM_DLMS_WRAPPER_HEADER + ANSWER_APDU_MAX,
	    .head = wrapper_head,
	    .open = wrapper_open,
	    .close = wrapper_close,
	    .answer = wrapper_answer,
	};
	r = pm_stream_server_new(event, &srv->proto, srv, cfg, &srv->net);
	if (r < 0) {
		free(srv);
		return r;
	}
	*out = srv;
	return 0;
}

struct pm_dlms_tcp *pm_dlms_tcp_free(struct pm_dlms_tcp *srv)
{
	if (srv) {
		pm_stream_server_free(srv->net);
		free(srv);
	}
	return NULL;
}

int pm_dlms_tcp_port(const struct pm_dlms_tcp *srv)
{
	return pm_stream_server_port(srv->net);
}
