// SPDX-License-Identifier: GPL-2.0-only
/*
 * Baseline for the Modbus bench: a minimal plain-libmodbus TCP server as libmodbus's own
 * many-clients example does it (modbus_receive + modbus_reply per readable socket), with
 * poll() instead of select(), serving the same number of holding registers as polymeterd's
 * map (from 40000). Usage: plain-server PORT NREGS (PORT 0: one the kernel picks); prints
 * "port N" once listening.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <modbus.h>

#define MAX_FDS 1024

int main(int argc, char **argv)
{
	struct pollfd fds[MAX_FDS];
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
	modbus_mapping_t *map;
	modbus_t *ctx;
	int nfds = 1, port, nregs, s;

	if (argc != 3)
		return EXIT_FAILURE;
	port = atoi(argv[1]);
	nregs = atoi(argv[2]);
	ctx = modbus_new_tcp("127.0.0.1", port);
	map = modbus_mapping_new_start_address(0, 0, 0, 0, 40000, (unsigned)nregs, 0, 0);
	if (!ctx || !map)
		return EXIT_FAILURE;
	for (int i = 0; i < nregs; i++)
		map->tab_registers[i] = (uint16_t)i;
	s = modbus_tcp_listen(ctx, 128);
	if (s < 0 || getsockname(s, (struct sockaddr *)&sa, &salen) < 0)
		return EXIT_FAILURE;
	printf("port %d\n", ntohs(sa.sin_port));
	fflush(stdout);
	fds[0].fd = s;
	fds[0].events = POLLIN;
	for (;;) {
		if (poll(fds, (nfds_t)nfds, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents & POLLIN) {
			int c = accept(s, NULL, NULL);

			if (c >= 0 && nfds < MAX_FDS) {
				fds[nfds].fd = c;
				fds[nfds].events = POLLIN;
				nfds++;
			} else if (c >= 0) {
				close(c);
			}
		}
		for (int i = 1; i < nfds; i++) {
			int rc;

			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			modbus_set_socket(ctx, fds[i].fd);
			rc = modbus_receive(ctx, query);
			if (rc > 0) {
				modbus_reply(ctx, query, rc, map);
			} else if (rc == -1) {
				close(fds[i].fd);
				fds[i] = fds[--nfds];
				i--;
			}
		}
	}
	modbus_mapping_free(map);
	modbus_free(ctx);
	return EXIT_SUCCESS;
}
