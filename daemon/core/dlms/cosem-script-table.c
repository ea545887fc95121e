// SPDX-License-Identifier: GPL-2.0-only
/*
 * Script table (class 9, version 0) at 0.0.10.0.106.255, the disconnect control's scripts
 * (IEC 62056-6-1; Gurux's OBIS table: "0.0-64.10.0.106.255 ... Disconnect control", class 9).
 * Attribute 2 scripts: array of script {script_identifier long-unsigned, actions array of
 * action_specification {service_id enum (2 execute a method), class_id long-unsigned,
 * logical_name octet-string, index integer, parameter}} (Gurux's GXDLMSScriptTable); method 1
 * execute (data long-unsigned: the script's identifier).
 *
 * Script 1 executes the Disconnect control's remote_disconnect, script 2 its remote_reconnect
 * (the same path as the methods, cosem-disconnect.c). The management client only: the public
 * client does not see it.
 */
#include "core/dlms/cosem-objects.h"

#define EXECUTE 1
#define SERVICE_EXECUTE_METHOD 2
#define DISCONNECT_CONTROL_CLASS 70

static const uint8_t disconnect_control_ln[6] = {0, 0, 96, 3, 10, 255};

static enum pm_dlms_result scripts_get(const struct pm_cosem_object *o,
				       const struct pm_cosem_request *req, uint8_t attr,
				       const struct pm_cosem_selector *sel, struct pm_axdr_out *out)
{
	(void)o;
	(void)req;
	(void)sel;
	(void)attr;
	pm_axdr_put_array(out, 2);
	for (uint16_t script = 1; script <= 2; script++) {
		pm_axdr_put_structure(out, 2);
		pm_axdr_put_u16(out, script);
		pm_axdr_put_array(out, 1);
		pm_axdr_put_structure(out, 5);
		pm_axdr_put_enum(out, SERVICE_EXECUTE_METHOD);
		pm_axdr_put_u16(out, DISCONNECT_CONTROL_CLASS);
		pm_axdr_put_octet_string(out, disconnect_control_ln, sizeof(disconnect_control_ln));
		pm_axdr_put_i8(out, (int8_t)script); /* 1 remote_disconnect, 2 remote_reconnect */
		pm_axdr_put_i8(out, 0);
	}
	return PM_DLMS_SUCCESS;
}

static enum pm_dlms_result scripts_action(const struct pm_cosem_object *o,
					  const struct pm_cosem_request *req, uint8_t method,
					  const uint8_t *param, size_t len, struct pm_axdr_out *out)
{
	struct pm_axdr_in in;
	int64_t script;

	(void)o;
	(void)out;
	if (method != EXECUTE)
		return PM_DLMS_OBJECT_UNDEFINED;
	pm_axdr_in_init(&in, param, len);
	if (!param || pm_axdr_expect_int(&in, 0, UINT16_MAX, &script) || pm_axdr_in_left(&in))
		return PM_DLMS_TYPE_UNMATCHED;
	if (script != 1 && script != 2)
		return PM_DLMS_OTHER_REASON; /* no such script */
	return pm_cosem_disconnect_invoke(req, (uint8_t)script);
}

const struct pm_cosem_class pm_cosem_script_table_class = {
    .class_id = 9,
    .version = 0,
    .n_attrs = 2,
    .n_methods = 1,
    .visible = pm_cosem_visible_to_management,
    .attr_access = pm_cosem_read_by_all,
    .method_access = pm_cosem_methods_by_management,
    .selectors = pm_cosem_no_selectors,
    .get = scripts_get,
    .action = scripts_action,
};

static const struct pm_cosem_object scripts[] = {
    {{0, 0, 10, 0, 106, 255}, &pm_cosem_script_table_class, 0},
};

const struct pm_cosem_table pm_cosem_script_table_table = PM_COSEM_TABLE(scripts);
