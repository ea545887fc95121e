// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DLMS session engine (daemon/core/dlms/server*.c) against a fake directory defined here:
 * a register, a load profile long enough to need block transfer, a disconnect control with
 * methods, a management-only object and a settable octet-string. Expected APDUs are written
 * out by hand from the xDLMS ASN.1 (or are the reference's captured bytes,
 * the DLMS reference sheet §1.6); the profile's Data is built byte by byte here, not by
 * the A-XDR writer.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/dlms/cosem-class.h"
#include "core/dlms/server.h"

/* ---- the fake directory ---- */

enum fake_id { F_REGISTER, F_PROFILE, F_DISCONNECT, F_SECRET, F_BLOB, F_COUNT };

static const struct pm_cosem_object objects[F_COUNT] = {
    [F_REGISTER] = {{1, 0, 1, 8, 0, 255}, NULL, F_REGISTER},
    [F_PROFILE] = {{1, 0, 99, 1, 0, 255}, NULL, F_PROFILE},
    [F_DISCONNECT] = {{0, 0, 96, 3, 10, 255}, NULL, F_DISCONNECT},
    [F_SECRET] = {{0, 0, 96, 1, 9, 255}, NULL, F_SECRET},
    [F_BLOB] = {{0, 0, 96, 1, 0, 255}, NULL, F_BLOB},
};
static const uint16_t object_class[F_COUNT] = {3, 7, 70, 1, 1};

/* 100 rows of structure{date-time octet-string, double-long-unsigned}: 21 octets each, after
 * the array's head 01 64: 2102 octets. */
#define PROFILE_ROWS 100
#define ROW_LEN 21
#define PROFILE_LEN (2 + PROFILE_ROWS * ROW_LEN)

struct fake_state {
	uint32_t energy;
	uint8_t blob[PM_DLMS_MAX_SET];
	size_t nblob;
	unsigned actions;
	uint8_t last_selector;
	size_t last_nparam;
};

struct fake_dir {
	struct fake_state *st;
};

/* The first @rows rows of the profile, byte by byte. */
static size_t profile_bytes(uint8_t *p, unsigned rows)
{
	size_t n = 0;
	unsigned r;

	p[n++] = 0x01; /* array */
	p[n++] = (uint8_t)rows;
	for (r = 0; r < rows; r++) {
		static const uint8_t head[] = {0x02, 0x02, 0x09, 0x0C, 0x07,
					       0xEA, 0x0B, 0x17, 0x01};

		memcpy(p + n, head, sizeof(head));
		n += sizeof(head);
		p[n++] = (uint8_t)(r / 4);	/* hour */
		p[n++] = (uint8_t)(r % 4 * 15); /* minute */
		p[n++] = 0;			/* second */
		p[n++] = 0xFF;			/* hundredths */
		p[n++] = 0x80;			/* deviation not specified */
		p[n++] = 0x00;
		p[n++] = 0x00; /* status */
		p[n++] = 0x06; /* double-long-unsigned */
		p[n++] = 0;
		p[n++] = 0;
		p[n++] = (uint8_t)(r >> 8);
		p[n++] = (uint8_t)r;
	}
	return n;
}

static const struct pm_cosem_object *fake_find(const void *dir, const struct pm_cosem_request *req,
					       uint16_t class_id, const uint8_t ln[6])
{
	size_t i;

	(void)dir;
	for (i = 0; i < F_COUNT; i++) {
		if (object_class[i] != class_id || memcmp(objects[i].ln, ln, 6) != 0)
			continue;
		if (i == F_SECRET && req->assoc->client != PM_DLMS_CLIENT_MANAGEMENT)
			return NULL; /* not visible to the public client */
		return &objects[i];
	}
	return NULL;
}

static enum pm_dlms_result fake_get(const void *dir, const struct pm_cosem_request *req,
				    const struct pm_cosem_object *obj, uint8_t attr,
				    const struct pm_cosem_selector *sel, struct pm_axdr_out *out)
{
	const struct fake_dir *d = dir;
	static const uint8_t scaler_unit[] = {0x02, 0x02, 0x0F, 0x00, 0x16, 0x1E};
	uint8_t prof[PROFILE_LEN];

	(void)req;
	d->st->last_selector = sel->selector;
	d->st->last_nparam = sel->nparam;
	if (obj->arg == F_PROFILE && attr == 2) {
		if (sel->selector > 2)
			return PM_DLMS_SCOPE_OF_ACCESS_VIOLATED;
		pm_axdr_put_raw(out, prof,
				profile_bytes(prof, sel->selector == 2 ? 2 : PROFILE_ROWS));
		return PM_DLMS_SUCCESS;
	}
	if (sel->selector)
		return PM_DLMS_SCOPE_OF_ACCESS_VIOLATED;
	switch (obj->arg) {
	case F_REGISTER:
		if (attr == 2) {
			pm_axdr_put_u32(out, d->st->energy);
			return PM_DLMS_SUCCESS;
		}
		if (attr == 3) {
			pm_axdr_put_raw(out, scaler_unit, sizeof(scaler_unit));
			return PM_DLMS_SUCCESS;
		}
		break;
	case F_SECRET:
		if (attr == 2) {
			pm_axdr_put_visible_string(out, "s");
			return PM_DLMS_SUCCESS;
		}
		break;
	case F_BLOB:
		if (attr == 2) {
			pm_axdr_put_raw(out, d->st->blob, d->st->nblob);
			return PM_DLMS_SUCCESS;
		}
		break;
	default:
		break;
	}
	return PM_DLMS_READ_WRITE_DENIED;
}

static enum pm_dlms_result fake_set(const void *dir, const struct pm_cosem_request *req,
				    const struct pm_cosem_object *obj, uint8_t attr,
				    const uint8_t *value, size_t len)
{
	const struct fake_dir *d = dir;

	if (req->assoc->client != PM_DLMS_CLIENT_MANAGEMENT || attr != 2)
		return PM_DLMS_READ_WRITE_DENIED;
	if (obj->arg == F_REGISTER) {
		if (len != 5 || value[0] != 0x06)
			return PM_DLMS_TYPE_UNMATCHED;
		d->st->energy = (uint32_t)value[1] << 24 | (uint32_t)value[2] << 16 |
				(uint32_t)value[3] << 8 | value[4];
		return PM_DLMS_SUCCESS;
	}
	if (obj->arg == F_BLOB) {
		if (value[0] != 0x09)
			return PM_DLMS_TYPE_UNMATCHED;
		memcpy(d->st->blob, value, len);
		d->st->nblob = len;
		return PM_DLMS_SUCCESS;
	}
	return PM_DLMS_READ_WRITE_DENIED;
}

static enum pm_dlms_result fake_action(const void *dir, const struct pm_cosem_request *req,
				       const struct pm_cosem_object *obj, uint8_t method,
				       const uint8_t *param, size_t len, struct pm_axdr_out *out)
{
	const struct fake_dir *d = dir;
	uint8_t big[300];

	d->st->last_nparam = param ? len : 0;
	if (obj->arg != F_DISCONNECT)
		return PM_DLMS_READ_WRITE_DENIED;
	if (req->assoc->client != PM_DLMS_CLIENT_MANAGEMENT)
		return PM_DLMS_READ_WRITE_DENIED;
	switch (method) {
	case 1:
		d->st->actions++;
		return PM_DLMS_SUCCESS;
	case 2:
		pm_axdr_put_u16(out, (uint16_t)d->st->actions);
		return PM_DLMS_SUCCESS;
	case 3:
		memset(big, 0x33, sizeof(big));
		pm_axdr_put_octet_string(out, big, sizeof(big));
		return PM_DLMS_SUCCESS;
	default:
		return PM_DLMS_OBJECT_UNAVAILABLE;
	}
}

static const struct pm_cosem_directory_ops fake_ops = {
    .find = fake_find,
    .get = fake_get,
    .set = fake_set,
    .action = fake_action,
};

/* ---- the rig: a session on the fake directory, and what it answered ---- */

struct rig {
	struct fake_state st;
	struct fake_dir dir;
	struct pm_dlms_server_config cfg;
	struct pm_dlms_session *s;
	struct pm_axdr_out out;
	enum pm_dlms_verdict verdict;
};

static struct rig *rig_new(const char *password)
{
	struct rig *r = calloc(1, sizeof(*r));

	ck_assert_ptr_nonnull(r);
	r->st.energy = 12345;
	r->dir.st = &r->st;
	r->cfg.ops = &fake_ops;
	r->cfg.dir = &r->dir;
	r->cfg.password = password;
	r->s = pm_dlms_session_new(&r->cfg);
	ck_assert_ptr_nonnull(r->s);
	pm_axdr_out_init_heap(&r->out, 1 << 16);
	return r;
}

static void rig_free(struct rig *r)
{
	pm_dlms_session_free(r->s);
	pm_axdr_out_free(&r->out);
	free(r);
}

/* One APDU from client @csap to server SAP 1, in a buffer of its own length. */
static void rig_send(struct rig *r, uint16_t csap, const uint8_t *apdu, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);

	if (n)
		memcpy(copy, apdu, n);
	r->verdict = pm_dlms_session_apdu(r->s, NULL, csap, PM_DLMS_SERVER_SAP, copy, n, &r->out);
	free(copy);
}

#define SEND(r, csap, a) rig_send((r), (csap), (a), sizeof(a))

/* The answer is exactly these bytes. */
#define ANSWER_IS(r, ...)                                                                          \
	do {                                                                                       \
		static const uint8_t want_[] = {__VA_ARGS__};                                      \
		ck_assert_int_eq((r)->verdict, PM_DLMS_ANSWER);                                    \
		ck_assert_uint_eq((r)->out.len, sizeof(want_));                                    \
		ck_assert(memcmp((r)->out.buf, want_, sizeof(want_)) == 0);                        \
	} while (0)

#define CONTEXT_LN 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01
/* An AARE rejected-permanent with acse-service-user diagnostic @d and no user-information. */
#define AARE_REJECTED(d)                                                                           \
	0x61, 0x17, CONTEXT_LN, 0xA2, 0x03, 0x02, 0x01, 0x01, 0xA3, 0x05, 0xA1, 0x03, 0x02, 0x01,  \
	    (d)
/* An AARE rejected-permanent, no-reason-given, confirmedServiceError initiateError initiate
 * @e. */
#define AARE_INITIATE_ERROR(e)                                                                     \
	0x61, 0x1F, CONTEXT_LN, 0xA2, 0x03, 0x02, 0x01, 0x01, 0xA3, 0x05, 0xA1, 0x03, 0x02, 0x01,  \
	    0x01, 0xBE, 0x06, 0x04, 0x04, 0x0E, 0x01, 0x06, (e)
/* Accepted: version 6, conformance @c1 @c2 @c3, our max PDU 1024 (04 00), vaa-name 0x0007. */
#define AARE_ACCEPTED(c1, c2, c3)                                                                  \
	0x61, 0x29, CONTEXT_LN, 0xA2, 0x03, 0x02, 0x01, 0x00, 0xA3, 0x05, 0xA1, 0x03, 0x02, 0x01,  \
	    0x00, 0xBE, 0x10, 0x04, 0x0E, 0x08, 0x00, 0x06, 0x5F, 0x1F, 0x04, 0x00, (c1), (c2),    \
	    (c3), 0x04, 0x00, 0x00, 0x07

/* The reference's AARQ (no security; version at [21], conformance at [26..28], client max
 * PDU at [29..30]). */
static const uint8_t ref_aarq[] = {0x60, 0x1D, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08,
				   0x01, 0x01, 0xBE, 0x10, 0x04, 0x0E, 0x01, 0x00, 0x00, 0x00, 0x06,
				   0x5F, 0x1F, 0x04, 0x00, 0x40, 0x1E, 0x1D, 0xFF, 0xFF};
/* LLS with password "12345678" (mechanism id at [37], password at [42..49], conformance
 * 0x621E5D). */
static const uint8_t lls_aarq[] = {
    0x60, 0x42, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01, 0xA6,
    0x0A, 0x04, 0x08, 'A',  'B',  'C',	'D',  'E',  'F',  'G',	'H',  0x8A, 0x02, 0x07,
    0x80, 0x8B, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x02, 0x01, 0xAC, 0x0A, 0x80, 0x08,
    '1',  '2',	'3',  '4',  '5',  '6',	'7',  '8',  0xBE, 0x10, 0x04, 0x0E, 0x01, 0x00,
    0x00, 0x00, 0x06, 0x5F, 0x1F, 0x04, 0x00, 0x62, 0x1E, 0x5D, 0xFF, 0xFF};

/* The reference's AARQ with another conformance and client max PDU. */
static void aarq_with(uint8_t *a, uint32_t conformance, uint16_t pdu)
{
	memcpy(a, ref_aarq, sizeof(ref_aarq));
	a[26] = (uint8_t)(conformance >> 16);
	a[27] = (uint8_t)(conformance >> 8);
	a[28] = (uint8_t)conformance;
	a[29] = (uint8_t)(pdu >> 8);
	a[30] = (uint8_t)pdu;
}

/* Associates the public client with @conformance and @pdu. */
static void associate_public(struct rig *r, uint32_t conformance, uint16_t pdu)
{
	uint8_t a[sizeof(ref_aarq)];

	aarq_with(a, conformance, pdu);
	SEND(r, 16, a);
	ck_assert_int_eq(pm_dlms_session_assoc(r->s)->client, PM_DLMS_CLIENT_PUBLIC);
}

static void associate_management(struct rig *r)
{
	SEND(r, 1, lls_aarq);
	ck_assert_int_eq(pm_dlms_session_assoc(r->s)->client, PM_DLMS_CLIENT_MANAGEMENT);
}

/* GETs of the register's value and of the load profile. */
static const uint8_t get_energy[] = {0xC0, 0x01, 0xC1, 0x00, 0x03, 0x01, 0x00,
				     0x01, 0x08, 0x00, 0xFF, 0x02, 0x00};
static const uint8_t get_profile[] = {0xC0, 0x01, 0xC2, 0x00, 0x07, 0x01, 0x00,
				      0x63, 0x01, 0x00, 0xFF, 0x02, 0x00};

/* ---- association ---- */

START_TEST(test_assoc_public_accepted)
{
	struct rig *r = rig_new(NULL);
	const struct pm_dlms_assoc_info *ai = pm_dlms_session_assoc(r->s);

	ck_assert_int_eq(ai->client, PM_DLMS_CLIENT_NONE);
	SEND(r, 16, ref_aarq);
	/* the client's 0x401E1D AND ours (get 0x10, set 0x08, selective-access 0x04, action
	 * 0x01, block get 0x1000, block set 0x0800, multiple references 0x0200: 0x001A1D) */
	ANSWER_IS(r, AARE_ACCEPTED(0x00, 0x1A, 0x1D));
	ck_assert_int_eq(ai->client, PM_DLMS_CLIENT_PUBLIC);
	ck_assert_uint_eq(ai->client_sap, 16);
	ck_assert_uint_eq(ai->server_sap, 1);
	ck_assert_uint_eq(ai->mechanism, 0);
	ck_assert_uint_eq(ai->conformance, 0x001A1D);
	ck_assert_uint_eq(ai->client_max_pdu, 0xFFFF);
	ck_assert_uint_eq(ai->server_max_pdu, 1024);
	ck_assert_uint_eq(ai->dlms_version, 6);
	rig_free(r);
}
END_TEST

START_TEST(test_assoc_management_accepted)
{
	struct rig *r = rig_new("12345678");

	SEND(r, 1, lls_aarq);
	/* 0x621E5D AND 0x001A1D */
	ANSWER_IS(r, AARE_ACCEPTED(0x00, 0x1A, 0x1D));
	ck_assert_int_eq(pm_dlms_session_assoc(r->s)->client, PM_DLMS_CLIENT_MANAGEMENT);
	ck_assert_uint_eq(pm_dlms_session_assoc(r->s)->mechanism, 1);
	rig_free(r);
}
END_TEST

/* Configured client SAPs (server.h rules): each authenticates as its rule says and gets its
 * rights; a SAP not listed, the standard ones included, is refused (no-reason-given, 1). */
START_TEST(test_assoc_configured_clients)
{
	static const struct pm_dlms_client_rule rules[] = {
	    {17, PM_DLMS_AUTH_LLS, PM_DLMS_CLIENT_READER},
	    {20, PM_DLMS_AUTH_NONE, PM_DLMS_CLIENT_PUBLIC},
	    {1, PM_DLMS_AUTH_HLS, PM_DLMS_CLIENT_MANAGEMENT},
	};
	struct rig *r = rig_new("12345678");

	r->cfg.clients = rules;
	r->cfg.n_clients = 3;
	SEND(r, 17, lls_aarq);
	ANSWER_IS(r, AARE_ACCEPTED(0x00, 0x1A, 0x1D));
	ck_assert_int_eq(pm_dlms_session_assoc(r->s)->client, PM_DLMS_CLIENT_READER);
	ck_assert_uint_eq(pm_dlms_session_assoc(r->s)->client_sap, 17);
	ck_assert_uint_eq(pm_dlms_session_assoc(r->s)->mechanism, 1);
	SEND(r, 20, ref_aarq);
	ANSWER_IS(r, AARE_ACCEPTED(0x00, 0x1A, 0x1D));
	ck_assert_int_eq(pm_dlms_session_assoc(r->s)->client, PM_DLMS_CLIENT_PUBLIC);
	/* 16 is not in the list */
	SEND(r, 16, ref_aarq);
	ANSWER_IS(r, AARE_REJECTED(1));
	ck_assert_int_eq(pm_dlms_session_assoc(r->s)->client, PM_DLMS_CLIENT_NONE);
	/* SAP 1 may not use LLS here: authentication-mechanism-name-not-recognised (11) */
	SEND(r, 1, lls_aarq);
	ANSWER_IS(r, AARE_REJECTED(11));
	/* 17 must authenticate: authentication-mechanism-name-required (12) */
	SEND(r, 17, ref_aarq);
	ANSWER_IS(r, AARE_REJECTED(12));
	/* 20 may not: the mechanism it names is not recognised (11) */
	SEND(r, 20, lls_aarq);
	ANSWER_IS(r, AARE_REJECTED(11));
	rig_free(r);
}
END_TEST

START_TEST(test_assoc_rejections)
{
	struct rig *r = rig_new("12345678");
	struct rig *nopass = rig_new(NULL);
	uint8_t a[sizeof(lls_aarq)];

	/* wrong password, one byte off; and one byte shorter */
	memcpy(a, lls_aarq, sizeof(a));
	a[49] = '9';
	SEND(r, 1, a);
	ANSWER_IS(r, AARE_REJECTED(13));
	ck_assert_int_eq(pm_dlms_session_assoc(r->s)->client, PM_DLMS_CLIENT_NONE);
	{
		uint8_t shorter[sizeof(lls_aarq) - 1];

		memcpy(shorter, lls_aarq, 49);
		memcpy(shorter + 49, lls_aarq + 50, sizeof(lls_aarq) - 50);
		shorter[1]--;  /* AARQ length */
		shorter[39]--; /* AC length */
		shorter[41]--; /* charstring length */
		SEND(r, 1, shorter);
		ANSWER_IS(r, AARE_REJECTED(13));
	}
	/* the management client when no password is configured */
	SEND(nopass, 1, lls_aarq);
	ANSWER_IS(nopass, AARE_REJECTED(13));
	/* the management client without a mechanism: mechanism-name required */
	SEND(r, 1, ref_aarq);
	ANSWER_IS(r, AARE_REJECTED(12));
	/* the public client naming LLS, the management client naming HLS-GMAC (5) */
	SEND(r, 16, lls_aarq);
	ANSWER_IS(r, AARE_REJECTED(11));
	memcpy(a, lls_aarq, sizeof(a));
	a[37] = 5;
	SEND(r, 1, a);
	ANSWER_IS(r, AARE_REJECTED(11));
	/* the management client naming "no security" explicitly */
	a[37] = 0;
	SEND(r, 1, a);
	ANSWER_IS(r, AARE_REJECTED(12));
	/* LLS with the password as a bit-string [1] instead of a charstring [0] */
	memcpy(a, lls_aarq, sizeof(a));
	a[40] = 0x81;
	SEND(r, 1, a);
	ANSWER_IS(r, AARE_REJECTED(13));
	/* an unknown client SAP, another server SAP */
	SEND(r, 17, ref_aarq);
	ANSWER_IS(r, AARE_REJECTED(1));
	r->verdict = pm_dlms_session_apdu(r->s, NULL, 16, 2, ref_aarq, sizeof(ref_aarq), &r->out);
	ANSWER_IS(r, AARE_REJECTED(1));
	/* short-name and ciphered logical-name contexts */
	{
		uint8_t c[sizeof(ref_aarq)];

		memcpy(c, ref_aarq, sizeof(c));
		c[12] = 2;
		SEND(r, 16, c);
		ANSWER_IS(r, AARE_REJECTED(2));
		c[12] = 3;
		SEND(r, 16, c);
		ANSWER_IS(r, AARE_REJECTED(2));
	}
	/* not an AARQ that parses */
	{
		static const uint8_t garbage[] = {0x60, 0x01, 0x00};

		SEND(r, 16, garbage);
		ANSWER_IS(r, AARE_REJECTED(1));
	}
	/* protocol-version without version1: acse-service-provider no-common-acse-version */
	{
		static const uint8_t v0[] = {0x60, 0x0F, 0x80, 0x02, 0x07, 0x00, CONTEXT_LN};

		SEND(r, 16, v0);
		ANSWER_IS(r, 0x61, 0x17, CONTEXT_LN, 0xA2, 0x03, 0x02, 0x01, 0x01, 0xA3, 0x05, 0xA2,
			  0x03, 0x02, 0x01, 0x02);
	}
	/* no user-information */
	{
		static const uint8_t bare[] = {0x60, 0x0B, CONTEXT_LN};

		SEND(r, 16, bare);
		ANSWER_IS(r, AARE_REJECTED(1));
	}
	ck_assert_int_eq(pm_dlms_session_assoc(r->s)->client, PM_DLMS_CLIENT_NONE);
	rig_free(r);
	rig_free(nopass);
}
END_TEST

START_TEST(test_assoc_initiate_errors)
{
	struct rig *r = rig_new(NULL);
	uint8_t a[sizeof(ref_aarq)];

	/* DLMS version 5 */
	memcpy(a, ref_aarq, sizeof(a));
	a[21] = 5;
	SEND(r, 16, a);
	ANSWER_IS(r, AARE_INITIATE_ERROR(1));
	/* no common service: the client proposes only general-protection (bit 1) */
	aarq_with(a, 0x400000, 0xFFFF);
	SEND(r, 16, a);
	ANSWER_IS(r, AARE_INITIATE_ERROR(2));
	/* client max PDU 63, below the 64 accepted */
	aarq_with(a, 0x401E1D, 63);
	SEND(r, 16, a);
	ANSWER_IS(r, AARE_INITIATE_ERROR(3));
	/* a glo-initiateRequest in an unciphered context */
	memcpy(a, ref_aarq, sizeof(a));
	a[17] = 0x21;
	SEND(r, 16, a);
	ANSWER_IS(r, AARE_INITIATE_ERROR(0));
	ck_assert_int_eq(pm_dlms_session_assoc(r->s)->client, PM_DLMS_CLIENT_NONE);
	/* 64 is enough */
	aarq_with(a, 0x401E1D, 64);
	SEND(r, 16, a);
	ANSWER_IS(r, AARE_ACCEPTED(0x00, 0x1A, 0x1D));
	ck_assert_uint_eq(pm_dlms_session_assoc(r->s)->client_max_pdu, 64);
	rig_free(r);
}
END_TEST

START_TEST(test_assoc_response_not_allowed)
{
	struct rig *r = rig_new(NULL);
	uint8_t a[sizeof(ref_aarq) + 2];

	/* response-allowed present and FALSE (01 00 in place of the DEFAULT's 00) */
	memcpy(a, ref_aarq, 19);
	a[19] = 0x01;
	a[20] = 0x00;
	memcpy(a + 21, ref_aarq + 20, sizeof(ref_aarq) - 20);
	a[1] += 1;
	a[14] += 1;
	a[16] += 1;
	rig_send(r, 16, a, sizeof(ref_aarq) + 1);
	ck_assert_int_eq(r->verdict, PM_DLMS_ANSWER);
	ck_assert_uint_eq(r->out.len, 0);
	ck_assert_int_eq(pm_dlms_session_assoc(r->s)->client, PM_DLMS_CLIENT_NONE);
	rig_free(r);
}
END_TEST

START_TEST(test_release_and_reassociate)
{
	struct rig *r = rig_new("12345678");
	static const uint8_t rlrq[] = {0x62, 0x03, 0x80, 0x01, 0x00};
	static const uint8_t rlrq_garbled[] = {0x62, 0x05, 0x99};

	associate_public(r, 0x401E1D, 0xFFFF);
	SEND(r, 16, rlrq);
	ANSWER_IS(r, 0x63, 0x03, 0x80, 0x01, 0x00);
	ck_assert_int_eq(pm_dlms_session_assoc(r->s)->client, PM_DLMS_CLIENT_NONE);
	SEND(r, 16, get_energy);
	ANSWER_IS(r, 0xD8, 0x01, 0x01);
	/* an AARQ while associated replaces the association */
	associate_public(r, 0x401E1D, 0xFFFF);
	associate_management(r);
	ck_assert_uint_eq(pm_dlms_session_assoc(r->s)->client_sap, 1);
	/* a failed AARQ leaves the session unassociated */
	SEND(r, 17, ref_aarq);
	ck_assert_int_eq(pm_dlms_session_assoc(r->s)->client, PM_DLMS_CLIENT_NONE);
	/* a garbled RLRQ still releases */
	associate_public(r, 0x401E1D, 0xFFFF);
	SEND(r, 16, rlrq_garbled);
	ANSWER_IS(r, 0x63, 0x03, 0x80, 0x01, 0x00);
	ck_assert_int_eq(pm_dlms_session_assoc(r->s)->client, PM_DLMS_CLIENT_NONE);
	rig_free(r);
}
END_TEST

/* ---- refusals outside the services ---- */

START_TEST(test_refusals)
{
	struct rig *r = rig_new(NULL);
	static const uint8_t unknown[] = {0x99, 0x01};
	static const uint8_t glo_get[] = {0xC8, 0x01, 0x00};
	static const uint8_t read_sn[] = {0x05, 0x01, 0x02, 0xFA, 0x00};
	static const uint8_t truncated[] = {0xC0, 0x01, 0xC1, 0x00, 0x03};
	static const uint8_t bad_choice[] = {0xC0, 0x05, 0xC1};
	static const uint8_t set_list_first[] = {0xC1, 0x05, 0xC1, 0x00};

	/* before any association: GET, SET, ACTION are not allowed */
	SEND(r, 16, get_energy);
	ANSWER_IS(r, 0xD8, 0x01, 0x01);
	SEND(r, 16, unknown);
	ANSWER_IS(r, 0xD8, 0x02, 0x02);
	rig_send(r, 16, NULL, 0);
	ANSWER_IS(r, 0xD8, 0x02, 0x02);
	r->verdict = pm_dlms_session_apdu(r->s, NULL, 16, 1, NULL, 0, &r->out);
	ANSWER_IS(r, 0xD8, 0x02, 0x02);

	associate_public(r, 0x401E1D, 0xFFFF);
	SEND(r, 16, unknown);
	ANSWER_IS(r, 0xD8, 0x02, 0x02);
	SEND(r, 16, glo_get);
	ANSWER_IS(r, 0xD8, 0x01, 0x02);
	SEND(r, 16, read_sn);
	ANSWER_IS(r, 0xD8, 0x01, 0x02);
	SEND(r, 16, truncated);
	ANSWER_IS(r, 0xD8, 0x01, 0x03);
	SEND(r, 16, bad_choice);
	ANSWER_IS(r, 0xD8, 0x02, 0x02);
	SEND(r, 16, set_list_first);
	ANSWER_IS(r, 0xD8, 0x01, 0x02);
	/* from another client SAP than the association's */
	SEND(r, 1, get_energy);
	ANSWER_IS(r, 0xD8, 0x01, 0x01);
	/* still associated, still served */
	SEND(r, 16, get_energy);
	ANSWER_IS(r, 0xC4, 0x01, 0xC1, 0x00, 0x06, 0x00, 0x00, 0x30, 0x39);
	rig_free(r);
}
END_TEST

START_TEST(test_request_too_long)
{
	struct rig *r = rig_new("12345678");
	/* SET of the blob: octet-string of 1100 octets, past our 1024 */
	uint8_t big[13 + 4 + 1100] = {0xC1, 0x01, 0xC1, 0x00, 0x01, 0x00, 0x00, 0x60, 0x01,
				      0x00, 0xFF, 0x02, 0x00, 0x09, 0x82, 0x04, 0x4C};

	associate_management(r);
	SEND(r, 1, big);
	ANSWER_IS(r, 0xD8, 0x01, 0x04);
	ck_assert_uint_eq(r->st.nblob, 0);
	rig_free(r);
}
END_TEST

START_TEST(test_out_too_small_closes)
{
	struct rig *r = rig_new(NULL);

	associate_public(r, 0x401E1D, 0xFFFF);
	pm_axdr_out_free(&r->out);
	pm_axdr_out_init_heap(&r->out, 8); /* the answer takes 9 */
	SEND(r, 16, get_energy);
	ck_assert_int_eq(r->verdict, PM_DLMS_CLOSE);
	ck_assert_uint_eq(r->out.len, 0);
	rig_free(r);
}
END_TEST

/* ---- GET ---- */

START_TEST(test_get_normal)
{
	struct rig *r = rig_new("12345678");
	static const uint8_t missing[] = {0xC0, 0x01, 0xC1, 0x00, 0x03, 0x01, 0x00,
					  0x02, 0x08, 0x00, 0xFF, 0x02, 0x00};
	static const uint8_t secret[] = {0xC0, 0x01, 0x81, 0x00, 0x01, 0x00, 0x00,
					 0x60, 0x01, 0x09, 0xFF, 0x02, 0x00};
	static const uint8_t attr0[] = {0xC0, 0x01, 0xC1, 0x00, 0x03, 0x01, 0x00,
					0x01, 0x08, 0x00, 0xFF, 0x00, 0x00};
	static const uint8_t wrong_class[] = {0xC0, 0x01, 0xC1, 0x00, 0x04, 0x01, 0x00,
					      0x01, 0x08, 0x00, 0xFF, 0x02, 0x00};
	/* the profile by entry: selector 2, structure{from-entry 1, to-entry 2, from-value 1,
	 * to-value 0} */
	static const uint8_t by_entry[] = {0xC0, 0x01, 0xC1, 0x00, 0x07, 0x01, 0x00, 0x63,
					   0x01, 0x00, 0xFF, 0x02, 0x01, 0x02, 0x02, 0x04,
					   0x06, 0x00, 0x00, 0x00, 0x01, 0x06, 0x00, 0x00,
					   0x00, 0x02, 0x12, 0x00, 0x01, 0x12, 0x00, 0x00};
	static const uint8_t by_selector_3[] = {0xC0, 0x01, 0xC1, 0x00, 0x07, 0x01, 0x00, 0x63,
						0x01, 0x00, 0xFF, 0x02, 0x01, 0x03, 0x00};
	uint8_t two_rows[2 + 2 * ROW_LEN];

	associate_public(r, 0x401E1D, 0xFFFF);
	/* double-long-unsigned 12345 = 0x3039 */
	SEND(r, 16, get_energy);
	ANSWER_IS(r, 0xC4, 0x01, 0xC1, 0x00, 0x06, 0x00, 0x00, 0x30, 0x39);
	SEND(r, 16, missing);
	ANSWER_IS(r, 0xC4, 0x01, 0xC1, 0x01, 0x04);
	SEND(r, 16, wrong_class);
	ANSWER_IS(r, 0xC4, 0x01, 0xC1, 0x01, 0x04);
	/* the management-only object is undefined for the public client */
	SEND(r, 16, secret);
	ANSWER_IS(r, 0xC4, 0x01, 0x81, 0x01, 0x04);
	SEND(r, 16, attr0);
	ANSWER_IS(r, 0xC4, 0x01, 0xC1, 0x01, 0x03);

	/* selective access reaches the directory with its parameters */
	SEND(r, 16, by_entry);
	ck_assert_uint_eq(r->st.last_selector, 2);
	ck_assert_uint_eq(r->st.last_nparam, sizeof(by_entry) - 14);
	ck_assert_uint_eq(r->out.len, 4 + sizeof(two_rows));
	profile_bytes(two_rows, 2);
	ck_assert(memcmp(r->out.buf, (const uint8_t[]){0xC4, 0x01, 0xC1, 0x00}, 4) == 0);
	ck_assert(memcmp(r->out.buf + 4, two_rows, sizeof(two_rows)) == 0);
	SEND(r, 16, by_selector_3);
	ANSWER_IS(r, 0xC4, 0x01, 0xC1, 0x01, 0x0D);

	associate_management(r);
	SEND(r, 1, secret);
	ANSWER_IS(r, 0xC4, 0x01, 0x81, 0x00, 0x0A, 0x01, 's');
	rig_free(r);
}
END_TEST

/*
 * Reads a long GET's blocks until the last: checks each block's head, number and size against
 * @pdu, and returns the raw-data joined (@n octets).
 */
static uint8_t *read_blocks(struct rig *r, uint8_t invoke, uint16_t pdu, size_t *n)
{
	uint8_t *joined = malloc(PROFILE_LEN * 2);
	uint32_t block = 1;
	size_t len = 0;

	for (;;) {
		uint8_t next[] = {0xC0, 0x02, invoke, 0, 0, 0, 0};
		const uint8_t *p = r->out.buf;
		size_t raw, head;
		bool last;

		ck_assert_int_eq(r->verdict, PM_DLMS_ANSWER);
		ck_assert_uint_le(r->out.len, pdu);
		ck_assert(p[0] == 0xC4 && p[1] == 0x02 && p[2] == invoke);
		ck_assert(p[3] == 0 || p[3] == 1);
		last = p[3];
		ck_assert_uint_eq((uint32_t)p[4] << 24 | p[5] << 16 | p[6] << 8 | p[7], block);
		ck_assert_uint_eq(p[8], 0); /* raw-data */
		if (p[9] < 0x80) {
			raw = p[9];
			head = 10;
		} else if (p[9] == 0x81) {
			raw = p[10];
			head = 11;
		} else {
			ck_assert_uint_eq(p[9], 0x82);
			raw = (size_t)p[10] << 8 | p[11];
			head = 12;
		}
		ck_assert_uint_eq(r->out.len, head + raw);
		/* every block but the last fills the PDU */
		if (!last)
			ck_assert_uint_eq(r->out.len, pdu);
		memcpy(joined + len, p + head, raw);
		len += raw;
		if (last)
			break;
		next[6] = (uint8_t)block;
		next[5] = (uint8_t)(block >> 8);
		rig_send(r, 16, next, sizeof(next));
		block++;
	}
	*n = len;
	return joined;
}

START_TEST(test_get_blocks)
{
	struct rig *r = rig_new(NULL);
	/* 64: blocks of 54 octets (9 + 1 + 54), 38 full and one of 2102 - 38 * 54 = 50;
	 * 200: 189 (9 + 2 + 189, length 81 BD); 300: 288 (9 + 3 + 288, length 82 01 20);
	 * 1024: 1012 */
	static const uint16_t pdus[] = {64, 200, 300, 1024};
	static const uint8_t next41[] = {0xC0, 0x02, 0xC2, 0x00, 0x00, 0x00, 0x29};
	uint8_t want[PROFILE_LEN];
	uint8_t *joined;
	size_t i, n;

	profile_bytes(want, PROFILE_ROWS);
	for (i = 0; i < sizeof(pdus) / sizeof(pdus[0]); i++) {
		associate_public(r, 0x401E1D, pdus[i]);
		SEND(r, 16, get_profile);
		if (pdus[i] == 200)
			ck_assert(r->out.buf[9] == 0x81 && r->out.buf[10] == 0xBD);
		if (pdus[i] == 300)
			ck_assert(r->out.buf[9] == 0x82 && r->out.buf[10] == 0x01 &&
				  r->out.buf[11] == 0x20);
		joined = read_blocks(r, 0xC2, pdus[i], &n);
		ck_assert_uint_eq(n, PROFILE_LEN);
		ck_assert(memcmp(joined, want, PROFILE_LEN) == 0);
		free(joined);
		/* the long GET is over */
		SEND(r, 16, next41);
		ANSWER_IS(r, 0xC4, 0x02, 0xC2, 0x01, 0x00, 0x00, 0x00, 0x29, 0x01, 0x10);
	}
	/* 64 takes 39 blocks */
	associate_public(r, 0x401E1D, 64);
	SEND(r, 16, get_profile);
	free(read_blocks(r, 0xC2, 64, &n));
	ck_assert_uint_eq(r->out.buf[7], 39);
	ck_assert_uint_eq(r->out.len, 10 + 50);
	rig_free(r);
}
END_TEST

START_TEST(test_get_blocks_our_pdu)
{
	struct rig *r = rig_new(NULL);
	uint8_t want[PROFILE_LEN];
	uint8_t *joined;
	size_t n;

	/* our max PDU 512 (02 00 in the AARE) caps the blocks though the client takes 65535 */
	r->cfg.max_pdu = 512;
	SEND(r, 16, ref_aarq);
	ANSWER_IS(r, 0x61, 0x29, CONTEXT_LN, 0xA2, 0x03, 0x02, 0x01, 0x00, 0xA3, 0x05, 0xA1, 0x03,
		  0x02, 0x01, 0x00, 0xBE, 0x10, 0x04, 0x0E, 0x08, 0x00, 0x06, 0x5F, 0x1F, 0x04,
		  0x00, 0x00, 0x1A, 0x1D, 0x02, 0x00, 0x00, 0x07);
	SEND(r, 16, get_profile);
	joined = read_blocks(r, 0xC2, 512, &n);
	profile_bytes(want, PROFILE_ROWS);
	ck_assert_uint_eq(n, PROFILE_LEN);
	ck_assert(memcmp(joined, want, n) == 0);
	free(joined);
	/* the default, 1024: 2102 octets in blocks of 1012 */
	r->cfg.max_pdu = 0;
	SEND(r, 16, ref_aarq);
	SEND(r, 16, get_profile);
	ck_assert_uint_eq(r->out.len, 1024);
	free(read_blocks(r, 0xC2, 1024, &n));
	ck_assert_uint_eq(r->out.buf[7], 3);
	/* ours configured below 64 is announced as 64 (00 40) */
	r->cfg.max_pdu = 10;
	SEND(r, 16, ref_aarq);
	ck_assert(r->out.buf[39] == 0x00 && r->out.buf[40] == 0x40);
	ck_assert_uint_eq(pm_dlms_session_assoc(r->s)->server_max_pdu, 64);
	rig_free(r);
}
END_TEST

START_TEST(test_get_block_errors)
{
	struct rig *r = rig_new(NULL);
	static const uint8_t next1[] = {0xC0, 0x02, 0xC2, 0x00, 0x00, 0x00, 0x01};
	static const uint8_t next3[] = {0xC0, 0x02, 0xC2, 0x00, 0x00, 0x00, 0x03};
	static const uint8_t next5[] = {0xC0, 0x02, 0xC1, 0x00, 0x00, 0x00, 0x05};

	associate_public(r, 0x401E1D, 64);
	/* no long GET in progress */
	SEND(r, 16, next5);
	ANSWER_IS(r, 0xC4, 0x02, 0xC1, 0x01, 0x00, 0x00, 0x00, 0x05, 0x01, 0x10);
	/* block 1 sent; the client acknowledges block 3: data-block-number-invalid, over */
	SEND(r, 16, get_profile);
	ck_assert_uint_eq(r->out.buf[7], 1);
	SEND(r, 16, next3);
	ANSWER_IS(r, 0xC4, 0x02, 0xC2, 0x01, 0x00, 0x00, 0x00, 0x03, 0x01, 0x13);
	SEND(r, 16, next1);
	ANSWER_IS(r, 0xC4, 0x02, 0xC2, 0x01, 0x00, 0x00, 0x00, 0x01, 0x01, 0x10);
	/* a new GET abandons a long one */
	SEND(r, 16, get_profile);
	SEND(r, 16, get_energy);
	ANSWER_IS(r, 0xC4, 0x01, 0xC1, 0x00, 0x06, 0x00, 0x00, 0x30, 0x39);
	SEND(r, 16, next1);
	ANSWER_IS(r, 0xC4, 0x02, 0xC2, 0x01, 0x00, 0x00, 0x00, 0x01, 0x01, 0x10);
	/* block 1 acknowledged twice: the second is invalid (block 2 was sent) */
	SEND(r, 16, get_profile);
	SEND(r, 16, next1);
	ck_assert_uint_eq(r->out.buf[7], 2);
	SEND(r, 16, next1);
	ANSWER_IS(r, 0xC4, 0x02, 0xC2, 0x01, 0x00, 0x00, 0x00, 0x01, 0x01, 0x13);
	rig_free(r);
}
END_TEST

START_TEST(test_get_with_list)
{
	struct rig *r = rig_new(NULL);
	/* register value, a register that does not exist, register scaler_unit */
	static const uint8_t list[] = {0xC0, 0x03, 0xC1, 0x03, 0x00, 0x03, 0x01, 0x00, 0x01,
				       0x08, 0x00, 0xFF, 0x02, 0x00, 0x00, 0x03, 0x01, 0x00,
				       0x09, 0x08, 0x00, 0xFF, 0x02, 0x00, 0x00, 0x03, 0x01,
				       0x00, 0x01, 0x08, 0x00, 0xFF, 0x03, 0x00};
	/* the profile then the register value */
	static const uint8_t long_list[] = {0xC0, 0x03, 0xC2, 0x02, 0x00, 0x07, 0x01, 0x00,
					    0x63, 0x01, 0x00, 0xFF, 0x02, 0x00, 0x00, 0x03,
					    0x01, 0x00, 0x01, 0x08, 0x00, 0xFF, 0x02, 0x00};
	uint8_t want[2 + 1 + PROFILE_LEN + 6];
	uint8_t *joined;
	size_t n;

	associate_public(r, 0x401E1D, 0xFFFF);
	SEND(r, 16, list);
	ANSWER_IS(r, 0xC4, 0x03, 0xC1, 0x03, 0x00, 0x06, 0x00, 0x00, 0x30, 0x39, 0x01, 0x04, 0x00,
		  0x02, 0x02, 0x0F, 0x00, 0x16, 0x1E);

	/* too long for 64: the SEQUENCE OF Get-Data-Result goes in blocks */
	associate_public(r, 0x401E1D, 64);
	SEND(r, 16, long_list);
	joined = read_blocks(r, 0xC2, 64, &n);
	want[0] = 0x02; /* two results */
	want[1] = 0x00; /* data */
	profile_bytes(want + 2, PROFILE_ROWS);
	memcpy(want + 2 + PROFILE_LEN, (const uint8_t[]){0x00, 0x06, 0x00, 0x00, 0x30, 0x39}, 6);
	ck_assert_uint_eq(n, 2 + PROFILE_LEN + 6);
	ck_assert(memcmp(joined, want, n) == 0);
	free(joined);

	/* without multiple-references negotiated: not allowed */
	associate_public(r, 0x00101D, 0xFFFF);
	SEND(r, 16, list);
	ANSWER_IS(r, 0xD8, 0x01, 0x02);
	rig_free(r);
}
END_TEST

START_TEST(test_not_negotiated)
{
	struct rig *r = rig_new(NULL);
	static const uint8_t set[] = {0xC1, 0x01, 0xC1, 0x00, 0x03, 0x01, 0x00, 0x01, 0x08,
				      0x00, 0xFF, 0x02, 0x00, 0x06, 0x00, 0x00, 0x00, 0x2A};
	static const uint8_t action[] = {0xC3, 0x01, 0xC1, 0x00, 0x46, 0x00, 0x00,
					 0x60, 0x03, 0x0A, 0xFF, 0x01, 0x00};
	static const uint8_t next[] = {0xC0, 0x02, 0xC1, 0x00, 0x00, 0x00, 0x01};
	static const uint8_t by_entry[] = {0xC0, 0x01, 0xC1, 0x00, 0x07, 0x01, 0x00, 0x63,
					   0x01, 0x00, 0xFF, 0x02, 0x01, 0x02, 0x00};

	/* GET only (bit 19): SET, ACTION, GET-Next, selective access are refused */
	associate_public(r, PM_DLMS_CONF_GET, 64);
	ck_assert_uint_eq(pm_dlms_session_assoc(r->s)->conformance, 0x000010);
	SEND(r, 16, set);
	ANSWER_IS(r, 0xD8, 0x01, 0x02);
	SEND(r, 16, action);
	ANSWER_IS(r, 0xD8, 0x01, 0x02);
	SEND(r, 16, next);
	ANSWER_IS(r, 0xD8, 0x01, 0x02);
	SEND(r, 16, by_entry);
	ANSWER_IS(r, 0xD8, 0x01, 0x02);
	/* an answer longer than the PDU without block transfer: other-reason */
	SEND(r, 16, get_profile);
	ANSWER_IS(r, 0xC4, 0x01, 0xC2, 0x01, 0xFA);
	/* what fits is served */
	SEND(r, 16, get_energy);
	ANSWER_IS(r, 0xC4, 0x01, 0xC1, 0x00, 0x06, 0x00, 0x00, 0x30, 0x39);
	/* SET only: GET refused */
	associate_public(r, PM_DLMS_CONF_SET, 64);
	SEND(r, 16, get_energy);
	ANSWER_IS(r, 0xD8, 0x01, 0x02);
	rig_free(r);
}
END_TEST

/* ---- SET ---- */

START_TEST(test_set_normal)
{
	struct rig *r = rig_new("12345678");
	static const uint8_t set42[] = {0xC1, 0x01, 0xC1, 0x00, 0x03, 0x01, 0x00, 0x01, 0x08,
					0x00, 0xFF, 0x02, 0x00, 0x06, 0x00, 0x00, 0x00, 0x2A};
	static const uint8_t set_u8[] = {0xC1, 0x01, 0xC1, 0x00, 0x03, 0x01, 0x00, 0x01,
					 0x08, 0x00, 0xFF, 0x02, 0x00, 0x11, 0x01};
	static const uint8_t set_sel[] = {0xC1, 0x01, 0xC1, 0x00, 0x03, 0x01, 0x00, 0x01, 0x08,
					  0x00, 0xFF, 0x02, 0x01, 0x01, 0x00, 0x11, 0x01};
	static const uint8_t set_missing[] = {0xC1, 0x01, 0xC1, 0x00, 0x03, 0x01, 0x00, 0x07,
					      0x08, 0x00, 0xFF, 0x02, 0x00, 0x11, 0x01};
	/* register := double-long-unsigned 7; a missing object := unsigned 1 */
	static const uint8_t set_list[] = {0xC1, 0x04, 0xC1, 0x02, 0x00, 0x03, 0x01, 0x00,
					   0x01, 0x08, 0x00, 0xFF, 0x02, 0x00, 0x00, 0x03,
					   0x01, 0x00, 0x07, 0x08, 0x00, 0xFF, 0x02, 0x00,
					   0x02, 0x06, 0x00, 0x00, 0x00, 0x07, 0x11, 0x01};

	associate_public(r, 0x401E1D, 0xFFFF);
	SEND(r, 16, set42);
	ANSWER_IS(r, 0xC5, 0x01, 0xC1, 0x03); /* the directory: read-write-denied */
	ck_assert_uint_eq(r->st.energy, 12345);

	associate_management(r);
	SEND(r, 1, set42);
	ANSWER_IS(r, 0xC5, 0x01, 0xC1, 0x00);
	ck_assert_uint_eq(r->st.energy, 42);
	SEND(r, 1, get_energy);
	ANSWER_IS(r, 0xC4, 0x01, 0xC1, 0x00, 0x06, 0x00, 0x00, 0x00, 0x2A);
	SEND(r, 1, set_u8);
	ANSWER_IS(r, 0xC5, 0x01, 0xC1, 0x0C);
	SEND(r, 1, set_sel);
	ANSWER_IS(r, 0xC5, 0x01, 0xC1, 0x0D);
	SEND(r, 1, set_missing);
	ANSWER_IS(r, 0xC5, 0x01, 0xC1, 0x04);
	SEND(r, 1, set_list);
	ANSWER_IS(r, 0xC5, 0x05, 0xC1, 0x02, 0x00, 0x04);
	ck_assert_uint_eq(r->st.energy, 7);
	rig_free(r);
}
END_TEST

/* SET-Request-With-First-Datablock / -With-Datablock of the blob, @n raw octets. */
static size_t set_block_apdu(uint8_t *a, bool first, bool last, uint32_t block, const uint8_t *raw,
			     size_t n)
{
	static const uint8_t head_first[] = {0xC1, 0x02, 0xC1, 0x00, 0x01, 0x00, 0x00,
					     0x60, 0x01, 0x00, 0xFF, 0x02, 0x00};
	static const uint8_t head_next[] = {0xC1, 0x03, 0xC1};
	size_t len;

	if (first) {
		memcpy(a, head_first, sizeof(head_first));
		len = sizeof(head_first);
	} else {
		memcpy(a, head_next, sizeof(head_next));
		len = sizeof(head_next);
	}
	a[len++] = last ? 1 : 0;
	a[len++] = (uint8_t)(block >> 24);
	a[len++] = (uint8_t)(block >> 16);
	a[len++] = (uint8_t)(block >> 8);
	a[len++] = (uint8_t)block;
	if (n < 0x80) {
		a[len++] = (uint8_t)n;
	} else {
		a[len++] = 0x82;
		a[len++] = (uint8_t)(n >> 8);
		a[len++] = (uint8_t)n;
	}
	memcpy(a + len, raw, n);
	return len + n;
}

START_TEST(test_set_datablocks)
{
	struct rig *r = rig_new("12345678");
	uint8_t value[4 + 300], a[1100];
	size_t n;

	/* octet-string of 300 octets: 09 82 01 2C, then 300 octets */
	value[0] = 0x09;
	value[1] = 0x82;
	value[2] = 0x01;
	value[3] = 0x2C;
	for (n = 0; n < 300; n++)
		value[4 + n] = (uint8_t)n;
	associate_management(r);

	n = set_block_apdu(a, true, false, 1, value, 100);
	rig_send(r, 1, a, n);
	ANSWER_IS(r, 0xC5, 0x02, 0xC1, 0x00, 0x00, 0x00, 0x01);
	n = set_block_apdu(a, false, false, 2, value + 100, 100);
	rig_send(r, 1, a, n);
	ANSWER_IS(r, 0xC5, 0x02, 0xC1, 0x00, 0x00, 0x00, 0x02);
	ck_assert_uint_eq(r->st.nblob, 0); /* nothing set before the last block */
	n = set_block_apdu(a, false, true, 3, value + 200, 104);
	rig_send(r, 1, a, n);
	ANSWER_IS(r, 0xC5, 0x03, 0xC1, 0x00, 0x00, 0x00, 0x00, 0x03);
	ck_assert_uint_eq(r->st.nblob, sizeof(value));
	ck_assert(memcmp(r->st.blob, value, sizeof(value)) == 0);

	/* one block, first and last */
	r->st.nblob = 0;
	n = set_block_apdu(a, true, true, 1, value, sizeof(value));
	rig_send(r, 1, a, n);
	ANSWER_IS(r, 0xC5, 0x03, 0xC1, 0x00, 0x00, 0x00, 0x00, 0x01);
	ck_assert_uint_eq(r->st.nblob, sizeof(value));

	/* block 3 after block 1: invalid, and the long SET is over */
	r->st.nblob = 0;
	n = set_block_apdu(a, true, false, 1, value, 100);
	rig_send(r, 1, a, n);
	n = set_block_apdu(a, false, false, 3, value + 100, 100);
	rig_send(r, 1, a, n);
	ANSWER_IS(r, 0xC5, 0x03, 0xC1, 0x13, 0x00, 0x00, 0x00, 0x03);
	n = set_block_apdu(a, false, true, 2, value + 100, 204);
	rig_send(r, 1, a, n);
	ANSWER_IS(r, 0xC5, 0x03, 0xC1, 0x12, 0x00, 0x00, 0x00, 0x02);
	ck_assert_uint_eq(r->st.nblob, 0);

	/* a first block numbered 2 */
	n = set_block_apdu(a, true, false, 2, value, 100);
	rig_send(r, 1, a, n);
	ANSWER_IS(r, 0xC5, 0x03, 0xC1, 0x13, 0x00, 0x00, 0x00, 0x02);

	/* a GET in between ends the long SET */
	n = set_block_apdu(a, true, false, 1, value, 100);
	rig_send(r, 1, a, n);
	SEND(r, 1, get_energy);
	n = set_block_apdu(a, false, true, 2, value + 100, 204);
	rig_send(r, 1, a, n);
	ANSWER_IS(r, 0xC5, 0x03, 0xC1, 0x12, 0x00, 0x00, 0x00, 0x02);

	/* joined data that is not one Data: a second Data after the octet-string */
	n = set_block_apdu(a, true, false, 1, value, sizeof(value));
	rig_send(r, 1, a, n);
	n = set_block_apdu(a, false, true, 2, (const uint8_t[]){0x00}, 1);
	rig_send(r, 1, a, n);
	ANSWER_IS(r, 0xC5, 0x03, 0xC1, 0x0C, 0x00, 0x00, 0x00, 0x02);
	ck_assert_uint_eq(r->st.nblob, 0);
	rig_free(r);
}
END_TEST

START_TEST(test_set_datablock_refusals)
{
	struct rig *r = rig_new("12345678");
	uint8_t raw[1000], a[1100];
	static const uint8_t first_missing[] = {0xC1, 0x02, 0xC1, 0x00, 0x01, 0x00, 0x00,
						0x60, 0x01, 0x05, 0xFF, 0x02, 0x00, 0x00,
						0x00, 0x00, 0x00, 0x01, 0x02, 0x11, 0x01};
	uint32_t block;
	size_t n;

	memset(raw, 0x09, sizeof(raw));
	/* a datablock with no long SET */
	associate_management(r);
	n = set_block_apdu(a, false, false, 1, raw, 10);
	rig_send(r, 1, a, n);
	ANSWER_IS(r, 0xC5, 0x03, 0xC1, 0x12, 0x00, 0x00, 0x00, 0x01);
	/* the first block of an object that does not exist is refused at once */
	SEND(r, 1, first_missing);
	ANSWER_IS(r, 0xC5, 0x03, 0xC1, 0x04, 0x00, 0x00, 0x00, 0x01);
	/* more than PM_DLMS_MAX_SET (65536) joined: long-set-aborted at the 66th block of 1000 */
	for (block = 1; block <= 66; block++) {
		n = set_block_apdu(a, block == 1, false, block, raw, sizeof(raw));
		rig_send(r, 1, a, n);
		if (block < 66)
			ck_assert_uint_eq(r->out.buf[1], 0x02);
	}
	ANSWER_IS(r, 0xC5, 0x03, 0xC1, 0x11, 0x00, 0x00, 0x00, 0x42);
	ck_assert_uint_eq(r->st.nblob, 0);
	/* the public client: without block-transfer-with-set negotiated, refused */
	associate_public(r, PM_DLMS_CONF_SET, 0xFFFF);
	n = set_block_apdu(a, true, true, 1, raw, 10);
	rig_send(r, 16, a, n);
	ANSWER_IS(r, 0xD8, 0x01, 0x02);
	rig_free(r);
}
END_TEST

/* ---- ACTION ---- */

START_TEST(test_action)
{
	struct rig *r = rig_new("12345678");
	static const uint8_t m1[] = {0xC3, 0x01, 0xC1, 0x00, 0x46, 0x00, 0x00,
				     0x60, 0x03, 0x0A, 0xFF, 0x01, 0x00};
	static const uint8_t m1_param[] = {0xC3, 0x01, 0xC1, 0x00, 0x46, 0x00, 0x00, 0x60,
					   0x03, 0x0A, 0xFF, 0x01, 0x01, 0x0F, 0x00};
	static const uint8_t m2[] = {0xC3, 0x01, 0xC1, 0x00, 0x46, 0x00, 0x00,
				     0x60, 0x03, 0x0A, 0xFF, 0x02, 0x00};
	static const uint8_t m3[] = {0xC3, 0x01, 0xC1, 0x00, 0x46, 0x00, 0x00,
				     0x60, 0x03, 0x0A, 0xFF, 0x03, 0x00};
	static const uint8_t missing[] = {0xC3, 0x01, 0xC1, 0x00, 0x46, 0x00, 0x00,
					  0x60, 0x03, 0x0B, 0xFF, 0x01, 0x00};
	/* method 1 with null-data (none), method 2 */
	static const uint8_t list[] = {0xC3, 0x03, 0xC1, 0x02, 0x00, 0x46, 0x00, 0x00, 0x60,
				       0x03, 0x0A, 0xFF, 0x01, 0x00, 0x46, 0x00, 0x00, 0x60,
				       0x03, 0x0A, 0xFF, 0x02, 0x02, 0x00, 0x00};

	associate_public(r, 0x401E1D, 0xFFFF);
	SEND(r, 16, m1);
	ANSWER_IS(r, 0xC7, 0x01, 0xC1, 0x03, 0x00);
	ck_assert_uint_eq(r->st.actions, 0);

	associate_management(r);
	SEND(r, 1, m1);
	ANSWER_IS(r, 0xC7, 0x01, 0xC1, 0x00, 0x00);
	ck_assert_uint_eq(r->st.actions, 1);
	ck_assert_uint_eq(r->st.last_nparam, 0);
	SEND(r, 1, m1_param);
	ANSWER_IS(r, 0xC7, 0x01, 0xC1, 0x00, 0x00);
	ck_assert_uint_eq(r->st.last_nparam, 2);
	/* return data: long-unsigned 2 */
	SEND(r, 1, m2);
	ANSWER_IS(r, 0xC7, 0x01, 0xC1, 0x00, 0x01, 0x00, 0x12, 0x00, 0x02);
	SEND(r, 1, missing);
	ANSWER_IS(r, 0xC7, 0x01, 0xC1, 0x04, 0x00);
	SEND(r, 1, list);
	ANSWER_IS(r, 0xC7, 0x03, 0xC1, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12, 0x00, 0x03);
	ck_assert_uint_eq(r->st.actions, 3);
	/* 300 octets of return data fit 0xFFFF ... */
	SEND(r, 1, m3);
	ck_assert_uint_eq(r->out.len, 3 + 3 + 4 + 300);
	rig_free(r);

	/* ... not 64: the method ran, its data is dropped, other-reason */
	r = rig_new("12345678");
	{
		uint8_t a[sizeof(lls_aarq)];

		memcpy(a, lls_aarq, sizeof(a));
		a[sizeof(a) - 2] = 0x00;
		a[sizeof(a) - 1] = 0x40;
		SEND(r, 1, a);
	}
	ck_assert_uint_eq(pm_dlms_session_assoc(r->s)->client_max_pdu, 64);
	SEND(r, 1, m3);
	ANSWER_IS(r, 0xC7, 0x01, 0xC1, 0xFA, 0x00);
	rig_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dlms_server");
	TCase *tc = tcase_create("dlms_server");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 0); /* no time limit: these tests are about results */
	tcase_add_test(tc, test_assoc_public_accepted);
	tcase_add_test(tc, test_assoc_management_accepted);
	tcase_add_test(tc, test_assoc_rejections);
	tcase_add_test(tc, test_assoc_configured_clients);
	tcase_add_test(tc, test_assoc_initiate_errors);
	tcase_add_test(tc, test_assoc_response_not_allowed);
	tcase_add_test(tc, test_release_and_reassociate);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_request_too_long);
	tcase_add_test(tc, test_out_too_small_closes);
	tcase_add_test(tc, test_get_normal);
	tcase_add_test(tc, test_get_blocks);
	tcase_add_test(tc, test_get_blocks_our_pdu);
	tcase_add_test(tc, test_get_block_errors);
	tcase_add_test(tc, test_get_with_list);
	tcase_add_test(tc, test_not_negotiated);
	tcase_add_test(tc, test_set_normal);
	tcase_add_test(tc, test_set_datablocks);
	tcase_add_test(tc, test_set_datablock_refusals);
	tcase_add_test(tc, test_action);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
