// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: every APDU parser of daemon/core/dlms/apdu.c on the whole input. Besides
 * not crashing: a parser answers one of its statuses; what it accepted points inside the
 * input; a list it accepted reads back element by element to its recorded end; a Data it
 * accepted (selective-access parameters, SET values, ACTION parameters) skips as one whole
 * Data. The response writers run on fields taken from the input, into a buffer they must not
 * overflow.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/dlms/apdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *in_start, *in_end;

/* @p, @n lies inside the input (or is empty). */
static void inside(const uint8_t *p, size_t n)
{
	if (!n)
		return;
	if (!p || p < in_start || p + n > in_end)
		__builtin_trap();
}

static void check_status(int rc)
{
	if (rc != PM_DLMS_APDU_OK && rc != PM_DLMS_APDU_MALFORMED &&
	    rc != PM_DLMS_APDU_UNKNOWN_TAG && rc != PM_DLMS_APDU_UNSUPPORTED)
		__builtin_trap();
	if (!pm_dlms_apdu_status_str(rc)[0])
		__builtin_trap();
}

/* @p, @n is exactly @count Data. */
static void check_data(const uint8_t *p, size_t n, uint32_t count)
{
	struct pm_axdr_in in;

	inside(p, n);
	pm_axdr_in_init(&in, p, n);
	for (; count; count--)
		if (pm_axdr_skip_data(&in, PM_DLMS_APDU_MAX_DEPTH))
			__builtin_trap();
	if (pm_axdr_in_left(&in))
		__builtin_trap();
}

static void check_list(const struct pm_dlms_desc_list *l, bool methods)
{
	struct pm_dlms_attr_desc d;
	struct pm_axdr_in in;
	uint32_t i;

	inside(l->p, l->len);
	pm_axdr_in_init(&in, l->p, l->len);
	for (i = 0; i < l->count; i++) {
		if (methods ? pm_dlms_method_desc_read(&in, &d) : pm_dlms_attr_desc_read(&in, &d))
			__builtin_trap();
		if (d.sel.selector)
			check_data(d.sel.param, d.sel.nparam, 1);
	}
	if (pm_axdr_in_left(&in))
		__builtin_trap();
}

static void parse_acse(const uint8_t *data, size_t size)
{
	struct pm_dlms_aarq a;
	struct pm_dlms_initiate_request ir;
	struct pm_dlms_rlrq rl;
	int rc;

	rc = pm_dlms_aarq_parse(data, size, &a);
	check_status(rc);
	if (rc == PM_DLMS_APDU_OK) {
		inside(a.context, a.ncontext);
		inside(a.mechanism, a.nmechanism);
		inside(a.calling_ap_title, a.ncalling_ap_title);
		inside(a.auth_value, a.nauth_value);
		inside(a.user_info, a.nuser_info);
		(void)pm_dlms_oid_id(a.context, a.ncontext, 1);
		(void)pm_dlms_oid_id(a.mechanism, a.nmechanism, 2);
		rc = pm_dlms_initiate_request_parse(a.user_info, a.nuser_info, &ir);
		check_status(rc);
		if (rc == PM_DLMS_APDU_OK)
			inside(ir.dedicated_key, ir.ndedicated_key);
	}
	rc = pm_dlms_initiate_request_parse(data, size, &ir);
	check_status(rc);
	check_status(pm_dlms_rlrq_parse(data, size, &rl));
}

static void parse_xdlms(const uint8_t *data, size_t size)
{
	struct pm_dlms_get_request g;
	struct pm_dlms_set_request s;
	struct pm_dlms_action_request a;
	int rc;

	rc = pm_dlms_get_request_parse(data, size, &g);
	check_status(rc);
	if (rc == PM_DLMS_APDU_OK && g.kind == PM_DLMS_GET_NORMAL && g.attr.sel.selector)
		check_data(g.attr.sel.param, g.attr.sel.nparam, 1);
	if (rc == PM_DLMS_APDU_OK && g.kind == PM_DLMS_GET_WITH_LIST)
		check_list(&g.list, false);

	rc = pm_dlms_set_request_parse(data, size, &s);
	check_status(rc);
	if (rc == PM_DLMS_APDU_OK) {
		if (s.kind == PM_DLMS_SET_NORMAL)
			check_data(s.value, s.nvalue, 1);
		if (s.kind == PM_DLMS_SET_WITH_LIST) {
			check_list(&s.list, false);
			check_data(s.value, s.nvalue, s.list.count);
		}
		if (s.kind == PM_DLMS_SET_FIRST_DATABLOCK || s.kind == PM_DLMS_SET_DATABLOCK)
			inside(s.raw, s.nraw);
	}

	rc = pm_dlms_action_request_parse(data, size, &a);
	check_status(rc);
	if (rc == PM_DLMS_APDU_OK && a.kind == PM_DLMS_ACTION_NORMAL && a.param)
		check_data(a.param, a.nparam, 1);
	if (rc == PM_DLMS_APDU_OK && a.kind == PM_DLMS_ACTION_WITH_LIST) {
		check_list(&a.list, true);
		check_data(a.param, a.nparam, a.list.count);
	}
}

/* The writers on fields from the input; none may overflow a buffer sized for its worst. */
static void write_responses(const uint8_t *data, size_t size)
{
	uint8_t buf[64 + 16];
	struct pm_axdr_out o;
	struct pm_dlms_aare aare;
	uint8_t b[8] = {0};
	size_t n = size < 64 ? size : 64;

	memcpy(b, data, size < sizeof(b) ? size : sizeof(b));
	pm_axdr_out_init(&o, buf, sizeof(buf));
	memset(&aare, 0, sizeof(aare));
	aare.result = (enum pm_dlms_assoc_result)(b[0] % 3);
	aare.provider_diag = b[1] & 1;
	aare.diagnostic = b[2];
	aare.user_info = (enum pm_dlms_aare_user_info)(b[3] % 3);
	aare.dlms_version = b[4];
	aare.conformance = (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
	aare.server_max_pdu = (uint16_t)(b[0] << 8 | b[1]);
	aare.initiate_error = (enum pm_dlms_initiate_error)(b[2] % 5);
	pm_dlms_aare_encode(&aare, &o);
	if (o.overflow || o.len > 45)
		__builtin_trap();
	pm_axdr_out_reset(&o);
	pm_dlms_put_get_response_block(&o, b[0], b[1] & 1, b[2], (enum pm_dlms_result)(b[3] & 1),
				       data, n);
	if (o.overflow)
		__builtin_trap();
	/* a block of the room a PDU of @size octets gives fits it */
	{
		size_t room = pm_dlms_get_block_room(size);
		struct pm_axdr_out h;

		if (!room)
			return;
		pm_axdr_out_init_heap(&h, size + 16);
		pm_dlms_put_get_response_block(&h, 0, false, 1, PM_DLMS_SUCCESS, data, room);
		if (h.overflow || h.len > size || h.len + 4 < size)
			__builtin_trap();
		pm_axdr_out_free(&h);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	in_start = data;
	in_end = data + size;
	(void)pm_dlms_apdu_tag_is_defined(size ? data[0] : 0);
	parse_acse(data, size);
	parse_xdlms(data, size);
	write_responses(data, size);
	return 0;
}
