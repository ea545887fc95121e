// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DLMS/COSEM session engine (server.h): one session per connection, its state and the
 * dispatch of each APDU. What each kind of request gets:
 *
 *  - AARQ: an AARE (server-assoc.c), accepted or rejected; a new AARQ ends the association in
 *    place, if any, before it is looked at. RLRQ: an RLRE, and the session is not associated.
 *  - GET, SET, ACTION while associated (and from the SAPs that associated): served
 *    (server-get.c, server-set.c, server-action.c).
 *  - GET, SET, ACTION with no association (or from other SAPs than the association's):
 *    EXCEPTION-Response service-not-allowed / operation-not-possible. Not a close: a client
 *    that sent a request too early may still send an AARQ on the same connection.
 *  - A service or variant the association did not negotiate: EXCEPTION-Response
 *    service-not-allowed / service-not-supported, as Gurux's server answers it
 *    (svr_handleCommand: DLMS_ERROR_CODE_INVALID_COMMAND).
 *  - A request longer than our max-receive-pdu-size: service-not-allowed / pdu-too-long.
 *  - A malformed request: service-not-allowed / other-reason; a CHOICE the standard does not
 *    define: service-unknown / service-not-supported.
 *  - glo- and general-glo-ciphered GET, SET, ACTION: deciphered, served and answered ciphered
 *    in an HLS association (server-hls.c), which takes no other; service-not-allowed /
 *    operation-not-possible elsewhere.
 *  - An APDU the standard defines but this server does not serve (short-name, dedicated-key
 *    ciphering, notifications, general-block-transfer): service-not-allowed /
 *    service-not-supported; an
 *    octet that is no APDU tag at all, or an empty APDU: service-unknown /
 *    service-not-supported.
 *  - PM_DLMS_CLOSE only when the answer does not fit the transport's buffer: nothing
 *    coherent can be sent then.
 *
 * Values of EXCEPTION-Response: the jDLMS ASN.1 of the Green Book (state-error 1
 * service-not-allowed, 2 service-unknown; service-error 1 operation-not-possible, 2
 * service-not-supported, 3 other-reason, 4 pdu-too-long).
 */
#include <stdlib.h>
#include <string.h>

#include "core/dlms/server-internal.h"

struct pm_dlms_session *pm_dlms_session_new(const struct pm_dlms_server_config *cfg)
{
	struct pm_dlms_session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cfg = cfg;
	pm_axdr_out_init_heap(&s->body, PM_DLMS_MAX_RESPONSE);
	pm_axdr_out_init_heap(&s->joined, PM_DLMS_MAX_SET);
	pm_axdr_out_init_heap(&s->scratch, PM_DLMS_MAX_RESPONSE);
	/* a ciphered request is at most what the transport takes; its answer at most the PDU */
	pm_axdr_out_init_heap(&s->plain_req, 0xFFFF);
	pm_axdr_out_init_heap(&s->plain_resp, 0xFFFF);
	return s;
}

void pm_dlms_session_free(struct pm_dlms_session *s)
{
	if (!s)
		return;
	pm_dlms_srv_release(s); /* an HLS association's security given back */
	pm_axdr_out_free(&s->body);
	pm_axdr_out_free(&s->joined);
	pm_axdr_out_free(&s->scratch);
	pm_axdr_out_free(&s->plain_req);
	pm_axdr_out_free(&s->plain_resp);
	free(s);
}

const struct pm_dlms_assoc_info *pm_dlms_session_assoc(const struct pm_dlms_session *s)
{
	return &s->assoc;
}

void pm_dlms_srv_truncate(struct pm_axdr_out *o, size_t mark)
{
	if (mark < o->len)
		o->len = mark;
	o->overflow = false;
}

/* A heap writer emptied; its buffer freed when it grew past what is worth keeping. */
static void shrink(struct pm_axdr_out *o)
{
	size_t max = o->max;

	if (o->cap > PM_DLMS_KEEP_BUFFER) {
		pm_axdr_out_free(o);
		pm_axdr_out_init_heap(o, max);
	}
	pm_axdr_out_reset(o);
}

void pm_dlms_srv_abandon(struct pm_dlms_session *s)
{
	s->long_get = false;
	s->sent = 0;
	s->block = 0;
	s->long_set = false;
	s->set_block = 0;
	shrink(&s->body);
	shrink(&s->joined);
	shrink(&s->scratch);
}

void pm_dlms_srv_refuse(struct pm_axdr_out *out, int status)
{
	switch (status) {
	case PM_DLMS_APDU_UNKNOWN_TAG:
		pm_dlms_put_exception_response(out, PM_DLMS_STATE_SERVICE_UNKNOWN,
					       PM_DLMS_SERVICE_NOT_SUPPORTED);
		break;
	case PM_DLMS_APDU_UNSUPPORTED:
		pm_dlms_put_exception_response(out, PM_DLMS_STATE_SERVICE_NOT_ALLOWED,
					       PM_DLMS_SERVICE_NOT_SUPPORTED);
		break;
	default:
		pm_dlms_put_exception_response(out, PM_DLMS_STATE_SERVICE_NOT_ALLOWED,
					       PM_DLMS_SERVICE_OTHER_REASON);
		break;
	}
}

void pm_dlms_srv_not_negotiated(struct pm_axdr_out *out)
{
	pm_dlms_put_exception_response(out, PM_DLMS_STATE_SERVICE_NOT_ALLOWED,
				       PM_DLMS_SERVICE_NOT_SUPPORTED);
}

/* A GET, SET or ACTION: served when the association allows it. */
void pm_dlms_srv_xdlms(struct pm_dlms_session *s, const struct pm_cosem_meter *meter,
		       uint16_t client_sap, uint16_t server_sap, const uint8_t *apdu, size_t len,
		       struct pm_axdr_out *out)
{
	if (s->assoc.client == PM_DLMS_CLIENT_NONE || client_sap != s->assoc.client_sap ||
	    server_sap != s->assoc.server_sap || s->hls.pending) {
		pm_dlms_put_exception_response(out, PM_DLMS_STATE_SERVICE_NOT_ALLOWED,
					       PM_DLMS_SERVICE_OPERATION_NOT_POSSIBLE);
		return;
	}
	if (len > s->assoc.server_max_pdu) {
		pm_dlms_srv_abandon(s);
		pm_dlms_put_exception_response(out, PM_DLMS_STATE_SERVICE_NOT_ALLOWED,
					       PM_DLMS_SERVICE_PDU_TOO_LONG);
		return;
	}
	switch (apdu[0]) {
	case PM_DLMS_APDU_GET_REQUEST:
		pm_dlms_srv_get(s, meter, apdu, len, out);
		break;
	case PM_DLMS_APDU_SET_REQUEST:
		pm_dlms_srv_set(s, meter, apdu, len, out);
		break;
	default:
		pm_dlms_srv_action(s, meter, apdu, len, out);
		break;
	}
}

enum pm_dlms_verdict pm_dlms_session_apdu(struct pm_dlms_session *s,
					  const struct pm_cosem_meter *meter, uint16_t client_sap,
					  uint16_t server_sap, const uint8_t *apdu, size_t len,
					  struct pm_axdr_out *out)
{
	pm_axdr_out_reset(out);
	s->close = false;
	if (!apdu || !len) {
		pm_dlms_srv_refuse(out, PM_DLMS_APDU_UNKNOWN_TAG);
	} else {
		switch (apdu[0]) {
		case PM_DLMS_APDU_AARQ:
			pm_dlms_srv_aarq(s, client_sap, server_sap, apdu, len, out);
			break;
		case PM_DLMS_APDU_RLRQ:
			pm_dlms_srv_rlrq(s, apdu, len, out);
			break;
		case PM_DLMS_APDU_GET_REQUEST:
		case PM_DLMS_APDU_SET_REQUEST:
		case PM_DLMS_APDU_ACTION_REQUEST:
			/* an HLS association takes ciphered requests only (server-hls.c) */
			if (s->hls.ciphered)
				pm_dlms_put_exception_response(
				    out, PM_DLMS_STATE_SERVICE_NOT_ALLOWED,
				    PM_DLMS_SERVICE_OPERATION_NOT_POSSIBLE);
			else
				pm_dlms_srv_xdlms(s, meter, client_sap, server_sap, apdu, len, out);
			break;
		case PM_DLMS_APDU_GLO_GET_REQUEST:
		case PM_DLMS_APDU_GLO_SET_REQUEST:
		case PM_DLMS_APDU_GLO_ACTION_REQUEST:
		case PM_DLMS_APDU_GENERAL_GLO_CIPHERING:
			pm_dlms_srv_ciphered(s, meter, client_sap, server_sap, apdu, len, out);
			break;
		default:
			pm_dlms_srv_refuse(out, pm_dlms_apdu_tag_is_defined(apdu[0])
						    ? PM_DLMS_APDU_UNSUPPORTED
						    : PM_DLMS_APDU_UNKNOWN_TAG);
			break;
		}
	}
	if (out->overflow || s->close) {
		pm_axdr_out_reset(out);
		return PM_DLMS_CLOSE;
	}
	return PM_DLMS_ANSWER;
}
