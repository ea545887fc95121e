// The live table: one row per quantity, a column per phase and the total, each cell named by
// its D-Bus property (data-prop), as polymeterd publishes it.
import { fixed } from "./format.js";

export const ROWS = [
  { label: "voltage", base: "Voltage", total: "VoltageAverage", dec: 1, unit: "V" },
  { label: "current", base: "Current", total: "Current", dec: 2, unit: "A" },
  { label: "active power", base: "Power", total: "Power", dec: 0, unit: "W" },
  { label: "reactive power", base: "ReactivePower", total: "ReactivePower", dec: 0, unit: "var" },
  { label: "apparent power", base: "ApparentPower", total: "ApparentPower", dec: 0, unit: "VA" },
  { label: "power factor", base: "PowerFactor", total: "PowerFactor", dec: 3, unit: "" },
  { label: "frequency", base: "Frequency", total: "Frequency", dec: 2, unit: "Hz" },
];

export function buildLive(tbody) {
  for (const row of ROWS) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.textContent = row.label;
    tr.append(th);
    for (const prop of [`${row.base}L1`, `${row.base}L2`, `${row.base}L3`, row.total]) {
      const td = document.createElement("td");
      td.dataset.prop = prop;
      tr.append(td);
    }
    tbody.append(tr);
  }
}

export function updateLive(tbody, values) {
  for (const row of ROWS) {
    for (const prop of [`${row.base}L1`, `${row.base}L2`, `${row.base}L3`, row.total]) {
      const td = tbody.querySelector(`td[data-prop="${prop}"]`);
      td.textContent = fixed(values[prop], row.dec, row.unit).trim();
    }
  }
}
