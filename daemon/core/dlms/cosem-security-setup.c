// SPDX-License-Identifier: GPL-2.0-only
/*
 * Security setup (class 64, version 0) at 0.0.43.0.0.255: the security of the management
 * client's HLS-GMAC associations (IEC 62056-6-2; Gurux's OBIS table "0.0.43.0.0-255.255
 * Security setup"; version 0's attributes and methods as jDLMS's SecuritySetup, a server, and
 * Gurux's GXDLMSSecuritySetup serve them; version 1 adds certificates and the public-key
 * methods this meter has no use for):
 *   2 security_policy      enum: 0 nothing, 1 all messages authenticated, 2 all messages
 *                          encrypted, 3 all messages authenticated and encrypted. This meter's
 *                          HLS associations are always 3 (server-hls.c).
 *   3 security_suite       enum: 0 (AES-GCM-128, AES-128 key wrap)
 *   4 client_system_title  octet-string: the client's title in this association (an empty
 *                          octet-string in an association without HLS)
 *   5 server_system_title  octet-string: the meter's (dlms_key_file system_title)
 *   method 1 security_activate (security_policy enum): the policy may only be strengthened
 *            (the class as it is described; the Blue Book's text was not at hand).
 *            The meter runs at the strongest of version 0 from the start: 3 succeeds and
 *            changes nothing, a weaker one is refused (other-reason), a value outside the
 *            enum or another type is type-unmatched.
 *   method 2 global_key_transfer (array of key_data structure {key_id enum, key_wrapped
 *            octet-string}): each key wrapped with the master key (RFC 3394). key_id 0 the
 *            global unicast encryption key, 2 the authentication key, 3 the master key
 *            itself; 1 (the broadcast key: this meter takes no broadcasts) and unknown ids are
 *            refused with other-reason, as jDLMS refuses the broadcast key. Another shape
 *            (not an array of such structures) is type-unmatched, as jDLMS answers; a key
 *            given twice, a wrapped key other than 24 octets (a key of another length than
 *            16) or one that does not unwrap is other-reason. All or nothing: the meter
 *            (cosem-meter.h transfer_keys) unwraps them all, commits them to the store, and
 *            only then answers success; they apply from the next association on.
 *
 * Both methods need an HLS-GMAC association of the management client: over low-level
 * security or the public client they are refused (read-write-denied). The object is the
 * management client's (the public client does not see it); its attributes answer
 * object-unavailable on a meter without dlms_key_file. The keys are never readable.
 */
#include <string.h>

#include "core/dlms/apdu.h"
#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem-objects.h"
#include "core/dlms/dlms-cipher.h"

enum {
	SECURITY_POLICY = 2,
	SECURITY_SUITE = 3,
	CLIENT_SYSTEM_TITLE = 4,
	SERVER_SYSTEM_TITLE = 5,
};

enum { SECURITY_ACTIVATE = 1, GLOBAL_KEY_TRANSFER = 2 };

/* Version 0's security_policy: the one this meter's HLS associations run at, the strongest. */
#define POLICY_AUTHENTICATED_ENCRYPTED 3
#define SUITE_0 0
/* A transfer names each of the three keys the meter takes at most once. */
#define MAX_KEYS 3

static enum pm_dlms_result security_setup_get(const struct pm_cosem_object *o,
					      const struct pm_cosem_request *req, uint8_t attr,
					      const struct pm_cosem_selector *sel,
					      struct pm_axdr_out *out)
{
	const struct pm_cosem_meter *m = req->meter;
	const struct pm_dlms_assoc_info *a = req->assoc;

	(void)o;
	(void)sel;
	if (!m || !m->system_title || !a)
		return PM_DLMS_OBJECT_UNAVAILABLE;
	switch (attr) {
	case SECURITY_POLICY:
		pm_axdr_put_enum(out, POLICY_AUTHENTICATED_ENCRYPTED);
		break;
	case SECURITY_SUITE:
		pm_axdr_put_enum(out, SUITE_0);
		break;
	case CLIENT_SYSTEM_TITLE:
		if (a->mechanism == PM_DLMS_MECH_GMAC)
			pm_axdr_put_octet_string(out, a->client_title, sizeof(a->client_title));
		else
			pm_axdr_put_octet_string(out, NULL, 0);
		break;
	case SERVER_SYSTEM_TITLE:
		pm_axdr_put_octet_string(out, m->system_title, PM_DLMS_SYSTEM_TITLE_LEN);
		break;
	default:
		return PM_DLMS_READ_WRITE_DENIED;
	}
	return PM_DLMS_SUCCESS;
}

static enum pm_dlms_result security_activate(const uint8_t *param, size_t len)
{
	struct pm_axdr_data d;
	struct pm_axdr_in in;

	pm_axdr_in_init(&in, param, len);
	if (pm_axdr_get_data(&in, &d) || d.tag != PM_AXDR_ENUM || pm_axdr_in_left(&in) ||
	    d.u > POLICY_AUTHENTICATED_ENCRYPTED)
		return PM_DLMS_TYPE_UNMATCHED;
	/* never weakened: the meter is at the strongest already */
	return d.u == POLICY_AUTHENTICATED_ENCRYPTED ? PM_DLMS_SUCCESS : PM_DLMS_OTHER_REASON;
}

/*
 * global_key_transfer's parameter into @keys (*@n of them): SUCCESS, or the refusal (top of
 * the file). Every element is looked at before anything is refused for its value, so a
 * malformed list is type-unmatched wherever its fault is.
 */
static enum pm_dlms_result parse_key_data(const uint8_t *param, size_t len,
					  struct pm_cosem_wrapped_key keys[MAX_KEYS], size_t *n)
{
	enum pm_dlms_result r = PM_DLMS_SUCCESS;
	unsigned seen = 0;
	struct pm_axdr_in in;
	uint32_t count, fields;
	struct pm_axdr_data id;
	const uint8_t *wrapped;
	size_t nwrapped;

	*n = 0;
	pm_axdr_in_init(&in, param, len);
	if (pm_axdr_expect_array(&in, &count))
		return PM_DLMS_TYPE_UNMATCHED;
	for (uint32_t i = 0; i < count; i++) {
		if (pm_axdr_expect_structure(&in, &fields) || fields != 2 ||
		    pm_axdr_get_data(&in, &id) || id.tag != PM_AXDR_ENUM ||
		    pm_axdr_expect_octet_string(&in, &wrapped, &nwrapped))
			return PM_DLMS_TYPE_UNMATCHED;
		if (r != PM_DLMS_SUCCESS)
			continue;
		if ((id.u != PM_COSEM_KEY_GLOBAL_UNICAST && id.u != PM_COSEM_KEY_AUTHENTICATION &&
		     id.u != PM_COSEM_KEY_MASTER) ||
		    (seen >> id.u & 1) || nwrapped != PM_COSEM_WRAPPED_KEY_LEN) {
			r = PM_DLMS_OTHER_REASON;
			continue;
		}
		seen |= 1u << id.u;
		keys[*n].id = (enum pm_cosem_key_id)id.u;
		memcpy(keys[*n].wrapped, wrapped, PM_COSEM_WRAPPED_KEY_LEN);
		(*n)++;
	}
	if (pm_axdr_in_left(&in))
		return PM_DLMS_TYPE_UNMATCHED;
	return r != PM_DLMS_SUCCESS || *n ? r : PM_DLMS_OTHER_REASON; /* an empty list: nothing */
}

static enum pm_dlms_result global_key_transfer(const struct pm_cosem_meter *m, const uint8_t *param,
					       size_t len)
{
	struct pm_cosem_wrapped_key keys[MAX_KEYS];
	enum pm_dlms_result r;
	size_t n;

	r = parse_key_data(param, len, keys, &n);
	if (r == PM_DLMS_SUCCESS)
		r = m->transfer_keys ? m->transfer_keys(m->security_data, keys, n)
				     : PM_DLMS_OBJECT_UNAVAILABLE;
	explicit_bzero(keys, sizeof(keys));
	return r;
}

static enum pm_dlms_result security_setup_action(const struct pm_cosem_object *o,
						 const struct pm_cosem_request *req, uint8_t method,
						 const uint8_t *param, size_t len,
						 struct pm_axdr_out *out)
{
	const struct pm_cosem_meter *m = req->meter;

	(void)o;
	(void)out;
	/* keys travel only inside a ciphered association whose client proved it holds them */
	if (!req->assoc || req->assoc->mechanism != PM_DLMS_MECH_GMAC)
		return PM_DLMS_READ_WRITE_DENIED;
	if (!m || !m->system_title)
		return PM_DLMS_OBJECT_UNAVAILABLE;
	if (method == SECURITY_ACTIVATE)
		return security_activate(param, len);
	return global_key_transfer(m, param, len);
}

const struct pm_cosem_class pm_cosem_security_setup_class = {
    .class_id = 64,
    .version = 0,
    .n_attrs = 5,
    .n_methods = 2,
    .visible = pm_cosem_visible_to_management,
    .attr_access = pm_cosem_read_by_all,
    .method_access = pm_cosem_methods_by_management,
    .selectors = pm_cosem_no_selectors,
    .get = security_setup_get,
    .action = security_setup_action,
};

static const struct pm_cosem_object security_setup[] = {
    {{0, 0, 43, 0, 0, 255}, &pm_cosem_security_setup_class, 0},
};

const struct pm_cosem_table pm_cosem_security_setup_table = PM_COSEM_TABLE(security_setup);
