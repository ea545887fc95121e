/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A meter's DLMS HLS-GMAC key file (dlms_key_file): whoever reads it can act as the head-end,
 * disconnect the supply included, so it is kept as the STS decoder key is: mode 0640
 * root:polymeter, refused when others may read it or its group write it, never logged. One
 * "name = hex" a line (blank lines and lines starting with # skipped):
 *
 *   system_title         8 octets, the meter's (the server's) system title
 *   client_system_title  8 octets, optional: the one management client title taken
 *   encryption_key       16 octets, the global unicast encryption key (EK)
 *   authentication_key   16 octets, the authentication key (AK)
 *   master_key           16 octets, optional: the master key (KEK) a head-end wraps the keys
 *                        it transfers in (Security setup global_key_transfer, RFC 3394);
 *                        without it no key can be transferred
 */
#ifndef POLYMETER_DLMS_KEY_FILE_H
#define POLYMETER_DLMS_KEY_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/dlms/dlms-cipher.h"

struct pm_dlms_key_file {
	struct pm_dlms_keys keys;
	uint8_t title[PM_DLMS_SYSTEM_TITLE_LEN];
	uint8_t client_title[PM_DLMS_SYSTEM_TITLE_LEN]; /* all zero: any */
	uint8_t master_key[PM_DLMS_KEY_LEN];
	bool has_master_key;
};

/* 0 with *@k, or a negative errno with *why completing "dlms_key_file PATH ...". The caller
 * wipes *@k when done with it. */
int pm_dlms_key_file_read(const char *path, struct pm_dlms_key_file *k, const char **why);

#endif
