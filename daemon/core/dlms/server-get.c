// SPDX-License-Identifier: GPL-2.0-only
/*
 * GET (server.h): normal, with-list, and the block transfer of an answer longer than the
 * negotiated PDU (the client's max-receive-pdu-size, capped at ours: pm_dlms_srv_pdu).
 *
 * The whole answer is built first (the attribute's Data for a normal GET, the SEQUENCE OF
 * Get-Data-Result for a with-list one), up to PM_DLMS_MAX_RESPONSE octets. When its
 * Get-Response does not fit the PDU it goes out as Get-Response-With-Datablock:
 * raw-data of blocks 1, 2, ... each as large as the PDU allows, the client acknowledging each
 * with Get-Request-Next naming the block it got (the reference's capture: C0 02 C1 00 00 00 01
 * after block 1). A Get-Request-Next naming another block than the last one sent is answered
 * data-block-number-invalid and ends the long GET; one with no long GET in progress,
 * no-long-get-in-progress (both in a Get-Response-With-Datablock with last-block set, as
 * Gurux's server answers them). Any other request ends a long GET.
 *
 * Without block-transfer-with-get negotiated, an answer too long for the PDU is
 * data-access-result other-reason, as cosem.h has it for an answer too long even for blocks.
 * An attribute whose Data overflows PM_DLMS_MAX_RESPONSE is other-reason too.
 */
#include "core/dlms/server-internal.h"

/* A Get-Response's head: C4, the CHOICE, invoke-id-and-priority. */
#define GET_HEAD 3

const struct pm_cosem_object *pm_dlms_srv_find(const struct pm_dlms_session *s,
					       const struct pm_cosem_request *req,
					       const struct pm_dlms_attr_desc *d)
{
	return s->cfg->ops->find(s->cfg->dir, req, d->class_id, d->ln);
}

/*
 * One attribute's Get-Data-Result appended to @o: the data choice and the Data, or the
 * data-access-result. Returns what it was.
 */
static enum pm_dlms_result get_one(struct pm_dlms_session *s, const struct pm_cosem_request *req,
				   const struct pm_dlms_attr_desc *d, struct pm_axdr_out *o)
{
	const struct pm_cosem_object *obj;
	enum pm_dlms_result r;
	size_t mark = o->len;

	if (d->id == 0) {
		/* attribute 0 (all attributes) needs attribute0-supported-with-GET, which this
		 * server does not offer */
		r = PM_DLMS_READ_WRITE_DENIED;
	} else if (!(obj = pm_dlms_srv_find(s, req, d))) {
		r = PM_DLMS_OBJECT_UNDEFINED;
	} else {
		pm_axdr_put_byte(o, 0); /* data [0], taken back below on a refusal */
		r = s->cfg->ops->get(s->cfg->dir, req, obj, d->id, &d->sel, o);
		if (r == PM_DLMS_SUCCESS && !o->overflow)
			return r;
		if (r == PM_DLMS_SUCCESS)
			r = PM_DLMS_OTHER_REASON; /* longer than even block transfer carries */
	}
	pm_dlms_srv_truncate(o, mark);
	pm_dlms_put_get_data_result(o, r, NULL, 0);
	return r;
}

/* The next block of the long GET. */
static void send_block(struct pm_dlms_session *s, uint8_t invoke, struct pm_axdr_out *out)
{
	size_t room = pm_dlms_get_block_room(pm_dlms_srv_pdu(s));
	size_t left = s->body.len - s->sent;
	size_t n = left < room ? left : room;
	bool last = n == left;

	s->block++;
	pm_dlms_put_get_response_block(out, invoke, last, s->block, PM_DLMS_SUCCESS,
				       s->body.buf + s->sent, n);
	s->sent += n;
	if (last)
		pm_dlms_srv_abandon(s);
}

/*
 * A with-list answered with other-reason for every element (an answer too long for the PDU
 * without block transfer, or beyond PM_DLMS_MAX_RESPONSE); an EXCEPTION-Response pdu-too-long
 * when even that does not fit the PDU.
 */
static void refuse_list(struct pm_dlms_session *s, uint8_t invoke, uint32_t count,
			struct pm_axdr_out *out)
{
	size_t mark = out->len;
	uint32_t i;

	pm_axdr_put_byte(out, PM_DLMS_APDU_GET_RESPONSE);
	pm_axdr_put_byte(out, PM_DLMS_GET_WITH_LIST);
	pm_axdr_put_byte(out, invoke);
	pm_axdr_put_length(out, count);
	for (i = 0; i < count && !out->overflow; i++)
		pm_dlms_put_get_data_result(out, PM_DLMS_OTHER_REASON, NULL, 0);
	if (out->overflow || out->len - mark > pm_dlms_srv_pdu(s)) {
		pm_dlms_srv_truncate(out, mark);
		pm_dlms_put_exception_response(out, PM_DLMS_STATE_SERVICE_NOT_ALLOWED,
					       PM_DLMS_SERVICE_PDU_TOO_LONG);
	}
}

/*
 * The answer in s->body: whole when its Get-Response fits the PDU, else in blocks.
 * @count: a with-list's element count (the body is its SEQUENCE OF Get-Data-Result); 0 for a
 * normal GET, whose body is the data choice octet then the Data, and whose blocks carry the
 * Data alone (raw-data).
 */
static void answer(struct pm_dlms_session *s, uint8_t invoke, uint32_t count,
		   struct pm_axdr_out *out)
{
	bool normal = count == 0;

	if (s->body.overflow) { /* the heap refused even a data-access-result */
		pm_dlms_srv_abandon(s);
		if (normal)
			pm_dlms_put_get_response_normal(out, invoke, PM_DLMS_OTHER_REASON, NULL, 0);
		else
			refuse_list(s, invoke, count, out);
		return;
	}
	if (GET_HEAD + s->body.len <= pm_dlms_srv_pdu(s)) {
		pm_axdr_put_byte(out, PM_DLMS_APDU_GET_RESPONSE);
		pm_axdr_put_byte(out, normal ? PM_DLMS_GET_NORMAL : PM_DLMS_GET_WITH_LIST);
		pm_axdr_put_byte(out, invoke);
		pm_axdr_put_raw(out, s->body.buf, s->body.len);
		pm_dlms_srv_abandon(s);
		return;
	}
	if (!pm_dlms_srv_has(s, PM_DLMS_CONF_BLOCK_GET)) {
		pm_dlms_srv_abandon(s);
		if (normal)
			pm_dlms_put_get_response_normal(out, invoke, PM_DLMS_OTHER_REASON, NULL, 0);
		else
			refuse_list(s, invoke, count, out);
		return;
	}
	s->long_get = true;
	s->sent = normal ? 1 : 0;
	s->block = 0;
	send_block(s, invoke, out);
}

static void get_normal(struct pm_dlms_session *s, const struct pm_cosem_request *req,
		       const struct pm_dlms_get_request *r, struct pm_axdr_out *out)
{
	enum pm_dlms_result result;

	if (r->attr.sel.selector && !pm_dlms_srv_has(s, PM_DLMS_CONF_SELECTIVE_ACCESS)) {
		pm_dlms_srv_not_negotiated(out);
		return;
	}
	result = get_one(s, req, &r->attr, &s->body);
	if (result != PM_DLMS_SUCCESS) {
		pm_dlms_srv_abandon(s);
		pm_dlms_put_get_response_normal(out, r->invoke, result, NULL, 0);
		return;
	}
	answer(s, r->invoke, 0, out);
}

static void get_with_list(struct pm_dlms_session *s, const struct pm_cosem_request *req,
			  const struct pm_dlms_get_request *r, struct pm_axdr_out *out)
{
	struct pm_dlms_attr_desc d;
	struct pm_axdr_in in;
	uint32_t i;

	if (!pm_dlms_srv_has(s, PM_DLMS_CONF_MULTIPLE_REFS)) {
		pm_dlms_srv_not_negotiated(out);
		return;
	}
	pm_axdr_in_init(&in, r->list.p, r->list.len);
	for (i = 0; i < r->list.count; i++) {
		pm_dlms_attr_desc_read(&in, &d); /* validated by the parser */
		if (d.sel.selector && !pm_dlms_srv_has(s, PM_DLMS_CONF_SELECTIVE_ACCESS)) {
			pm_dlms_srv_not_negotiated(out);
			return;
		}
	}
	pm_axdr_put_length(&s->body, r->list.count);
	pm_axdr_in_init(&in, r->list.p, r->list.len);
	for (i = 0; i < r->list.count; i++) {
		pm_dlms_attr_desc_read(&in, &d);
		get_one(s, req, &d, &s->body);
	}
	if (!r->list.count) {
		pm_dlms_put_get_response_list(out, r->invoke, s->body.buf, s->body.len);
		pm_dlms_srv_abandon(s);
		return;
	}
	answer(s, r->invoke, r->list.count, out);
}

/* Get-Request-Next: the block after the one the client names. */
static void get_next(struct pm_dlms_session *s, const struct pm_dlms_get_request *r,
		     struct pm_axdr_out *out)
{
	if (!pm_dlms_srv_has(s, PM_DLMS_CONF_BLOCK_GET)) {
		pm_dlms_srv_not_negotiated(out);
		return;
	}
	if (!s->long_get) {
		pm_dlms_put_get_response_block(out, r->invoke, true, r->block,
					       PM_DLMS_NO_LONG_GET_IN_PROGRESS, NULL, 0);
		return;
	}
	if (r->block != s->block) {
		pm_dlms_srv_abandon(s);
		pm_dlms_put_get_response_block(out, r->invoke, true, r->block,
					       PM_DLMS_DATA_BLOCK_NUMBER_INVALID, NULL, 0);
		return;
	}
	send_block(s, r->invoke, out);
}

void pm_dlms_srv_get(struct pm_dlms_session *s, const struct pm_cosem_meter *meter,
		     const uint8_t *apdu, size_t len, struct pm_axdr_out *out)
{
	struct pm_cosem_request req = pm_dlms_srv_request(s, meter);
	struct pm_dlms_get_request r;
	int status = pm_dlms_get_request_parse(apdu, len, &r);

	if (status) {
		pm_dlms_srv_abandon(s);
		pm_dlms_srv_refuse(out, status);
		return;
	}
	if (r.kind == PM_DLMS_GET_NEXT) {
		get_next(s, &r, out);
		return;
	}
	/* a new GET ends a long one */
	pm_dlms_srv_abandon(s);
	if (!pm_dlms_srv_has(s, PM_DLMS_CONF_GET)) {
		pm_dlms_srv_not_negotiated(out);
		return;
	}
	if (r.kind == PM_DLMS_GET_NORMAL)
		get_normal(s, &req, &r, out);
	else
		get_with_list(s, &req, &r, out);
}
