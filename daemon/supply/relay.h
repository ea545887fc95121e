/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Supply control through GPIO lines (libgpiod 1.6, the kernel's GPIO character device): the
 * contactor and the auxiliary relay are outputs, the customer's confirmation button an input
 * whose edges are watched in the sd-event loop and debounced in software (libgpiod 1.6 speaks
 * the v1 uAPI, which has no debounce).
 *
 * A button press counts once: when the line has been steady at its active level for
 * debounce_ms, on_button runs; it runs again only after the line was steady inactive.
 */
#ifndef POLYMETER_RELAY_H
#define POLYMETER_RELAY_H

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "supply/relay-config.h"

enum pm_relay_output {
	PM_RELAY_CONTACTOR,
	PM_RELAY_AUX,
};

struct pm_relay;

/*
 * Takes the configured lines (the outputs at their initial state) and watches the button.
 * Lines with an empty spec are not used. Errors (logged with the line's spec and the reason:
 * no such chip, no such line, the line in use by another consumer, ...) are a negative errno;
 * nothing is held then.
 */
int pm_relay_new(sd_event *ev, const struct pm_relay_config *cfg, void (*on_button)(void *userdata),
		 void *userdata, struct pm_relay **out);

/* Drives an output: closed = the line at its active level. -ENODEV when not configured. */
int pm_relay_set(struct pm_relay *r, enum pm_relay_output out, bool closed);

/* The state last set (1 closed, 0 open), or -ENODEV when the output is not configured. */
int pm_relay_get(const struct pm_relay *r, enum pm_relay_output out);

/* The button's debounced state: true while held (false when not configured). */
bool pm_relay_button_pressed(const struct pm_relay *r);

/* Releases the lines (the outputs keep their last level: the kernel does not reset them). */
void pm_relay_free(struct pm_relay *r);

#endif
