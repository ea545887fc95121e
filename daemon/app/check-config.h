/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What start-up checks beyond the file's syntax, in one place: `polymeterd --check-config`
 * runs it and so does every start, before anything is opened, so a configuration the check
 * calls valid is one the daemon starts with, and one it refuses is refused by both with the
 * same message. For each meter: its time zone is a tzdata zone, its tariff file loads, its
 * account builds from the configured amounts and the tariff (as for a meter with no stored
 * account), a recording to replay is whole, the file to record to can be created, and the
 * DLMS management password file is readable by the daemon alone. What the file alone shows
 * (ports, buses, keys that go together) is the parser's (conf-validate.c, conf-listeners.c).
 */
#ifndef POLYMETER_CHECK_CONFIG_H
#define POLYMETER_CHECK_CONFIG_H

#include <stddef.h>

#include "app/conf.h"

/* 0, or a negative errno with "path:line: meter NAME: ..." in @err (@path: the config's). */
int pm_check_config(const char *path, const struct pm_conf *conf, char *err, size_t errlen);

#endif
