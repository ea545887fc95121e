// SPDX-License-Identifier: GPL-2.0-only
/*
 * xDLMS and ACSE APDUs (apdu.h): the request parsers and the response writers.
 *
 * ACSE APDUs (AARQ, AARE, RLRQ, RLRE) are BER: tag, definite length (the same forms as A-XDR's),
 * contents. The xDLMS ones are A-XDR: a CHOICE is its tag octet, an OPTIONAL field a presence
 * octet (0 absent, 1 present) before it, a DEFAULT field likewise, a SEQUENCE OF its count in
 * the length form, an OCTET STRING its length then its octets, fixed-size integers big-endian.
 */
#include <string.h>

#include "core/dlms/apdu.h"

/* 2.16.756.5.8 in BER: 2*40+16 = 96 (0x60); 756 = 0x85 0x74; 5; 8. Then the arc naming the
 * kind (1 application context, 2 mechanism) and the id. */
static const uint8_t dlms_oid_prefix[5] = {0x60, 0x85, 0x74, 0x05, 0x08};

/* A-XDR OPTIONAL / DEFAULT presence octet. */
#define ABSENT 0x00
#define PRESENT 0x01

/* The vaa-name of an InitiateResponse under LN referencing: a dummy 0x0007 (Green Book,
 * quoted in the jDLMS ASN.1). */
#define VAA_NAME_LN 0x0007

bool pm_dlms_apdu_tag_is_defined(uint8_t tag)
{
	switch (tag) {
	case 0x01: /* initiateRequest */
	case 0x05: /* readRequest */
	case 0x06: /* writeRequest */
	case 0x08: /* initiateResponse */
	case 0x0C: /* readResponse */
	case 0x0D: /* writeResponse */
	case 0x0E: /* confirmedServiceError */
	case 0x0F: /* data-notification */
	case 0x16: /* unconfirmedWriteRequest */
	case 0x18: /* informationReportRequest */
	case 0x21: /* glo-initiateRequest, glo- short-name APDUs ... */
	case 0x25:
	case 0x26:
	case 0x28:
	case 0x2C:
	case 0x2D:
	case 0x2E:
	case 0x60: /* AARQ, AARE, RLRQ, RLRE */
	case 0x61:
	case 0x62:
	case 0x63:
		return true;
	default:
		/* get/set/event/action request and response, their glo- and ded- ciphered forms,
		 * exception-response, general-glo/ded-ciphering, general-ciphering, -signing and
		 * general-block-transfer */
		return (tag >= 0xC0 && tag <= 0xC7 && tag != 0xC6) ||
		       (tag >= 0xC8 && tag <= 0xCF && tag != 0xCE) ||
		       (tag >= 0xD0 && tag <= 0xD8 && tag != 0xD6) || tag == 0xDB || tag == 0xDC ||
		       tag == 0xDD || tag == 0xDF || tag == 0xE0;
	}
}

const char *pm_dlms_apdu_status_str(int status)
{
	switch (status) {
	case PM_DLMS_APDU_OK:
		return "ok";
	case PM_DLMS_APDU_MALFORMED:
		return "malformed APDU";
	case PM_DLMS_APDU_UNKNOWN_TAG:
		return "unknown APDU tag or choice";
	case PM_DLMS_APDU_UNSUPPORTED:
		return "APDU not supported by this server";
	default:
		return "unknown status";
	}
}

int pm_dlms_oid_id(const uint8_t *oid, size_t len, uint8_t arc1)
{
	if (!oid || len != PM_DLMS_OID_LEN || memcmp(oid, dlms_oid_prefix, 5) != 0 ||
	    oid[5] != arc1 || oid[6] & 0x80)
		return -1;
	return oid[6];
}

/* ---- reading helpers ---- */

/* The status of a reader after a run of reads. */
static int in_status(const struct pm_axdr_in *in)
{
	return in->error ? PM_DLMS_APDU_MALFORMED : PM_DLMS_APDU_OK;
}

/* The whole input was read: trailing bytes are malformed. */
static int in_end(const struct pm_axdr_in *in)
{
	if (in->error || in->pos != in->len)
		return PM_DLMS_APDU_MALFORMED;
	return PM_DLMS_APDU_OK;
}

/* An OPTIONAL's presence octet: 0 or 1, anything else malformed. */
static int get_presence(struct pm_axdr_in *in, bool *present)
{
	uint8_t b;

	if (pm_axdr_get_byte(in, &b))
		return PM_DLMS_APDU_MALFORMED;
	if (b != ABSENT && b != PRESENT)
		return PM_DLMS_APDU_MALFORMED;
	*present = b == PRESENT;
	return PM_DLMS_APDU_OK;
}

/* One whole Data: where it starts and how long it is. */
static int get_data_span(struct pm_axdr_in *in, const uint8_t **p, size_t *n)
{
	size_t start = in->pos;

	if (pm_axdr_skip_data(in, PM_DLMS_APDU_MAX_DEPTH))
		return PM_DLMS_APDU_MALFORMED;
	*p = in->p + start;
	*n = in->pos - start;
	return PM_DLMS_APDU_OK;
}

/* class-id, instance-id (6 octets, no length), attribute or method id. */
static int get_descriptor(struct pm_axdr_in *in, struct pm_dlms_attr_desc *d)
{
	const uint8_t *ln;

	memset(d, 0, sizeof(*d));
	if (pm_axdr_get_u16be(in, &d->class_id) || pm_axdr_get_bytes(in, 6, &ln) ||
	    pm_axdr_get_byte(in, &d->id))
		return PM_DLMS_APDU_MALFORMED;
	memcpy(d->ln, ln, 6);
	return PM_DLMS_APDU_OK;
}

/* access-selection OPTIONAL: access-selector Unsigned8, access-parameters Data. Selectors
 * start at 1 (IEC 62056-6-2); a 0 would read as "none" and is refused. */
static int get_selection(struct pm_axdr_in *in, struct pm_cosem_selector *sel)
{
	bool present;
	int rc;

	if ((rc = get_presence(in, &present)))
		return rc;
	if (!present)
		return PM_DLMS_APDU_OK;
	if (pm_axdr_get_byte(in, &sel->selector) || !sel->selector)
		return PM_DLMS_APDU_MALFORMED;
	return get_data_span(in, &sel->param, &sel->nparam);
}

int pm_dlms_attr_desc_read(struct pm_axdr_in *in, struct pm_dlms_attr_desc *d)
{
	int rc = get_descriptor(in, d);

	return rc ? rc : get_selection(in, &d->sel);
}

int pm_dlms_method_desc_read(struct pm_axdr_in *in, struct pm_dlms_attr_desc *d)
{
	return get_descriptor(in, d);
}

/* A SEQUENCE OF descriptors, each read by @read_one: validated, and its span recorded. */
static int get_desc_list(struct pm_axdr_in *in, struct pm_dlms_desc_list *l,
			 int (*read_one)(struct pm_axdr_in *, struct pm_dlms_attr_desc *))
{
	struct pm_dlms_attr_desc d;
	size_t count, start;
	uint32_t i;
	int rc;

	if (pm_axdr_get_length(in, &count))
		return PM_DLMS_APDU_MALFORMED;
	start = in->pos;
	for (i = 0; i < count; i++)
		if ((rc = read_one(in, &d)))
			return rc;
	l->count = (uint32_t)count;
	l->p = in->p + start;
	l->len = in->pos - start;
	return PM_DLMS_APDU_OK;
}

/* A SEQUENCE OF Data with @count elements: their span. */
static int get_data_list(struct pm_axdr_in *in, uint32_t count, const uint8_t **p, size_t *n)
{
	size_t got, start;

	if (pm_axdr_get_length(in, &got) || got != count)
		return PM_DLMS_APDU_MALFORMED;
	start = in->pos;
	for (; got; got--)
		if (pm_axdr_skip_data(in, PM_DLMS_APDU_MAX_DEPTH))
			return PM_DLMS_APDU_MALFORMED;
	*p = in->p + start;
	*n = in->pos - start;
	return PM_DLMS_APDU_OK;
}

/* DataBlock-SA: last-block BOOLEAN, block-number Unsigned32, raw-data OCTET STRING. */
static int get_datablock_sa(struct pm_axdr_in *in, bool *last, uint32_t *block, const uint8_t **raw,
			    size_t *n)
{
	uint8_t b;

	if (pm_axdr_get_byte(in, &b) || pm_axdr_get_u32be(in, block) || pm_axdr_get_length(in, n) ||
	    pm_axdr_get_bytes(in, *n, raw))
		return PM_DLMS_APDU_MALFORMED;
	*last = b != 0; /* BOOLEAN: any octet but 0 is TRUE */
	return PM_DLMS_APDU_OK;
}

/* The APDU tag and the service CHOICE of an xDLMS request, then its invoke-id-and-priority. */
static int get_service_head(struct pm_axdr_in *in, uint8_t tag, uint8_t *choice, uint8_t *invoke)
{
	uint8_t t;

	if (pm_axdr_get_byte(in, &t))
		return PM_DLMS_APDU_MALFORMED;
	if (t != tag)
		return PM_DLMS_APDU_UNKNOWN_TAG;
	if (pm_axdr_get_byte(in, choice) || pm_axdr_get_byte(in, invoke))
		return PM_DLMS_APDU_MALFORMED;
	return PM_DLMS_APDU_OK;
}

/* ---- ACSE ---- */

/* A BER TLV inside a constructed value: its tag and contents. Tags of two or more octets
 * (number 31 and up) never occur in these APDUs. */
static int ber_get(struct pm_axdr_in *in, uint8_t *tag, struct pm_axdr_in *contents)
{
	const uint8_t *p;
	size_t n;

	if (pm_axdr_get_byte(in, tag))
		return PM_DLMS_APDU_MALFORMED;
	if ((*tag & 0x1F) == 0x1F)
		return PM_DLMS_APDU_UNKNOWN_TAG;
	if (pm_axdr_get_length(in, &n) || pm_axdr_get_bytes(in, n, &p))
		return PM_DLMS_APDU_MALFORMED;
	pm_axdr_in_init(contents, p, n);
	return PM_DLMS_APDU_OK;
}

/* The whole input is one TLV of @tag: its contents. */
static int ber_whole(const uint8_t *p, size_t len, uint8_t tag, struct pm_axdr_in *contents)
{
	struct pm_axdr_in in;
	uint8_t t;
	int rc;

	pm_axdr_in_init(&in, p, len);
	if (!len)
		return PM_DLMS_APDU_MALFORMED;
	if (p[0] != tag)
		return PM_DLMS_APDU_UNKNOWN_TAG;
	if ((rc = ber_get(&in, &t, contents)))
		return rc;
	return in_end(&in);
}

/* A constructed field holding exactly one TLV of @tag: that TLV's contents. */
static int ber_inner(struct pm_axdr_in *outer, uint8_t tag, const uint8_t **p, size_t *n)
{
	struct pm_axdr_in inner;
	uint8_t t;
	int rc;

	if ((rc = ber_get(outer, &t, &inner)))
		return rc;
	if (t != tag || outer->pos != outer->len)
		return PM_DLMS_APDU_MALFORMED;
	*p = inner.p;
	*n = inner.len;
	return PM_DLMS_APDU_OK;
}

/* A BIT STRING's first bit (contents: the unused-bits octet, then the bits). */
static int ber_first_bit(const struct pm_axdr_in *c, bool *bit)
{
	if (c->len < 1 || c->p[0] > 7 || (c->len == 1 && c->p[0] != 0))
		return PM_DLMS_APDU_MALFORMED;
	*bit = c->len >= 2 && (c->p[1] & 0x80);
	return PM_DLMS_APDU_OK;
}

/* The AARQ's components by their tag; the ones we ignore are listed so that anything else is
 * an unknown tag. */
enum aarq_field {
	AARQ_PROTOCOL_VERSION = 0x80,
	AARQ_CONTEXT = 0xA1,
	AARQ_CALLED_AP_TITLE = 0xA2,
	AARQ_CALLED_AE_QUALIFIER = 0xA3,
	AARQ_CALLED_AP_INVOCATION = 0xA4,
	AARQ_CALLED_AE_INVOCATION = 0xA5,
	AARQ_CALLING_AP_TITLE = 0xA6,
	AARQ_CALLING_AE_QUALIFIER = 0xA7,
	AARQ_CALLING_AP_INVOCATION = 0xA8,
	AARQ_CALLING_AE_INVOCATION = 0xA9,
	AARQ_ACSE_REQUIREMENTS = 0x8A,
	AARQ_MECHANISM = 0x8B,
	AARQ_AUTH_VALUE = 0xAC,
	AARQ_IMPLEMENTATION_INFO = 0x9D,
	AARQ_USER_INFO = 0xBE,
};

static int aarq_field(struct pm_dlms_aarq *a, uint8_t tag, struct pm_axdr_in *c)
{
	struct pm_axdr_in v;
	int rc;

	switch (tag) {
	case AARQ_PROTOCOL_VERSION:
		a->has_protocol_version = true;
		return ber_first_bit(c, &a->protocol_version1);
	case AARQ_CONTEXT:
		rc = ber_inner(c, 0x06, &a->context, &a->ncontext); /* OBJECT IDENTIFIER */
		return rc ? rc : a->ncontext ? PM_DLMS_APDU_OK : PM_DLMS_APDU_MALFORMED;
	case AARQ_CALLING_AP_TITLE:
		return ber_inner(c, 0x04, &a->calling_ap_title, &a->ncalling_ap_title);
	case AARQ_ACSE_REQUIREMENTS:
		a->has_acse_requirements = true;
		return ber_first_bit(c, &a->authentication);
	case AARQ_MECHANISM:
		if (!c->len)
			return PM_DLMS_APDU_MALFORMED;
		a->mechanism = c->p;
		a->nmechanism = c->len;
		return PM_DLMS_APDU_OK;
	case AARQ_AUTH_VALUE:
		/* Authentication-value CHOICE: [0] charstring, [1] bitstring, [2] external,
		 * [3] other; kept as it is, the session accepts only the first */
		if ((rc = ber_get(c, &a->auth_choice, &v)))
			return rc;
		if (c->pos != c->len)
			return PM_DLMS_APDU_MALFORMED;
		a->has_auth_value = true;
		a->auth_value = v.p;
		a->nauth_value = v.len;
		return PM_DLMS_APDU_OK;
	case AARQ_USER_INFO:
		rc = ber_inner(c, 0x04, &a->user_info, &a->nuser_info); /* OCTET STRING */
		return rc ? rc : a->nuser_info ? PM_DLMS_APDU_OK : PM_DLMS_APDU_MALFORMED;
	case AARQ_CALLED_AP_TITLE:
	case AARQ_CALLED_AE_QUALIFIER:
	case AARQ_CALLED_AP_INVOCATION:
	case AARQ_CALLED_AE_INVOCATION:
	case AARQ_CALLING_AE_QUALIFIER:
	case AARQ_CALLING_AP_INVOCATION:
	case AARQ_CALLING_AE_INVOCATION:
	case AARQ_IMPLEMENTATION_INFO:
		return PM_DLMS_APDU_OK;
	default:
		return PM_DLMS_APDU_UNKNOWN_TAG;
	}
}

/* A bit per AARQ tag number (0..30), to refuse a field given twice. */
static uint32_t tag_bit(uint8_t tag)
{
	return UINT32_C(1) << (tag & 0x1F);
}

int pm_dlms_aarq_parse(const uint8_t *p, size_t len, struct pm_dlms_aarq *a)
{
	struct pm_axdr_in body, c;
	uint32_t seen = 0;
	uint8_t tag;
	int rc;

	memset(a, 0, sizeof(*a));
	if ((rc = ber_whole(p, len, PM_DLMS_APDU_AARQ, &body)))
		return rc;
	while (pm_axdr_in_left(&body)) {
		if ((rc = ber_get(&body, &tag, &c)))
			return rc;
		if (seen & tag_bit(tag))
			return PM_DLMS_APDU_MALFORMED;
		seen |= tag_bit(tag);
		if ((rc = aarq_field(a, tag, &c)))
			return rc;
	}
	/* application-context-name is the one mandatory field */
	return a->context ? in_status(&body) : PM_DLMS_APDU_MALFORMED;
}

int pm_dlms_initiate_request_parse(const uint8_t *p, size_t len, struct pm_dlms_initiate_request *r)
{
	struct pm_axdr_in in;
	const uint8_t *conf;
	bool present;
	uint8_t tag, b;
	int rc;

	memset(r, 0, sizeof(*r));
	pm_axdr_in_init(&in, p, len);
	if (pm_axdr_get_byte(&in, &tag))
		return PM_DLMS_APDU_MALFORMED;
	if (tag == 0x21) /* glo-initiateRequest: ciphered */
		return PM_DLMS_APDU_UNSUPPORTED;
	if (tag != PM_DLMS_APDU_INITIATE_REQUEST)
		return PM_DLMS_APDU_UNKNOWN_TAG;
	/* dedicated-key OCTET STRING OPTIONAL */
	if ((rc = get_presence(&in, &present)))
		return rc;
	if (present) {
		r->has_dedicated_key = true;
		if (pm_axdr_get_length(&in, &r->ndedicated_key) ||
		    pm_axdr_get_bytes(&in, r->ndedicated_key, &r->dedicated_key))
			return PM_DLMS_APDU_MALFORMED;
	}
	/* response-allowed BOOLEAN DEFAULT TRUE */
	if ((rc = get_presence(&in, &present)))
		return rc;
	r->response_allowed = true;
	if (present) {
		if (pm_axdr_get_byte(&in, &b))
			return PM_DLMS_APDU_MALFORMED;
		r->response_allowed = b != 0;
	}
	/* proposed-quality-of-service [0] IMPLICIT Integer8 OPTIONAL */
	if ((rc = get_presence(&in, &present)))
		return rc;
	if (present) {
		r->has_qos = true;
		if (pm_axdr_get_byte(&in, &b))
			return PM_DLMS_APDU_MALFORMED;
		r->qos = (int8_t)b;
	}
	/* proposed-dlms-version-number Unsigned8; proposed-conformance [APPLICATION 31]
	 * IMPLICIT BIT STRING (SIZE(24)): 5F 1F, length 4, unused bits, 3 octets;
	 * client-max-receive-pdu-size Unsigned16 */
	if (pm_axdr_get_byte(&in, &r->dlms_version) || pm_axdr_get_bytes(&in, 7, &conf) ||
	    pm_axdr_get_u16be(&in, &r->client_max_pdu))
		return PM_DLMS_APDU_MALFORMED;
	if (conf[0] != 0x5F || conf[1] != 0x1F || conf[2] != 0x04 || conf[3] > 7)
		return PM_DLMS_APDU_MALFORMED;
	r->conformance = (uint32_t)conf[4] << 16 | (uint32_t)conf[5] << 8 | conf[6];
	return in_end(&in);
}

/* @n (< 0x80 in every use here) as a BER length. */
static void ber_put(struct pm_axdr_out *o, uint8_t tag, const uint8_t *p, size_t n)
{
	pm_axdr_put_byte(o, tag);
	pm_axdr_put_length(o, n);
	pm_axdr_put_raw(o, p, n);
}

void pm_dlms_initiate_response_encode(const struct pm_dlms_aare *a, struct pm_axdr_out *u)
{
	pm_axdr_put_byte(u, 0x08);   /* initiateResponse */
	pm_axdr_put_byte(u, ABSENT); /* negotiated-quality-of-service */
	pm_axdr_put_byte(u, a->dlms_version);
	pm_axdr_put_byte(u, 0x5F); /* Conformance [APPLICATION 31] */
	pm_axdr_put_byte(u, 0x1F);
	pm_axdr_put_byte(u, 0x04);
	pm_axdr_put_byte(u, 0x00); /* no unused bits */
	pm_axdr_put_byte(u, (uint8_t)(a->conformance >> 16));
	pm_axdr_put_u16be(u, (uint16_t)a->conformance);
	pm_axdr_put_u16be(u, a->server_max_pdu);
	pm_axdr_put_u16be(u, VAA_NAME_LN);
}

void pm_dlms_aare_encode(const struct pm_dlms_aare *a, struct pm_axdr_out *o)
{
	/* application-context-name: [1] { OBJECT IDENTIFIER 2.16.756.5.8.1.1 } */
	static const uint8_t context[] = {0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01};
	static const uint8_t ciphered[] = {0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x03};
	/* sender-acse-requirements: BIT STRING, the authentication bit */
	static const uint8_t authentication[] = {0x07, 0x80};
	uint8_t mechanism[PM_DLMS_OID_LEN] = {0x60, 0x85, 0x74, 0x05, 0x08, 0x02, a->mechanism};
	uint8_t body[192], info[24], diag[5], title[2 + 8], stoc[2 + 64];
	struct pm_axdr_out b, u;
	const uint8_t result[3] = {0x02, 0x01, (uint8_t)a->result}; /* INTEGER */

	pm_axdr_out_init(&b, body, sizeof(body));
	if (a->ciphered_context)
		ber_put(&b, 0xA1, ciphered, sizeof(ciphered));
	else
		ber_put(&b, 0xA1, context, sizeof(context));
	ber_put(&b, 0xA2, result, sizeof(result));
	/* result-source-diagnostic [3]: CHOICE acse-service-user [1] | -provider [2], each an
	 * INTEGER */
	diag[0] = a->provider_diag ? 0xA2 : 0xA1;
	diag[1] = 0x03;
	diag[2] = 0x02;
	diag[3] = 0x01;
	diag[4] = a->diagnostic;
	ber_put(&b, 0xA3, diag, sizeof(diag));
	if (a->title) { /* responding-AP-title [4]: { OCTET STRING } */
		title[0] = 0x04;
		title[1] = 8;
		memcpy(title + 2, a->title, 8);
		ber_put(&b, 0xA4, title, sizeof(title));
	}
	if (a->mechanism) {
		ber_put(&b, 0x88, authentication, sizeof(authentication));
		ber_put(&b, 0x89, mechanism, sizeof(mechanism));
	}
	if (a->stoc && a->nstoc <= 64) { /* responding-authentication-value [10]: charstring */
		stoc[0] = 0x80;
		stoc[1] = (uint8_t)a->nstoc;
		memcpy(stoc + 2, a->stoc, a->nstoc);
		ber_put(&b, 0xAA, stoc, 2 + a->nstoc);
	}
	if (a->raw_user_info) {
		pm_axdr_put_byte(&b, 0xBE);
		pm_axdr_put_length(&b, 2 + a->nraw_user_info);
		ber_put(&b, 0x04, a->raw_user_info, a->nraw_user_info);
	} else if (a->user_info != PM_DLMS_AARE_NO_USER_INFO) {
		pm_axdr_out_init(&u, info, sizeof(info));
		if (a->user_info == PM_DLMS_AARE_INITIATE_RESPONSE) {
			pm_dlms_initiate_response_encode(a, &u);
		} else {
			pm_dlms_put_confirmed_service_error(&u, 1 /* initiateError */,
							    6 /* initiate */, a->initiate_error);
		}
		/* user-information [30]: { OCTET STRING } */
		pm_axdr_put_byte(&b, 0xBE);
		pm_axdr_put_length(&b, 2 + u.len);
		ber_put(&b, 0x04, u.buf, u.len);
	}
	ber_put(o, PM_DLMS_APDU_AARE, b.buf, b.len);
}

int pm_dlms_rlrq_parse(const uint8_t *p, size_t len, struct pm_dlms_rlrq *r)
{
	struct pm_axdr_in body, c;
	uint32_t seen = 0;
	uint8_t tag;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = ber_whole(p, len, PM_DLMS_APDU_RLRQ, &body)))
		return rc;
	while (pm_axdr_in_left(&body)) {
		if ((rc = ber_get(&body, &tag, &c)))
			return rc;
		if (seen & tag_bit(tag))
			return PM_DLMS_APDU_MALFORMED;
		seen |= tag_bit(tag);
		if (tag == 0x80) { /* reason [0] IMPLICIT Release-request-reason */
			if (c.len != 1)
				return PM_DLMS_APDU_MALFORMED;
			r->has_reason = true;
			r->reason = c.p[0];
		} else if (tag != 0xBE) { /* user-information [30]: not used unciphered */
			return PM_DLMS_APDU_UNKNOWN_TAG;
		}
	}
	return in_status(&body);
}

void pm_dlms_rlre_encode(struct pm_axdr_out *o)
{
	/* reason [0] IMPLICIT Release-response-reason: normal (0) */
	static const uint8_t rlre[] = {PM_DLMS_APDU_RLRE, 0x03, 0x80, 0x01, 0x00};

	pm_axdr_put_raw(o, rlre, sizeof(rlre));
}

/* ---- xDLMS requests ---- */

int pm_dlms_get_request_parse(const uint8_t *p, size_t len, struct pm_dlms_get_request *r)
{
	struct pm_axdr_in in;
	uint8_t choice;
	int rc;

	memset(r, 0, sizeof(*r));
	pm_axdr_in_init(&in, p, len);
	if ((rc = get_service_head(&in, PM_DLMS_APDU_GET_REQUEST, &choice, &r->invoke)))
		return rc;
	switch (choice) {
	case PM_DLMS_GET_NORMAL:
		rc = pm_dlms_attr_desc_read(&in, &r->attr);
		break;
	case PM_DLMS_GET_NEXT:
		rc = pm_axdr_get_u32be(&in, &r->block) ? PM_DLMS_APDU_MALFORMED : 0;
		break;
	case PM_DLMS_GET_WITH_LIST:
		rc = get_desc_list(&in, &r->list, pm_dlms_attr_desc_read);
		break;
	default:
		return PM_DLMS_APDU_UNKNOWN_TAG;
	}
	r->kind = (enum pm_dlms_get_kind)choice;
	return rc ? rc : in_end(&in);
}

int pm_dlms_set_request_parse(const uint8_t *p, size_t len, struct pm_dlms_set_request *r)
{
	struct pm_axdr_in in;
	uint8_t choice;
	int rc;

	memset(r, 0, sizeof(*r));
	pm_axdr_in_init(&in, p, len);
	if ((rc = get_service_head(&in, PM_DLMS_APDU_SET_REQUEST, &choice, &r->invoke)))
		return rc;
	switch (choice) {
	case PM_DLMS_SET_NORMAL:
		if (!(rc = pm_dlms_attr_desc_read(&in, &r->attr)))
			rc = get_data_span(&in, &r->value, &r->nvalue);
		break;
	case PM_DLMS_SET_FIRST_DATABLOCK:
		if (!(rc = pm_dlms_attr_desc_read(&in, &r->attr)))
			rc = get_datablock_sa(&in, &r->last_block, &r->block, &r->raw, &r->nraw);
		break;
	case PM_DLMS_SET_DATABLOCK:
		rc = get_datablock_sa(&in, &r->last_block, &r->block, &r->raw, &r->nraw);
		break;
	case PM_DLMS_SET_WITH_LIST:
		if (!(rc = get_desc_list(&in, &r->list, pm_dlms_attr_desc_read)))
			rc = get_data_list(&in, r->list.count, &r->value, &r->nvalue);
		break;
	case 5: /* set-request-with-list-and-first-datablock */
		return PM_DLMS_APDU_UNSUPPORTED;
	default:
		return PM_DLMS_APDU_UNKNOWN_TAG;
	}
	r->kind = (enum pm_dlms_set_kind)choice;
	return rc ? rc : in_end(&in);
}

int pm_dlms_action_request_parse(const uint8_t *p, size_t len, struct pm_dlms_action_request *r)
{
	struct pm_axdr_in in;
	uint8_t choice;
	bool present;
	int rc;

	memset(r, 0, sizeof(*r));
	pm_axdr_in_init(&in, p, len);
	if ((rc = get_service_head(&in, PM_DLMS_APDU_ACTION_REQUEST, &choice, &r->invoke)))
		return rc;
	switch (choice) {
	case PM_DLMS_ACTION_NORMAL:
		/* method-invocation-parameters Data OPTIONAL */
		if (!(rc = pm_dlms_method_desc_read(&in, &r->method)) &&
		    !(rc = get_presence(&in, &present)) && present)
			rc = get_data_span(&in, &r->param, &r->nparam);
		break;
	case PM_DLMS_ACTION_WITH_LIST:
		if (!(rc = get_desc_list(&in, &r->list, pm_dlms_method_desc_read)))
			rc = get_data_list(&in, r->list.count, &r->param, &r->nparam);
		break;
	case 2: /* next-pblock, with-first-pblock, with-list-and-first-pblock, with-pblock */
	case 4:
	case 5:
	case 6:
		return PM_DLMS_APDU_UNSUPPORTED;
	default:
		return PM_DLMS_APDU_UNKNOWN_TAG;
	}
	r->kind = (enum pm_dlms_action_kind)choice;
	return rc ? rc : in_end(&in);
}

/* ---- xDLMS responses ---- */

static void put_head(struct pm_axdr_out *o, uint8_t tag, uint8_t choice, uint8_t invoke)
{
	pm_axdr_put_byte(o, tag);
	pm_axdr_put_byte(o, choice);
	pm_axdr_put_byte(o, invoke);
}

void pm_dlms_put_get_data_result(struct pm_axdr_out *o, enum pm_dlms_result r, const uint8_t *data,
				 size_t n)
{
	if (r == PM_DLMS_SUCCESS) {
		pm_axdr_put_byte(o, 0); /* data [0] */
		pm_axdr_put_raw(o, data, n);
	} else {
		pm_axdr_put_byte(o, 1); /* data-access-result [1] */
		pm_axdr_put_byte(o, (uint8_t)r);
	}
}

void pm_dlms_put_get_response_normal(struct pm_axdr_out *o, uint8_t invoke, enum pm_dlms_result r,
				     const uint8_t *data, size_t n)
{
	put_head(o, PM_DLMS_APDU_GET_RESPONSE, 1, invoke);
	pm_dlms_put_get_data_result(o, r, data, n);
}

void pm_dlms_put_get_response_list(struct pm_axdr_out *o, uint8_t invoke, const uint8_t *body,
				   size_t n)
{
	put_head(o, PM_DLMS_APDU_GET_RESPONSE, 3, invoke);
	pm_axdr_put_raw(o, body, n);
}

void pm_dlms_put_get_response_block(struct pm_axdr_out *o, uint8_t invoke, bool last,
				    uint32_t block, enum pm_dlms_result r, const uint8_t *raw,
				    size_t n)
{
	put_head(o, PM_DLMS_APDU_GET_RESPONSE, 2, invoke);
	pm_axdr_put_byte(o, last ? 1 : 0);
	pm_axdr_put_u32be(o, block);
	if (r == PM_DLMS_SUCCESS) {
		pm_axdr_put_byte(o, 0); /* raw-data [0] IMPLICIT OCTET STRING */
		pm_axdr_put_length(o, n);
		pm_axdr_put_raw(o, raw, n);
	} else {
		pm_axdr_put_byte(o, 1); /* data-access-result [1] */
		pm_axdr_put_byte(o, (uint8_t)r);
	}
}

size_t pm_dlms_get_block_room(size_t max_pdu)
{
	/* C4 02, invoke, last-block, block-number (4), raw-data choice: 9 octets, then the
	 * length (1 to 4 octets for what a 16-bit PDU size allows) and the data */
	const size_t head = 9;
	size_t room;

	if (max_pdu <= head + 1)
		return 0;
	room = max_pdu - head;
	if (room - 1 < 0x80)
		return room - 1;
	if (room - 2 <= 0xFF)
		return room - 2;
	if (room - 3 <= 0xFFFF)
		return room - 3;
	return room - 4;
}

void pm_dlms_put_set_response_normal(struct pm_axdr_out *o, uint8_t invoke, enum pm_dlms_result r)
{
	put_head(o, PM_DLMS_APDU_SET_RESPONSE, 1, invoke);
	pm_axdr_put_byte(o, (uint8_t)r);
}

void pm_dlms_put_set_response_datablock(struct pm_axdr_out *o, uint8_t invoke, uint32_t block)
{
	put_head(o, PM_DLMS_APDU_SET_RESPONSE, 2, invoke);
	pm_axdr_put_u32be(o, block);
}

void pm_dlms_put_set_response_last_datablock(struct pm_axdr_out *o, uint8_t invoke,
					     enum pm_dlms_result r, uint32_t block)
{
	put_head(o, PM_DLMS_APDU_SET_RESPONSE, 3, invoke);
	pm_axdr_put_byte(o, (uint8_t)r);
	pm_axdr_put_u32be(o, block);
}

void pm_dlms_put_set_response_list(struct pm_axdr_out *o, uint8_t invoke, const uint8_t *results,
				   size_t count)
{
	put_head(o, PM_DLMS_APDU_SET_RESPONSE, 5, invoke);
	pm_axdr_put_length(o, count);
	pm_axdr_put_raw(o, results, count);
}

void pm_dlms_put_action_result(struct pm_axdr_out *o, enum pm_dlms_result r, const uint8_t *data,
			       size_t n)
{
	pm_axdr_put_byte(o, (uint8_t)r);
	if (!data) {
		pm_axdr_put_byte(o, ABSENT); /* return-parameters OPTIONAL */
		return;
	}
	pm_axdr_put_byte(o, PRESENT);
	pm_dlms_put_get_data_result(o, PM_DLMS_SUCCESS, data, n);
}

void pm_dlms_put_action_response_normal(struct pm_axdr_out *o, uint8_t invoke,
					enum pm_dlms_result r, const uint8_t *data, size_t n)
{
	put_head(o, PM_DLMS_APDU_ACTION_RESPONSE, 1, invoke);
	pm_dlms_put_action_result(o, r, data, n);
}

void pm_dlms_put_action_response_list(struct pm_axdr_out *o, uint8_t invoke, const uint8_t *body,
				      size_t n)
{
	put_head(o, PM_DLMS_APDU_ACTION_RESPONSE, 3, invoke);
	pm_axdr_put_raw(o, body, n);
}

void pm_dlms_put_exception_response(struct pm_axdr_out *o, enum pm_dlms_state_error state,
				    enum pm_dlms_service_error service)
{
	pm_axdr_put_byte(o, PM_DLMS_APDU_EXCEPTION_RESPONSE);
	pm_axdr_put_byte(o, (uint8_t)state);
	pm_axdr_put_byte(o, (uint8_t)service);
}

void pm_dlms_put_confirmed_service_error(struct pm_axdr_out *o, uint8_t choice, uint8_t error_tag,
					 uint8_t value)
{
	pm_axdr_put_byte(o, PM_DLMS_APDU_CONFIRMED_SERVICE_ERROR);
	pm_axdr_put_byte(o, choice);
	pm_axdr_put_byte(o, error_tag);
	pm_axdr_put_byte(o, value);
}
