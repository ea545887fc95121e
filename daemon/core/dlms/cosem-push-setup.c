// SPDX-License-Identifier: GPL-2.0-only
/* Push setup (class 40, version 0): the meter's pushes and what each carries (push-setup.h). */
#include <string.h>

#include "core/dlms/cosem-meter.h"
#include "core/dlms/cosem-objects.h"
#include "core/dlms/push-setup.h"

enum {
	PUSH_OBJECT_LIST = 2,
	SEND_DESTINATION_AND_METHOD = 3,
	COMMUNICATION_WINDOW = 4,
	RANDOMISATION_START_INTERVAL = 5,
	NUMBER_OF_RETRIES = 6,
	REPETITION_DELAY = 7,
};

#define PUSH 1
#define TRANSPORT_TCP 0
#define MESSAGE_AXDR_APDU 0
/* number_of_retries: the meter retries until the push is taken; 255 is the most it can say */
#define RETRIES_UNTIL_DELIVERED 255
#define U16_MAX 65535u

#define SETUP_LN(e)                                                                                \
	{                                                                                          \
		0, 0, 25, 9, e, 255                                                                \
	}
#define SELF(e)                                                                                    \
	{                                                                                          \
		40, SETUP_LN(e), 1, 0                                                              \
	}
#define SERIAL                                                                                     \
	{                                                                                          \
		1, {0, 0, 96, 1, 0, 255}, 2, 0                                                     \
	}
#define CLOCK                                                                                      \
	{                                                                                          \
		8, {0, 0, 1, 0, 0, 255}, 2, 0                                                      \
	}
#define IMPORT                                                                                     \
	{                                                                                          \
		3, {1, 0, 1, 8, 0, 255}, 2, 0                                                      \
	}
#define EXPORT                                                                                     \
	{                                                                                          \
		3, {1, 0, 2, 8, 0, 255}, 2, 0                                                      \
	}

static const struct pm_push_object scheduled[] = {SELF(0), SERIAL, CLOCK, IMPORT, EXPORT};
static const struct pm_push_object billing[] = {
    SELF(1),
    SERIAL,
    CLOCK,
    IMPORT,
    EXPORT,
    /* the billing values: the last billing period's maximum demand (F = 101) */
    {4, {1, 0, 1, 6, 0, 101}, 2, 0},
    {4, {1, 0, 1, 6, 0, 101}, 5, 0},
    {4, {1, 0, 2, 6, 0, 101}, 2, 0},
    {4, {1, 0, 2, 6, 0, 101}, 5, 0},
};
static const struct pm_push_object power[] = {SELF(2), SERIAL, CLOCK};
static const struct pm_push_object supply[] = {
    SELF(3), SERIAL, CLOCK, {70, {0, 0, 96, 3, 10, 255}, 3, 0}};
static const struct pm_push_object low_credit[] = {
    SELF(4), SERIAL, CLOCK, {111, {0, 0, 19, 0, 0, 255}, 5, 0}};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const struct pm_push_object *list;
	size_t n;
} lists[PM_PUSH_SETUPS] = {
    [PM_PUSH_SCHEDULED] = {scheduled, N_OF(scheduled)},
    [PM_PUSH_BILLING] = {billing, N_OF(billing)},
    [PM_PUSH_POWER] = {power, N_OF(power)},
    [PM_PUSH_SUPPLY] = {supply, N_OF(supply)},
    [PM_PUSH_LOW_CREDIT] = {low_credit, N_OF(low_credit)},
};

const struct pm_push_object *pm_push_object_list(enum pm_push_setup setup, size_t *n)
{
	*n = lists[setup].n;
	return lists[setup].list;
}

void pm_push_setup_ln(enum pm_push_setup setup, uint8_t ln[6])
{
	const uint8_t base[6] = SETUP_LN(0);

	memcpy(ln, base, 6);
	ln[4] = (uint8_t)setup;
}

enum pm_dlms_result pm_push_body(const struct pm_cosem_directory_ops *ops, const void *dir,
				 const struct pm_cosem_request *req, enum pm_push_setup setup,
				 struct pm_axdr_out *out)
{
	size_t n;
	const struct pm_push_object *list = pm_push_object_list(setup, &n);
	const struct pm_cosem_selector none = {0};

	pm_axdr_put_structure(out, n);
	for (size_t i = 0; i < n; i++) {
		const struct pm_cosem_object *o = ops->find(dir, req, list[i].class_id, list[i].ln);

		if (!o || list[i].attr < 1 ||
		    ops->get(dir, req, o, (uint8_t)list[i].attr, &none, out) != PM_DLMS_SUCCESS)
			pm_axdr_put_null(out);
	}
	return out->overflow ? PM_DLMS_OTHER_REASON : PM_DLMS_SUCCESS;
}

static uint16_t at_most_u16(uint32_t v)
{
	return (uint16_t)(v < U16_MAX ? v : U16_MAX);
}

static enum pm_dlms_result push_setup_get(const struct pm_cosem_object *o,
					  const struct pm_cosem_request *req, uint8_t attr,
					  const struct pm_cosem_selector *sel,
					  struct pm_axdr_out *out)
{
	const struct pm_cosem_push_info *info = req->meter ? req->meter->push : NULL;
	const char *dest = info && info->destination ? info->destination : "";
	size_t n;
	const struct pm_push_object *list = pm_push_object_list(o->arg, &n);

	(void)sel;
	switch (attr) {
	case PUSH_OBJECT_LIST:
		pm_axdr_put_array(out, n);
		for (size_t i = 0; i < n; i++) {
			pm_axdr_put_structure(out, 4);
			pm_axdr_put_u16(out, list[i].class_id);
			pm_axdr_put_octet_string(out, list[i].ln, 6);
			pm_axdr_put_i8(out, list[i].attr);
			pm_axdr_put_u16(out, list[i].data_index);
		}
		return PM_DLMS_SUCCESS;
	case SEND_DESTINATION_AND_METHOD:
		pm_axdr_put_structure(out, 3);
		pm_axdr_put_enum(out, TRANSPORT_TCP);
		pm_axdr_put_octet_string(out, dest, strlen(dest));
		pm_axdr_put_enum(out, MESSAGE_AXDR_APDU);
		return PM_DLMS_SUCCESS;
	case COMMUNICATION_WINDOW:
		pm_axdr_put_array(out, 0);
		return PM_DLMS_SUCCESS;
	case RANDOMISATION_START_INTERVAL:
		pm_axdr_put_u16(out, at_most_u16(info ? info->window_s : 0));
		return PM_DLMS_SUCCESS;
	case NUMBER_OF_RETRIES:
		pm_axdr_put_u8(out, RETRIES_UNTIL_DELIVERED);
		return PM_DLMS_SUCCESS;
	case REPETITION_DELAY:
		pm_axdr_put_u16(out, at_most_u16(info ? info->retry_base_s : 0));
		return PM_DLMS_SUCCESS;
	default:
		return PM_DLMS_OBJECT_UNDEFINED;
	}
}

static enum pm_dlms_result push_setup_action(const struct pm_cosem_object *o,
					     const struct pm_cosem_request *req, uint8_t method,
					     const uint8_t *param, size_t len,
					     struct pm_axdr_out *out)
{
	const struct pm_cosem_meter *m = req->meter;
	struct pm_axdr_in in;
	int64_t v;

	(void)out;
	if (method != PUSH)
		return PM_DLMS_OBJECT_UNDEFINED;
	/* push (data): data is integer 0 */
	if (!param || !len)
		return PM_DLMS_TYPE_UNMATCHED;
	pm_axdr_in_init(&in, param, len);
	if (pm_axdr_expect_int(&in, 0, 0, &v) || pm_axdr_in_left(&in))
		return PM_DLMS_TYPE_UNMATCHED;
	if (!m || !m->push_now)
		return PM_DLMS_TEMPORARY_FAILURE;
	return m->push_now(m->push_data, o->arg);
}

const struct pm_cosem_class pm_cosem_push_setup_class = {
    .class_id = 40,
    .version = 0,
    .n_attrs = 7,
    .n_methods = 1,
    .visible = pm_cosem_visible_to_management,
    .attr_access = pm_cosem_read_by_all,
    .method_access = pm_cosem_methods_by_management,
    .selectors = pm_cosem_no_selectors,
    .get = push_setup_get,
    .action = push_setup_action,
};

static const struct pm_cosem_object objects[] = {
    {SETUP_LN(0), &pm_cosem_push_setup_class, PM_PUSH_SCHEDULED},
    {SETUP_LN(1), &pm_cosem_push_setup_class, PM_PUSH_BILLING},
    {SETUP_LN(2), &pm_cosem_push_setup_class, PM_PUSH_POWER},
    {SETUP_LN(3), &pm_cosem_push_setup_class, PM_PUSH_SUPPLY},
    {SETUP_LN(4), &pm_cosem_push_setup_class, PM_PUSH_LOW_CREDIT},
};

const struct pm_cosem_table pm_cosem_push_setup_table = PM_COSEM_TABLE(objects);
