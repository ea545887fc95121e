// SPDX-License-Identifier: GPL-2.0-only
/* The system's wall clock as the meters read it (see wall-clock-watch.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "acquire/wall-clock-watch.h"
#include "common/log.h"

#define NS INT64_C(1000000000)
/* systemd's ntp_synced(): the kernel's maximum error below 16 s (NTP_PHASE_LIMIT, which
 * settimeofday() sets it to), in microseconds */
#define NTP_SYNCED_MAXERROR_US 16000000
#define TIMESYNC_FILE "/run/systemd/timesync/synchronized"
#define RTC_HCTOSYS "/sys/class/rtc/rtc0/hctosys"

struct pm_wall_watch {
	enum pm_clock_trust trust;
	bool rtc_set_clock; /* rtc0 set the system clock at boot */
	bool adjtimex_refused;
	int fd;
	sd_event_source *io;
	void (*set)(void *userdata);
	void *userdata;
	/* the wall clock's offset from the boot clock at the last reading, and when it was last
	 * set (for the timesyncd file: a sync older than the set does not count) */
	bool have_offset;
	int64_t offset_ns;
	int64_t set_wall_ns;
	const char *test_file; /* POLYMETERD_TEST_WALL_CLOCK (tests/daemon/clock-jump) */
};

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

/* The timer far ahead: it never expires, it is cancelled when the clock is set. */
static int arm(struct pm_wall_watch *w)
{
	struct itimerspec its = {0};

	its.it_value.tv_sec = (time_t)(clock_ns(CLOCK_REALTIME) / NS) + 10 * 366 * 86400;
	if (timerfd_settime(w->fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL) < 0)
		return -errno;
	return 0;
}

static int on_set(sd_event_source *es, int fd, uint32_t revents, void *userdata)
{
	struct pm_wall_watch *w = userdata;
	uint64_t expirations;

	(void)es;
	(void)revents;
	/* ECANCELED: the clock was set; the timer must be armed again either way */
	if (read(fd, &expirations, sizeof(expirations)) < 0 && errno != ECANCELED &&
	    errno != EAGAIN)
		log_warning("clock watch: %s", strerror(errno));
	if (arm(w) < 0)
		log_warning("clock watch: cannot re-arm: %s", strerror(errno));
	if (w->set)
		w->set(w->userdata);
	return 0;
}

static bool read_rtc_hctosys(void)
{
	char buf[8] = "";
	FILE *f = fopen(RTC_HCTOSYS, "re");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return buf[0] == '1';
}

int pm_wall_watch_new(sd_event *event, enum pm_clock_trust trust, void (*set)(void *userdata),
		      void *userdata, struct pm_wall_watch **out)
{
	struct pm_wall_watch *w = calloc(1, sizeof(*w));
	int r;

	*out = NULL;
	if (!w)
		return -ENOMEM;
	w->trust = trust;
	w->set = set;
	w->userdata = userdata;
	w->rtc_set_clock = trust == PM_CLOCK_TRUST_RTC && read_rtc_hctosys();
	w->test_file = getenv("POLYMETERD_TEST_WALL_CLOCK");
	if (w->test_file && !w->test_file[0])
		w->test_file = NULL;
	w->fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (w->fd < 0) {
		r = -errno;
		free(w);
		return log_error_errno(r, "cannot create the clock watch");
	}
	r = arm(w);
	if (r >= 0)
		r = sd_event_add_io(event, &w->io, w->fd, EPOLLIN, on_set, w);
	if (r < 0) {
		pm_wall_watch_free(w);
		return log_error_errno(r, "cannot watch the clock being set");
	}
	*out = w;
	return 0;
}

void pm_wall_watch_free(struct pm_wall_watch *w)
{
	if (!w)
		return;
	sd_event_source_disable_unref(w->io);
	if (w->fd >= 0)
		close(w->fd);
	free(w);
}

/* timesyncd's file, touched after the clock was last set. */
static bool timesync_file_fresh(const struct pm_wall_watch *w)
{
	struct stat st;

	if (stat(TIMESYNC_FILE, &st) < 0)
		return false;
	return (int64_t)st.st_mtim.tv_sec * NS + st.st_mtim.tv_nsec >= w->set_wall_ns;
}

static bool ntp_synced(struct pm_wall_watch *w)
{
	struct timex tx = {0};

	if (!w->adjtimex_refused) {
		if (adjtimex(&tx) >= 0)
			return tx.maxerror < NTP_SYNCED_MAXERROR_US;
		if (errno == EPERM || errno == ENOSYS) {
			w->adjtimex_refused = true; /* seccomp (ProtectClock=): the file says it */
			log_info("adjtimex() refused: the clock is trusted once systemd-timesyncd "
				 "says it synchronised (" TIMESYNC_FILE ")");
		}
	}
	return timesync_file_fresh(w);
}

/*
 * The test hook (tests/daemon/clock-jump only; the VM case clock_jump sets the guest's real
 * clock): a file holding "OFFSET_S SYNCED" moves this process's view of the wall clock by
 * OFFSET_S seconds and says whether it is synchronised.
 */
static bool test_clock(const struct pm_wall_watch *w, int64_t *offset_ns, bool *synced)
{
	long long off = 0;
	int sync = 1;
	FILE *f;

	if (!w->test_file)
		return false;
	f = fopen(w->test_file, "re");
	if (!f)
		return false;
	if (fscanf(f, "%lld %d", &off, &sync) < 1)
		off = 0;
	fclose(f);
	*offset_ns = (int64_t)off * NS;
	*synced = sync != 0;
	return true;
}

void pm_wall_watch_read(struct pm_wall_watch *w, struct pm_wall_reading *r)
{
	int64_t test_offset = 0, offset;
	bool test_synced = true, test;

	r->wall_ns = clock_ns(CLOCK_REALTIME);
	r->boot_ns = clock_ns(CLOCK_BOOTTIME);
	r->trusted = true;
	if (!w)
		return;
	test = test_clock(w, &test_offset, &test_synced);
	r->wall_ns += test_offset;
	offset = r->wall_ns - r->boot_ns;
	if (w->have_offset && (offset - w->offset_ns > PM_WALL_CLOCK_JUMP_NS ||
			       w->offset_ns - offset > PM_WALL_CLOCK_JUMP_NS))
		w->set_wall_ns = r->wall_ns;
	w->have_offset = true;
	w->offset_ns = offset;
	switch (w->trust) {
	case PM_CLOCK_TRUST_ALWAYS:
		break;
	case PM_CLOCK_TRUST_RTC:
		if (w->rtc_set_clock)
			break;
		/* fall through */
	case PM_CLOCK_TRUST_NTP:
		r->trusted = test ? test_synced : ntp_synced(w);
		break;
	}
}
