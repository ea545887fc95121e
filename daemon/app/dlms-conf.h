/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A meter's dlms_* keys (app/conf.h) as the DLMS servers' configuration
 * (views/dlms/dlms-tcp.h, views/dlms/dlms-serial.h), and the management client's password read from
 * its file.
 */
#ifndef POLYMETER_DLMS_CONF_H
#define POLYMETER_DLMS_CONF_H

#include <stddef.h>

#include "app/conf.h"
#include "views/dlms/dlms-serial.h"
#include "views/dlms/dlms-tcp.h"

/* Fills @cfg from @m; the address points into @m, which must outlive the server's start. */
void pm_conf_dlms(const struct pm_conf_meter *m, struct pm_stream_config *cfg);
/* The HDLC line of @m's dlms_hdlc_* keys; the device points into @m. */
void pm_conf_dlms_serial(const struct pm_conf_meter *m, struct pm_dlms_serial_config *cfg);

/*
 * The client SAPs the server associates with (server.h struct pm_dlms_client_rule): the
 * standard two, SAP 1 management (LLS or HLS-GMAC) and SAP 16 public (no authentication),
 * each replaced by a dlms_clients entry of its SAP, then the others dlms_clients names. Fills
 * @rules (PM_DLMS_MAX_CLIENTS) and returns how many.
 */
size_t pm_conf_dlms_clients(const struct pm_conf_meter *m,
			    struct pm_dlms_client_rule rules[PM_DLMS_MAX_CLIENTS]);

/*
 * The password in @path: its first line without the line end, 1..PM_DLMS_PASSWORD_MAX (server.h)
 * printable ASCII characters, into @buf (PM_DLMS_PASSWORD_MAX + 1 bytes). A file that others
 * may read is refused: the password lets a client disconnect the supply. Returns 0, or a
 * negative errno with @why saying what is wrong.
 */
int pm_dlms_read_password(const char *path, char *buf, const char **why);

#endif
