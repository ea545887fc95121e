// SPDX-License-Identifier: GPL-2.0-only
/* The object model's table and the snapshot (see model.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/model/model.h"

/*
 * OBIS: A=1 electricity, C = quantity (1..10 total energies and powers, +20 per phase L1..L3),
 * D = 7 instantaneous value, 8 time integral (energy register), E = 0 total over rates.
 * Signed instantaneous active power uses C = 16/36/56/76 (import minus export). Signed
 * reactive power and derived voltages (average, line-to-line) have no OBIS quantity: NULL.
 * SunSpec names are model 203's; the Modbus view maps the 213 spellings.
 */
const struct pm_point pm_points[] = {
    /* The meter as a whole */
    {"total.current", PM_SRC_CURRENT, PM_MODEL_TOTAL, 0, 0, PM_UNIT_A, -3, PM_ACCESS_READ,
     "Current", "1.0.90.7.0.255", "A"},
    {"total.neutral_current", PM_SRC_NEUTRAL_CURRENT, PM_MODEL_TOTAL, 0, 0, PM_UNIT_A, -3,
     PM_ACCESS_READ, "NeutralCurrent", "1.0.91.7.0.255", NULL},
    {"total.voltage_avg", PM_SRC_VOLTAGE_AVG, PM_MODEL_TOTAL, 0, 0, PM_UNIT_V, -3, PM_ACCESS_READ,
     "VoltageAverage", NULL, "PhV"},
    {"total.voltage_ll_avg", PM_SRC_VOLTAGE_LL_AVG, PM_MODEL_TOTAL, 0, 0, PM_UNIT_V, -3,
     PM_ACCESS_READ, "VoltageLineAverage", NULL, "PPV"},
    {"total.voltage_ab", PM_SRC_VOLTAGE_LL, PM_MODEL_TOTAL, 0, PM_MET_LINE_AB, PM_UNIT_V, -3,
     PM_ACCESS_READ, "VoltageAB", NULL, "PhVphAB"},
    {"total.voltage_bc", PM_SRC_VOLTAGE_LL, PM_MODEL_TOTAL, 0, PM_MET_LINE_BC, PM_UNIT_V, -3,
     PM_ACCESS_READ, "VoltageBC", NULL, "PhVphBC"},
    {"total.voltage_ca", PM_SRC_VOLTAGE_LL, PM_MODEL_TOTAL, 0, PM_MET_LINE_CA, PM_UNIT_V, -3,
     PM_ACCESS_READ, "VoltageCA", NULL, "PhVphCA"},
    {"total.active_power", PM_SRC_ACTIVE_POWER, PM_MODEL_TOTAL, 0, 0, PM_UNIT_W, -3, PM_ACCESS_READ,
     "Power", "1.0.16.7.0.255", "W"},
    {"total.reactive_power", PM_SRC_REACTIVE_POWER, PM_MODEL_TOTAL, 0, 0, PM_UNIT_VAR, -3,
     PM_ACCESS_READ, "ReactivePower", NULL, "VAR"},
    {"total.apparent_power", PM_SRC_APPARENT_POWER, PM_MODEL_TOTAL, 0, 0, PM_UNIT_VA, -3,
     PM_ACCESS_READ, "ApparentPower", "1.0.9.7.0.255", "VA"},
    {"total.power_factor", PM_SRC_POWER_FACTOR, PM_MODEL_TOTAL, 0, 0, PM_UNIT_PF, -6,
     PM_ACCESS_READ, "PowerFactor", "1.0.13.7.0.255", "PF"},
    {"total.frequency", PM_SRC_FREQUENCY, PM_MODEL_TOTAL, 0, 0, PM_UNIT_HZ, -3, PM_ACCESS_READ,
     "Frequency", "1.0.14.7.0.255", "Hz"},
    {"total.energy.active_import", PM_SRC_ENERGY, PM_MODEL_TOTAL, PM_MET_A_IMPORT, 0, PM_UNIT_WH,
     -3, PM_ACCESS_READ, "EnergyImport", "1.0.1.8.0.255", "TotWhImp"},
    {"total.energy.active_export", PM_SRC_ENERGY, PM_MODEL_TOTAL, PM_MET_A_EXPORT, 0, PM_UNIT_WH,
     -3, PM_ACCESS_READ, "EnergyExport", "1.0.2.8.0.255", "TotWhExp"},
    {"total.energy.reactive_q1", PM_SRC_ENERGY, PM_MODEL_TOTAL, PM_MET_R_Q1, 0, PM_UNIT_VARH, -3,
     PM_ACCESS_READ, "ReactiveEnergyQ1", "1.0.5.8.0.255", "TotVArhImpQ1"},
    {"total.energy.reactive_q2", PM_SRC_ENERGY, PM_MODEL_TOTAL, PM_MET_R_Q2, 0, PM_UNIT_VARH, -3,
     PM_ACCESS_READ, "ReactiveEnergyQ2", "1.0.6.8.0.255", "TotVArhImpQ2"},
    {"total.energy.reactive_q3", PM_SRC_ENERGY, PM_MODEL_TOTAL, PM_MET_R_Q3, 0, PM_UNIT_VARH, -3,
     PM_ACCESS_READ, "ReactiveEnergyQ3", "1.0.7.8.0.255", "TotVArhExpQ3"},
    {"total.energy.reactive_q4", PM_SRC_ENERGY, PM_MODEL_TOTAL, PM_MET_R_Q4, 0, PM_UNIT_VARH, -3,
     PM_ACCESS_READ, "ReactiveEnergyQ4", "1.0.8.8.0.255", "TotVArhExpQ4"},
    {"total.energy.reactive_import", PM_SRC_ENERGY, PM_MODEL_TOTAL, PM_MET_R_IMPORT, 0,
     PM_UNIT_VARH, -3, PM_ACCESS_READ, "ReactiveEnergyImport", "1.0.3.8.0.255", NULL},
    {"total.energy.reactive_export", PM_SRC_ENERGY, PM_MODEL_TOTAL, PM_MET_R_EXPORT, 0,
     PM_UNIT_VARH, -3, PM_ACCESS_READ, "ReactiveEnergyExport", "1.0.4.8.0.255", NULL},
    {"total.energy.apparent_import", PM_SRC_ENERGY, PM_MODEL_TOTAL, PM_MET_S_IMPORT, 0, PM_UNIT_VAH,
     -3, PM_ACCESS_READ, "ApparentEnergyImport", "1.0.9.8.0.255", "TotVAhImp"},
    {"total.energy.apparent_export", PM_SRC_ENERGY, PM_MODEL_TOTAL, PM_MET_S_EXPORT, 0, PM_UNIT_VAH,
     -3, PM_ACCESS_READ, "ApparentEnergyExport", "1.0.10.8.0.255", "TotVAhExp"},
    /* Phase L1 */
    {"l1.voltage", PM_SRC_VOLTAGE, 0, 0, 0, PM_UNIT_V, -3, PM_ACCESS_READ, "Voltage",
     "1.0.32.7.0.255", "PhVphA"},
    {"l1.current", PM_SRC_CURRENT, 0, 0, 0, PM_UNIT_A, -3, PM_ACCESS_READ, "Current",
     "1.0.31.7.0.255", "AphA"},
    {"l1.active_power", PM_SRC_ACTIVE_POWER, 0, 0, 0, PM_UNIT_W, -3, PM_ACCESS_READ, "Power",
     "1.0.36.7.0.255", "WphA"},
    {"l1.reactive_power", PM_SRC_REACTIVE_POWER, 0, 0, 0, PM_UNIT_VAR, -3, PM_ACCESS_READ,
     "ReactivePower", NULL, "VARphA"},
    {"l1.apparent_power", PM_SRC_APPARENT_POWER, 0, 0, 0, PM_UNIT_VA, -3, PM_ACCESS_READ,
     "ApparentPower", "1.0.29.7.0.255", "VAphA"},
    {"l1.power_factor", PM_SRC_POWER_FACTOR, 0, 0, 0, PM_UNIT_PF, -6, PM_ACCESS_READ, "PowerFactor",
     "1.0.33.7.0.255", "PFphA"},
    {"l1.frequency", PM_SRC_FREQUENCY, 0, 0, 0, PM_UNIT_HZ, -3, PM_ACCESS_READ, "Frequency",
     "1.0.34.7.0.255", NULL},
    {"l1.energy.active_import", PM_SRC_ENERGY, 0, PM_MET_A_IMPORT, 0, PM_UNIT_WH, -3,
     PM_ACCESS_READ, "EnergyImport", "1.0.21.8.0.255", "TotWhImpPhA"},
    {"l1.energy.active_export", PM_SRC_ENERGY, 0, PM_MET_A_EXPORT, 0, PM_UNIT_WH, -3,
     PM_ACCESS_READ, "EnergyExport", "1.0.22.8.0.255", "TotWhExpPhA"},
    {"l1.energy.reactive_q1", PM_SRC_ENERGY, 0, PM_MET_R_Q1, 0, PM_UNIT_VARH, -3, PM_ACCESS_READ,
     "ReactiveEnergyQ1", "1.0.25.8.0.255", "TotVArhImpQ1PhA"},
    {"l1.energy.reactive_q2", PM_SRC_ENERGY, 0, PM_MET_R_Q2, 0, PM_UNIT_VARH, -3, PM_ACCESS_READ,
     "ReactiveEnergyQ2", "1.0.26.8.0.255", "TotVArhImpQ2PhA"},
    {"l1.energy.reactive_q3", PM_SRC_ENERGY, 0, PM_MET_R_Q3, 0, PM_UNIT_VARH, -3, PM_ACCESS_READ,
     "ReactiveEnergyQ3", "1.0.27.8.0.255", "TotVArhExpQ3PhA"},
    {"l1.energy.reactive_q4", PM_SRC_ENERGY, 0, PM_MET_R_Q4, 0, PM_UNIT_VARH, -3, PM_ACCESS_READ,
     "ReactiveEnergyQ4", "1.0.28.8.0.255", "TotVArhExpQ4PhA"},
    {"l1.energy.reactive_import", PM_SRC_ENERGY, 0, PM_MET_R_IMPORT, 0, PM_UNIT_VARH, -3,
     PM_ACCESS_READ, "ReactiveEnergyImport", "1.0.23.8.0.255", NULL},
    {"l1.energy.reactive_export", PM_SRC_ENERGY, 0, PM_MET_R_EXPORT, 0, PM_UNIT_VARH, -3,
     PM_ACCESS_READ, "ReactiveEnergyExport", "1.0.24.8.0.255", NULL},
    {"l1.energy.apparent_import", PM_SRC_ENERGY, 0, PM_MET_S_IMPORT, 0, PM_UNIT_VAH, -3,
     PM_ACCESS_READ, "ApparentEnergyImport", "1.0.29.8.0.255", "TotVAhImpPhA"},
    {"l1.energy.apparent_export", PM_SRC_ENERGY, 0, PM_MET_S_EXPORT, 0, PM_UNIT_VAH, -3,
     PM_ACCESS_READ, "ApparentEnergyExport", "1.0.30.8.0.255", "TotVAhExpPhA"},
    /* Phase L2 */
    {"l2.voltage", PM_SRC_VOLTAGE, 1, 0, 0, PM_UNIT_V, -3, PM_ACCESS_READ, "Voltage",
     "1.0.52.7.0.255", "PhVphB"},
    {"l2.current", PM_SRC_CURRENT, 1, 0, 0, PM_UNIT_A, -3, PM_ACCESS_READ, "Current",
     "1.0.51.7.0.255", "AphB"},
    {"l2.active_power", PM_SRC_ACTIVE_POWER, 1, 0, 0, PM_UNIT_W, -3, PM_ACCESS_READ, "Power",
     "1.0.56.7.0.255", "WphB"},
    {"l2.reactive_power", PM_SRC_REACTIVE_POWER, 1, 0, 0, PM_UNIT_VAR, -3, PM_ACCESS_READ,
     "ReactivePower", NULL, "VARphB"},
    {"l2.apparent_power", PM_SRC_APPARENT_POWER, 1, 0, 0, PM_UNIT_VA, -3, PM_ACCESS_READ,
     "ApparentPower", "1.0.49.7.0.255", "VAphB"},
    {"l2.power_factor", PM_SRC_POWER_FACTOR, 1, 0, 0, PM_UNIT_PF, -6, PM_ACCESS_READ, "PowerFactor",
     "1.0.53.7.0.255", "PFphB"},
    {"l2.frequency", PM_SRC_FREQUENCY, 1, 0, 0, PM_UNIT_HZ, -3, PM_ACCESS_READ, "Frequency",
     "1.0.54.7.0.255", NULL},
    {"l2.energy.active_import", PM_SRC_ENERGY, 1, PM_MET_A_IMPORT, 0, PM_UNIT_WH, -3,
     PM_ACCESS_READ, "EnergyImport", "1.0.41.8.0.255", "TotWhImpPhB"},
    {"l2.energy.active_export", PM_SRC_ENERGY, 1, PM_MET_A_EXPORT, 0, PM_UNIT_WH, -3,
     PM_ACCESS_READ, "EnergyExport", "1.0.42.8.0.255", "TotWhExpPhB"},
    {"l2.energy.reactive_q1", PM_SRC_ENERGY, 1, PM_MET_R_Q1, 0, PM_UNIT_VARH, -3, PM_ACCESS_READ,
     "ReactiveEnergyQ1", "1.0.45.8.0.255", "TotVArhImpQ1PhB"},
    {"l2.energy.reactive_q2", PM_SRC_ENERGY, 1, PM_MET_R_Q2, 0, PM_UNIT_VARH, -3, PM_ACCESS_READ,
     "ReactiveEnergyQ2", "1.0.46.8.0.255", "TotVArhImpQ2PhB"},
    {"l2.energy.reactive_q3", PM_SRC_ENERGY, 1, PM_MET_R_Q3, 0, PM_UNIT_VARH, -3, PM_ACCESS_READ,
     "ReactiveEnergyQ3", "1.0.47.8.0.255", "TotVArhExpQ3PhB"},
    {"l2.energy.reactive_q4", PM_SRC_ENERGY, 1, PM_MET_R_Q4, 0, PM_UNIT_VARH, -3, PM_ACCESS_READ,
     "ReactiveEnergyQ4", "1.0.48.8.0.255", "TotVArhExpQ4PhB"},
    {"l2.energy.reactive_import", PM_SRC_ENERGY, 1, PM_MET_R_IMPORT, 0, PM_UNIT_VARH, -3,
     PM_ACCESS_READ, "ReactiveEnergyImport", "1.0.43.8.0.255", NULL},
    {"l2.energy.reactive_export", PM_SRC_ENERGY, 1, PM_MET_R_EXPORT, 0, PM_UNIT_VARH, -3,
     PM_ACCESS_READ, "ReactiveEnergyExport", "1.0.44.8.0.255", NULL},
    {"l2.energy.apparent_import", PM_SRC_ENERGY, 1, PM_MET_S_IMPORT, 0, PM_UNIT_VAH, -3,
     PM_ACCESS_READ, "ApparentEnergyImport", "1.0.49.8.0.255", "TotVAhImpPhB"},
    {"l2.energy.apparent_export", PM_SRC_ENERGY, 1, PM_MET_S_EXPORT, 0, PM_UNIT_VAH, -3,
     PM_ACCESS_READ, "ApparentEnergyExport", "1.0.50.8.0.255", "TotVAhExpPhB"},
    /* Phase L3 */
    {"l3.voltage", PM_SRC_VOLTAGE, 2, 0, 0, PM_UNIT_V, -3, PM_ACCESS_READ, "Voltage",
     "1.0.72.7.0.255", "PhVphC"},
    {"l3.current", PM_SRC_CURRENT, 2, 0, 0, PM_UNIT_A, -3, PM_ACCESS_READ, "Current",
     "1.0.71.7.0.255", "AphC"},
    {"l3.active_power", PM_SRC_ACTIVE_POWER, 2, 0, 0, PM_UNIT_W, -3, PM_ACCESS_READ, "Power",
     "1.0.76.7.0.255", "WphC"},
    {"l3.reactive_power", PM_SRC_REACTIVE_POWER, 2, 0, 0, PM_UNIT_VAR, -3, PM_ACCESS_READ,
     "ReactivePower", NULL, "VARphC"},
    {"l3.apparent_power", PM_SRC_APPARENT_POWER, 2, 0, 0, PM_UNIT_VA, -3, PM_ACCESS_READ,
     "ApparentPower", "1.0.69.7.0.255", "VAphC"},
    {"l3.power_factor", PM_SRC_POWER_FACTOR, 2, 0, 0, PM_UNIT_PF, -6, PM_ACCESS_READ, "PowerFactor",
     "1.0.73.7.0.255", "PFphC"},
    {"l3.frequency", PM_SRC_FREQUENCY, 2, 0, 0, PM_UNIT_HZ, -3, PM_ACCESS_READ, "Frequency",
     "1.0.74.7.0.255", NULL},
    {"l3.energy.active_import", PM_SRC_ENERGY, 2, PM_MET_A_IMPORT, 0, PM_UNIT_WH, -3,
     PM_ACCESS_READ, "EnergyImport", "1.0.61.8.0.255", "TotWhImpPhC"},
    {"l3.energy.active_export", PM_SRC_ENERGY, 2, PM_MET_A_EXPORT, 0, PM_UNIT_WH, -3,
     PM_ACCESS_READ, "EnergyExport", "1.0.62.8.0.255", "TotWhExpPhC"},
    {"l3.energy.reactive_q1", PM_SRC_ENERGY, 2, PM_MET_R_Q1, 0, PM_UNIT_VARH, -3, PM_ACCESS_READ,
     "ReactiveEnergyQ1", "1.0.65.8.0.255", "TotVArhImpQ1PhC"},
    {"l3.energy.reactive_q2", PM_SRC_ENERGY, 2, PM_MET_R_Q2, 0, PM_UNIT_VARH, -3, PM_ACCESS_READ,
     "ReactiveEnergyQ2", "1.0.66.8.0.255", "TotVArhImpQ2PhC"},
    {"l3.energy.reactive_q3", PM_SRC_ENERGY, 2, PM_MET_R_Q3, 0, PM_UNIT_VARH, -3, PM_ACCESS_READ,
     "ReactiveEnergyQ3", "1.0.67.8.0.255", "TotVArhExpQ3PhC"},
    {"l3.energy.reactive_q4", PM_SRC_ENERGY, 2, PM_MET_R_Q4, 0, PM_UNIT_VARH, -3, PM_ACCESS_READ,
     "ReactiveEnergyQ4", "1.0.68.8.0.255", "TotVArhExpQ4PhC"},
    {"l3.energy.reactive_import", PM_SRC_ENERGY, 2, PM_MET_R_IMPORT, 0, PM_UNIT_VARH, -3,
     PM_ACCESS_READ, "ReactiveEnergyImport", "1.0.63.8.0.255", NULL},
    {"l3.energy.reactive_export", PM_SRC_ENERGY, 2, PM_MET_R_EXPORT, 0, PM_UNIT_VARH, -3,
     PM_ACCESS_READ, "ReactiveEnergyExport", "1.0.64.8.0.255", NULL},
    {"l3.energy.apparent_import", PM_SRC_ENERGY, 2, PM_MET_S_IMPORT, 0, PM_UNIT_VAH, -3,
     PM_ACCESS_READ, "ApparentEnergyImport", "1.0.69.8.0.255", "TotVAhImpPhC"},
    {"l3.energy.apparent_export", PM_SRC_ENERGY, 2, PM_MET_S_EXPORT, 0, PM_UNIT_VAH, -3,
     PM_ACCESS_READ, "ApparentEnergyExport", "1.0.70.8.0.255", "TotVAhExpPhC"},
};

const size_t pm_point_count = sizeof(pm_points) / sizeof(pm_points[0]);

static const char *const unit_names[PM_UNIT_COUNT] = {
    [PM_UNIT_V] = "V",
    [PM_UNIT_A] = "A",
    [PM_UNIT_W] = "W",
    [PM_UNIT_VAR] = "var",
    [PM_UNIT_VA] = "VA",
    [PM_UNIT_HZ] = "Hz",
    [PM_UNIT_PF] = "",
    [PM_UNIT_WH] = "Wh",
    [PM_UNIT_VARH] = "varh",
    [PM_UNIT_VAH] = "VAh",
    [PM_UNIT_NONE] = "",
    [PM_UNIT_SECOND] = "s",
    [PM_UNIT_CURRENCY] = "currency",
    [PM_UNIT_CURRENCY_PER_KWH] = "currency/kWh",
};

const char *pm_unit_name(enum pm_unit unit)
{
	return unit < PM_UNIT_COUNT ? unit_names[unit] : "?";
}

int pm_point_find(const char *id)
{
	for (size_t i = 0; i < pm_point_count; i++)
		if (!strcmp(pm_points[i].id, id))
			return (int)i;
	return -1;
}

int pm_snapshot_init(struct pm_snapshot *snap)
{
	memset(snap, 0, sizeof(*snap));
	snap->value = calloc(pm_point_count, sizeof(*snap->value));
	snap->valid = calloc(pm_point_count, sizeof(*snap->valid));
	if (!snap->value || !snap->valid) {
		pm_snapshot_free(snap);
		return -ENOMEM;
	}
	return 0;
}

void pm_snapshot_free(struct pm_snapshot *snap)
{
	free(snap->value);
	free(snap->valid);
	snap->value = NULL;
	snap->valid = NULL;
}

/* A register in mWh, saturated to the snapshot's signed range (never reached in practice). */
static int64_t energy_mwh(const struct pm_met_energy *e)
{
	return e->mwh > INT64_MAX ? INT64_MAX : (int64_t)e->mwh;
}

static bool point_value(const struct pm_point *pt, const struct pm_met_instant *in,
			const struct pm_met_registers *regs, int64_t *v)
{
	const bool total = pt->phase == PM_MODEL_TOTAL;
	const struct pm_met_instant_phase *ph = total ? NULL : &in->ph[pt->phase];

	switch (pt->source) {
	case PM_SRC_VOLTAGE:
		/* in delta the inputs carry line-to-line voltages: no phase voltage to publish */
		if (!in->has_line_to_neutral)
			return false;
		*v = ph->v_mv;
		return true;
	case PM_SRC_CURRENT:
		*v = total ? in->ph[0].i_ma + in->ph[1].i_ma + in->ph[2].i_ma : ph->i_ma;
		return true;
	case PM_SRC_ACTIVE_POWER:
		*v = total ? in->p_mw : ph->p_mw;
		return true;
	case PM_SRC_REACTIVE_POWER:
		*v = total ? in->q_mvar : ph->q_mvar;
		return true;
	case PM_SRC_APPARENT_POWER:
		*v = total ? in->s_mva : ph->s_mva;
		return true;
	case PM_SRC_POWER_FACTOR:
		*v = total ? in->pf_micro : ph->pf_micro;
		return true;
	case PM_SRC_FREQUENCY:
		*v = total ? in->f_mhz : ph->f_mhz;
		return *v > 0;
	case PM_SRC_NEUTRAL_CURRENT:
		*v = in->neutral_i_ma;
		return true;
	case PM_SRC_VOLTAGE_AVG:
		*v = in->v_avg_mv;
		return in->has_line_to_neutral;
	case PM_SRC_VOLTAGE_LL:
		*v = in->v_ll_mv[pt->line];
		return true;
	case PM_SRC_VOLTAGE_LL_AVG:
		*v = in->v_ll_avg_mv;
		return true;
	case PM_SRC_ENERGY:
		*v = energy_mwh(total ? &regs->total[pt->reg] : &regs->phase[pt->phase][pt->reg]);
		return true;
	}
	return false;
}

void pm_snapshot_fill(struct pm_snapshot *snap, const struct pm_met_instant *inst,
		      const struct pm_met_registers *regs)
{
	for (size_t i = 0; i < pm_point_count; i++) {
		int64_t v = 0;

		snap->valid[i] = point_value(&pm_points[i], inst, regs, &v);
		snap->value[i] = snap->valid[i] ? v : 0;
	}
	snap->ts_ns = inst->ts_ns;
	snap->seq++;
}
