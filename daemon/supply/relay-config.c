// SPDX-License-Identifier: GPL-2.0-only
/*
 * The supply-control lines' configuration (see relay-config.h): defaults and the syntax of a
 * line spec, without libgpiod.
 */
#include <errno.h>
#include <string.h>

#include "supply/relay-config.h"

void pm_relay_config_defaults(struct pm_relay_config *c)
{
	memset(c, 0, sizeof(*c));
	c->debounce_ms = 50;
	/* A daemon restart must not cut the customer's supply: closed until the engine decides */
	c->contactor_initially_closed = true;
	c->aux_initially_closed = false;
}

/* printable, no white space: what the kernel's line names and chip labels are in practice */
static bool plain(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

int pm_relay_spec_check(const char *spec)
{
	size_t n = strlen(spec);
	const char *colon = strrchr(spec, ':');

	if (n == 0 || n >= PM_RELAY_SPEC_MAX || !plain(spec, n))
		return -EINVAL;
	if (!colon)
		return 0; /* a line name */
	/* CHIP:OFFSET: a chip and a decimal offset of at most 4 digits (chips have < 65536) */
	size_t off = strlen(colon + 1);
	if (colon == spec || off == 0 || off > 4 || strspn(colon + 1, "0123456789") != off)
		return -EINVAL;
	return 0;
}
