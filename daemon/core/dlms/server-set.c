// SPDX-License-Identifier: GPL-2.0-only
/*
 * SET (server.h): normal, with-list, and a value sent in datablocks.
 *
 * Datablocks: Set-Request-With-First-Datablock carries the attribute and block 1, each
 * Set-Request-With-Datablock the next block; the server acknowledges each but the last with
 * Set-Response-Datablock (its number), joins their raw-data up to PM_DLMS_MAX_SET octets and,
 * after the last, sets the attribute to the joined value (which must be exactly one Data) and
 * answers Set-Response-Last-Datablock (result, block number). Refusals during a long SET end it
 * with Set-Response-Last-Datablock: a first block not numbered 1 or a next one not numbered one
 * more than the last (data-block-number-invalid), a datablock with no long SET in progress
 * (no-long-set-in-progress), a value longer than PM_DLMS_MAX_SET (long-set-aborted), a joined
 * value that is not one Data (type-unmatched); an object the directory does not know is
 * refused at the first block (object-undefined). Any other request ends a long SET with nothing
 * set.
 *
 * The directory's set (cosem.h) takes no selector: a SET with access-selection is refused
 * scope-of-access-violated, as cosem.h refuses a selector an attribute does not take.
 */
#include "core/dlms/server-internal.h"

/* One attribute set to the Data @value (@n octets). */
static enum pm_dlms_result set_one(struct pm_dlms_session *s, const struct pm_cosem_request *req,
				   const struct pm_dlms_attr_desc *d, const uint8_t *value,
				   size_t n)
{
	const struct pm_cosem_object *obj;

	if (d->id == 0) /* attribute 0: attribute0-supported-with-SET is not offered */
		return PM_DLMS_READ_WRITE_DENIED;
	if (d->sel.selector)
		return PM_DLMS_SCOPE_OF_ACCESS_VIOLATED;
	if (!(obj = pm_dlms_srv_find(s, req, d)))
		return PM_DLMS_OBJECT_UNDEFINED;
	return s->cfg->ops->set(s->cfg->dir, req, obj, d->id, value, n);
}

/* Whether @p, @n is exactly one Data. */
static bool one_data(const uint8_t *p, size_t n)
{
	struct pm_axdr_in in;

	pm_axdr_in_init(&in, p, n);
	return !pm_axdr_skip_data(&in, PM_DLMS_APDU_MAX_DEPTH) && !pm_axdr_in_left(&in);
}

/* The end of a long SET: the joined value set, Set-Response-Last-Datablock. */
static void finish_long_set(struct pm_dlms_session *s, const struct pm_cosem_request *req,
			    uint8_t invoke, uint32_t block, struct pm_axdr_out *out)
{
	enum pm_dlms_result r = PM_DLMS_TYPE_UNMATCHED;

	if (one_data(s->joined.buf, s->joined.len))
		r = set_one(s, req, &s->set_attr, s->joined.buf, s->joined.len);
	pm_dlms_srv_abandon(s);
	pm_dlms_put_set_response_last_datablock(out, invoke, r, block);
}

/* A refusal that ends the long SET. */
static void refuse_block(struct pm_dlms_session *s, uint8_t invoke, enum pm_dlms_result r,
			 uint32_t block, struct pm_axdr_out *out)
{
	pm_dlms_srv_abandon(s);
	pm_dlms_put_set_response_last_datablock(out, invoke, r, block);
}

/* One block's raw-data joined: false (long SET refused) when it would pass PM_DLMS_MAX_SET. */
static bool join(struct pm_dlms_session *s, const struct pm_dlms_set_request *r,
		 struct pm_axdr_out *out)
{
	pm_axdr_put_raw(&s->joined, r->raw, r->nraw);
	if (!s->joined.overflow)
		return true;
	refuse_block(s, r->invoke, PM_DLMS_LONG_SET_ABORTED, r->block, out);
	return false;
}

static void set_first_block(struct pm_dlms_session *s, const struct pm_cosem_request *req,
			    const struct pm_dlms_set_request *r, struct pm_axdr_out *out)
{
	if (r->block != 1) {
		refuse_block(s, r->invoke, PM_DLMS_DATA_BLOCK_NUMBER_INVALID, r->block, out);
		return;
	}
	if (r->attr.id == 0 || r->attr.sel.selector || !pm_dlms_srv_find(s, req, &r->attr)) {
		/* refused now rather than after the client sent every block */
		refuse_block(s, r->invoke, set_one(s, req, &r->attr, NULL, 0), r->block, out);
		return;
	}
	s->set_attr = r->attr;
	if (!join(s, r, out))
		return;
	if (r->last_block) {
		finish_long_set(s, req, r->invoke, r->block, out);
		return;
	}
	s->long_set = true;
	s->set_block = r->block;
	pm_dlms_put_set_response_datablock(out, r->invoke, r->block);
}

static void set_next_block(struct pm_dlms_session *s, const struct pm_cosem_request *req,
			   const struct pm_dlms_set_request *r, struct pm_axdr_out *out)
{
	if (!s->long_set) {
		refuse_block(s, r->invoke, PM_DLMS_NO_LONG_SET_IN_PROGRESS, r->block, out);
		return;
	}
	if (r->block != s->set_block + 1) {
		refuse_block(s, r->invoke, PM_DLMS_DATA_BLOCK_NUMBER_INVALID, r->block, out);
		return;
	}
	if (!join(s, r, out))
		return;
	s->set_block = r->block;
	if (r->last_block)
		finish_long_set(s, req, r->invoke, r->block, out);
	else
		pm_dlms_put_set_response_datablock(out, r->invoke, r->block);
}

static void set_with_list(struct pm_dlms_session *s, const struct pm_cosem_request *req,
			  const struct pm_dlms_set_request *r, struct pm_axdr_out *out)
{
	struct pm_axdr_in descs, values;
	struct pm_dlms_attr_desc d;
	const uint8_t *value;
	size_t start;
	uint32_t i;

	pm_axdr_in_init(&descs, r->list.p, r->list.len);
	pm_axdr_in_init(&values, r->value, r->nvalue);
	for (i = 0; i < r->list.count; i++) {
		/* both lists validated by the parser */
		pm_dlms_attr_desc_read(&descs, &d);
		start = values.pos;
		pm_axdr_skip_data(&values, PM_DLMS_APDU_MAX_DEPTH);
		value = values.p + start;
		pm_axdr_put_byte(&s->scratch,
				 (uint8_t)set_one(s, req, &d, value, values.pos - start));
	}
	pm_dlms_put_set_response_list(out, r->invoke, s->scratch.buf, s->scratch.len);
	if (s->scratch.overflow || out->len > pm_dlms_srv_pdu(s)) {
		pm_dlms_srv_truncate(out, 0);
		pm_dlms_put_exception_response(out, PM_DLMS_STATE_SERVICE_NOT_ALLOWED,
					       PM_DLMS_SERVICE_PDU_TOO_LONG);
	}
	pm_dlms_srv_abandon(s);
}

void pm_dlms_srv_set(struct pm_dlms_session *s, const struct pm_cosem_meter *meter,
		     const uint8_t *apdu, size_t len, struct pm_axdr_out *out)
{
	struct pm_cosem_request req = pm_dlms_srv_request(s, meter);
	struct pm_dlms_set_request r;
	int status = pm_dlms_set_request_parse(apdu, len, &r);

	/* a SET ends a long GET; anything but the next datablock ends a long SET */
	s->long_get = false;
	if (status || r.kind != PM_DLMS_SET_DATABLOCK)
		pm_dlms_srv_abandon(s);
	if (status) {
		pm_dlms_srv_refuse(out, status);
		return;
	}
	if (!pm_dlms_srv_has(s, PM_DLMS_CONF_SET) ||
	    (r.kind == PM_DLMS_SET_WITH_LIST && !pm_dlms_srv_has(s, PM_DLMS_CONF_MULTIPLE_REFS)) ||
	    ((r.kind == PM_DLMS_SET_FIRST_DATABLOCK || r.kind == PM_DLMS_SET_DATABLOCK) &&
	     !pm_dlms_srv_has(s, PM_DLMS_CONF_BLOCK_SET))) {
		pm_dlms_srv_abandon(s);
		pm_dlms_srv_not_negotiated(out);
		return;
	}
	switch (r.kind) {
	case PM_DLMS_SET_NORMAL:
		pm_dlms_put_set_response_normal(out, r.invoke,
						set_one(s, &req, &r.attr, r.value, r.nvalue));
		break;
	case PM_DLMS_SET_FIRST_DATABLOCK:
		set_first_block(s, &req, &r, out);
		break;
	case PM_DLMS_SET_DATABLOCK:
		set_next_block(s, &req, &r, out);
		break;
	case PM_DLMS_SET_WITH_LIST:
		set_with_list(s, &req, &r, out);
		break;
	}
}
