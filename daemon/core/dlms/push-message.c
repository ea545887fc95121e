// SPDX-License-Identifier: GPL-2.0-only
/* What a meter pushes, as bytes (see push-message.h). */
#include "core/dlms/push-message.h"
#include "core/dlms/cosem-time.h"

#define WRAPPER_VERSION 1

void pm_dlms_put_data_notification(struct pm_axdr_out *out, uint32_t long_invoke_id_and_priority,
				   const uint8_t *date_time, const uint8_t *body, size_t n)
{
	pm_axdr_put_byte(out, PM_DLMS_APDU_DATA_NOTIFICATION);
	pm_axdr_put_u32be(out, long_invoke_id_and_priority);
	if (date_time) {
		pm_axdr_put_length(out, PM_COSEM_DATETIME_LEN);
		pm_axdr_put_raw(out, date_time, PM_COSEM_DATETIME_LEN);
	} else {
		pm_axdr_put_length(out, 0);
	}
	pm_axdr_put_raw(out, body, n);
}

void pm_dlms_put_general_glo(struct pm_axdr_out *out, const struct pm_dlms_keys *k,
			     const uint8_t title[PM_DLMS_SYSTEM_TITLE_LEN], uint32_t ic,
			     const uint8_t *apdu, size_t n)
{
	pm_axdr_put_byte(out, PM_DLMS_APDU_GENERAL_GLO_CIPHERING);
	pm_axdr_put_length(out, PM_DLMS_SYSTEM_TITLE_LEN);
	pm_axdr_put_raw(out, title, PM_DLMS_SYSTEM_TITLE_LEN);
	pm_axdr_put_length(out, PM_DLMS_SECURITY_HEADER_LEN + n + PM_DLMS_TAG_LEN);
	pm_dlms_protect(k, PM_DLMS_SC_AUTHENTICATED | PM_DLMS_SC_ENCRYPTED, title, ic, apdu, n,
			out);
}

void pm_dlms_put_wrapper_header(struct pm_axdr_out *out, uint16_t source_wport,
				uint16_t destination_wport, size_t n)
{
	pm_axdr_put_u16be(out, WRAPPER_VERSION);
	pm_axdr_put_u16be(out, source_wport);
	pm_axdr_put_u16be(out, destination_wport);
	pm_axdr_put_u16be(out, (uint16_t)n);
}
