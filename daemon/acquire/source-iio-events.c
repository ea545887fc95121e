// SPDX-License-Identifier: GPL-2.0-only
/* The IIO event chardev of a local meter device (see source-iio-events.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/iio/events.h>
#include <linux/iio/types.h>

#include "common/log.h"
#include "acquire/source-iio-events.h"

struct pm_iio_events {
	int fd;
	sd_event_source *io;
	pm_chip_event_fn fn;
	void *userdata;
	char dev_id[32];
};

int pm_iio_event_decode(uint64_t id, struct pm_chip_event *ev)
{
	unsigned chan_type = (unsigned)IIO_EVENT_CODE_EXTRACT_CHAN_TYPE(id);
	unsigned type = (unsigned)IIO_EVENT_CODE_EXTRACT_TYPE(id);
	unsigned dir = (unsigned)IIO_EVENT_CODE_EXTRACT_DIR(id);
	int chan = IIO_EVENT_CODE_EXTRACT_CHAN(id);

	if (type != IIO_EV_TYPE_THRESH || (dir != IIO_EV_DIR_RISING && dir != IIO_EV_DIR_FALLING))
		return -EINVAL;
	memset(ev, 0, sizeof(*ev));
	ev->phase = chan;
	ev->rising = dir == IIO_EV_DIR_RISING;
	switch (chan_type) {
	case IIO_ALTVOLTAGE:
		ev->kind = ev->rising ? PM_CHIP_SWELL : PM_CHIP_DIP;
		return chan >= 0 && chan < PM_PHASES ? 0 : -EINVAL;
	case IIO_POWER:
		/* falling: the active power became export; rising: import again */
		ev->kind = PM_CHIP_REVERSE;
		return chan >= 0 && chan < PM_PHASES ? 0 : -EINVAL;
	case IIO_CURRENT:
		ev->kind = PM_CHIP_OVERCURRENT;
		return ev->rising && chan >= 0 && chan <= PM_PHASES ? 0 : -EINVAL;
	default:
		return -EINVAL;
	}
}

static int on_event(sd_event_source *es, int fd, uint32_t revents, void *userdata)
{
	struct pm_iio_events *e = userdata;
	struct iio_event_data data;
	struct pm_chip_event ev;

	(void)es;
	(void)revents;
	for (;;) {
		ssize_t n = read(fd, &data, sizeof(data));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n != (ssize_t)sizeof(data)) {
			/* the device went away: the source reconnects and reopens us */
			log_warning("%s: event fd: %s; events off until the device is back",
				    e->dev_id, n < 0 ? strerror(errno) : "short read");
			e->io = sd_event_source_disable_unref(e->io);
			return 0;
		}
		if (pm_iio_event_decode(data.id, &ev) == 0) {
			/* the driver stamps events and scans with the same iio_get_time_ns() */
			ev.ts_ns = data.timestamp;
			e->fn(e->userdata, &ev);
		} else
			log_debug("%s: event 0x%llx ignored", e->dev_id,
				  (unsigned long long)data.id);
	}
}

int pm_iio_events_open(sd_event *event, const char *dev_id, pm_chip_event_fn fn, void *userdata,
		       struct pm_iio_events **out)
{
	struct pm_iio_events *e;
	char path[64];
	int devfd, r;

	*out = NULL;
	snprintf(path, sizeof(path), "/dev/%s", dev_id);
	devfd = open(path, O_RDONLY | O_CLOEXEC);
	if (devfd < 0)
		return -errno;
	e = calloc(1, sizeof(*e));
	if (!e) {
		close(devfd);
		return -ENOMEM;
	}
	e->fd = -1;
	e->fn = fn;
	e->userdata = userdata;
	snprintf(e->dev_id, sizeof(e->dev_id), "%s", dev_id);
	/* the chardev stays with libiio's buffer; only the event fd is ours */
	r = ioctl(devfd, IIO_GET_EVENT_FD_IOCTL, &e->fd);
	r = r < 0 ? (errno == ENODEV ? -ENODEV : -errno) : 0;
	close(devfd);
	if (!r && fcntl(e->fd, F_SETFL, O_NONBLOCK) < 0)
		r = -errno;
	if (!r)
		r = sd_event_add_io(event, &e->io, e->fd, EPOLLIN, on_event, e);
	if (r < 0) {
		pm_iio_events_close(e);
		return r;
	}
	*out = e;
	return 0;
}

struct pm_iio_events *pm_iio_events_close(struct pm_iio_events *e)
{
	if (!e)
		return NULL;
	sd_event_source_disable_unref(e->io);
	if (e->fd >= 0)
		close(e->fd);
	free(e);
	return NULL;
}
