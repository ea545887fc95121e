// SPDX-License-Identifier: GPL-2.0-only
/*
 * The confirmation of a destructive command (polymeterctl-internal.h): a change of tenancy or a
 * disconnection cannot be taken back by another command, so a person at a terminal is asked,
 * and a script says --yes. Without either nothing is sent.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl/polymeterctl-internal.h"

bool ctl_confirm(bool yes, const char *what)
{
	char line[16];

	if (yes)
		return true;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr,
			"polymeterctl: %s: not done. Confirm with --yes (no terminal to "
			"ask on)\n",
			what);
		return false;
	}
	fprintf(stderr, "%s. Continue? [y/N] ", what);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin) || (strcmp(line, "y\n") && strcmp(line, "yes\n"))) {
		fprintf(stderr, "polymeterctl: not done\n");
		return false;
	}
	return true;
}
