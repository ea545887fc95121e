// SPDX-License-Identifier: GPL-2.0-only
/* Recordings and the replay source (see source-replay.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "acquire/source-replay.h"

#define RECORD_FIELDS (8 + PM_PHASES * 9)

int pm_recording_start(FILE *f)
{
	return fprintf(f, PM_REPLAY_HEADER "\n") < 0 ? -EIO : 0;
}

int pm_recording_write(FILE *f, int64_t utc_ns, const struct pm_scan *s)
{
	int r;

	r = fprintf(f,
		    "%" PRId64 " %" PRId64 " %" PRIu64 " %d %" PRIu32 " %" PRIu32 " %" PRIu32
		    " %" PRId64,
		    utc_ns, s->ts_ns, s->generation, s->counters_from_zero ? 1 : 0,
		    s->nj_per_code[PM_ACTIVE], s->nj_per_code[PM_REACTIVE],
		    s->nj_per_code[PM_APPARENT], s->neutral_ma);
	for (int n = 0; n < PM_PHASES && r >= 0; n++) {
		const struct pm_scan_phase *p = &s->ph[n];

		r = fprintf(f,
			    " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64
			    " %" PRId64 " %" PRId64 " %" PRId64,
			    p->v_mv, p->i_ma, p->p_mw, p->q_mvar, p->s_mva, p->f_mhz,
			    p->counter[PM_ACTIVE], p->counter[PM_REACTIVE],
			    p->counter[PM_APPARENT]);
	}
	if (r >= 0)
		r = fputc('\n', f);
	return r < 0 ? -EIO : 0;
}

/* 35 integers -> the record; -EINVAL when anything is off. */
static int parse_record(const char *line, int64_t *utc_ns, struct pm_scan *s)
{
	int64_t v[RECORD_FIELDS];
	uint64_t generation = 0;
	const char *c = line;

	for (int i = 0; i < RECORD_FIELDS; i++) {
		char *end;

		if (i && *c++ != ' ')
			return -EINVAL;
		if (!(*c == '-' || (*c >= '0' && *c <= '9')))
			return -EINVAL;
		errno = 0;
		/* The generation is a random 64-bit number: all of its range is valid. */
		if (i == 2) {
			if (*c == '-')
				return -EINVAL;
			generation = strtoull(c, &end, 10);
			v[i] = 0;
		} else {
			v[i] = strtoll(c, &end, 10);
		}
		if (errno || end == c)
			return -EINVAL;
		c = end;
	}
	if (*c != '\n' && *c != '\0')
		return -EINVAL;
	if (v[3] != 0 && v[3] != 1)
		return -EINVAL;
	for (int k = 0; k < PM_KINDS; k++)
		if (v[4 + k] < 1 || v[4 + k] > UINT32_MAX)
			return -EINVAL;
	memset(s, 0, sizeof(*s));
	*utc_ns = v[0];
	s->ts_ns = v[1];
	s->generation = generation;
	s->counters_from_zero = v[3];
	for (int k = 0; k < PM_KINDS; k++)
		s->nj_per_code[k] = (uint32_t)v[4 + k];
	s->neutral_ma = v[7];
	for (int n = 0; n < PM_PHASES; n++) {
		const int64_t *f = &v[8 + 9 * n];
		struct pm_scan_phase *p = &s->ph[n];

		p->v_mv = f[0];
		p->i_ma = f[1];
		p->p_mw = f[2];
		p->q_mvar = f[3];
		p->s_mva = f[4];
		p->f_mhz = f[5];
		for (int k = 0; k < PM_KINDS; k++)
			p->counter[k] = f[6 + k];
	}
	return 0;
}

int pm_recording_read(FILE *f, unsigned *line, int64_t *utc_ns, struct pm_scan *scan)
{
	char buf[1024];

	while (fgets(buf, sizeof(buf), f)) {
		size_t n = strlen(buf);

		++*line;
		if (n == sizeof(buf) - 1 && buf[n - 1] != '\n')
			return -EINVAL; /* longer than any record */
		if (*line == 1)
			return strcmp(buf, PM_REPLAY_HEADER "\n") == 0
				   ? pm_recording_read(f, line, utc_ns, scan)
				   : -EINVAL;
		if (buf[0] == '#')
			continue;
		return parse_record(buf, utc_ns, scan) < 0 ? -EINVAL : 1;
	}
	return ferror(f) ? -EIO : 0;
}

int pm_recording_check(const char *path, uint64_t *scans, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	int64_t utc, last_utc = INT64_MIN, last_ts = INT64_MIN;
	struct pm_scan s;
	unsigned line = 0;
	uint64_t n = 0;
	int r;

	err[0] = '\0';
	if (!f) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	while ((r = pm_recording_read(f, &line, &utc, &s)) > 0) {
		if (s.ts_ns <= last_ts || utc < last_utc) {
			snprintf(err, errlen, "%s:%u: time stamps must increase (TS_NS strictly)",
				 path, line);
			r = -EINVAL;
			break;
		}
		last_ts = s.ts_ns;
		last_utc = utc;
		n++;
	}
	if (r == -EINVAL && !err[0])
		snprintf(err, errlen,
			 line == 1 ? "%s:%u: not a recording (expected '" PM_REPLAY_HEADER "')"
				   : "%s:%u: expected 35 integers (see source-replay.h)",
			 path, line);
	else if (r == -EIO)
		snprintf(err, errlen, "%s: read error", path);
	else if (r == 0 && n == 0) {
		snprintf(err, errlen, "%s:%u: no scan in the recording", path, line ? line : 1);
		r = -EINVAL;
	}
	fclose(f);
	if (r < 0)
		return r;
	*scans = n;
	return 0;
}

struct source_replay {
	struct pm_source base;
	sd_event *event;
	const struct pm_conf_meter *conf;
	pm_scan_fn cb;
	void *userdata;
	sd_event_source *timer;
	FILE *f;
	unsigned line;

	struct pm_scan next; /* the scan to deliver next */
	int64_t next_utc;
	bool have_next;
	int64_t utc; /* of the scan being delivered */
	int64_t first_ts_ns;
	uint64_t real_start_us;
	uint64_t played;
};

/* Delivers the next scan, reading the one after it first (so finished() is right during the
 * callback of the last one). */
static void play_one(struct source_replay *s)
{
	struct pm_scan cur = s->next;
	int r;

	s->utc = s->next_utc;
	r = pm_recording_read(s->f, &s->line, &s->next_utc, &s->next);
	if (r < 0) /* checked at start: the file changed under us */
		log_error("meter %s: %s:%u: unreadable now, replay ends here", s->conf->name,
			  s->conf->replay_file, s->line);
	s->have_next = r > 0;
	s->played++;
	s->cb(s->userdata, &cur);
}

static int on_timer(sd_event_source *es, uint64_t usec, void *userdata)
{
	struct source_replay *s = userdata;
	unsigned batch = 0;
	uint64_t now, due_us = 0;

	(void)usec;
	sd_event_now(s->event, CLOCK_MONOTONIC, &now);
	while (s->have_next && batch++ < PM_REPLAY_BATCH) {
		if (!s->conf->replay_fast) {
			due_us =
			    s->real_start_us + (uint64_t)(s->next.ts_ns - s->first_ts_ns) / 1000;
			if (due_us > now)
				break;
		}
		play_one(s);
	}
	if (!s->have_next)
		return sd_event_source_set_enabled(es, SD_EVENT_OFF);
	sd_event_source_set_time(es, s->conf->replay_fast || due_us <= now ? 0 : due_us);
	return sd_event_source_set_enabled(es, SD_EVENT_ONESHOT);
}

static void replay_free(struct pm_source *base)
{
	struct source_replay *s = (struct source_replay *)base;

	sd_event_source_disable_unref(s->timer);
	sd_event_unref(s->event);
	if (s->f)
		fclose(s->f);
	free(s);
}

static bool replay_connected(const struct pm_source *base)
{
	return !((const struct source_replay *)base)->f ||
	       ((const struct source_replay *)base)->have_next;
}

static unsigned replay_losses(const struct pm_source *base)
{
	(void)base;
	return 0;
}

static bool replay_utc(const struct pm_source *base, int64_t *utc_ns)
{
	const struct source_replay *s = (const struct source_replay *)base;

	*utc_ns = s->played ? s->utc : s->next_utc;
	return true;
}

static bool replay_finished(const struct pm_source *base)
{
	return !((const struct source_replay *)base)->have_next;
}

static const struct pm_source_ops replay_ops = {
    .free = replay_free,
    .connected = replay_connected,
    .losses = replay_losses,
    .sim_utc = replay_utc,
    .finished = replay_finished,
};

int pm_source_replay_new(sd_event *event, const struct pm_conf_meter *conf, pm_scan_fn cb,
			 void *userdata, struct pm_source **ret)
{
	struct source_replay *s;
	uint64_t scans;
	char err[512] = "";
	int r;

	r = pm_recording_check(conf->replay_file, &scans, err, sizeof(err));
	if (r < 0) {
		log_error("meter %s: %s", conf->name, err); /* names the cause */
		return r;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->base.ops = &replay_ops;
	s->event = sd_event_ref(event);
	s->conf = conf;
	s->cb = cb;
	s->userdata = userdata;
	s->f = fopen(conf->replay_file, "re");
	r = s->f ? pm_recording_read(s->f, &s->line, &s->next_utc, &s->next) : -errno;
	if (r <= 0) {
		replay_free(&s->base);
		return log_error_errno(r < 0 ? r : -EINVAL, "meter %s: cannot read %s", conf->name,
				       conf->replay_file);
	}
	s->have_next = true;
	s->first_ts_ns = s->next.ts_ns;
	sd_event_now(event, CLOCK_MONOTONIC, &s->real_start_us);
	r = sd_event_add_time(event, &s->timer, CLOCK_MONOTONIC, 0, 0, on_timer, s);
	if (r < 0) {
		replay_free(&s->base);
		return r;
	}
	sd_event_source_set_enabled(s->timer, SD_EVENT_ONESHOT);
	log_info("meter %s: replaying %" PRIu64 " scans of %s %s", conf->name, scans,
		 conf->replay_file, conf->replay_fast ? "as fast as possible" : "at their pace");
	*ret = &s->base;
	return 0;
}
