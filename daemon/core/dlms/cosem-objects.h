/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The classes and the fixed objects of the daemon's directory (cosem-directory.c), one class a
 * file. A class file exports its struct pm_cosem_class; a file that serves objects of its own
 * (the Clock, the Association, the maximum demand registers, ...) exports them as a const
 * struct pm_cosem_table, which the directory lists in pm_cosem_tables (cosem-directory.c).
 * Objects generated from the object model (model.h's points, quantity.h's DLMS bindings) are
 * not in a table: the directory makes them at init, naming the class that serves their class
 * id (pm_cosem_bound_class).
 */
#ifndef POLYMETER_COSEM_OBJECTS_H
#define POLYMETER_COSEM_OBJECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dlms/cosem-class.h"
#include "core/model/model.h"

/* A file's own objects. */
struct pm_cosem_table {
	const struct pm_cosem_object *objects;
	size_t n;
};

#define PM_COSEM_TABLE(array)                                                                      \
	{                                                                                          \
		array, sizeof(array) / sizeof((array)[0])                                          \
	}

/* ---- classes ---- */

/* Data (1): a quantity of the model (arg: its index in pm_quantities) */
extern const struct pm_cosem_class pm_cosem_data_class;
/* Data (1): a value of the meter itself (arg: enum pm_cosem_meter_item) */
extern const struct pm_cosem_class pm_cosem_meter_data_class;
/* Register (3): a measurement point (arg: its index in pm_points) */
extern const struct pm_cosem_class pm_cosem_point_register_class;
/* Register (3): a quantity of the model (arg: its index in pm_quantities) */
extern const struct pm_cosem_class pm_cosem_register_class;
/* Extended register (4): a maximum demand (arg: PM_COSEM_DEMAND_ARG) */
extern const struct pm_cosem_class pm_cosem_extended_register_class;
/* Clock (8) */
extern const struct pm_cosem_class pm_cosem_clock_class;
/* Script table (9): the disconnect control's scripts */
extern const struct pm_cosem_class pm_cosem_script_table_class;
/* Profile generic (7, version 1): load, billing profiles, event logs (arg: enum
 * pm_cosem_profile; cosem-profile.c) */
extern const struct pm_cosem_class pm_cosem_profile_class;
/* The time of use (cosem-calendar.c, cosem-special-days.c, cosem-register-activation.c,
 * cosem-tariff-scripts.c): Activity calendar (20), Special days table (11), Register
 * activation (6), the Tariffication script table (9) */
extern const struct pm_cosem_class pm_cosem_calendar_class;
extern const struct pm_cosem_class pm_cosem_special_days_class;
extern const struct pm_cosem_class pm_cosem_register_activation_class;
extern const struct pm_cosem_class pm_cosem_tariff_scripts_class;
/* Association LN (15, version 2): the current association */
extern const struct pm_cosem_class pm_cosem_association_class;
/* SAP assignment (17) */
extern const struct pm_cosem_class pm_cosem_sap_class;
/* Disconnect control (70, version 1), bound to the supply quantities */
extern const struct pm_cosem_class pm_cosem_disconnect_class;
/* Limiter (71), Account (111), Credit (112), Charge (113): the bound attributes, read-only */
extern const struct pm_cosem_class pm_cosem_limiter_class;
extern const struct pm_cosem_class pm_cosem_account_class;
extern const struct pm_cosem_class pm_cosem_credit_class;
extern const struct pm_cosem_class pm_cosem_charge_class;
/* Token gateway (115): STS tokens into the account (cosem-token-gateway.c) */
extern const struct pm_cosem_class pm_cosem_token_gateway_class;
/* Security setup (64, version 0): HLS-GMAC's policy, titles, key transfer
 * (cosem-security-setup.c) */
extern const struct pm_cosem_class pm_cosem_security_setup_class;
/* Push setup (40): the meter's pushes (arg: enum pm_push_setup; cosem-push-setup.c) */
extern const struct pm_cosem_class pm_cosem_push_setup_class;

/* What a meter Data object (pm_cosem_meter_data_class) publishes. */
enum pm_cosem_meter_item {
	PM_COSEM_ITEM_SERIAL,
	PM_COSEM_ITEM_MANUFACTURER,
	PM_COSEM_ITEM_FIRMWARE,
	PM_COSEM_ITEM_LOGICAL_DEVICE_NAME,
	PM_COSEM_ITEM_STATUS,
};

/* A maximum demand register: +A or -A, and the month (0 current, 1 previous, 2 before). */
#define PM_COSEM_DEMAND_ARG(export, month) ((uint32_t)(export) << 8 | (uint32_t)(month))

/* ---- the fixed objects, by file ---- */

extern const struct pm_cosem_table pm_cosem_association_table;	  /* cosem-association.c */
extern const struct pm_cosem_table pm_cosem_sap_table;		  /* cosem-sap.c: SAP, LDN */
extern const struct pm_cosem_table pm_cosem_clock_table;	  /* cosem-clock.c */
extern const struct pm_cosem_table pm_cosem_identification_table; /* cosem-data.c */
extern const struct pm_cosem_table pm_cosem_demand_table;	  /* cosem-extended-register.c */
extern const struct pm_cosem_table pm_cosem_script_table_table;	  /* cosem-script-table.c */
extern const struct pm_cosem_table pm_cosem_token_gateway_table;  /* cosem-token-gateway.c */
extern const struct pm_cosem_table pm_cosem_security_setup_table; /* cosem-security-setup.c */
extern const struct pm_cosem_table pm_cosem_push_setup_table;	  /* cosem-push-setup.c */
/* ---- profiles and calendar (branch h-dlms-profiles) ---- */
extern const struct pm_cosem_table pm_cosem_profile_table;	       /* cosem-profile.c */
extern const struct pm_cosem_table pm_cosem_calendar_table;	       /* cosem-calendar.c */
extern const struct pm_cosem_table pm_cosem_special_days_table;	       /* cosem-special-days.c */
extern const struct pm_cosem_table pm_cosem_register_activation_table; /* ...-activation.c */
extern const struct pm_cosem_table pm_cosem_tariff_scripts_table;      /* cosem-tariff-scripts.c */

struct pm_cosem_directory;

/* Association LN attribute 2 (object_list): every object of @dir the request's client sees,
 * with its access (cosem-association.c; the directory calls it, the class cannot see @dir). */
enum pm_dlms_result pm_cosem_association_object_list(const struct pm_cosem_directory *dir,
						     const struct pm_cosem_request *req,
						     struct pm_axdr_out *out);
/* Disconnect control method 1 remote_disconnect or 2 remote_reconnect, for its script table
 * too (cosem-disconnect.c). */
enum pm_dlms_result pm_cosem_disconnect_invoke(const struct pm_cosem_request *req, uint8_t method);

/* The class serving a model-bound object of @class_id (quantity.h's dlms binding), or NULL:
 * such quantities are then served by a table's object of that class and LN, if any. */
const struct pm_cosem_class *pm_cosem_bound_class(uint16_t class_id);

/* ---- access rules the fixed objects share (cosem-access.c) ---- */

/* Seen by both clients. */
bool pm_cosem_visible_to_all(const struct pm_cosem_object *o, enum pm_dlms_client client);
/* Seen by the management client only. */
bool pm_cosem_visible_to_management(const struct pm_cosem_object *o, enum pm_dlms_client client);
/* Every attribute read-only to whoever sees the object. */
enum pm_cosem_attr_access pm_cosem_read_by_all(const struct pm_cosem_object *o,
					       enum pm_dlms_client client, uint8_t attr);
/* No method may be invoked. */
bool pm_cosem_no_methods(const struct pm_cosem_object *o, enum pm_dlms_client client,
			 uint8_t method);
/* The management client invokes every method; the public client none. */
bool pm_cosem_methods_by_management(const struct pm_cosem_object *o, enum pm_dlms_client client,
				    uint8_t method);
/* No attribute takes selective access. */
uint8_t pm_cosem_no_selectors(const struct pm_cosem_object *o, uint8_t attr);
/* Whether writing @o or invoking its methods moves the supply (disconnect control, limiter,
 * script tables), the tariff (activity calendar, special days, register activation, the clock)
 * or money (the payment classes), or @o serves a quantity the object model marks needs_hls
 * (the account's settings as Data and Register objects): on a meter with HLS-GMAC, an LLS
 * association may not. */
bool pm_cosem_needs_hls(const struct pm_cosem_object *o);

/* The DLMS unit (IEC 62056-6-2 scaler_unit's enum) of a model unit. */
uint8_t pm_cosem_unit(enum pm_unit unit);

#endif
