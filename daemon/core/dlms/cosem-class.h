/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How one COSEM interface class is written, and the objects of the daemon's directory. Each
 * class lives in a file of its own (cosem-register.c, cosem-clock.c, cosem-profile.c, ...) and
 * exports its struct pm_cosem_class; the directory (cosem-directory.c) lists the objects, each
 * naming its class and an argument the class interprets (the row of the model's table, the
 * profile it is, ...). The session engine reaches them only through cosem.h.
 */
#ifndef POLYMETER_COSEM_CLASS_H
#define POLYMETER_COSEM_CLASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dlms/axdr.h"
#include "core/dlms/cosem.h"

/* Attribute access modes as Association LN's object list publishes them (class 15 v2). */
enum pm_cosem_attr_access {
	PM_COSEM_NO_ACCESS = 0,
	PM_COSEM_READ = 1,
	PM_COSEM_WRITE = 2,
	PM_COSEM_READ_WRITE = 3,
};

struct pm_cosem_object {
	uint8_t ln[6];
	const struct pm_cosem_class *cls;
	uint32_t arg; /* the class's: a model row, a profile, ... */
};

struct pm_cosem_class {
	uint16_t class_id;
	uint8_t version;
	uint8_t
	    n_attrs; /* attributes 1..n_attrs (1 is the logical name, served by the directory) */
	uint8_t n_methods; /* methods 1..n_methods */
	/* Whether @client sees the object at all (in its object list, and findable). */
	bool (*visible)(const struct pm_cosem_object *o, enum pm_dlms_client client);
	/* Access of @client to attribute @attr (2..n_attrs) and method @method. */
	enum pm_cosem_attr_access (*attr_access)(const struct pm_cosem_object *o,
						 enum pm_dlms_client client, uint8_t attr);
	bool (*method_access)(const struct pm_cosem_object *o, enum pm_dlms_client client,
			      uint8_t method);
	/* Bit n set: attribute @attr takes selective-access selector n (object list). */
	uint8_t (*selectors)(const struct pm_cosem_object *o, uint8_t attr);
	/* As pm_cosem_directory_ops, for attributes 2..n_attrs, access already checked. NULL
	 * set/action: none writable / no methods. */
	enum pm_dlms_result (*get)(const struct pm_cosem_object *o,
				   const struct pm_cosem_request *req, uint8_t attr,
				   const struct pm_cosem_selector *sel, struct pm_axdr_out *out);
	enum pm_dlms_result (*set)(const struct pm_cosem_object *o,
				   const struct pm_cosem_request *req, uint8_t attr,
				   const uint8_t *value, size_t len);
	enum pm_dlms_result (*action)(const struct pm_cosem_object *o,
				      const struct pm_cosem_request *req, uint8_t method,
				      const uint8_t *param, size_t len, struct pm_axdr_out *out);
};

#endif
