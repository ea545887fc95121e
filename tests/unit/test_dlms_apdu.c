// SPDX-License-Identifier: GPL-2.0-only
/*
 * xDLMS and ACSE APDUs (daemon/core/dlms/apdu.c). The AARQ, AARE, GET-Request-Normal,
 * GET-Response-Normal, GET-Response-With-Datablock head and GET-Request-Next are the bytes
 * captured from Gurux's client and server (the DLMS reference sheet §1.6); the other
 * frames are built by hand from the xDLMS ASN.1 (tags and CHOICE numbers written beside them).
 * Every request is also cut at every length: each cut must be refused, read from a buffer of
 * exactly that length (ASan sees any read past it).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/dlms/apdu.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define OUT_EQ(o, want)                                                                            \
	do {                                                                                       \
		ck_assert(!(o)->overflow);                                                         \
		ck_assert_uint_eq((o)->len, sizeof(want));                                         \
		ck_assert(memcmp((o)->buf, (want), sizeof(want)) == 0);                            \
	} while (0)

/* The reference's AARQ: LN context, no security, InitiateRequest version 6, conformance
 * 0x401E1D, client max PDU 0xFFFF. */
static const uint8_t ref_aarq[] = {0x60, 0x1D, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08,
				   0x01, 0x01, 0xBE, 0x10, 0x04, 0x0E, 0x01, 0x00, 0x00, 0x00, 0x06,
				   0x5F, 0x1F, 0x04, 0x00, 0x40, 0x1E, 0x1D, 0xFF, 0xFF};
/* The reference's AARE: accepted, conformance 0x000018, server max PDU 0x0200. */
static const uint8_t ref_aare[] = {0x61, 0x29, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08,
				   0x01, 0x01, 0xA2, 0x03, 0x02, 0x01, 0x00, 0xA3, 0x05, 0xA1, 0x03,
				   0x02, 0x01, 0x00, 0xBE, 0x10, 0x04, 0x0E, 0x08, 0x00, 0x06, 0x5F,
				   0x1F, 0x04, 0x00, 0x00, 0x00, 0x18, 0x02, 0x00, 0x00, 0x07};
/* An LLS AARQ by hand: sender-acse-requirements 8A 02 07 80 (authentication), mechanism-name
 * 8B 07 2.16.756.5.8.2.1, calling-authentication-value AC 0A { 80 08 "12345678" },
 * calling-AP-title A6 0A { 04 08 "ABCDEFGH" }. Lengths: 11 + 12 + 4 + 9 + 12 + 18 = 66. */
static const uint8_t lls_aarq[] = {
    0x60, 0x42, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01, 0xA6,
    0x0A, 0x04, 0x08, 'A',  'B',  'C',	'D',  'E',  'F',  'G',	'H',  0x8A, 0x02, 0x07,
    0x80, 0x8B, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x02, 0x01, 0xAC, 0x0A, 0x80, 0x08,
    '1',  '2',	'3',  '4',  '5',  '6',	'7',  '8',  0xBE, 0x10, 0x04, 0x0E, 0x01, 0x00,
    0x00, 0x00, 0x06, 0x5F, 0x1F, 0x04, 0x00, 0x62, 0x1E, 0x5D, 0xFF, 0xFF};

static const uint8_t ref_get_normal[] = {0xC0, 0x01, 0xC1, 0x00, 0x0F, 0x00, 0x00,
					 0x28, 0x00, 0x00, 0xFF, 0x02, 0x00};
static const uint8_t ref_get_next[] = {0xC0, 0x02, 0xC1, 0x00, 0x00, 0x00, 0x01};
/* A profile's buffer by range: selector 1, structure{restricting object structure{class 8,
 * LN 0.0.1.0.0.255, attribute 2, data-index 0}, from, to (date-time octet-strings), selected
 * values array of 0}. */
static const uint8_t get_range[] = {
    0xC0, 0x01, 0x81, 0x00, 0x07, 0x01, 0x00, 0x63, 0x01, 0x00, 0xFF, 0x02, 0x01, 0x01, 0x02, 0x04,
    0x02, 0x04, 0x12, 0x00, 0x08, 0x09, 0x06, 0x00, 0x00, 0x01, 0x00, 0x00, 0xFF, 0x0F, 0x02, 0x12,
    0x00, 0x00, 0x09, 0x0C, 0x07, 0xEA, 0x0B, 0x17, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00,
    0x09, 0x0C, 0x07, 0xEA, 0x0B, 0x18, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x01, 0x00};
/* With-list of 2: clock time (no selection), then a register's value. */
static const uint8_t get_list[] = {0xC0, 0x03, 0xC1, 0x02, 0x00, 0x08, 0x00, 0x00,
				   0x01, 0x00, 0x00, 0xFF, 0x02, 0x00, 0x00, 0x03,
				   0x01, 0x00, 0x01, 0x08, 0x00, 0xFF, 0x02, 0x00};
/* SET normal: register 1.0.1.8.0.255 attribute 2 := double-long-unsigned 42. */
static const uint8_t set_normal[] = {0xC1, 0x01, 0xC1, 0x00, 0x03, 0x01, 0x00, 0x01, 0x08,
				     0x00, 0xFF, 0x02, 0x00, 0x06, 0x00, 0x00, 0x00, 0x2A};
/* SET with-first-datablock: clock attribute 2, last-block FALSE, block 1, raw-data 4 octets. */
static const uint8_t set_first[] = {0xC1, 0x02, 0xC1, 0x00, 0x08, 0x00, 0x00, 0x01,
				    0x00, 0x00, 0xFF, 0x02, 0x00, 0x00, 0x00, 0x00,
				    0x00, 0x01, 0x04, 0xAA, 0xBB, 0xCC, 0xDD};
/* SET with-datablock: last-block TRUE, block 2, raw-data 2 octets. */
static const uint8_t set_block[] = {0xC1, 0x03, 0xC1, 0x01, 0x00, 0x00,
				    0x00, 0x02, 0x02, 0xEE, 0xFF};
/* SET with-list of 2: two registers := unsigned 5, long-unsigned 0x0102. */
static const uint8_t set_list[] = {0xC1, 0x04, 0xC1, 0x02, 0x00, 0x03, 0x01, 0x00, 0x01, 0x08,
				   0x00, 0xFF, 0x02, 0x00, 0x00, 0x03, 0x01, 0x00, 0x02, 0x08,
				   0x00, 0xFF, 0x02, 0x00, 0x02, 0x11, 0x05, 0x12, 0x01, 0x02};
/* ACTION normal: disconnect control (class 70 = 0x46) 0.0.96.3.10.255 method 1, no
 * parameters. */
static const uint8_t action_plain[] = {0xC3, 0x01, 0xC1, 0x00, 0x46, 0x00, 0x00,
				       0x60, 0x03, 0x0A, 0xFF, 0x01, 0x00};
/* ACTION normal: script table (class 9) 0.0.10.0.100.255 execute(long-unsigned 1). */
static const uint8_t action_param[] = {0xC3, 0x01, 0xC1, 0x00, 0x09, 0x00, 0x00, 0x0A,
				       0x00, 0x64, 0xFF, 0x01, 0x01, 0x12, 0x00, 0x01};
/* ACTION with-list of 2 methods, parameters null-data and integer 5. */
static const uint8_t action_list[] = {0xC3, 0x03, 0xC1, 0x02, 0x00, 0x46, 0x00, 0x00, 0x60,
				      0x03, 0x0A, 0xFF, 0x01, 0x00, 0x46, 0x00, 0x00, 0x60,
				      0x03, 0x0A, 0xFF, 0x02, 0x02, 0x00, 0x0F, 0x05};

/* Each parser with its own output, for the cut loops. */
static int parse_aarq(const uint8_t *p, size_t n)
{
	struct pm_dlms_aarq a;

	return pm_dlms_aarq_parse(p, n, &a);
}

static int parse_get(const uint8_t *p, size_t n)
{
	struct pm_dlms_get_request r;

	return pm_dlms_get_request_parse(p, n, &r);
}

static int parse_set(const uint8_t *p, size_t n)
{
	struct pm_dlms_set_request r;

	return pm_dlms_set_request_parse(p, n, &r);
}

static int parse_action(const uint8_t *p, size_t n)
{
	struct pm_dlms_action_request r;

	return pm_dlms_action_request_parse(p, n, &r);
}

static int parse_initiate(const uint8_t *p, size_t n)
{
	struct pm_dlms_initiate_request r;

	return pm_dlms_initiate_request_parse(p, n, &r);
}

/* @full parses; every shorter prefix, in a buffer of its own length, is malformed. */
static void check_cuts(int (*parse)(const uint8_t *, size_t), const uint8_t *full, size_t len)
{
	size_t cut;

	ck_assert_int_eq(parse(full, len), PM_DLMS_APDU_OK);
	for (cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);

		memcpy(copy, full, cut);
		ck_assert_msg(parse(copy, cut) == PM_DLMS_APDU_MALFORMED, "cut at %zu of %zu", cut,
			      len);
		free(copy);
	}
}

START_TEST(test_reference_aarq)
{
	struct pm_dlms_aarq a;
	struct pm_dlms_initiate_request ir;

	ck_assert_int_eq(pm_dlms_aarq_parse(ref_aarq, sizeof(ref_aarq), &a), PM_DLMS_APDU_OK);
	ck_assert_int_eq(pm_dlms_oid_id(a.context, a.ncontext, 1), PM_DLMS_CONTEXT_LN);
	ck_assert_ptr_null(a.mechanism);
	ck_assert(!a.has_auth_value && !a.has_acse_requirements && !a.has_protocol_version);
	ck_assert_ptr_null(a.calling_ap_title);
	ck_assert_uint_eq(a.nuser_info, 14);
	ck_assert(a.user_info == ref_aarq + 17);

	ck_assert_int_eq(pm_dlms_initiate_request_parse(a.user_info, a.nuser_info, &ir),
			 PM_DLMS_APDU_OK);
	ck_assert(!ir.has_dedicated_key);
	ck_assert(ir.response_allowed);
	ck_assert(!ir.has_qos);
	ck_assert_uint_eq(ir.dlms_version, 6);
	ck_assert_uint_eq(ir.conformance, 0x401E1D);
	ck_assert_uint_eq(ir.client_max_pdu, 0xFFFF);

	check_cuts(parse_aarq, ref_aarq, sizeof(ref_aarq));
	check_cuts(parse_initiate, a.user_info, a.nuser_info);
}
END_TEST

START_TEST(test_lls_aarq)
{
	struct pm_dlms_aarq a;

	ck_assert_int_eq(pm_dlms_aarq_parse(lls_aarq, sizeof(lls_aarq), &a), PM_DLMS_APDU_OK);
	ck_assert(a.has_acse_requirements && a.authentication);
	ck_assert_int_eq(pm_dlms_oid_id(a.mechanism, a.nmechanism, 2), PM_DLMS_MECH_LLS);
	ck_assert_int_eq(pm_dlms_oid_id(a.mechanism, a.nmechanism, 1), -1);
	ck_assert(a.has_auth_value);
	ck_assert_uint_eq(a.auth_choice, 0x80);
	ck_assert_uint_eq(a.nauth_value, 8);
	ck_assert(memcmp(a.auth_value, "12345678", 8) == 0);
	ck_assert_uint_eq(a.ncalling_ap_title, 8);
	ck_assert(memcmp(a.calling_ap_title, "ABCDEFGH", 8) == 0);
	check_cuts(parse_aarq, lls_aarq, sizeof(lls_aarq));
}
END_TEST

START_TEST(test_aarq_refusals)
{
	struct pm_dlms_aarq a;
	uint8_t buf[sizeof(ref_aarq) + 8];

	/* not an AARQ */
	ck_assert_int_eq(pm_dlms_aarq_parse(ref_get_normal, sizeof(ref_get_normal), &a),
			 PM_DLMS_APDU_UNKNOWN_TAG);
	/* a length one longer than what follows, and a byte after the end */
	memcpy(buf, ref_aarq, sizeof(ref_aarq));
	buf[1]++;
	ck_assert_int_eq(pm_dlms_aarq_parse(buf, sizeof(ref_aarq), &a), PM_DLMS_APDU_MALFORMED);
	buf[1]--;
	buf[sizeof(ref_aarq)] = 0;
	ck_assert_int_eq(pm_dlms_aarq_parse(buf, sizeof(ref_aarq) + 1, &a), PM_DLMS_APDU_MALFORMED);
	/* a component tag ACSE does not define in an AARQ: [12] primitive (8C) */
	memcpy(buf, ref_aarq, sizeof(ref_aarq));
	buf[13] = 0x8C;
	ck_assert_int_eq(pm_dlms_aarq_parse(buf, sizeof(ref_aarq), &a), PM_DLMS_APDU_UNKNOWN_TAG);
	/* a multi-octet tag */
	buf[13] = 0xBF;
	ck_assert_int_eq(pm_dlms_aarq_parse(buf, sizeof(ref_aarq), &a), PM_DLMS_APDU_UNKNOWN_TAG);
	/* the context twice: user-information's tag replaced by A1 */
	buf[13] = 0xA1;
	ck_assert_int_eq(pm_dlms_aarq_parse(buf, sizeof(ref_aarq), &a), PM_DLMS_APDU_MALFORMED);
	/* no application-context-name: user-information alone */
	{
		static const uint8_t no_ctx[] = {0x60, 0x12, 0xBE, 0x10, 0x04, 0x0E, 0x01,
						 0x00, 0x00, 0x00, 0x06, 0x5F, 0x1F, 0x04,
						 0x00, 0x40, 0x1E, 0x1D, 0xFF, 0xFF};

		ck_assert_int_eq(pm_dlms_aarq_parse(no_ctx, sizeof(no_ctx), &a),
				 PM_DLMS_APDU_MALFORMED);
	}
	/* the context's OID tag is not 06 */
	memcpy(buf, ref_aarq, sizeof(ref_aarq));
	buf[4] = 0x04;
	ck_assert_int_eq(pm_dlms_aarq_parse(buf, sizeof(ref_aarq), &a), PM_DLMS_APDU_MALFORMED);
	/* BER's indefinite length */
	memcpy(buf, ref_aarq, sizeof(ref_aarq));
	buf[1] = 0x80;
	ck_assert_int_eq(pm_dlms_aarq_parse(buf, sizeof(ref_aarq), &a), PM_DLMS_APDU_MALFORMED);
}
END_TEST

START_TEST(test_aarq_protocol_version)
{
	/* protocol-version 80 02 07 80 (version1), then the context */
	static const uint8_t v1[] = {0x60, 0x0F, 0x80, 0x02, 0x07, 0x80, 0xA1, 0x09, 0x06,
				     0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01};
	static const uint8_t v0[] = {0x60, 0x0F, 0x80, 0x02, 0x07, 0x00, 0xA1, 0x09, 0x06,
				     0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01};
	/* 8 unused bits is no BIT STRING */
	static const uint8_t bad[] = {0x60, 0x0F, 0x80, 0x02, 0x08, 0x80, 0xA1, 0x09, 0x06,
				      0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01};
	struct pm_dlms_aarq a;

	ck_assert_int_eq(pm_dlms_aarq_parse(v1, sizeof(v1), &a), PM_DLMS_APDU_OK);
	ck_assert(a.has_protocol_version && a.protocol_version1);
	ck_assert_ptr_null(a.user_info);
	ck_assert_int_eq(pm_dlms_aarq_parse(v0, sizeof(v0), &a), PM_DLMS_APDU_OK);
	ck_assert(a.has_protocol_version && !a.protocol_version1);
	ck_assert_int_eq(pm_dlms_aarq_parse(bad, sizeof(bad), &a), PM_DLMS_APDU_MALFORMED);
}
END_TEST

START_TEST(test_initiate_request_fields)
{
	/* dedicated key of 16, response-allowed FALSE, QoS 5, version 5, conformance 0x000010,
	 * client max PDU 0x0400 */
	static const uint8_t full[] = {0x01, 0x01, 0x10, 0,    1,    2,	   3,	 4,    5,
				       6,    7,	   8,	 9,    10,   11,   12,	 13,   14,
				       15,   0x01, 0x00, 0x01, 0x05, 0x05, 0x5F, 0x1F, 0x04,
				       0x00, 0x00, 0x00, 0x10, 0x04, 0x00};
	static const uint8_t glo[] = {0x21, 0x03, 0x30, 0x00, 0x00};
	static const uint8_t other[] = {0x02, 0x00, 0x00, 0x00, 0x06, 0x5F, 0x1F,
					0x04, 0x00, 0x00, 0x00, 0x10, 0x04, 0x00};
	/* presence octet 2, and a conformance of 3 octets */
	static const uint8_t bad_presence[] = {0x01, 0x02, 0x00, 0x00, 0x06, 0x5F, 0x1F,
					       0x04, 0x00, 0x00, 0x00, 0x10, 0x04, 0x00};
	static const uint8_t bad_conf[] = {0x01, 0x00, 0x00, 0x00, 0x06, 0x5F, 0x1F,
					   0x03, 0x00, 0x00, 0x10, 0x04, 0x00};
	struct pm_dlms_initiate_request r;

	ck_assert_int_eq(pm_dlms_initiate_request_parse(full, sizeof(full), &r), PM_DLMS_APDU_OK);
	ck_assert(r.has_dedicated_key && r.ndedicated_key == 16 && r.dedicated_key[15] == 15);
	ck_assert(!r.response_allowed);
	ck_assert(r.has_qos && r.qos == 5);
	ck_assert_uint_eq(r.dlms_version, 5);
	ck_assert_uint_eq(r.conformance, 0x10);
	ck_assert_uint_eq(r.client_max_pdu, 0x400);
	check_cuts(parse_initiate, full, sizeof(full));

	ck_assert_int_eq(pm_dlms_initiate_request_parse(glo, sizeof(glo), &r),
			 PM_DLMS_APDU_UNSUPPORTED);
	ck_assert_int_eq(pm_dlms_initiate_request_parse(other, sizeof(other), &r),
			 PM_DLMS_APDU_UNKNOWN_TAG);
	ck_assert_int_eq(pm_dlms_initiate_request_parse(bad_presence, sizeof(bad_presence), &r),
			 PM_DLMS_APDU_MALFORMED);
	ck_assert_int_eq(pm_dlms_initiate_request_parse(bad_conf, sizeof(bad_conf), &r),
			 PM_DLMS_APDU_MALFORMED);
}
END_TEST

START_TEST(test_aare_encodings)
{
	/* rejected-permanent, acse-service-user no-reason-given, confirmedServiceError
	 * initiateError [1] initiate [6] dlms-version-too-low (1): 11 + 5 + 7 + 8 = 31 */
	static const uint8_t version_low[] = {0x61, 0x1F, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74,
					      0x05, 0x08, 0x01, 0x01, 0xA2, 0x03, 0x02, 0x01, 0x01,
					      0xA3, 0x05, 0xA1, 0x03, 0x02, 0x01, 0x01, 0xBE, 0x06,
					      0x04, 0x04, 0x0E, 0x01, 0x06, 0x01};
	/* rejected-permanent, authentication-failure (13), no user-information: 11 + 5 + 7 */
	static const uint8_t auth_failure[] = {0x61, 0x17, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74,
					       0x05, 0x08, 0x01, 0x01, 0xA2, 0x03, 0x02, 0x01, 0x01,
					       0xA3, 0x05, 0xA1, 0x03, 0x02, 0x01, 0x0D};
	/* rejected-permanent, acse-service-provider (A2) no-common-acse-version (2) */
	static const uint8_t provider[] = {0x61, 0x17, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74,
					   0x05, 0x08, 0x01, 0x01, 0xA2, 0x03, 0x02, 0x01, 0x01,
					   0xA3, 0x05, 0xA2, 0x03, 0x02, 0x01, 0x02};
	uint8_t buf[128];
	struct pm_axdr_out o;
	struct pm_dlms_aare a = {
	    .result = PM_DLMS_ASSOC_ACCEPTED,
	    .diagnostic = PM_DLMS_DIAG_NULL,
	    .user_info = PM_DLMS_AARE_INITIATE_RESPONSE,
	    .dlms_version = 6,
	    .conformance = 0x000018,
	    .server_max_pdu = 0x0200,
	};

	pm_axdr_out_init(&o, buf, sizeof(buf));
	pm_dlms_aare_encode(&a, &o);
	OUT_EQ(&o, ref_aare);

	memset(&a, 0, sizeof(a));
	a.result = PM_DLMS_ASSOC_REJECTED_PERMANENT;
	a.diagnostic = PM_DLMS_DIAG_NO_REASON_GIVEN;
	a.user_info = PM_DLMS_AARE_INITIATE_ERROR;
	a.initiate_error = PM_DLMS_INITIATE_VERSION_TOO_LOW;
	pm_axdr_out_reset(&o);
	pm_dlms_aare_encode(&a, &o);
	OUT_EQ(&o, version_low);

	a.diagnostic = PM_DLMS_DIAG_AUTHENTICATION_FAILURE;
	a.user_info = PM_DLMS_AARE_NO_USER_INFO;
	pm_axdr_out_reset(&o);
	pm_dlms_aare_encode(&a, &o);
	OUT_EQ(&o, auth_failure);

	a.provider_diag = true;
	a.diagnostic = PM_DLMS_PDIAG_NO_COMMON_ACSE_VERSION;
	pm_axdr_out_reset(&o);
	pm_dlms_aare_encode(&a, &o);
	OUT_EQ(&o, provider);
}
END_TEST

START_TEST(test_release)
{
	static const uint8_t minimal[] = {0x62, 0x00}; /* EPRI's client */
	static const uint8_t with_reason[] = {0x62, 0x03, 0x80, 0x01, 0x00};
	static const uint8_t with_info[] = {0x62, 0x05, 0x80, 0x01, 0x01, 0xBE, 0x00};
	static const uint8_t unknown[] = {0x62, 0x02, 0x81, 0x00};
	static const uint8_t long_reason[] = {0x62, 0x04, 0x80, 0x02, 0x00, 0x00};
	static const uint8_t rlre[] = {0x63, 0x03, 0x80, 0x01, 0x00};
	struct pm_dlms_rlrq r;
	uint8_t buf[8];
	struct pm_axdr_out o;

	ck_assert_int_eq(pm_dlms_rlrq_parse(minimal, sizeof(minimal), &r), PM_DLMS_APDU_OK);
	ck_assert(!r.has_reason);
	ck_assert_int_eq(pm_dlms_rlrq_parse(with_reason, sizeof(with_reason), &r), PM_DLMS_APDU_OK);
	ck_assert(r.has_reason && r.reason == 0);
	ck_assert_int_eq(pm_dlms_rlrq_parse(with_info, sizeof(with_info), &r), PM_DLMS_APDU_OK);
	ck_assert(r.has_reason && r.reason == 1);
	ck_assert_int_eq(pm_dlms_rlrq_parse(unknown, sizeof(unknown), &r),
			 PM_DLMS_APDU_UNKNOWN_TAG);
	ck_assert_int_eq(pm_dlms_rlrq_parse(long_reason, sizeof(long_reason), &r),
			 PM_DLMS_APDU_MALFORMED);
	ck_assert_int_eq(pm_dlms_rlrq_parse(minimal, 1, &r), PM_DLMS_APDU_MALFORMED);
	ck_assert_int_eq(pm_dlms_rlrq_parse(with_reason, 4, &r), PM_DLMS_APDU_MALFORMED);

	pm_axdr_out_init(&o, buf, sizeof(buf));
	pm_dlms_rlre_encode(&o);
	OUT_EQ(&o, rlre);
}
END_TEST

START_TEST(test_get_requests)
{
	struct pm_dlms_get_request r;
	struct pm_dlms_attr_desc d;
	struct pm_axdr_in in;
	static const uint8_t clock_ln[6] = {0, 0, 1, 0, 0, 255};

	ck_assert_int_eq(pm_dlms_get_request_parse(ref_get_normal, sizeof(ref_get_normal), &r),
			 PM_DLMS_APDU_OK);
	ck_assert_int_eq(r.kind, PM_DLMS_GET_NORMAL);
	ck_assert_uint_eq(r.invoke, 0xC1);
	ck_assert_uint_eq(r.attr.class_id, 15);
	ck_assert(memcmp(r.attr.ln, (const uint8_t[]){0, 0, 40, 0, 0, 255}, 6) == 0);
	ck_assert_uint_eq(r.attr.id, 2);
	ck_assert_uint_eq(r.attr.sel.selector, 0);
	check_cuts(parse_get, ref_get_normal, sizeof(ref_get_normal));

	ck_assert_int_eq(pm_dlms_get_request_parse(ref_get_next, sizeof(ref_get_next), &r),
			 PM_DLMS_APDU_OK);
	ck_assert_int_eq(r.kind, PM_DLMS_GET_NEXT);
	ck_assert_uint_eq(r.block, 1);
	check_cuts(parse_get, ref_get_next, sizeof(ref_get_next));

	ck_assert_int_eq(pm_dlms_get_request_parse(get_range, sizeof(get_range), &r),
			 PM_DLMS_APDU_OK);
	ck_assert_uint_eq(r.invoke, 0x81);
	ck_assert_uint_eq(r.attr.class_id, 7);
	ck_assert_uint_eq(r.attr.sel.selector, 1);
	ck_assert(r.attr.sel.param == get_range + 14);
	ck_assert_uint_eq(r.attr.sel.nparam, sizeof(get_range) - 14);
	check_cuts(parse_get, get_range, sizeof(get_range));

	ck_assert_int_eq(pm_dlms_get_request_parse(get_list, sizeof(get_list), &r),
			 PM_DLMS_APDU_OK);
	ck_assert_int_eq(r.kind, PM_DLMS_GET_WITH_LIST);
	ck_assert_uint_eq(r.list.count, 2);
	pm_axdr_in_init(&in, r.list.p, r.list.len);
	ck_assert_int_eq(pm_dlms_attr_desc_read(&in, &d), 0);
	ck_assert(d.class_id == 8 && !memcmp(d.ln, clock_ln, 6) && d.id == 2);
	ck_assert_int_eq(pm_dlms_attr_desc_read(&in, &d), 0);
	ck_assert(d.class_id == 3 && d.ln[2] == 1 && d.ln[3] == 8 && d.id == 2);
	ck_assert_uint_eq(pm_axdr_in_left(&in), 0);
	check_cuts(parse_get, get_list, sizeof(get_list));
}
END_TEST

START_TEST(test_get_request_refusals)
{
	struct pm_dlms_get_request r;
	uint8_t buf[sizeof(get_range) + 1];

	/* an undefined GET-Request CHOICE, and not a GET-Request */
	memcpy(buf, ref_get_normal, sizeof(ref_get_normal));
	buf[1] = 4;
	ck_assert_int_eq(pm_dlms_get_request_parse(buf, sizeof(ref_get_normal), &r),
			 PM_DLMS_APDU_UNKNOWN_TAG);
	ck_assert_int_eq(pm_dlms_get_request_parse(set_normal, sizeof(set_normal), &r),
			 PM_DLMS_APDU_UNKNOWN_TAG);
	/* a byte after the end */
	memcpy(buf, ref_get_normal, sizeof(ref_get_normal));
	buf[sizeof(ref_get_normal)] = 0;
	ck_assert_int_eq(pm_dlms_get_request_parse(buf, sizeof(ref_get_normal) + 1, &r),
			 PM_DLMS_APDU_MALFORMED);
	/* access-selection presence 2, then selector 0 */
	memcpy(buf, ref_get_normal, sizeof(ref_get_normal));
	buf[12] = 2;
	ck_assert_int_eq(pm_dlms_get_request_parse(buf, sizeof(ref_get_normal), &r),
			 PM_DLMS_APDU_MALFORMED);
	memcpy(buf, get_range, sizeof(get_range));
	buf[13] = 0;
	ck_assert_int_eq(pm_dlms_get_request_parse(buf, sizeof(get_range), &r),
			 PM_DLMS_APDU_MALFORMED);
	/* access-parameters that are no Data (tag 7) */
	memcpy(buf, get_range, sizeof(get_range));
	buf[14] = 7;
	ck_assert_int_eq(pm_dlms_get_request_parse(buf, sizeof(get_range), &r),
			 PM_DLMS_APDU_MALFORMED);
	/* a with-list announcing 3 elements */
	memcpy(buf, get_list, sizeof(get_list));
	buf[3] = 3;
	ck_assert_int_eq(pm_dlms_get_request_parse(buf, sizeof(get_list), &r),
			 PM_DLMS_APDU_MALFORMED);
}
END_TEST

START_TEST(test_set_requests)
{
	struct pm_dlms_set_request r;
	uint8_t buf[sizeof(set_first)];
	static const uint8_t with_list_first[] = {0xC1, 0x05, 0xC1, 0x00};

	ck_assert_int_eq(pm_dlms_set_request_parse(set_normal, sizeof(set_normal), &r),
			 PM_DLMS_APDU_OK);
	ck_assert_int_eq(r.kind, PM_DLMS_SET_NORMAL);
	ck_assert_uint_eq(r.attr.class_id, 3);
	ck_assert(r.value == set_normal + 13 && r.nvalue == 5);
	check_cuts(parse_set, set_normal, sizeof(set_normal));

	ck_assert_int_eq(pm_dlms_set_request_parse(set_first, sizeof(set_first), &r),
			 PM_DLMS_APDU_OK);
	ck_assert_int_eq(r.kind, PM_DLMS_SET_FIRST_DATABLOCK);
	ck_assert_uint_eq(r.attr.class_id, 8);
	ck_assert(!r.last_block && r.block == 1 && r.nraw == 4 && r.raw[0] == 0xAA);
	check_cuts(parse_set, set_first, sizeof(set_first));

	ck_assert_int_eq(pm_dlms_set_request_parse(set_block, sizeof(set_block), &r),
			 PM_DLMS_APDU_OK);
	ck_assert_int_eq(r.kind, PM_DLMS_SET_DATABLOCK);
	ck_assert_uint_eq(r.invoke, 0xC1);
	ck_assert(r.last_block && r.block == 2 && r.nraw == 2 && r.raw[1] == 0xFF);
	check_cuts(parse_set, set_block, sizeof(set_block));

	ck_assert_int_eq(pm_dlms_set_request_parse(set_list, sizeof(set_list), &r),
			 PM_DLMS_APDU_OK);
	ck_assert_int_eq(r.kind, PM_DLMS_SET_WITH_LIST);
	ck_assert_uint_eq(r.list.count, 2);
	ck_assert(r.value == set_list + 25 && r.nvalue == 5);
	check_cuts(parse_set, set_list, sizeof(set_list));

	ck_assert_int_eq(pm_dlms_set_request_parse(with_list_first, sizeof(with_list_first), &r),
			 PM_DLMS_APDU_UNSUPPORTED);
	memcpy(buf, set_first, sizeof(set_first));
	buf[1] = 6;
	ck_assert_int_eq(pm_dlms_set_request_parse(buf, sizeof(set_first), &r),
			 PM_DLMS_APDU_UNKNOWN_TAG);
	/* raw-data announcing 5 octets where 4 follow */
	memcpy(buf, set_first, sizeof(set_first));
	buf[18] = 5;
	ck_assert_int_eq(pm_dlms_set_request_parse(buf, sizeof(set_first), &r),
			 PM_DLMS_APDU_MALFORMED);
	/* with-list: two descriptors and three values */
	{
		uint8_t l[sizeof(set_list)];

		memcpy(l, set_list, sizeof(l));
		l[24] = 3;
		ck_assert_int_eq(pm_dlms_set_request_parse(l, sizeof(l), &r),
				 PM_DLMS_APDU_MALFORMED);
	}
}
END_TEST

START_TEST(test_action_requests)
{
	struct pm_dlms_action_request r;
	struct pm_dlms_attr_desc d;
	struct pm_axdr_in in;
	static const uint8_t pblock[] = {0xC3, 0x04, 0xC1};
	static const uint8_t undefined[] = {0xC3, 0x07, 0xC1};

	ck_assert_int_eq(pm_dlms_action_request_parse(action_plain, sizeof(action_plain), &r),
			 PM_DLMS_APDU_OK);
	ck_assert_int_eq(r.kind, PM_DLMS_ACTION_NORMAL);
	ck_assert(r.method.class_id == 70 && r.method.ln[3] == 3 && r.method.id == 1);
	ck_assert_ptr_null(r.param);
	check_cuts(parse_action, action_plain, sizeof(action_plain));

	ck_assert_int_eq(pm_dlms_action_request_parse(action_param, sizeof(action_param), &r),
			 PM_DLMS_APDU_OK);
	ck_assert(r.method.class_id == 9 && r.method.id == 1);
	ck_assert(r.param == action_param + 13 && r.nparam == 3);
	check_cuts(parse_action, action_param, sizeof(action_param));

	ck_assert_int_eq(pm_dlms_action_request_parse(action_list, sizeof(action_list), &r),
			 PM_DLMS_APDU_OK);
	ck_assert_int_eq(r.kind, PM_DLMS_ACTION_WITH_LIST);
	ck_assert_uint_eq(r.list.count, 2);
	pm_axdr_in_init(&in, r.list.p, r.list.len);
	ck_assert_int_eq(pm_dlms_method_desc_read(&in, &d), 0);
	ck_assert_uint_eq(d.id, 1);
	ck_assert_int_eq(pm_dlms_method_desc_read(&in, &d), 0);
	ck_assert_uint_eq(d.id, 2);
	ck_assert(r.param == action_list + 23 && r.nparam == 3);
	check_cuts(parse_action, action_list, sizeof(action_list));

	ck_assert_int_eq(pm_dlms_action_request_parse(pblock, sizeof(pblock), &r),
			 PM_DLMS_APDU_UNSUPPORTED);
	ck_assert_int_eq(pm_dlms_action_request_parse(undefined, sizeof(undefined), &r),
			 PM_DLMS_APDU_UNKNOWN_TAG);
}
END_TEST

START_TEST(test_get_responses)
{
	static const uint8_t ref_normal[] = {0xC4, 0x01, 0xC1, 0x00, 0x12, 0x00, 0x09};
	static const uint8_t refused[] = {0xC4, 0x01, 0xC1, 0x01, 0x04};
	/* the reference's block head: last-block FALSE, block 1, raw-data of 0x01DA octets */
	static const uint8_t ref_block_head[] = {0xC4, 0x02, 0xC1, 0x00, 0x00, 0x00,
						 0x00, 0x01, 0x00, 0x82, 0x01, 0xDA};
	static const uint8_t block_refused[] = {0xC4, 0x02, 0xC1, 0x01, 0x00,
						0x00, 0x00, 0x07, 0x01, 0x13};
	/* with-list of 2: a long-unsigned 9, then object-undefined */
	static const uint8_t body[] = {0x02, 0x00, 0x12, 0x00, 0x09, 0x01, 0x04};
	static const uint8_t list[] = {0xC4, 0x03, 0xC1, 0x02, 0x00, 0x12, 0x00, 0x09, 0x01, 0x04};
	static const uint8_t value[] = {0x12, 0x00, 0x09};
	uint8_t raw[0x1DA], buf[0x200];
	struct pm_axdr_out o;

	pm_axdr_out_init(&o, buf, sizeof(buf));
	pm_dlms_put_get_response_normal(&o, 0xC1, PM_DLMS_SUCCESS, value, sizeof(value));
	OUT_EQ(&o, ref_normal);
	pm_axdr_out_reset(&o);
	pm_dlms_put_get_response_normal(&o, 0xC1, PM_DLMS_OBJECT_UNDEFINED, NULL, 0);
	OUT_EQ(&o, refused);

	memset(raw, 0x5A, sizeof(raw));
	pm_axdr_out_reset(&o);
	pm_dlms_put_get_response_block(&o, 0xC1, false, 1, PM_DLMS_SUCCESS, raw, sizeof(raw));
	ck_assert(!o.overflow);
	ck_assert_uint_eq(o.len, sizeof(ref_block_head) + sizeof(raw));
	ck_assert(memcmp(o.buf, ref_block_head, sizeof(ref_block_head)) == 0);
	ck_assert_uint_eq(o.buf[o.len - 1], 0x5A);

	pm_axdr_out_reset(&o);
	pm_dlms_put_get_response_block(&o, 0xC1, true, 7, PM_DLMS_DATA_BLOCK_NUMBER_INVALID, NULL,
				       0);
	OUT_EQ(&o, block_refused);

	pm_axdr_out_reset(&o);
	pm_dlms_put_get_response_list(&o, 0xC1, body, sizeof(body));
	OUT_EQ(&o, list);
}
END_TEST

START_TEST(test_block_room)
{
	/* 9 octets of head, then the raw-data's length (1, 2 or 3 octets) and the data */
	ck_assert_uint_eq(pm_dlms_get_block_room(64), 54);	  /* 9 + 1 + 54 */
	ck_assert_uint_eq(pm_dlms_get_block_room(137), 127);	  /* 9 + 1 + 127 */
	ck_assert_uint_eq(pm_dlms_get_block_room(138), 127);	  /* 128 needs 81 80 */
	ck_assert_uint_eq(pm_dlms_get_block_room(140), 129);	  /* 9 + 2 + 129 */
	ck_assert_uint_eq(pm_dlms_get_block_room(1024), 1012);	  /* 9 + 3 + 1012 */
	ck_assert_uint_eq(pm_dlms_get_block_room(0xFFFF), 65523); /* 9 + 3 + 65523 */
	ck_assert_uint_eq(pm_dlms_get_block_room(10), 0);
}
END_TEST

START_TEST(test_set_action_exception_responses)
{
	static const uint8_t set_ok[] = {0xC5, 0x01, 0xC1, 0x00};
	static const uint8_t set_ack[] = {0xC5, 0x02, 0xC1, 0x00, 0x00, 0x00, 0x03};
	static const uint8_t set_last[] = {0xC5, 0x03, 0xC1, 0x0C, 0x00, 0x00, 0x00, 0x04};
	static const uint8_t set_list_r[] = {0xC5, 0x05, 0xC1, 0x02, 0x00, 0x03};
	static const uint8_t results[] = {0x00, 0x03};
	static const uint8_t action_ok[] = {0xC7, 0x01, 0xC1, 0x00, 0x00};
	static const uint8_t action_data[] = {0xC7, 0x01, 0xC1, 0x00, 0x01, 0x00, 0x12, 0x00, 0x05};
	static const uint8_t value[] = {0x12, 0x00, 0x05};
	static const uint8_t exception[] = {0xD8, 0x01, 0x02};
	static const uint8_t cse[] = {0x0E, 0x06, 0x03, 0x02}; /* write: service unsupported */
	uint8_t buf[32];
	struct pm_axdr_out o;

	pm_axdr_out_init(&o, buf, sizeof(buf));
	pm_dlms_put_set_response_normal(&o, 0xC1, PM_DLMS_SUCCESS);
	OUT_EQ(&o, set_ok);
	pm_axdr_out_reset(&o);
	pm_dlms_put_set_response_datablock(&o, 0xC1, 3);
	OUT_EQ(&o, set_ack);
	pm_axdr_out_reset(&o);
	pm_dlms_put_set_response_last_datablock(&o, 0xC1, PM_DLMS_TYPE_UNMATCHED, 4);
	OUT_EQ(&o, set_last);
	pm_axdr_out_reset(&o);
	pm_dlms_put_set_response_list(&o, 0xC1, results, sizeof(results));
	OUT_EQ(&o, set_list_r);
	pm_axdr_out_reset(&o);
	pm_dlms_put_action_response_normal(&o, 0xC1, PM_DLMS_SUCCESS, NULL, 0);
	OUT_EQ(&o, action_ok);
	pm_axdr_out_reset(&o);
	pm_dlms_put_action_response_normal(&o, 0xC1, PM_DLMS_SUCCESS, value, sizeof(value));
	OUT_EQ(&o, action_data);
	pm_axdr_out_reset(&o);
	pm_dlms_put_exception_response(&o, PM_DLMS_STATE_SERVICE_NOT_ALLOWED,
				       PM_DLMS_SERVICE_NOT_SUPPORTED);
	OUT_EQ(&o, exception);
	pm_axdr_out_reset(&o);
	pm_dlms_put_confirmed_service_error(&o, 6, 3, 2);
	OUT_EQ(&o, cse);
}
END_TEST

START_TEST(test_tags_and_oids)
{
	static const uint8_t ln[] = {0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01};
	static const uint8_t sn_cipher[] = {0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x04};
	static const uint8_t other[] = {0x60, 0x85, 0x74, 0x05, 0x09, 0x01, 0x01};
	size_t i;
	static const uint8_t defined[] = {0x01, 0x05, 0x0E, 0x60, 0x62, 0xC0, 0xC1,
					  0xC3, 0xC8, 0xD0, 0xD8, 0xDB, 0xE0};
	static const uint8_t undefined[] = {0x00, 0x02, 0x59, 0x64, 0xC6, 0xCE,
					    0xD6, 0xD9, 0xDE, 0xE1, 0xFF};

	ck_assert_int_eq(pm_dlms_oid_id(ln, sizeof(ln), 1), 1);
	ck_assert_int_eq(pm_dlms_oid_id(sn_cipher, sizeof(sn_cipher), 1), 4);
	ck_assert_int_eq(pm_dlms_oid_id(other, sizeof(other), 1), -1);
	ck_assert_int_eq(pm_dlms_oid_id(ln, sizeof(ln) - 1, 1), -1);
	ck_assert_int_eq(pm_dlms_oid_id(NULL, 0, 1), -1);
	for (i = 0; i < ARRAY_LEN(defined); i++)
		ck_assert_msg(pm_dlms_apdu_tag_is_defined(defined[i]), "%02x", defined[i]);
	for (i = 0; i < ARRAY_LEN(undefined); i++)
		ck_assert_msg(!pm_dlms_apdu_tag_is_defined(undefined[i]), "%02x", undefined[i]);
	ck_assert_str_eq(pm_dlms_apdu_status_str(PM_DLMS_APDU_UNKNOWN_TAG),
			 "unknown APDU tag or choice");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dlms_apdu");
	TCase *tc = tcase_create("dlms_apdu");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 0); /* no time limit: these tests are about results */
	tcase_add_test(tc, test_reference_aarq);
	tcase_add_test(tc, test_lls_aarq);
	tcase_add_test(tc, test_aarq_refusals);
	tcase_add_test(tc, test_aarq_protocol_version);
	tcase_add_test(tc, test_initiate_request_fields);
	tcase_add_test(tc, test_aare_encodings);
	tcase_add_test(tc, test_release);
	tcase_add_test(tc, test_get_requests);
	tcase_add_test(tc, test_get_request_refusals);
	tcase_add_test(tc, test_set_requests);
	tcase_add_test(tc, test_action_requests);
	tcase_add_test(tc, test_get_responses);
	tcase_add_test(tc, test_block_room);
	tcase_add_test(tc, test_set_action_exception_responses);
	tcase_add_test(tc, test_tags_and_oids);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
