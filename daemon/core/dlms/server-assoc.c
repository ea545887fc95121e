// SPDX-License-Identifier: GPL-2.0-only
/*
 * The association (server.h): AARQ -> AARE, RLRQ -> RLRE.
 *
 * Logical-name referencing without ciphering (application context 2.16.756.5.8.1.1), on
 * our one logical device (server SAP PM_DLMS_SERVER_SAP), for the client SAPs of the
 * configuration (server.h struct pm_dlms_client_rule; by default the public client, SAP 16,
 * mechanism none, and the management client, SAP 1, low-level security with the configured
 * password). A client that may use HLS-GMAC asking for it (mechanism 5) goes through
 * server-hls.c instead, ciphered context and all, after the first two checks below. The
 * checks, in order, and their AARE (result rejected-permanent unless
 * said otherwise; diagnostics of acse-service-user, numbered as ACSE's
 * Associate-source-diagnostic and Gurux's enums.h DLMS_SOURCE_DIAGNOSTIC list them):
 *
 *   AARQ not parseable                          no-reason-given (1)
 *   protocol-version without version1           acse-service-provider no-common-acse-version (2)
 *   a client SAP not configured, server SAP not ours
 *                                               no-reason-given (1): the ACSE has no diagnostic
 *                                               for the addresses the lower layers carry
 *   application context other than LN unciphered  application-context-name-not-supported (2)
 *   no mechanism, or none, from a client that must authenticate
 *                                               authentication-mechanism-name-required (12)
 *   a mechanism the client may not use (any for the public client; another than LLS, or LLS
 *   from a client without it)                   authentication-mechanism-name-not-recognised (11)
 *   LLS: no password configured, no or a wrong calling-authentication-
 *   value                                       authentication-failure (13)
 *   no user-information                         no-reason-given (1)
 *
 * An AARE rejected by these carries no user-information (no xDLMS context was looked at).
 * Then the xDLMS InitiateRequest: rejected-permanent, no-reason-given, with a
 * confirmedServiceError initiateError in the user-information (as the Green Book's example
 * AARE and Gurux's server do) when it is malformed or ciphered (other, 0), its DLMS version is
 * below 6 (dlms-version-too-low, 1), the negotiated conformance is empty
 * (incompatible-conformance, 2) or its client-max-receive-pdu-size is below 64
 * (pdu-size-too-short, 3). An InitiateRequest with response-allowed FALSE is answered with
 * nothing: this server holds confirmed associations only.
 */
#include <string.h>

#include "core/dlms/server-internal.h"

void pm_dlms_srv_release(struct pm_dlms_session *s)
{
	pm_dlms_srv_abandon(s);
	if (s->hls.sec && s->hls.sec->drop)
		s->hls.sec->drop(s->hls.sec->data);
	memset(&s->assoc, 0, sizeof(s->assoc));
	memset(&s->hls, 0, sizeof(s->hls));
}

/* The standard clients, when the configuration names none (server.h). */
static const struct pm_dlms_client_rule standard_clients[] = {
    {PM_DLMS_CLIENT_MANAGEMENT, PM_DLMS_AUTH_LLS | PM_DLMS_AUTH_HLS, PM_DLMS_CLIENT_MANAGEMENT},
    {PM_DLMS_CLIENT_PUBLIC, PM_DLMS_AUTH_NONE, PM_DLMS_CLIENT_PUBLIC},
};

/* The rule of client SAP @sap, NULL for a SAP the server does not associate with. */
static const struct pm_dlms_client_rule *rule_of(const struct pm_dlms_server_config *cfg,
						 uint16_t sap)
{
	const struct pm_dlms_client_rule *rules = cfg->clients ? cfg->clients : standard_clients;
	size_t n =
	    cfg->clients ? cfg->n_clients : sizeof(standard_clients) / sizeof(standard_clients[0]);

	for (size_t i = 0; i < n; i++)
		if (rules[i].sap == sap)
			return &rules[i];
	return NULL;
}

/*
 * Whether @given (@n octets) is the configured password, in a time that depends on neither
 * (always PM_DLMS_PASSWORD_MAX steps): a client cannot learn a password's length or prefix
 * by timing its attempts.
 */
static bool password_matches(const char *password, const uint8_t *given, size_t n)
{
	size_t plen = password ? strnlen(password, PM_DLMS_PASSWORD_MAX + 1) : 0;
	unsigned diff = plen == 0 || plen > PM_DLMS_PASSWORD_MAX || n != plen;
	size_t i;

	for (i = 0; i < PM_DLMS_PASSWORD_MAX; i++) {
		uint8_t a = i < plen ? (uint8_t)password[i] : 0;
		uint8_t b = i < n ? given[i] : 0;

		diff |= (unsigned)(a ^ b);
	}
	return diff == 0;
}

/* The ACSE's checks (see the top): 0 when they pass, else the diagnostic and whether it is
 * the provider's. */
static uint8_t acse_check(struct pm_dlms_session *s, const struct pm_dlms_aarq *a,
			  const struct pm_dlms_client_rule *rule, uint16_t server_sap,
			  bool *provider)
{
	int mech;

	*provider = false;
	if (a->has_protocol_version && !a->protocol_version1) {
		*provider = true;
		return PM_DLMS_PDIAG_NO_COMMON_ACSE_VERSION;
	}
	if (!rule || server_sap != PM_DLMS_SERVER_SAP)
		return PM_DLMS_DIAG_NO_REASON_GIVEN;
	if (pm_dlms_srv_hls_asked(a, rule->auth))
		return pm_dlms_srv_hls_acse(s, a);
	if (pm_dlms_oid_id(a->context, a->ncontext, 1) != PM_DLMS_CONTEXT_LN)
		return PM_DLMS_DIAG_CONTEXT_NOT_SUPPORTED;
	mech = a->mechanism ? pm_dlms_oid_id(a->mechanism, a->nmechanism, 2) : PM_DLMS_MECH_NONE;
	if (mech == PM_DLMS_MECH_NONE)
		return rule->auth & PM_DLMS_AUTH_NONE ? PM_DLMS_DIAG_NULL
						      : PM_DLMS_DIAG_MECHANISM_REQUIRED;
	if (mech != PM_DLMS_MECH_LLS || !(rule->auth & PM_DLMS_AUTH_LLS))
		return PM_DLMS_DIAG_MECHANISM_NOT_RECOGNISED;
	/* calling-authentication-value: charstring [0] (80), the form LLS uses */
	if (!a->has_auth_value || a->auth_choice != 0x80 ||
	    !password_matches(s->cfg->password, a->auth_value, a->nauth_value))
		return PM_DLMS_DIAG_AUTHENTICATION_FAILURE;
	return PM_DLMS_DIAG_NULL;
}

/* The xDLMS checks: -1 when they pass, else the initiate error. */
static int initiate_check(const struct pm_dlms_initiate_request *ir, int status)
{
	if (status)
		return PM_DLMS_INITIATE_OTHER;
	if (ir->dlms_version < PM_DLMS_VERSION)
		return PM_DLMS_INITIATE_VERSION_TOO_LOW;
	if (!(ir->conformance & PM_DLMS_SERVER_CONFORMANCE))
		return PM_DLMS_INITIATE_INCOMPATIBLE_CONFORMANCE;
	if (ir->client_max_pdu < PM_DLMS_MIN_CLIENT_PDU)
		return PM_DLMS_INITIATE_PDU_SIZE_TOO_SHORT;
	return -1;
}

void pm_dlms_srv_aarq(struct pm_dlms_session *s, uint16_t client_sap, uint16_t server_sap,
		      const uint8_t *apdu, size_t len, struct pm_axdr_out *out)
{
	struct pm_dlms_aare aare = {
	    .result = PM_DLMS_ASSOC_REJECTED_PERMANENT,
	    .diagnostic = PM_DLMS_DIAG_NO_REASON_GIVEN,
	    .user_info = PM_DLMS_AARE_NO_USER_INFO,
	};
	const struct pm_dlms_client_rule *rule = rule_of(s->cfg, client_sap);
	struct pm_dlms_initiate_request ir;
	uint8_t initiate[64];
	const uint8_t *user_info;
	size_t nuser_info;
	struct pm_dlms_aarq a;
	bool hls = false;
	int status, err;

	pm_dlms_srv_release(s);
	if (pm_dlms_aarq_parse(apdu, len, &a) == PM_DLMS_APDU_OK) {
		aare.diagnostic = acse_check(s, &a, rule, server_sap, &aare.provider_diag);
		if (aare.diagnostic == PM_DLMS_DIAG_NULL && !a.user_info)
			aare.diagnostic = PM_DLMS_DIAG_NO_REASON_GIVEN;
	}
	if (aare.diagnostic != PM_DLMS_DIAG_NULL) {
		pm_dlms_srv_release(s);
		pm_dlms_aare_encode(&aare, out);
		return;
	}
	user_info = a.user_info;
	nuser_info = a.nuser_info;
	hls = pm_dlms_srv_hls_asked(&a, rule->auth);
	if (hls) {
		/* the InitiateRequest comes glo-ciphered under the key the client holds */
		err = pm_dlms_srv_hls_initiate(s, &a, initiate, sizeof(initiate), &nuser_info, out);
		if (err) {
			pm_dlms_srv_release(s);
			if (err > 0) {
				aare.diagnostic = (uint8_t)err;
				pm_dlms_aare_encode(&aare, out);
			}
			return;
		}
		user_info = initiate;
	}
	status = pm_dlms_initiate_request_parse(user_info, nuser_info, &ir);
	if (!status && !ir.response_allowed) {
		pm_dlms_srv_release(s);
		return;
	}
	err = initiate_check(&ir, status);
	if (err >= 0) {
		pm_dlms_srv_release(s);
		aare.diagnostic = PM_DLMS_DIAG_NO_REASON_GIVEN;
		aare.user_info = PM_DLMS_AARE_INITIATE_ERROR;
		aare.initiate_error = (enum pm_dlms_initiate_error)err;
		pm_dlms_aare_encode(&aare, out);
		return;
	}
	s->assoc.client = rule->rights;
	s->assoc.client_sap = client_sap;
	s->assoc.server_sap = server_sap;
	/* accepted: the mechanism is HLS-GMAC, LLS or none (acse_check) */
	s->assoc.mechanism = hls	   ? PM_DLMS_MECH_GMAC
			     : a.mechanism ? (uint8_t)pm_dlms_oid_id(a.mechanism, a.nmechanism, 2)
					   : PM_DLMS_MECH_NONE;
	s->assoc.lls_restricted = s->assoc.mechanism == PM_DLMS_MECH_LLS && s->cfg->security;
	if (hls)
		memcpy(s->assoc.client_title, s->hls.client_title, sizeof(s->assoc.client_title));
	s->assoc.conformance = ir.conformance & PM_DLMS_SERVER_CONFORMANCE;
	s->assoc.client_max_pdu = ir.client_max_pdu;
	s->assoc.server_max_pdu = s->cfg->max_pdu ? s->cfg->max_pdu : PM_DLMS_SERVER_MAX_PDU;
	/* below 64 no block of a GET is worth its head: ours is never smaller than we ask of
	 * clients */
	if (s->assoc.server_max_pdu < PM_DLMS_MIN_CLIENT_PDU)
		s->assoc.server_max_pdu = PM_DLMS_MIN_CLIENT_PDU;
	s->assoc.dlms_version = PM_DLMS_VERSION;

	aare.result = PM_DLMS_ASSOC_ACCEPTED;
	aare.diagnostic = PM_DLMS_DIAG_NULL;
	aare.user_info = PM_DLMS_AARE_INITIATE_RESPONSE;
	aare.dlms_version = PM_DLMS_VERSION;
	aare.conformance = s->assoc.conformance;
	aare.server_max_pdu = s->assoc.server_max_pdu;
	if (hls)
		pm_dlms_srv_hls_accept(s, &aare, out);
	else
		pm_dlms_aare_encode(&aare, out);
}

void pm_dlms_srv_rlrq(struct pm_dlms_session *s, const uint8_t *apdu, size_t len,
		      struct pm_axdr_out *out)
{
	struct pm_dlms_rlrq r;

	/* A release is honoured even when its optional fields are garbled: refusing it would
	 * leave the client no way to end the association but closing the connection. */
	(void)pm_dlms_rlrq_parse(apdu, len, &r);
	pm_dlms_srv_release(s);
	pm_dlms_rlre_encode(out);
}
