// SPDX-License-Identifier: GPL-2.0-only
/*
 * polymeterctl's JSON text (polymeterctl-internal.h): numbers (NaN as null) and strings, as the
 * --json (and --csv) outputs print them.
 */
#include <math.h>
#include <stdio.h>

#include "ctl/polymeterctl-internal.h"

void ctl_json_number(double v)
{
	if (isnan(v))
		fputs("null", stdout);
	else
		printf("%.6g", v);
}

/* A JSON string (also fine as a CSV field when it holds no quote). */
void ctl_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}
