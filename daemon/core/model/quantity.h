/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The object model's quantities besides the measurement points (model.h): the account, credit,
 * tariff, supply and relay state, STS, payments, the event count and the snapshot's own
 * sequence and time. Each is described once, here: identifier, value kind, unit and scaler,
 * who may read and who may change it, where its value lies in the snapshot, and its binding in
 * each view (D-Bus property, Modbus vendor-model point, DLMS object and attribute). The views
 * (daemon/views/dbus/bus-account-props.c, daemon/core/proto/modbus-vendor.c, the coming DLMS
 * server) are generated from this table and read values through pm_quantity_value(): none of them
 * names an account value. docs/object-model.md explains the columns and how to add one.
 */
#ifndef POLYMETER_QUANTITY_H
#define POLYMETER_QUANTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model/model.h"

/* The D-Bus interface of the account's quantities (docs/dbus.md). */
#define PM_IFACE_ACCOUNT1 "org.polymeter.Account1"

/* What a value is; a view encodes each kind its own way (D-Bus "s" for a date, DLMS a date). */
enum pm_value_kind {
	PM_VALUE_INT,	 /* int64 x 10^scaler unit */
	PM_VALUE_BOOL,	 /* true/false */
	PM_VALUE_ENUM,	 /* a code with a name (enum_name) */
	PM_VALUE_STRING, /* text, "" when none */
	PM_VALUE_DATE,	 /* a civil date (struct pm_date), none = year 0 */
	PM_VALUE_RATIO,	 /* struct pm_ratio (a conversion factor), none = den 0 */
	PM_VALUE_TIME,	 /* UTC seconds since 1970 */
	PM_VALUE_ARRAY,	 /* records (struct pm_record), newest first */
	PM_VALUE_KIND_COUNT
};

/* Who may read or change a quantity (the bus policy daemon/dist/org.polymeter.Meter1.conf and
 * DLMS's public and management clients follow it). */
enum pm_who {
	PM_WHO_NOBODY,	/* (write) never changed from outside: the meter computes it */
	PM_WHO_ANYONE,	/* every client, the DLMS public client included */
	PM_WHO_DISPLAY, /* the meter's display (group polymeter-display), and the admins */
	PM_WHO_ADMIN,	/* root and polymeter-admin, the DLMS management client */
};

/* The part of the meter a quantity belongs to (docs, and which are the account's). */
enum pm_group {
	PM_GROUP_SNAPSHOT, /* the snapshot's sequence number and time */
	PM_GROUP_ACCOUNT,  /* money registers and mode */
	PM_GROUP_CREDIT,   /* emergency credit and the credit state */
	PM_GROUP_TARIFF,   /* the active and future tariff, rates, prices */
	PM_GROUP_SUPPLY,   /* contactor and auxiliary relay */
	PM_GROUP_STS,
	PM_GROUP_PAYMENTS,
	PM_GROUP_EVENTS,
	PM_GROUP_REGISTERS, /* energy per tariff rate */
	/* one register computed from quantities of the groups above, for a view that wants it
	 * in one read (the vendor model's debt total, credit state, rate count); D-Bus clients
	 * read the quantities it comes from */
	PM_GROUP_SUMMARY,
	PM_GROUP_SETTINGS, /* the account's settings (EC, debt recovery, load limit, ...) */
	PM_GROUP_COUNT
};

/* When a quantity has a value in a snapshot; otherwise a view publishes "none". */
enum pm_presence {
	PM_PRESENT_SNAPSHOT,	    /* whenever there is a snapshot */
	PM_PRESENT_EVENTS,	    /* the meter knows its event count (snap->has_events) */
	PM_PRESENT_ACCOUNT,	    /* the account is published (account.valid) */
	PM_PRESENT_ACCOUNT_OR_ZERO, /* with the account; 0 without a tariff */
	PM_PRESENT_TARIFF,	    /* the account has a tariff */
	PM_PRESENT_IMPORT_RATE,	    /* the tariff defines import rate .index + 1 */
	PM_PRESENT_EXPORT_RATE,	    /* the tariff prices export rate .index + 1 */
};

/* One field of an array's records. */
struct pm_record_field {
	const char *name;
	enum pm_value_kind kind; /* INT, TIME or ENUM */
	uint16_t off;		 /* in the record */
	const char *(*enum_name)(int code);
};

struct pm_record {
	uint16_t size;	    /* of one record */
	uint16_t count_off; /* int64 count of records in struct pm_snapshot */
	uint8_t n_fields;
	const struct pm_record_field *fields;
};

/* org.polymeter.Account1 (or another interface): property and signature. */
struct pm_dbus_binding {
	const char *iface; /* NULL: not on D-Bus */
	const char *dict;  /* NULL: a property; else a key of this a{sv} property */
	const char *name;  /* the property, or the key */
	const char *sig;
	int8_t bias; /* added to an integer (D-Bus counts rates and blocks from 0) */
};

/* Register types of the Modbus vendor model. */
enum pm_mb_kind {
	PM_MB_NONE,
	PM_MB_UINT16,
	PM_MB_ENUM16,
	PM_MB_UINT32,
	PM_MB_INT64,
};

/* A point of the vendor model PM_MB_VENDOR_ID (docs/modbus-map.md). */
struct pm_modbus_binding {
	uint16_t offset; /* from the model's ID register; 0: not in the vendor model */
	enum pm_mb_kind type;
	int8_t scale;	  /* the register counts 10^scale unit: value x 10^(scaler - scale) */
	bool skip_ni;	  /* a uint32 counter rolls over modulo 2^32 - 1 (never "not impl.") */
	const char *name; /* point name */
	const char *unit; /* as the map document writes it ("mill", "ms") */
};

/* A COSEM object attribute (IEC 62056-6-2), and the element of a structure attribute. */
struct pm_dlms_binding {
	const char *obis; /* NULL: not published over DLMS */
	uint16_t class_id;
	uint8_t attr;
	uint8_t element; /* 0: the whole attribute; n: the nth element of its structure */
};

/*
 * A setting's field in struct account_config (core/billing/account.h), which a view's configure
 * method (D-Bus Configure, DLMS SET) writes; size 0 when writing it takes a rule of its own
 * (emergency credit: the amount and on/off; friendly periods: a list by weekday).
 */
struct pm_setting_field {
	uint16_t off;
	uint8_t size;
};

struct pm_quantity {
	const char *id; /* stable, dotted: "account.balance" */
	enum pm_group group;
	enum pm_value_kind kind;
	enum pm_unit unit;
	int8_t scaler; /* value = integer x 10^scaler unit (money: pm_quantity_scaler) */
	enum pm_who read, write;
	/* writing it moves the supply, the tariff or money: on a meter with HLS-GMAC keys a DLMS
	 * association with low-level security may not (docs/dlms.md, Associations and rights) */
	bool needs_hls;
	const char *desc;
	/* the value in struct pm_snapshot (account fields at offsetof(.., account.x)) */
	uint16_t off, size;
	enum pm_presence presence;
	uint8_t index; /* the rate of PM_PRESENT_*_RATE */
	const char *(*enum_name)(int code);
	const struct pm_record *record; /* PM_VALUE_ARRAY */
	struct pm_setting_field setting;
	struct pm_dbus_binding dbus;
	struct pm_modbus_binding modbus;
	struct pm_dlms_binding dlms;
};

extern const struct pm_quantity pm_quantities[];
extern const size_t pm_quantity_count;

/* Index of the quantity with this id, or -1. */
int pm_quantity_find(const char *id);

/* A quantity's value in one snapshot. */
struct pm_value {
	enum pm_value_kind kind;
	bool valid;	     /* false: no value in this snapshot (see enum pm_presence) */
	int64_t i;	     /* INT, TIME, BOOL (0/1), ENUM (its code), RATIO (numerator) */
	int64_t den;	     /* RATIO */
	const char *s;	     /* STRING (into the snapshot), ENUM (its name) */
	struct pm_date date; /* DATE */
	const void *records; /* ARRAY: n records of q->record->size bytes */
	size_t n;
};

/* The value of quantity @q in @snap (NULL: no snapshot, nothing valid). */
void pm_quantity_value(const struct pm_snapshot *snap, size_t q, struct pm_value *v);
/*
 * The scaler of quantity @q's integer in @snap: value x 10^scaler unit. Money (a currency, or a
 * currency per kWh) counts mu, 1/1000 of the minor unit of the tariff's currency, so its scaler
 * is -(minor_units + 3): -3 for JPY (0 minor digits), -5 for GBP (2), -6 for BHD (3); 2 minor
 * digits when @snap has no valid account. Every other quantity: its row's scaler.
 */
int pm_quantity_scaler(const struct pm_snapshot *snap, size_t q);
/* Field @f of record @k of an array value. */
void pm_record_value(const struct pm_value *array, const struct pm_record *rec, size_t k, size_t f,
		     struct pm_value *v);

/*
 * A value as text, in the manner of snprintf: INT, TIME and ENUM codes in decimal, BOOL 0/1,
 * a DATE "YYYY-MM-DD", a RATIO as a decimal ("0.5") when den is a power of ten, else "n/d",
 * "" for an invalid DATE, RATIO or STRING. An ENUM gives its name, an ARRAY its count.
 */
int pm_value_text(const struct pm_value *v, char *buf, size_t size);

/* The vocabularies of the enumerated quantities (the names D-Bus publishes). */
const char *pm_mode_name(int mode);
const char *pm_ec_state_name(int state);
const char *pm_supply_state_name(int state);
const char *pm_credit_state_name(int state);
const char *pm_supply_reason_name(int reason);
const char *pm_payment_method_name(int method);
const char *pm_debt_collection_name(int collection);
const char *pm_debt_in_ec_name(int rule);

const char *pm_value_kind_name(enum pm_value_kind kind);
const char *pm_who_name(enum pm_who who);
const char *pm_group_name(enum pm_group group);

#endif
