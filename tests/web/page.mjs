// The status page in Debian's Chromium (playwright-core, executablePath /usr/bin/chromium)
// against polymeter-web and polymeterd with a simulated meter on a private session bus
// (tests/web/run starts them). Expected values come from D-Bus (busctl), formatted by the
// rules docs/web.md gives, never from polymeter-web's own answers.
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";

const [url, meter, shot, dipMeter] = process.argv.slice(2);
const require = createRequire(new URL("../../daemon/views/web/ui/package.json", import.meta.url));
const { chromium } = require("playwright-core");

let pass = 0, fail = 0;
function check(name, ok, detail = "") {
  if (ok) { pass++; console.log(`ok: ${name}`); }
  else { fail++; console.log(`FAIL: ${name} ${detail}`); }
}

const path = `/org/polymeter/Meter1/${meter}`;
function busctl(...args) {
  return JSON.parse(execFileSync("busctl", ["--user", "-j", ...args], { encoding: "utf8" }));
}
const prop = (iface, name) =>
  busctl("get-property", "org.polymeter.Meter1", path, iface, name).data;
const meterProp = (name) => prop("org.polymeter.Meter1.Meter", name);

// Polls until the page and D-Bus show the same (polymeter-web's copy of D-Bus trails it by up to
// 2 s, and both move on); returns [page, D-Bus] of the last look.
async function agree(onPage, onDbus, same) {
  let d = onDbus(), p = await onPage();
  for (const end = Date.now() + 120000; !same(p, d) && Date.now() < end; ) {
    await page.waitForTimeout(250); // pacing the poll of two copies converging
    [d, p] = [onDbus(), await onPage()];
  }
  return [p, d];
}

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
const page = await browser.newPage({ timezoneId: "UTC", viewport: { width: 1200, height: 1100 } });
// make check runs the VM suite beside this: every wait is bounded by 2 minutes rather than
// Playwright's 30 s, a bound that keeps a broken run finite, not a figure under test
page.setDefaultTimeout(120000);
const outside = [];
page.on("request", (r) => { if (!r.url().startsWith(url)) outside.push(r.url()); });
await page.goto(url);

// the meter, chosen in the page's list (tests/web/web.py runs two; which one D-Bus lists first
// is not fixed): the live table fills with its first snapshot
await page.waitForFunction(() => document.querySelector("#meter-select").options.length === 2);
await page.selectOption("#meter-select", meter);
await page.waitForFunction((m) => document.querySelector("#meter-name").textContent === m &&
  document.querySelector('td[data-prop="VoltageL1"]')?.textContent.endsWith("V"), meter);
const cells = [
  ["VoltageL1", 1, "V"], ["VoltageL2", 1, "V"], ["VoltageL3", 1, "V"],
  ["CurrentL1", 2, "A"], ["CurrentL2", 2, "A"], ["CurrentL3", 2, "A"],
  ["PowerL1", 0, "W"], ["PowerL2", 0, "W"], ["PowerL3", 0, "W"], ["Power", 0, "W"],
  ["PowerFactorL2", 3, ""], ["FrequencyL1", 2, "Hz"],
];
for (const [name, dec, unit] of cells) {
  const want = `${meterProp(name).toFixed(dec)} ${unit}`.trim();
  const got = await page.textContent(`td[data-prop="${name}"]`);
  check(`page_${name}_as_dbus`, got === want, `page '${got}', D-Bus '${want}'`);
}

// updating without reload: the snapshot's LastUpdate moves on in the same page
const first = await page.getAttribute("body", "data-updated");
await page.waitForFunction((f) => document.body.dataset.updated !== f, first);
check("page_updates_without_reload", true);

// the account: tariff name and mode as D-Bus has them
const acct = (n) => prop("org.polymeter.Account1", n);
check("page_tariff_as_dbus",
  (await page.textContent('dd[data-field="tariff"]')) === acct("TariffName"));
check("page_mode_as_dbus", (await page.textContent('dd[data-field="mode"]')) === acct("Mode"));
// the rate with its name as the tariff file gives it (uk-economy7.json: 1 "night", 2 "day"),
// which switches at the tariff's times: awaited as the page catches up
const rateOnDbus = () => `rate ${acct("Rate") + 1} (${acct("RateName")}), block ${acct("Block") + 1}`;
const [rateShown, rateWant] = await agree(() => page.textContent('dd[data-field="rate"]'),
  rateOnDbus, (p, d) => p === d);
check("page_rate_name_as_dbus", rateShown === rateWant &&
  /^rate (1 \(night\)|2 \(day\)), block [12]$/.test(rateShown), `page '${rateShown}', D-Bus '${rateWant}'`);

// the price exact, as the tariff file writes it (uk-economy7.json: 0.1523 / 0.1675 night,
// 0.3012 / 0.3315 day, GBP, in blocks), and as D-Bus has it: Price mu / 100 000 per GBP
const priceOnDbus = () => {
  const mu = acct("Price");
  return `${Math.floor(mu / 100000)}.${String(mu % 100000).padStart(5, "0").replace(/0+$/, "")
    .padEnd(2, "0")} GBP/kWh`;
};
const [priceShown, priceWant] = await agree(() => page.textContent('dd[data-field="price"]'),
  priceOnDbus, (p, d) => p === d);
check("page_price_exact_as_dbus", priceShown === priceWant &&
  ["0.1523 GBP/kWh", "0.1675 GBP/kWh", "0.3012 GBP/kWh", "0.3315 GBP/kWh"].includes(priceShown),
  `page '${priceShown}', D-Bus '${priceWant}'`);

// the plot: wait for points, then compare every point with GetProfile over the same window:
// mean power W = growth mWh x 3.6 / period s (docs/dbus.md: growth in mWh, period in ns)
await page.waitForFunction((m) => window.polymeterPlot?.root.dataset.meter === m &&
  window.polymeterPlot.data[0].length >= 3, meter);
const data = await page.evaluate(() => window.polymeterPlot.data.map((s) => Array.from(s)));
const fromNs = BigInt(Math.round(data[0][0] * 1000)) * 1000000n;
const toNs = BigInt(Math.round(data[0][data[0].length - 1] * 1000)) * 1000000n;
const prof = busctl("call", "org.polymeter.Meter1", path, "org.polymeter.Meter1.Meter",
  "GetProfile", "tt", String(fromNs), String(toNs)).data[0];
check("plot_has_the_profiles_points", prof.length === data[0].length,
  `plot ${data[0].length}, GetProfile ${prof.length}`);
let same = prof.length === data[0].length;
prof.forEach((iv, i) => {
  const periodS = iv[1] / 1e9;
  const imp = (iv[5][0] * 3.6) / periodS, exp = (iv[5][1] * 3.6) / periodS;
  if (iv[0] / 1e9 !== data[0][i] || Math.abs(imp - data[1][i]) > 1e-9 ||
      Math.abs(exp - data[2][i]) > 1e-9) same = false;
});
check("plot_points_are_the_profiles_power", same);

// events: the newest of GetEvents is listed first, under its kind. polymeter-web fetches them
// every 2 s, so one logged since its last fetch is awaited: the page's first row and D-Bus's
// newest agree once it has fetched what D-Bus has
const newestOnDbus = () => busctl("call", "org.polymeter.Meter1", path,
  "org.polymeter.Meter1.Meter", "GetEvents", "t", "1").data[0][0];
const newestOnPage = () => page.evaluate(() => {
  const tr = document.querySelector("#event-body tr:first-child");
  return tr && [Number(tr.dataset.ns), tr.dataset.kind];
});
// the page's time is D-Bus's nanoseconds through a JSON number (a double: 256 ns apart)
const sameEvent = (p, d) => p && Math.abs(p[0] - d[0]) < 1000 && p[1] === d[1];
const [shown, ev] = await agree(newestOnPage, newestOnDbus, sameEvent);
check("events_newest_as_dbus", sameEvent(shown, ev), `page ${shown}, D-Bus ${ev.slice(0, 2)}`);

// zoom: a drag over the plot narrows its x range
const before = await page.evaluate(() => window.polymeterPlot.scales.x.max -
  window.polymeterPlot.scales.x.min);
const over = await page.locator("#plot .u-over").boundingBox();
await page.mouse.move(over.x + over.width * 0.3, over.y + over.height / 2);
await page.mouse.down();
await page.mouse.move(over.x + over.width * 0.6, over.y + over.height / 2, { steps: 5 });
await page.mouse.up();
const after = await page.evaluate(() => window.polymeterPlot.scales.x.max -
  window.polymeterPlot.scales.x.min);
check("plot_zooms_on_drag", after < before * 0.5, `${before} -> ${after}`);

await page.screenshot({ path: shot, fullPage: true });

// a dip of the simulated grid (tests/web/web.py: the meter dipMeter dips to 70 % of 230 V every
// 1.8 s): chosen in the page's meter list, its events show, and the start of a dip that comes
// while the page is open appears without a reload, as D-Bus logged it: 230 V x 70 % = 161.0 V
await page.selectOption("#meter-select", dipMeter);
const opened = BigInt(Date.now()) * 1000000n;
const dipRow = await page.waitForFunction((t) => {
  const rows = [...document.querySelectorAll('#event-body tr[data-kind="dip"]')];
  const row = rows.find((r) => BigInt(r.dataset.ns) > BigInt(t) &&
    / falling, /.test(r.cells[2].textContent));
  return row && [row.dataset.ns, row.cells[2].textContent];
}, String(opened));
const [dipNs, dipDetail] = await dipRow.jsonValue();
check("dip_appears_live", /^L[123] falling, 161\.0 V$/.test(dipDetail), dipDetail);
const dipPath = `/org/polymeter/Meter1/${dipMeter}`;
const logged = busctl("call", "org.polymeter.Meter1", dipPath, "org.polymeter.Meter1.Meter",
  "GetEvents", "t", "100").data[0];
// the page's time is D-Bus's nanoseconds through a JSON number (a double: 256 ns apart here)
check("dip_as_dbus_logged_it", logged.some(([ns, kind, detail]) => kind === "dip" &&
  detail === dipDetail && Math.abs(ns - Number(dipNs)) < 1000), dipDetail);

check("nothing_loaded_from_elsewhere", outside.length === 0, outside.join(" "));
await browser.close();
console.log(`page: ${pass} passed, ${fail} failed`);
process.exit(fail ? 1 : 0);
