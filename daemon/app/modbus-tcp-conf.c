// SPDX-License-Identifier: GPL-2.0-only
/* A meter's modbus_tcp_* keys as the server's configuration (modbus-tcp-conf.h). */
#include "app/modbus-tcp-conf.h"

#define USEC_PER_SEC 1000000ULL

void pm_conf_mbtcp(const struct pm_conf_meter *m, struct pm_stream_config *cfg)
{
	pm_mbtcp_config_default(cfg);
	cfg->address = m->modbus_tcp_address[0] ? m->modbus_tcp_address : NULL;
	cfg->port = (uint16_t)m->modbus_tcp_port;
	cfg->max_conn = m->modbus_tcp_max_conn;
	cfg->idle_usec = m->modbus_tcp_idle_timeout_s * USEC_PER_SEC;
	cfg->header_usec = m->modbus_tcp_header_timeout_s * USEC_PER_SEC;
}
