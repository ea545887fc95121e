// SPDX-License-Identifier: GPL-2.0-only
/* A meter's dlms_* keys as the server's configuration (dlms-conf.h). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "app/dlms-conf.h"
#include "app/secret-file.h"

#define USEC_PER_SEC 1000000ULL

void pm_conf_dlms(const struct pm_conf_meter *m, struct pm_stream_config *cfg)
{
	pm_dlms_tcp_config_default(cfg);
	cfg->address = m->dlms_address[0] ? m->dlms_address : NULL;
	cfg->port = (uint16_t)m->dlms_port;
	cfg->max_conn = m->dlms_max_conn;
	cfg->idle_usec = m->dlms_idle_timeout_s * USEC_PER_SEC;
	cfg->header_usec = m->dlms_header_timeout_s * USEC_PER_SEC;
}

void pm_conf_dlms_serial(const struct pm_conf_meter *m, struct pm_dlms_serial_config *cfg)
{
	pm_dlms_serial_config_default(cfg);
	cfg->device = m->dlms_hdlc_device;
	cfg->baud = m->dlms_hdlc_baud;
	cfg->parity = m->dlms_hdlc_parity;
	cfg->stop_bits = m->dlms_hdlc_stop;
	cfg->rs485 = m->dlms_hdlc_rs485;
	cfg->mode_e = m->dlms_hdlc_mode_e;
	cfg->inactivity_usec = m->dlms_hdlc_inactivity_s * USEC_PER_SEC;
}

size_t pm_conf_dlms_clients(const struct pm_conf_meter *m,
			    struct pm_dlms_client_rule rules[PM_DLMS_MAX_CLIENTS])
{
	static const struct pm_dlms_client_rule standard[] = {
	    {PM_DLMS_CLIENT_MANAGEMENT, PM_DLMS_AUTH_LLS | PM_DLMS_AUTH_HLS,
	     PM_DLMS_CLIENT_MANAGEMENT},
	    {PM_DLMS_CLIENT_PUBLIC, PM_DLMS_AUTH_NONE, PM_DLMS_CLIENT_PUBLIC},
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(standard) / sizeof(standard[0]); i++) {
		bool replaced = false;

		for (unsigned j = 0; j < m->n_dlms_clients; j++)
			replaced |= m->dlms_clients[j].sap == standard[i].sap;
		if (!replaced)
			rules[n++] = standard[i];
	}
	/* PM_CONF_DLMS_CLIENTS + 2 fit PM_DLMS_MAX_CLIENTS */
	for (unsigned j = 0; j < m->n_dlms_clients && n < PM_DLMS_MAX_CLIENTS; j++)
		rules[n++] = m->dlms_clients[j];
	return n;
}

int pm_dlms_read_password(const char *path, char *buf, const char **why)
{
	char raw[PM_DLMS_PASSWORD_MAX + 2];
	const char *nl;
	mode_t mode;
	size_t n, len;
	int r;

	r = pm_secret_file_read(path, raw, sizeof(raw), &n, &mode, why);
	if (r)
		return r;
	if (mode & (S_IRWXG | S_IRWXO)) {
		explicit_bzero(raw, sizeof(raw));
		*why = "may be read or written by others than its owner (chmod 600)";
		return -EPERM;
	}
	nl = memchr(raw, '\n', n);
	len = nl ? (size_t)(nl - raw) : n;
	if (len > 0 && raw[len - 1] == '\r')
		len--;
	if (len == 0 || len > PM_DLMS_PASSWORD_MAX) {
		*why = "must hold a password of 1..32 characters on its first line";
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++)
		if (raw[i] < 0x21 || raw[i] > 0x7e) {
			*why = "holds a character that is not printable ASCII (or a space)";
			return -EINVAL;
		}
	memcpy(buf, raw, len);
	buf[len] = '\0';
	return 0;
}
