#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""polymeterd's DLMS/COSEM server (IEC 62056-5-3 LN referencing over the IEC 62056-47 TCP
wrapper) against the project's own client (dlms_client.py) and the daemon's D-Bus view of the
same meter. Run under dbus-run-session (tests/dlms/run does).

usage: dlms-daemon.py POLYMETERD        (built with ASan/UBSan: make daemon-asan)

The meter is dlmstest.meter_conf()'s: a simulated feeder on a clock 900 times the real one, a
store, a two-rate tariff, the DLMS server on a loopback port the kernel gave out. What the
server must publish is read from its own Association LN object list; only the objects the
DLMS issue requires are assumed (Clock, Association LN, the model's measurement points,
energy per rate, Disconnect control, Activity calendar, Account and token Credit, load
profile 1).

Expected values never come from the server: the standard's encodings (dlms_client), the D-Bus
view of the same meter read just before and just after each DLMS read (a value that moves
must lie between them), and figures worked out by hand from the configuration (the profile
period, the number of entries in a range). Waits are on state changes, bounded.
Last line: "N passed, N failed".
"""
import sys
from fractions import Fraction

from dlmstest import (MANAGEMENT, PASSWORD, PUBLIC, Bus, Daemon, DLMS_UNIT,
                      associated, between, check, client, dbus_obis_points, dc, eventually,
                      done, free_port, meter_conf, section, stopped_clean, tmpdir)
import profile_checks
import write_checks

DAEMON = sys.argv[1]
TMP = tmpdir("pm-dlms-")
PORT = free_port()
daemon = Daemon(DAEMON, meter_conf(TMP, PORT), TMP, PORT)
up = daemon.wait_serving(60)
check("polymeterd starts with dlms_port/address/max_conn/idle_timeout/password_file and its "
      "DLMS server associates a public client", up, daemon.stderr()[-1500:])
if not up:
    daemon.stop()
    done()
bus = Bus()
check("the meter and its account are published on the session bus",
      eventually(bus.published, 60, "the meter on the session bus"))

CLOCK, ASSOC = dc.CLOCK, dc.ASSOCIATION_LN
LP = (7, "1.0.99.1.0.255")
DISCONNECT = (70, "0.0.96.3.10.255")
CALENDAR = (20, "0.0.13.0.0.255")
ACCOUNT = (111, "0.0.19.0.0.255")
CREDIT = (112, "0.0.19.10.0.255")
POINTS = dbus_obis_points()  # OBIS -> (D-Bus property, unit) of the model's points
REQUIRED = {CLOCK[1]: 8, ASSOC[1]: 15, LP[1]: 7, DISCONNECT[1]: 70, CALENDAR[1]: 20,
            ACCOUNT[1]: 111, CREDIT[1]: 112, "1.0.1.8.1.255": 3, "1.0.1.8.2.255": 3,
            **{code: 3 for code in POINTS}}
# Attributes per interface class (IEC 62056-6-2, reference dlms.md 3.2-3.6)
N_ATTRS = {1: 2, 3: 3, 7: 8, 8: 9, 20: 10, 70: 4, 71: 11, 111: 19, 112: 11, 113: 13}

# ---- 1. associations ----

with section("associations"):
    pub = client(PORT, PUBLIC)
    aare = pub.associate()
    ir = aare.initiate_response
    check("public client 16, no security: AARE accepted, context LN (2.16.756.5.8.1.1), "
          "InitiateResponse DLMS version 6, VAA name 0x0007", aare.accepted and
          aare.context_id == dc.CONTEXT_LN and ir is not None and ir.dlms_version == 6 and
          ir.vaa_name == 7, str(aare))
    need = dc.CONF_GET | dc.CONF_BLOCK_GET | dc.CONF_SELECTIVE_ACCESS | dc.CONF_MULTIPLE_REFS
    check("... negotiated conformance within what was proposed (0x001E1D) and with get, "
          "block-transfer-with-get, selective-access, multiple-references",
          ir is not None and ir.conformance & ~dc.DEFAULT_CONFORMANCE == 0 and
          ir.conformance & need == need, f"{ir and dc.conformance_names(ir.conformance)}")
    mgmt = client(PORT, MANAGEMENT)
    aare = mgmt.associate(password=PASSWORD)
    ir = aare.initiate_response
    need |= dc.CONF_SET | dc.CONF_ACTION | dc.CONF_BLOCK_SET
    check("management client 1, LLS with the password of dlms_password_file: AARE accepted, "
          "conformance adds set, action, block-transfer-with-set",
          aare.accepted and ir is not None and ir.conformance & need == need and
          ir.conformance & ~dc.DEFAULT_CONFORMANCE == 0, str(aare))
    with client(PORT, PUBLIC) as c:
        a = c.associate(conformance=dc.CONF_GET)
    check("conformance is the AND: proposing get alone negotiates get alone",
          a.accepted and a.initiate_response.conformance == dc.CONF_GET, str(a))

# ---- 2. the object lists (Association LN 0.0.40.0.0.255 attribute 2, in blocks) ----


def object_list(sap, max_pdu):
    with associated(PORT, sap, max_pdu=max_pdu) as c:
        res = c.get_result(*ASSOC, 2)
        sizes = [len(a) for a in c.received]
    return res, sizes


res = res_pub = None
sizes = []
mlist, plist, mgmt_only = [], [], []
MOBJ, POBJ = {}, {}
with section("the object lists"):
    res, sizes = object_list(MANAGEMENT, 256)
    check(f"management object_list read in {len(res.blocks)} blocks at client max PDU 256, every "
          "APDU within 256 octets", res.ok and len(res.blocks) > 1 and max(sizes) <= 256,
          f"{res.dar_name if not res.ok else ''} blocks {len(res.blocks)} sizes {sizes[-5:]}")
    mlist = dc.parse_object_list(res.value()) if res.ok else []
    MOBJ = {(o.class_id, o.ln): o for o in mlist}
    res_pub, _ = object_list(PUBLIC, 256)
    plist = dc.parse_object_list(res_pub.value()) if res_pub.ok else []
    POBJ = {(o.class_id, o.ln): o for o in plist}
    by_ln = {o.name: o for o in mlist}
    missing = [(code, cls) for code, cls in REQUIRED.items()
               if code not in by_ln or by_ln[code].class_id != cls]
    check(f"management object list ({len(mlist)} objects): the {len(REQUIRED)} required objects "
          "with their classes (Clock, Association LN, 64 model points, +A per rate 1 and 2, "
          "Disconnect control, Activity calendar, Account, Credit, load profile)", mlist and
          not missing, str(missing))
    check(f"public object list ({len(plist)} objects) holds the Clock and Association LN, and is a "
          "subset of the management one", (8, dc.obis(CLOCK[1])) in POBJ and
          (15, dc.obis(ASSOC[1])) in POBJ and set(POBJ) <= set(MOBJ),
          str([o.name for o in plist if (o.class_id, o.ln) not in MOBJ]))
    writable = [(o.name, a) for o in plist for a, mode, _ in o.attributes if mode in dc.WRITABLE]
    methods = [(o.name, m) for o in plist for m, mode in o.methods if mode]
    check("public access rights are read-only: no writable attribute, no method",
          not writable and not methods, f"{writable[:5]} {methods[:5]}")
    counts = [(o.name, o.class_id, len(o.attributes)) for o in mlist
              if o.class_id in N_ATTRS and len(o.attributes) != N_ATTRS[o.class_id]]
    assoc = MOBJ.get((15, dc.obis(ASSOC[1])))
    check("every object lists the attributes of its class (Register 3, Clock 9, Profile generic 8, "
          "Disconnect control 4, Activity calendar 10, Association LN 9 (v1) or 11 (v2), ...)",
          not counts and assoc is not None and
          len(assoc.attributes) == {1: 9, 2: 11}.get(assoc.version), str(counts))
    lp = MOBJ.get((7, dc.obis(LP[1])))
    check("load profile buffer (attr 2) takes selectors 1 (range) and 2 (entry)",
          lp is not None and sorted(lp.selectors(2) or []) == [1, 2],
          str(lp and lp.attributes))
    mgmt_only = [o for o in mlist if (o.class_id, o.ln) not in POBJ]

# ---- 3. GET every attribute of every object ----

VALUES = {}  # (class, ln, attr) -> Data, as the management client read it


def get_everything(c, objs, who):
    """GETs every listed attribute: (failures, refusals counted)."""
    bad, refused = [], 0
    for o in objs:
        for attr, mode, _ in o.attributes:
            try:
                r = c.get_result(o.class_id, o.ln, attr)
                typed = r.typed() if r.ok else None
            except dc.DlmsError as e:
                bad.append((o.name, attr, repr(e)))
                continue
            if r.ok and who == "management":
                VALUES[(o.class_id, o.ln, attr)] = typed
            if attr == 1 and not (r.ok and typed == dc.octet_string(o.ln)):
                bad.append((o.name, 1, "logical_name is not its LN", r))
            elif mode in dc.READABLE and not r.ok:
                refused += 1
                if r.dar not in dc.DATA_ACCESS_RESULT or r.dar in (0, 4, 9):
                    bad.append((o.name, attr, f"readable, refused {r.dar_name}"))
            elif mode not in dc.READABLE and (r.ok or r.dar != 3):
                bad.append((o.name, attr, f"access {mode}: not refused read-write-denied"))
    return bad, refused


with section("GET of every attribute"):
    for who, c, objs in (("management", mgmt, mlist), ("public", pub, plist)):
        bad, refused = get_everything(c, objs, who)
        n = sum(len(o.attributes) for o in objs)
        check(f"{who}: GET of all {n} attributes of its {len(objs)} objects: each decodes, "
              f"attr 1 is the LN, readable ones answer data or a proper refusal ({refused} "
              "refused), the others read-write-denied", objs and not bad, str(bad[:6]))


def typed(cls_ln, attr):
    return VALUES.get((cls_ln[0], dc.obis(cls_ln[1]), attr))


def is_type(d, tag, n=None):
    return d is not None and d.tag == tag and (n is None or len(d.value) == n)


with section("attribute types and units"):
    bad = []
    for code in POINTS:
        su = typed((3, code), 3)
        if not (is_type(su, dc.Tag.STRUCTURE, 2) and su.value[0].tag == dc.Tag.INTEGER and
                su.value[1].tag == dc.Tag.ENUM):
            bad.append((code, su))
    clk = typed(CLOCK, 2)
    dsc = [typed(DISCONNECT, a) for a in (2, 3, 4)]
    check("types: Register scaler_unit structure{integer, enum}; Clock time octet-string(12); "
          "Disconnect control output_state boolean, control_state and control_mode enum; "
          "Activity calendar name octet-string", not bad and is_type(clk, dc.Tag.OCTET_STRING, 12)
          and is_type(dsc[0], dc.Tag.BOOLEAN) and is_type(dsc[1], dc.Tag.ENUM) and
          is_type(dsc[2], dc.Tag.ENUM) and is_type(typed(CALENDAR, 2), dc.Tag.OCTET_STRING),
          f"{bad[:4]} {clk} {dsc}")
    bad = []
    for code, (_, unit) in POINTS.items():
        su = typed((3, code), 3)
        if su is None or su.value[1].value != DLMS_UNIT[unit]:
            bad.append((code, unit, su and su.plain()))
    check("units of the 64 model points: V 35, A 33, W 27, VA 28, Hz 44, Wh 30, varh 32, VAh 31, "
          "power factor 255 (IEC 62056-6-2 units)", not bad, str(bad[:6]))

# ---- 4. values against the D-Bus view ----

SCALER = {}
codes = sorted(POINTS)
with section("the model points against D-Bus"):
    SCALER = {code: typed((3, code), 3).plain()[0] for code in POINTS if typed((3, code), 3)}
    SCALER.update({code: typed((3, code), 3).plain()[0]
                   for code in ("1.0.1.8.1.255", "1.0.1.8.2.255") if typed((3, code), 3)})
    codes = sorted(POINTS)
    items = [(3, code, 2) for code in codes]
    before = bus.meter()
    rs = mgmt.get_with_list(items)
    after = bus.meter()
    bad, zero = [], 0
    for code, r in zip(codes, rs):
        name, unit = POINTS[code]
        if not r.ok or code not in SCALER:
            bad.append((code, r.dar_name if not r.ok else "no scaler"))
            continue
        x = r.value() * 10.0 ** SCALER[code]
        a, b = before[name], after[name]
        zero += a == 0 and b == 0
        if unit in ("Wh", "varh", "VAh"):
            # D-Bus: whole units, the floor of the mWh register; DLMS: value x 10^scaler
            ok = between(x, a, b + 1, 10.0 ** SCALER[code])
        else:
            ok = between(x, a, b, 0.5 * 10.0 ** SCALER[code] + 1e-9)
        if not ok:
            bad.append((name, code, x, a, b))
    # what the feeder makes nonzero (L2 lags 30 degrees: Q1; L3 at 160 degrees exports: its -A
    # and Q2; the totals integrate the net power, an import)
    flat = [n for n in ("EnergyImport", "EnergyExportL3", "ReactiveEnergyQ1", "ReactiveEnergyQ2L3",
                        "ApparentEnergyImport", "Power", "VoltageL1", "CurrentL3",
                        "PowerFactorL2", "FrequencyL2", "NeutralCurrent") if after[n] == 0]
    check(f"the 64 model points read in one GET-With-List, value x 10^scaler between the D-Bus "
          f"properties read before and after ({zero} zero on both sides, as the feeder makes "
          "them)", not bad and not flat, f"{bad[:6]} zero: {flat}")


def rates_read():
    """(+A, rate 1, rate 2 in mWh as Fractions, D-Bus Rate before, after) in one request."""
    b = bus.account()["Rate"]
    got = mgmt.get_with_list([(3, c, 2) for c in ("1.0.1.8.0.255", "1.0.1.8.1.255",
                                                  "1.0.1.8.2.255")])
    a = bus.account()["Rate"]
    mwh = [Fraction(r.value()) * Fraction(10) ** (SCALER.get(c, -3) + 3) for r, c in
           zip(got, ("1.0.1.8.0.255", "1.0.1.8.1.255", "1.0.1.8.2.255"))]
    return mwh, int(b), int(a)


with section("the rate registers"):
    (imp1, r1a, r2a), rate_b1, _ = rates_read()
    e0 = bus.meter()["EnergyImport"]
    eventually(lambda: bus.meter()["EnergyImport"] > e0 + 100, 30, "100 Wh more imported")
    (imp2, r1b, r2b), _, rate_a2 = rates_read()
    check("+A and its rate registers 1.0.1.8.1/2 in one GET-With-List: +A - (rate 1 + rate 2) "
          "the same at two reads while energy flows, >= 0",
          imp2 > imp1 and imp1 - r1a - r2a == imp2 - r1b - r2b >= 0,
          f"{imp1} {r1a} {r2a} / {imp2} {r1b} {r2b}")
    grew = [r1b > r1a, r2b > r2a]
    # (unless the rate switched meanwhile: at 00:00 and 12:00 UTC, every 48 s of real time)
    check("... the growth is on the current rate's register (D-Bus Rate, from 0)",
          rate_b1 != rate_a2 or (grew[rate_b1] and not grew[1 - rate_b1]),
          f"rate {rate_b1}..{rate_a2} grew {grew}")
    r = mgmt.get_result(3, "1.0.1.8.3.255", 2)
    # the object list is the meter's (every rate register it can keep, as a meter's list is
    # fixed); a rate the tariff does not define has no value
    check("1.0.1.8.3.255 (the tariff has two rates) has no value: object-unavailable (11)",
          not r.ok and r.dar_name == "object-unavailable", r.dar_name)

STEP_MU = 1000  # one step of the Account's amounts in mu (1e-5 GBP): set from its scale below


def money_between(dlms_value, mu_a, mu_b):
    """A DLMS amount (x 10^scale currency units, toward zero) between two D-Bus amounts (mu)."""
    return between(dlms_value * STEP_MU, mu_a, mu_b, STEP_MU)


with section("the account against D-Bus"):
    cur = typed(ACCOUNT, 15)
    acct = bus.account()
    cur_v = cur.plain() if cur is not None else None
    name = cur_v[0] if cur_v else None
    check("Account currency (attr 15): name GBP, scale -MinorUnits (-2)",
          cur_v is not None and len(cur_v) == 3 and
          (name.decode() if isinstance(name, bytes) else name) == str(acct["Currency"]) == "GBP"
          and cur_v[1] == -int(acct["MinorUnits"]), f"{cur_v} {acct['Currency']}")
    STEP_MU = 10 ** (cur_v[1] + 5) if cur_v else STEP_MU
    b = bus.account()
    got = mgmt.get_with_list([(*CREDIT, 2), (*ACCOUNT, 5)])
    a = bus.account()
    vals = [r.value() if r.ok else None for r in got]
    check("token Credit current_credit_amount and Account available_credit x 10^scale between the "
          "D-Bus Balance and AvailableCredit read before and after (credit mode: money flows)",
          None not in vals and money_between(vals[0], b["Balance"], a["Balance"]) and
          money_between(vals[1], b["AvailableCredit"], a["AvailableCredit"]) and
          b["Balance"] != 0, f"{vals} {b['Balance']}..{a['Balance']} step {STEP_MU} mu")

STATE = {"open": 0, "closed": 1, "armed": 2}


def supply_matches():
    b = bus.account()
    got = mgmt.get_with_list([(*DISCONNECT, 2), (*DISCONNECT, 3)])
    a = bus.account()
    v = [r.value() if r.ok else None for r in got]
    same = (b["SupplyClosed"], b["SupplyState"]) == (a["SupplyClosed"], a["SupplyState"])
    return same and v == [bool(a["SupplyClosed"]), STATE[str(a["SupplyState"])]], (v, a)


with section("supply and tariff against D-Bus"):
    ok, why = supply_matches()
    check("Disconnect control output_state / control_state = D-Bus SupplyClosed / SupplyState "
          "(closed: true, 1 connected)", ok and why[0] == [True, 1], str(why))
    name = mgmt.get_result(*CALENDAR, 2)
    check("Activity calendar calendar_name_active = D-Bus TariffName (\"Two rates\")",
          name.ok and name.value() == str(bus.account()["TariffName"]).encode() == b"Two rates",
          str(name.value() if name.ok else name.dar_name))

# the clock against the meter's own clock: a payment is dated by it (Payments, UTC seconds)
with section("the clock against the meter's"):
    bus.account_call("TopUp", bus.dbus.Int64(100000), "dlms-clock-1")
    t1 = int(bus.account()["Payments"][0][0])
    clock = mgmt.get_result(*CLOCK, 2)
    bus.account_call("TopUp", bus.dbus.Int64(100000), "dlms-clock-2")
    t2 = int(bus.account()["Payments"][0][0])
    dt = dc.DateTime.from_bytes(clock.value()) if clock.ok else None
    check("Clock time lies between the meter's clock at two payments made just before and after "
          "(D-Bus Payments), deviation 0 (time_zone UTC), day of week right",
          dt is not None and dt.specified and t1 <= int(dt.timestamp()) <= t2 and
          dt.deviation == 0 and dt.dow == dt.utc().isoweekday() and dt.status & 0x01 == 0,
          f"{t1} {dt} {t2}")
    tz = mgmt.get_result(*CLOCK, 3)
    check("Clock time_zone (attr 3) 0 minutes", tz.ok and tz.value() == 0,
          str(tz.value() if tz.ok else tz.dar_name))

# ---- 5. block transfer at a small PDU ----

with section("block transfer at a small PDU"):
    small, sizes = object_list(MANAGEMENT, 64)
    check(f"client max PDU 64: object_list in {len(small.blocks)} blocks, every APDU within 64 "
          "octets, the same list as read at 256", small.ok and res.ok and
          small.value() == res.value() and max(sizes) <= 64 and len(small.blocks) > 2,
          f"{len(small.blocks)} blocks, sizes up to {max(sizes)}")
    with associated(PORT, MANAGEMENT, max_pdu=64) as c:
        blocks = list(c.get_blocks(*ASSOC, 2))
        nums = [b.result.number for b in blocks]
        raw = b"".join(b.result.raw or b"" for b in blocks)
    check("... read block by block: numbers 1, 2, 3 ... in order, only the last marked last, "
          "the raw-data joined is the list", nums == list(range(1, len(nums) + 1)) and
          [b.result.last for b in blocks] == [False] * (len(nums) - 1) + [True] and res.ok and
          dc.decode_data(raw) == res.value(), str(nums))
    scalers = [(3, code, 3) for code in codes[:24]]
    with associated(PORT, PUBLIC, max_pdu=64) as c:
        rs = c.get_with_list(scalers)
    check("GET-With-List of 24 scaler_units at max PDU 64: answered in blocks, each equal to the "
          "attribute read alone", rs[0].blocks and all(r.ok and r.typed() == typed((3, it[1]), 3)
                                                        for r, it in zip(rs, scalers)),
          str([r.dar_name for r in rs if not r.ok][:3]))

# ---- 6. GET with-list, mixed ----

UNDEFINED = next(f"0.0.96.99.{k}.255" for k in range(256)
                 if (1, dc.obis(f"0.0.96.99.{k}.255")) not in MOBJ)
with section("GET with-list"):
    rs = pub.get_with_list([(*CLOCK, 1), (3, "1.0.1.8.0.255", 3), (*ASSOC, 1), (1, UNDEFINED, 2)])
    check("GET-With-List: Clock LN, +A scaler_unit, Association LN's LN, an undefined object: the "
          "first three as read alone, the last object-undefined",
          [r.value() if r.ok else r.dar for r in rs] ==
          [dc.obis(CLOCK[1]), typed((3, "1.0.1.8.0.255"), 3).plain(), dc.obis(ASSOC[1]), 4],
          str([r.value() if r.ok else r.dar_name for r in rs]))

# ---- 7. refusals ----


def aare_of(sap=PUBLIC, **aarq):
    """The Aare answering an AARQ on a new connection, or what happened instead."""
    with client(PORT, sap, timeout=5) as c:
        try:
            return c.associate(**aarq)
        except dc.Timeout:
            return "no answer"
        except dc.Closed:
            return "closed"
        except dc.DlmsError as e:
            return repr(e)


target = was = None
with section("refusals"):
    a = aare_of(MANAGEMENT, password="not-" + PASSWORD)
    check("management client with a wrong password: AARE rejected, diagnostic acse-service-user "
          "authentication-failure (13)", isinstance(a, dc.Aare) and a.result in (1, 2) and
          a.diagnostic_source == "user" and a.diagnostic == 13, str(a))
    a = aare_of(MANAGEMENT)
    check("management client without authentication: AARE rejected (authentication-mechanism-name-"
          "required, -failure or -required)", isinstance(a, dc.Aare) and a.result in (1, 2) and
          a.diagnostic in (12, 13, 14), str(a))
    a = aare_of(MANAGEMENT, password=PASSWORD, mechanism=dc.MECHANISM_HLS_GMAC)
    check("management client proposing HLS-GMAC (not served): AARE rejected, "
          "authentication-mechanism-name-not-recognised (11)", isinstance(a, dc.Aare) and
          a.result in (1, 2) and a.diagnostic == 11, str(a))
    for ctx, what in ((dc.CONTEXT_SN, "SN referencing (2.16.756.5.8.1.2)"),
                      (dc.context_oid(9), "an unknown context (2.16.756.5.8.1.9)")):
        a = aare_of(PUBLIC, context=ctx)
        check(f"wrong application context, {what}: AARE rejected-permanent, "
              "application-context-name-not-supported (2)", isinstance(a, dc.Aare) and
              a.result == 1 and a.diagnostic_source == "user" and a.diagnostic == 2, str(a))
    a = aare_of(PUBLIC, dlms_version=5)
    check("DLMS version 5: AARE rejected with a confirmedServiceError initiateError, initiate: "
          "dlms-version-too-low", isinstance(a, dc.Aare) and not a.accepted and
          a.service_error == dc.ConfirmedServiceError(1, 6, 1), str(a))
    for sap in (17, 102):
        a = aare_of(sap)
        check(f"unknown client SAP {sap}: not associated (AARE rejected, or no answer, or closed)",
              a in ("no answer", "closed") or (isinstance(a, dc.Aare) and not a.accepted), str(a))
    with client(PORT, PUBLIC, timeout=3) as c:
        try:
            resp = c.request(dc.get_request_normal(0xC1, *CLOCK, 2))
            got = resp.kind
        except (dc.Timeout, dc.Closed) as e:
            got = type(e).__name__
    check("GET before any AARQ: no data (exception-response or confirmedServiceError, or nothing, "
          "or the connection closed)", got in ("exception", "service-error", "Timeout", "Closed"),
          got)

    target = None  # an attribute the management client may write and the public one only read
    for o in plist:
        mo = MOBJ.get((o.class_id, o.ln))
        for attr, mode, _ in o.attributes:
            if attr > 1 and mode in dc.READABLE and mo and mo.access(attr) in dc.WRITABLE:
                target = target or (o.class_id, o.name, attr)
    target = target or (*CLOCK, 2)
    was = mgmt.get_typed(*target)
    r = pub.set(*target, was)
    check(f"public client SETs {target[1]} attr {target[2]} (its own value): read-write-denied",
          r == 3, dc.DATA_ACCESS_RESULT.get(r, r))
    r, _ = pub.action(*DISCONNECT, 1, dc.integer(0))
    check("public client ACTION remote_disconnect: action-result read-write-denied, the supply "
          "still closed (D-Bus)", r == 3 and bus.account()["SupplyState"] == "closed",
          dc.ACTION_RESULT.get(r, r))
    if mgmt_only:
        o = mgmt_only[0]
        r = pub.get_result(o.class_id, o.ln, 1)
        check(f"public client GETs a management-only object ({o.name}, not in its list): "
              "object-undefined", not r.ok and r.dar == 4, r.dar_name if not r.ok else "data")
    else:
        check("public client GETs a management-only object: object-undefined", False,
              "every object of the management list is in the public one")
    bad = []
    for c, who in ((pub, "public"), (mgmt, "management")):
        for it in ((1, UNDEFINED, 2), (3, "1.0.99.99.99.255", 2)):
            r = c.get_result(*it)
            if r.ok or r.dar != 4:
                bad.append((who, it, r.dar_name if not r.ok else "data"))
        r = c.get_result(3, CLOCK[1], 2)  # the clock's LN with the Register class
        if r.ok or r.dar not in (4, 9):
            bad.append((who, "clock as class 3", r.dar_name if not r.ok else "data"))
    check("GET of undefined objects: object-undefined (a known LN with a wrong class: "
          "object-undefined or object-class-inconsistent), for both clients", not bad, str(bad))

# ---- 8. release, and a second association on the same connection ----

with section("release and a second association"):
    with client(PORT, PUBLIC) as c:
        c.associate()
        rl = c.release()
        try:
            after_release = c.request(dc.get_request_normal(0xC1, *CLOCK, 2), timeout=2).kind
        except dc.Timeout:
            after_release = "no answer"
        a2 = c.associate()
        r = c.get_result(*CLOCK, 1)
    check("RLRQ answered by an RLRE (reason normal or absent); a GET then gets no data; a second "
          "AARQ on the same connection is accepted and served", rl.reason in (None, 0) and
          after_release in ("exception", "service-error", "no answer") and a2.accepted and r.ok and
          r.value() == dc.obis(CLOCK[1]), f"{rl} {after_release} {a2}")

# ---- 9. concurrent associations, each with its own state ----

with section("concurrent associations"):
    conns = {"public A": associated(PORT, PUBLIC, 64), "public B": associated(PORT, PUBLIC, 64),
             "management": associated(PORT, MANAGEMENT, 64)}
    writer = associated(PORT, MANAGEMENT, 64)
    gens = {k: c.get_blocks(*ASSOC, 2) for k, c in conns.items()}
    blocks = {k: [] for k in conns}
    finished = set()
    mid = None
    while len(finished) < len(conns):  # one block each in turn: 3 block transfers interleaved
        for k, g in gens.items():
            if k not in finished:
                try:
                    blocks[k].append(next(g).result.raw)
                except StopIteration:
                    finished.add(k)
        if len(blocks["public A"]) == 2 and mid is None:
            # a write by another management association in the middle (a new request on the
            # same association would end that association's own long GET, as any does)
            mid = writer.set(*target, was)
    lists = {k: dc.decode_data(b"".join(v)) for k, v in blocks.items()}
    check("three associations at once (two public, one management) with their block transfers "
          "interleaved block by block and a SET by a fourth in between: each list whole and its "
          "client's own",
          lists["public A"] == lists["public B"] == res_pub.value() and
          lists["management"] == res.value() and mid == 0)
    for c in conns.values():
        c.close()
    writer.close()

# ---- 10. the load profile; 11. writes and actions ----

with section("the load profile"):
    profile_checks.run(bus, mgmt, MOBJ, SCALER)
with section("writes and actions"):
    write_checks.run(bus, pub, mgmt, MOBJ, STEP_MU, supply_matches)

pub.close()
mgmt.close()
stopped_clean(daemon, "polymeterd")
done()
