// SPDX-License-Identifier: GPL-2.0-only
/* The --once JSON line, the finished summary and the status line (see report.h). */
#include <inttypes.h>

#include "app/report.h"
#include "common/adapter-math.h"
#include "common/log.h"

static const struct {
	const char *name;
	enum pm_met_reg reg;
} registers[] = {{"A+", PM_MET_A_IMPORT}, {"A-", PM_MET_A_EXPORT}, {"R+", PM_MET_R_IMPORT},
		 {"R-", PM_MET_R_EXPORT}, {"S+", PM_MET_S_IMPORT}, {"S-", PM_MET_S_EXPORT}};

/* "registers_mwh":{...}: each register in mWh, total then phases A, B, C. */
static void print_registers(FILE *f, const struct pm_met_registers *r)
{
	fputs(",\"registers_mwh\":{", f);
	for (size_t i = 0; i < sizeof(registers) / sizeof(registers[0]); i++)
		fprintf(f, "%s\"%s\":[%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "]",
			i ? "," : "", registers[i].name, r->total[registers[i].reg].mwh,
			r->phase[0][registers[i].reg].mwh, r->phase[1][registers[i].reg].mwh,
			r->phase[2][registers[i].reg].mwh);
	fputs("}", f);
}

void pm_report_scan_json(FILE *f, const char *meter, uint64_t scans, unsigned losses,
			 const struct pm_scan *s, const struct pm_counted_energy *counted,
			 const struct pm_meter *pipe)
{
	const struct pm_energy_nj(*e)[PM_MET_CNT_COUNT] = counted->energy_nj;
	char b[3][48];

	fprintf(f,
		"{\"meter\":\"%s\",\"scan\":%" PRIu64 ",\"ts_ns\":%" PRId64
		",\"generation\":%" PRIu64 ",\"restarts\":%u,\"losses\":%u",
		meter, scans, s->ts_ns, s->generation, counted->restarts, losses);
#define PHASES3(key, field)                                                                        \
	fprintf(f, ",\"" key "\":[%" PRId64 ",%" PRId64 ",%" PRId64 "]", s->ph[0].field,           \
		s->ph[1].field, s->ph[2].field)
	PHASES3("v_mv", v_mv);
	PHASES3("i_ma", i_ma);
	PHASES3("p_mw", p_mw);
	PHASES3("q_mvar", q_mvar);
	PHASES3("s_mva", s_mva);
	PHASES3("f_mhz", f_mhz);
#undef PHASES3
	fprintf(f, ",\"neutral_ma\":%" PRId64, s->neutral_ma);
	fprintf(f, ",\"nj_per_code\":[%" PRIu32 ",%" PRIu32 ",%" PRIu32 "]", s->nj_per_code[0],
		s->nj_per_code[1], s->nj_per_code[2]);
	fputs(",\"counter\":{", f);
	for (int k = 0; k < PM_KINDS; k++)
		fprintf(f, "%s\"%s\":[%" PRId64 ",%" PRId64 ",%" PRId64 "]", k ? "," : "",
			pm_kind_name(k), s->ph[0].counter[k], s->ph[1].counter[k],
			s->ph[2].counter[k]);
	fputs("},\"energy_nj\":{", f);
	for (int k = 0; k < PM_KINDS; k++)
		fprintf(f, "%s\"%s\":[%s,%s,%s]", k ? "," : "", pm_kind_name(k),
			pm_energy_nj_str(b[0], sizeof(b[0]), &e[0][k]),
			pm_energy_nj_str(b[1], sizeof(b[1]), &e[1][k]),
			pm_energy_nj_str(b[2], sizeof(b[2]), &e[2][k]));
	fputs("}", f);
	if (pm_meter_snapshot(pipe)->valid[pm_point_find("total.energy.active_import")])
		print_registers(f, pm_meter_registers(pipe));
	fputs("}\n", f);
	fflush(f);
}

void pm_report_finished_json(FILE *f, const char *meter, uint64_t scans, int64_t utc_ns,
			     const struct pm_meter *pipe)
{
	const struct pm_meter_status *st = pm_meter_status(pipe);
	const struct pm_demand_peak *peaks[2] = {st->demand_import, st->demand_export};

	fprintf(f, "{\"meter\":\"%s\",\"finished\":true,\"scans\":%" PRIu64 ",\"utc_ns\":%" PRId64,
		meter, scans, utc_ns);
	print_registers(f, pm_meter_registers(pipe));
	fprintf(f,
		",\"checkpoints\":%" PRIu64 ",\"profile_intervals\":%" PRIu64
		",\"profile_failures\":%" PRIu64,
		st->checkpoints, st->profile_intervals, st->profile_failures);
	for (int d = 0; d < 2; d++) {
		fprintf(f, ",\"%s\":[", d ? "demand_export" : "demand_import");
		for (int i = 0; i < PM_DEMAND_MONTHS; i++) {
			if (peaks[d][i].valid)
				fprintf(f, "%s[%" PRId64 ",%" PRId64 "]", i ? "," : "",
					peaks[d][i].demand_mw, peaks[d][i].end_ns);
			else
				fprintf(f, "%snull", i ? "," : "");
		}
		fputs("]", f);
	}
	fputs("}\n", f);
	fflush(f);
}

/* "-12.345" from milli-units, without floating point. */
static const char *milli(char *buf, size_t len, int64_t x)
{
	const char *sign = x < 0 ? "-" : "";
	uint64_t a = pm_abs_u64(x);

	snprintf(buf, len, "%s%" PRIu64 ".%03u", sign, a / 1000, (unsigned)(a % 1000));
	return buf;
}

void pm_report_status(const char *meter, const struct pm_scan *s,
		      const struct pm_counted_energy *counted, uint64_t scans, bool connected)
{
	char v[3][32], i[3][32], p[3][32], e[PM_KINDS][48];
	struct pm_energy_nj total[PM_KINDS];

	if (!s) {
		log_info("meter %s: no scan yet (%s)", meter,
			 connected ? "connected" : "waiting for the device");
		return;
	}
	pm_counted_energy_total(counted, total);
	/* nJ -> mWh: / 3.6e9; printed as Wh with 3 decimals */
	for (int k = 0; k < PM_KINDS; k++)
		milli(e[k], sizeof(e[k]), pm_energy_mwh(&total[k]));
	for (int n = 0; n < PM_PHASES; n++) {
		milli(v[n], sizeof(v[n]), s->ph[n].v_mv);
		milli(i[n], sizeof(i[n]), s->ph[n].i_ma);
		milli(p[n], sizeof(p[n]), s->ph[n].p_mw);
	}
	log_info("meter %s: V %s %s %s V, I %s %s %s A, P %s %s %s W; counted %s Wh, %s varh, "
		 "%s VAh; %" PRIu64 " scans%s",
		 meter, v[0], v[1], v[2], i[0], i[1], i[2], p[0], p[1], p[2], e[0], e[1], e[2],
		 scans, connected ? "" : ", device lost");
}
