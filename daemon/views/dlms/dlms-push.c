// SPDX-License-Identifier: GPL-2.0-only
/* The DLMS view's pushes (see dlms-push.h). */
#include <errno.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/log.h"
#include "core/billing/civil-time.h"
#include "core/dlms/cosem-time.h"
#include "core/dlms/push-message.h"
#include "core/dlms/push-schedule.h"
#include "core/dlms/push-setup.h"
#include "meter/local-time.h"
#include "views/dlms/dlms-push.h"

#define NS_PER_S INT64_C(1000000000)
#define USEC_PER_SEC UINT64_C(1000000)
/* Each step of a push (connect, write, the head-end's close) within this much real time. */
#define PUSH_IO_TIMEOUT_USEC (10 * USEC_PER_SEC)
/* Pushes of the method (and events without a store) waiting: more are refused. */
#define QUEUE_MAX 64
/* Events read from the log at a time: a log of other kinds is passed over a batch a tick. */
#define EVENT_BATCH 256
/* The largest notification: the wrapper's length field. */
#define FRAME_MAX 65535
/* The wrapper's wPorts (dlms-push.h): the meter's logical device, the management client. */
#define SOURCE_WPORT 1
#define DESTINATION_WPORT PM_DLMS_PUSH_CLIENT_SAP

enum state { IDLE, CONNECTING, WRITING, CLOSING };

/* One push: of a Push setup, for a nominal instant (a schedule's) or an event's time. */
struct item {
	enum pm_push_setup setup;
	int schedule;		 /* enum pm_dlms_push_schedule, -1: an event or the method */
	int64_t event_id;	 /* the event log's id of an event push; 0: not from the log */
	int64_t nominal_local_s; /* the schedule's nominal instant, local seconds */
	int64_t utc_s;		 /* the instant the push is for (its date-time) */
};

struct pm_dlms_push {
	struct pm_dlms_push_config cfg;
	sd_event *event;
	sd_event_source *tick, *io, *timeout;
	int fd;
	enum state state;
	struct pm_cosem_push_info info;
	/* the last scheduled push delivered, local seconds; read at the first tick */
	bool started;
	int64_t last_local[PM_DLMS_PUSH_SCHEDULES];
	/* with a store: the event cursor committed (the id of the last event pushed and
	 * delivered), and how far the log has been read past it (events of kinds not pushed) */
	int64_t event_last, event_scan;
	/* pushes of the method, and events without a store, oldest first */
	struct item queue[QUEUE_MAX];
	size_t head, n;
	struct item cur;
	/* attempts since the last delivery; the next not before retry_at_s (meter clock) */
	unsigned failures;
	int64_t retry_at_s;
	uint32_t invoke_id;
	struct pm_axdr_out frame;
	size_t sent;
};

static int32_t offset_at(const struct pm_dlms_push *p, int64_t utc_s, bool *dst)
{
	int32_t off = 0;
	bool d = false;

	if (pm_local_time_offset(p->cfg.time_zone, utc_s, &off, &d) < 0)
		off = 0;
	if (dst)
		*dst = d;
	return off;
}

static int64_t to_local(const struct pm_dlms_push *p, int64_t utc_s)
{
	return utc_s + offset_at(p, utc_s, NULL);
}

/* The UTC of a local instant: the offset in force an offset's width before it. */
static int64_t to_utc(const struct pm_dlms_push *p, int64_t local_s)
{
	return local_s - offset_at(p, local_s - offset_at(p, local_s, NULL), NULL);
}

static int64_t now_s(const struct pm_dlms_push *p)
{
	return pm_civil_floor_div(p->cfg.now_ns(p->cfg.data), NS_PER_S);
}

/* The schedule @s (enum pm_dlms_push_schedule); false for billing without a tariff. */
static bool schedule_of(int s, const struct pm_cosem_meter *m, struct pm_push_schedule *out)
{
	switch (s) {
	case PM_DLMS_PUSH_DAILY:
		pm_push_daily(out);
		return true;
	case PM_DLMS_PUSH_WEEKLY:
		pm_push_weekly(out);
		return true;
	case PM_DLMS_PUSH_MONTHLY:
		pm_push_monthly(out);
		return true;
	default:
		return m && m->tariff && pm_push_billing(out, &m->tariff->period) == 0;
	}
}

/* The delivered instants from the store; none recorded: from now on (recorded). */
static void start(struct pm_dlms_push *p, int64_t now)
{
	for (int s = 0; s < PM_DLMS_PUSH_SCHEDULES; s++) {
		int64_t last_ns = now * NS_PER_S;
		int r = -ENOENT;

		if (!(p->cfg.schedules & (1u << s)))
			continue;
		if (p->cfg.store)
			r = pm_store_load_push(p->cfg.store, p->cfg.name, (unsigned)s, &last_ns);
		if (r == -ENOENT && p->cfg.store)
			r = pm_store_save_push(p->cfg.store, p->cfg.name, (unsigned)s, last_ns);
		if (r < 0 && p->cfg.store)
			log_error_errno(r,
					"meter %s: DLMS push: the %s pushes delivered not stored",
					p->cfg.name, pm_dlms_push_schedule_names[s]);
		p->last_local[s] = to_local(p, pm_civil_floor_div(last_ns, NS_PER_S));
	}
	if (p->cfg.store && p->cfg.events) {
		int r = pm_store_push_events_start(p->cfg.store, p->cfg.name, &p->event_last);

		if (r < 0) {
			/* from the newest event on, as a first start would be */
			log_error_errno(r,
					"meter %s: DLMS push: the event pushes delivered not read",
					p->cfg.name);
			if (pm_store_mqtt_newest(p->cfg.store, p->cfg.name, PM_STORE_MQTT_EVENT,
						 &p->event_last) < 0 ||
			    p->event_last < 0)
				p->event_last = 0; /* ids start at 1 */
		}
		p->event_scan = p->event_last;
	}
	if (!p->cfg.store && (p->cfg.schedules || p->cfg.events))
		log_warning("meter %s: DLMS push without a store: a restart forgets which "
			    "pushes were delivered, and event pushes still waiting",
			    p->cfg.name);
	p->started = true;
}

struct event_scan {
	struct pm_dlms_push *p;
	struct item *it;
	bool found;
};

/* The setup that pushes an event of @kind as configured; -1: not pushed. */
static int event_setup(const struct pm_dlms_push *p, const char *kind)
{
	static const struct {
		const char *kind;
		enum pm_dlms_push_event group;
		enum pm_push_setup setup;
	} pushed[] = {
	    {"power_down", PM_DLMS_PUSH_EVENT_POWER, PM_PUSH_POWER},
	    {"power_up", PM_DLMS_PUSH_EVENT_POWER, PM_PUSH_POWER},
	    {"supply_opened", PM_DLMS_PUSH_EVENT_SUPPLY, PM_PUSH_SUPPLY},
	    {"supply_closed", PM_DLMS_PUSH_EVENT_SUPPLY, PM_PUSH_SUPPLY},
	    {"low_credit", PM_DLMS_PUSH_EVENT_LOW_CREDIT, PM_PUSH_LOW_CREDIT},
	};

	for (size_t i = 0; i < sizeof(pushed) / sizeof(pushed[0]); i++)
		if (!strcmp(kind, pushed[i].kind) && (p->cfg.events & (1u << pushed[i].group)))
			return (int)pushed[i].setup;
	return -1;
}

static int scan_event(void *ctx, int64_t id, const struct pm_store_event *ev)
{
	struct event_scan *sc = ctx;
	int setup = event_setup(sc->p, ev->kind);

	if (setup < 0) {
		sc->p->event_scan = id; /* not pushed: passed over */
		return 0;
	}
	*sc->it = (struct item){
	    .setup = (enum pm_push_setup)setup,
	    .schedule = -1,
	    .event_id = id,
	    .utc_s = pm_civil_floor_div(ev->utc_ns, NS_PER_S),
	};
	sc->found = true;
	return 1; /* the oldest due: the rest waits for its delivery */
}

/* The oldest event in the log after the cursor of a kind the configuration pushes. */
static bool next_event(struct pm_dlms_push *p, struct item *it)
{
	struct event_scan sc = {p, it, false};
	int r;

	if (!p->cfg.store || !p->cfg.events)
		return false;
	r = pm_store_events_after(p->cfg.store, p->cfg.name, p->event_scan, EVENT_BATCH, scan_event,
				  &sc);
	if (r < 0)
		log_debug("meter %s: DLMS push: the event log not read: %s", p->cfg.name,
			  strerror(-r));
	return sc.found;
}

/* The next push due at @now: an event's first (the log's, then the method's), else the oldest
 * scheduled one whose start offset has passed. */
static bool next_item(struct pm_dlms_push *p, const struct pm_cosem_meter *m, int64_t now,
		      struct item *it)
{
	int64_t now_local = to_local(p, now);
	bool found = false;

	if (next_event(p, it))
		return true;
	if (p->n) {
		*it = p->queue[p->head];
		return true;
	}
	for (int s = 0; s < PM_DLMS_PUSH_SCHEDULES; s++) {
		struct pm_push_schedule sched;
		int64_t due;

		if (!(p->cfg.schedules & (1u << s)) || !schedule_of(s, m, &sched) ||
		    !pm_push_due(&sched, p->last_local[s], now_local, &due, 1))
			continue;
		if (now_local < due + pm_push_offset(p->cfg.name, due, p->cfg.window_s))
			continue;
		if (found && due >= it->nominal_local_s)
			continue;
		*it = (struct item){
		    .setup = s == PM_DLMS_PUSH_BILLING ? PM_PUSH_BILLING : PM_PUSH_SCHEDULED,
		    .schedule = s,
		    .nominal_local_s = due,
		};
		found = true;
	}
	if (found)
		it->utc_s = to_utc(p, it->nominal_local_s);
	return found;
}

/* The frame of @it: the wrapper, then the Data-Notification, ciphered when keys are set. */
static int build(struct pm_dlms_push *p, const struct item *it, const struct pm_cosem_meter *m)
{
	const struct pm_dlms_security *sec = p->cfg.security ? p->cfg.security(p->cfg.data) : NULL;
	const struct pm_dlms_assoc_info assoc = {
	    .client = PM_DLMS_CLIENT_MANAGEMENT,
	    .client_sap = DESTINATION_WPORT,
	    .server_sap = SOURCE_WPORT,
	    .mechanism = sec ? 5 : 1,
	    .dlms_version = 6,
	};
	const struct pm_cosem_request req = {&assoc, m};
	struct pm_axdr_out body, apdu, ciphered;
	struct pm_cosem_datetime dt;
	uint8_t date_time[PM_COSEM_DATETIME_LEN];
	const struct pm_axdr_out *msg;
	uint32_t ic;
	bool dst;
	int32_t off = offset_at(p, it->utc_s, &dst);
	int r = 0;

	pm_axdr_out_init_heap(&body, FRAME_MAX);
	pm_axdr_out_init_heap(&apdu, FRAME_MAX);
	pm_axdr_out_init_heap(&ciphered, FRAME_MAX);
	pm_push_body(p->cfg.ops, p->cfg.dir, &req, it->setup, &body);
	pm_cosem_datetime_from_utc(it->utc_s, off, dst ? PM_COSEM_STATUS_DST : 0, &dt);
	pm_cosem_datetime_encode(&dt, date_time);
	p->invoke_id = (p->invoke_id + 1) & PM_DLMS_LONG_INVOKE_ID_MASK;
	/* unconfirmed, normal priority: bits 24..31 zero */
	pm_dlms_put_data_notification(&apdu, p->invoke_id, date_time, body.buf, body.len);
	msg = &apdu;
	if (sec) {
		/* a fresh counter for every attempt: never one used before (dlms-hls.h) */
		r = sec->next_ic(sec->data, &ic);
		if (r >= 0)
			pm_dlms_put_general_glo(&ciphered, sec->keys, sec->title, ic, apdu.buf,
						apdu.len);
		msg = &ciphered;
	}
	pm_axdr_out_reset(&p->frame);
	if (r >= 0) {
		pm_dlms_put_wrapper_header(&p->frame, SOURCE_WPORT, DESTINATION_WPORT, msg->len);
		pm_axdr_put_raw(&p->frame, msg->buf, msg->len);
	}
	if (r >= 0 && (body.overflow || msg->overflow || p->frame.overflow))
		r = -EMSGSIZE;
	pm_axdr_out_free(&body);
	pm_axdr_out_free(&apdu);
	pm_axdr_out_free(&ciphered);
	return r;
}

static void stop_io(struct pm_dlms_push *p)
{
	p->io = sd_event_source_disable_unref(p->io);
	p->timeout = sd_event_source_disable_unref(p->timeout);
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p->state = IDLE;
}

static const char *what(const struct item *it)
{
	static const char *const setups[PM_PUSH_SETUPS] = {
	    [PM_PUSH_SCHEDULED] = "scheduled",	       [PM_PUSH_BILLING] = "billing-period",
	    [PM_PUSH_POWER] = "power event",	       [PM_PUSH_SUPPLY] = "supply event",
	    [PM_PUSH_LOW_CREDIT] = "low-credit event",
	};
	return it->schedule >= 0 ? pm_dlms_push_schedule_names[it->schedule] : setups[it->setup];
}

static void delivered(struct pm_dlms_push *p)
{
	const struct item *it = &p->cur;
	char when[40];
	int r;

	stop_io(p);
	log_info("meter %s: DLMS %s push for %s delivered to %s", p->cfg.name, what(it),
		 pm_civil_format_utc(it->utc_s * NS_PER_S, when, sizeof(when)), p->cfg.destination);
	if (it->schedule >= 0) {
		p->last_local[it->schedule] = it->nominal_local_s;
		if (p->cfg.store) {
			r = pm_store_save_push(p->cfg.store, p->cfg.name, (unsigned)it->schedule,
					       it->utc_s * NS_PER_S);
			if (r < 0)
				log_error_errno(r,
						"meter %s: DLMS push delivered, not stored: a "
						"restart sends it again",
						p->cfg.name);
		}
	} else if (it->event_id > 0) {
		/* the head-end closed on it: committed, so a restart does not send it again (a
		 * crash before the commit sends it once more) */
		p->event_last = p->event_scan = it->event_id;
		r = pm_store_save_push_events(p->cfg.store, p->cfg.name, it->event_id);
		if (r < 0)
			log_error_errno(r,
					"meter %s: DLMS push delivered, not stored: a "
					"restart sends it again",
					p->cfg.name);
	} else if (p->n) {
		p->head = (p->head + 1) % QUEUE_MAX;
		p->n--;
	}
	p->failures = 0;
	p->retry_at_s = INT64_MIN;
}

static void failed(struct pm_dlms_push *p, const char *why, int err)
{
	uint32_t delay = pm_push_retry_delay(p->failures, p->cfg.retry_base_s, p->cfg.retry_max_s);

	stop_io(p);
	p->failures++;
	p->retry_at_s = now_s(p) + delay;
	log_warning("meter %s: DLMS %s push to %s failed (%s%s%s), attempt %u; again in %u s",
		    p->cfg.name, what(&p->cur), p->cfg.destination, why, err ? ": " : "",
		    err ? strerror(err) : "", p->failures, delay);
}

/* Every octet we wrote acknowledged by the head-end's TCP. */
static bool all_acknowledged(int fd)
{
	int unacked = 1;

	return ioctl(fd, SIOCOUTQ, &unacked) == 0 && unacked == 0;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata);

static int restart_timeout(struct pm_dlms_push *p)
{
	p->timeout = sd_event_source_disable_unref(p->timeout);
	return sd_event_add_time_relative(p->event, &p->timeout, CLOCK_MONOTONIC,
					  PUSH_IO_TIMEOUT_USEC, 0, on_timeout, p);
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct pm_dlms_push *p = userdata;

	(void)s;
	(void)usec;
	if (p->state == CLOSING && all_acknowledged(p->fd))
		delivered(p);
	else
		failed(p, p->state == CONNECTING ? "connect timed out" : "timed out", 0);
	return 0;
}

static void write_some(struct pm_dlms_push *p)
{
	while (p->sent < p->frame.len) {
		ssize_t n = send(p->fd, p->frame.buf + p->sent, p->frame.len - p->sent,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0) {
			failed(p, "send", errno);
			return;
		}
		p->sent += (size_t)n;
	}
	/* all written: our side closed, the head-end's close awaited */
	if (shutdown(p->fd, SHUT_WR) < 0 ||
	    sd_event_source_set_io_events(p->io, EPOLLIN | EPOLLRDHUP) < 0 ||
	    restart_timeout(p) < 0) {
		failed(p, "shutdown", errno);
		return;
	}
	p->state = CLOSING;
}

static void read_close(struct pm_dlms_push *p)
{
	uint8_t buf[512];

	for (;;) {
		ssize_t n = recv(p->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n > 0)
			continue; /* the head-end may answer something: not ours to read */
		if (n == 0) {
			delivered(p);
			return;
		}
		if (errno == EAGAIN || errno == EINTR)
			return;
		/* reset after reading it all: still delivered when every octet was acked */
		if (all_acknowledged(p->fd))
			delivered(p);
		else
			failed(p, "connection reset", errno);
		return;
	}
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct pm_dlms_push *p = userdata;
	int err = 0;
	socklen_t len = sizeof(err);

	(void)s;
	(void)revents;
	switch (p->state) {
	case CONNECTING:
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			failed(p, "connect", err);
			return 0;
		}
		p->state = WRITING;
		if (restart_timeout(p) < 0) {
			failed(p, "timer", ENOMEM);
			return 0;
		}
		write_some(p);
		return 0;
	case WRITING:
		write_some(p);
		return 0;
	case CLOSING:
		read_close(p);
		return 0;
	default:
		return 0;
	}
}

static void begin(struct pm_dlms_push *p, const struct item *it, const struct pm_cosem_meter *m)
{
	const struct sockaddr *sa = (const struct sockaddr *)&p->cfg.dest;
	socklen_t salen = p->cfg.dest.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
							    : sizeof(struct sockaddr_in);
	int r;

	p->cur = *it;
	r = build(p, it, m);
	if (r < 0) {
		failed(p, "no message", -r);
		return;
	}
	p->sent = 0;
	p->fd = socket(p->cfg.dest.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0) {
		failed(p, "socket", errno);
		return;
	}
	p->state = CONNECTING;
	if (connect(p->fd, sa, salen) < 0 && errno != EINPROGRESS) {
		failed(p, "connect", errno);
		return;
	}
	if (sd_event_add_io(p->event, &p->io, p->fd, EPOLLOUT, on_io, p) < 0 ||
	    restart_timeout(p) < 0)
		failed(p, "event loop", ENOMEM);
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct pm_dlms_push *p = userdata;
	const struct pm_cosem_meter *m;
	struct item it;
	int64_t now;

	(void)usec;
	sd_event_source_set_time_relative(s, p->cfg.tick_usec);
	sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	if (p->state != IDLE)
		return 0;
	now = now_s(p);
	if (!p->started)
		start(p, now);
	/* waiting out a retry delay; a clock set back (a DLMS Clock SET) does not stretch it */
	if (now < p->retry_at_s && p->retry_at_s - now <= (int64_t)p->cfg.retry_max_s)
		return 0;
	m = p->cfg.meter(p->cfg.data);
	if (next_item(p, m, now, &it))
		begin(p, &it, m);
	return 0;
}

int pm_dlms_push_new(sd_event *event, const struct pm_dlms_push_config *cfg,
		     struct pm_dlms_push **out)
{
	struct pm_dlms_push *p = calloc(1, sizeof(*p));
	int r;

	*out = NULL;
	if (!p)
		return -ENOMEM;
	p->cfg = *cfg;
	p->event = event;
	p->fd = -1;
	p->retry_at_s = INT64_MIN;
	p->info = (struct pm_cosem_push_info){cfg->destination, cfg->window_s, cfg->retry_base_s};
	pm_axdr_out_init_heap(&p->frame, FRAME_MAX + PM_DLMS_WRAPPER_HEADER_LEN);
	r = sd_event_add_time_relative(event, &p->tick, CLOCK_MONOTONIC, cfg->tick_usec, 0, on_tick,
				       p);
	if (r < 0) {
		pm_dlms_push_free(p);
		return r;
	}
	*out = p;
	return 0;
}

struct pm_dlms_push *pm_dlms_push_free(struct pm_dlms_push *p)
{
	if (p) {
		stop_io(p);
		sd_event_source_disable_unref(p->tick);
		pm_axdr_out_free(&p->frame);
		free(p);
	}
	return NULL;
}

static void wake(struct pm_dlms_push *p)
{
	/* promptly: the next tick (an attempt waiting out a retry delay keeps waiting) */
	sd_event_source_set_time_relative(p->tick, 0);
	sd_event_source_set_enabled(p->tick, SD_EVENT_ONESHOT);
}

static void enqueue(struct pm_dlms_push *p, enum pm_push_setup setup, int64_t utc_s)
{
	if (p->n == QUEUE_MAX) {
		log_warning("meter %s: DLMS push: %u pushes wait already, this event's is "
			    "not queued (no store; the daemon's log shows the event)",
			    p->cfg.name, QUEUE_MAX);
		return;
	}
	p->queue[(p->head + p->n) % QUEUE_MAX] =
	    (struct item){.setup = setup, .schedule = -1, .utc_s = utc_s};
	p->n++;
	wake(p);
}

void pm_dlms_push_event(void *data, int64_t utc_ns, const char *kind, const char *detail)
{
	struct pm_dlms_push *p = data;
	int setup = event_setup(p, kind);

	(void)detail;
	if (setup < 0)
		return;
	/* with a store the event is in its log already: the next tick reads it from there */
	if (p->cfg.store)
		wake(p);
	else
		enqueue(p, (enum pm_push_setup)setup, pm_civil_floor_div(utc_ns, NS_PER_S));
}

enum pm_dlms_result pm_dlms_push_now(void *data, unsigned setup)
{
	struct pm_dlms_push *p = data;

	if (setup >= PM_PUSH_SETUPS)
		return PM_DLMS_OBJECT_UNDEFINED;
	if (p->n == QUEUE_MAX)
		return PM_DLMS_TEMPORARY_FAILURE;
	enqueue(p, (enum pm_push_setup)setup, now_s(p));
	return PM_DLMS_SUCCESS;
}

const struct pm_cosem_push_info *pm_dlms_push_info(const struct pm_dlms_push *p)
{
	return &p->info;
}
