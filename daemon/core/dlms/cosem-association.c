// SPDX-License-Identifier: GPL-2.0-only
/*
 * Association LN (class 15, version 2) at 0.0.40.0.0.255, "current association" (IEC 62056-6-1;
 * Gurux's OBIS table: "0.0.40.0.0.255 ... Current association"): whichever client asks sees its
 * own association. Attributes (the reference, from Gurux's GXDLMSAssociationLogicalName: 11 in
 * version 2, methods 6):
 *   2 object_list            array of object_list_element (below), the client's own view
 *   3 associated_partners_id structure {client_SAP integer, server_SAP long-unsigned}
 *   4 application_context_name  octet-string: the OID's BER contents 60 85 74 05 08 01 01
 *                            (2.16.756.5.8.1.1, LN referencing without ciphering), as Gurux's C
 *                            server encodes it (GuruxDLMS.c development/src/gxget.c)
 *   5 xDLMS_context_info     structure {conformance bit-string(24), max_receive_pdu_size
 *                            long-unsigned (ours), max_send_pdu_size long-unsigned (the
 *                            client's), dlms_version_number unsigned, quality_of_service
 *                            integer, cyphering_info octet-string (empty: no ciphering)}
 *   6 authentication_mechanism_name  octet-string 60 85 74 05 08 02 <mechanism> (2.16.756.5.8.2.x)
 *   7 secret                 no access for anyone: the password is the daemon's configuration
 *   8 association_status     enum (0 non-associated, 1 pending, 2 associated)
 *   9 security_setup_reference  octet-string: the Security setup 0.0.43.0.0.255 (class 64,
 *                            cosem-security-setup.c) in an HLS-GMAC association, 6 zero
 *                            octets in one without security
 *  10 user_list              array, empty
 *  11 current_user           structure {user_id unsigned 0, user_name visible-string ""}
 * Methods 1 reply_to_HLS_authentication, 2 change_HLS_secret, 3 add_object, 4 remove_object,
 * 5 add_user, 6 remove_user: none offered (no HLS; the object list is the model's).
 *
 * object_list_element (the reference's bytes, captured from Gurux's server):
 *   structure {class_id long-unsigned, version unsigned, logical_name octet-string(6),
 *              access_rights structure {
 *                array of structure {attribute_id integer, access_mode enum,
 *                                    access_selectors null-data | array of integer},
 *                array of structure {method_id integer, access_mode enum}}}
 * with access_mode (version 1 and later): attributes 0 no access, 1 read, 2 write, 3 read and
 * write; methods 0 no access, 1 access.
 */
#include <string.h>

#include "core/dlms/apdu.h"
#include "core/dlms/cosem-binding.h"
#include "core/dlms/cosem-directory.h"
#include "core/dlms/cosem-objects.h"

/* 2.16.756.5.8.1.1 and 2.16.756.5.8.2.x as BER contents (IEC 62056-5-3; the reference). */
static const uint8_t context_ln_no_ciphering[] = {0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01};
static const uint8_t mechanism_prefix[] = {0x60, 0x85, 0x74, 0x05, 0x08, 0x02};

#define ATTR_SECRET 7

enum association_status { NON_ASSOCIATED = 0, ASSOCIATED = 2 };

static void put_access_rights(struct pm_axdr_out *out, const struct pm_cosem_object *o,
			      enum pm_dlms_client client)
{
	const struct pm_cosem_class *c = o->cls;

	pm_axdr_put_structure(out, 2);
	pm_axdr_put_array(out, c->n_attrs);
	for (uint8_t a = 1; a <= c->n_attrs; a++) {
		uint8_t sel = pm_cosem_directory_selectors(o, a);
		size_t n = 0;

		pm_axdr_put_structure(out, 3);
		pm_axdr_put_i8(out, (int8_t)a);
		pm_axdr_put_enum(out, (uint8_t)pm_cosem_directory_attr_access(o, client, a));
		if (!sel) {
			pm_axdr_put_null(out);
			continue;
		}
		for (unsigned s = 1; s < 8; s++)
			n += sel >> s & 1;
		pm_axdr_put_array(out, n);
		for (unsigned s = 1; s < 8; s++)
			if (sel >> s & 1)
				pm_axdr_put_i8(out, (int8_t)s);
	}
	pm_axdr_put_array(out, c->n_methods);
	for (uint8_t m = 1; m <= c->n_methods; m++) {
		pm_axdr_put_structure(out, 2);
		pm_axdr_put_i8(out, (int8_t)m);
		pm_axdr_put_enum(out, pm_cosem_directory_method_access(o, client, m) ? 1 : 0);
	}
}

enum pm_dlms_result pm_cosem_association_object_list(const struct pm_cosem_directory *dir,
						     const struct pm_cosem_request *req,
						     struct pm_axdr_out *out)
{
	const enum pm_dlms_client client = req->assoc ? req->assoc->client : PM_DLMS_CLIENT_NONE;
	size_t n = 0;

	for (size_t i = 0; i < dir->n; i++)
		n += pm_cosem_directory_visible(&dir->objects[i], client);
	pm_axdr_put_array(out, n);
	for (size_t i = 0; i < dir->n; i++) {
		const struct pm_cosem_object *o = &dir->objects[i];

		if (!pm_cosem_directory_visible(o, client))
			continue;
		pm_axdr_put_structure(out, 4);
		pm_axdr_put_u16(out, o->cls->class_id);
		pm_axdr_put_u8(out, o->cls->version);
		pm_axdr_put_octet_string(out, o->ln, 6);
		put_access_rights(out, o, client);
	}
	return PM_DLMS_SUCCESS;
}

static enum pm_cosem_attr_access association_access(const struct pm_cosem_object *o,
						    enum pm_dlms_client client, uint8_t attr)
{
	if (attr == ATTR_SECRET)
		return PM_COSEM_NO_ACCESS;
	return pm_cosem_read_by_all(o, client, attr);
}

/* The 24 conformance bits, bit 0 the most significant of the first octet (server.h). */
static void put_conformance(struct pm_axdr_out *out, uint32_t conformance)
{
	const uint8_t bits[3] = {(uint8_t)(conformance >> 16), (uint8_t)(conformance >> 8),
				 (uint8_t)conformance};

	pm_axdr_put_bit_string(out, bits, 24);
}

static enum pm_dlms_result association_get(const struct pm_cosem_object *o,
					   const struct pm_cosem_request *req, uint8_t attr,
					   const struct pm_cosem_selector *sel,
					   struct pm_axdr_out *out)
{
	static const uint8_t no_reference[6];
	static const uint8_t security_setup[6] = {0, 0, 43, 0, 0, 255};
	const struct pm_dlms_assoc_info *a = req->assoc;
	uint8_t mechanism[sizeof(mechanism_prefix) + 1];

	(void)o;
	(void)sel;
	if (!a)
		return PM_DLMS_OBJECT_UNAVAILABLE;
	switch (attr) {
	case 3:
		pm_axdr_put_structure(out, 2);
		pm_axdr_put_i8(out, (int8_t)a->client_sap);
		pm_axdr_put_u16(out, a->server_sap);
		break;
	case 4:
		pm_axdr_put_octet_string(out, context_ln_no_ciphering,
					 sizeof(context_ln_no_ciphering));
		break;
	case 5:
		pm_axdr_put_structure(out, 6);
		put_conformance(out, a->conformance);
		pm_axdr_put_u16(out, a->server_max_pdu);
		pm_axdr_put_u16(out, a->client_max_pdu);
		pm_axdr_put_u8(out, a->dlms_version);
		pm_axdr_put_i8(out, 0);
		pm_axdr_put_octet_string(out, NULL, 0);
		break;
	case 6:
		memcpy(mechanism, mechanism_prefix, sizeof(mechanism_prefix));
		mechanism[sizeof(mechanism_prefix)] = a->mechanism;
		pm_axdr_put_octet_string(out, mechanism, sizeof(mechanism));
		break;
	case 8:
		pm_axdr_put_enum(out,
				 a->client == PM_DLMS_CLIENT_NONE ? NON_ASSOCIATED : ASSOCIATED);
		break;
	case 9:
		pm_axdr_put_octet_string(
		    out, a->mechanism == PM_DLMS_MECH_GMAC ? security_setup : no_reference, 6);
		break;
	case 10:
		pm_axdr_put_array(out, 0);
		break;
	case 11:
		pm_axdr_put_structure(out, 2);
		pm_axdr_put_u8(out, 0);
		pm_axdr_put_visible_string(out, "");
		break;
	default:
		/* 2 is the directory's (pm_cosem_association_object_list), 7 nobody's */
		return PM_DLMS_READ_WRITE_DENIED;
	}
	return PM_DLMS_SUCCESS;
}

const struct pm_cosem_class pm_cosem_association_class = {
    .class_id = 15,
    .version = 2,
    .n_attrs = 11,
    .n_methods = 6,
    .visible = pm_cosem_visible_to_all,
    .attr_access = association_access,
    .method_access = pm_cosem_no_methods,
    .selectors = pm_cosem_no_selectors,
    .get = association_get,
};

static const struct pm_cosem_object association[] = {
    {{0, 0, 40, 0, 0, 255}, &pm_cosem_association_class, 0},
};

const struct pm_cosem_table pm_cosem_association_table = PM_COSEM_TABLE(association);
