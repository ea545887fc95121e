/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * polymeterd's configuration: one INI file, /etc/polymeter/polymeterd.conf by default
 * (daemon/dist/polymeterd.conf.example documents every key).
 *
 *   [daemon]          log_interval, state_dir, dbus, dbus_interval_ms, clock_trust
 *   [mqtt]            the MQTT publisher (conf-mqtt.h, docs/mqtt.md), optional
 *   [meter NAME]      one section per meter IC; NAME is [A-Za-z0-9_], 1..31 characters (it
 *                     becomes a D-Bus object path element). source = iio | sim | replay, then the
 * keys of that source.
 *
 * The file is validated completely before anything takes effect: an unknown section or key, a
 * key given twice, a bad value, a key of the other source, a meter without a source, no meter
 * at all, are all errors. The error message names the file and the line
 * ("/etc/polymeter/polymeterd.conf:12: ...").
 */
#ifndef POLYMETER_CONF_H
#define POLYMETER_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/conf-mqtt.h"
#include "core/dlms/server.h"
#include "core/metrology/wall-clock.h"
#include "core/sts/sts-setup.h"
#include "supply/relay-config.h"

#define PM_CONF_MAX_METERS 64
/* The most client SAPs dlms_clients names (the two standard ones come on top). */
#define PM_CONF_DLMS_CLIENTS 8
#define PM_CONF_PHASES 3
#define PM_CONF_DEFAULT_PATH "/etc/polymeter/polymeterd.conf"
#define PM_CONF_DEFAULT_STATE_DIR "/var/lib/polymeter"

enum pm_conf_wiring { PM_WIRING_WYE, PM_WIRING_DELTA };
enum pm_conf_dbus { PM_DBUS_SYSTEM, PM_DBUS_SESSION, PM_DBUS_NONE };

/* How a meter's account is run at its first start (daemon/meter/billing.h). */
enum pm_conf_account_mode { PM_ACCOUNT_CREDIT, PM_ACCOUNT_PREPAYMENT, PM_ACCOUNT_PAYG };

enum pm_conf_source {
	PM_SOURCE_NONE,
	PM_SOURCE_IIO,	  /* a meter IC through libiio (local or remote iiod) */
	PM_SOURCE_SIM,	  /* a simulated grid */
	PM_SOURCE_REPLAY, /* scans recorded earlier (record = FILE), played back */
};

struct pm_conf_sim {
	int64_t v_mv[PM_CONF_PHASES]; /* rms voltage per phase */
	int64_t i_ma[PM_CONF_PHASES]; /* rms current per phase */
	int64_t
	    angle_mdeg[PM_CONF_PHASES]; /* current lags voltage by this angle; 180000 = export */
	int64_t f_mhz;			/* line frequency */
	uint32_t rate_hz;		/* scans per simulated second */
	uint32_t speed;			/* simulated seconds per real second (simulated clock) */
	uint32_t nj_per_code;		/* energy counter scale */
	/* the sensors' errors the chip's calibration corrects (default 0) */
	int64_t v_error_ppm[PM_CONF_PHASES]; /* voltage divider gain error */
	int64_t i_error_ppm[PM_CONF_PHASES]; /* current transformer gain error */
	int64_t i_noise_ma[PM_CONF_PHASES];  /* rms noise added to the current (offset) */
	/* A voltage dip on every phase, as the chip reports one (its dip events): from
	 * dip_every_s simulated seconds after the start, every dip_every_s, lasting dip_s, the
	 * voltage at dip_percent of v_mv. dip_every_s 0: the grid never dips. */
	uint32_t dip_every_s;
	uint32_t dip_s;
	uint32_t dip_percent;
};

/* How the iio source reads the meter (README, "Acquisition"). */
enum pm_conf_acquisition {
	PM_ACQ_AUTO,   /* the buffer when the device streams our scan elements, else direct */
	PM_ACQ_BUFFER, /* the driver's buffer: lifetime energy counters, every scan */
	PM_ACQ_DIRECT, /* polling the direct-read attributes (the mainline 6.18 ABI) */
};

/* The lines of the keys start-up checks further (check-config.c names them in its errors). */
struct pm_conf_key_lines {
	unsigned time_zone, tariff_file, record, replay_file, dlms_password_file;
	unsigned sts_decoder_key_file, dlms_key_file, dlms_clients;
	/* the account's amounts, checked against the tariff's currency */
	unsigned payg_debt_limit, emergency_credit, emergency_credit_threshold, low_credit;
};

struct pm_conf_meter {
	char name[32];
	unsigned line; /* of the [meter NAME] header */
	struct pm_conf_key_lines lines;
	enum pm_conf_source source;
	/* iio */
	char uri[256];		     /* libiio context URI: "local:" (default), "ip:host", ... */
	char device[64];	     /* IIO device label, name or id (default "ade9000") */
	uint32_t sampling_frequency; /* Hz, written to the device before streaming; 0 = keep */
	uint32_t buffer_scans;	     /* scans per libiio buffer (refill) */
	uint32_t stall_timeout_s;    /* no scan for this long = device lost */
	enum pm_conf_acquisition acquisition; /* how scans are read (source-iio-direct.h) */
	uint32_t poll_interval_ms;	      /* direct: the attributes are read this often */
	/* direct, mainline ABI: the line rms voltage and current at the ADC's full scale */
	int64_t full_scale_mv;
	int64_t full_scale_ma;
	/* sim */
	struct pm_conf_sim sim;
	/* any source */
	enum pm_conf_wiring wiring;	/* how the voltage inputs are wired */
	uint32_t checkpoint_wh;		/* checkpoint when a register grew by this much */
	uint32_t checkpoint_interval_s; /* ... or when this much time passed with any growth */
	uint32_t profile_period_min;	/* load profile period: 15 (default), 30 or 60 */
	uint32_t demand_period_min;	/* maximum demand window: 15 (default) or 30 */
	uint32_t demand_subintervals;	/* 1 (default): block; N: sliding in N steps */
	uint32_t modbus_tcp_port;	/* SunSpec map on this TCP port; 0 = none */
	uint32_t modbus_unit;		/* its unit id (and the Common model's DA) */
	bool modbus_sdm630;		/* also the SDM630-compatible input registers (FC 0x04) */
	char modbus_rtu_device[64];	/* Modbus RTU on this tty; "" = none */
	uint32_t modbus_rtu_baud;
	char modbus_rtu_parity; /* 'N', 'E', 'O' */
	uint32_t modbus_rtu_stop;
	bool modbus_rtu_rs485;	      /* ask for the kernel's RS-485 mode */
	struct pm_relay_config relay; /* supply-control GPIO lines (contactor_gpio, ...) */
	bool modbus_writes;	      /* Modbus writes enabled (default no: every write is refused
				       * with exception 01; yes: with 02 while no point is writable) */
	/* the account (docs/account.md): these seed a meter that has no stored account yet */
	char time_zone[64];    /* tzdata zone of the tariff's local time; "" = the system's */
	char tariff_file[256]; /* "" = no tariff */
	enum pm_conf_account_mode account_mode;
	bool account_kwh; /* account_unit = kwh: credit kept in kWh (meter/billing-energy.c) */
	int64_t payg_debt_limit_mu;
	int64_t emergency_credit_mu; /* 0 = no emergency credit */
	int64_t emergency_threshold_mu;
	int64_t low_credit_mu;
	uint32_t load_limit_w; /* 0 = off */
	bool reconnect_needs_confirmation;
	/* collect the charges that fell due while powered down (default no: manual §8.9) */
	bool power_down_catch_up;
	/* the STS decoder key's file (app/sts-key-file.h); "" = none */
	char sts_decoder_key_file[256];
	/* the setup that goes with that key (sts_supply_group_code, ...); has: any key given */
	bool has_sts_setup;
	struct sts_setup sts_setup;
	/* simulated clock (sim): the pipeline runs on simulated UTC, as fast as the CPU allows */
	int64_t sim_start_ns; /* UTC ns of the simulated clock's start; 0 = real clock */
	int64_t sim_end_ns;   /* the run stops there (UTC ns); 0 = never */
	/* recording (any source) and replay */
	char record[256];      /* every scan is written to this file; "" = none */
	char replay_file[256]; /* source = replay: the recording played back */
	bool replay_fast;      /* as fast as possible (default: at the recorded pace) */
	/* the Modbus TCP server's limits (daemon/views/modbus/modbus-tcp.h) */
	char modbus_tcp_address[64]; /* numeric IP to bind; "" = any (both families) */
	uint32_t modbus_tcp_max_conn;
	uint32_t modbus_tcp_idle_timeout_s;   /* no request answered for this long: closed */
	uint32_t modbus_tcp_header_timeout_s; /* a request not complete in this long: closed */
	/* the DLMS/COSEM server (daemon/views/dlms/dlms-tcp.h, docs/dlms.md) */
	uint32_t dlms_port;	/* the TCP wrapper on this port; 0 = none */
	char dlms_address[64];	/* numeric IP to bind; "" = any (both families) */
	uint32_t dlms_max_conn; /* simultaneous associations */
	uint32_t dlms_idle_timeout_s;
	uint32_t dlms_header_timeout_s;
	char dlms_password_file[256]; /* the management client's password; "" = no such client */
	char dlms_key_file[256];      /* its HLS-GMAC keys and titles; "" = no HLS */
	/* dlms_clients: client SAPs with their authentication and rights, beside or instead of
	 * the standard two (app/dlms-conf.h pm_conf_dlms_clients) */
	struct pm_dlms_client_rule dlms_clients[PM_CONF_DLMS_CLIENTS];
	/* each entry's own secrets beside it: "" none named (SAP 1 then uses
	 * dlms_password_file and dlms_key_file) */
	struct pm_conf_dlms_client_files {
		char password_file[256]; /* lls: its password */
		char key_file[256];	 /* hls: its keys and client system title */
	} dlms_client_files[PM_CONF_DLMS_CLIENTS];
	unsigned n_dlms_clients;
	/* DLMS over HDLC on a serial line (daemon/views/dlms/dlms-serial.h, docs/dlms.md) */
	char dlms_hdlc_device[64]; /* the tty; "" = none */
	uint32_t dlms_hdlc_baud;
	char dlms_hdlc_parity; /* 'N', 'E', 'O' */
	uint32_t dlms_hdlc_stop;
	bool dlms_hdlc_rs485;		 /* ask for the kernel's RS-485 mode */
	uint32_t dlms_hdlc_address;	 /* the physical (lower) HDLC address; 0 = 1-byte form */
	bool dlms_hdlc_mode_e;		 /* an optical port: IEC 62056-21 sign-on first */
	uint32_t dlms_hdlc_inactivity_s; /* a link without frames is disconnected */
	/* DLMS push to a head-end (daemon/views/dlms/dlms-push.h, docs/dlms.md "Push") */
	char dlms_push_destination[64]; /* "host:port", numeric; "" = no push */
	uint8_t dlms_push_schedules;	/* bit n: enum pm_dlms_push_schedule n */
	uint8_t dlms_push_events;	/* bit n: enum pm_dlms_push_event n */
	uint32_t dlms_push_window_s;	/* the start offset is drawn in 0 .. window - 1 s */
	uint32_t dlms_push_retry_base_s, dlms_push_retry_max_s;
};

struct pm_conf {
	uint32_t log_interval_s;   /* one log line per meter every this many seconds; 0 = never */
	char state_dir[256];	   /* the store's directory, or "none" (registers in memory only) */
	enum pm_conf_dbus dbus;	   /* where the D-Bus view is published */
	uint32_t dbus_interval_ms; /* PropertiesChanged at most this often per meter */
	enum pm_clock_trust clock_trust; /* when the wall clock is believed (docs/clock.md) */
	size_t n_meters;
	struct pm_conf_meter meter[PM_CONF_MAX_METERS];
	struct pm_conf_mqtt mqtt; /* [mqtt]: the MQTT publisher (conf-mqtt.h) */
};

/*
 * Parses and validates the file at path. On success fills *conf and returns 0: every field but
 * the meter slots from n_meters on, which are left as they were (nothing reads them). On error
 * returns a negative errno (-EINVAL for a bad file, -ENOENT etc. when it cannot be read),
 * writes "path:line: message" to err and leaves *conf untouched.
 */
int pm_conf_load(const char *path, struct pm_conf *conf, char *err, size_t errlen);

const char *pm_conf_source_name(enum pm_conf_source s);

#endif
