/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The supply-control lines of one meter, as the configuration gives them (conf.c fills it,
 * relay.c uses it). A plain struct with no library types, so that the config parser and its
 * unit test need no libgpiod.
 */
#ifndef POLYMETER_RELAY_CONFIG_H
#define POLYMETER_RELAY_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#define PM_RELAY_SPEC_MAX 64

/*
 * One GPIO line: "CHIP:OFFSET" (CHIP as libgpiod's gpiod_chip_open_lookup() takes it: gpiochip0,
 * /dev/gpiochip0, 0 or the chip's label) or the line's name (from the device tree's
 * gpio-line-names). "" = the line is not used.
 */
struct pm_relay_line {
	char spec[PM_RELAY_SPEC_MAX];
	bool active_low; /* the line's physical level is low when closed (pressed) */
};

struct pm_relay_config {
	struct pm_relay_line contactor; /* the supply contactor: closed = supply on */
	struct pm_relay_line aux;    /* the auxiliary relay (follows the tariff's switch points) */
	struct pm_relay_line button; /* the customer's confirmation button: an input */
	uint32_t debounce_ms;	     /* the button must be steady this long to count */
	/* The outputs' state when the lines are taken, before the account engine speaks */
	bool contactor_initially_closed;
	bool aux_initially_closed;
};

/* Defaults: no lines; 50 ms debounce; the contactor stays closed, the aux relay open. */
void pm_relay_config_defaults(struct pm_relay_config *c);

/* Checks a line spec's syntax (not whether the line exists): 0 or -EINVAL. */
int pm_relay_spec_check(const char *spec);

#endif
