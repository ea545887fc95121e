// SPDX-License-Identifier: GPL-2.0-only
/*
 * High-level security with GMAC (mechanism 5, security suite 0) for the management client, and
 * the ciphered APDUs of its association (server.h, IEC 62056-5-3 and the Green Book's HLS and
 * ciphering chapters):
 *
 *  1. AARQ: context LN with ciphering (2.16.756.5.8.1.3), the client's system title in
 *     calling-AP-title, its challenge CtoS (8..64 octets) in calling-authentication-value, the
 *     xDLMS InitiateRequest glo-ciphered (glo-initiateRequest 0x21) with its title and counter.
 *  2. AARE: accepted with authentication-required (14), our title, mechanism 5, our challenge
 *     StoC (16 random octets) and the InitiateResponse glo-ciphered (0x28).
 *  3. The client ACTIONs reply_to_HLS_authentication (Association LN 0.0.40.0.0.255 method 1)
 *     with f(StoC) = SC || IC || GMAC(SC || AK || StoC) under its title and counter;
 *  4. the answer carries f(CtoS) under ours. Until then the association takes nothing else.
 *     f(StoC)'s own counter is not held to the replay rule: it covers our fresh challenge, so
 *     an old one cannot pass, and clients differ on whether it is the counter of the APDU
 *     carrying it or the one before.
 *
 * The security policy of an HLS association is "all messages authenticated and encrypted": every
 * GET, SET and ACTION comes glo-ciphered (C8, C9, CB) or general-glo-ciphered (DB, the client's
 * title inside) with SC 0x30, and is answered the same way (CC, CD, CF; DB with our title).
 * Refusals:
 *
 *   AARQ: HLS not configured            AARE authentication-mechanism-name-not-recognised (11)
 *         a wrong key (the glo-initiateRequest does not decipher)
 *                                       AARE authentication-failure (13)
 *         no title of 8 octets, or another than the one configured, or the meter's own
 *                                       AARE calling-AP-title-not-recognized (3)
 *         context without ciphering     AARE application-context-name-not-supported (2)
 *         a challenge missing or outside 8..64 octets  AARE authentication-failure (13)
 *   a wrong f(StoC) in pass 3           read-write-denied (3), and the association ends
 *   an APDU that does not decipher (wrong key or title, changed octets)
 *                                       EXCEPTION-Response service-not-allowed,
 *                                       deciphering-error (5)
 *   a counter not above the client's last one (a replay)
 *                                       EXCEPTION-Response service-not-allowed,
 *                                       invocation-counter-error (6) with the lowest one taken
 *   a ciphered APDU outside an HLS association  service-not-allowed, service-not-supported
 *   an unciphered or only authenticated APDU, any request before pass 3
 *                                       EXCEPTION-Response service-not-allowed,
 *                                       operation-not-possible (1)
 *
 * Each of these changes nothing. Refusals of a request that did not decipher go out in clear
 * (the client may not hold the key); everything else of the association is ciphered.
 * Each APDU the server ciphers takes a new invocation counter from the daemon
 * (pm_dlms_security.next_ic, persisted before it is handed out); without one, nothing is sent
 * and the connection closes.
 */
#include <string.h>

#include "core/dlms/server-internal.h"

/* reply_to_HLS_authentication: Association LN 0.0.40.0.0.255, method 1 */
static const uint8_t association_ln[6] = {0, 0, 40, 0, 0, 255};
#define ASSOCIATION_CLASS 15
#define REPLY_TO_HLS 1

bool pm_dlms_srv_hls_asked(const struct pm_dlms_aarq *a, uint8_t auth)
{
	return (auth & PM_DLMS_AUTH_HLS) && a->mechanism &&
	       pm_dlms_oid_id(a->mechanism, a->nmechanism, 2) == PM_DLMS_MECH_GMAC;
}

uint8_t pm_dlms_srv_hls_acse(struct pm_dlms_session *s, const struct pm_dlms_aarq *a)
{
	static const uint8_t any_title[PM_DLMS_SYSTEM_TITLE_LEN];
	const struct pm_dlms_security *sec = s->cfg->security;

	if (!sec) /* as any other mechanism the server does not offer */
		return PM_DLMS_DIAG_MECHANISM_NOT_RECOGNISED;
	if (pm_dlms_oid_id(a->context, a->ncontext, 1) != PM_DLMS_CONTEXT_LN_CIPHERED)
		return PM_DLMS_DIAG_CONTEXT_NOT_SUPPORTED;
	/* the meter's own title is never a client's: under it, the client's APDUs would use the
	 * IVs (title, counter) of the meter's own, and a reflected APDU of ours would decipher */
	if (a->ncalling_ap_title != PM_DLMS_SYSTEM_TITLE_LEN ||
	    !memcmp(sec->title, a->calling_ap_title, PM_DLMS_SYSTEM_TITLE_LEN) ||
	    (memcmp(sec->client_title, any_title, sizeof(any_title)) &&
	     memcmp(sec->client_title, a->calling_ap_title, PM_DLMS_SYSTEM_TITLE_LEN)))
		return PM_DLMS_DIAG_CALLING_AP_TITLE_NOT_RECOGNIZED;
	if (!a->has_auth_value || a->auth_choice != 0x80 ||
	    a->nauth_value < PM_DLMS_CHALLENGE_MIN || a->nauth_value > PM_DLMS_CHALLENGE_MAX)
		return PM_DLMS_DIAG_AUTHENTICATION_FAILURE;
	memcpy(s->hls.client_title, a->calling_ap_title, PM_DLMS_SYSTEM_TITLE_LEN);
	memcpy(s->hls.ctos, a->auth_value, a->nauth_value);
	s->hls.nctos = a->nauth_value;
	/* the association keeps these keys and counters to its end (server.h: hold) */
	s->hls.sec = sec;
	if (sec->hold)
		sec->hold(sec->data);
	return PM_DLMS_DIAG_NULL;
}

/* EXCEPTION-Response invocation-counter-error [6] IMPLICIT Unsigned32: the lowest counter
 * the server would take, so that a client whose counter went stale can move on. */
static void refuse_counter(struct pm_axdr_out *out, uint32_t expected)
{
	pm_dlms_put_exception_response(out, PM_DLMS_STATE_SERVICE_NOT_ALLOWED,
				       PM_DLMS_SERVICE_INVOCATION_COUNTER_ERROR);
	pm_axdr_put_u32be(out, expected);
}

/*
 * Deciphers @p (@n octets: SC || IC || data || T) from the client into @buf: 0, or the
 * service error refusing it (@expected set for a replay). Only authenticated and encrypted
 * APDUs are taken: the association's policy.
 */
static int decipher(struct pm_dlms_session *s, const uint8_t *p, size_t n, uint8_t *buf,
		    size_t *len, uint32_t *expected)
{
	const struct pm_dlms_security *sec = s->hls.sec;
	uint8_t sc;
	uint32_t ic;

	if (pm_dlms_unprotect(sec->keys, s->hls.client_title, p, n, &sc, &ic, buf, len))
		return PM_DLMS_SERVICE_DECIPHERING_ERROR;
	if (sc != (PM_DLMS_SC_AUTHENTICATED | PM_DLMS_SC_ENCRYPTED)) {
		memset(buf, 0, *len);
		return PM_DLMS_SERVICE_OPERATION_NOT_POSSIBLE;
	}
	/* the counter is judged once the tag proves it is the client's; a SET or an ACTION may
	 * change the meter, a GET or an InitiateRequest does not */
	if (!sec->client_ic(sec->data, ic,
			    *len && (buf[0] == PM_DLMS_APDU_SET_REQUEST ||
				     buf[0] == PM_DLMS_APDU_ACTION_REQUEST),
			    expected)) {
		memset(buf, 0, *len);
		return PM_DLMS_SERVICE_INVOCATION_COUNTER_ERROR;
	}
	return 0;
}

int pm_dlms_srv_hls_initiate(struct pm_dlms_session *s, const struct pm_dlms_aarq *a, uint8_t *buf,
			     size_t cap, size_t *n, struct pm_axdr_out *out)
{
	struct pm_axdr_in in;
	const uint8_t *p;
	uint32_t expected;
	size_t len;
	uint8_t tag;
	int err;

	pm_axdr_in_init(&in, a->user_info, a->nuser_info);
	if (pm_axdr_get_byte(&in, &tag) || tag != PM_DLMS_APDU_GLO_INITIATE_REQUEST ||
	    pm_axdr_get_length(&in, &len) || len != pm_axdr_in_left(&in) ||
	    pm_axdr_get_bytes(&in, len, &p) || len > cap)
		return PM_DLMS_DIAG_AUTHENTICATION_FAILURE;
	err = decipher(s, p, len, buf, n, &expected);
	if (err == PM_DLMS_SERVICE_INVOCATION_COUNTER_ERROR) {
		refuse_counter(out, expected);
		return -1;
	}
	return err ? PM_DLMS_DIAG_AUTHENTICATION_FAILURE : 0;
}

/*
 * Appends @apdu (@n octets) ciphered under our title and a new counter: its length, then
 * SC || IC || ciphertext || T, after the tag (and title) the caller wrote. False when no
 * counter can be had (the session closes).
 */
static bool encipher(struct pm_dlms_session *s, const struct pm_dlms_security *sec,
		     const uint8_t *apdu, size_t n, struct pm_axdr_out *out)
{
	uint32_t ic;

	if (sec->next_ic(sec->data, &ic) < 0) {
		s->close = true;
		return false;
	}
	pm_axdr_put_length(out, PM_DLMS_SECURITY_HEADER_LEN + n + PM_DLMS_TAG_LEN);
	pm_dlms_protect(sec->keys, PM_DLMS_SC_AUTHENTICATED | PM_DLMS_SC_ENCRYPTED, sec->title, ic,
			apdu, n, out);
	return true;
}

void pm_dlms_srv_hls_accept(struct pm_dlms_session *s, struct pm_dlms_aare *aare,
			    struct pm_axdr_out *out)
{
	const struct pm_dlms_security *sec = s->hls.sec;
	uint8_t plain[32], ciphered[64];
	struct pm_axdr_out p, c;

	if (sec->random(sec->data, s->hls.stoc, sizeof(s->hls.stoc)) < 0) {
		s->close = true;
		pm_dlms_srv_release(s);
		return;
	}
	pm_axdr_out_init(&p, plain, sizeof(plain));
	pm_dlms_initiate_response_encode(aare, &p);
	pm_axdr_out_init(&c, ciphered, sizeof(ciphered));
	pm_axdr_put_byte(&c, PM_DLMS_APDU_GLO_INITIATE_RESPONSE);
	if (!encipher(s, sec, p.buf, p.len, &c)) {
		pm_dlms_srv_release(s);
		return;
	}
	s->hls.pending = true;
	s->hls.ciphered = true;
	aare->diagnostic = PM_DLMS_DIAG_AUTHENTICATION_REQUIRED;
	aare->ciphered_context = true;
	aare->title = sec->title;
	aare->mechanism = PM_DLMS_MECH_GMAC;
	aare->stoc = s->hls.stoc;
	aare->nstoc = sizeof(s->hls.stoc);
	aare->raw_user_info = c.buf;
	aare->nraw_user_info = c.len;
	pm_dlms_aare_encode(aare, out);
}

void pm_dlms_srv_hls_reply(struct pm_dlms_session *s, const uint8_t *apdu, size_t len,
			   struct pm_axdr_out *out)
{
	const struct pm_dlms_security *sec = s->hls.sec;
	uint8_t f[PM_DLMS_HLS_REPLY_LEN];
	struct pm_dlms_action_request r;
	struct pm_axdr_in in;
	const uint8_t *reply;
	uint32_t ic;
	size_t n;
	uint8_t tag;

	if (pm_dlms_action_request_parse(apdu, len, &r) || r.kind != PM_DLMS_ACTION_NORMAL ||
	    r.method.class_id != ASSOCIATION_CLASS ||
	    memcmp(r.method.ln, association_ln, sizeof(association_ln)) ||
	    r.method.id != REPLY_TO_HLS) {
		pm_dlms_put_exception_response(out, PM_DLMS_STATE_SERVICE_NOT_ALLOWED,
					       PM_DLMS_SERVICE_OPERATION_NOT_POSSIBLE);
		return;
	}
	pm_axdr_put_byte(out, PM_DLMS_APDU_ACTION_RESPONSE);
	pm_axdr_put_byte(out, PM_DLMS_ACTION_NORMAL);
	pm_axdr_put_byte(out, r.invoke);
	/* the parameter: octet-string f(StoC) */
	pm_axdr_in_init(&in, r.param, r.nparam);
	if (pm_axdr_get_byte(&in, &tag) || tag != PM_AXDR_OCTET_STRING ||
	    pm_axdr_get_length(&in, &n) || n != pm_axdr_in_left(&in) ||
	    pm_axdr_get_bytes(&in, n, &reply) ||
	    !pm_dlms_hls_gmac_check(sec->keys, s->hls.client_title, reply, n, s->hls.stoc,
				    sizeof(s->hls.stoc), &ic)) {
		/* the client does not hold the key: it may do nothing more */
		pm_dlms_put_action_result(out, PM_DLMS_READ_WRITE_DENIED, NULL, 0);
		pm_dlms_srv_release(s);
		return;
	}
	if (sec->next_ic(sec->data, &ic) < 0) {
		s->close = true;
		pm_dlms_srv_release(s);
		return;
	}
	pm_dlms_hls_gmac(sec->keys, sec->title, ic, s->hls.ctos, s->hls.nctos, f);
	s->hls.pending = false;
	/* return-parameters: Data octet-string f(CtoS) */
	pm_axdr_out_reset(&s->scratch);
	pm_axdr_put_octet_string(&s->scratch, f, sizeof(f));
	pm_dlms_put_action_result(out, PM_DLMS_SUCCESS, s->scratch.buf, s->scratch.len);
}

/* The response tag of a glo-ciphered request's. */
static uint8_t glo_response(uint8_t request)
{
	switch (request) {
	case PM_DLMS_APDU_GLO_GET_REQUEST:
		return PM_DLMS_APDU_GLO_GET_RESPONSE;
	case PM_DLMS_APDU_GLO_SET_REQUEST:
		return PM_DLMS_APDU_GLO_SET_RESPONSE;
	default:
		return PM_DLMS_APDU_GLO_ACTION_RESPONSE;
	}
}

/* The plain request a glo-ciphered one must hold (its tag - 8); general-glo-ciphering any. */
static bool inner_fits(uint8_t outer, uint8_t inner)
{
	if (outer == PM_DLMS_APDU_GENERAL_GLO_CIPHERING)
		return inner == PM_DLMS_APDU_GET_REQUEST || inner == PM_DLMS_APDU_SET_REQUEST ||
		       inner == PM_DLMS_APDU_ACTION_REQUEST;
	return inner == outer - 8;
}

/* A ciphered request of the association under @sec, and its answer ciphered under @sec. */
static void serve_ciphered(struct pm_dlms_session *s, const struct pm_dlms_security *sec,
			   const struct pm_cosem_meter *meter, uint16_t client_sap,
			   uint16_t server_sap, const uint8_t *apdu, size_t len,
			   struct pm_axdr_out *out)
{
	struct pm_axdr_in in;
	const uint8_t *title = NULL, *p;
	uint32_t expected = 0;
	size_t n, plain_len;
	uint8_t tag;
	int err;

	if (client_sap != s->assoc.client_sap || server_sap != s->assoc.server_sap) {
		pm_dlms_put_exception_response(out, PM_DLMS_STATE_SERVICE_NOT_ALLOWED,
					       PM_DLMS_SERVICE_OPERATION_NOT_POSSIBLE);
		return;
	}
	pm_axdr_in_init(&in, apdu, len);
	pm_axdr_get_byte(&in, &tag);
	if (tag == PM_DLMS_APDU_GENERAL_GLO_CIPHERING &&
	    (pm_axdr_get_length(&in, &n) || n != PM_DLMS_SYSTEM_TITLE_LEN ||
	     pm_axdr_get_bytes(&in, n, &title))) {
		pm_dlms_srv_refuse(out, PM_DLMS_APDU_MALFORMED);
		return;
	}
	if (pm_axdr_get_length(&in, &n) || n != pm_axdr_in_left(&in) ||
	    pm_axdr_get_bytes(&in, n, &p)) {
		pm_dlms_srv_refuse(out, PM_DLMS_APDU_MALFORMED);
		return;
	}
	/* general-glo-ciphering names its sender: another than the association's cannot be
	 * the client that authenticated */
	if (title && memcmp(title, s->hls.client_title, PM_DLMS_SYSTEM_TITLE_LEN)) {
		pm_dlms_put_exception_response(out, PM_DLMS_STATE_SERVICE_NOT_ALLOWED,
					       PM_DLMS_SERVICE_DECIPHERING_ERROR);
		return;
	}
	pm_axdr_out_reset(&s->plain_req);
	pm_axdr_put_raw(&s->plain_req, p, n); /* room for the plain APDU, as long or shorter */
	if (s->plain_req.overflow) {
		pm_dlms_srv_refuse(out, PM_DLMS_APDU_MALFORMED);
		return;
	}
	err = decipher(s, p, n, s->plain_req.buf, &plain_len, &expected);
	if (err == PM_DLMS_SERVICE_INVOCATION_COUNTER_ERROR) {
		refuse_counter(out, expected);
		return;
	}
	if (err) {
		pm_dlms_put_exception_response(out, PM_DLMS_STATE_SERVICE_NOT_ALLOWED,
					       (enum pm_dlms_service_error)err);
		return;
	}
	pm_axdr_out_reset(&s->plain_resp);
	if (!plain_len || !inner_fits(tag, s->plain_req.buf[0]))
		pm_dlms_srv_refuse(&s->plain_resp, PM_DLMS_APDU_MALFORMED);
	else if (s->hls.pending)
		pm_dlms_srv_hls_reply(s, s->plain_req.buf, plain_len, &s->plain_resp);
	else
		pm_dlms_srv_xdlms(s, meter, client_sap, server_sap, s->plain_req.buf, plain_len,
				  &s->plain_resp);
	if (s->plain_resp.overflow) {
		out->overflow = true;
		return;
	}
	if (s->close)
		return;
	if (tag == PM_DLMS_APDU_GENERAL_GLO_CIPHERING) {
		pm_axdr_put_byte(out, PM_DLMS_APDU_GENERAL_GLO_CIPHERING);
		pm_axdr_put_length(out, PM_DLMS_SYSTEM_TITLE_LEN);
		pm_axdr_put_raw(out, sec->title, PM_DLMS_SYSTEM_TITLE_LEN);
	} else {
		pm_axdr_put_byte(out, glo_response(tag));
	}
	if (!encipher(s, sec, s->plain_resp.buf, s->plain_resp.len, out))
		pm_axdr_out_reset(out);
}

void pm_dlms_srv_ciphered(struct pm_dlms_session *s, const struct pm_cosem_meter *meter,
			  uint16_t client_sap, uint16_t server_sap, const uint8_t *apdu, size_t len,
			  struct pm_axdr_out *out)
{
	const struct pm_dlms_security *sec = s->hls.sec;

	if (!s->hls.ciphered) { /* as before HLS: an APDU this association does not serve */
		pm_dlms_srv_refuse(out, PM_DLMS_APDU_UNSUPPORTED);
		return;
	}
	/* the answer goes out under the keys the request came under, also when serving it ends
	 * the association (a wrong f(StoC)): they are held to the end of this request */
	if (sec->hold)
		sec->hold(sec->data);
	serve_ciphered(s, sec, meter, client_sap, server_sap, apdu, len, out);
	if (sec->drop)
		sec->drop(sec->data);
}
