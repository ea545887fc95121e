// SPDX-License-Identifier: GPL-2.0-only
/* A serial line set up for a protocol server (tty-line.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/serial.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "common/log.h"
#include "views/serial/tty-line.h"

static speed_t baud_speed(unsigned baud)
{
	static const struct {
		unsigned baud;
		speed_t speed;
	} rates[] = {
	    {300, B300},       {600, B600},	  {1200, B1200},     {2400, B2400},
	    {4800, B4800},     {9600, B9600},	  {19200, B19200},   {38400, B38400},
	    {57600, B57600},   {115200, B115200}, {230400, B230400}, {460800, B460800},
	    {921600, B921600},
	};

	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
		if (rates[i].baud == baud)
			return rates[i].speed;
	return B0;
}

bool pm_tty_line_valid(const struct pm_tty_line *line)
{
	return baud_speed(line->baud) != B0 && (line->data_bits == 7 || line->data_bits == 8) &&
	       (line->parity == 'N' || line->parity == 'E' || line->parity == 'O') &&
	       (line->stop_bits == 1 || line->stop_bits == 2);
}

int pm_tty_open(const char *device)
{
	int fd = open(device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (!isatty(fd)) {
		close(fd);
		return -ENOTTY;
	}
	(void)tcflush(fd, TCIOFLUSH); /* what waited from before us is stale */
	return fd;
}

static tcflag_t cflag_of(const struct pm_tty_line *line)
{
	tcflag_t c = line->data_bits == 7 ? CS7 : CS8;

	if (line->parity != 'N')
		c |= PARENB;
	if (line->parity == 'O')
		c |= PARODD;
	if (line->stop_bits == 2)
		c |= CSTOPB;
	return c;
}

/* tcsetattr() succeeds when any of the settings took: say which ones the driver dropped. */
static void check_line(int fd, const struct pm_tty_line *line, const char *who, const char *device)
{
	const tcflag_t mask = CSIZE | PARENB | PARODD | CSTOPB;
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		return;
	if ((t.c_cflag & mask) != cflag_of(line) || cfgetospeed(&t) != baud_speed(line->baud))
		log_warning("%s: %s: the driver did not take %u %u%c%u (a pty has no parity, stop "
			    "bits or line rate); serving anyway",
			    who, device, line->baud, line->data_bits, line->parity,
			    line->stop_bits);
}

int pm_tty_set_line(int fd, const struct pm_tty_line *line, const char *who, const char *device)
{
	struct termios t;
	speed_t sp = baud_speed(line->baud);

	if (!pm_tty_line_valid(line))
		return -EINVAL;
	if (tcgetattr(fd, &t) < 0)
		return -errno;
	cfmakeraw(&t);
	t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS | HUPCL);
	t.c_cflag |= cflag_of(line) | CLOCAL | CREAD;
	t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY | INPCK);
	if (line->parity != 'N')
		t.c_iflag |= INPCK; /* a byte with a parity error is read as 0: the CRC fails */
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (cfsetispeed(&t, sp) < 0 || cfsetospeed(&t, sp) < 0)
		return -errno;
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		return -errno;
	check_line(fd, line, who, device);
	return 0;
}

bool pm_tty_rs485(int fd, const char *who, const char *device)
{
	struct serial_rs485 rs;

	memset(&rs, 0, sizeof(rs));
	if (ioctl(fd, TIOCGRS485, &rs) < 0)
		memset(&rs, 0, sizeof(rs));
	rs.flags |= SER_RS485_ENABLED | SER_RS485_RTS_ON_SEND;
	rs.flags &= ~(uint32_t)(SER_RS485_RTS_AFTER_SEND | SER_RS485_RX_DURING_TX);
	if (ioctl(fd, TIOCSRS485, &rs) < 0) {
		log_warning("%s: %s: the driver has no kernel RS-485 mode (TIOCSRS485: %s); "
			    "serving anyway: the transceiver must switch direction by itself "
			    "(a DE/RE line wired to RTS will not be driven)",
			    who, device, strerror(errno));
		return false;
	}
	log_info("%s: %s: kernel RS-485 mode on", who, device);
	return true;
}
