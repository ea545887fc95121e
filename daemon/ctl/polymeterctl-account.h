/* SPDX-License-Identifier: GPL-2.0-only */
/* polymeterctl's account commands (polymeterctl-account.c lists them). */
#ifndef POLYMETER_POLYMETERCTL_ACCOUNT_H
#define POLYMETER_POLYMETERCTL_ACCOUNT_H

#include <stdbool.h>

/*
 * When polymeterctl's command line names an account command, runs it (its options: --user,
 * --json, --meter NAME) and returns the exit status; otherwise returns -1 and consumes nothing.
 */
int pm_ctl_account_dispatch(int argc, char **argv);

#endif
