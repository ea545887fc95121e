// SPDX-License-Identifier: GPL-2.0-only
/*
 * The libiio source (see source-iio.h). Over 800 lines because one device's life is one state
 * machine: connection, channel and scale setup, the buffer's decode, the direct acquisition's
 * poll, loss and retry, and the chip's calibration registers, all on the same struct; the pieces
 * that stand alone are separate (source-iio-direct.c, source-iio-events.c, iio-attr.c).
 */
#include <errno.h>
#include <iio.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "common/adapter-math.h"
#include "acquire/generation.h"
#include "acquire/iio-attr.h"
#include "common/log.h"
#include "acquire/source-iio-direct.h"
#include "acquire/source-iio-events.h"
#include "acquire/source-iio.h"

/* The elements of one phase, in the driver's scan order (docs/abi.md §7). */
enum elem { E_V, E_I, E_P, E_Q, E_S, E_EA, E_ER, E_ES, E_PER_PHASE };

struct chan {
	struct iio_channel *chn;
	ptrdiff_t offset;   /* in a scan, once the buffer exists */
	int64_t scale_nano; /* unit per code, x 1e9 */
};

struct source_iio {
	struct pm_source base;
	sd_event *event;
	const struct pm_conf_meter *conf;
	pm_scan_fn cb;
	void *userdata;

	struct iio_context *ctx;
	struct iio_device *dev;
	struct iio_buffer *buf;
	struct chan ch[PM_PHASES][E_PER_PHASE];
	struct chan neutral; /* chn NULL when the device has none */
	struct chan ts;	     /* chn NULL when the device has none */
	uint32_t nj_per_code[PM_KINDS];
	uint64_t generation;
	bool from_zero;
	/* line frequency per phase (not in the scan: a direct read, at most once a second) */
	int64_t f_mhz[PM_PHASES];
	uint64_t f_read_us;

	sd_event_source *io;	/* the buffer's poll fd (local contexts) */
	sd_event_source *poll;	/* periodic refill (contexts without a poll fd) */
	sd_event_source *timer; /* stall watchdog when connected, retry when not */
	uint64_t poll_us;
	uint64_t backoff_us;
	unsigned connects;
	unsigned losses;
	bool connected;
	struct pm_calib calib; /* written at every connection (the chip starts at defaults) */
	struct pm_iio_events *events; /* the chip's events (local contexts) */
	bool events_note_logged;      /* why there are none, said once */
	/* the direct acquisition (source-iio-direct.h): NULL when the buffer is read */
	struct pm_iio_direct *direct;
	sd_event_source *direct_poll;
	clockid_t ts_clock; /* the device's timestamp clock, for direct scans */
};

static void source_disconnect(struct source_iio *s)
{
	s->io = sd_event_source_disable_unref(s->io);
	s->poll = sd_event_source_disable_unref(s->poll);
	s->direct_poll = sd_event_source_disable_unref(s->direct_poll);
	s->direct = pm_iio_direct_free(s->direct);
	s->events = pm_iio_events_close(s->events);
	if (s->buf)
		iio_buffer_destroy(s->buf);
	s->buf = NULL;
	if (s->ctx)
		iio_context_destroy(s->ctx);
	s->ctx = NULL;
	s->dev = NULL;
	memset(s->ch, 0, sizeof(s->ch));
	memset(&s->neutral, 0, sizeof(s->neutral));
	memset(&s->ts, 0, sizeof(s->ts));
	s->connected = false;
}

static struct iio_channel *find_scan_channel(struct iio_device *dev, const char *id)
{
	unsigned n = iio_device_get_channels_count(dev);

	for (unsigned i = 0; i < n; i++) {
		struct iio_channel *c = iio_device_get_channel(dev, i);

		if (!iio_channel_is_output(c) && iio_channel_is_scan_element(c) &&
		    strcmp(iio_channel_get_id(c), id) == 0)
			return c;
	}
	return NULL;
}

/* Reads a channel attribute by its sysfs file name (iio-attr.h). */
static int read_attr_file(struct iio_device *dev, const char *file, char *out, size_t len)
{
	struct pm_iio_attr a;
	int r = pm_iio_attr_find(dev, file, &a);

	return r < 0 ? r : pm_iio_attr_read(&a, out, len);
}

static int write_attr_file(struct iio_device *dev, const char *file, const char *val)
{
	struct pm_iio_attr a;
	int r = pm_iio_attr_find(dev, file, &a);

	return r < 0 ? r : pm_iio_attr_write(&a, val);
}

/* The sysfs file of a calibration register; mainline names the rms current altcurrent. */
static void calib_file(char *file, size_t len, enum pm_cal_reg reg, int phase, bool mainline)
{
	if (mainline && reg == PM_CAL_IRMSOS)
		snprintf(file, len, "in_altcurrent%d_rms_calibbias", phase);
	else
		snprintf(file, len, pm_cal_attr_fmt(reg), phase);
}

static int calib_read_one(struct source_iio *s, enum pm_cal_reg reg, int phase, int32_t *code)
{
	char file[64], val[32], *end;
	long long v;
	int r;

	calib_file(file, sizeof(file), reg, phase, false);
	r = read_attr_file(s->dev, file, val, sizeof(val));
	if (r == -ENOENT) {
		calib_file(file, sizeof(file), reg, phase, true);
		r = read_attr_file(s->dev, file, val, sizeof(val));
	}
	if (r < 0)
		return r;
	errno = 0;
	v = strtoll(val, &end, 0);
	if (errno || end == val || v < INT32_MIN || v > INT32_MAX)
		return -EINVAL;
	*code = (int32_t)v;
	return 0;
}

static int calib_write_one(struct source_iio *s, enum pm_cal_reg reg, int phase, int32_t code)
{
	char file[64], val[16];
	int r;

	snprintf(val, sizeof(val), "%" PRId32, code);
	calib_file(file, sizeof(file), reg, phase, false);
	r = write_attr_file(s->dev, file, val);
	if (r == -ENOENT) {
		calib_file(file, sizeof(file), reg, phase, true);
		r = write_attr_file(s->dev, file, val);
	}
	/*
	 * Mainline 6.18 refuses in_altcurrentN_rms_calibbias (its write_raw has no case for that
	 * channel). The chip comes out of reset with 0 there: a 0 it refuses changes nothing.
	 */
	if (r == -EINVAL && code == 0 && s->direct && pm_iio_direct_mainline(s->direct))
		return 0;
	if (r < 0)
		log_warning_errno(r, "meter %s: cannot write %s = %s", s->conf->name, file, val);
	return r;
}

/* Writes every code of every calibrated phase; returns the first error, tries them all. */
static int calib_write(struct source_iio *s)
{
	int ret = 0;

	for (int n = 0; n < PM_PHASES; n++)
		for (int g = 0; s->calib.set[n] && g < PM_CAL_REGS; g++) {
			int r = calib_write_one(s, g, n, s->calib.code[n][g]);

			if (r < 0 && ret == 0)
				ret = r;
		}
	return ret;
}

/* The scale of one element: our name first, then mainline's where they differ. */
static int read_scale(struct source_iio *s, const char *what, int64_t *ret)
{
	struct pm_iio_attr a;
	char file[64];

	snprintf(file, sizeof(file), "in_%s_scale", what);
	if (strncmp(what, "current", 7) == 0 && pm_iio_attr_find(s->dev, file, &a) < 0)
		snprintf(file, sizeof(file), "in_alt%s_scale", what);
	return pm_iio_read_scale(s->dev, s->conf->name, file, ret);
}

static int setup_channels(struct source_iio *s)
{
	static const char *const type[E_PER_PHASE] = {
	    "altvoltage", "current", "power", "power", "power", "energy", "energy", "energy",
	};
	static const int kind_offset[E_PER_PHASE] = {0, 0, 0, 10, 20, 0, 10, 20};
	static const char *const scale_fmt[E_PER_PHASE] = {
	    "altvoltage%d_rms", "current%d_rms",   "power%d_active",	"power%d_reactive",
	    "power%d_apparent", "energy%d_active", "energy%d_reactive", "energy%d_apparent",
	};
	char id[32], what[48];
	int r;

	for (int n = 0; n < PM_PHASES; n++)
		for (int e = 0; e < E_PER_PHASE; e++) {
			struct chan *c = &s->ch[n][e];

			snprintf(id, sizeof(id), "%s%d", type[e], n + kind_offset[e]);
			c->chn = find_scan_channel(s->dev, id);
			if (!c->chn)
				return log_error_errno(-ENOENT,
						       "meter %s: device has no scan element %s",
						       s->conf->name, id);
			snprintf(what, sizeof(what), scale_fmt[e], n);
			r = read_scale(s, what, &c->scale_nano);
			if (r < 0)
				return r;
			iio_channel_enable(c->chn);
		}

	/* One counter scale per kind: the three phases share the chip's full scale. */
	for (int k = 0; k < PM_KINDS; k++) {
		int64_t nano = s->ch[0][E_EA + k].scale_nano;

		for (int n = 1; n < PM_PHASES; n++)
			if (s->ch[n][E_EA + k].scale_nano != nano)
				return log_error_errno(-EINVAL,
						       "meter %s: %s energy scales differ between "
						       "phases",
						       s->conf->name, pm_kind_name(k));
		/* J per code x 1e9 = nJ per code */
		if (nano > UINT32_MAX)
			return log_error_errno(-ERANGE, "meter %s: energy scale too large",
					       s->conf->name);
		s->nj_per_code[k] = (uint32_t)nano;
	}

	s->neutral.chn = find_scan_channel(s->dev, "current3");
	if (s->neutral.chn) {
		r = read_scale(s, "current3_rms", &s->neutral.scale_nano);
		if (r < 0)
			return r;
		iio_channel_enable(s->neutral.chn);
	}
	s->ts.chn = find_scan_channel(s->dev, "timestamp");
	if (s->ts.chn)
		iio_channel_enable(s->ts.chn);
	return 0;
}

static int64_t chan_raw(const struct chan *c, const void *scan)
{
	const struct iio_data_format *fmt = iio_channel_get_data_format(c->chn);
	union {
		int8_t s8;
		int16_t s16;
		int32_t s32;
		int64_t s64;
		uint8_t u8;
		uint16_t u16;
		uint32_t u32;
		uint64_t u64;
	} v = {.u64 = 0};

	iio_channel_convert(c->chn, &v, (const uint8_t *)scan + c->offset);
	switch (fmt->length) {
	case 8:
		return fmt->is_signed ? (int64_t)v.s8 : (int64_t)v.u8;
	case 16:
		return fmt->is_signed ? (int64_t)v.s16 : (int64_t)v.u16;
	case 32:
		return fmt->is_signed ? (int64_t)v.s32 : (int64_t)v.u32;
	default:
		return fmt->is_signed ? v.s64 : (int64_t)v.u64;
	}
}

/* raw x scale, rounded to the nearest unit. */
static int64_t scaled(const struct chan *c, const void *scan)
{
	return pm_scale_round(chan_raw(c, scan), c->scale_nano);
}

/* "50.012345678" (Hz, as IIO prints it) -> 50012 mHz, without floating point */
static int parse_mhz(const char *str, int64_t *mhz)
{
	int64_t whole = 0, frac = 0;
	int digits = 0;
	const char *c = str;

	if (*c < '0' || *c > '9')
		return -EINVAL;
	for (; *c >= '0' && *c <= '9'; c++)
		whole = whole * 10 + (*c - '0');
	if (*c == '.')
		for (c++; *c >= '0' && *c <= '9'; c++)
			if (digits < 3) {
				frac = frac * 10 + (*c - '0');
				digits++;
			}
	if (*c && *c != '\n')
		return -EINVAL;
	for (; digits < 3; digits++)
		frac *= 10;
	*mhz = whole * 1000 + frac;
	return 0;
}

/*
 * The line frequency of each phase (the driver's in_voltageN_frequency, from the chip's
 * period registers), refreshed once a second: it changes slowly and is no scan element.
 */
static void refresh_frequency(struct source_iio *s, uint64_t now_us)
{
	char file[64], val[64];

	if (s->f_read_us && now_us - s->f_read_us < 1000000)
		return;
	s->f_read_us = now_us;
	for (int n = 0; n < PM_PHASES; n++) {
		snprintf(file, sizeof(file), "in_voltage%d_frequency", n);
		if (read_attr_file(s->dev, file, val, sizeof(val)) < 0 ||
		    parse_mhz(val, &s->f_mhz[n]) < 0)
			s->f_mhz[n] = 0;
		else if (s->direct)
			s->f_mhz[n] = pm_iio_direct_line_mhz(s->direct, s->f_mhz[n]);
	}
}

static void decode(struct source_iio *s, const void *p)
{
	struct pm_scan scan = {
	    .generation = s->generation,
	    .counters_from_zero = s->from_zero,
	};
	uint64_t now;

	sd_event_now(s->event, CLOCK_MONOTONIC, &now);
	refresh_frequency(s, now);
	for (int n = 0; n < PM_PHASES; n++) {
		struct pm_scan_phase *ph = &scan.ph[n];

		ph->f_mhz = s->f_mhz[n];
		ph->v_mv = scaled(&s->ch[n][E_V], p);
		ph->i_ma = scaled(&s->ch[n][E_I], p);
		ph->p_mw = scaled(&s->ch[n][E_P], p);
		ph->q_mvar = scaled(&s->ch[n][E_Q], p);
		ph->s_mva = scaled(&s->ch[n][E_S], p);
		for (int k = 0; k < PM_KINDS; k++)
			ph->counter[k] = chan_raw(&s->ch[n][E_EA + k], p);
	}
	if (s->neutral.chn)
		scan.neutral_ma = scaled(&s->neutral, p);
	memcpy(scan.nj_per_code, s->nj_per_code, sizeof(scan.nj_per_code));
	if (s->ts.chn) {
		scan.ts_ns = chan_raw(&s->ts, p);
	} else {
		sd_event_now(s->event, CLOCK_MONOTONIC, &now);
		scan.ts_ns = (int64_t)now * 1000;
	}
	s->cb(s->userdata, &scan);
}

static void schedule(struct source_iio *s, uint64_t usec)
{
	uint64_t now;

	sd_event_now(s->event, CLOCK_MONOTONIC, &now);
	sd_event_source_set_time(s->timer, now + usec);
	sd_event_source_set_enabled(s->timer, SD_EVENT_ONESHOT);
}

static void device_lost(struct source_iio *s, int err)
{
	if (s->connected)
		s->losses++;
	log_warning("meter %s: %s (%s), retrying in %" PRIu64 " s", s->conf->name,
		    s->connected ? "device lost" : "cannot connect", strerror(-err),
		    s->backoff_us / 1000000);
	source_disconnect(s);
	schedule(s, s->backoff_us);
	s->backoff_us *= 2;
	if (s->backoff_us > PM_IIO_BACKOFF_MAX_US)
		s->backoff_us = PM_IIO_BACKOFF_MAX_US;
}

/* Refills until the kernel has nothing more; returns 0 or the error that lost the device. */
static int drain(struct source_iio *s)
{
	unsigned got = 0;

	/* Bounded, so a fast device cannot starve the rest of the loop. */
	for (int round = 0; round < 64; round++) {
		ssize_t r = iio_buffer_refill(s->buf);
		ptrdiff_t step = iio_buffer_step(s->buf);
		const char *p, *end;

		if (r == -EAGAIN)
			break;
		if (r < 0)
			return (int)r;
		if (r == 0)
			break;
		end = iio_buffer_end(s->buf);
		for (p = iio_buffer_start(s->buf); p + step <= end; p += step) {
			decode(s, p);
			got++;
		}
		if ((size_t)r < s->conf->buffer_scans * (size_t)step)
			break; /* a partial refill: the kernel is empty */
	}
	if (got) {
		s->backoff_us = PM_IIO_BACKOFF_MIN_US;
		schedule(s, s->conf->stall_timeout_s * 1000000ULL);
	}
	return 0;
}

static int on_io(sd_event_source *es, int fd, uint32_t revents, void *userdata)
{
	struct source_iio *s = userdata;
	int r;

	(void)es;
	(void)fd;
	if (revents & (EPOLLERR | EPOLLHUP)) {
		device_lost(s, -ENODEV);
		return 0;
	}
	r = drain(s);
	if (r < 0)
		device_lost(s, r);
	return 0;
}

static int on_poll(sd_event_source *es, uint64_t usec, void *userdata)
{
	struct source_iio *s = userdata;
	int r;

	r = drain(s);
	if (r < 0) {
		device_lost(s, r);
		return 0;
	}
	sd_event_source_set_time(es, usec + s->poll_us);
	sd_event_source_set_enabled(es, SD_EVENT_ONESHOT);
	return 0;
}

/*
 * A generation no earlier run can have had: counters of unknown origin (no counter_epoch, or
 * integrated by the direct acquisition from zero) must never be taken for the continuation of
 * stored ones, which a small number such as the connection count would be after a restart.
 */
static void new_generation(struct source_iio *s)
{
	s->generation = pm_source_new_generation();
	s->from_zero = false;
}

static void read_generation(struct source_iio *s)
{
	char val[32];
	uint64_t epoch;
	char *end;

	/* counter_epoch: our driver's promise that counters of one epoch are continuous. */
	if (iio_device_attr_read(s->dev, "counter_epoch", val, sizeof(val)) > 0) {
		errno = 0;
		epoch = strtoull(val, &end, 10);
		if (!errno && end != val) {
			s->generation = epoch;
			s->from_zero = true;
			return;
		}
	}
	/* Without it, every connection may be a new run of unknown origin. */
	new_generation(s);
}

/*
 * The chip's events: through the device's event chardev on a local context; a remote context
 * (iiod) carries none, and a device without events has none: both said once.
 */
static void open_events(struct source_iio *s)
{
	const char *ctx_name = iio_context_get_name(s->ctx);
	const char *why = NULL;
	int r;

	if (!s->base.on_chip_event)
		return;
	if (!ctx_name || strcmp(ctx_name, "local")) {
		why = "chip events (swell, dip, reverse power, overcurrent) are not available "
		      "through a remote context";
	} else {
		r = pm_iio_events_open(s->event, iio_device_get_id(s->dev), s->base.on_chip_event,
				       s->base.chip_event_userdata, &s->events);
		if (r == -EBUSY)
			why = "chip events not watched: the device or its event fd is held by "
			      "another process";
		else if (r < 0)
			why = "chip events not watched: the device has no event interface";
		else
			log_info("meter %s: watching the chip's events", s->conf->name);
	}
	if (why && !s->events_note_logged) {
		log_notice("meter %s: %s (%s)", s->conf->name, why, s->conf->uri);
		s->events_note_logged = true;
	}
}

/* The clock the device stamps its events with (IIO: current_timestamp_clock, realtime). */
static clockid_t device_ts_clock(struct iio_device *dev)
{
	static const struct {
		const char *name;
		clockid_t id;
	} clocks[] = {
	    {"realtime", CLOCK_REALTIME},
	    {"monotonic", CLOCK_MONOTONIC},
	    {"monotonic_raw", CLOCK_MONOTONIC_RAW},
	    {"realtime_coarse", CLOCK_REALTIME_COARSE},
	    {"monotonic_coarse", CLOCK_MONOTONIC_COARSE},
	    {"boottime", CLOCK_BOOTTIME},
	    {"tai", CLOCK_TAI},
	};
	char val[32];

	if (iio_device_attr_read(dev, "current_timestamp_clock", val, sizeof(val)) > 0) {
		val[strcspn(val, "\n")] = '\0';
		for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++)
			if (strcmp(val, clocks[i].name) == 0)
				return clocks[i].id;
	}
	return CLOCK_REALTIME;
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One poll of the direct acquisition: a scan, or the device is lost. */
static int on_direct_poll(sd_event_source *es, uint64_t usec, void *userdata)
{
	struct source_iio *s = userdata;
	struct pm_scan scan = {.generation = s->generation, .counters_from_zero = s->from_zero};
	/* one instant on both clocks: the scan's time is the integration's */
	int64_t mono_ns = clock_ns(CLOCK_MONOTONIC);
	uint64_t now;
	int r;

	scan.ts_ns = clock_ns(s->ts_clock);
	r = pm_iio_direct_read(s->direct, mono_ns, &scan);
	if (r < 0) {
		device_lost(s, r);
		return 0;
	}
	sd_event_now(s->event, CLOCK_MONOTONIC, &now);
	refresh_frequency(s, now);
	for (int n = 0; n < PM_PHASES; n++)
		scan.ph[n].f_mhz = s->f_mhz[n];
	s->backoff_us = PM_IIO_BACKOFF_MIN_US;
	schedule(s, s->conf->stall_timeout_s * 1000000ULL);
	/* at a fixed rate: a late poll does not shift every later one; after a long stall
	 * (a suspended system) the next is one interval away, not a burst of missed ones */
	sd_event_source_set_time(es,
				 usec + s->poll_us > now ? usec + s->poll_us : now + s->poll_us);
	sd_event_source_set_enabled(es, SD_EVENT_ONESHOT);
	s->cb(s->userdata, &scan);
	return 0;
}

static int connect_direct(struct source_iio *s)
{
	const struct pm_conf_meter *c = s->conf;
	int r;

	r = pm_iio_direct_open(s->dev, c, &s->direct);
	if (r < 0)
		return r;
	new_generation(s);
	s->from_zero = true; /* the power integrator starts its counters at zero */
	s->ts_clock = device_ts_clock(s->dev);
	r = calib_write(s);
	if (r < 0)
		return r;
	open_events(s);
	s->poll_us = c->poll_interval_ms * 1000ULL;
	r = sd_event_add_time_relative(s->event, &s->direct_poll, CLOCK_MONOTONIC, 0, 0,
				       on_direct_poll, s);
	if (r < 0)
		return log_error_errno(r, "meter %s: cannot add a timer", c->name);
	s->connected = true;
	log_info("meter %s: polling %s device '%s' every %u ms (direct acquisition%s)", c->name,
		 c->uri, c->device, c->poll_interval_ms,
		 pm_iio_direct_mainline(s->direct) ? ", mainline ABI" : "");
	schedule(s, c->stall_timeout_s * 1000000ULL);
	return 0;
}

static int source_connect(struct source_iio *s)
{
	const struct pm_conf_meter *c = s->conf;
	int r, fd;

	s->f_read_us = 0; /* a new device: read its frequency with the first scan */
	s->connects++;
	errno = 0;
	s->ctx = iio_create_context_from_uri(c->uri);
	if (!s->ctx)
		return log_warning_errno(errno ? -errno : -EIO, "meter %s: no IIO context '%s'",
					 c->name, c->uri);
	s->dev = iio_context_find_device(s->ctx, c->device);
	if (!s->dev)
		return log_warning_errno(-ENODEV, "meter %s: no IIO device '%s' in '%s'", c->name,
					 c->device, c->uri);
	/* auto: our driver's buffer when it has the lifetime energy counters (scan elements) */
	if (c->acquisition == PM_ACQ_DIRECT ||
	    (c->acquisition == PM_ACQ_AUTO && !find_scan_channel(s->dev, "energy0")))
		return connect_direct(s);
	r = setup_channels(s);
	if (r < 0)
		return r;
	read_generation(s);
	/* The driver does not keep calibration across a reload: ours goes back in first. */
	r = calib_write(s);
	if (r < 0)
		return r;
	if (c->sampling_frequency) {
		char val[16];

		snprintf(val, sizeof(val), "%u", c->sampling_frequency);
		r = iio_device_attr_write(s->dev, "sampling_frequency", val);
		if (r < 0)
			log_warning_errno(r, "meter %s: cannot set sampling_frequency %s", c->name,
					  val);
	}

	/* before the buffer: the kernel lets one process at a time open the chardev, and the
	 * event fd, once had, does not need it open */
	open_events(s);
	errno = 0;
	s->buf = iio_device_create_buffer(s->dev, c->buffer_scans, false);
	if (!s->buf)
		return log_warning_errno(errno ? -errno : -EIO, "meter %s: cannot open the buffer",
					 c->name);
	for (int n = 0; n < PM_PHASES; n++)
		for (int e = 0; e < E_PER_PHASE; e++)
			s->ch[n][e].offset =
			    (const char *)iio_buffer_first(s->buf, s->ch[n][e].chn) -
			    (const char *)iio_buffer_start(s->buf);
	if (s->neutral.chn)
		s->neutral.offset = (const char *)iio_buffer_first(s->buf, s->neutral.chn) -
				    (const char *)iio_buffer_start(s->buf);
	if (s->ts.chn)
		s->ts.offset = (const char *)iio_buffer_first(s->buf, s->ts.chn) -
			       (const char *)iio_buffer_start(s->buf);

	r = iio_buffer_set_blocking_mode(s->buf, false);
	fd = r < 0 ? r : iio_buffer_get_poll_fd(s->buf);
	if (fd >= 0) {
		r = sd_event_add_io(s->event, &s->io, fd, EPOLLIN, on_io, s);
		if (r < 0)
			return log_error_errno(r, "meter %s: cannot watch the buffer", c->name);
	} else {
		/* Remote context: blocking refills (bounded by the context timeout), one
		 * buffer's worth of scans per period. */
		char val[32];
		int64_t hz_nano = 10000000000LL;

		if (iio_buffer_set_blocking_mode(s->buf, true) < 0)
			return log_error_errno(-EIO, "meter %s: cannot read the buffer", c->name);
		if (iio_device_attr_read(s->dev, "sampling_frequency", val, sizeof(val)) > 0)
			pm_parse_nano(val, &hz_nano);
		if (hz_nano <= 0)
			hz_nano = 10000000000LL;
		s->poll_us =
		    pm_met_muldiv_u64(c->buffer_scans, 1000000000000000ULL, (uint64_t)hz_nano);
		r = sd_event_add_time_relative(s->event, &s->poll, CLOCK_MONOTONIC, s->poll_us, 0,
					       on_poll, s);
		if (r < 0)
			return log_error_errno(r, "meter %s: cannot add a timer", c->name);
	}
	s->connected = true;
	log_info("meter %s: streaming from %s device '%s' (counter generation %" PRIu64 ")",
		 c->name, c->uri, c->device, s->generation);
	schedule(s, c->stall_timeout_s * 1000000ULL);
	return 0;
}

static int on_timer(sd_event_source *es, uint64_t usec, void *userdata)
{
	struct source_iio *s = userdata;
	int r;

	(void)es;
	(void)usec;
	if (s->connected) {
		device_lost(s, -ETIMEDOUT); /* no scan for stall_timeout */
		return 0;
	}
	r = source_connect(s);
	if (r < 0)
		device_lost(s, r);
	return 0;
}

static void iio_free(struct pm_source *base)
{
	struct source_iio *s = (struct source_iio *)base;

	source_disconnect(s);
	sd_event_source_disable_unref(s->timer);
	sd_event_unref(s->event);
	free(s);
}

static bool iio_connected(const struct pm_source *base)
{
	return ((const struct source_iio *)base)->connected;
}

static unsigned iio_losses(const struct pm_source *base)
{
	return ((const struct source_iio *)base)->losses;
}

static int iio_calib_read(struct pm_source *base, int phase, int32_t code[PM_CAL_REGS],
			  int64_t rms_scale_nano[2])
{
	struct source_iio *s = (struct source_iio *)base;

	if (!s->connected)
		return -ENOTCONN;
	for (int g = 0; g < PM_CAL_REGS; g++) {
		int r = calib_read_one(s, g, phase, &code[g]);

		/*
		 * Mainline's attributes are write-only: the chip then holds what this source
		 * wrote at connection (or its reset default, 0, when it never wrote any).
		 */
		if (r < 0)
			code[g] = s->calib.set[phase] ? s->calib.code[phase][g] : 0;
	}
	if (s->direct) {
		pm_iio_direct_rms_scales(s->direct, phase, rms_scale_nano);
	} else {
		rms_scale_nano[0] = s->ch[phase][E_V].scale_nano;
		rms_scale_nano[1] = s->ch[phase][E_I].scale_nano;
	}
	return 0;
}

static int iio_calib_apply(struct pm_source *base, const struct pm_calib *c)
{
	struct source_iio *s = (struct source_iio *)base;

	for (int n = 0; n < PM_PHASES; n++)
		if (c->set[n]) {
			s->calib.set[n] = true;
			memcpy(s->calib.code[n], c->code[n], sizeof(c->code[n]));
		}
	/* not connected: written at the next connection */
	return s->connected ? calib_write(s) : 0;
}

static const struct pm_source_ops iio_ops = {
    .free = iio_free,
    .connected = iio_connected,
    .losses = iio_losses,
    .calib_read = iio_calib_read,
    .calib_apply = iio_calib_apply,
};

int pm_source_iio_new(sd_event *event, const struct pm_conf_meter *conf, pm_scan_fn cb,
		      void *userdata, struct pm_source **ret)
{
	struct source_iio *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->base.ops = &iio_ops;
	s->event = sd_event_ref(event);
	s->conf = conf;
	s->cb = cb;
	s->userdata = userdata;
	s->backoff_us = PM_IIO_BACKOFF_MIN_US;
	if (strncmp(conf->uri, "local:", 6)) {
		/* said at start, whether or not the remote host answers */
		log_notice("meter %s: chip events (swell, dip, reverse power, overcurrent) are not "
			   "available through a remote context (%s)",
			   conf->name, conf->uri);
		s->events_note_logged = true;
	}
	/* The first connection is attempted from the loop, right away. */
	r = sd_event_add_time_relative(event, &s->timer, CLOCK_MONOTONIC, 0, 0, on_timer, s);
	if (r < 0) {
		iio_free(&s->base);
		return r;
	}
	*ret = &s->base;
	return 0;
}
