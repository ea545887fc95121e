/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A meter's modbus_tcp_* keys (app/conf.h) as the Modbus TCP server's configuration
 * (views/modbus/modbus-tcp.h): the one place that turns the file's units into the server's.
 */
#ifndef POLYMETER_MODBUS_TCP_CONF_H
#define POLYMETER_MODBUS_TCP_CONF_H

#include "app/conf.h"
#include "views/modbus/modbus-tcp.h"

/* Fills @cfg from @m; the address points into @m, which must outlive the server's start. */
void pm_conf_mbtcp(const struct pm_conf_meter *m, struct pm_stream_config *cfg);

#endif
