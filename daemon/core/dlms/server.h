/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The DLMS/COSEM server's application layer (IEC 62056-5-3, logical-name referencing), pure:
 * one session per transport connection takes whole APDUs in and gives the APDU to answer. No
 * I/O, no clock; the transport (views/dlms/dlms-tcp.c: the IEC 62056-47 wrapper) frames them.
 *
 * A session is one association at a time: AARQ -> AARE (accepted or rejected with the
 * standard's diagnostic), then GET (normal, next, with-list), SET (normal, with-datablock),
 * ACTION (normal) on the objects of a directory (cosem.h), and RLRQ -> RLRE, after which
 * a new AARQ may follow. A response longer than the negotiated PDU is sent in blocks (GET
 * with-datablock, the client asks for each next block). Memory is bounded: the one response
 * being sent in blocks (at most PM_DLMS_MAX_RESPONSE) and the one SET datablock being joined.
 */
#ifndef POLYMETER_DLMS_SERVER_H
#define POLYMETER_DLMS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dlms/axdr.h"
#include "core/dlms/cosem.h"
#include "core/dlms/dlms-cipher.h"

/* The largest encoded attribute a GET may return (in blocks), and the largest SET value joined
 * from datablocks: 240 days of 30-minute load profile fit in it several times over. */
#define PM_DLMS_MAX_RESPONSE (4u << 20)
#define PM_DLMS_MAX_SET (64u << 10)
/* Our max-receive-pdu-size. */
#define PM_DLMS_SERVER_MAX_PDU 1024
/* The longest low-level-security password: 1..32 octets, compared in constant time. */
#define PM_DLMS_PASSWORD_MAX 32
/* The server logical device (the wrapper's destination wPort). */
#define PM_DLMS_SERVER_SAP 1

/* Conformance bits (IEC 62056-5-3: bit 0 is the most significant bit of the 24). */
#define PM_DLMS_CONF_BIT(n) (1u << (23 - (n)))
#define PM_DLMS_CONF_BLOCK_GET PM_DLMS_CONF_BIT(11)
#define PM_DLMS_CONF_BLOCK_SET PM_DLMS_CONF_BIT(12)
#define PM_DLMS_CONF_BLOCK_ACTION PM_DLMS_CONF_BIT(13)
#define PM_DLMS_CONF_MULTIPLE_REFS PM_DLMS_CONF_BIT(14)
#define PM_DLMS_CONF_GET PM_DLMS_CONF_BIT(19)
#define PM_DLMS_CONF_SET PM_DLMS_CONF_BIT(20)
#define PM_DLMS_CONF_SELECTIVE_ACCESS PM_DLMS_CONF_BIT(21)
#define PM_DLMS_CONF_ACTION PM_DLMS_CONF_BIT(23)

/* The server's challenge to an HLS client (the Green Book allows 8..64 octets), and the
 * longest client challenge taken. */
#define PM_DLMS_STOC_LEN 16
#define PM_DLMS_CHALLENGE_MIN 8
#define PM_DLMS_CHALLENGE_MAX 64

/*
 * High-level security with GMAC (mechanism 5, security suite 0) for the management client
 * (server-hls.c): its keys and system titles, and what the session cannot keep itself because
 * it must outlive a connection and a restart (the invocation counters) or comes from the world
 * (randomness).
 */
struct pm_dlms_security {
	const struct pm_dlms_keys *keys;
	uint8_t title[PM_DLMS_SYSTEM_TITLE_LEN]; /* the server's system title */
	/* the management client's system title; all zero: any client title is taken */
	uint8_t client_title[PM_DLMS_SYSTEM_TITLE_LEN];
	/* The invocation counter for the next APDU the server protects: each value at most once
	 * for the life of the key, across restarts and crashes. 0, or a negative errno when none
	 * can be promised (the session then sends nothing and closes the connection). */
	int (*next_ic)(void *data, uint32_t *ic);
	/* Whether @ic from the client is above every counter it used with this key, and if so
	 * remembers it; false refuses the APDU as a replay. *@expected: the lowest counter
	 * that would be taken. @changes: the APDU may change the meter (a SET or ACTION): its
	 * counter must be remembered across a restart before it is served. */
	bool (*client_ic)(void *data, uint32_t ic, bool changes, uint32_t *expected);
	/* @n unpredictable octets (the server's challenge): 0 or a negative errno. */
	int (*random)(void *data, uint8_t *buf, size_t n);
	/*
	 * Optional: an HLS association starts under this security (hold) and ends (drop). A
	 * session keeps the security its association started under to its end, so the daemon
	 * may hand the server a new one (keys transferred through the Security setup object)
	 * for the next association while the current one finishes under its own keys and
	 * counters; drop tells it when the last association under the old one has ended.
	 */
	void (*hold)(void *data);
	void (*drop)(void *data);
	void *data;
};

/* How a client may authenticate: a mask of these. */
enum pm_dlms_auth {
	PM_DLMS_AUTH_NONE = 1, /* no mechanism (the public client) */
	PM_DLMS_AUTH_LLS = 2,  /* low-level security: the password */
	PM_DLMS_AUTH_HLS = 4,  /* HLS-GMAC, when the server has security */
};

/* One client SAP the server associates with: how it authenticates and its rights. */
struct pm_dlms_client_rule {
	uint16_t sap;
	uint8_t auth;		    /* enum pm_dlms_auth bits */
	enum pm_dlms_client rights; /* PUBLIC, READER, OPERATOR or MANAGEMENT */
};

/* The most client SAPs a server takes (the two standard ones included). */
#define PM_DLMS_MAX_CLIENTS 16

struct pm_dlms_server_config {
	const struct pm_cosem_directory_ops *ops;
	const void *dir;
	/* The client SAPs associated with, and their rights; NULL: the standard two, SAP 1
	 * management (LLS, or HLS with security) and SAP 16 public (no authentication). Any other
	 * SAP is refused (AARE no-reason-given). */
	const struct pm_dlms_client_rule *clients;
	size_t n_clients;
	/* the management client's low-level-security password (1..32 octets); NULL or "":
	 * the management client cannot associate with LLS */
	const char *password;
	/* NULL: the management client cannot associate with HLS-GMAC */
	const struct pm_dlms_security *security;
	uint16_t max_pdu; /* ours, 0 = PM_DLMS_SERVER_MAX_PDU */
};

struct pm_dlms_session;

/* A session for one connection; @cfg must outlive it. NULL on allocation failure. */
struct pm_dlms_session *pm_dlms_session_new(const struct pm_dlms_server_config *cfg);
void pm_dlms_session_free(struct pm_dlms_session *s);

enum pm_dlms_verdict {
	PM_DLMS_ANSWER, /* send @out (it may be empty: nothing to send) */
	PM_DLMS_CLOSE,	/* send @out if not empty, then close the transport */
};

/*
 * One APDU from client SAP @client_sap to server SAP @server_sap (the transport's addresses);
 * the answer is written into @out (a heap writer the transport owns; the session resets it).
 * @meter is what the objects read and act on for this request.
 */
enum pm_dlms_verdict pm_dlms_session_apdu(struct pm_dlms_session *s,
					  const struct pm_cosem_meter *meter, uint16_t client_sap,
					  uint16_t server_sap, const uint8_t *apdu, size_t len,
					  struct pm_axdr_out *out);

/* The association's state (client NONE when not associated). */
const struct pm_dlms_assoc_info *pm_dlms_session_assoc(const struct pm_dlms_session *s);

#endif
