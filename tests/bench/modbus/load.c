// SPDX-License-Identifier: GPL-2.0-only
/*
 * Modbus TCP load: N masters on N connections, each with one request outstanding (read
 * COUNT holding registers from ADDR, answer awaited before the next), for SECONDS.
 * Prints "clients N req/s R p50_us P p99_us Q errors E".
 * Usage: load PORT CLIENTS SECONDS ADDR COUNT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct master {
	int fd;
	uint16_t tid;
	uint64_t t0;
	size_t got, want;
	uint8_t buf[300];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int send_req(struct master *m, unsigned addr, unsigned count)
{
	uint8_t q[12] = {0, 0, 0, 0, 0, 6, 1, 3, 0, 0, 0, 0};

	m->tid++;
	q[0] = (uint8_t)(m->tid >> 8);
	q[1] = (uint8_t)m->tid;
	q[8] = (uint8_t)(addr >> 8);
	q[9] = (uint8_t)addr;
	q[10] = (uint8_t)(count >> 8);
	q[11] = (uint8_t)count;
	m->got = 0;
	m->want = 9 + 2 * count;
	m->t0 = now_ns();
	return send(m->fd, q, sizeof(q), MSG_NOSIGNAL) == (ssize_t)sizeof(q) ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	unsigned n, secs, addr, count;
	struct master *ms;
	struct pollfd *pfd;
	uint64_t *lat, nlat = 0, cap = 1u << 24, end, errors = 0, t_start;
	int one = 1;

	if (argc != 6)
		return EXIT_FAILURE;
	sa.sin_port = htons((uint16_t)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	n = (unsigned)atoi(argv[2]);
	secs = (unsigned)atoi(argv[3]);
	addr = (unsigned)atoi(argv[4]);
	count = (unsigned)atoi(argv[5]);
	ms = calloc(n, sizeof(*ms));
	pfd = calloc(n, sizeof(*pfd));
	lat = malloc(cap * sizeof(*lat));
	if (!ms || !pfd || !lat)
		return EXIT_FAILURE;
	for (unsigned i = 0; i < n; i++) {
		ms[i].fd = socket(AF_INET, SOCK_STREAM, 0);
		if (ms[i].fd < 0 || connect(ms[i].fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			perror("connect");
			return EXIT_FAILURE;
		}
		setsockopt(ms[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		pfd[i].fd = ms[i].fd;
		pfd[i].events = POLLIN;
	}
	t_start = now_ns();
	end = t_start + (uint64_t)secs * 1000000000u;
	for (unsigned i = 0; i < n; i++)
		send_req(&ms[i], addr, count);
	while (now_ns() < end) {
		if (poll(pfd, n, 100) < 0 && errno != EINTR)
			break;
		for (unsigned i = 0; i < n; i++) {
			struct master *m = &ms[i];
			ssize_t r;

			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = recv(m->fd, m->buf + m->got, sizeof(m->buf) - m->got, 0);
			if (r <= 0) {
				fprintf(stderr, "master %u: connection lost\n", i);
				return EXIT_FAILURE;
			}
			m->got += (size_t)r;
			if (m->got >= 9 && (m->buf[7] & 0x80))
				m->want = 9;
			if (m->got < m->want)
				continue;
			if (m->want == 9)
				errors++;
			else if (nlat < cap)
				lat[nlat++] = now_ns() - m->t0;
			send_req(m, addr, count);
		}
	}
	double dt = (double)(now_ns() - t_start) / 1e9;

	qsort(lat, nlat, sizeof(*lat), cmp);
	printf("clients %u req/s %.0f p50_us %.1f p99_us %.1f errors %llu\n", n, (double)nlat / dt,
	       nlat ? (double)lat[nlat / 2] / 1e3 : 0.0,
	       nlat ? (double)lat[nlat * 99 / 100] / 1e3 : 0.0, (unsigned long long)errors);
	for (unsigned i = 0; i < n; i++)
		close(ms[i].fd);
	free(ms);
	free(pfd);
	free(lat);
	return EXIT_SUCCESS;
}
