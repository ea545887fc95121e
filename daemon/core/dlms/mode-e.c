// SPDX-License-Identifier: GPL-2.0-only
/* IEC 62056-21 mode E sign-on, the meter's side (mode-e.h). */
#include <errno.h>
#include <string.h>

#include "core/dlms/mode-e.h"

#define ACK 0x06
#define PROTOCOL_HDLC '2' /* V of the option select: the HDLC protocol procedure */
#define MODE_HDLC '2'	  /* Y of the option select in mode E */

static const unsigned rates[] = {300, 600, 1200, 2400, 4800, 9600, 19200};

char pm_mode_e_baud_char(unsigned baud)
{
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
		if (rates[i] == baud)
			return (char)('0' + i);
	return 0;
}

static unsigned baud_of(uint8_t z)
{
	return z >= '0' && z <= '6' ? rates[z - '0'] : 0;
}

static int printable_run(const char *s, size_t min, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n < min || n > max)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7E || s[i] == '/' || s[i] == '!' || s[i] == '?')
			return -EINVAL;
	return 0;
}

int pm_mode_e_config_check(const struct pm_mode_e_config *cfg)
{
	const char *m = cfg->manufacturer;

	if (!m || strlen(m) != 3)
		return -EINVAL;
	for (int i = 0; i < 3; i++)
		if (!((m[i] >= 'A' && m[i] <= 'Z') || (m[i] >= 'a' && m[i] <= 'z')))
			return -EINVAL;
	if (printable_run(cfg->address, 1, 32) < 0 || printable_run(cfg->ident, 1, 16) < 0)
		return -EINVAL;
	return pm_mode_e_baud_char(cfg->baud) ? 0 : -EINVAL;
}

enum pm_mode_e_action pm_mode_e_line(const struct pm_mode_e_config *cfg, const uint8_t *line,
				     size_t n, uint8_t *out, size_t cap, size_t *out_len,
				     unsigned *baud)
{
	size_t addr_len, len;

	*out_len = 0;
	if (n < 2 || line[n - 2] != '\r' || line[n - 1] != '\n')
		return PM_MODE_E_IGNORE;
	n -= 2;
	if (n >= 3 && line[0] == '/' && line[1] == '?' && line[n - 1] == '!') {
		addr_len = n - 3;
		if (addr_len && (addr_len != strlen(cfg->address) ||
				 memcmp(line + 2, cfg->address, addr_len) != 0))
			return PM_MODE_E_IGNORE; /* another meter's */
		len = 1 + 3 + 1 + 2 + strlen(cfg->ident) + 2;
		if (cap < len)
			return PM_MODE_E_IGNORE;
		out[0] = '/';
		memcpy(out + 1, cfg->manufacturer, 3);
		out[4] = (uint8_t)pm_mode_e_baud_char(cfg->baud);
		out[5] = '\\';
		out[6] = '2';
		memcpy(out + 7, cfg->ident, strlen(cfg->ident));
		memcpy(out + len - 2, "\r\n", 2);
		*out_len = len;
		return PM_MODE_E_IDENTIFY;
	}
	if (n == 4 && line[0] == ACK && line[1] == PROTOCOL_HDLC && line[3] == MODE_HDLC &&
	    baud_of(line[2]) && baud_of(line[2]) <= cfg->baud) {
		*baud = baud_of(line[2]);
		return PM_MODE_E_SWITCH;
	}
	return PM_MODE_E_IGNORE;
}
