// SPDX-License-Identifier: GPL-2.0-only
/* Selective access on a Profile generic's buffer, decoded (cosem-selective.h). */
#include <string.h>

#include "core/dlms/axdr.h"
#include "core/dlms/cosem-selective.h"
#include "core/dlms/cosem-time.h"

#define RANGE_DESCRIPTOR 1
#define ENTRY_DESCRIPTOR 2

struct capture_def {
	uint16_t class_id;
	uint8_t ln[6];
	int8_t attr;
	uint16_t data_index;
};

/* A capture_object_definition; -1 when it is not one. */
static int get_capture_def(struct pm_axdr_in *in, struct capture_def *c)
{
	const uint8_t *ln;
	uint32_t n;
	size_t len;
	int64_t v;

	if (pm_axdr_expect_structure(in, &n) || n != 4)
		return -1;
	if (pm_axdr_expect_int(in, 0, UINT16_MAX, &v))
		return -1;
	c->class_id = (uint16_t)v;
	if (pm_axdr_expect_octet_string(in, &ln, &len) || len != 6)
		return -1;
	memcpy(c->ln, ln, 6);
	if (pm_axdr_expect_int(in, INT8_MIN, INT8_MAX, &v))
		return -1;
	c->attr = (int8_t)v;
	if (pm_axdr_expect_int(in, 0, UINT16_MAX, &v))
		return -1;
	c->data_index = (uint16_t)v;
	return 0;
}

/* The column @c names, -1 when none (a data index selects an element: none of ours has). */
static int column_of(const struct capture_def *c, const struct pm_cosem_column *cols, size_t n_cols)
{
	for (size_t i = 0; i < n_cols; i++)
		if (cols[i].class_id == c->class_id && !memcmp(cols[i].ln, c->ln, 6) &&
		    cols[i].attr == c->attr && c->data_index == 0)
			return (int)i;
	return -1;
}

/* A from or to value: a date-time as UTC; -1 when it is not one. */
static int get_time(struct pm_axdr_in *in, pm_cosem_offset_fn offset, const void *ctx,
		    int64_t *utc_s)
{
	struct pm_cosem_datetime dt;
	struct pm_axdr_data d;

	if (pm_axdr_get_data(in, &d) ||
	    (d.tag != PM_AXDR_OCTET_STRING && d.tag != PM_AXDR_DATE_TIME) ||
	    d.nbytes != PM_COSEM_DATETIME_LEN)
		return -1;
	pm_cosem_datetime_decode(d.bytes, &dt);
	if (dt.deviation == PM_COSEM_DEVIATION_ANY) {
		/* local time: the zone's offset then, found from the local time read as UTC and
		 * corrected once (exact but in the hour a daylight-saving change repeats) */
		int64_t guess;

		dt.deviation = 0;
		if (pm_cosem_datetime_to_utc(&dt, &guess))
			return -1;
		dt.deviation = (int16_t)(-offset(ctx, guess - offset(ctx, guess)) / 60);
	}
	return pm_cosem_datetime_to_utc(&dt, utc_s);
}

static void all_columns(struct pm_cosem_selection *out, size_t n_cols)
{
	out->n_columns = (uint8_t)n_cols;
	for (size_t i = 0; i < n_cols; i++)
		out->columns[i] = (uint8_t)i;
}

static enum pm_dlms_result range(struct pm_axdr_in *in, const struct pm_cosem_column *cols,
				 size_t n_cols, pm_cosem_offset_fn offset, const void *ctx,
				 struct pm_cosem_selection *out)
{
	bool selected[PM_COSEM_MAX_COLUMNS] = {false};
	struct capture_def c;
	uint32_t n, n_selected;
	int col;

	if (pm_axdr_expect_structure(in, &n) || n != 4 || get_capture_def(in, &c))
		return PM_DLMS_TYPE_UNMATCHED;
	col = column_of(&c, cols, n_cols);
	if (get_time(in, offset, ctx, &out->q.from_utc_s) ||
	    get_time(in, offset, ctx, &out->q.to_utc_s) || pm_axdr_expect_array(in, &n_selected))
		return PM_DLMS_TYPE_UNMATCHED;
	for (uint32_t i = 0; i < n_selected; i++) {
		int k;

		if (get_capture_def(in, &c))
			return PM_DLMS_TYPE_UNMATCHED;
		k = column_of(&c, cols, n_cols);
		if (k < 0)
			return PM_DLMS_SCOPE_OF_ACCESS_VIOLATED;
		selected[k] = true;
	}
	if (pm_axdr_in_left(in) || in->error)
		return PM_DLMS_TYPE_UNMATCHED;
	/* the rows are selected by their time: the restriction must be on the clock column */
	if (col < 0 || cols[col].source != PM_COSEM_COL_CLOCK)
		return PM_DLMS_SCOPE_OF_ACCESS_VIOLATED;
	out->q.by_entry = false;
	if (!n_selected) {
		all_columns(out, n_cols);
		return PM_DLMS_SUCCESS;
	}
	out->n_columns = 0;
	for (size_t i = 0; i < n_cols; i++)
		if (selected[i])
			out->columns[out->n_columns++] = (uint8_t)i;
	return PM_DLMS_SUCCESS;
}

static enum pm_dlms_result entry(struct pm_axdr_in *in, size_t n_cols,
				 struct pm_cosem_selection *out)
{
	int64_t from, to, from_col, to_col;
	uint32_t n;

	if (pm_axdr_expect_structure(in, &n) || n != 4 ||
	    pm_axdr_expect_int(in, 0, UINT32_MAX, &from) ||
	    pm_axdr_expect_int(in, 0, UINT32_MAX, &to) ||
	    pm_axdr_expect_int(in, 0, UINT16_MAX, &from_col) ||
	    pm_axdr_expect_int(in, 0, UINT16_MAX, &to_col) || pm_axdr_in_left(in) || in->error)
		return PM_DLMS_TYPE_UNMATCHED;
	if (from == 0)
		from = 1;
	if (from_col == 0)
		from_col = 1;
	if (to_col == 0 || to_col > (int64_t)n_cols)
		to_col = (int64_t)n_cols;
	if (from_col > to_col)
		return PM_DLMS_SCOPE_OF_ACCESS_VIOLATED;
	out->q.by_entry = true;
	out->q.first = (uint32_t)(from - 1);
	/* to below from selects nothing: a count of 0 would mean "to the last", so the first
	 * entry is moved past any there can be instead */
	if (to != 0 && to < from) {
		out->q.first = UINT32_MAX;
		out->q.count = 1;
	} else {
		out->q.count = to ? (uint32_t)(to - from + 1) : 0;
	}
	out->n_columns = 0;
	for (int64_t c = from_col; c <= to_col; c++)
		out->columns[out->n_columns++] = (uint8_t)(c - 1);
	return PM_DLMS_SUCCESS;
}

enum pm_dlms_result pm_cosem_select(const struct pm_cosem_selector *sel,
				    const struct pm_cosem_column *cols, size_t n_cols,
				    pm_cosem_offset_fn offset, const void *ctx,
				    struct pm_cosem_selection *out)
{
	struct pm_axdr_in in;

	memset(out, 0, sizeof(*out));
	if (n_cols > PM_COSEM_MAX_COLUMNS)
		return PM_DLMS_OTHER_REASON;
	if (!sel || !sel->selector) {
		out->q.by_entry = true; /* every entry */
		all_columns(out, n_cols);
		return PM_DLMS_SUCCESS;
	}
	pm_axdr_in_init(&in, sel->param, sel->param ? sel->nparam : 0);
	switch (sel->selector) {
	case RANGE_DESCRIPTOR:
		return range(&in, cols, n_cols, offset, ctx, out);
	case ENTRY_DESCRIPTOR:
		return entry(&in, n_cols, out);
	default:
		return PM_DLMS_SCOPE_OF_ACCESS_VIOLATED;
	}
}
