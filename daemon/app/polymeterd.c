// SPDX-License-Identifier: GPL-2.0-only
/*
 * polymeterd: the metering daemon.
 *
 *   polymeterd [--config FILE] [--check-config] [--once N] [--debug]
 *   polymeterd --version
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/check-config.h"
#include "app/conf.h"
#include "app/manager.h"
#include "common/log.h"
#include "common/peak-memory.h"
#include "common/version.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: polymeterd [OPTION]...\n"
		   "Reads the meters of the configuration and counts their energy.\n\n"
		   "  -c, --config FILE   configuration file (default " PM_CONF_DEFAULT_PATH ")\n"
		   "      --check-config  validate the configuration and exit (status 1: invalid)\n"
		   "      --once N        print one JSON line per scan to stdout, exit after N\n"
		   "                      scans of every meter\n"
		   "  -d, --debug         debug messages\n"
		   "  -h, --help          this help\n"
		   "      --version       the version\n");
}

int main(int argc, char **argv)
{
	enum { OPT_CHECK = 0x100, OPT_ONCE, OPT_VERSION };
	static const struct option options[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"check-config", no_argument, NULL, OPT_CHECK},
	    {"once", required_argument, NULL, OPT_ONCE},
	    {"debug", no_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, OPT_VERSION},
	    {},
	};
	__attribute__((cleanup(pm_manager_freep))) struct pm_manager *m = NULL;
	const char *path = PM_CONF_DEFAULT_PATH;
	static struct pm_conf conf;
	bool check_only = false;
	uint64_t once = 0;
	char err[512];
	sigset_t mask;
	int c, r;

	while ((c = getopt_long(argc, argv, "c:dh", options, NULL)) >= 0) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case OPT_CHECK:
			check_only = true;
			break;
		case OPT_ONCE: {
			char *end;

			errno = 0;
			once = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || once == 0 || optarg[0] == '-') {
				fprintf(stderr, "polymeterd: --once wants a positive count\n");
				return 2;
			}
			break;
		}
		case 'd':
			pm_log_set_max(LOG_DEBUG);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("polymeterd %s\n", PM_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "polymeterd: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}

	r = pm_conf_load(path, &conf, err, sizeof(err));
	if (r < 0) {
		log_error("%s", err);
		return 1;
	}
	/* what start-up would refuse, refused now: by --check-config and by a start alike */
	r = pm_check_config(path, &conf, err, sizeof(err));
	if (r < 0) {
		log_error("%s", err);
		return 1;
	}
	if (check_only) {
		printf("%s: OK, %zu meter%s\n", path, conf.n_meters, conf.n_meters == 1 ? "" : "s");
		return 0;
	}

	/* sd-event delivers these through a signalfd: they must be blocked. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	r = pm_manager_new(&conf, once, stdout, &m);
	if (r < 0)
		return 1;
	r = pm_manager_run(m);
	m = pm_manager_free(m);
	/* after the shutdown's checkpoints: for the memory figures (tests/bench/daemon/run) */
	pm_memory_line(err, sizeof(err));
	log_debug("%s", err);
	return r < 0 ? 1 : 0;
}
