// SPDX-License-Identifier: GPL-2.0-only
/*
 * HLS-GMAC and ciphered APDUs in the session engine (daemon/core/dlms/server-hls.c), with a
 * one-object directory (a settable register, 1.0.1.8.0.255 attribute 2). The keys, titles,
 * challenge and counters are the Green Book's Table 43 (HLS mechanism 5): EK 000102..0F,
 * AK D0D1..DF, client title 4D4D4D0000000001, server title 4D4D4D0000BC614E, CtoS "K56iVagY",
 * the server's counter 01234567 in pass 4, so that the server's f(CtoS) must be the Table's
 * 1001234567FE1466AFB3DBCD4F9389E2B7 octet for octet. The client's side (its
 * glo-initiateRequest, f(StoC), ciphered requests) is built with the suite-0 primitives that
 * test_dlms_cipher.c checks against the Green Book's vectors; the plain APDUs inside are
 * written by hand from the xDLMS ASN.1.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/dlms/cosem-class.h"
#include "core/dlms/server.h"

static const struct pm_dlms_keys gb_keys = {
    .ek = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E,
	   0x0F},
    .ak = {0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE,
	   0xDF},
};
#define CLIENT_TITLE 0x4D, 0x4D, 0x4D, 0x00, 0x00, 0x00, 0x00, 0x01
#define SERVER_TITLE 0x4D, 0x4D, 0x4D, 0x00, 0x00, 0xBC, 0x61, 0x4E
static const uint8_t client_title[8] = {CLIENT_TITLE};
static const uint8_t server_title[8] = {SERVER_TITLE};
static const uint8_t ctos[8] = {'K', '5', '6', 'i', 'V', 'a', 'g', 'Y'};

/* ---- the register and the daemon's side of the security ---- */

static const struct pm_cosem_object reg = {{1, 0, 1, 8, 0, 255}, NULL, 0};

struct state {
	uint32_t energy;
	uint32_t next_ic;   /* the server's next counter */
	uint32_t client_ic; /* the client's last counter, 0: none yet */
	bool client_seen;
	bool counters_fail; /* next_ic cannot promise a counter */
	unsigned durable;   /* client counters the session asked to keep across a restart */
	bool revoked;	    /* the keys were replaced (a key transfer of the EK or AK) */
	bool revoke_on_set; /* a SET replaces them (as a transfer of this client's keys does) */
};

static struct state st;

static const struct pm_cosem_object *find(const void *dir, const struct pm_cosem_request *req,
					  uint16_t class_id, const uint8_t ln[6])
{
	(void)dir;
	(void)req;
	return class_id == 3 && memcmp(ln, reg.ln, 6) == 0 ? &reg : NULL;
}

static enum pm_dlms_result get(const void *dir, const struct pm_cosem_request *req,
			       const struct pm_cosem_object *obj, uint8_t attr,
			       const struct pm_cosem_selector *sel, struct pm_axdr_out *out)
{
	(void)dir;
	(void)req;
	(void)obj;
	(void)sel;
	if (attr != 2)
		return PM_DLMS_READ_WRITE_DENIED;
	pm_axdr_put_u32(out, st.energy);
	return PM_DLMS_SUCCESS;
}

static enum pm_dlms_result set(const void *dir, const struct pm_cosem_request *req,
			       const struct pm_cosem_object *obj, uint8_t attr,
			       const uint8_t *value, size_t len)
{
	(void)dir;
	(void)req;
	(void)obj;
	if (attr != 2 || len != 5 || value[0] != 0x06)
		return PM_DLMS_TYPE_UNMATCHED;
	st.revoked |= st.revoke_on_set;
	st.energy = (uint32_t)value[1] << 24 | (uint32_t)value[2] << 16 | (uint32_t)value[3] << 8 |
		    value[4];
	return PM_DLMS_SUCCESS;
}

static enum pm_dlms_result action(const void *dir, const struct pm_cosem_request *req,
				  const struct pm_cosem_object *obj, uint8_t method,
				  const uint8_t *param, size_t n, struct pm_axdr_out *out)
{
	(void)dir, (void)req, (void)obj, (void)method, (void)param, (void)n, (void)out;
	return PM_DLMS_READ_WRITE_DENIED;
}

static const struct pm_cosem_directory_ops ops = {
    .find = find,
    .get = get,
    .set = set,
    .action = action,
};

static int next_ic(void *data, uint32_t *ic)
{
	(void)data;
	if (st.counters_fail)
		return -5;
	*ic = st.next_ic++;
	return 0;
}

static bool check_client_ic(void *data, uint32_t ic, bool changes, uint32_t *expected)
{
	(void)data;
	st.durable += changes;
	*expected = st.client_seen ? st.client_ic + 1 : 0;
	if (st.client_seen && ic <= st.client_ic)
		return false;
	st.client_ic = ic;
	st.client_seen = true;
	return true;
}

static bool keys_revoked(void *data)
{
	(void)data;
	return st.revoked;
}

/* the server's challenge StoC: 16 octets 0xA0..0xAF */
static int challenge(void *data, uint8_t *buf, size_t n)
{
	(void)data;
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(0xA0 + i);
	return 0;
}

static struct pm_dlms_security security = {
    .keys = &gb_keys,
    .title = {SERVER_TITLE},
    .client_title = {CLIENT_TITLE},
    .next_ic = next_ic,
    .client_ic = check_client_ic,
    .random = challenge,
    .revoked = keys_revoked,
};

static const struct pm_dlms_server_config config = {
    .ops = &ops,
    .security = &security,
};

struct rig {
	struct pm_dlms_session *s;
	struct pm_axdr_out out;
	enum pm_dlms_verdict verdict;
	uint8_t plain[512];
	size_t nplain;
};

static void rig_init(struct rig *r)
{
	memset(&st, 0, sizeof(st));
	st.energy = 1000;
	/* the AARE takes 01234566, pass 4 01234567: Table 43's */
	st.next_ic = 0x01234566;
	r->s = pm_dlms_session_new(&config);
	ck_assert_ptr_nonnull(r->s);
	pm_axdr_out_init_heap(&r->out, 0xFFFF);
}

static void rig_free(struct rig *r)
{
	pm_dlms_session_free(r->s);
	pm_axdr_out_free(&r->out);
}

static void send(struct rig *r, const uint8_t *apdu, size_t n)
{
	r->verdict = pm_dlms_session_apdu(r->s, NULL, 1, 1, apdu, n, &r->out);
}

/* @apdu ciphered by the client (SC @sc, counter @ic, key @k) after @tag; general-glo when
 * @tag is DB (the client's title first). */
static size_t client_cipher(uint8_t *buf, uint8_t tag, const struct pm_dlms_keys *k, uint8_t sc,
			    uint32_t ic, const uint8_t *apdu, size_t n)
{
	struct pm_axdr_out o;

	pm_axdr_out_init(&o, buf, 256);
	pm_axdr_put_byte(&o, tag);
	if (tag == 0xDB) {
		pm_axdr_put_byte(&o, 8);
		pm_axdr_put_raw(&o, client_title, 8);
	}
	pm_axdr_put_length(&o, 5 + n + 12);
	pm_dlms_protect(k, sc, client_title, ic, apdu, n, &o);
	ck_assert(!o.overflow);
	return o.len;
}

/* The server's answer deciphered into r->plain, after its tag (and title) @head. */
static void decipher_answer(struct rig *r, const uint8_t *head, size_t nhead)
{
	uint8_t sc;
	uint32_t ic;

	ck_assert_int_eq(r->verdict, PM_DLMS_ANSWER);
	ck_assert_uint_ge(r->out.len, nhead + 1 + 17);
	ck_assert(memcmp(r->out.buf, head, nhead) == 0);
	ck_assert_uint_eq(r->out.buf[nhead], r->out.len - nhead - 1);
	ck_assert_int_eq(pm_dlms_unprotect(&gb_keys, server_title, r->out.buf + nhead + 1,
					   r->out.len - nhead - 1, &sc, &ic, r->plain, &r->nplain),
			 PM_DLMS_UNPROTECT_OK);
	ck_assert_uint_eq(sc, 0x30);
	/* every answer under a new counter: the one before the next */
	ck_assert_uint_eq(ic, st.next_ic - 1);
}

#define PLAIN_IS(r, ...)                                                                           \
	do {                                                                                       \
		static const uint8_t want_[] = {__VA_ARGS__};                                      \
		ck_assert_uint_eq((r)->nplain, sizeof(want_));                                     \
		ck_assert(memcmp((r)->plain, want_, sizeof(want_)) == 0);                          \
	} while (0)

#define CLEAR_IS(r, ...)                                                                           \
	do {                                                                                       \
		static const uint8_t want_[] = {__VA_ARGS__};                                      \
		ck_assert_int_eq((r)->verdict, PM_DLMS_ANSWER);                                    \
		ck_assert_uint_eq((r)->out.len, sizeof(want_));                                    \
		ck_assert(memcmp((r)->out.buf, want_, sizeof(want_)) == 0);                        \
	} while (0)

/* InitiateRequest: no dedicated key, response-allowed default, no QoS, version 6,
 * conformance 00 1E 1D, client max PDU FFFF */
static const uint8_t initiate[] = {0x01, 0x00, 0x00, 0x00, 0x06, 0x5F, 0x1F,
				   0x04, 0x00, 0x00, 0x1E, 0x1D, 0xFF, 0xFF};

/*
 * An AARQ asking for HLS-GMAC: context @context (3: LN with ciphering), calling-AP-title
 * @title, sender-acse-requirements, mechanism-name 2.16.756.5.8.2.5, CtoS, and the
 * glo-initiateRequest under @k with counter @ic.
 */
static size_t hls_aarq(uint8_t *buf, uint8_t context, const uint8_t *title,
		       const struct pm_dlms_keys *k, uint32_t ic)
{
	uint8_t glo[64], body[200];
	struct pm_axdr_out g, b, o;

	pm_axdr_out_init(&g, glo, sizeof(glo));
	pm_axdr_put_byte(&g, 0x21);
	pm_axdr_put_byte(&g, 5 + sizeof(initiate) + 12);
	pm_dlms_protect(k, 0x30, title, ic, initiate, sizeof(initiate), &g);
	pm_axdr_out_init(&b, body, sizeof(body));
	pm_axdr_put_raw(
	    &b,
	    (const uint8_t[]){0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, context},
	    11);
	pm_axdr_put_raw(&b, (const uint8_t[]){0xA6, 0x0A, 0x04, 0x08}, 4);
	pm_axdr_put_raw(&b, title, 8);
	pm_axdr_put_raw(&b, (const uint8_t[]){0x8A, 0x02, 0x07, 0x80}, 4);
	pm_axdr_put_raw(&b, (const uint8_t[]){0x8B, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x02, 0x05},
			9);
	pm_axdr_put_raw(&b, (const uint8_t[]){0xAC, 0x0A, 0x80, 0x08}, 4);
	pm_axdr_put_raw(&b, ctos, 8);
	pm_axdr_put_byte(&b, 0xBE);
	pm_axdr_put_byte(&b, (uint8_t)(2 + g.len));
	pm_axdr_put_byte(&b, 0x04);
	pm_axdr_put_byte(&b, (uint8_t)g.len);
	pm_axdr_put_raw(&b, g.buf, g.len);
	pm_axdr_out_init(&o, buf, 256);
	pm_axdr_put_byte(&o, 0x60);
	pm_axdr_put_byte(&o, (uint8_t)b.len);
	pm_axdr_put_raw(&o, b.buf, b.len);
	ck_assert(!o.overflow);
	return o.len;
}

/* An AARE rejected with acse-service-user diagnostic @d, LN context without ciphering:
 * 11 + 5 + 7 = 23 octets. */
#define AARE_REJECTED(d)                                                                           \
	0x61, 0x17, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01, 0xA2, 0x03,  \
	    0x02, 0x01, 0x01, 0xA3, 0x05, 0xA1, 0x03, 0x02, 0x01, (d)

/* Passes 1 and 2: the AARE accepted with authentication-required, our title, mechanism 5,
 * StoC, and the InitiateResponse glo-ciphered under counter 01234566. */
static void pass12(struct rig *r)
{
	static const uint8_t head[] = {
	    /* AARE of 11 + 5 + 7 + 12 + 4 + 9 + 20 + 37 = 105 octets */
	    0x61, 0x69, 0xA1, 0x09, 0x06,	  0x07, 0x60, 0x85, 0x74, 0x05,
	    0x08, 0x01, 0x03,				      /* ciphered */
	    0xA2, 0x03, 0x02, 0x01, 0x00,		      /* accepted */
	    0xA3, 0x05, 0xA1, 0x03, 0x02,	  0x01, 0x0E, /* authentication-required */
	    0xA4, 0x0A, 0x04, 0x08, SERVER_TITLE,	      /* responding-AP-title */
	    0x88, 0x02, 0x07, 0x80,			      /* responder-acse-requirements */
	    0x89, 0x07, 0x60, 0x85, 0x74,	  0x05, 0x08, 0x02, 0x05, /* mechanism 5 */
	    0xAA, 0x12, 0x80, 0x10, 0xA0,	  0xA1, 0xA2, 0xA3, 0xA4, 0xA5,
	    0xA6, 0xA7, 0xA8, 0xA9, 0xAA,	  0xAB, 0xAC, 0xAD, 0xAE, 0xAF, /* StoC */
	    0xBE, 0x23, 0x04, 0x21, 0x28,	  0x1F}; /* glo-initiateResponse of 5 + 14 + 12 */
	uint8_t aarq[256], sc;
	uint32_t ic;
	size_t n = hls_aarq(aarq, 3, client_title, &gb_keys, 0);

	send(r, aarq, n);
	ck_assert_int_eq(r->verdict, PM_DLMS_ANSWER);
	ck_assert_uint_eq(r->out.len, sizeof(head) + 0x1F);
	ck_assert(memcmp(r->out.buf, head, sizeof(head)) == 0);
	ck_assert_int_eq(pm_dlms_unprotect(&gb_keys, server_title, r->out.buf + sizeof(head), 0x1F,
					   &sc, &ic, r->plain, &r->nplain),
			 PM_DLMS_UNPROTECT_OK);
	ck_assert_uint_eq(ic, 0x01234566);
	/* InitiateResponse: version 6, conformance 001E1D AND ours 001A1D, PDU 1024, LN */
	PLAIN_IS(r, 0x08, 0x00, 0x06, 0x5F, 0x1F, 0x04, 0x00, 0x00, 0x1A, 0x1D, 0x04, 0x00, 0x00,
		 0x07);
}

/* The ACTION reply_to_HLS_authentication (Association LN, method 1) with f(StoC) computed
 * under @k and counter @ic, glo-ciphered (under the right keys) with counter @ic too. */
static void pass3(struct rig *r, const struct pm_dlms_keys *k, uint32_t ic)
{
	static const uint8_t stoc[16] = {0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
					 0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF};
	uint8_t act[40] = {0xC3, 0x01, 0x41, 0x00, 0x0F, 0, 0, 40, 0, 0, 255, 0x01, 0x01, 0x09, 17};
	uint8_t buf[256];

	pm_dlms_hls_gmac(k, client_title, ic, stoc, sizeof(stoc), act + 15);
	send(r, buf, client_cipher(buf, 0xCB, &gb_keys, 0x30, ic, act, 15 + 17));
}

START_TEST(test_four_passes)
{
	static const uint8_t glo_action[] = {0xCF};
	struct rig r;

	rig_init(&r);
	pass12(&r);
	pass3(&r, &gb_keys, 1);
	decipher_answer(&r, glo_action, 1);
	/* action-response normal, invoke 41, success, return-parameters present, data,
	 * octet-string of 17: f(CtoS), the Green Book's, under counter 01234567 */
	PLAIN_IS(&r, 0xC7, 0x01, 0x41, 0x00, 0x01, 0x00, 0x09, 0x11, 0x10, 0x01, 0x23, 0x45, 0x67,
		 0xFE, 0x14, 0x66, 0xAF, 0xB3, 0xDB, 0xCD, 0x4F, 0x93, 0x89, 0xE2, 0xB7);
	rig_free(&r);
}
END_TEST

/* get-request normal, invoke C1, register 1.0.1.8.0.255 attribute 2 */
static const uint8_t get_energy[] = {0xC0, 0x01, 0xC1, 0x00, 0x03, 0x01, 0x00,
				     0x01, 0x08, 0x00, 0xFF, 0x02, 0x00};
/* set-request normal: the same attribute := double-long-unsigned 2000 (0x7D0) */
static const uint8_t set_energy[] = {0xC1, 0x01, 0xC1, 0x00, 0x03, 0x01, 0x00, 0x01, 0x08,
				     0x00, 0xFF, 0x02, 0x00, 0x06, 0x00, 0x00, 0x07, 0xD0};

static void associate(struct rig *r)
{
	rig_init(r);
	pass12(r);
	pass3(r, &gb_keys, 1);
	ck_assert_int_eq(r->verdict, PM_DLMS_ANSWER);
}

START_TEST(test_ciphered_services)
{
	static const uint8_t glo_get[] = {0xCC}, glo_set[] = {0xCD};
	static const uint8_t general[] = {0xDB, 0x08, SERVER_TITLE};
	uint8_t buf[256];
	struct rig r;

	associate(&r);
	send(&r, buf, client_cipher(buf, 0xC8, &gb_keys, 0x30, 2, get_energy, sizeof(get_energy)));
	decipher_answer(&r, glo_get, 1);
	/* get-response normal, invoke C1, data, double-long-unsigned 1000 */
	PLAIN_IS(&r, 0xC4, 0x01, 0xC1, 0x00, 0x06, 0x00, 0x00, 0x03, 0xE8);
	/* the counters to keep across a restart: pass 3's ACTION's, not the AARQ's or a GET's */
	ck_assert_uint_eq(st.durable, 1);
	send(&r, buf, client_cipher(buf, 0xC9, &gb_keys, 0x30, 3, set_energy, sizeof(set_energy)));
	decipher_answer(&r, glo_set, 1);
	PLAIN_IS(&r, 0xC5, 0x01, 0xC1, 0x00);
	ck_assert_uint_eq(st.durable, 2);
	ck_assert_uint_eq(st.energy, 2000);
	/* general-glo-ciphering: our title before the ciphered answer */
	send(&r, buf, client_cipher(buf, 0xDB, &gb_keys, 0x30, 4, get_energy, sizeof(get_energy)));
	decipher_answer(&r, general, sizeof(general));
	PLAIN_IS(&r, 0xC4, 0x01, 0xC1, 0x00, 0x06, 0x00, 0x00, 0x07, 0xD0);
	/* a glo-get-request holding a SET is not what it says */
	send(&r, buf, client_cipher(buf, 0xC8, &gb_keys, 0x30, 5, set_energy, sizeof(set_energy)));
	decipher_answer(&r, glo_get, 1);
	PLAIN_IS(&r, 0xD8, 0x01, 0x03);
	ck_assert_uint_eq(st.energy, 2000);
	rig_free(&r);
}
END_TEST

/* Keys revoked (server.h): an association under them ends at its next APDU, answered with
 * nothing and nothing served; the one whose request revoked them (a key transfer, here a SET
 * standing for it) gets its answer under the old keys, then ends. Either way the session is
 * no longer associated, and a new AARQ is taken. */
START_TEST(test_revoked_keys_end_associations)
{
	static const uint8_t glo_set[] = {0xCD};
	uint8_t buf[256];
	struct rig r;

	associate(&r);
	st.revoked = true;
	send(&r, buf, client_cipher(buf, 0xC9, &gb_keys, 0x30, 2, set_energy, sizeof(set_energy)));
	ck_assert_int_eq(r.verdict, PM_DLMS_CLOSE);
	ck_assert_uint_eq(r.out.len, 0);
	ck_assert_uint_eq(st.energy, 1000);
	ck_assert_int_eq(pm_dlms_session_assoc(r.s)->client, PM_DLMS_CLIENT_NONE);
	rig_free(&r);

	associate(&r);
	st.revoke_on_set = true;
	send(&r, buf, client_cipher(buf, 0xC9, &gb_keys, 0x30, 2, set_energy, sizeof(set_energy)));
	ck_assert_int_eq(r.verdict, PM_DLMS_CLOSE);
	ck_assert_uint_eq(st.energy, 2000);
	r.verdict = PM_DLMS_ANSWER; /* the answer went out before the close: decipher it */
	decipher_answer(&r, glo_set, 1);
	PLAIN_IS(&r, 0xC5, 0x01, 0xC1, 0x00);
	ck_assert_int_eq(pm_dlms_session_assoc(r.s)->client, PM_DLMS_CLIENT_NONE);
	rig_free(&r);
}
END_TEST

/* Each HLS client under its own keys (server.h struct pm_dlms_client_rule): SAP 1's keys (the
 * configuration's, the Green Book's) open SAP 1 but not SAP 18, whose rule names keys of its
 * own (authentication-failure, 13: the glo-initiateRequest does not decipher); a SAP 18 whose
 * rule names none cannot borrow SAP 1's (authentication-mechanism-name-not-recognised, 11). */
START_TEST(test_each_client_its_own_keys)
{
	static const struct pm_dlms_keys keys18 = {.ek = {0x18, 1}, .ak = {0x18, 2}};
	struct pm_dlms_security security18 = security;
	const struct pm_dlms_client_rule own[] = {
	    {1, PM_DLMS_AUTH_HLS, PM_DLMS_CLIENT_MANAGEMENT, NULL, NULL},
	    {18, PM_DLMS_AUTH_HLS, PM_DLMS_CLIENT_OPERATOR, NULL, &security18},
	};
	const struct pm_dlms_client_rule borrowing[] = {
	    {18, PM_DLMS_AUTH_HLS, PM_DLMS_CLIENT_OPERATOR, NULL, NULL},
	};
	struct pm_dlms_server_config cfg = config;
	static const uint8_t refused13[] = {AARE_REJECTED(13)}, refused11[] = {AARE_REJECTED(11)};
	uint8_t aarq[256];
	size_t n = hls_aarq(aarq, 3, client_title, &gb_keys, 0);
	struct pm_dlms_session *s;
	struct pm_axdr_out out;

	security18.keys = &keys18;
	pm_axdr_out_init_heap(&out, 0xFFFF);
	memset(&st, 0, sizeof(st));
	cfg.clients = own;
	cfg.n_clients = 2;
	s = pm_dlms_session_new(&cfg);
	ck_assert_int_eq(pm_dlms_session_apdu(s, NULL, 18, 1, aarq, n, &out), PM_DLMS_ANSWER);
	ck_assert_uint_eq(out.len, sizeof(refused13));
	ck_assert(!memcmp(out.buf, refused13, sizeof(refused13)));
	/* the same AARQ on SAP 1: accepted (authentication-required, pass 3 to follow) */
	ck_assert_int_eq(pm_dlms_session_apdu(s, NULL, 1, 1, aarq, n, &out), PM_DLMS_ANSWER);
	ck_assert_uint_eq(out.buf[0], 0x61);
	ck_assert_uint_gt(out.len, sizeof(refused13));
	pm_dlms_session_free(s);
	cfg.clients = borrowing;
	cfg.n_clients = 1;
	s = pm_dlms_session_new(&cfg);
	ck_assert_int_eq(pm_dlms_session_apdu(s, NULL, 18, 1, aarq, n, &out), PM_DLMS_ANSWER);
	ck_assert_uint_eq(out.len, sizeof(refused11));
	ck_assert(!memcmp(out.buf, refused11, sizeof(refused11)));
	pm_dlms_session_free(s);
	pm_axdr_out_free(&out);
}
END_TEST

START_TEST(test_ciphered_refusals)
{
	struct pm_dlms_keys wrong = gb_keys;
	uint8_t buf[256], replay[256];
	size_t nreplay, n;
	struct rig r;

	associate(&r);
	nreplay = client_cipher(replay, 0xC9, &gb_keys, 0x30, 7, set_energy, sizeof(set_energy));
	send(&r, replay, nreplay);
	ck_assert_uint_eq(st.energy, 2000);
	st.energy = 1000;
	/* the same SET again: counter 7 is not above 7; the expected counter, 8, in clear */
	send(&r, replay, nreplay);
	CLEAR_IS(&r, 0xD8, 0x01, 0x06, 0x00, 0x00, 0x00, 0x08);
	ck_assert_uint_eq(st.energy, 1000);
	/* an older counter too */
	send(&r, buf, client_cipher(buf, 0xC9, &gb_keys, 0x30, 6, set_energy, sizeof(set_energy)));
	CLEAR_IS(&r, 0xD8, 0x01, 0x06, 0x00, 0x00, 0x00, 0x08);
	/* another encryption key, another authentication key: deciphering-error */
	wrong.ek[0] ^= 0xFF;
	send(&r, buf, client_cipher(buf, 0xC9, &wrong, 0x30, 9, set_energy, sizeof(set_energy)));
	CLEAR_IS(&r, 0xD8, 0x01, 0x05);
	wrong = gb_keys;
	wrong.ak[15] ^= 0x01;
	send(&r, buf, client_cipher(buf, 0xC9, &wrong, 0x30, 10, set_energy, sizeof(set_energy)));
	CLEAR_IS(&r, 0xD8, 0x01, 0x05);
	/* general-glo-ciphering naming another client title */
	n = client_cipher(buf, 0xDB, &gb_keys, 0x30, 11, set_energy, sizeof(set_energy));
	buf[9] ^= 0x01; /* DB 08, then the title's eight octets */
	send(&r, buf, n);
	CLEAR_IS(&r, 0xD8, 0x01, 0x05);
	ck_assert_uint_eq(st.energy, 1000);
	/* authenticated only (SC 10): the policy wants encryption too */
	send(&r, buf, client_cipher(buf, 0xC9, &gb_keys, 0x10, 20, set_energy, sizeof(set_energy)));
	CLEAR_IS(&r, 0xD8, 0x01, 0x01);
	/* unciphered */
	send(&r, set_energy, sizeof(set_energy));
	CLEAR_IS(&r, 0xD8, 0x01, 0x01);
	ck_assert_uint_eq(st.energy, 1000);
	/* no counter can be promised: nothing sent, the connection closes */
	st.counters_fail = true;
	send(&r, buf, client_cipher(buf, 0xC8, &gb_keys, 0x30, 30, get_energy, sizeof(get_energy)));
	ck_assert_int_eq(r.verdict, PM_DLMS_CLOSE);
	ck_assert_uint_eq(r.out.len, 0);
	rig_free(&r);
}
END_TEST

START_TEST(test_association_refusals)
{
	static const uint8_t other_title[8] = {0x4D, 0x4D, 0x4D, 0, 0, 0, 0, 0x02};
	static const uint8_t glo_action[] = {0xCF};
	struct pm_dlms_keys wrong = gb_keys;
	uint8_t aarq[256], buf[256];
	struct rig r;

	rig_init(&r);
	/* LN without ciphering: application-context-name-not-supported */
	send(&r, aarq, hls_aarq(aarq, 1, client_title, &gb_keys, 0));
	CLEAR_IS(&r, AARE_REJECTED(2));
	/* another client title than the configured one: calling-AP-title-not-recognized */
	send(&r, aarq, hls_aarq(aarq, 3, other_title, &gb_keys, 0));
	CLEAR_IS(&r, 0x61, 0x17, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01,
		 0xA2, 0x03, 0x02, 0x01, 0x01, 0xA3, 0x05, 0xA1, 0x03, 0x02, 0x01, 0x03);
	/* any client title taken (none configured), but not the meter's own: the same refusal */
	memset(security.client_title, 0, sizeof(security.client_title));
	send(&r, aarq, hls_aarq(aarq, 3, server_title, &gb_keys, 0));
	memcpy(security.client_title, client_title, sizeof(security.client_title));
	CLEAR_IS(&r, 0x61, 0x17, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01,
		 0xA2, 0x03, 0x02, 0x01, 0x01, 0xA3, 0x05, 0xA1, 0x03, 0x02, 0x01, 0x03);
	/* the glo-initiateRequest under another key: authentication-failure */
	wrong.ek[3] ^= 0x10;
	send(&r, aarq, hls_aarq(aarq, 3, client_title, &wrong, 0));
	CLEAR_IS(&r, AARE_REJECTED(13));
	/* nothing of these used a server counter */
	ck_assert_uint_eq(st.next_ic, 0x01234566);
	/* until pass 3, a GET is refused (ciphered: the client holds the key) */
	pass12(&r);
	send(&r, buf, client_cipher(buf, 0xC8, &gb_keys, 0x30, 1, get_energy, sizeof(get_energy)));
	decipher_answer(&r, (const uint8_t[]){0xCC}, 1);
	PLAIN_IS(&r, 0xD8, 0x01, 0x01);
	/* f(StoC) under another authentication key: read-write-denied, the association ends */
	wrong = gb_keys;
	wrong.ak[0] ^= 1;
	pass3(&r, &wrong, 2);
	ck_assert_int_ne(r.verdict, PM_DLMS_CLOSE);
	decipher_answer(&r, glo_action, 1);
	PLAIN_IS(&r, 0xC7, 0x01, 0x41, 0x03, 0x00);
	send(&r, buf, client_cipher(buf, 0xC8, &gb_keys, 0x30, 3, get_energy, sizeof(get_energy)));
	CLEAR_IS(&r, 0xD8, 0x01, 0x02);
	/* a replayed AARQ (its glo-initiateRequest counter 0 again): the client's last counter
	 * taken was pass 3's, 2 (the GET after it was never deciphered), so 3 is expected */
	send(&r, aarq, hls_aarq(aarq, 3, client_title, &gb_keys, 0));
	CLEAR_IS(&r, 0xD8, 0x01, 0x06, 0x00, 0x00, 0x00, 0x03);
	rig_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dlms_hls");
	TCase *tc = tcase_create("dlms_hls");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 0); /* no time limit: these tests are about results */
	tcase_add_test(tc, test_four_passes);
	tcase_add_test(tc, test_ciphered_services);
	tcase_add_test(tc, test_ciphered_refusals);
	tcase_add_test(tc, test_revoked_keys_end_associations);
	tcase_add_test(tc, test_each_client_its_own_keys);
	tcase_add_test(tc, test_association_refusals);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
