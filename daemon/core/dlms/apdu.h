/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The xDLMS and ACSE APDUs a logical-name-referencing DLMS/COSEM server without ciphering takes
 * and gives (IEC 62056-5-3), pure: parsers of the requests and writers of the responses. The
 * session engine (server.c) decides what to answer; this file only knows the encodings.
 *
 * Fact sources: the xDLMS ASN.1 of the DLMS UA Green Book as published with jDLMS
 * (xdom/jdlms asn1/cosem/cosem.asn: APDU tags, CHOICE numbers, Data-Access-Result,
 * ServiceError, EXCEPTION-Response, the Conformance bits); the ACSE fields of the AARQ and AARE
 * (ISO/IEC 8650 tags as DLMS uses them) and their diagnostics as Gurux's enums.h lists them; the
 * captured AARQ, AARE and GET bytes of the DLMS reference sheet §1.6.
 *
 * Parsers never read past their input and refuse trailing bytes; a parsed APDU's pointers point
 * into the input, which must outlive them.
 */
#ifndef POLYMETER_DLMS_APDU_H
#define POLYMETER_DLMS_APDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dlms/axdr.h"
#include "core/dlms/cosem.h"

/* The first octet of each APDU (COSEMpdu CHOICE, ACSE [APPLICATION n]). */
enum pm_dlms_apdu_tag {
	PM_DLMS_APDU_INITIATE_REQUEST = 0x01,
	PM_DLMS_APDU_READ_REQUEST = 0x05, /* short-name referencing */
	PM_DLMS_APDU_WRITE_REQUEST = 0x06,
	PM_DLMS_APDU_CONFIRMED_SERVICE_ERROR = 0x0E,
	PM_DLMS_APDU_DATA_NOTIFICATION = 0x0F,
	PM_DLMS_APDU_UNCONFIRMED_WRITE_REQUEST = 0x16,
	PM_DLMS_APDU_INFORMATION_REPORT = 0x18,
	PM_DLMS_APDU_AARQ = 0x60,
	PM_DLMS_APDU_AARE = 0x61,
	PM_DLMS_APDU_RLRQ = 0x62,
	PM_DLMS_APDU_RLRE = 0x63,
	PM_DLMS_APDU_GET_REQUEST = 0xC0,
	PM_DLMS_APDU_SET_REQUEST = 0xC1,
	PM_DLMS_APDU_EVENT_NOTIFICATION = 0xC2,
	PM_DLMS_APDU_ACTION_REQUEST = 0xC3,
	PM_DLMS_APDU_GET_RESPONSE = 0xC4,
	PM_DLMS_APDU_SET_RESPONSE = 0xC5,
	PM_DLMS_APDU_ACTION_RESPONSE = 0xC7,
	PM_DLMS_APDU_EXCEPTION_RESPONSE = 0xD8,
	/* glo-ciphered with the global unicast key (the request's tag + 8, its response's) */
	PM_DLMS_APDU_GLO_INITIATE_REQUEST = 0x21,
	PM_DLMS_APDU_GLO_INITIATE_RESPONSE = 0x28,
	PM_DLMS_APDU_GLO_GET_REQUEST = 0xC8,
	PM_DLMS_APDU_GLO_SET_REQUEST = 0xC9,
	PM_DLMS_APDU_GLO_ACTION_REQUEST = 0xCB,
	PM_DLMS_APDU_GLO_GET_RESPONSE = 0xCC,
	PM_DLMS_APDU_GLO_SET_RESPONSE = 0xCD,
	PM_DLMS_APDU_GLO_ACTION_RESPONSE = 0xCF,
	PM_DLMS_APDU_GENERAL_GLO_CIPHERING = 0xDB,
};

/*
 * Whether @tag is an APDU the standard defines (for the request side: the xDLMS, ACSE,
 * short-name and ciphered APDUs, general-block-transfer and the notifications), so that an
 * APDU this server does not serve can be told from one that is no APDU at all.
 */
bool pm_dlms_apdu_tag_is_defined(uint8_t tag);

/* What a parser says. */
enum pm_dlms_apdu_status {
	PM_DLMS_APDU_OK = 0,
	/* truncated, a length disagreeing with what follows, a field out of its range, a Data
	 * that is not one, a duplicate field, bytes after the end */
	PM_DLMS_APDU_MALFORMED = -1,
	/* a tag or CHOICE the standard does not define here */
	PM_DLMS_APDU_UNKNOWN_TAG = -2,
	/* defined by the standard, not implemented by this server (e.g. ciphered user
	 * information, SET-Request-With-List-And-First-Datablock) */
	PM_DLMS_APDU_UNSUPPORTED = -3,
};

const char *pm_dlms_apdu_status_str(int status);

/* How deep a Data in a request may nest (a day profile table is 4 levels). */
#define PM_DLMS_APDU_MAX_DEPTH 16

/* ---- ACSE: association ---- */

/* 2.16.756.5.8.1.n (application context) and 2.16.756.5.8.2.n (mechanism) as BER contents. */
#define PM_DLMS_OID_LEN 7
enum pm_dlms_context {
	PM_DLMS_CONTEXT_LN = 1,
	PM_DLMS_CONTEXT_SN = 2,
	PM_DLMS_CONTEXT_LN_CIPHERED = 3,
	PM_DLMS_CONTEXT_SN_CIPHERED = 4,
};
enum pm_dlms_mechanism {
	PM_DLMS_MECH_NONE = 0,
	PM_DLMS_MECH_LLS = 1,
	PM_DLMS_MECH_HLS = 2, /* 3 MD5, 4 SHA-1, 5 GMAC, 6 SHA-256, 7 ECDSA follow */
	PM_DLMS_MECH_GMAC = 5,
};
/* The last arc n of 2.16.756.5.8.1.n (@arc1 1) or 2.16.756.5.8.2.n (@arc1 2); -1 for any
 * other OID. */
int pm_dlms_oid_id(const uint8_t *oid, size_t len, uint8_t arc1);

/* xDLMS InitiateRequest (user-information of the AARQ). */
struct pm_dlms_initiate_request {
	bool has_dedicated_key;
	const uint8_t *dedicated_key;
	size_t ndedicated_key;
	bool response_allowed; /* DEFAULT TRUE */
	bool has_qos;
	int8_t qos;
	uint8_t dlms_version;
	uint32_t conformance; /* the 24 bits, bit 0 the most significant */
	uint16_t client_max_pdu;
};

/* The AARQ fields a server looks at; every pointer NULL (length 0) when the field is absent. */
struct pm_dlms_aarq {
	bool has_protocol_version;
	bool protocol_version1; /* the version1 bit of protocol-version */
	const uint8_t *context; /* application-context-name: OID contents */
	size_t ncontext;
	const uint8_t *calling_ap_title;
	size_t ncalling_ap_title;
	bool has_acse_requirements;
	bool authentication;	  /* the authentication bit of sender-acse-requirements */
	const uint8_t *mechanism; /* mechanism-name: OID contents */
	size_t nmechanism;
	/* calling-authentication-value: the CHOICE tag (0x80 charstring, the only one LLS
	 * uses) and its contents */
	uint8_t auth_choice;
	const uint8_t *auth_value;
	size_t nauth_value;
	bool has_auth_value;
	/* user-information: the octet-string's contents (an xDLMS InitiateRequest, parsed with
	 * pm_dlms_initiate_request_parse) */
	const uint8_t *user_info;
	size_t nuser_info;
};

int pm_dlms_aarq_parse(const uint8_t *p, size_t len, struct pm_dlms_aarq *a);
/* UNSUPPORTED for a ciphered one (glo-initiateRequest). */
int pm_dlms_initiate_request_parse(const uint8_t *p, size_t len,
				   struct pm_dlms_initiate_request *r);

enum pm_dlms_assoc_result {
	PM_DLMS_ASSOC_ACCEPTED = 0,
	PM_DLMS_ASSOC_REJECTED_PERMANENT = 1,
	PM_DLMS_ASSOC_REJECTED_TRANSIENT = 2,
};

/* acse-service-user diagnostics (result-source-diagnostic [1]). */
enum pm_dlms_acse_user_diag {
	PM_DLMS_DIAG_NULL = 0,
	PM_DLMS_DIAG_NO_REASON_GIVEN = 1,
	PM_DLMS_DIAG_CONTEXT_NOT_SUPPORTED = 2,
	PM_DLMS_DIAG_CALLING_AP_TITLE_NOT_RECOGNIZED = 3,
	PM_DLMS_DIAG_CALLED_AP_TITLE_NOT_RECOGNIZED = 7,
	PM_DLMS_DIAG_MECHANISM_NOT_RECOGNISED = 11,
	PM_DLMS_DIAG_MECHANISM_REQUIRED = 12,
	PM_DLMS_DIAG_AUTHENTICATION_FAILURE = 13,
	PM_DLMS_DIAG_AUTHENTICATION_REQUIRED = 14,
};
/* acse-service-provider diagnostics (result-source-diagnostic [2]). */
enum pm_dlms_acse_provider_diag {
	PM_DLMS_PDIAG_NULL = 0,
	PM_DLMS_PDIAG_NO_REASON_GIVEN = 1,
	PM_DLMS_PDIAG_NO_COMMON_ACSE_VERSION = 2,
};

/* ServiceError initiate [6] values (confirmedServiceError initiateError in an AARE). */
enum pm_dlms_initiate_error {
	PM_DLMS_INITIATE_OTHER = 0,
	PM_DLMS_INITIATE_VERSION_TOO_LOW = 1,
	PM_DLMS_INITIATE_INCOMPATIBLE_CONFORMANCE = 2,
	PM_DLMS_INITIATE_PDU_SIZE_TOO_SHORT = 3,
	PM_DLMS_INITIATE_REFUSED = 4,
};

enum pm_dlms_aare_user_info {
	PM_DLMS_AARE_NO_USER_INFO,	/* rejected by the ACSE: no xDLMS part */
	PM_DLMS_AARE_INITIATE_RESPONSE, /* accepted */
	PM_DLMS_AARE_INITIATE_ERROR,	/* confirmedServiceError initiateError */
};

struct pm_dlms_aare {
	enum pm_dlms_assoc_result result;
	bool provider_diag; /* the diagnostic is acse-service-provider's, else -user's */
	uint8_t diagnostic;
	enum pm_dlms_aare_user_info user_info;
	/* InitiateResponse: no negotiated QoS; vaa-name 0x0007 (LN referencing) */
	uint8_t dlms_version;
	uint32_t conformance;
	uint16_t server_max_pdu;
	enum pm_dlms_initiate_error initiate_error;
	/* HLS (all absent when zero): the LN context with ciphering (2.16.756.5.8.1.3), the
	 * server's system title (responding-AP-title, 8 octets), responder-acse-requirements
	 * with mechanism-name 2.16.756.5.8.2.@mechanism, the server's challenge
	 * (responding-authentication-value, charstring) */
	bool ciphered_context;
	const uint8_t *title;
	uint8_t mechanism;
	const uint8_t *stoc;
	size_t nstoc;
	/* the user-information's contents given whole (a glo-initiateResponse), in place of
	 * the InitiateResponse @user_info would write */
	const uint8_t *raw_user_info;
	size_t nraw_user_info;
};

/* The xDLMS InitiateResponse of @a (the AARE's user-information when it is not ciphered). */
void pm_dlms_initiate_response_encode(const struct pm_dlms_aare *a, struct pm_axdr_out *u);
/* An AARE naming the LN context, without ciphering unless @ciphered_context. */
void pm_dlms_aare_encode(const struct pm_dlms_aare *a, struct pm_axdr_out *o);

/* RLRQ: reason absent or 0 normal, 1 urgent, 30 user-defined; user-information ignored. */
struct pm_dlms_rlrq {
	bool has_reason;
	uint8_t reason;
};
int pm_dlms_rlrq_parse(const uint8_t *p, size_t len, struct pm_dlms_rlrq *r);
/* RLRE with reason normal (63 03 80 01 00). */
void pm_dlms_rlre_encode(struct pm_axdr_out *o);

/* ---- xDLMS: GET, SET, ACTION ---- */

/* Cosem-Attribute-Descriptor (or -Method-Descriptor) with its optional selective access. */
struct pm_dlms_attr_desc {
	uint16_t class_id;
	uint8_t ln[6];
	uint8_t id; /* attribute or method: Integer8 on the wire, kept as its octet */
	struct pm_cosem_selector sel; /* selector 0: no access-selection */
};

/* Reads one Cosem-Attribute-Descriptor-With-Selection (a list's element). 0 or a status. */
int pm_dlms_attr_desc_read(struct pm_axdr_in *in, struct pm_dlms_attr_desc *d);

/* A list of descriptors, validated by the parser: read each with pm_dlms_attr_desc_read
 * from an input over @p, @len. */
struct pm_dlms_desc_list {
	uint32_t count;
	const uint8_t *p;
	size_t len;
};

enum pm_dlms_get_kind {
	PM_DLMS_GET_NORMAL = 1,
	PM_DLMS_GET_NEXT = 2,
	PM_DLMS_GET_WITH_LIST = 3,
};

struct pm_dlms_get_request {
	enum pm_dlms_get_kind kind;
	uint8_t invoke;		       /* invoke-id-and-priority, echoed in the response */
	struct pm_dlms_attr_desc attr; /* NORMAL */
	uint32_t block;		       /* NEXT: the block the client acknowledges */
	struct pm_dlms_desc_list list; /* WITH_LIST */
};

int pm_dlms_get_request_parse(const uint8_t *p, size_t len, struct pm_dlms_get_request *r);

enum pm_dlms_set_kind {
	PM_DLMS_SET_NORMAL = 1,
	PM_DLMS_SET_FIRST_DATABLOCK = 2,
	PM_DLMS_SET_DATABLOCK = 3,
	PM_DLMS_SET_WITH_LIST = 4,
};

struct pm_dlms_set_request {
	enum pm_dlms_set_kind kind;
	uint8_t invoke;
	struct pm_dlms_attr_desc attr; /* NORMAL, FIRST_DATABLOCK */
	/* NORMAL: the value Data; WITH_LIST: the count values, one Data after another */
	const uint8_t *value;
	size_t nvalue;
	/* FIRST_DATABLOCK, DATABLOCK: DataBlock-SA */
	bool last_block;
	uint32_t block;
	const uint8_t *raw;
	size_t nraw;
	struct pm_dlms_desc_list list; /* WITH_LIST: as many descriptors as values */
};

/* SET-Request-With-List-And-First-Datablock is UNSUPPORTED. */
int pm_dlms_set_request_parse(const uint8_t *p, size_t len, struct pm_dlms_set_request *r);

enum pm_dlms_action_kind {
	PM_DLMS_ACTION_NORMAL = 1,
	PM_DLMS_ACTION_WITH_LIST = 3,
};

struct pm_dlms_action_request {
	enum pm_dlms_action_kind kind;
	uint8_t invoke;
	struct pm_dlms_attr_desc method; /* NORMAL; sel unused */
	const uint8_t *param;		 /* NORMAL: the parameters Data, NULL when absent */
	size_t nparam;
	/* WITH_LIST: count method descriptors (class, LN, method: 9 octets each) in list.p,
	 * then count parameter Data one after another in param */
	struct pm_dlms_desc_list list;
};

/* The pblock variants (block-transfer-with-action) are UNSUPPORTED. */
int pm_dlms_action_request_parse(const uint8_t *p, size_t len, struct pm_dlms_action_request *r);
/* Reads one Cosem-Method-Descriptor of an ACTION list. */
int pm_dlms_method_desc_read(struct pm_axdr_in *in, struct pm_dlms_attr_desc *d);

/* ---- responses ---- */

/* Get-Data-Result: data [0] (the encoded Data @data, @n) when @r is SUCCESS, else
 * data-access-result [1]. */
void pm_dlms_put_get_data_result(struct pm_axdr_out *o, enum pm_dlms_result r, const uint8_t *data,
				 size_t n);
void pm_dlms_put_get_response_normal(struct pm_axdr_out *o, uint8_t invoke, enum pm_dlms_result r,
				     const uint8_t *data, size_t n);
/* Get-Response-With-List: @body is the SEQUENCE OF Get-Data-Result (count, then each). */
void pm_dlms_put_get_response_list(struct pm_axdr_out *o, uint8_t invoke, const uint8_t *body,
				   size_t n);
/* Get-Response-With-Datablock: raw-data [0] when @r is SUCCESS, else data-access-result. */
void pm_dlms_put_get_response_block(struct pm_axdr_out *o, uint8_t invoke, bool last,
				    uint32_t block, enum pm_dlms_result r, const uint8_t *raw,
				    size_t n);
/* The raw-data a Get-Response-With-Datablock of @max_pdu octets carries at most. */
size_t pm_dlms_get_block_room(size_t max_pdu);

void pm_dlms_put_set_response_normal(struct pm_axdr_out *o, uint8_t invoke, enum pm_dlms_result r);
void pm_dlms_put_set_response_datablock(struct pm_axdr_out *o, uint8_t invoke, uint32_t block);
void pm_dlms_put_set_response_last_datablock(struct pm_axdr_out *o, uint8_t invoke,
					     enum pm_dlms_result r, uint32_t block);
/* Set-Response-With-List: one Data-Access-Result per element of @results. */
void pm_dlms_put_set_response_list(struct pm_axdr_out *o, uint8_t invoke, const uint8_t *results,
				   size_t count);

/* Action-Response-With-Optional-Data: return-parameters present when @data is not NULL. */
void pm_dlms_put_action_result(struct pm_axdr_out *o, enum pm_dlms_result r, const uint8_t *data,
			       size_t n);
void pm_dlms_put_action_response_normal(struct pm_axdr_out *o, uint8_t invoke,
					enum pm_dlms_result r, const uint8_t *data, size_t n);
/* Action-Response-With-List: @body is the SEQUENCE OF Action-Response-With-Optional-Data. */
void pm_dlms_put_action_response_list(struct pm_axdr_out *o, uint8_t invoke, const uint8_t *body,
				      size_t n);

/* EXCEPTION-Response. */
enum pm_dlms_state_error {
	PM_DLMS_STATE_SERVICE_NOT_ALLOWED = 1,
	PM_DLMS_STATE_SERVICE_UNKNOWN = 2,
};
enum pm_dlms_service_error {
	PM_DLMS_SERVICE_OPERATION_NOT_POSSIBLE = 1,
	PM_DLMS_SERVICE_NOT_SUPPORTED = 2,
	PM_DLMS_SERVICE_OTHER_REASON = 3,
	PM_DLMS_SERVICE_PDU_TOO_LONG = 4,
	PM_DLMS_SERVICE_DECIPHERING_ERROR = 5,
	PM_DLMS_SERVICE_INVOCATION_COUNTER_ERROR = 6, /* followed by the counter expected */
};
void pm_dlms_put_exception_response(struct pm_axdr_out *o, enum pm_dlms_state_error state,
				    enum pm_dlms_service_error service);

/* confirmedServiceError: ConfirmedServiceError CHOICE @choice (1 initiateError, 5 read,
 * 6 write, ...), ServiceError CHOICE @error_tag (6 initiate, 3 service, ...), its @value. */
void pm_dlms_put_confirmed_service_error(struct pm_axdr_out *o, uint8_t choice, uint8_t error_tag,
					 uint8_t value);

#endif
