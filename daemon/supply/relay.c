// SPDX-License-Identifier: GPL-2.0-only
/*
 * Supply control through libgpiod 1.6 (see relay.h). Each configured line is opened with its
 * own chip handle (gpiod_line_close_chip() releases both); the button is requested for both
 * edges and its event fd joins the sd-event loop.
 */
#include <errno.h>
#include <gpiod.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "common/log.h"
#include "supply/relay.h"

#define PM_RELAY_CONSUMER "polymeterd"

struct pm_relay {
	struct gpiod_line *contactor, *aux, *button;
	bool state[2]; /* last set, by enum pm_relay_output */
	uint32_t debounce_ms;
	bool pressed; /* the button's debounced state */
	sd_event_source *button_io;
	sd_event_source *button_timer;
	void (*on_button)(void *userdata);
	void *userdata;
};

/* A spec to a line (its chip opened for it), or NULL with a logged reason and errno set. */
static struct gpiod_line *line_open(const char *what, const char *spec)
{
	const char *colon = strrchr(spec, ':');
	struct gpiod_line *line;
	int r;

	if (pm_relay_spec_check(spec) < 0) {
		log_error("%s: bad GPIO line '%s' (expected CHIP:OFFSET or a line name)", what,
			  spec);
		errno = EINVAL;
		return NULL;
	}
	if (!colon) {
		errno = 0;
		line = gpiod_line_find(spec);
		if (!line) {
			r = errno ? errno : ENOENT;
			if (r == ENOENT)
				log_error("%s: no GPIO line named '%s' on any chip", what, spec);
			else
				log_error("%s: looking for GPIO line '%s': %s", what, spec,
					  strerror(r));
			errno = r;
		}
		return line;
	}

	char chip_name[PM_RELAY_SPEC_MAX];
	size_t n = (size_t)(colon - spec);
	unsigned offset = (unsigned)strtoul(colon + 1, NULL, 10);
	struct gpiod_chip *chip;

	memcpy(chip_name, spec, n);
	chip_name[n] = '\0';
	chip = gpiod_chip_open_lookup(chip_name);
	if (!chip) {
		r = errno ? errno : ENOENT;
		log_error("%s: no GPIO chip '%s' (%s)", what, chip_name, strerror(r));
		errno = r;
		return NULL;
	}
	if (offset >= gpiod_chip_num_lines(chip)) {
		log_error("%s: GPIO chip '%s' (%s) has no line %u (it has %u)", what, chip_name,
			  gpiod_chip_name(chip), offset, gpiod_chip_num_lines(chip));
		gpiod_chip_close(chip);
		errno = ENOENT;
		return NULL;
	}
	line = gpiod_chip_get_line(chip, offset);
	if (!line) {
		r = errno;
		log_error("%s: GPIO line %s: %s", what, spec, strerror(r));
		gpiod_chip_close(chip);
		errno = r;
	}
	return line;
}

/* Logs why a request failed, naming the other consumer when the line is taken. */
static int request_failed(const char *what, const char *spec, struct gpiod_line *line)
{
	int r = errno;

	if (r == EBUSY) {
		const char *consumer = NULL;

		if (gpiod_line_update(line) == 0)
			consumer = gpiod_line_consumer(line);
		log_error("%s: GPIO line '%s' is in use by %s", what, spec,
			  consumer ? consumer : "another consumer");
	} else {
		log_error("%s: requesting GPIO line '%s': %s", what, spec, strerror(r));
	}
	return -r;
}

/* Requests an opened output line at its initial state. */
static int output_request(const char *what, const struct pm_relay_line *cfg, bool closed,
			  struct gpiod_line *line)
{
	int flags = cfg->active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;

	if (!line)
		return 0;
	if (gpiod_line_request_output_flags(line, PM_RELAY_CONSUMER, flags, closed) < 0)
		return request_failed(what, cfg->spec, line);
	return 0;
}

/* Looks a configured line up (not requested yet); an empty spec is no line. */
static int line_lookup(const char *what, const struct pm_relay_line *cfg, struct gpiod_line **out)
{
	*out = NULL;
	if (!cfg->spec[0])
		return 0;
	*out = line_open(what, cfg->spec);
	return *out ? 0 : -errno;
}

static void line_free(struct gpiod_line *line)
{
	if (!line)
		return;
	if (gpiod_line_is_requested(line))
		gpiod_line_release(line);
	gpiod_line_close_chip(line);
}

/* The button has been quiet for debounce_ms: its level now is the debounced state. */
static int on_button_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct pm_relay *r = userdata;
	int v = gpiod_line_get_value(r->button);

	(void)s;
	(void)usec;
	if (v < 0) {
		log_warning_errno(-errno, "button: reading the line");
		return 0;
	}
	if (v && !r->pressed) {
		r->pressed = true;
		log_info("button: pressed");
		if (r->on_button)
			r->on_button(r->userdata);
	} else if (!v && r->pressed) {
		r->pressed = false;
		log_debug("button: released");
	}
	return 0;
}

/* Any edge (re)starts the quiet period; only its end looks at the level. */
static int on_button_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct pm_relay *r = userdata;
	struct gpiod_line_event ev[16];
	int n;

	(void)s;
	(void)revents;
	n = gpiod_line_event_read_fd_multiple(fd, ev, 16);
	if (n < 0) {
		log_warning_errno(-errno, "button: reading its events");
		return 0;
	}
	if (n == 0)
		return 0;
	if (sd_event_source_set_time_relative(r->button_timer, (uint64_t)r->debounce_ms * 1000) <
		0 ||
	    sd_event_source_set_enabled(r->button_timer, SD_EVENT_ONESHOT) < 0)
		log_warning("button: cannot arm the debounce timer");
	return 0;
}

static int button_open(sd_event *ev, const struct pm_relay_config *cfg, struct pm_relay *r)
{
	int flags = cfg->button.active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
	int v, rc;

	if (!r->button)
		return 0;
	if (gpiod_line_request_both_edges_events_flags(r->button, PM_RELAY_CONSUMER, flags) < 0)
		return request_failed("button", cfg->button.spec, r->button);
	/* A button already held when we start is not a press we saw */
	v = gpiod_line_get_value(r->button);
	r->pressed = v > 0;
	rc = sd_event_add_io(ev, &r->button_io, gpiod_line_event_get_fd(r->button), EPOLLIN,
			     on_button_io, r);
	if (rc < 0)
		return log_error_errno(rc, "button: watching its events");
	rc = sd_event_add_time_relative(ev, &r->button_timer, CLOCK_MONOTONIC, 0, 0,
					on_button_timer, r);
	if (rc < 0)
		return log_error_errno(rc, "button: debounce timer");
	return sd_event_source_set_enabled(r->button_timer, SD_EVENT_OFF);
}

int pm_relay_new(sd_event *ev, const struct pm_relay_config *cfg, void (*on_button)(void *userdata),
		 void *userdata, struct pm_relay **out)
{
	struct pm_relay *r = calloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	r->debounce_ms = cfg->debounce_ms;
	r->on_button = on_button;
	r->userdata = userdata;
	r->state[PM_RELAY_CONTACTOR] = cfg->contactor_initially_closed;
	r->state[PM_RELAY_AUX] = cfg->aux_initially_closed;
	/*
	 * Every line is looked up before any is requested, and the outputs are requested last
	 * (the contactor after the aux relay): a bad spec or a busy line changes no output.
	 */
	rc = line_lookup("contactor", &cfg->contactor, &r->contactor);
	if (rc == 0)
		rc = line_lookup("aux relay", &cfg->aux, &r->aux);
	if (rc == 0)
		rc = line_lookup("button", &cfg->button, &r->button);
	if (rc == 0)
		rc = button_open(ev, cfg, r);
	if (rc == 0)
		rc = output_request("aux relay", &cfg->aux, cfg->aux_initially_closed, r->aux);
	if (rc == 0)
		rc = output_request("contactor", &cfg->contactor, cfg->contactor_initially_closed,
				    r->contactor);
	if (rc < 0) {
		pm_relay_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

static struct gpiod_line *output_line(const struct pm_relay *r, enum pm_relay_output out)
{
	switch (out) {
	case PM_RELAY_CONTACTOR:
		return r->contactor;
	case PM_RELAY_AUX:
		return r->aux;
	}
	return NULL;
}

int pm_relay_set(struct pm_relay *r, enum pm_relay_output out, bool closed)
{
	struct gpiod_line *line = output_line(r, out);

	if (!line)
		return -ENODEV;
	if (gpiod_line_set_value(line, closed) < 0)
		return log_error_errno(-errno, "%s: setting the GPIO line",
				       out == PM_RELAY_CONTACTOR ? "contactor" : "aux relay");
	r->state[out] = closed;
	return 0;
}

int pm_relay_get(const struct pm_relay *r, enum pm_relay_output out)
{
	if (!output_line(r, out))
		return -ENODEV;
	return r->state[out];
}

bool pm_relay_button_pressed(const struct pm_relay *r)
{
	return r->button && r->pressed;
}

void pm_relay_free(struct pm_relay *r)
{
	if (!r)
		return;
	sd_event_source_disable_unref(r->button_timer);
	sd_event_source_disable_unref(r->button_io);
	line_free(r->button);
	line_free(r->aux);
	line_free(r->contactor);
	free(r);
}
