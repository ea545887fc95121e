/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The session engine's parts (server.h), one file each: the dispatch and the state
 * (server.c), the association (server-assoc.c), GET with its block transfer (server-get.c),
 * SET with its datablocks (server-set.c) and ACTION (server-action.c).
 */
#ifndef POLYMETER_DLMS_SERVER_INTERNAL_H
#define POLYMETER_DLMS_SERVER_INTERNAL_H

#include "core/dlms/apdu.h"
#include "core/dlms/server.h"

/* What this server offers (IEC 62056-5-3 conformance block); an association gets the AND of
 * this and the client's proposal. */
#define PM_DLMS_SERVER_CONFORMANCE                                                                 \
	(PM_DLMS_CONF_GET | PM_DLMS_CONF_SET | PM_DLMS_CONF_ACTION |                               \
	 PM_DLMS_CONF_SELECTIVE_ACCESS | PM_DLMS_CONF_BLOCK_GET | PM_DLMS_CONF_BLOCK_SET |         \
	 PM_DLMS_CONF_MULTIPLE_REFS)

/* The smallest client-max-receive-pdu-size accepted: Gurux's server refuses below 64 octets
 * with pdu-size-too-short (GuruxDLMS.c server.c svr_HandleAarqRequest), and a block of a GET
 * needs room for its 10-octet head anyway. */
#define PM_DLMS_MIN_CLIENT_PDU 64
/* The lowest DLMS version accepted, and the one answered (xDLMS of IEC 62056-5-3). */
#define PM_DLMS_VERSION 6
/* A buffer kept between requests larger than this is given back to the heap. */
#define PM_DLMS_KEEP_BUFFER (16u << 10)

struct pm_dlms_session {
	const struct pm_dlms_server_config *cfg;
	struct pm_dlms_assoc_info assoc; /* client NONE: not associated */

	/* A long GET: the whole answer (a Data, or a with-list's Get-Data-Results) and how
	 * much of it the blocks sent so far carried. */
	struct pm_axdr_out body;
	bool long_get;
	size_t sent;
	uint32_t block; /* the last block sent */

	/* A long SET: the raw data joined so far, for the attribute of its first block. */
	struct pm_axdr_out joined;
	bool long_set;
	uint32_t set_block; /* the last block received */
	struct pm_dlms_attr_desc set_attr;

	/* Scratch: an action's return data, a with-list's results. */
	struct pm_axdr_out scratch;

	/* HLS-GMAC (server-hls.c), zero when the association has none. */
	struct pm_dlms_hls {
		/* the security the association started under (held): its keys and counters
		 * to the end, whatever the configuration points to by then */
		const struct pm_dlms_security *sec;
		bool pending;  /* associated, waiting for reply_to_HLS_authentication */
		bool ciphered; /* every xDLMS APDU is glo- or general-glo-ciphered */
		uint8_t client_title[PM_DLMS_SYSTEM_TITLE_LEN];
		uint8_t stoc[PM_DLMS_STOC_LEN];
		uint8_t ctos[PM_DLMS_CHALLENGE_MAX];
		size_t nctos;
	} hls;
	/* No invocation counter could be had: nothing is sent, the connection closes. */
	bool close;
	/* A deciphered request, and the plain answer before it is ciphered. */
	struct pm_axdr_out plain_req, plain_resp;
};

/* What ciphering adds to an APDU at most: general-glo-ciphering's tag, system title (9),
 * length (3), SC || IC and the tag. The session's answers leave room for it. */
#define PM_DLMS_CIPHER_OVERHEAD                                                                    \
	(1 + 1 + PM_DLMS_SYSTEM_TITLE_LEN + 3 + PM_DLMS_SECURITY_HEADER_LEN + PM_DLMS_TAG_LEN)

/* The context the directory is called with for this request. */
static inline struct pm_cosem_request pm_dlms_srv_request(const struct pm_dlms_session *s,
							  const struct pm_cosem_meter *meter)
{
	struct pm_cosem_request req = {.assoc = &s->assoc, .meter = meter};

	return req;
}

/*
 * The longest APDU the session sends: the client's max-receive-pdu-size, and no more than ours
 * either (as Gurux's server caps it, apdu.c apdu_parseUserInformation), so that a transport
 * sized for our PDU holds every answer. Both are 64 at least.
 */
static inline size_t pm_dlms_srv_pdu(const struct pm_dlms_session *s)
{
	size_t pdu = s->assoc.client_max_pdu < s->assoc.server_max_pdu ? s->assoc.client_max_pdu
								       : s->assoc.server_max_pdu;

	/* a ciphered answer is the plain one and the overhead, in the same PDU */
	return s->hls.ciphered ? pdu - PM_DLMS_CIPHER_OVERHEAD : pdu;
}

/* Whether the association negotiated every bit of @conf. */
static inline bool pm_dlms_srv_has(const struct pm_dlms_session *s, uint32_t conf)
{
	return (s->assoc.conformance & conf) == conf;
}

/* The response buffer back to the length @mark (an attribute that did not fit, a refusal). */
void pm_dlms_srv_truncate(struct pm_axdr_out *o, size_t mark);
/* Drops a long GET and a long SET in progress, and memory they no longer need. */
void pm_dlms_srv_abandon(struct pm_dlms_session *s);
/* The exception-response for a request a parser refused with @status. */
void pm_dlms_srv_refuse(struct pm_axdr_out *out, int status);
/* The exception-response for a service the association did not negotiate. */
void pm_dlms_srv_not_negotiated(struct pm_axdr_out *out);

/* server-assoc.c */
void pm_dlms_srv_aarq(struct pm_dlms_session *s, uint16_t client_sap, uint16_t server_sap,
		      const uint8_t *apdu, size_t len, struct pm_axdr_out *out);
void pm_dlms_srv_rlrq(struct pm_dlms_session *s, const uint8_t *apdu, size_t len,
		      struct pm_axdr_out *out);
/* The session back to "not associated". */
void pm_dlms_srv_release(struct pm_dlms_session *s);

/* server.c: a GET, SET or ACTION, plain (deciphered when it came ciphered). */
void pm_dlms_srv_xdlms(struct pm_dlms_session *s, const struct pm_cosem_meter *meter,
		       uint16_t client_sap, uint16_t server_sap, const uint8_t *apdu, size_t len,
		       struct pm_axdr_out *out);

/* server-hls.c */
/* Whether the AARQ asks for HLS-GMAC from a client that may use it (@auth: its enum
 * pm_dlms_auth bits). */
bool pm_dlms_srv_hls_asked(const struct pm_dlms_aarq *a, uint8_t auth);
/* The ACSE's checks of an HLS-GMAC AARQ: PM_DLMS_DIAG_NULL when they pass (the client's
 * title and challenge kept), else the acse-service-user diagnostic. */
uint8_t pm_dlms_srv_hls_acse(struct pm_dlms_session *s, const struct pm_dlms_aarq *a);
/* The glo-initiateRequest of the AARQ deciphered into @ir's buffer @buf (@cap octets): 0,
 * PM_DLMS_DIAG_AUTHENTICATION_FAILURE when it does not decipher, or -1 when @out holds the
 * answer already (a replayed counter). */
int pm_dlms_srv_hls_initiate(struct pm_dlms_session *s, const struct pm_dlms_aarq *a, uint8_t *buf,
			     size_t cap, size_t *n, struct pm_axdr_out *out);
/* The accepting AARE of an HLS association: the server's title and challenge, the ciphered
 * InitiateResponse. */
void pm_dlms_srv_hls_accept(struct pm_dlms_session *s, struct pm_dlms_aare *aare,
			    struct pm_axdr_out *out);
/* The one request an association waiting for reply_to_HLS_authentication takes. */
void pm_dlms_srv_hls_reply(struct pm_dlms_session *s, const uint8_t *apdu, size_t len,
			   struct pm_axdr_out *out);
/* A glo- or general-glo-ciphered APDU: deciphered, served, its answer ciphered alike. */
void pm_dlms_srv_ciphered(struct pm_dlms_session *s, const struct pm_cosem_meter *meter,
			  uint16_t client_sap, uint16_t server_sap, const uint8_t *apdu, size_t len,
			  struct pm_axdr_out *out);

/* server-get.c */
void pm_dlms_srv_get(struct pm_dlms_session *s, const struct pm_cosem_meter *meter,
		     const uint8_t *apdu, size_t len, struct pm_axdr_out *out);
/* One object's find: NULL when the directory has none for this client. */
const struct pm_cosem_object *pm_dlms_srv_find(const struct pm_dlms_session *s,
					       const struct pm_cosem_request *req,
					       const struct pm_dlms_attr_desc *d);

/* server-set.c */
void pm_dlms_srv_set(struct pm_dlms_session *s, const struct pm_cosem_meter *meter,
		     const uint8_t *apdu, size_t len, struct pm_axdr_out *out);

/* server-action.c */
void pm_dlms_srv_action(struct pm_dlms_session *s, const struct pm_cosem_meter *meter,
			const uint8_t *apdu, size_t len, struct pm_axdr_out *out);

#endif
