/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What start-up checks of a meter's DLMS clients' secrets (check-config.h): each client's
 * files readable and kept as secrets are (the mode rule of app/secret-file.h), and no secret
 * that proves one client proving another:
 *
 *   - two clients of different rights with one password, or one authentication key: the
 *     weaker one's secret would let it associate as the stronger;
 *   - two clients with one encryption key, whatever their rights: the invocation counters are
 *     kept per (meter system title, encryption key), and two clients drawing on one row would
 *     refuse each other's counters as replays;
 *   - two entries naming one file (a link to it included): the file would be both's secret.
 *
 * Secrets are compared in constant time and wiped after.
 */
#ifndef POLYMETER_CHECK_DLMS_CLIENTS_H
#define POLYMETER_CHECK_DLMS_CLIENTS_H

#include <stddef.h>

#include "app/conf.h"

/* 0, or a negative errno with "@path:LINE: meter NAME: ..." in @err. */
int pm_check_dlms_clients(const struct pm_conf_meter *m, const char *path, char *err, size_t len);

#endif
