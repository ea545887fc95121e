// SPDX-License-Identifier: GPL-2.0-only
/*
 * Token gateway (class 115, version 0) at 0.0.19.40.0.255 (IEC 62056-6-2 payment metering; OBIS
 * range 0.0.19.40-49.0-127.255; attributes, types and the status codes as Gurux's
 * GXDLMSTokenGateway and TokenStatusCode give them): the head-end's way to enter an STS token.
 *   2 token               octet-string: the last token entered, as sent
 *   3 token_time          octet-string (date-time): when, in the meter's local time
 *   4 token_description   array of octet-string: one element, what the token did ("credit",
 *                         "test", "management", "key_change_staged", "key_changed") or why it
 *                         was refused (the event token_refused's reason: "malformed",
 *                         "invalid", "used", "old", ..., and "locked", "no_key", "meter" for a
 *                         refusal that is the meter's, not the token's)
 *   5 token_delivery_method  enum: 0 remote (only the head-end reaches this object)
 *   6 token_status        structure {status_code enum (cosem-meter.h), data_value bit-string:
 *                         empty, this meter has no further detail to give}
 *   method 1 enter (data octet-string: the token's digits, e.g. "66475648316756821785")
 *
 * enter follows the token path of D-Bus EnterToken exactly (cosem-meter.h enter_token): the
 * token is the meter's, whatever the channel, and so is the lockout of invalid entries. A
 * parameter that is not an octet-string, is empty, longer than PM_COSEM_TOKEN_MAX or holds a
 * NUL is no token anyone typed: type-unmatched, nothing entered and nothing counted.
 *
 * The management client only (it sees the object, reads attributes 2 to 6, invokes enter):
 * entering credit is a change of the account. Attributes 2 to 4 and 6 describe the last entry
 * made through the gateway (the view keeps it in the store, so it outlives a restart) and
 * answer object-unavailable before the meter's first.
 */
#include <string.h>

#include "core/dlms/cosem-binding.h"
#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem-objects.h"
#include "core/dlms/cosem-profile.h"
#include "core/dlms/cosem-time.h"

enum {
	TOKEN = 2,
	TOKEN_TIME = 3,
	TOKEN_DESCRIPTION = 4,
	DELIVERY_METHOD = 5,
	TOKEN_STATUS = 6,
};

#define ENTER 1
#define DELIVERY_REMOTE 0

static enum pm_dlms_result gateway_get(const struct pm_cosem_object *o,
				       const struct pm_cosem_request *req, uint8_t attr,
				       const struct pm_cosem_selector *sel, struct pm_axdr_out *out)
{
	const struct pm_cosem_meter *m = req->meter;
	const struct pm_cosem_token_entry *t = m ? m->token_entry : NULL;
	int32_t off;
	bool dst;

	(void)o;
	(void)sel;
	if (attr == DELIVERY_METHOD) {
		pm_axdr_put_enum(out, DELIVERY_REMOTE);
		return PM_DLMS_SUCCESS;
	}
	if (!t)
		return PM_DLMS_OBJECT_UNAVAILABLE;
	switch (attr) {
	case TOKEN:
		pm_axdr_put_octet_string(out, t->token, strlen(t->token));
		return PM_DLMS_SUCCESS;
	case TOKEN_TIME:
		off = pm_cosem_meter_offset_at(m, t->utc_s, &dst);
		pm_cosem_put_datetime(out, t->utc_s, off, dst ? PM_COSEM_STATUS_DST : 0);
		return PM_DLMS_SUCCESS;
	case TOKEN_DESCRIPTION:
		pm_axdr_put_array(out, 1);
		pm_axdr_put_octet_string(out, t->description, strlen(t->description));
		return PM_DLMS_SUCCESS;
	case TOKEN_STATUS:
		pm_axdr_put_structure(out, 2);
		pm_axdr_put_enum(out, t->status);
		pm_axdr_put_bit_string(out, NULL, 0);
		return PM_DLMS_SUCCESS;
	default:
		return PM_DLMS_OBJECT_UNDEFINED;
	}
}

static enum pm_dlms_result gateway_action(const struct pm_cosem_object *o,
					  const struct pm_cosem_request *req, uint8_t method,
					  const uint8_t *param, size_t len, struct pm_axdr_out *out)
{
	const struct pm_cosem_meter *m = req->meter;
	char token[PM_COSEM_TOKEN_MAX + 1];
	struct pm_axdr_in in;
	const uint8_t *p;
	size_t n;

	(void)o;
	(void)out;
	if (method != ENTER)
		return PM_DLMS_OBJECT_UNDEFINED;
	if (!param || !len)
		return PM_DLMS_TYPE_UNMATCHED;
	pm_axdr_in_init(&in, param, len);
	if (pm_axdr_expect_octet_string(&in, &p, &n) || pm_axdr_in_left(&in) || n == 0 ||
	    n > PM_COSEM_TOKEN_MAX || memchr(p, 0, n))
		return PM_DLMS_TYPE_UNMATCHED;
	if (!m || !m->enter_token)
		return PM_DLMS_TEMPORARY_FAILURE;
	memcpy(token, p, n);
	token[n] = '\0';
	return m->enter_token(m->data, token);
}

const struct pm_cosem_class pm_cosem_token_gateway_class = {
    .class_id = 115,
    .version = 0,
    .n_attrs = 6,
    .n_methods = 1,
    .visible = pm_cosem_visible_to_management,
    .attr_access = pm_cosem_read_by_all,
    .method_access = pm_cosem_methods_by_management,
    .selectors = pm_cosem_no_selectors,
    .get = gateway_get,
    .action = gateway_action,
};

static const struct pm_cosem_object objects[] = {
    {{0, 0, 19, 40, 0, 255}, &pm_cosem_token_gateway_class, 0},
};

const struct pm_cosem_table pm_cosem_token_gateway_table = PM_COSEM_TABLE(objects);
