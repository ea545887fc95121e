/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a meter pushes (Push setup, class 40; issue 13), as bytes: pure, no clock, no socket.
 *
 * Data-Notification (IEC 62056-5-3 xDLMS, APDU tag 15 = 0x0F), A-XDR encoded:
 *   0x0F
 *   long-invoke-id-and-priority  4 octets, big-endian: bits 0..23 the long invoke id, 24..27
 *                                reserved, 28 self-descriptive, 29 processing option (break on
 *                                error), 30 service class (1 confirmed), 31 priority (1 high)
 *   date-time                    OCTET STRING without a Data tag: 0x00 (empty) or 0x0C and the
 *                                12 octets of a COSEM date-time
 *   notification-body            one Data: here a structure of the push object list's values
 * The bit layout is the Green Book's as Gurux's notify code and u9n/dlms-cosem's
 * LongInvokeIdAndPriority give it; the date-time as an untagged, length-prefixed octet-string
 * as Gurux's CGXDLMS::GetLNPdu writes it (0x00 when no time is given).
 *
 * Ciphered (the meter's keys): general-glo-ciphering (0xDB), which names the sender's system
 * title, so a head-end that takes pushes from many meters knows whose keys open it:
 *   0xDB, 0x08, system title, length, SC || IC || ciphertext || T (dlms-cipher.h)
 * with SC 0x30 (authenticated and encrypted, suite 0). There is no service-specific glo- tag
 * for a Data-Notification.
 *
 * The TCP wrapper (IEC 62056-47): version 0x0001, source wPort, destination wPort, length, each
 * 2 octets big-endian, before the APDU.
 */
#ifndef POLYMETER_PUSH_MESSAGE_H
#define POLYMETER_PUSH_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/dlms/apdu.h"
#include "core/dlms/axdr.h"
#include "core/dlms/dlms-cipher.h"

#define PM_DLMS_WRAPPER_HEADER_LEN 8
/* long-invoke-id-and-priority: the id's 24 bits; the flags */
#define PM_DLMS_LONG_INVOKE_ID_MASK 0x00FFFFFFu
#define PM_DLMS_LONG_INVOKE_SELF_DESCRIPTIVE (1u << 28)
#define PM_DLMS_LONG_INVOKE_BREAK_ON_ERROR (1u << 29)
#define PM_DLMS_LONG_INVOKE_CONFIRMED (1u << 30)
#define PM_DLMS_LONG_INVOKE_HIGH_PRIORITY (1u << 31)

/* Appends a Data-Notification: @date_time the 12 octets of a COSEM date-time or NULL (empty),
 * @body the notification body (one whole Data, @n octets). */
void pm_dlms_put_data_notification(struct pm_axdr_out *out, uint32_t long_invoke_id_and_priority,
				   const uint8_t *date_time, const uint8_t *body, size_t n);

/* Appends @apdu general-glo-ciphered (authenticated and encrypted) by @title under @ic. */
void pm_dlms_put_general_glo(struct pm_axdr_out *out, const struct pm_dlms_keys *k,
			     const uint8_t title[PM_DLMS_SYSTEM_TITLE_LEN], uint32_t ic,
			     const uint8_t *apdu, size_t n);

/* Appends the wrapper header of an APDU of @n octets (at most 65535). */
void pm_dlms_put_wrapper_header(struct pm_axdr_out *out, uint16_t source_wport,
				uint16_t destination_wport, size_t n);

#endif
