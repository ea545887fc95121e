/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * polymeter-web's settings: the [web] section of /etc/polymeter/web.conf (INI), then the
 * command line, which wins. Every key is checked; a bad file changes nothing and names the
 * file, the line and the key.
 */
#ifndef POLYMETER_WEB_CONF_H
#define POLYMETER_WEB_CONF_H

#include <stdbool.h>

#include "views/web/web-http.h"

#define WEB_CONF_DEFAULT "/etc/polymeter/web.conf"

struct web_conf {
	struct web_http_conf http;
	bool user_bus; /* the session bus (tests, a host's quick start) instead of the system bus */
	char address[64];
	char root[256];
};

void web_conf_defaults(struct web_conf *c);

/* Reads @path into @c. -ENOENT when the file is missing (@required: an error, logged); other
 * errors are logged with file and line. */
int web_conf_load(struct web_conf *c, const char *path, bool required);

/* The setters the file and the command line share: 0 or -EINVAL with a message in @err. */
int web_conf_set(struct web_conf *c, const char *key, const char *value, char *err, size_t errlen);

#endif
