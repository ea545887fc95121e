// SPDX-License-Identifier: GPL-2.0-only
/*
 * profile --plot (polymeterctl-internal.h): the load profile's energy per interval as bars,
 * import up and export down, in the terminal (text, so it works over ssh on a gateway with
 * nothing installed) or as an SVG file (text too: no library, any browser shows it).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/billing/civil-time.h"
#include "ctl/polymeterctl-internal.h"

#define COLUMNS 72 /* at most, so that the axis fits 80 columns */
#define ROWS 8	   /* a side */

static uint64_t max_of(const struct ctl_plot_point *pts, size_t n, size_t per, uint64_t *imp,
		       uint64_t *exp, size_t cols)
{
	uint64_t max = 0;

	for (size_t c = 0; c < cols; c++) {
		imp[c] = exp[c] = 0;
		for (size_t i = c * per; i < n && i < (c + 1) * per; i++) {
			imp[c] += pts[i].import_mwh;
			exp[c] += pts[i].export_mwh;
		}
		if (imp[c] > max)
			max = imp[c];
		if (exp[c] > max)
			max = exp[c];
	}
	return max;
}

/* Rows of a bar: the value over the maximum, rounded up so any energy shows. */
static unsigned rows_of(uint64_t v, uint64_t max)
{
	return max ? (unsigned)((v * ROWS + max - 1) / max) : 0;
}

static void terminal(const char *meter, const struct ctl_plot_point *pts, size_t n)
{
	uint64_t imp[COLUMNS], exp[COLUMNS], max, any_exp = 0;
	size_t per = (n + COLUMNS - 1) / COLUMNS, cols = (n + per - 1) / per;
	char t0[32], t1[32];

	max = max_of(pts, n, per, imp, exp, cols);
	for (size_t c = 0; c < cols; c++)
		any_exp |= exp[c];
	pm_civil_format_utc(pts[0].end_ns, t0, sizeof(t0));
	pm_civil_format_utc(pts[n - 1].end_ns, t1, sizeof(t1));
	printf("meter %s: energy per column, Wh (a column = %zu interval%s), # import, = export\n",
	       meter, per, per > 1 ? "s" : "");
	for (unsigned row = ROWS; row >= 1; row--) {
		if (row == ROWS)
			printf("%9llu.%03llu |", (unsigned long long)(max / 1000),
			       (unsigned long long)(max % 1000));
		else
			printf("%13s |", "");
		for (size_t c = 0; c < cols; c++)
			putchar(rows_of(imp[c], max) >= row ? '#' : ' ');
		putchar('\n');
	}
	printf("%13s +", "0");
	for (size_t c = 0; c < cols; c++)
		putchar('-');
	putchar('\n');
	for (unsigned row = 1; any_exp && row <= ROWS; row++) {
		printf("%13s |", "");
		for (size_t c = 0; c < cols; c++)
			putchar(rows_of(exp[c], max) >= row ? '=' : ' ');
		putchar('\n');
	}
	printf("%15s%s .. %s (interval ends, UTC)\n", "", t0, t1);
}

static int svg(const char *meter, const struct ctl_plot_point *pts, size_t n, const char *file)
{
	const double w = 800, h = 320, left = 70, right = 10, top = 30, bottom = 40;
	const double mid = top + (h - top - bottom) / 2, half = (h - top - bottom) / 2;
	uint64_t max = 0;
	char t0[32], t1[32];
	double bw;
	FILE *f;

	for (size_t i = 0; i < n; i++) {
		if (pts[i].import_mwh > max)
			max = pts[i].import_mwh;
		if (pts[i].export_mwh > max)
			max = pts[i].export_mwh;
	}
	f = fopen(file, "we");
	if (!f) {
		fprintf(stderr, "polymeterctl: %s: %s\n", file, strerror(errno));
		return -errno;
	}
	pm_civil_format_utc(pts[0].end_ns, t0, sizeof(t0));
	pm_civil_format_utc(pts[n - 1].end_ns, t1, sizeof(t1));
	bw = (w - left - right) / (double)n;
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"font-family=\"sans-serif\" font-size=\"12\">\n"
		"<title>polymeter load profile, meter %s</title>\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		"<text x=\"%.0f\" y=\"18\">meter %s: energy per interval, Wh (import up, export "
		"down)</text>\n",
		w, h, meter, left, meter);
	for (size_t i = 0; i < n; i++) {
		double x = left + bw * (double)i;
		double hi = max ? half * (double)pts[i].import_mwh / (double)max : 0;
		double he = max ? half * (double)pts[i].export_mwh / (double)max : 0;

		if (hi > 0)
			fprintf(f,
				"<rect class=\"import\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
				"height=\"%.2f\" fill=\"#2b6cb0\"/>\n",
				x, mid - hi, bw * 0.9, hi);
		if (he > 0)
			fprintf(f,
				"<rect class=\"export\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
				"height=\"%.2f\" fill=\"#dd6b20\"/>\n",
				x, mid, bw * 0.9, he);
	}
	fprintf(f,
		"<line x1=\"%.0f\" y1=\"%.2f\" x2=\"%.0f\" y2=\"%.2f\" stroke=\"black\"/>\n"
		"<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"black\"/>\n"
		"<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%llu.%03llu</text>\n"
		"<text x=\"%.0f\" y=\"%.2f\" text-anchor=\"end\">0</text>\n"
		"<text x=\"%.0f\" y=\"%.0f\">%s</text>\n"
		"<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%s</text>\n"
		"</svg>\n",
		left, mid, w - right, mid, left, top, left, h - bottom, left - 4, top + 10,
		(unsigned long long)(max / 1000), (unsigned long long)(max % 1000), left - 4,
		mid + 4, left, h - 12, t0, w - right, h - 12, t1);
	if (fclose(f)) {
		fprintf(stderr, "polymeterctl: %s: %s\n", file, strerror(errno));
		return -errno;
	}
	printf("wrote %s: %zu intervals of meter %s, %s .. %s\n", file, n, meter, t0, t1);
	return 0;
}

int ctl_plot(const char *meter, const struct ctl_plot_point *pts, size_t n, const char *file)
{
	if (!n) {
		/* nothing to draw is an answer, not a failure: a day just begun has no interval */
		printf("meter %s: no load profile interval in this range yet (one is stored as it "
		       "ends)\n",
		       meter);
		return 0;
	}
	if (!file) {
		terminal(meter, pts, n);
		return 0;
	}
	return svg(meter, pts, n, file);
}
