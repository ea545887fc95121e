// polymeter's status page: polls polymeter-web's JSON API (docs/web.md) and draws it. Read
// only; every value comes from polymeterd over D-Bus, unchanged but for its formatting.
import "./style.css";
import { DASH, fixed, kwh, money, price, when } from "./format.js";
import { buildLive, updateLive } from "./live.js";
import { makePlot, setProfile } from "./plot.js";

const SNAPSHOT_MS = 1000; // live values: PropertiesChanged reaches polymeter-web once a second
const PROFILE_MS = 30000; // a profile interval is 15 minutes by default

const $ = (id) => document.getElementById(id);
const state = { meter: null, range: "day", plot: null, lastProfile: 0 };

async function getJson(path) {
  const r = await fetch(path, { cache: "no-store" });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
  return body;
}

function query(extra) {
  const q = new URLSearchParams(extra);
  if (state.meter) q.set("meter", state.meter);
  const s = q.toString();
  return s ? `?${s}` : "";
}

function setState(ok, text) {
  const el = $("state");
  el.textContent = text;
  el.className = `state ${ok ? "ok" : "bad"}`;
  $("banner").hidden = ok;
  if (!ok) $("banner").textContent = text;
}

function showMeters(names) {
  const sel = $("meter-select");
  sel.hidden = names.length < 2;
  if (sel.options.length !== names.length) {
    sel.replaceChildren(...names.map((n) => new Option(n, n)));
  }
  if (state.meter) sel.value = state.meter;
}

function showEnergy(s) {
  const e = s.energy || {};
  for (const [key, part] of [["today", e.today], ["month", e.month]]) {
    $(`${key}-import`).textContent = part ? kwh(part.import_wh) : DASH;
    $(`${key}-export`).textContent = part ? kwh(part.export_wh) : DASH;
  }
  $("total-import").textContent = kwh(s.values.EnergyImport);
  $("total-export").textContent = kwh(s.values.EnergyExport);
  for (const [key, prop] of [["import", "MaximumDemandImport"], ["export", "MaximumDemandExport"]]) {
    const md = (s.values[prop] || [])[0];
    const known = md && typeof md[0] === "number";
    $(`md-${key}`).textContent = known ? fixed(md[0], 0, "W") : DASH;
    $(`md-${key}-at`).textContent = known ? `window ending ${when(md[1] / 1e6)}` : "";
  }
}

// "rate 2 (day), block 1": the register's number and, when the tariff names it, its name
function rateText(a) {
  const name = a.RateName ? ` (${a.RateName})` : "";
  return `rate ${a.Rate + 1}${name}, block ${a.Block + 1}`;
}

function showAccount(a) {
  const list = $("account-list");
  const rows = [];
  if (!a || a.Running === undefined) {
    rows.push(["account", "none on this meter"]);
  } else if (!a.Running) {
    rows.push(["account", "unknown (polymeterd cannot read it)"]);
  } else {
    const m = (v) => money(v, a.Currency, a.MinorUnits);
    rows.push(
      ["mode", a.Mode],
      ["balance", m(a.Balance)],
      ["available credit", m(a.AvailableCredit)],
      ["emergency credit", a.EmergencyCredit.replace("_", " ")],
      ["supply", a.SupplyReason ? `${a.SupplyState} (${a.SupplyReason})` : a.SupplyState],
      ["tariff", a.HasTariff ? a.TariffName : "none"],
      ["rate", a.HasTariff ? rateText(a) : DASH],
      ["price", a.HasTariff ? `${price(a.Price, a.Currency, a.MinorUnits)}/kWh` : DASH],
      ["cost today", m(a.CostToday)],
    );
  }
  list.replaceChildren(...rows.flatMap(([k, v]) => {
    const dt = document.createElement("dt");
    const dd = document.createElement("dd");
    dt.textContent = k;
    dd.textContent = v;
    dd.dataset.field = k;
    return [dt, dd];
  }));
  const pays = (a && a.Running && a.Payments) || [];
  $("payments").replaceChildren(...pays.slice(0, 5).map(([t, mu, how]) => {
    const tr = document.createElement("tr");
    for (const text of [when(t * 1000), money(mu, a.Currency, a.MinorUnits), how]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  }));
  if (!pays.length && a && a.Running) {
    const tr = document.createElement("tr");
    tr.innerHTML = "<td>no payments yet</td>";
    $("payments").replaceChildren(tr);
  }
}

function showEvents(events) {
  $("event-body").replaceChildren(...(events || []).map(([ns, kind, detail]) => {
    const tr = document.createElement("tr");
    tr.dataset.kind = kind;
    tr.dataset.ns = String(ns);
    for (const text of [when(ns / 1e6), kind.replaceAll("_", " "), detail]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  }));
}

async function refreshProfile() {
  state.lastProfile = Date.now();
  try {
    const p = await getJson(`api/profile${query({ range: state.range })}`);
    // an answer for a meter or range chosen before the present one is not drawn over it
    if (p.meter !== state.meter || p.range !== state.range) return;
    setProfile(state.plot, p);
    state.plot.root.dataset.points = String(p.end_ms.length);
    state.plot.root.dataset.meter = p.meter;
  } catch (e) {
    console.warn("profile:", e.message);
  }
}

async function tick() {
  try {
    const s = await getJson(`api/snapshot${query({})}`);
    const first = state.meter === null;
    state.meter = s.meter;
    $("meter-name").textContent = s.meter;
    showMeters(s.meters || []);
    $("clock").textContent = when(s.now_ns / 1e6);
    const connected = s.daemon && s.values.Connected;
    setState(connected, !s.daemon ? s.error : connected ? "live" : "meter not connected");
    updateLive($("live-body"), s.values);
    showEnergy(s);
    showAccount(s.account);
    showEvents(s.events);
    document.body.dataset.updated = String(s.values.LastUpdate);
    if (first || Date.now() - state.lastProfile > PROFILE_MS) refreshProfile();
  } catch (e) {
    setState(false, `no answer from polymeter-web: ${e.message}`);
  }
  setTimeout(tick, SNAPSHOT_MS);
}

function start() {
  buildLive($("live-body"));
  state.plot = makePlot($("plot"));
  for (const b of document.querySelectorAll(".ranges button")) {
    b.addEventListener("click", () => {
      state.range = b.dataset.range;
      for (const o of document.querySelectorAll(".ranges button")) o.classList.toggle("on", o === b);
      refreshProfile();
    });
  }
  $("meter-select").addEventListener("change", (ev) => {
    state.meter = ev.target.value;
    refreshProfile();
  });
  tick();
}

start();
