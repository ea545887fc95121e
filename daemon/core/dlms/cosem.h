/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The COSEM objects the DLMS server serves (IEC 62056-6-2 interface classes), as the server
 * engine (server.h) sees them: a directory to look an object up by class and logical name, and
 * GET, SET and ACTION on one attribute or method. The server engine never knows what an object
 * is; the objects never know the association's framing. Access rights are the objects': a
 * request from a client that may not do it is refused here, with the data-access-result the
 * standard gives.
 *
 * The daemon's directory (cosem-directory.h) is built from the object model (core/model): every
 * point with an OBIS code, the quantities with a DLMS binding, and the objects that are views of
 * the meter rather than of a value (Clock, Association LN, profiles, disconnect control, activity
 * calendar). The meter's state beyond the snapshot (its clock, the store's profiles and events, the
 * billing commands) is reached through struct pm_cosem_meter, which the daemon implements
 * (views/dlms/dlms-meter.c) and a unit test may fake.
 */
#ifndef POLYMETER_COSEM_H
#define POLYMETER_COSEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dlms/axdr.h"

/* Data-access-result (GET, SET) and action-result (ACTION) share these codes. */
enum pm_dlms_result {
	PM_DLMS_SUCCESS = 0,
	PM_DLMS_HARDWARE_FAULT = 1,
	PM_DLMS_TEMPORARY_FAILURE = 2,
	PM_DLMS_READ_WRITE_DENIED = 3,
	PM_DLMS_OBJECT_UNDEFINED = 4,
	PM_DLMS_OBJECT_CLASS_INCONSISTENT = 9,
	PM_DLMS_OBJECT_UNAVAILABLE = 11,
	PM_DLMS_TYPE_UNMATCHED = 12,
	PM_DLMS_SCOPE_OF_ACCESS_VIOLATED = 13,
	PM_DLMS_DATA_BLOCK_UNAVAILABLE = 14,
	PM_DLMS_LONG_GET_ABORTED = 15,
	PM_DLMS_NO_LONG_GET_IN_PROGRESS = 16,
	PM_DLMS_LONG_SET_ABORTED = 17,
	PM_DLMS_NO_LONG_SET_IN_PROGRESS = 18,
	PM_DLMS_DATA_BLOCK_NUMBER_INVALID = 19,
	PM_DLMS_OTHER_REASON = 250,
};

/*
 * The rights of an association's client. The two standard clients are named by their SAPs
 * (the wrapper's wPorts), which are also their default rights; a client SAP the integrator
 * configures (server.h struct pm_dlms_client_rule) gets any of the four. A class's access
 * callbacks see only PUBLIC and MANAGEMENT: the directory judges READER and OPERATOR as
 * MANAGEMENT, then takes away what they may not do (cosem-directory.c).
 */
enum pm_dlms_client {
	PM_DLMS_CLIENT_NONE = 0,       /* not associated */
	PM_DLMS_CLIENT_MANAGEMENT = 1, /* SAP 1: reads everything, makes every write offered */
	PM_DLMS_CLIENT_PUBLIC = 16,    /* SAP 16: no security, the public read-only subset */
	PM_DLMS_CLIENT_READER = 0x100, /* reads everything, writes nothing, invokes nothing */
	/* the management client's rights but the writes and methods that need HLS
	 * (pm_cosem_needs_hls: supply, tariff, money), whatever its authentication */
	PM_DLMS_CLIENT_OPERATOR = 0x101,
};

/* What the association negotiated: the Association LN object publishes it (class 15). */
struct pm_dlms_assoc_info {
	enum pm_dlms_client client;
	uint16_t client_sap, server_sap;
	uint8_t mechanism; /* 0 none, 1 LLS, 5 HLS-GMAC */
	/* low-level security on a meter that offers HLS-GMAC: the writes that move the supply,
	 * the tariff or money need HLS (pm_cosem_needs_hls) */
	bool lls_restricted;
	/* HLS-GMAC: the client's system title (its AARQ's calling-AP-title), else zero */
	uint8_t client_title[8];
	uint32_t conformance;	 /* negotiated: the AND of the client's and ours */
	uint16_t client_max_pdu; /* the client's max-receive-pdu-size */
	uint16_t server_max_pdu; /* ours */
	uint8_t dlms_version;	 /* 6 */
};

/* Selective access of a GET (IEC 62056-6-2: 1 range, 2 entry on a Profile Generic's buffer). */
struct pm_cosem_selector {
	uint8_t selector;     /* 0: none */
	const uint8_t *param; /* the access-parameters Data, undecoded */
	size_t nparam;
};

struct pm_cosem_meter;	/* the meter's callbacks (below, filled by the daemon) */
struct pm_cosem_object; /* opaque: one object of a directory */

/* One request's context: who asks, over which association, and the meter it reads. */
struct pm_cosem_request {
	const struct pm_dlms_assoc_info *assoc;
	const struct pm_cosem_meter *meter;
};

/*
 * A directory of objects, as the session engine calls it. The daemon's directory (built from
 * the object model, cosem-directory.h) implements these; a unit test of the engine may pass its
 * own.
 */
struct pm_cosem_directory_ops {
	/* The object of @class_id and @ln (6 octets), or NULL (the caller answers
	 * object-undefined). An object the client may not see at all is NULL for it too. */
	const struct pm_cosem_object *(*find)(const void *dir, const struct pm_cosem_request *req,
					      uint16_t class_id, const uint8_t ln[6]);
	/*
	 * GET of attribute @attr: encodes the attribute's Data into @out and returns
	 * PM_DLMS_SUCCESS, or returns a refusal (read-write-denied, object-unavailable,
	 * scope-of-access-violated for a selector the attribute does not take, ...) and leaves
	 * @out as it was. An @out overflow after SUCCESS is the caller's (it answers
	 * other-reason: the response was too long even for block transfer).
	 */
	enum pm_dlms_result (*get)(const void *dir, const struct pm_cosem_request *req,
				   const struct pm_cosem_object *obj, uint8_t attr,
				   const struct pm_cosem_selector *sel, struct pm_axdr_out *out);
	/* SET of attribute @attr to the Data @value (all of it, datablocks already joined).
	 * Nothing changes unless it returns PM_DLMS_SUCCESS. */
	enum pm_dlms_result (*set)(const void *dir, const struct pm_cosem_request *req,
				   const struct pm_cosem_object *obj, uint8_t attr,
				   const uint8_t *value, size_t len);
	/* ACTION of method @method with the parameter Data @param (NULL, 0 when the request had
	 * none). A method returning data encodes it into @out (left empty otherwise). */
	enum pm_dlms_result (*action)(const void *dir, const struct pm_cosem_request *req,
				      const struct pm_cosem_object *obj, uint8_t method,
				      const uint8_t *param, size_t len, struct pm_axdr_out *out);
};

#endif
