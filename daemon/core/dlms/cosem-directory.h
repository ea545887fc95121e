/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's directory of COSEM objects (cosem.h: struct pm_cosem_directory_ops), built once
 * from the object model and the class files' own tables, then read-only: one directory serves
 * every session and every meter (what differs per meter comes with each request's struct
 * pm_cosem_meter).
 *
 * Its objects, in the order the object list (Association LN attribute 2) gives them:
 *   1. the tables listed first in cosem-directory.c: the current association 0.0.40.0.0.255,
 *      the SAP assignment and logical device name, the Clock, the identification Data;
 *   2. every measurement point with an OBIS code (model.h): a Register (3);
 *   3. every quantity with a DLMS binding (quantity.h), grouped by class and OBIS code into one
 *      object of the class pm_cosem_bound_class names (Data 1, Register 3, Disconnect control
 *      70, Limiter 71, Account 111, Credit 112, Charge 113); a class id it names none for (the
 *      Profile generic 7 and Activity calendar 20 of the token history and the tariff) is left
 *      to the table that serves that object, and so is any object a table also lists;
 *   4. the tables listed after the model's objects: the maximum demand registers, the
 *      disconnect control's script table, then the profiles and calendar.
 *
 * Adding objects from a class file of your own (branch h-dlms-profiles: Profile generic 7,
 * Activity calendar 20, Special days table 11, Register activation 6):
 *   - write the class in its file (cosem-class.h) and its objects as a const array there;
 *   - export it as `const struct pm_cosem_table pm_cosem_<name>_table = PM_COSEM_TABLE(array);`
 *     and declare the class and the table in cosem-objects.h;
 *   - add `&pm_cosem_<name>_table,` to tables_after[] in cosem-directory.c, in the block marked
 *     for the profiles. Nothing else: find, access checks, attribute 1 and the object list come
 *     from the class's callbacks.
 *
 * Access, checked here before a class is called:
 *   - an object the client may not see (its class's visible()) is not found, so the engine
 *     answers object-undefined, and it is not in that client's object list;
 *   - attribute 1 (logical name) is read by whoever sees the object;
 *   - an attribute or method number the class does not have: object-undefined;
 *   - GET of an attribute without read access, SET without write access, ACTION of a method
 *     without access: read-write-denied;
 *   - a selector the attribute does not take: scope-of-access-violated;
 *   - a reader or an operator client (cosem.h) sees and reads what the management client
 *     does; a reader writes and invokes nothing, an operator nothing pm_cosem_needs_hls
 *     names (its object list shows it so).
 */
#ifndef POLYMETER_COSEM_DIRECTORY_H
#define POLYMETER_COSEM_DIRECTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dlms/cosem-class.h"
#include "core/dlms/cosem.h"

struct pm_cosem_directory {
	struct pm_cosem_object *objects;
	size_t n;
};

/* Builds the directory: 0, or -ENOMEM (nothing to free), -EINVAL when a table of the model has
 * a malformed OBIS code (a bug: tests/unit/test_model.c checks them). */
int pm_cosem_directory_init(struct pm_cosem_directory *dir);
void pm_cosem_directory_free(struct pm_cosem_directory *dir);

/* The directory as the session engine calls it: server.h's config takes
 * {.ops = &pm_cosem_directory_ops, .dir = &directory}. */
extern const struct pm_cosem_directory_ops pm_cosem_directory_ops;

/* Object @i (0 .. dir->n - 1), in the order above. */
const struct pm_cosem_object *pm_cosem_directory_object(const struct pm_cosem_directory *dir,
							size_t i);
/* Access of @client as the object list publishes it (and the checks above apply it). */
bool pm_cosem_directory_visible(const struct pm_cosem_object *o, enum pm_dlms_client client);
enum pm_cosem_attr_access pm_cosem_directory_attr_access(const struct pm_cosem_object *o,
							 enum pm_dlms_client client, uint8_t attr);
bool pm_cosem_directory_method_access(const struct pm_cosem_object *o, enum pm_dlms_client client,
				      uint8_t method);
/* Bit n set: attribute @attr takes selector n (none for attribute 1). */
uint8_t pm_cosem_directory_selectors(const struct pm_cosem_object *o, uint8_t attr);

#endif
