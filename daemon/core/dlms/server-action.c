// SPDX-License-Identifier: GPL-2.0-only
/*
 * ACTION (server.h): normal and with-list, parameters optional, return data optional.
 *
 * This server does not offer block-transfer-with-action, so an answer must fit the negotiated
 * PDU (pm_dlms_srv_pdu). The method has run by the time its return data is known: a normal ACTION
 * whose return data does not fit is answered other-reason without it (the client learns the method
 * ran but its result was lost); a with-list answer that does not fit, an EXCEPTION-Response
 * pdu-too-long.
 */
#include "core/dlms/server-internal.h"

/* An ACTION-Response's head: C7, the CHOICE, invoke-id-and-priority. */
#define ACTION_HEAD 3

/*
 * One method invoked; its Action-Response-With-Optional-Data appended to @o in @room octets at
 * most: result, the presence of return-parameters, the data choice, the Data (a return data
 * that does not fit is dropped, other-reason).
 */
static void action_one(struct pm_dlms_session *s, const struct pm_cosem_request *req,
		       const struct pm_dlms_attr_desc *d, const uint8_t *param, size_t n,
		       size_t room, struct pm_axdr_out *o)
{
	const struct pm_cosem_object *obj = pm_dlms_srv_find(s, req, d);
	enum pm_dlms_result r = PM_DLMS_OBJECT_UNDEFINED;

	pm_axdr_out_reset(&s->scratch);
	if (obj) {
		r = s->cfg->ops->action(s->cfg->dir, req, obj, d->id, param, n, &s->scratch);
		if (r == PM_DLMS_SUCCESS && (s->scratch.overflow || s->scratch.len + 3 > room))
			r = PM_DLMS_OTHER_REASON;
	}
	if (r == PM_DLMS_SUCCESS && s->scratch.len)
		pm_dlms_put_action_result(o, r, s->scratch.buf, s->scratch.len);
	else
		pm_dlms_put_action_result(o, r, NULL, 0);
}

static void action_with_list(struct pm_dlms_session *s, const struct pm_cosem_request *req,
			     const struct pm_dlms_action_request *r, struct pm_axdr_out *out)
{
	struct pm_axdr_in descs, params;
	struct pm_dlms_attr_desc d;
	size_t start, n, room = pm_dlms_srv_pdu(s);
	uint32_t i;

	pm_axdr_put_byte(out, PM_DLMS_APDU_ACTION_RESPONSE);
	pm_axdr_put_byte(out, PM_DLMS_ACTION_WITH_LIST);
	pm_axdr_put_byte(out, r->invoke);
	pm_axdr_put_length(out, r->list.count);
	pm_axdr_in_init(&descs, r->list.p, r->list.len);
	pm_axdr_in_init(&params, r->param, r->nparam);
	for (i = 0; i < r->list.count; i++) {
		/* both lists validated by the parser; a parameter of one octet is null-data,
		 * which the list puts where a method takes none */
		pm_dlms_method_desc_read(&descs, &d);
		start = params.pos;
		pm_axdr_skip_data(&params, PM_DLMS_APDU_MAX_DEPTH);
		n = params.pos - start;
		action_one(s, req, &d, n == 1 ? NULL : params.p + start, n == 1 ? 0 : n,
			   room > out->len ? room - out->len : 0, out);
	}
	if (out->overflow || out->len > pm_dlms_srv_pdu(s)) {
		pm_dlms_srv_truncate(out, 0);
		pm_dlms_put_exception_response(out, PM_DLMS_STATE_SERVICE_NOT_ALLOWED,
					       PM_DLMS_SERVICE_PDU_TOO_LONG);
	}
}

void pm_dlms_srv_action(struct pm_dlms_session *s, const struct pm_cosem_meter *meter,
			const uint8_t *apdu, size_t len, struct pm_axdr_out *out)
{
	struct pm_cosem_request req = pm_dlms_srv_request(s, meter);
	struct pm_dlms_action_request r;
	int status = pm_dlms_action_request_parse(apdu, len, &r);

	pm_dlms_srv_abandon(s);
	if (status) {
		pm_dlms_srv_refuse(out, status);
		return;
	}
	if (!pm_dlms_srv_has(s, PM_DLMS_CONF_ACTION) ||
	    (r.kind == PM_DLMS_ACTION_WITH_LIST &&
	     !pm_dlms_srv_has(s, PM_DLMS_CONF_MULTIPLE_REFS))) {
		pm_dlms_srv_not_negotiated(out);
		return;
	}
	if (r.kind == PM_DLMS_ACTION_WITH_LIST) {
		action_with_list(s, &req, &r, out);
	} else {
		pm_axdr_put_byte(out, PM_DLMS_APDU_ACTION_RESPONSE);
		pm_axdr_put_byte(out, PM_DLMS_ACTION_NORMAL);
		pm_axdr_put_byte(out, r.invoke);
		action_one(s, &req, &r.method, r.param, r.nparam, pm_dlms_srv_pdu(s) - ACTION_HEAD,
			   out);
	}
	pm_dlms_srv_abandon(s);
}
