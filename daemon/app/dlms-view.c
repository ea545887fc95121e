// SPDX-License-Identifier: GPL-2.0-only
/* One meter's DLMS/COSEM view (dlms-view.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/dlms-clients.h"
#include "app/dlms-conf.h"
#include "app/dlms-view.h"
#include "common/log.h"
#include "views/dlms/dlms-meter-profiles.h"
#include "views/dlms/dlms-push.h"
#include "views/dlms/dlms-serial.h"
#include "views/dlms/dlms-tcp.h"
#include "views/net/stream-server.h"

struct pm_dlms_view {
	struct pm_dlms_meter meter;
	struct pm_dlms_meter_profiles profiles;
	struct pm_cosem_meter request; /* filled for each APDU */
	struct pm_dlms_server_config server;
	struct pm_dlms_clients clients; /* the server's rules, each with its own secrets */
	struct pm_dlms_tcp *tcp;
	struct pm_dlms_serial *serial; /* shared with the other meters on the line */
	struct pm_dlms_push *push;     /* NULL: no dlms_push_destination */
	struct pm_meter *pipe;	       /* whose events the push hears */
};

/* Security setup global_key_transfer: the new keys of client @sap for its next association on
 * (its rule then points to them; the current associations keep theirs). */
static enum pm_dlms_result transfer_keys(void *data, uint16_t sap,
					 const struct pm_cosem_wrapped_key *keys, size_t n)
{
	struct pm_dlms_view *v = data;

	return pm_dlms_clients_transfer(&v->clients, sap, keys, n);
}

static const struct pm_cosem_meter *meter_of_request(void *data)
{
	struct pm_dlms_view *v = data;

	pm_dlms_meter_get(&v->meter, &v->request);
	pm_dlms_meter_profiles_get(&v->profiles, &v->request);
	if (v->clients.has_title) {
		v->request.system_title = v->clients.title;
		v->request.transfer_keys = transfer_keys;
		v->request.security_data = v;
	}
	if (v->push) {
		v->request.push = pm_dlms_push_info(v->push);
		v->request.push_now = pm_dlms_push_now;
		v->request.push_data = v->push;
	}
	return &v->request;
}

static int64_t push_now_ns(void *data)
{
	struct pm_dlms_view *v = data;

	return pm_dlms_meter_now_ns(&v->meter);
}

/* Pushes go to the management client (wPort 1) under its keys, as its new associations would
 * be: they follow a key transfer of that client too. NULL: it has no HLS keys, pushes in clear. */
static const struct pm_dlms_security *push_security(void *data)
{
	struct pm_dlms_view *v = data;

	for (size_t i = 0; i < v->clients.n; i++)
		if (v->clients.rules[i].sap == PM_DLMS_PUSH_CLIENT_SAP)
			return v->clients.rules[i].security;
	return NULL;
}

/* How often the push looks at the meter's clock: once a second, or once a simulated second
 * on a simulated clock (at least 10 ms), so a push starts within a second of its offset. */
static uint64_t push_tick_usec(const struct pm_conf_meter *conf)
{
	uint64_t usec = 1000000;

	if (conf->source == PM_SOURCE_SIM && conf->sim.speed > 1)
		usec /= conf->sim.speed;
	return usec < 10000 ? 10000 : usec;
}

/* Pushes to dlms_push_destination (views/dlms/dlms-push.h), and hears the meter's events. */
static int start_push(struct pm_dlms_view *v, sd_event *event, const struct pm_conf_meter *conf,
		      const struct pm_cosem_directory *dir,
		      const struct pm_dlms_meter_config *meter)
{
	struct pm_dlms_push_config pc = {
	    .name = conf->name,
	    .time_zone = meter->time_zone,
	    .destination = conf->dlms_push_destination,
	    .schedules = conf->dlms_push_schedules,
	    .events = conf->dlms_push_events,
	    .window_s = conf->dlms_push_window_s,
	    .retry_base_s = conf->dlms_push_retry_base_s,
	    .retry_max_s = conf->dlms_push_retry_max_s,
	    .tick_usec = push_tick_usec(conf),
	    .store = meter->pipe ? pm_meter_store(meter->pipe) : NULL,
	    .ops = &pm_cosem_directory_ops,
	    .dir = dir,
	    .meter = meter_of_request,
	    .now_ns = push_now_ns,
	    .security = push_security,
	    .data = v,
	};
	int r;

	r = pm_dlms_push_parse_destination(conf->dlms_push_destination, &pc.dest);
	if (r < 0)
		return log_error_errno(r, "meter %s: dlms_push_destination %s", conf->name,
				       conf->dlms_push_destination);
	r = pm_dlms_push_new(event, &pc, &v->push);
	if (r < 0)
		return log_error_errno(r, "meter %s: DLMS push", conf->name);
	if (meter->pipe) {
		v->pipe = meter->pipe;
		pm_meter_set_event_listener(meter->pipe, pm_dlms_push_event, v->push);
	}
	log_info("meter %s: DLMS push to %s%s, window %u s, retries %u..%u s", conf->name,
		 conf->dlms_push_destination, push_security(v) ? " (ciphered)" : "",
		 conf->dlms_push_window_s, conf->dlms_push_retry_base_s,
		 conf->dlms_push_retry_max_s);
	return 0;
}

/* HDLC on dlms_hdlc_device: the line opened, or this meter a station on an earlier one. */
static int start_serial(struct pm_dlms_view *v, sd_event *event, const struct pm_conf_meter *conf,
			struct pm_dlms_serial *line)
{
	struct pm_dlms_serial_config scfg;
	const struct pm_dlms_station st = {
	    .lower = (uint16_t)conf->dlms_hdlc_address,
	    .address = conf->name,
	    .server = &v->server,
	    .meter = meter_of_request,
	    .data = v,
	};
	int r;

	pm_conf_dlms_serial(conf, &scfg);
	if (line) {
		r = pm_dlms_serial_add(line, &scfg, &st);
		if (r >= 0)
			v->serial = line;
	} else {
		r = pm_dlms_serial_new(event, &scfg, &st, &v->serial);
	}
	if (r < 0)
		return log_error_errno(r, "meter %s: cannot serve DLMS HDLC on %s", conf->name,
				       conf->dlms_hdlc_device);
	log_info("meter %s: DLMS/COSEM (HDLC) on %s, %u 8%c%u, physical address %u%s%s", conf->name,
		 conf->dlms_hdlc_device, conf->dlms_hdlc_baud, conf->dlms_hdlc_parity,
		 conf->dlms_hdlc_stop, conf->dlms_hdlc_address,
		 conf->dlms_hdlc_address ? "" : " (none: the 1-byte address)",
		 conf->dlms_hdlc_mode_e ? ", IEC 62056-21 mode E sign-on" : "");
	return 0;
}

int pm_dlms_view_new(sd_event *event, const struct pm_conf_meter *conf,
		     const struct pm_cosem_directory *dir, const struct pm_dlms_meter_config *meter,
		     struct pm_dlms_serial *line, struct pm_dlms_view **out)
{
	struct pm_stream_config tcfg;
	struct pm_dlms_view *v;
	char fdname[64];
	int r;

	*out = NULL;
	snprintf(fdname, sizeof(fdname), "dlms-%s", conf->name);
	pm_conf_dlms(conf, &tcfg);
	tcfg.listen_fd = pm_stream_activated_fd(fdname);
	if (tcfg.listen_fd < 0 && !conf->dlms_port && !conf->dlms_hdlc_device[0] &&
	    !conf->dlms_push_destination[0])
		return 0;
	v = calloc(1, sizeof(*v));
	if (!v)
		return log_error_errno(-ENOMEM, "meter %s: DLMS view", conf->name);
	r = pm_dlms_clients_start(&v->clients, conf, meter->name, meter->pipe);
	if (r < 0) {
		pm_dlms_view_free(v);
		return r;
	}
	pm_dlms_meter_init(&v->meter, meter);
	pm_dlms_meter_profiles_init(&v->profiles, &(struct pm_dlms_meter_profiles_config){
						      .name = meter->name,
						      .time_zone = meter->time_zone,
						      .pipe = meter->pipe,
						      .billing = meter->billing,
						      .profile_period_s = meter->measuring_period_s,
						      .account_changed = meter->account_changed,
						      .userdata = meter->userdata,
						  });
	v->server = (struct pm_dlms_server_config){
	    .ops = &pm_cosem_directory_ops,
	    .dir = dir,
	    /* every client's secrets are in its rule: none to fall back to */
	    .clients = v->clients.rules,
	    .n_clients = v->clients.n,
	};
	if (tcfg.listen_fd >= 0 || conf->dlms_port) {
		r = pm_dlms_tcp_new(event, &v->server, meter_of_request, v, &tcfg, &v->tcp);
		if (r < 0) {
			pm_dlms_view_free(v);
			return log_error_errno(r, "meter %s: cannot serve DLMS on port %u",
					       conf->name, conf->dlms_port);
		}
		log_info("meter %s: DLMS/COSEM (TCP wrapper) on port %d", conf->name,
			 pm_dlms_tcp_port(v->tcp));
	}
	if (conf->dlms_hdlc_device[0]) {
		r = start_serial(v, event, conf, line);
		if (r < 0) {
			pm_dlms_view_free(v);
			return r;
		}
	}
	if (conf->dlms_push_destination[0]) {
		r = start_push(v, event, conf, dir, meter);
		if (r < 0) {
			pm_dlms_view_free(v);
			return r;
		}
	}
	*out = v;
	return 0;
}

struct pm_dlms_serial *pm_dlms_view_serial(const struct pm_dlms_view *v)
{
	return v ? v->serial : NULL;
}

struct pm_dlms_view *pm_dlms_view_free(struct pm_dlms_view *v)
{
	if (v) {
		if (v->pipe)
			pm_meter_set_event_listener(v->pipe, NULL, NULL);
		pm_dlms_push_free(v->push);
		pm_dlms_tcp_free(v->tcp);
		pm_dlms_serial_release(v->serial, v);
		pm_dlms_clients_done(&v->clients);
		free(v);
	}
	return NULL;
}

int64_t pm_dlms_view_clock_offset_ns(const struct pm_dlms_view *v)
{
	return v ? pm_dlms_meter_clock_offset_ns(&v->meter) : 0;
}
