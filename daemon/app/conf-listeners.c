// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TCP listeners of a configuration, checked across meters and protocols: every meter's
 * Modbus TCP server and DLMS server binds a port of its own (modbus_tcp_port, dlms_port), so
 * two of them on one port would leave the second unable to start (EADDRINUSE) after the
 * configuration was called valid. Two listeners clash when their ports are equal and their
 * addresses overlap: the same address, or either left to "any" ("", every address of both
 * families). A socket-activated server gets its socket from systemd instead, but the ports in
 * the file are still what a later start without activation binds, so they are checked alike.
 */
#include <string.h>

#include "app/conf-internal.h"

struct listener {
	size_t meter;
	enum meter_key port_key;
	uint32_t port;
	const char *address;
};

static bool overlaps(const struct listener *a, const struct listener *b)
{
	return a->port == b->port &&
	       (!a->address[0] || !b->address[0] || strcmp(a->address, b->address) == 0);
}

void conf_validate_listeners(struct conf_parser *p)
{
	struct listener l[PM_CONF_MAX_METERS * 2];
	size_t n = 0;

	for (size_t i = 0; i < p->conf.n_meters; i++) {
		const struct pm_conf_meter *m = &p->conf.meter[i];

		if (m->modbus_tcp_port)
			l[n++] = (struct listener){i, K_MODBUS_TCP_PORT, m->modbus_tcp_port,
						   m->modbus_tcp_address};
		if (m->dlms_port)
			l[n++] = (struct listener){i, K_DLMS_PORT, m->dlms_port, m->dlms_address};
	}
	for (size_t j = 1; j < n; j++) {
		for (size_t i = 0; i < j; i++) {
			const struct listener *a = &l[i], *b = &l[j];

			if (!overlaps(a, b))
				continue;
			conf_parse_error(
			    p, p->key_line[b->meter][b->port_key],
			    "[meter %s] %s %u: [meter %s]'s %s (line %u) already "
			    "listens on that port%s%s",
			    p->conf.meter[b->meter].name, conf_meter_keys[b->port_key].name,
			    b->port, p->conf.meter[a->meter].name,
			    conf_meter_keys[a->port_key].name, p->key_line[a->meter][a->port_key],
			    a->address[0] && b->address[0] ? " and address " : "",
			    a->address[0] && b->address[0] ? a->address : "");
			return;
		}
	}
}
