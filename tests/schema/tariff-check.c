// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tariff-check FILE.json...: runs daemon/meter/tariff-file.c on each file and prints "FILE: ok" or
 * the parser's error message, for tests/schema/run (the schema and the parser must agree). Exit
 * status: 0 when every file was accepted, 1 otherwise.
 */
#include <stdio.h>

#include "meter/tariff-file.h"

int main(int argc, char **argv)
{
	int status = 0;

	for (int i = 1; i < argc; i++) {
		static struct tariff t;
		char err[512];

		if (pm_tariff_file_load(argv[i], &t, NULL, err, sizeof(err)) < 0) {
			printf("%s\n", err);
			status = 1;
		} else {
			printf("%s: ok\n", argv[i]);
		}
	}
	return status;
}
