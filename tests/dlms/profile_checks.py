# SPDX-License-Identifier: GPL-2.0-only
"""The load profile 1.0.99.1.0.255 (Profile generic, class 7) of dlms-daemon.py's meter against
the D-Bus view of the same store (GetProfile): its attributes, the whole buffer, and the
buffer read by entry and by range on the clock column.

The meter's profile period is 15 minutes on a simulated clock 900 times the real one, so an
interval ends about every real second; the intervals end at whole periods UTC (the
configuration's documentation). A range [from, to] whose ends are both interval ends holds
(to - from) / 900 s + 1 entries: 4 for to = from + 2700 s; moved 1 s outward it holds the same
4, moved 1 s inward at the start 3. Expected values come from GetProfile (interval ends, the
registers at each interval's last sample in mWh), read just before and just after.
"""
from fractions import Fraction

from dlmstest import PASSWORD, PROFILE_PERIOD_S, check, dc, eventually, getv

LP = (7, "1.0.99.1.0.255")
CLOCK_COLUMN = (8, dc.obis("0.0.1.0.0.255"), 2, 0)
# capture objects GetProfile also has: the registers at the interval's last sample, mWh
REGISTER_COLUMNS = {(3, dc.obis(code), 2, 0): k for k, code in enumerate(
    ("1.0.1.8.0.255", "1.0.2.8.0.255", "1.0.3.8.0.255", "1.0.4.8.0.255"))}
KEPT_DAYS = 240  # "kept 240 days" (polymeterd.conf.example, profile_period)


def run(bus, mgmt, objects, scaler):
    """The checks; @mgmt an associated management client, @objects its object list by (class,
    LN), @scaler the registers' scalers by OBIS."""
    if (7, dc.obis(LP[1])) not in objects:
        check("load profile 1.0.99.1.0.255 in the object list", False)
        return
    enough = eventually(lambda: len(bus.profile()) >= 8, 90, "8 profile intervals on D-Bus")
    check("8 profile intervals stored (the simulated clock runs 900x)", enough)
    cols = getv(mgmt, *LP, 3)
    cols = cols if isinstance(cols, list) else []
    check("capture_objects (attr 3): structures {class_id, logical_name, attribute_index, "
          "data_index}, the Clock's time among them",
          all(isinstance(c, tuple) and len(c) == 4 for c in cols) and CLOCK_COLUMN in cols,
          str(cols))
    if CLOCK_COLUMN not in cols:
        return
    ci = cols.index(CLOCK_COLUMN)
    attrs = {a: mgmt.get_result(*LP, a) for a in (4, 5, 8)}
    check("capture_period (attr 4) 900 s (profile_period = 15), sort_method (attr 5) 1 FIFO, "
          f"profile_entries (attr 8) {KEPT_DAYS} days of 15-minute entries = "
          f"{KEPT_DAYS * 96}", [attrs[a].value() if attrs[a].ok else None
                                for a in (4, 5, 8)] == [PROFILE_PERIOD_S, 1, KEPT_DAYS * 96],
          str({a: r.value() if r.ok else r.dar_name for a, r in attrs.items()}))

    def when(row):
        return int(dc.DateTime.from_bytes(row[ci]).timestamp())

    def same_registers(row, iv):
        """The row's register columns equal GetProfile's registers of the interval."""
        for k, col in enumerate(cols):
            if col in REGISTER_COLUMNS:
                sc = scaler.get(dc.obis_str(col[1]), -3)
                got = Fraction(row[k]) * Fraction(10) ** (sc + 3)
                step = max(Fraction(10) ** (sc + 3), 1)
                if abs(got - iv[4][REGISTER_COLUMNS[col]]) >= step:
                    return False
        return True

    n_before = mgmt.get(*LP, 7)
    prof_before = bus.profile()
    buf = mgmt.get(*LP, 2)
    prof_after = bus.profile()
    n_after = mgmt.get(*LP, 7)
    check(f"buffer (attr 2) whole: {len(buf)} entries, between entries_in_use (attr 7) and the "
          "D-Bus intervals read before and after, each row one value per capture object",
          n_before <= len(buf) <= n_after and len(prof_before) <= len(buf) <= len(prof_after)
          and all(len(row) == len(cols) for row in buf),
          f"{n_before} {len(prof_before)} {len(buf)} {len(prof_after)} {n_after}")
    ends = [iv[0] for iv in prof_after]
    bad = [k for k, row in enumerate(buf) if k >= len(ends) or when(row) != ends[k] or
           not same_registers(row, prof_after[k])]
    regs = [c for c in cols if c in REGISTER_COLUMNS]
    check(f"every entry's clock = the D-Bus interval end, oldest first, and its {len(regs)} "
          "energy register columns (+A, -A, +R, -R captured) = the D-Bus registers at it",
          buf and not bad, f"rows {bad[:5]} of {len(buf)}")
    check("interval ends on whole 900 s UTC, one period apart",
          all(e % PROFILE_PERIOD_S == 0 for e in ends) and
          all(b - a == PROFILE_PERIOD_S for a, b in zip(ends[1:], ends[2:])), str(ends[:6]))

    # by entry: entries 1..3 (the oldest three), all columns, then columns 1..2
    got = getv(mgmt, *LP, 2, 2, dc.entry_descriptor(1, 3))
    check("entry_descriptor entries 1..3: the three oldest entries, as in the whole buffer",
          got == buf[:3], f"{[when(r) for r in got]} vs {[when(r) for r in buf[:3]]}")
    got = getv(mgmt, *LP, 2, 2, dc.entry_descriptor(2, 4, 1, 2))
    check("entry_descriptor entries 2..4, columns 1..2: 3 rows of the first two values",
          got == [row[:2] for row in buf[1:4]], str(got[:1]))
    got = getv(mgmt, *LP, 2, 2, dc.entry_descriptor(len(buf) + 100000, len(buf) + 100002))
    check("entry_descriptor past the last entry: an empty array", got == [], str(got)[:100])

    # by range on the clock column, from the D-Bus interval ends (skipping the first, partial)
    t0, t3 = ends[2], ends[5]  # t3 - t0 = 3 x 900 s: 4 entries

    def rng(a, b, columns=()):
        return getv(mgmt, *LP, 2, 1, dc.range_descriptor(
            dc.DateTime.from_utc(a, hundredths=False), dc.DateTime.from_utc(b, hundredths=False),
            columns))

    got = rng(t0, t3)
    check("range_descriptor [end 3, end 6] on the clock: (2700 s / 900 s) + 1 = 4 entries, "
          "those of the whole buffer", got == buf[2:6], str([when(r) for r in got]))
    got = rng(t0 - 1, t3 + 1)
    check("... [end 3 - 1 s, end 6 + 1 s]: the same 4", got == buf[2:6],
          str([when(r) for r in got]))
    got = rng(t0 + 1, t3)
    check("... [end 3 + 1 s, end 6]: 3 entries (ends 4..6)", got == buf[3:6],
          str([when(r) for r in got]))
    imp = (3, "1.0.1.8.0.255", 2)
    if (3, dc.obis(imp[1]), 2, 0) in cols:
        ki = cols.index((3, dc.obis(imp[1]), 2, 0))
        got = rng(t0, t3, [(8, "0.0.1.0.0.255", 2), imp])
        check("... with selected columns clock and +A: 4 rows of those two values",
              got == [(row[ci], row[ki]) for row in buf[2:6]], str(got[:1]))
    got = rng(946684800, 946771200)  # 2000-01-01 .. 2000-01-02 UTC: before the first entry
    check("a range before the first entry: an empty array", got == [], str(got)[:100])
    with dc.Client("127.0.0.1", mgmt.port, client_sap=mgmt.client_sap) as small:
        small.associate(password=PASSWORD, max_pdu=64)
        got = getv(small, *LP, 2, 1, dc.range_descriptor(
            dc.DateTime.from_utc(t0, hundredths=False), dc.DateTime.from_utc(t3,
                                                                             hundredths=False)))
        biggest = max(len(a) for a in small.received)
    check("the same range at client max PDU 64: in blocks of at most 64 octets, the same 4 rows",
          got == buf[2:6] and biggest <= 64, f"{biggest}")

