/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * polymeter-web's JSON API, built from the copy web-bus.c keeps (docs/web.md has the fields):
 *
 *   GET /api/meters                          the meters, and whether polymeterd answers
 *   GET /api/snapshot[?meter=NAME]           values, account, today's and this month's energy,
 *                                            maximum demand, the newest events
 *   GET /api/profile?range=day|week|month[&meter=NAME]
 *                                            the load profile's intervals in that window
 */
#ifndef POLYMETER_WEB_API_H
#define POLYMETER_WEB_API_H

#include <stddef.h>

#include "views/web/web-bus.h"

/* An answer: HTTP status and a JSON body (malloc'd, the caller frees it). */
struct web_answer {
	unsigned status;
	char *body;
	size_t len;
};

/*
 * Answers @path (starting with /api/) with the query's parameters as @keys / @values (@n of
 * them). Every parameter is checked: an unknown one, a repeated one, a bad value is a 400 that
 * names it; an unknown meter a 404; an unknown path a 404. Returns 0, or -ENOMEM.
 */
int web_api_answer(const struct web_bus *b, const char *path, const char *const *keys,
		   const char *const *values, size_t n, struct web_answer *out);

#endif
