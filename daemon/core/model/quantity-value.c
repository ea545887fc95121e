// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading a quantity's value out of a snapshot, its text, and the vocabularies of the
 * enumerated quantities (see quantity.h). One reader for every view: a view never reaches
 * into struct pm_snapshot_account itself.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/billing/civil-time.h"
#include "core/model/quantity.h"

static const char *name_of(const char *const *names, size_t n, int code)
{
	return code >= 0 && (size_t)code < n && names[code] ? names[code] : "unknown";
}

#define NAMES(table) table, sizeof(table) / sizeof(table[0])

/* The names polymeterd has always published on D-Bus (docs/dbus.md, "Account"). */
const char *pm_mode_name(int mode)
{
	static const char *const names[] = {[ACCOUNT_MODE_CREDIT] = "credit",
					    [ACCOUNT_MODE_PREPAYMENT] = "prepayment",
					    [ACCOUNT_MODE_PAYG] = "payg"};

	return name_of(NAMES(names), mode);
}

const char *pm_ec_state_name(int state)
{
	static const char *const names[] = {[ACCOUNT_EC_NONE] = "none",
					    [ACCOUNT_EC_AVAILABLE] = "available",
					    [ACCOUNT_EC_IN_USE] = "in_use",
					    [ACCOUNT_EC_EXHAUSTED] = "exhausted"};

	return name_of(NAMES(names), state);
}

const char *pm_supply_state_name(int state)
{
	static const char *const names[] = {
	    [PM_SUPPLY_OPEN] = "open", [PM_SUPPLY_CLOSED] = "closed", [PM_SUPPLY_ARMED] = "armed"};

	return name_of(NAMES(names), state);
}

const char *pm_credit_state_name(int state)
{
	static const char *const names[] = {
	    [PM_CREDIT_OK] = "in_credit",	 [PM_CREDIT_EC_AVAILABLE] = "ec_available",
	    [PM_CREDIT_EC_IN_USE] = "ec_in_use", [PM_CREDIT_EC_EXHAUSTED] = "ec_exhausted",
	    [PM_CREDIT_OUT] = "out_of_credit",
	};

	return name_of(NAMES(names), state);
}

const char *pm_supply_reason_name(int reason)
{
	return account_reason_name((enum account_reason)reason);
}

const char *pm_payment_method_name(int method)
{
	static const char *const names[] = {[ACCOUNT_PAYMENT_TOKEN] = "token",
					    [ACCOUNT_PAYMENT_REMOTE] = "remote",
					    [ACCOUNT_PAYMENT_LOCAL] = "local",
					    [ACCOUNT_PAYMENT_DLMS] = "dlms"};

	return name_of(NAMES(names), method);
}

const char *pm_debt_collection_name(int collection)
{
	static const char *const names[] = {[ACCOUNT_DEBT_COLLECT_ALWAYS] = "always",
					    [ACCOUNT_DEBT_HALT_OUT_OF_CREDIT] =
						"halt_out_of_credit"};

	return name_of(NAMES(names), collection);
}

const char *pm_debt_in_ec_name(int rule)
{
	static const char *const names[] = {[ACCOUNT_DEBT_EC_REDUCE_EC] = "reduce",
					    [ACCOUNT_DEBT_EC_KEEP_EC] = "keep",
					    [ACCOUNT_DEBT_EC_SUSPEND] = "suspend"};

	return name_of(NAMES(names), rule);
}

const char *pm_value_kind_name(enum pm_value_kind kind)
{
	static const char *const names[PM_VALUE_KIND_COUNT] = {
	    [PM_VALUE_INT] = "integer",	  [PM_VALUE_BOOL] = "bool",   [PM_VALUE_ENUM] = "enum",
	    [PM_VALUE_STRING] = "string", [PM_VALUE_DATE] = "date",   [PM_VALUE_RATIO] = "ratio",
	    [PM_VALUE_TIME] = "time",	  [PM_VALUE_ARRAY] = "array",
	};

	return name_of(NAMES(names), (int)kind);
}

const char *pm_who_name(enum pm_who who)
{
	static const char *const names[] = {[PM_WHO_NOBODY] = "nobody",
					    [PM_WHO_ANYONE] = "anyone",
					    [PM_WHO_DISPLAY] = "display",
					    [PM_WHO_ADMIN] = "admin"};

	return name_of(NAMES(names), (int)who);
}

const char *pm_group_name(enum pm_group group)
{
	static const char *const names[PM_GROUP_COUNT] = {
	    [PM_GROUP_SNAPSHOT] = "snapshot",	[PM_GROUP_ACCOUNT] = "account",
	    [PM_GROUP_CREDIT] = "credit",	[PM_GROUP_TARIFF] = "tariff",
	    [PM_GROUP_SUPPLY] = "supply",	[PM_GROUP_STS] = "sts",
	    [PM_GROUP_PAYMENTS] = "payments",	[PM_GROUP_EVENTS] = "events",
	    [PM_GROUP_REGISTERS] = "registers", [PM_GROUP_SUMMARY] = "summary",
	    [PM_GROUP_SETTINGS] = "settings",
	};

	return name_of(NAMES(names), (int)group);
}

static bool present(const struct pm_snapshot *snap, const struct pm_quantity *q)
{
	const struct pm_snapshot_account *a = &snap->account;

	switch (q->presence) {
	case PM_PRESENT_SNAPSHOT:
		return true;
	case PM_PRESENT_EVENTS:
		return snap->has_events;
	case PM_PRESENT_ACCOUNT:
	case PM_PRESENT_ACCOUNT_OR_ZERO:
		return a->valid;
	case PM_PRESENT_TARIFF:
		return a->valid && a->has_tariff;
	case PM_PRESENT_IMPORT_RATE:
		return a->valid && a->has_tariff && q->index < a->n_rates;
	case PM_PRESENT_EXPORT_RATE:
		return a->valid && a->has_tariff && q->index < a->n_export_rates;
	}
	return false;
}

static int64_t read_int(const void *p)
{
	int64_t x;

	memcpy(&x, p, sizeof(x));
	return x;
}

static int read_enum(const void *p)
{
	int x;

	memcpy(&x, p, sizeof(x));
	return x;
}

/* One field (of the snapshot or of a record) of @kind at @p into @v. */
static void read_field(const char *p, enum pm_value_kind kind, const char *(*enum_name)(int),
		       struct pm_value *v)
{
	switch (kind) {
	case PM_VALUE_INT:
	case PM_VALUE_TIME:
		v->i = read_int(p);
		break;
	case PM_VALUE_BOOL:
		v->i = *(const bool *)p;
		break;
	case PM_VALUE_ENUM:
		v->i = read_enum(p);
		v->s = enum_name ? enum_name((int)v->i) : "unknown";
		break;
	case PM_VALUE_STRING:
		v->s = p;
		break;
	case PM_VALUE_DATE:
		memcpy(&v->date, p, sizeof(v->date));
		break;
	case PM_VALUE_RATIO: {
		struct pm_ratio r;

		memcpy(&r, p, sizeof(r));
		v->i = r.num;
		v->den = r.den;
		break;
	}
	case PM_VALUE_ARRAY:
	case PM_VALUE_KIND_COUNT:
		break;
	}
}

void pm_quantity_value(const struct pm_snapshot *snap, size_t qi, struct pm_value *v)
{
	const struct pm_quantity *q = &pm_quantities[qi];
	const char *base = (const char *)snap;

	memset(v, 0, sizeof(*v));
	v->kind = q->kind;
	v->s = q->kind == PM_VALUE_STRING ? "" : NULL;
	if (!snap || !present(snap, q)) {
		if (q->kind == PM_VALUE_ENUM)
			v->s = "unknown";
		return;
	}
	v->valid = true;
	if (q->presence == PM_PRESENT_ACCOUNT_OR_ZERO && !snap->account.has_tariff)
		return; /* 0 */
	if (q->kind == PM_VALUE_ARRAY) {
		int64_t n = read_int(base + q->record->count_off);

		v->records = base + q->off;
		v->n = n < 0 ? 0 : (size_t)n;
		if (v->n > q->size / q->record->size)
			v->n = q->size / q->record->size;
		return;
	}
	read_field(base + q->off, q->kind, q->enum_name, v);
}

/* mu per minor unit: 10^3 (account.h ACCOUNT_MU_PER_MINOR) */
#define MU_DIGITS 3
/* the tariff file's range of minor digits (tariff-file.c, billing-record.c) */
#define MINOR_DIGITS_MAX 4
#define MINOR_DIGITS_DEFAULT 2

int pm_quantity_scaler(const struct pm_snapshot *snap, size_t qi)
{
	const struct pm_quantity *q = &pm_quantities[qi];
	int64_t minor = MINOR_DIGITS_DEFAULT;

	if (q->unit != PM_UNIT_CURRENCY && q->unit != PM_UNIT_CURRENCY_PER_KWH)
		return q->scaler;
	if (snap && snap->account.valid && snap->account.minor_units >= 0 &&
	    snap->account.minor_units <= MINOR_DIGITS_MAX)
		minor = snap->account.minor_units;
	return -(int)(minor + MU_DIGITS);
}

void pm_record_value(const struct pm_value *array, const struct pm_record *rec, size_t k, size_t f,
		     struct pm_value *v)
{
	const struct pm_record_field *fd = &rec->fields[f];

	memset(v, 0, sizeof(*v));
	v->kind = fd->kind;
	v->valid = true;
	read_field((const char *)array->records + k * rec->size + fd->off, fd->kind, fd->enum_name,
		   v);
}

/* num / den as a decimal ("0.5") when den is a power of ten (it is, from a decimal factor). */
static int format_ratio(char *buf, size_t size, int64_t num, int64_t den)
{
	char text[48];
	int64_t p = 1, frac = num % den;
	int n;

	while (p < den && p < INT64_C(1000000000000000000))
		p *= 10;
	if (p != den || num < 0)
		return snprintf(buf, size, "%" PRId64 "/%" PRId64, num, den);
	n = snprintf(text, sizeof(text), "%" PRId64, num / den);
	if (den > 1 && n > 0 && n < 20)
		text[n++] = '.';
	for (p = den / 10; p > 0 && n > 0 && n < 47; p /= 10) /* leading zeros kept */
		text[n++] = (char)('0' + frac / p % 10);
	if (n > 0)
		text[n] = '\0';
	return snprintf(buf, size, "%s", text);
}

int pm_value_text(const struct pm_value *v, char *buf, size_t size)
{
	char date[24];

	switch (v->kind) {
	case PM_VALUE_INT:
	case PM_VALUE_TIME:
	case PM_VALUE_BOOL:
		return snprintf(buf, size, "%" PRId64, v->i);
	case PM_VALUE_ENUM:
	case PM_VALUE_STRING:
		return snprintf(buf, size, "%s", v->s ? v->s : "");
	case PM_VALUE_DATE:
		if (!v->valid || !v->date.year)
			return snprintf(buf, size, "%s", "");
		return snprintf(buf, size, "%s",
				pm_civil_format_date(v->date.year, v->date.month, v->date.day, date,
						     sizeof(date)));
	case PM_VALUE_RATIO:
		if (!v->valid || v->den <= 0)
			return snprintf(buf, size, "%s", "");
		return format_ratio(buf, size, v->i, v->den);
	case PM_VALUE_ARRAY:
		return snprintf(buf, size, "%zu", v->n);
	case PM_VALUE_KIND_COUNT:
		break;
	}
	return snprintf(buf, size, "%s", "");
}
