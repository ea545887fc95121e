// SPDX-License-Identifier: GPL-2.0-only
/*
 * Disconnect control (class 70, version 1) at 0.0.96.3.10.255 (IEC 62056-6-1; Gurux's OBIS
 * table: "0.0-64.96.3.10.255 ... Disconnect control"), the supply contactor as the account
 * decides it. Attributes: 2 output_state (boolean) and 3 control_state (enum 0 disconnected, 1
 * connected, 2 ready_for_reconnection) are the model's supply.closed and supply.state, read from
 * the snapshot: the real state of the supply, whatever moved it; 4 control_mode (enum), below.
 * Methods 1 remote_disconnect and 2 remote_reconnect (parameter integer(0)), the management
 * client only, call the account's commands through the meter (D-Bus Disconnect and
 * ArmReconnect do the same, views/dbus/bus-account.c).
 *
 * control_mode. The Blue Book's transitions (DLMS UA 1000-1 Ed. 12.0, table 25, as a public Python
 * DLMS implementation quotes it in its DisconnectControl class): a remote_reconnect disconnected ->
 * connected; b, c remote_disconnect connected / ready -> disconnected; d remote_reconnect
 * disconnected -> ready_for_reconnection; e manual_reconnect ready -> connected; f
 * manual_disconnect, g local_disconnect connected -> ready; h local_reconnect ready ->
 * connected. Modes (Gurux's ControlMode): 3 = disconnection remote (b, c), local (g), no manual;
 * reconnection remote (d), manual (e). 6 = the same and local reconnection (h).
 * The account (core/billing/account.h) disconnects remotely and locally (out of credit, load
 * limit) and has no manual disconnection; the customer's button or display confirms a
 * reconnection (manual, e); a remote reconnection here is the armed one (d): the supply closes
 * when someone at the meter confirms, never unattended. When the account's
 * reconnect_needs_confirmation setting is off, credit coming back closes the supply by itself
 * (local reconnection, h): mode 6; when on, it waits for the customer too: mode 3.
 */
#include "core/dlms/cosem-binding.h"
#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem-objects.h"

#define ATTR_CONTROL_STATE 3
#define ATTR_CONTROL_MODE 4
#define REMOTE_DISCONNECT 1
#define REMOTE_RECONNECT 2

enum control_mode {
	MODE_REMOTE_LOCAL_MANUAL_RECONNECT = 3,
	MODE_REMOTE_LOCAL_AUTO_RECONNECT = 6,
};

static enum pm_cosem_attr_access disconnect_access(const struct pm_cosem_object *o,
						   enum pm_dlms_client client, uint8_t attr)
{
	/* the mode follows the account's settings: read by whoever reads the state */
	if (attr == ATTR_CONTROL_MODE)
		return pm_cosem_bound_access(o, client, ATTR_CONTROL_STATE) & PM_COSEM_READ;
	return pm_cosem_bound_access(o, client, attr) & PM_COSEM_READ;
}

static enum pm_dlms_result disconnect_get(const struct pm_cosem_object *o,
					  const struct pm_cosem_request *req, uint8_t attr,
					  const struct pm_cosem_selector *sel,
					  struct pm_axdr_out *out)
{
	const struct pm_snapshot *snap = req->meter ? req->meter->snap : NULL;

	if (attr != ATTR_CONTROL_MODE)
		return pm_cosem_bound_get(o, req, attr, sel, out);
	if (!snap || !snap->account.valid)
		return PM_DLMS_OBJECT_UNAVAILABLE;
	pm_axdr_put_enum(out, snap->account.settings.reconnect_needs_confirmation
				  ? MODE_REMOTE_LOCAL_MANUAL_RECONNECT
				  : MODE_REMOTE_LOCAL_AUTO_RECONNECT);
	return PM_DLMS_SUCCESS;
}

enum pm_dlms_result pm_cosem_disconnect_invoke(const struct pm_cosem_request *req, uint8_t method)
{
	const struct pm_cosem_meter *m = req->meter;

	if (method == REMOTE_DISCONNECT)
		return m && m->remote_disconnect ? m->remote_disconnect(m->data)
						 : PM_DLMS_TEMPORARY_FAILURE;
	if (method == REMOTE_RECONNECT)
		return m && m->remote_reconnect ? m->remote_reconnect(m->data, true)
						: PM_DLMS_TEMPORARY_FAILURE;
	return PM_DLMS_OBJECT_UNDEFINED;
}

static enum pm_dlms_result disconnect_action(const struct pm_cosem_object *o,
					     const struct pm_cosem_request *req, uint8_t method,
					     const uint8_t *param, size_t len,
					     struct pm_axdr_out *out)
{
	struct pm_axdr_in in;
	int64_t v;

	(void)o;
	(void)out;
	/* data ::= integer(0); a client that sends none is taken too */
	if (param && len) {
		pm_axdr_in_init(&in, param, len);
		if (pm_axdr_expect_int(&in, INT64_MIN, INT64_MAX, &v) || pm_axdr_in_left(&in))
			return PM_DLMS_TYPE_UNMATCHED;
	}
	return pm_cosem_disconnect_invoke(req, method);
}

const struct pm_cosem_class pm_cosem_disconnect_class = {
    .class_id = 70,
    .version = 1,
    .n_attrs = 4,
    .n_methods = 2,
    .visible = pm_cosem_bound_visible,
    .attr_access = disconnect_access,
    .method_access = pm_cosem_methods_by_management,
    .selectors = pm_cosem_no_selectors,
    .get = disconnect_get,
    .action = disconnect_action,
};
