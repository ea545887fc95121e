/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The object model's DLMS bindings (quantity.h: struct pm_dlms_binding) as the COSEM classes use
 * them: which quantity is an attribute (or an element of a structure attribute) of an object,
 * who may read and write it, and its value as A-XDR Data. Every class serving model-bound
 * objects (Data, Register, Disconnect control, the payment classes) goes through here, so the
 * access rules are written once:
 *
 *   read:  the public client (SAP 16) reads a quantity whose read column is PM_WHO_ANYONE; the
 *          management client (SAP 1) reads every quantity (display and admin rows included).
 *   write: the management client writes a quantity whose write column is PM_WHO_ADMIN and that
 *          is a setting with a field of its own (quantity.h: setting.size != 0); the public
 *          client writes nothing. The other admin-written quantities (the balance, the tariff)
 *          change through the account's commands, not through SET.
 */
#ifndef POLYMETER_COSEM_BINDING_H
#define POLYMETER_COSEM_BINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dlms/axdr.h"
#include "core/dlms/cosem-class.h"
#include "core/dlms/cosem.h"
#include "core/model/quantity.h"

/* "a.b.c.d.e.f" (each 0..255) into 6 octets: 0, or -1 when it is not one. */
int pm_cosem_obis_parse(const char *text, uint8_t ln[6]);
/* 6 octets as "a.b.c.d.e.f" (@size >= 24). */
void pm_cosem_obis_format(const uint8_t ln[6], char *buf, size_t size);

/* The quantity bound to element @element (0: the whole attribute) of attribute @attr of object
 * (@class_id, @ln), or -1. */
int pm_cosem_bound_quantity(uint16_t class_id, const uint8_t ln[6], uint8_t attr, uint8_t element);
/* Whether any quantity is bound to attribute @attr (whole or an element). */
bool pm_cosem_attr_bound(uint16_t class_id, const uint8_t ln[6], uint8_t attr);

/*
 * Access of @client to attribute @attr of a model-bound object: READ when it may read every
 * quantity bound to it, WRITE besides when it may write the one quantity bound to the whole
 * attribute; NO_ACCESS for an attribute nothing is bound to.
 */
enum pm_cosem_attr_access pm_cosem_bound_access(const struct pm_cosem_object *o,
						enum pm_dlms_client client, uint8_t attr);
/* Whether @client may read anything of the object (it sees it). */
bool pm_cosem_bound_visible(const struct pm_cosem_object *o, enum pm_dlms_client client);
/* Whether a quantity bound to any attribute of object (@class_id, @ln) needs HLS to be written
 * (quantity.h needs_hls): a Register or Data object serving a money or supply setting is as
 * much a way to move them as the payment classes are. */
bool pm_cosem_bound_needs_hls(uint16_t class_id, const uint8_t ln[6]);

bool pm_cosem_who_reads(enum pm_who who, enum pm_dlms_client client);
bool pm_cosem_who_writes(const struct pm_quantity *q, enum pm_dlms_client client);

/*
 * Quantity @q's value in the request's snapshot, as Data: an integer as long64, a bool as
 * boolean, an enum as enum, a string as visible-string (utf8-string when not ASCII), a date as
 * date (octet-string of 5), a time as date-time in UTC, a ratio as structure {long64 numerator,
 * long64 denominator}, records as an array of structures of their fields. object-unavailable
 * (nothing written) when the snapshot has no value for it.
 */
enum pm_dlms_result pm_cosem_put_quantity(const struct pm_cosem_request *req, size_t q,
					  struct pm_axdr_out *out);
/* The value of @q, PM_DLMS_OBJECT_UNAVAILABLE when it has none (no snapshot, not present). */
enum pm_dlms_result pm_cosem_quantity_value(const struct pm_cosem_request *req, size_t q,
					    struct pm_value *v);
/* SET of setting @q to the Data @value (an integer, a boolean, an enum, as its kind). */
enum pm_dlms_result pm_cosem_set_quantity(const struct pm_cosem_request *req, size_t q,
					  const uint8_t *value, size_t len);

/*
 * The payment classes' types (Account 111, Credit 112, Charge 113, Limiter 71: IEC 62056-6-2 as
 * the reference's tables give them): money as double-long in the account's minor currency unit
 * (the Account's currency scale is -minor_units, so value x 10^scale is the amount in every
 * currency; the model counts mu, 1/1000 of that unit, so value / 1000 toward zero), saturated to
 * the 32 bits; a count as
 * double-long-unsigned or long-unsigned, saturated.
 */
enum pm_dlms_result pm_cosem_put_money(const struct pm_cosem_request *req, size_t q,
				       struct pm_axdr_out *out);
enum pm_dlms_result pm_cosem_put_u32(const struct pm_cosem_request *req, size_t q,
				     struct pm_axdr_out *out);
/* SET of the money setting @q to a double-long in the minor currency unit (x 1000 in mu). */
enum pm_dlms_result pm_cosem_set_money(const struct pm_cosem_request *req, size_t q,
				       const uint8_t *value, size_t len);

/* A UTC instant as a date-time octet-string at @offset_s east of UTC. */
void pm_cosem_put_datetime(struct pm_axdr_out *out, int64_t utc_s, int32_t offset_s,
			   uint8_t status);
/* A date-time octet-string with every field "not specified". */
void pm_cosem_put_datetime_unspecified(struct pm_axdr_out *out);

/* The encoders of the model-bound classes: attribute 2 (or any attribute bound whole) of @o
 * through its binding; object-undefined when nothing is bound to it. */
enum pm_dlms_result pm_cosem_bound_get(const struct pm_cosem_object *o,
				       const struct pm_cosem_request *req, uint8_t attr,
				       const struct pm_cosem_selector *sel,
				       struct pm_axdr_out *out);
enum pm_dlms_result pm_cosem_bound_set(const struct pm_cosem_object *o,
				       const struct pm_cosem_request *req, uint8_t attr,
				       const uint8_t *value, size_t len);

#endif
