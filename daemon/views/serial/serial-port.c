// SPDX-License-Identifier: GPL-2.0-only
/* A serial port for a protocol server on the event loop (serial-port.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "common/log.h"
#include "views/serial/serial-port.h"

#define READ_CHUNK 512
#define READS_PER_WAKEUP 8
#define HUP_RETRY_USEC 1000000 /* the other end of a pty went away: look again later */

struct pm_serial_port {
	const char *who;
	char *device;
	int fd;
	bool rs485;
	bool hup_logged;
	sd_event_source *io;
	sd_event_source *retry;
	pm_serial_rx_fn rx;
	pm_serial_hup_fn hup;
	void *data;
	uint8_t *out;
	size_t out_max, out_off, out_len;
};

/* Writes what it can; returns 0 or a negative errno. */
static int flush_out(struct pm_serial_port *p)
{
	while (p->out_len > 0) {
		ssize_t n = write(p->fd, p->out + p->out_off, p->out_len);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			/* the line is gone: drop what waits, never spin on it */
			p->out_off = p->out_len = 0;
			(void)sd_event_source_set_io_events(p->io, EPOLLIN);
			return -errno;
		}
		p->out_off += (size_t)n;
		p->out_len -= (size_t)n;
	}
	if (p->out_len == 0)
		p->out_off = 0;
	return sd_event_source_set_io_events(p->io, EPOLLIN | (p->out_len > 0 ? EPOLLOUT : 0));
}

int pm_serial_port_send(struct pm_serial_port *p, const uint8_t *b, size_t n)
{
	if (p->out_len + n > p->out_max)
		return -ENOBUFS;
	if (p->out_off + p->out_len + n > p->out_max) {
		memmove(p->out, p->out + p->out_off, p->out_len);
		p->out_off = 0;
	}
	memcpy(p->out + p->out_off + p->out_len, b, n);
	p->out_len += n;
	return flush_out(p);
}

size_t pm_serial_port_queued(const struct pm_serial_port *p)
{
	return p->out_len;
}

size_t pm_serial_port_unsent(const struct pm_serial_port *p)
{
	int n = 0;

	if (ioctl(p->fd, TIOCOUTQ, &n) < 0 || n < 0)
		return 0;
	return (size_t)n;
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct pm_serial_port *p = userdata;

	(void)s;
	(void)usec;
	return sd_event_source_set_enabled(p->io, SD_EVENT_ON);
}

/* The line hung up (the other end of a pty closed): pause instead of spinning. */
static int hangup(struct pm_serial_port *p)
{
	int r;

	if (!p->hup_logged)
		log_warning("%s: %s: hung up, retrying every second", p->who, p->device);
	p->hup_logged = true;
	if (p->hup)
		p->hup(p->data);
	r = sd_event_source_set_enabled(p->io, SD_EVENT_OFF);
	if (r >= 0)
		r = sd_event_source_set_time_relative(p->retry, HUP_RETRY_USEC);
	if (r >= 0)
		r = sd_event_source_set_enabled(p->retry, SD_EVENT_ONESHOT);
	return r;
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct pm_serial_port *p = userdata;
	bool got = false, eof = false;
	int r;

	(void)s;
	if (revents & EPOLLOUT) {
		r = flush_out(p);
		if (r < 0 && r != -EIO)
			log_warning_errno(r, "%s: write", p->who);
	}
	for (int i = 0; i < READS_PER_WAKEUP; i++) {
		uint8_t buf[READ_CHUNK];
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EIO)
			return hangup(p);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			log_warning_errno(-errno, "%s: read", p->who);
			return hangup(p);
		}
		if (n == 0) {
			eof = true; /* hung up (a tty without data says EAGAIN) */
			break;
		}
		if (n < 0)
			break;
		got = true;
		p->hup_logged = false;
		p->rx(p->data, buf, (size_t)n);
	}
	if (!got && (eof || (revents & (EPOLLHUP | EPOLLERR))))
		return hangup(p);
	return 0;
}

int pm_serial_port_new(sd_event *event, const char *who, const char *device,
		       const struct pm_tty_line *line, bool rs485, size_t out_max,
		       pm_serial_rx_fn rx, pm_serial_hup_fn hup, void *data,
		       struct pm_serial_port **out)
{
	struct pm_serial_port *p = calloc(1, sizeof(*p));
	int r;

	if (!p)
		return -ENOMEM;
	p->who = who;
	p->fd = -1;
	p->rx = rx;
	p->hup = hup;
	p->data = data;
	p->out_max = out_max;
	p->device = strdup(device);
	p->out = malloc(out_max);
	if (!p->device || !p->out) {
		r = -ENOMEM;
		goto fail;
	}
	p->fd = pm_tty_open(device);
	if (p->fd < 0) {
		r = p->fd;
		goto fail;
	}
	r = pm_tty_set_line(p->fd, line, who, device);
	if (r < 0)
		goto fail;
	if (rs485)
		p->rs485 = pm_tty_rs485(p->fd, who, device);
	r = sd_event_add_io(event, &p->io, p->fd, EPOLLIN, on_io, p);
	if (r < 0)
		goto fail;
	r = sd_event_add_time_relative(event, &p->retry, CLOCK_MONOTONIC, HUP_RETRY_USEC, 0,
				       on_retry, p);
	if (r < 0)
		goto fail;
	sd_event_source_set_enabled(p->retry, SD_EVENT_OFF);
	*out = p;
	return 0;
fail:
	pm_serial_port_free(p);
	return r;
}

struct pm_serial_port *pm_serial_port_free(struct pm_serial_port *p)
{
	if (!p)
		return NULL;
	sd_event_source_disable_unref(p->io);
	sd_event_source_disable_unref(p->retry);
	if (p->fd >= 0)
		close(p->fd);
	free(p->device);
	free(p->out);
	free(p);
	return NULL;
}

int pm_serial_port_set_line(struct pm_serial_port *p, const struct pm_tty_line *line)
{
	return pm_tty_set_line(p->fd, line, p->who, p->device);
}

const char *pm_serial_port_device(const struct pm_serial_port *p)
{
	return p->device;
}

bool pm_serial_port_rs485(const struct pm_serial_port *p)
{
	return p->rs485;
}
