// SPDX-License-Identifier: GPL-2.0-only
/*
 * The MQTT view (mqtt.h): libmosquitto on the sd-event loop, the QoS 1 window over the store's
 * queues, the live topics. docs/mqtt.md describes topics, payloads and guarantees.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include <mosquitto.h>

#include "common/clock.h"
#include "common/log.h"
#include "core/model/model.h"
#include "views/mqtt/mqtt-discovery.h"
#include "views/mqtt/mqtt-payload.h"
#include "views/mqtt/mqtt.h"

#define HOUSEKEEPING_USEC 1000000ULL /* keepalive, backoff, backlog bound: once a second */

struct mqtt_meter {
	const char *name;
	struct pm_meter *pipe;
	struct pm_store_mqtt_cursor cur[PM_STORE_MQTT_STREAMS]; /* acknowledged, as stored */
	int64_t sent[PM_STORE_MQTT_STREAMS]; /* key of the newest row handed to the broker */
	bool dirty;			     /* cur differs from the store's */
	bool queued;			     /* the store has this meter's cursors */
	uint64_t live_seq;		     /* snapshot published last (0: none) */
	int64_t *last_value;		     /* values published last (live_values = changed) */
	bool *last_valid;
	bool have_last;
	struct pm_demand_peak demand[2][PM_DEMAND_MONTHS];
	bool have_demand;
};

/* A QoS 1 message sent and not yet acknowledged, in the order sent. */
struct inflight {
	int mid;
	uint16_t meter;
	uint8_t stream;
	bool acked;
	int64_t key;
};

struct pm_mqtt {
	sd_event *event;
	struct pm_conf_mqtt conf;
	struct pm_store *store;
	struct mosquitto *mosq;
	sd_event_source *io, *housekeeping, *live;
	bool connected;	       /* CONNACK accepted */
	bool lost;	       /* libmosquitto reported the connection gone */
	bool warned;	       /* a failed attempt was logged since the last connection */
	uint64_t connect_usec; /* CLOCK_MONOTONIC of the attempt, or when to try next */
	uint32_t backoff_ms;
	char password[256];
	char status_topic[256];
	struct mqtt_meter meter[PM_CONF_MAX_METERS];
	size_t n_meters, next_meter;
	struct inflight *win; /* ring of conf.inflight entries */
	size_t head, count;
};

static uint64_t mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

int pm_mqtt_read_password(const char *path, char *buf, size_t size, const char **why)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f) {
		*why = strerror(errno);
		return -errno;
	}
	if (!fgets(buf, (int)size, f)) {
		fclose(f);
		*why = "is empty";
		return -EINVAL;
	}
	fclose(f);
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	if (!n) {
		*why = "has an empty first line";
		return -EINVAL;
	}
	return 0;
}

static void topic(const struct pm_mqtt *m, const char *meter, const char *leaf, char *buf,
		  size_t size)
{
	snprintf(buf, size, "%s/%s/%s/%s", m->conf.prefix, m->conf.gateway_id, meter, leaf);
}

static void update_io(struct pm_mqtt *m)
{
	if (m->io && m->mosq)
		sd_event_source_set_io_events(
		    m->io, EPOLLIN | (mosquitto_want_write(m->mosq) ? EPOLLOUT : 0));
}

/* Publishes @j's text; QoS 0 or 1; returns the mid (> 0), 0 for QoS 0, or -1. */
static int publish(struct pm_mqtt *m, const char *t, struct pm_json *j, int qos, bool retain)
{
	size_t len;
	const char *text = pm_json_finish(j, &len);
	int mid = 0, rc;

	if (!text || len > INT32_MAX)
		return -1;
	rc = mosquitto_publish(m->mosq, &mid, t, (int)len, text, qos, retain);
	if (rc != MOSQ_ERR_SUCCESS) {
		m->lost = m->lost || rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST;
		return -1;
	}
	return qos ? mid : 0;
}

/* --- the store's queues ------------------------------------------------------------------ */

struct fetch {
	struct pm_mqtt *m;
	size_t meter;
	enum pm_store_mqtt_stream stream;
	int sent; /* messages handed over */
};

static bool window_full(const struct pm_mqtt *m)
{
	return m->count >= m->conf.inflight;
}

static int send_queued(struct fetch *f, int64_t key, struct pm_json *j)
{
	struct pm_mqtt *m = f->m;
	struct mqtt_meter *mt = &m->meter[f->meter];
	char t[256];
	int mid;

	topic(m, mt->name, pm_mqtt_stream_name(f->stream), t, sizeof(t));
	mid = publish(m, t, j, 1, false);
	pm_json_free(j);
	if (mid <= 0)
		return -EIO;
	m->win[(m->head + m->count) % m->conf.inflight] =
	    (struct inflight){mid, (uint16_t)f->meter, (uint8_t)f->stream, false, key};
	m->count++;
	mt->sent[f->stream] = key;
	f->sent++;
	return window_full(m) ? 1 : 0;
}

static int on_profile(void *ctx, const struct pm_store_profile *e)
{
	struct fetch *f = ctx;
	struct pm_json j;

	pm_json_init(&j);
	pm_mqtt_profile(&j, f->m->conf.gateway_id, f->m->meter[f->meter].name, e);
	return send_queued(f, e->end_ns, &j);
}

static int on_event(void *ctx, int64_t id, const struct pm_store_event *ev)
{
	struct fetch *f = ctx;
	struct pm_json j;

	pm_json_init(&j);
	pm_mqtt_event(&j, f->m->conf.gateway_id, f->m->meter[f->meter].name, id, ev);
	return send_queued(f, id, &j);
}

static int on_billing(void *ctx, const struct pm_store_billing *b)
{
	struct fetch *f = ctx;
	struct pm_json j;

	pm_json_init(&j);
	pm_mqtt_billing(&j, f->m->conf.gateway_id, f->m->meter[f->meter].name, b);
	return send_queued(f, b->utc_ns, &j);
}

/* Fills the window from the meters' queues, oldest first within each stream. */
static void pump(struct pm_mqtt *m)
{
	if (!m->connected || !m->store)
		return;
	for (size_t k = 0; k < m->n_meters && !window_full(m) && !m->lost; k++) {
		size_t i = (m->next_meter + k) % m->n_meters;
		struct mqtt_meter *mt = &m->meter[i];

		if (!mt->queued)
			continue;
		for (int s = 0; s < PM_STORE_MQTT_STREAMS && !window_full(m) && !m->lost; s++) {
			struct fetch f = {m, i, (enum pm_store_mqtt_stream)s, 0};
			const struct pm_store_range range = {
			    mt->sent[s] == INT64_MAX ? INT64_MAX : mt->sent[s] + 1, INT64_MAX, 0,
			    m->conf.inflight - m->count};

			switch ((enum pm_store_mqtt_stream)s) {
			case PM_STORE_MQTT_PROFILE:
				pm_store_profile_each(m->store, mt->name, &range, on_profile, &f);
				break;
			case PM_STORE_MQTT_EVENT:
				pm_store_events_after(m->store, mt->name, mt->sent[s], range.limit,
						      on_event, &f);
				break;
			case PM_STORE_MQTT_DAILY:
			case PM_STORE_MQTT_MONTHLY:
				pm_store_billing_each(m->store, mt->name,
						      s == PM_STORE_MQTT_DAILY
							  ? PM_STORE_BILLING_DAILY
							  : PM_STORE_BILLING_MONTHLY,
						      &range, on_billing, &f);
				break;
			case PM_STORE_MQTT_STREAMS:
				break;
			}
		}
	}
	m->next_meter = (m->next_meter + 1) % (m->n_meters ? m->n_meters : 1);
	update_io(m);
}

/* The cursors the acknowledgements moved, committed (one transaction per meter). */
static void save_cursors(struct pm_mqtt *m)
{
	for (size_t i = 0; i < m->n_meters; i++) {
		struct mqtt_meter *mt = &m->meter[i];
		int r;

		if (!mt->dirty)
			continue;
		r = pm_store_mqtt_save(m->store, mt->name, mt->cur);
		if (r < 0) {
			log_warning_errno(r, "mqtt: meter %s: cannot save the queue's place",
					  mt->name);
			continue; /* tried again at the next acknowledgement: resent, never lost */
		}
		mt->dirty = false;
	}
}

static void on_publish(struct mosquitto *mosq, void *userdata, int mid)
{
	struct pm_mqtt *m = userdata;

	(void)mosq;
	for (size_t k = 0; k < m->count; k++) {
		struct inflight *e = &m->win[(m->head + k) % m->conf.inflight];

		if (e->mid == mid)
			e->acked = true;
	}
	/* a stream's cursor moves only past a row whose every predecessor was acknowledged */
	while (m->count && m->win[m->head].acked) {
		struct inflight *e = &m->win[m->head];
		struct mqtt_meter *mt = &m->meter[e->meter];

		if (e->key > mt->cur[e->stream].last) {
			mt->cur[e->stream].last = e->key;
			mt->dirty = true;
		}
		m->head = (m->head + 1) % m->conf.inflight;
		m->count--;
	}
}

/* --- live topics ------------------------------------------------------------------------- */

static void publish_live(struct pm_mqtt *m, struct mqtt_meter *mt)
{
	const struct pm_snapshot *snap = pm_meter_snapshot(mt->pipe);
	const struct pm_meter_status *st = pm_meter_status(mt->pipe);
	bool changed = m->conf.live == PM_MQTT_LIVE_CHANGED && mt->have_last;
	struct pm_json j;
	char t[256];

	if (!snap->seq || snap->seq == mt->live_seq)
		return; /* no new sample since */
	mt->live_seq = snap->seq;
	pm_json_init(&j);
	if (pm_mqtt_live(&j, mt->name, pm_utc_now_ns(), snap, changed ? mt->last_value : NULL,
			 changed ? mt->last_valid : NULL)) {
		topic(m, mt->name, "live", t, sizeof(t));
		publish(m, t, &j, 0, false);
	}
	pm_json_free(&j);
	memcpy(mt->last_value, snap->value, pm_point_count * sizeof(*snap->value));
	memcpy(mt->last_valid, snap->valid, pm_point_count * sizeof(*snap->valid));
	mt->have_last = true;

	pm_json_init(&j);
	pm_mqtt_account(&j, mt->name, pm_utc_now_ns(), snap);
	topic(m, mt->name, "account", t, sizeof(t));
	publish(m, t, &j, 0, true);
	pm_json_free(&j);

	if (!mt->have_demand || memcmp(mt->demand[0], st->demand_import, sizeof(mt->demand[0])) ||
	    memcmp(mt->demand[1], st->demand_export, sizeof(mt->demand[1]))) {
		memcpy(mt->demand[0], st->demand_import, sizeof(mt->demand[0]));
		memcpy(mt->demand[1], st->demand_export, sizeof(mt->demand[1]));
		mt->have_demand = true;
		pm_json_init(&j);
		pm_mqtt_demand(&j, mt->name, pm_utc_now_ns(), st->demand_import, st->demand_export);
		topic(m, mt->name, "demand", t, sizeof(t));
		publish(m, t, &j, 1, true);
		pm_json_free(&j);
	}
}

static int on_live(sd_event_source *es, uint64_t usec, void *userdata)
{
	struct pm_mqtt *m = userdata;

	sd_event_source_set_time(es, usec + m->conf.live_interval_ms * 1000ULL);
	if (!m->connected)
		return 0;
	for (size_t i = 0; i < m->n_meters && !m->lost; i++)
		publish_live(m, &m->meter[i]);
	update_io(m);
	return 0;
}

/* --- the connection ------------------------------------------------------------------------ */

/* Home Assistant discovery: every meter's sensor configs, retained, at each connection. */
static void publish_discovery(struct pm_mqtt *m)
{
	for (size_t i = 0; i < m->n_meters; i++) {
		const struct pm_snapshot *snap = pm_meter_snapshot(m->meter[i].pipe);
		const struct pm_mqtt_ha_ctx c = {m->conf.ha_prefix, m->conf.prefix,
						 m->conf.gateway_id, m->meter[i].name,
						 snap->account.valid ? snap->account.currency : ""};

		for (size_t k = 0; k < pm_mqtt_ha_count(); k++) {
			struct pm_json j;
			char t[256];

			pm_json_init(&j);
			pm_mqtt_ha_config(&c, k, t, sizeof(t), &j);
			publish(m, t, &j, 1, true);
			pm_json_free(&j);
		}
	}
}

static void on_connect(struct mosquitto *mosq, void *userdata, int rc)
{
	struct pm_mqtt *m = userdata;

	(void)mosq;
	if (rc) {
		log_warning("mqtt: broker %s:%u refused the connection: %s", m->conf.broker,
			    m->conf.port, mosquitto_connack_string(rc));
		m->lost = true;
		return;
	}
	log_info("mqtt: connected to %s:%u as %s", m->conf.broker, m->conf.port, m->conf.client_id);
	m->connected = true;
	m->warned = false;
	m->backoff_ms = 0;
	mosquitto_publish(m->mosq, NULL, m->status_topic, 6, "online", 1, true);
	if (m->conf.homeassistant)
		publish_discovery(m);
	for (size_t i = 0; i < m->n_meters; i++) {
		m->meter[i].live_seq = 0;
		m->meter[i].have_last = false; /* a new connection gets every value once */
		m->meter[i].have_demand = false;
	}
}

static void on_disconnect(struct mosquitto *mosq, void *userdata, int rc)
{
	struct pm_mqtt *m = userdata;

	(void)mosq;
	(void)rc;
	m->lost = true;
}

static int on_io(sd_event_source *es, int fd, uint32_t revents, void *userdata);

/* Drops the connection: what was in flight is sent again from the cursors. */
static void drop(struct pm_mqtt *m, int rc)
{
	save_cursors(m);
	if (m->connected)
		log_warning("mqtt: connection to %s:%u lost", m->conf.broker, m->conf.port);
	else if (!m->warned)
		/* once until a connection succeeds: a broker down for a day logs one line */
		log_warning("mqtt: connection to %s:%u failed: %s (retrying)", m->conf.broker,
			    m->conf.port,
			    rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
	m->warned = !m->connected || m->warned;
	m->io = sd_event_source_disable_unref(m->io);
	if (m->mosq)
		mosquitto_destroy(m->mosq); /* no DISCONNECT: the broker publishes the will */
	m->mosq = NULL;
	m->connected = false;
	m->lost = false;
	m->head = m->count = 0;
	for (size_t i = 0; i < m->n_meters; i++)
		for (int s = 0; s < PM_STORE_MQTT_STREAMS; s++)
			m->meter[i].sent[s] = m->meter[i].cur[s].last;
	/* the next attempt: backoff doubling from reconnect_min_ms to reconnect_max_ms */
	m->backoff_ms = m->backoff_ms ? m->backoff_ms * 2 : m->conf.reconnect_min_ms;
	if (m->backoff_ms > m->conf.reconnect_max_ms)
		m->backoff_ms = m->conf.reconnect_max_ms;
	m->connect_usec = mono_usec() + m->backoff_ms * 1000ULL;
}

static int connect_broker(struct pm_mqtt *m)
{
	int rc, fd, r;

	m->mosq = mosquitto_new(m->conf.client_id, true, m);
	if (!m->mosq)
		return -ENOMEM;
	mosquitto_int_option(m->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	/* our window bounds what is in flight; libmosquitto sends each message at once */
	mosquitto_max_inflight_messages_set(m->mosq, 0);
	mosquitto_will_set(m->mosq, m->status_topic, 7, "offline", 1, true);
	mosquitto_connect_callback_set(m->mosq, on_connect);
	mosquitto_disconnect_callback_set(m->mosq, on_disconnect);
	mosquitto_publish_callback_set(m->mosq, on_publish);
	if (m->conf.username[0])
		mosquitto_username_pw_set(m->mosq, m->conf.username,
					  m->password[0] ? m->password : NULL);
	if (m->conf.ca_file[0]) {
		rc = mosquitto_tls_set(m->mosq, m->conf.ca_file, NULL,
				       m->conf.cert_file[0] ? m->conf.cert_file : NULL,
				       m->conf.key_file[0] ? m->conf.key_file : NULL, NULL);
		/* SSL_VERIFY_PEER, and the host name (our numeric address) checked too */
		if (rc == MOSQ_ERR_SUCCESS)
			rc = mosquitto_tls_opts_set(m->mosq, 1, NULL, NULL);
		if (rc != MOSQ_ERR_SUCCESS) {
			log_error("mqtt: TLS setup: %s", mosquitto_strerror(rc));
			return -EINVAL;
		}
	}
	m->connect_usec = mono_usec();
	/* a numeric address: getaddrinfo() answers without a lookup; the TCP connect and the
	 * TLS handshake go on in the loop (EINPROGRESS, then EPOLLOUT) */
	rc = mosquitto_connect_async(m->mosq, m->conf.broker, (int)m->conf.port,
				     (int)m->conf.keepalive_s);
	if (rc != MOSQ_ERR_SUCCESS) {
		return -ECONNREFUSED; /* drop() logs it */
	}
	fd = mosquitto_socket(m->mosq);
	if (fd < 0)
		return -ENOTCONN;
	r = sd_event_add_io(m->event, &m->io, fd, EPOLLIN, on_io, m);
	if (r < 0)
		return r;
	update_io(m);
	return 0;
}

static int on_io(sd_event_source *es, int fd, uint32_t revents, void *userdata)
{
	struct pm_mqtt *m = userdata;
	int rc = MOSQ_ERR_SUCCESS;

	(void)es;
	(void)fd;
	if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
		rc = mosquitto_loop_read(m->mosq, 1);
	if (rc == MOSQ_ERR_SUCCESS && (revents & EPOLLOUT))
		rc = mosquitto_loop_write(m->mosq, 1);
	if (rc != MOSQ_ERR_SUCCESS || m->lost) {
		drop(m, rc);
		return 0;
	}
	save_cursors(m);
	pump(m);
	if (m->lost)
		drop(m, MOSQ_ERR_CONN_LOST);
	else
		update_io(m);
	return 0;
}

/* Rows beyond backlog_max in a stream are dropped, the oldest first, with an event. */
static void bound_backlog(struct pm_mqtt *m, struct mqtt_meter *mt, int64_t now_ns)
{
	for (int s = 0; s < PM_STORE_MQTT_STREAMS; s++) {
		uint64_t n;
		int64_t key;
		char detail[96];

		if (pm_store_mqtt_pending(m->store, mt->name, s, mt->cur[s].last, &n) < 0 ||
		    n <= m->conf.backlog_max)
			continue;
		if (pm_store_mqtt_nth(m->store, mt->name, s, mt->cur[s].last,
				      n - m->conf.backlog_max, &key) < 0)
			continue;
		mt->cur[s].last = key;
		mt->cur[s].dropped += n - m->conf.backlog_max;
		if (mt->sent[s] < key)
			mt->sent[s] = key;
		mt->dirty = true;
		snprintf(detail, sizeof(detail), "stream=%s dropped=%" PRIu64 " total=%" PRIu64,
			 pm_mqtt_stream_name(s), n - m->conf.backlog_max, mt->cur[s].dropped);
		log_warning("mqtt: meter %s: backlog over %u, %s", mt->name, m->conf.backlog_max,
			    detail);
		save_cursors(m);
		pm_meter_event(mt->pipe, now_ns, "mqtt_backlog_dropped", detail);
	}
}

static int on_housekeeping(sd_event_source *es, uint64_t usec, void *userdata)
{
	struct pm_mqtt *m = userdata;
	uint64_t now = mono_usec();

	sd_event_source_set_time(es, usec + HOUSEKEEPING_USEC);
	if (m->store)
		for (size_t i = 0; i < m->n_meters; i++)
			if (m->meter[i].queued)
				bound_backlog(m, &m->meter[i], pm_utc_now_ns());
	if (m->mosq) {
		int rc = mosquitto_loop_misc(m->mosq); /* PINGREQ, keepalive timeout */

		if (m->lost || (m->connected && rc != MOSQ_ERR_SUCCESS) ||
		    (!m->connected && now - m->connect_usec > m->conf.keepalive_s * 1000000ULL)) {
			drop(m, m->connected ? rc : MOSQ_ERR_TIMEOUT);
			return 0;
		}
		pump(m);
		return 0;
	}
	if (now >= m->connect_usec && connect_broker(m) < 0)
		drop(m, MOSQ_ERR_NO_CONN);
	return 0;
}

/* --- life cycle ---------------------------------------------------------------------------- */

int pm_mqtt_new(sd_event *ev, const struct pm_conf_mqtt *conf, struct pm_store *store,
		struct pm_mqtt **out)
{
	struct pm_mqtt *m = calloc(1, sizeof(*m));
	const char *why;
	int r;

	if (!m)
		return -ENOMEM;
	m->event = sd_event_ref(ev);
	m->conf = *conf;
	m->store = store;
	m->win = calloc(conf->inflight, sizeof(*m->win));
	snprintf(m->status_topic, sizeof(m->status_topic), "%s/%s/status", conf->prefix,
		 conf->gateway_id);
	if (!m->win) {
		pm_mqtt_free(m);
		return -ENOMEM;
	}
	if (conf->password_file[0]) {
		r = pm_mqtt_read_password(conf->password_file, m->password, sizeof(m->password),
					  &why);
		if (r < 0) {
			log_error("mqtt: password_file %s %s", conf->password_file, why);
			pm_mqtt_free(m);
			return r;
		}
	}
	mosquitto_lib_init();
	*out = m;
	return 0;
}

int pm_mqtt_add_meter(struct pm_mqtt *m, const char *name, struct pm_meter *pipe)
{
	struct mqtt_meter *mt;
	int r;

	if (m->n_meters >= PM_CONF_MAX_METERS)
		return -E2BIG;
	mt = &m->meter[m->n_meters];
	mt->name = name;
	mt->pipe = pipe;
	mt->last_value = calloc(pm_point_count, sizeof(*mt->last_value));
	mt->last_valid = calloc(pm_point_count, sizeof(*mt->last_valid));
	if (!mt->last_value || !mt->last_valid)
		return -ENOMEM;
	m->n_meters++;
	if (!m->store)
		return 0;
	r = pm_store_mqtt_load(m->store, name, mt->cur);
	if (r == -ENOENT) {
		/* first start with MQTT: what the store held before is history, not a backlog */
		r = 0;
		for (int s = 0; s < PM_STORE_MQTT_STREAMS && !r; s++) {
			mt->cur[s].dropped = 0;
			r = pm_store_mqtt_newest(m->store, name, s, &mt->cur[s].last);
		}
		if (!r)
			r = pm_store_mqtt_save(m->store, name, mt->cur);
	}
	if (r < 0) {
		log_warning_errno(r, "mqtt: meter %s: no queue in the store; live values only",
				  name);
		return 0;
	}
	for (int s = 0; s < PM_STORE_MQTT_STREAMS; s++)
		mt->sent[s] = mt->cur[s].last;
	mt->queued = true;
	return 0;
}

int pm_mqtt_start(struct pm_mqtt *m)
{
	int r;

	r = sd_event_add_time_relative(m->event, &m->housekeeping, CLOCK_MONOTONIC, 0, 0,
				       on_housekeeping, m);
	if (r < 0)
		return r;
	sd_event_source_set_enabled(m->housekeeping, SD_EVENT_ON);
	if (m->conf.live_interval_ms) {
		r = sd_event_add_time_relative(m->event, &m->live, CLOCK_MONOTONIC,
					       m->conf.live_interval_ms * 1000ULL, 0, on_live, m);
		if (r < 0)
			return r;
		sd_event_source_set_enabled(m->live, SD_EVENT_ON);
	}
	log_info("mqtt: publishing to %s:%u under %s/%s%s", m->conf.broker, m->conf.port,
		 m->conf.prefix, m->conf.gateway_id, m->conf.ca_file[0] ? " (TLS)" : "");
	return 0;
}

void pm_mqtt_free(struct pm_mqtt *m)
{
	if (!m)
		return;
	if (m->store)
		save_cursors(m);
	m->io = sd_event_source_disable_unref(m->io);
	if (m->mosq)
		mosquitto_destroy(m->mosq);
	sd_event_source_disable_unref(m->housekeeping);
	sd_event_source_disable_unref(m->live);
	for (size_t i = 0; i < m->n_meters; i++) {
		free(m->meter[i].last_value);
		free(m->meter[i].last_valid);
	}
	explicit_bzero(m->password, sizeof(m->password));
	free(m->win);
	sd_event_unref(m->event);
	free(m);
	mosquitto_lib_cleanup();
}
