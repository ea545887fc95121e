/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A meter's DLMS clients with their own secrets (docs/dlms.md, "Associations and rights"): the
 * server's rules (core/dlms/server.h), each pointing to its client's own password and HLS-GMAC
 * keys read from that client's files (app/dlms-conf.h pm_conf_dlms_clients). A key transfer
 * through the Security setup changes the keys of the client that sent it, and no other's.
 */
#ifndef POLYMETER_DLMS_CLIENTS_H
#define POLYMETER_DLMS_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/conf.h"
#include "core/dlms/server.h"
#include "views/dlms/dlms-hls.h"

struct pm_meter;

struct pm_dlms_clients {
	struct pm_dlms_client_rule rules[PM_DLMS_MAX_CLIENTS]; /* the server's */
	size_t n;
	struct pm_dlms_client_secrets {
		char password[PM_DLMS_PASSWORD_MAX + 1];
		struct pm_dlms_hls hls; /* its keys and counters, when has_hls */
		bool has_hls;
	} secrets[PM_DLMS_MAX_CLIENTS];
	/* the meter's system title (dlms_key_file), the same for every client */
	uint8_t title[PM_DLMS_SYSTEM_TITLE_LEN];
	bool has_title;
};

/* @c filled for meter @conf (named @name, its store through @pipe): each client's secrets read
 * from its files. 0, or a negative errno logged. @c must not move afterwards (the rules point
 * into it); pm_dlms_clients_done frees it either way. */
int pm_dlms_clients_start(struct pm_dlms_clients *c, const struct pm_conf_meter *conf,
			  const char *name, struct pm_meter *pipe);
/* Security setup global_key_transfer by client @sap: its keys replaced (dlms-hls.h), its rule
 * pointed to the new ones. object-unavailable for a client without HLS. */
enum pm_dlms_result pm_dlms_clients_transfer(struct pm_dlms_clients *c, uint16_t sap,
					     const struct pm_cosem_wrapped_key *keys, size_t n);
/* Wipes every secret. */
void pm_dlms_clients_done(struct pm_dlms_clients *c);

#endif
