/* SPDX-License-Identifier: GPL-2.0-only */
/* polymeterctl's account commands (polymeterctl-account.c lists them). */
#ifndef POLYMETER_POLYMETERCTL_ACCOUNT_H
#define POLYMETER_POLYMETERCTL_ACCOUNT_H

#include <stdbool.h>

bool pm_ctl_account_is_command(const char *cmd);
/* argv[0] is the command; @meter from --meter (may be NULL). Returns the exit status. */
int pm_ctl_account_main(bool user, bool json, const char *meter, int argc, char **argv);

#endif
