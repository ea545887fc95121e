// How the page writes values (docs/web.md, "What the page shows"): fixed decimals per unit, so
// the page and a test reading D-Bus write the same value the same way.
export const DASH = "–";

export function fixed(v, decimals, unit) {
  if (typeof v !== "number" || !Number.isFinite(v)) return DASH;
  return `${v.toFixed(decimals)} ${unit}`;
}

// Whole Wh (the registers' unit on D-Bus) as kWh with 3 decimals: exact, no rounding.
export function kwh(wh) {
  if (typeof wh !== "number") return DASH;
  const sign = wh < 0 ? "-" : "";
  const a = Math.abs(wh);
  return `${sign}${Math.floor(a / 1000)}.${String(a % 1000).padStart(3, "0")} kWh`;
}

// Money in mu (1/1000 of the smallest unit) with the currency's minor units: 1 GBP = 100 000 mu.
export function money(mu, currency, minor) {
  if (typeof mu !== "number") return DASH;
  const digits = Number.isInteger(minor) ? minor : 2;
  const units = mu / 1000 / 10 ** digits;
  return `${units.toFixed(digits)} ${currency || ""}`.trim();
}

// A price in mu, exact: the currency's minor units at least, then as many of the mu's three
// further digits as it has (0.3012 GBP, not 0.30: tariffs price to a hundredth of a penny).
export function price(mu, currency, minor) {
  if (typeof mu !== "number" || !Number.isInteger(mu)) return DASH;
  const digits = Number.isInteger(minor) ? minor : 2;
  const scale = 1000 * 10 ** digits;
  const sign = mu < 0 ? "-" : "";
  const a = Math.abs(mu);
  let frac = String(a % scale).padStart(digits + 3, "0");
  while (frac.length > digits && frac.endsWith("0")) frac = frac.slice(0, -1);
  const units = Math.floor(a / scale);
  return `${sign}${units}${frac ? "." + frac : ""} ${currency || ""}`.trim();
}

const pad = (n) => String(n).padStart(2, "0");

// A time in the browser's zone, to the second: 2026-12-05 17:40:12.
export function when(ms) {
  if (typeof ms !== "number" || ms <= 0) return DASH;
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
