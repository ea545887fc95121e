// SPDX-License-Identifier: GPL-2.0-only
/* The daemon's directory of COSEM objects (see cosem-directory.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/dlms/cosem-binding.h"
#include "core/dlms/cosem-directory.h"
#include "core/dlms/cosem-objects.h"
#include "core/model/quantity.h"

/* Before the model's objects: the association first, as clients expect to find it. */
static const struct pm_cosem_table *const tables_first[] = {
    &pm_cosem_association_table,
    &pm_cosem_sap_table,
    &pm_cosem_clock_table,
    &pm_cosem_identification_table,
};

/* After the model's objects. */
static const struct pm_cosem_table *const tables_after[] = {
    &pm_cosem_demand_table,
    &pm_cosem_script_table_table,
    &pm_cosem_token_gateway_table,
    &pm_cosem_security_setup_table,
    &pm_cosem_push_setup_table,
    /* ---- profiles and calendar (branch h-dlms-profiles): add your tables below ---- */
    &pm_cosem_profile_table,
    &pm_cosem_calendar_table,
    &pm_cosem_special_days_table,
    &pm_cosem_register_activation_table,
    &pm_cosem_tariff_scripts_table,
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

const struct pm_cosem_class *pm_cosem_bound_class(uint16_t class_id)
{
	switch (class_id) {
	case 1:
		return &pm_cosem_data_class;
	case 3:
		return &pm_cosem_register_class;
	case 70:
		return &pm_cosem_disconnect_class;
	case 71:
		return &pm_cosem_limiter_class;
	case 111:
		return &pm_cosem_account_class;
	case 112:
		return &pm_cosem_credit_class;
	case 113:
		return &pm_cosem_charge_class;
	default:
		return NULL;
	}
}

static bool same(const struct pm_cosem_object *o, uint16_t class_id, const uint8_t ln[6])
{
	return o->cls->class_id == class_id && !memcmp(o->ln, ln, 6);
}

static bool in_objects(const struct pm_cosem_object *objs, size_t n, uint16_t class_id,
		       const uint8_t ln[6])
{
	for (size_t i = 0; i < n; i++)
		if (same(&objs[i], class_id, ln))
			return true;
	return false;
}

static bool in_tables(const struct pm_cosem_table *const *tables, size_t n, uint16_t class_id,
		      const uint8_t ln[6])
{
	for (size_t t = 0; t < n; t++)
		if (in_objects(tables[t]->objects, tables[t]->n, class_id, ln))
			return true;
	return false;
}

static void add_tables(struct pm_cosem_directory *dir, const struct pm_cosem_table *const *tables,
		       size_t n)
{
	for (size_t t = 0; t < n; t++)
		for (size_t i = 0; i < tables[t]->n; i++)
			dir->objects[dir->n++] = tables[t]->objects[i];
}

/* The quantities with a DLMS binding, one object per class and OBIS code. */
static int add_quantities(struct pm_cosem_directory *dir)
{
	for (size_t i = 0; i < pm_quantity_count; i++) {
		const struct pm_dlms_binding *b = &pm_quantities[i].dlms;
		const struct pm_cosem_class *cls;
		struct pm_cosem_object *o;

		if (!b->obis)
			continue;
		cls = pm_cosem_bound_class(b->class_id);
		if (!cls)
			continue;
		o = &dir->objects[dir->n];
		if (pm_cosem_obis_parse(b->obis, o->ln))
			return -EINVAL;
		if (in_objects(dir->objects, dir->n, b->class_id, o->ln) ||
		    in_tables(tables_after, N_OF(tables_after), b->class_id, o->ln))
			continue;
		o->cls = cls;
		o->arg = (uint32_t)i;
		dir->n++;
	}
	return 0;
}

int pm_cosem_directory_init(struct pm_cosem_directory *dir)
{
	size_t cap = pm_point_count + pm_quantity_count;

	for (size_t t = 0; t < N_OF(tables_first); t++)
		cap += tables_first[t]->n;
	for (size_t t = 0; t < N_OF(tables_after); t++)
		cap += tables_after[t]->n;
	dir->n = 0;
	dir->objects = calloc(cap, sizeof(*dir->objects));
	if (!dir->objects)
		return -ENOMEM;
	add_tables(dir, tables_first, N_OF(tables_first));
	for (size_t i = 0; i < pm_point_count; i++) {
		struct pm_cosem_object *o = &dir->objects[dir->n];

		if (!pm_points[i].obis)
			continue;
		if (pm_cosem_obis_parse(pm_points[i].obis, o->ln))
			goto invalid;
		o->cls = &pm_cosem_point_register_class;
		o->arg = (uint32_t)i;
		dir->n++;
	}
	if (add_quantities(dir))
		goto invalid;
	add_tables(dir, tables_after, N_OF(tables_after));
	return 0;
invalid:
	pm_cosem_directory_free(dir);
	return -EINVAL;
}

void pm_cosem_directory_free(struct pm_cosem_directory *dir)
{
	free(dir->objects);
	dir->objects = NULL;
	dir->n = 0;
}

const struct pm_cosem_object *pm_cosem_directory_object(const struct pm_cosem_directory *dir,
							size_t i)
{
	return i < dir->n ? &dir->objects[i] : NULL;
}

/* The client a class's callbacks judge (cosem.h): a reader and an operator see what the
 * management client sees. */
static enum pm_dlms_client class_client(enum pm_dlms_client client)
{
	return client == PM_DLMS_CLIENT_READER || client == PM_DLMS_CLIENT_OPERATOR
		   ? PM_DLMS_CLIENT_MANAGEMENT
		   : client;
}

/* Whether @client may not write @o or invoke its methods, whatever the class allows the
 * management client: a reader writes nothing, an operator nothing that needs HLS. */
static bool writes_withheld(const struct pm_cosem_object *o, enum pm_dlms_client client)
{
	return client == PM_DLMS_CLIENT_READER ||
	       (client == PM_DLMS_CLIENT_OPERATOR && pm_cosem_needs_hls(o));
}

bool pm_cosem_directory_visible(const struct pm_cosem_object *o, enum pm_dlms_client client)
{
	return client != PM_DLMS_CLIENT_NONE && o->cls->visible(o, class_client(client));
}

enum pm_cosem_attr_access pm_cosem_directory_attr_access(const struct pm_cosem_object *o,
							 enum pm_dlms_client client, uint8_t attr)
{
	enum pm_cosem_attr_access a;

	if (attr < 1 || attr > o->cls->n_attrs || !pm_cosem_directory_visible(o, client))
		return PM_COSEM_NO_ACCESS;
	if (attr == 1)
		return PM_COSEM_READ;
	a = o->cls->attr_access(o, class_client(client), attr);
	return writes_withheld(o, client) ? (enum pm_cosem_attr_access)(a & PM_COSEM_READ) : a;
}

bool pm_cosem_directory_method_access(const struct pm_cosem_object *o, enum pm_dlms_client client,
				      uint8_t method)
{
	if (method < 1 || method > o->cls->n_methods || !o->cls->method_access || !o->cls->action ||
	    !pm_cosem_directory_visible(o, client) || writes_withheld(o, client))
		return false;
	return o->cls->method_access(o, class_client(client), method);
}

uint8_t pm_cosem_directory_selectors(const struct pm_cosem_object *o, uint8_t attr)
{
	if (attr < 2 || attr > o->cls->n_attrs || !o->cls->selectors)
		return 0;
	return o->cls->selectors(o, attr);
}

/* ---- struct pm_cosem_directory_ops ---- */

static enum pm_dlms_client client_of(const struct pm_cosem_request *req)
{
	return req->assoc ? req->assoc->client : PM_DLMS_CLIENT_NONE;
}

static const struct pm_cosem_object *dir_find(const void *d, const struct pm_cosem_request *req,
					      uint16_t class_id, const uint8_t ln[6])
{
	const struct pm_cosem_directory *dir = d;

	for (size_t i = 0; i < dir->n; i++)
		if (same(&dir->objects[i], class_id, ln))
			return pm_cosem_directory_visible(&dir->objects[i], client_of(req))
				   ? &dir->objects[i]
				   : NULL;
	return NULL;
}

/* A refusal leaves @out as it was (cosem.h). */
static enum pm_dlms_result restore(struct pm_axdr_out *out, size_t len, bool overflow,
				   enum pm_dlms_result r)
{
	if (r != PM_DLMS_SUCCESS && out) {
		out->len = len;
		out->overflow = overflow;
	}
	return r;
}

static enum pm_dlms_result dir_get(const void *d, const struct pm_cosem_request *req,
				   const struct pm_cosem_object *obj, uint8_t attr,
				   const struct pm_cosem_selector *sel, struct pm_axdr_out *out)
{
	const enum pm_dlms_client client = client_of(req);
	const size_t len = out->len;
	const bool overflow = out->overflow;

	if (attr < 1 || attr > obj->cls->n_attrs)
		return PM_DLMS_OBJECT_UNDEFINED;
	if (!(pm_cosem_directory_attr_access(obj, client, attr) & PM_COSEM_READ))
		return PM_DLMS_READ_WRITE_DENIED;
	if (sel && sel->selector &&
	    (sel->selector > 7 || !(pm_cosem_directory_selectors(obj, attr) >> sel->selector & 1)))
		return PM_DLMS_SCOPE_OF_ACCESS_VIOLATED;
	if (attr == 1) {
		pm_axdr_put_octet_string(out, obj->ln, 6);
		return PM_DLMS_SUCCESS;
	}
	/* the association's object list is the directory's, which a class does not see */
	if (obj->cls == &pm_cosem_association_class && attr == 2)
		return restore(out, len, overflow, pm_cosem_association_object_list(d, req, out));
	return restore(out, len, overflow, obj->cls->get(obj, req, attr, sel, out));
}

/* A write the association's security is not enough for (the object list shows the rights of
 * the client's strongest association). */
static bool hls_needed(const struct pm_cosem_request *req, const struct pm_cosem_object *obj)
{
	return req->assoc && req->assoc->lls_restricted && pm_cosem_needs_hls(obj);
}

static enum pm_dlms_result dir_set(const void *d, const struct pm_cosem_request *req,
				   const struct pm_cosem_object *obj, uint8_t attr,
				   const uint8_t *value, size_t len)
{
	(void)d;
	if (attr < 1 || attr > obj->cls->n_attrs)
		return PM_DLMS_OBJECT_UNDEFINED;
	if (!(pm_cosem_directory_attr_access(obj, client_of(req), attr) & PM_COSEM_WRITE) ||
	    !obj->cls->set || hls_needed(req, obj))
		return PM_DLMS_READ_WRITE_DENIED;
	return obj->cls->set(obj, req, attr, value, len);
}

static enum pm_dlms_result dir_action(const void *d, const struct pm_cosem_request *req,
				      const struct pm_cosem_object *obj, uint8_t method,
				      const uint8_t *param, size_t len, struct pm_axdr_out *out)
{
	const size_t out_len = out->len;
	const bool overflow = out->overflow;

	(void)d;
	if (method < 1 || method > obj->cls->n_methods)
		return PM_DLMS_OBJECT_UNDEFINED;
	if (!pm_cosem_directory_method_access(obj, client_of(req), method) || hls_needed(req, obj))
		return PM_DLMS_READ_WRITE_DENIED;
	return restore(out, out_len, overflow, obj->cls->action(obj, req, method, param, len, out));
}

const struct pm_cosem_directory_ops pm_cosem_directory_ops = {
    .find = dir_find,
    .get = dir_get,
    .set = dir_set,
    .action = dir_action,
};
