#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A head-end changes the meter's time-of-use schedule over DLMS: the management client
writes the Activity calendar's passive day profiles (0.0.13.0.0.255 attributes 6 and 9) and
invokes activate_passive_calendar (method 1); at the next local midnight of the meter's clock
the switching follows the new schedule. Checked through the simulated clock: the meter runs
3600 times the real one (an hour a second), and its current import rate is read on D-Bus
(Account1.Rate, counted from 0) beside the DLMS Clock.

The tariff (dlmstest.TWO_RATES) switches rate 1 at 00:00 and rate 2 at 12:00, every day. The
calendar written here, by hand from IEC 62056-6-2's day_profile_table (array of {day_id
unsigned, day_schedule array of {start_time octet-string(4), script_logical_name
octet-string(6), script_selector long-unsigned}}), switches rate 2 at 00:00 and rate 1 at
06:00: so 03:00 is rate 1 before and rate 2 after, 09:00 rate 1 in both, 15:00 rate 2 before
and rate 1 after. Samples within 20 simulated minutes of a switch are not judged (a D-Bus
read and a DLMS read are a few simulated minutes apart).

usage: calendar.py POLYMETERD    (under dbus-run-session; tests/dlms/run)
Last line: "N passed, N failed".
"""
import datetime
import sys
import time

from dlmstest import (PUBLIC, SIM_SPEED, associated, check, dc, done, eventually, free_port,
                      meter_conf, start_meter, stopped_clean, tmpdir)

DAEMON = sys.argv[1]
CALENDAR = (20, "0.0.13.0.0.255")
SCRIPTS = dc.obis("0.0.10.0.100.255")  # the tariffication script table: selector = rate
SPEED = 3600
MARGIN_S = 20 * 60


def schedule(*switches):
    """A day schedule of (hour, rate) switch points."""
    return dc.array([dc.structure(dc.octet_string(bytes([h, 0, 0, 0])),
                                  dc.octet_string(SCRIPTS), dc.long_unsigned(r))
                     for h, r in switches])


def rate_at(switches, seconds):
    """The rate (1-based) a day schedule gives at @seconds after local midnight."""
    rate = switches[0][1]
    for h, r in switches:
        if seconds >= h * 3600:
            rate = r
    return rate


def near_switch(switches, seconds):
    return any(min(abs(seconds - h * 3600), 86400 - abs(seconds - h * 3600)) < MARGIN_S
               for h, _ in switches)


OLD = [(0, 1), (12, 2)]
NEW = [(0, 2), (6, 1)]

TMP = tmpdir("pm-dlms-cal-")
PORT = free_port()
conf = meter_conf(TMP, PORT)
with open(conf, encoding="ascii") as f:
    text = f.read()
with open(conf, "w", encoding="ascii") as f:
    f.write(text.replace(f"sim_speed = {SIM_SPEED}\n", f"sim_speed = {SPEED}\n"))
daemon, bus, mgmt = start_meter(DAEMON, conf, TMP, PORT,
                                "on a meter 3600 times faster than the wall")


def sample():
    """(seconds after the meter's local midnight, its date, the rate on D-Bus, 1-based)."""
    clock = dc.DateTime.from_bytes(mgmt.get(8, "0.0.1.0.0.255", 2))
    acc = bus.account()
    t = datetime.datetime(clock.year, clock.month, clock.day, clock.hour, clock.minute,
                          clock.second)
    return (t.hour * 3600 + t.minute * 60 + t.second, t.date(), int(acc["Rate"]) + 1,
            str(acc["TariffName"]))


def judge(switches, name, want_tariff, hours):
    """Samples for @hours simulated hours; each away from a switch must follow @switches."""
    bad, judged, seen = [], 0, set()
    end = time.monotonic() + hours * 3600 / SPEED
    while time.monotonic() < end:
        secs, _, rate, tariff = sample()
        if tariff != want_tariff or near_switch(switches, secs):
            time.sleep(0.05)
            continue
        judged += 1
        seen.add(rate_at(switches, secs))
        if rate != rate_at(switches, secs):
            bad.append((secs // 60, rate))
        time.sleep(0.05)
    check(f"{name}: every sample away from a switch follows the schedule {switches} "
          f"({judged} judged, rates {sorted(seen)} seen)",
          not bad and judged >= 20 and len(seen) == 2, f"(minute, rate) wrong: {bad[:10]}")


# 1. the active calendar is the tariff's: rate 1 at 00:00, rate 2 at 12:00
day_table = mgmt.get(*CALENDAR, 5)
check("the active day_profile_table is the tariff's: one day, rate 1 at 00:00 and 2 at 12:00",
      len(day_table) == 1 and [(s[0][0], s[2]) for s in day_table[0][1]] == [(0, 1), (12, 2)]
      and all(s[1] == SCRIPTS for s in day_table[0][1]), day_table)
judge(OLD, "before", "Two rates", 26)

# 2. the public client may not write it; the management client writes the passive calendar
with associated(PORT, PUBLIC) as pub:
    r = pub.set(*CALENDAR, 9, dc.array([dc.structure(dc.unsigned(1), schedule(*NEW))]))
    check("the public client's SET of day_profile_table_passive: read-write-denied (3)", r == 3,
          r)
bad_day = dc.array([dc.structure(dc.unsigned(1), schedule((0, 2), (6, 5)))])
r = mgmt.set(*CALENDAR, 9, bad_day)
check("a day profile on rate 5 (the tariff has 2) is taken as written, refused at activation",
      r == 0, r)
res, _ = mgmt.action(*CALENDAR, 1, dc.integer(0))
check("activate_passive_calendar of it: refused (other-reason), no future tariff",
      res != 0 and str(bus.account()["FutureTariffName"]) == "", res)
r1 = mgmt.set(*CALENDAR, 6, dc.octet_string(b"Shifted"))
r2 = mgmt.set(*CALENDAR, 9, dc.array([dc.structure(dc.unsigned(1), schedule(*NEW))]))
check("the management client writes calendar_name_passive and day_profile_table_passive",
      r1 == 0 and r2 == 0, (r1, r2))
res, _ = mgmt.action(*CALENDAR, 1, dc.integer(0))
_, today, _, _ = sample()
acc = bus.account()
check("activate_passive_calendar: success; D-Bus FutureTariffName 'Shifted' from the next "
      "local midnight of the meter's clock",
      res == 0 and str(acc["FutureTariffName"]) == "Shifted" and
      str(acc["FutureTariffDate"]) in (str(today + datetime.timedelta(days=1)),
                                       str(today + datetime.timedelta(days=2))),
      (res, str(acc["FutureTariffName"]), str(acc["FutureTariffDate"]), today))
passive_name = mgmt.get(*CALENDAR, 6)
check("calendar_name_passive reads the future tariff's name", passive_name == b"Shifted",
      passive_name)

# 3. after that midnight the meter switches by the new calendar
check("the meter's clock passes the midnight: TariffName becomes 'Shifted'",
      eventually(lambda: str(bus.account()["TariffName"]) == "Shifted", 120,
                 "the future tariff active"))
judge(NEW, "after", "Shifted", 26)
active_name = mgmt.get(*CALENDAR, 2)
check("calendar_name_active is 'Shifted'", active_name == b"Shifted", active_name)

mgmt.close()
stopped_clean(daemon, "polymeterd")
done()
