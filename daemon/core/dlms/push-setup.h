/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The meter's Push setup objects (IEC 62056-6-2 interface class 40, version 0) and what each
 * pushes: fixed objects 0.0.25.9.E.255, one a trigger, each with a fixed push object list:
 *
 *   E  trigger                          pushes (after its own logical name, attribute 1)
 *   0  the schedules: daily, weekly,    serial number 0.0.96.1.0.255, Clock 0.0.1.0.0.255,
 *      monthly                          +A 1.0.1.8.0.255 and -A 1.0.2.8.0.255 (attribute 2)
 *   1  every billing period             the same, then the last billing period's maximum
 *                                       demand +A and -A (1.0.1.6.0.101, 1.0.2.6.0.101:
 *                                       value and capture time)
 *   2  power_down, power_up             serial number, Clock
 *   3  supply_opened, supply_closed     serial number, Clock, Disconnect control
 *                                       0.0.96.3.10.255 control_state (attribute 3)
 *   4  low_credit                       serial number, Clock, the Account's available_credit
 *                                       (0.0.19.0.0.255 attribute 5)
 *
 * The first element names the Push setup object itself (class 40, attribute 1), as IDIS's
 * pushes do, so a head-end tells the pushes apart by their first value.
 *
 * Attributes (version 0; types as the Blue Book's class 40 and Gurux's serialiser give them):
 *   2 push_object_list  array of structure {class_id long-unsigned, logical_name
 *                       octet-string(6), attribute_index integer, data_index long-unsigned}
 *   3 send_destination_and_method  structure {transport_service enum (0 TCP), destination
 *                       octet-string ("host:port"), message enum (0 A-XDR encoded xDLMS APDU)}
 *   4 communication_window  array of structure {start, end: date-time octet-strings}: empty,
 *                       no window (the meter pushes whenever a push is due)
 *   5 randomisation_start_interval  long-unsigned, s: the window the start offset is drawn in
 *   6 number_of_retries  unsigned: 255, the most it can say (the meter retries until the
 *                       head-end takes the push: nothing due is dropped)
 *   7 repetition_delay  long-unsigned, s: the first retry's delay (it doubles up to a cap)
 *   method 1 push (data integer 0): pushes now, as the trigger would
 * The management client reads them and invokes push; the public client does not see them.
 */
#ifndef POLYMETER_PUSH_SETUP_H
#define POLYMETER_PUSH_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dlms/axdr.h"
#include "core/dlms/cosem.h"

enum pm_push_setup {
	PM_PUSH_SCHEDULED = 0,
	PM_PUSH_BILLING = 1,
	PM_PUSH_POWER = 2,
	PM_PUSH_SUPPLY = 3,
	PM_PUSH_LOW_CREDIT = 4,
	PM_PUSH_SETUPS
};

/* One element of a push object list. */
struct pm_push_object {
	uint16_t class_id;
	uint8_t ln[6];
	int8_t attr;
	uint16_t data_index;
};

/* What attributes 3, 5 and 7 publish for one meter (the same for each of its setups). */
struct pm_cosem_push_info {
	const char *destination; /* "host:port"; NULL or "": no destination */
	uint32_t window_s;
	uint32_t retry_base_s;
};

/* @setup's push object list (@n elements). */
const struct pm_push_object *pm_push_object_list(enum pm_push_setup setup, size_t *n);

/* The logical name of @setup's object, 0.0.25.9.@setup.255. */
void pm_push_setup_ln(enum pm_push_setup setup, uint8_t ln[6]);

/*
 * The notification body of a push of @setup: a structure of the push object list's values,
 * each read through @ops on @dir as @req's client would GET it. A value the meter has not got
 * (no scan yet, no account) is null-data, so the push still goes and says what it could not
 * read. PM_DLMS_SUCCESS, or other-reason when @out overflowed.
 */
enum pm_dlms_result pm_push_body(const struct pm_cosem_directory_ops *ops, const void *dir,
				 const struct pm_cosem_request *req, enum pm_push_setup setup,
				 struct pm_axdr_out *out);

#endif
