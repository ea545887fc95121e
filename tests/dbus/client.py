#!/usr/bin/python3
"""The D-Bus view against a real dbus-daemon (run inside dbus-run-session by tests/dbus/run).

Starts the test server (tests/dbus/serve.c, values known below), reads it with python3-dbus,
watches PropertiesChanged with dbus-monitor, and checks the introspection against the
committed daemon/org.polymeter.Meter1.xml. Expected values are the server's inputs converted
by hand, never read from the code under test.
"""
import math
import os
import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET

import dbus

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "lib"))
from checks import PipeLog, check, finish  # noqa: E402

NAME = "org.polymeter.Meter1"
ROOT = "/org/polymeter/Meter1"
PATH = ROOT + "/meter0"
IFACE = "org.polymeter.Meter1.Meter"
PROPS = "org.freedesktop.DBus.Properties"
RATE_S = 0.2  # serve.c RATE_US


def watched(line):
    """A whole line of polymeterctl --json watch as a dict ({} for anything else)."""
    import json
    try:
        got = json.loads(line) if line.startswith("{") and line.endswith("\n") else {}
    except ValueError:
        return {}
    return got if isinstance(got, dict) else {}


def ctl(polymeterctl, *args):
    return subprocess.run([polymeterctl, "--user", *args], capture_output=True, text=True,
                          timeout=30)


def check_polymeterctl(polymeterctl):
    """polymeterctl reads the same values over the bus, as text and as JSON."""
    import json
    r = ctl(polymeterctl, "list")
    check("ctl_list", r.returncode == 0 and sorted(r.stdout.split()) == ["meter0", "nostore"],
          r.stdout + r.stderr)
    r = ctl(polymeterctl, "--json", "status", "meter0")
    try:
        st = json.loads(r.stdout)
    except ValueError:
        st = {}
    check("ctl_status_json",
          st.get("VoltageL2") == 231.0 and st.get("Power") == 6000 and
          st.get("FrequencyL2", 0) is None and st.get("connected") is True, r.stdout + r.stderr)
    r = ctl(polymeterctl, "status")
    check("ctl_status_text",
          r.returncode == 0 and re.search(r"^L1\s+230\.00\s+10\.000\s+2000\.0", r.stdout, re.M)
          is not None, r.stdout)
    r = ctl(polymeterctl, "status", "--meter", "meter0")
    out = r.stdout
    # the sample's time as an ISO date; serve.c: +A = 1234567 mWh -> 1234 Wh = 1.234 kWh,
    # -A = 0, net = 1.234 - 0; FrequencyL2 unknown (NaN) shows as "-", not "nan"
    check("ctl_status_time_iso",
          re.search(r"^meter meter0: connected, last sample \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$",
                    out, re.M) is not None, out)
    check("ctl_status_kwh",
          "energy    import 1.234 kWh, export 0.000 kWh, net 1.234 kWh" in out, out)
    check("ctl_status_total_explained",
          "(total: V and Hz the mean of the phases, A W var VA their sum, PF = W / VA)" in out
          and "not the sums of the phases' registers" in out, out)
    check("ctl_status_unknown_dash",
          re.search(r"^L2\s+231\.00 .*0\.833\s+-$", out, re.M) is not None and "nan" not in out,
          out)
    check("ctl_status_one_meter_only", "meter nostore" not in out, out)
    r = ctl(polymeterctl, "--json", "status", "--meter", "meter0")
    try:
        st = json.loads(r.stdout)
    except ValueError:
        st = {}
    check("ctl_status_json_energy_time",
          st.get("EnergyImport") == 1234 and st.get("EnergyExport") == 0 and
          re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", st.get("time") or "") is not None,
          r.stdout)
    r = ctl(polymeterctl, "status", "--meter", "nosuchmeter")
    check("ctl_unknown_meter_names_them",
          r.returncode == 1 and
          "no meter nosuchmeter; the daemon's meters: meter0, nostore" in r.stderr or
          "no meter nosuchmeter; the daemon's meters: nostore, meter0" in r.stderr, r.stderr)
    r = ctl(polymeterctl, "registers", "meter0", "extra")
    check("ctl_extra_operand_refused",
          r.returncode == 2 and "registers takes no argument but the meter: extra" in r.stderr,
          r.stderr)
    r = ctl(polymeterctl, "status", "--bogus")
    check("ctl_unknown_option", r.returncode == 2 and "unknown option --bogus" in r.stderr,
          r.stderr)
    check_help_version(polymeterctl)
    check_completion(polymeterctl)
    r = ctl(polymeterctl, "--json", "registers", "meter0")
    try:
        reg = json.loads(r.stdout)
    except ValueError:
        reg = {}
    check("ctl_registers_json",
          reg.get("EnergyImport") == 1234 and reg.get("ReactiveEnergyQ3L3") == 0,
          r.stdout + r.stderr)
    r = ctl(polymeterctl, "status", "nosuchmeter")
    check("ctl_unknown_meter", r.returncode != 0 and "no meter nosuchmeter" in r.stderr,
          r.stderr)
    r = ctl(polymeterctl, "frobnicate")
    check("ctl_bad_command", r.returncode == 2 and "unknown command" in r.stderr, r.stderr)
    check_ctl_events_profile(polymeterctl)


def check_help_version(polymeterctl):
    """--help: every command, one line each; --version: the VERSION file's."""
    r = ctl(polymeterctl, "--help")
    cmds = ["status", "registers", "watch", "list", "events", "profile", "calibrate", "account",
            "topup", "token", "tariff", "currency", "mode", "supply", "emergency-credit",
            "adjust", "debt", "wallet", "tenancy", "configure"]
    lines = r.stdout.splitlines()
    listed = [ln.split()[0] for ln in lines if re.match(r"  [a-z-]+ {2,}\S", ln)]
    check("ctl_help_lists_every_command", r.returncode == 0 and listed == cmds,
          f"{listed}")
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(top, "VERSION")) as f:
        version = f.read().strip()
    r = ctl(polymeterctl, "--version")
    check("ctl_version", r.returncode == 0 and r.stdout == f"polymeterctl {version}\n",
          r.stdout + r.stderr)


def check_completion(polymeterctl):
    """bash completion (daemon/dist/polymeterctl.bash-completion) in a plain bash."""
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    script = os.path.join(top, "daemon/dist/polymeterctl.bash-completion")

    def complete(*words):
        line = " ".join(f"'{w}'" for w in (polymeterctl,) + words)
        r = subprocess.run(["bash", "--norc", "-c", f"source '{script}'; COMP_WORDS=({line}); "
                            f"COMP_CWORD={len(words)}; _polymeterctl; "
                            'printf "%s\\n" "${COMPREPLY[@]}"'],
                           capture_output=True, text=True, timeout=30)
        return sorted(x for x in r.stdout.splitlines() if x), r.stderr
    got, err = complete("st")
    check("ctl_completion_commands", got == ["status"], f"{got} {err}")
    got, err = complete("--user", "--meter", "")
    check("ctl_completion_meters_from_daemon", got == ["meter0", "nostore"], f"{got} {err}")
    got, err = complete("--user", "supply", "d")
    check("ctl_completion_subcommand", got == ["disconnect"], f"{got} {err}")
    got, err = complete("--user", "profile", "--pl")
    check("ctl_completion_options", got == ["--plot"], f"{got} {err}")


T0 = 1767225600 * 10**9  # serve.c T0_NS, 2026-01-01T00:00:00Z
MIN = 60 * 10**9


def check_ctl_events_profile(polymeterctl):
    """polymeterctl events and profile: serve.c's event log and fixed profile."""
    import json
    r = ctl(polymeterctl, "events", "meter0", "--max", "2")
    check("ctl_events_text",
        r.returncode == 0 and r.stdout.splitlines() == [
        "2026-01-01T00:00:03Z  device_lost              no scan for 5 s",
        "2026-01-01T00:00:02Z  counter_restart          phase=0 a=1 b=2"], r.stdout + r.stderr)
    r = ctl(polymeterctl, "--json", "events", "meter0")
    try:
        ev = json.loads(r.stdout)
    except ValueError:
        ev = {}
    check("ctl_events_json",
          ev.get("meter") == "meter0" and [e["kind"] for e in ev.get("events", [])] ==
          ["device_lost", "counter_restart", "daemon_start"] and
          ev["events"][2]["utc_ns"] == T0 + 10**9 and ev["events"][2]["detail"] == "" and
          ev["events"][2]["time"] == "2026-01-01T00:00:01Z", r.stdout)
    r = ctl(polymeterctl, "events", "nostore")
    check("ctl_events_no_store", r.returncode == 1 and "NoStore" in r.stderr, r.stderr)
    r = ctl(polymeterctl, "events")
    check("ctl_events_needs_meter_of_two",
          r.returncode == 1 and "2 meters (" in r.stderr and
          "): choose one with --meter NAME" in r.stderr, r.stderr)
    r = ctl(polymeterctl, "events", "--meter", "meter0", "--max", "1")
    check("ctl_events_meter_option", r.returncode == 0 and r.stdout.splitlines() == [
        "2026-01-01T00:00:03Z  device_lost              no scan for 5 s"], r.stdout + r.stderr)

    r = ctl(polymeterctl, "profile", "meter0", "--csv", "--from", "2026-01-01T00:15:00Z",
            "--to", "2026-01-01T00:30Z")
    lines = r.stdout.splitlines()
    # the meter first, units in the names (mWh, mvarh, V, A, Hz), flags as letters
    check("ctl_profile_csv",
        r.returncode == 0 and len(lines) == 3 and lines[0] ==
        "meter,end_utc,period_s,status,flags,samples,import_mwh,export_mwh,r_import_mvarh,"
        "r_export_mvarh,delta_import_mwh,delta_export_mwh,delta_r_import_mvarh,"
        "delta_r_export_mvarh,v_l1_v,v_l2_v,v_l3_v,i_l1_a,i_l2_a,i_l3_a,pf_l1,pf_l2,pf_l3,"
        "f_l1_hz,f_l2_hz,f_l3_hz" and lines[1] ==
        "meter0,2026-01-01T00:15:00Z,900,0,-,15,3750,0,150,0,3750,0,150,0,"
        "230.8,231,232,10,10.5,11,0.8,0.8,0.8,50,0,50" and
        lines[2].startswith("meter0,2026-01-01T00:30:00Z,900,0,-,15,7500,0,300,0,3750,0,150,0,"
                            "232.3,"), r.stdout + r.stderr)
    r = ctl(polymeterctl, "--json", "profile", "meter0", "--from", "2026-01-01",
            "--to", "2026-01-01 00:45")
    try:
        pr = json.loads(r.stdout)
    except ValueError:
        pr = {}
    iv = pr.get("intervals", [])
    check("ctl_profile_json",
          len(iv) == 4 and iv[0]["end"] == "2026-01-01T00:00:00Z" and iv[0]["status"] == 4 and
          iv[0]["samples"] == 1 and iv[3]["end_utc_ns"] == T0 + 45 * MIN and
          iv[3]["import_mwh"] == 11250 and iv[3]["delta_r_import_mvarh"] == 150 and
          iv[3]["v_l1"] == 233.8 and iv[3]["f_l2"] == 0, r.stdout)
    r = ctl(polymeterctl, "profile", "meter0", "--from", "2026-01-01T00:30Z",
            "--to", "2026-01-01T00:30Z")
    lines = r.stdout.splitlines()
    # 3750 mWh = 3.750 Wh, 150 mvarh = 0.150 varh; no flag, so no legend
    check("ctl_profile_text", r.returncode == 0 and len(lines) == 3 and
          lines[0] == "meter meter0, load profile: energy in each interval ending at END" and
          "import Wh" in lines[1] and re.match(
              r"2026-01-01T00:30:00Z\s+-\s+15\s+3\.750\s+0\.000\s+0\.150\s+0\.000\s+"
              r"232\.30\s+231\.00\s+232\.00$", lines[2]) is not None, r.stdout)
    r = ctl(polymeterctl, "profile", "meter0", "--from", "2026-01-01", "--to", "2026-01-01T00:45Z")
    lines = r.stdout.splitlines()
    # the interval ending 00:00 is partial (status 4): its letter and the legend
    check("ctl_profile_flags_explained", r.returncode == 0 and
          re.match(r"2026-01-01T00:00:00Z\s+P\s+1\s", lines[2] if len(lines) > 2 else "")
          is not None and lines[-1] ==
          "FLAGS: P partial (not covered from its start: start-up, resumed)", r.stdout)
    r = ctl(polymeterctl, "profile", "meter0")
    check("ctl_profile_default_today", r.returncode == 0 and r.stdout.splitlines()[-1:] ==
          ["(no interval in this range)"], r.stdout + r.stderr)
    r = ctl(polymeterctl, "profile", "meter0", "--from", "2026-01-01", "--plot")
    lines = r.stdout.splitlines()
    # --from alone: that day. 4 intervals, one column each; the tallest (3.750 Wh) fills the 8
    # rows, the partial one (0 Wh) none: "|" then a space and three "#"
    check("ctl_profile_plot_terminal", r.returncode == 0 and len(lines) == 11 and
          lines[1] == "        3.750 | ###" and lines[8] == "              | ###" and
          lines[9] == "            0 +----" and
          "2026-01-01T00:00:00Z .. 2026-01-01T00:45:00Z" in lines[10], r.stdout + r.stderr)
    svg = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"ctl-profile-{os.getpid()}.svg")
    r = ctl(polymeterctl, "profile", "meter0", "--from", "2026-01-01", f"--plot={svg}")
    try:
        root = ET.parse(svg).getroot()
        os.unlink(svg)
    except (OSError, ET.ParseError) as e:
        root = None
        r.stderr += str(e)
    bars = [] if root is None else [e for e in root.iter("{http://www.w3.org/2000/svg}rect")
                                    if e.get("class") == "import"]
    # three intervals of 3750 mWh, each the maximum: each bar the full half height (125 px)
    check("ctl_profile_plot_svg", r.returncode == 0 and
          r.stdout.startswith(f"wrote {svg}: 4 intervals of meter meter0") and len(bars) == 3 and
          all(float(b.get("height")) == 125.0 for b in bars), r.stdout + r.stderr)
    r = ctl(polymeterctl, "profile", "meter0", "--csv", "--plot")
    check("ctl_profile_plot_csv_refused", r.returncode == 2 and "one of --json, --csv and --plot"
          in r.stderr, r.stderr)
    r = ctl(polymeterctl, "profile", "meter0", "--from", "2026-01-02", "--to", "2026-01-01")
    check("ctl_profile_from_after_to", r.returncode == 1 and "InvalidArgument" in r.stderr,
          r.stderr)
    r = ctl(polymeterctl, "profile", "meter0", "--from", "yesterday", "--to", "2026-01-01")
    check("ctl_profile_bad_time", r.returncode == 2 and "not a UTC time: yesterday" in r.stderr,
          r.stderr)
    # Times past 2038-01-19 (where a 32-bit time_t ends) reach the daemon as exact ns; the
    # daemon's "from (..) is after to (..)" refusal echoes them. By hand: 1970-01-01 to
    # 2040-01-01 is 70 x 365 + 17 leap days (1972..2036) = 25567 days = 2208988800 s;
    # 2040-01-02T03:04:05Z = + 86400 + 3 x 3600 + 4 x 60 + 5 = 2209086245 s.
    r = ctl(polymeterctl, "profile", "meter0", "--from", "2040-01-02T03:04:05Z",
            "--to", "2040-01-01")
    check("ctl_profile_time_after_2038",
          r.returncode == 1 and "from (2209086245000000000) is after to "
          "(2208988800000000000)" in r.stderr, r.stderr)
    # 2040 is a leap year: 2040-02-29 = 2208988800 + (31 + 28) x 86400 = 2214086400 s.
    r = ctl(polymeterctl, "profile", "meter0", "--from", "2040-02-29", "--to", "2040-02-28")
    check("ctl_profile_leap_day", r.returncode == 1 and "from (2214086400000000000) is after to "
          "(2214000000000000000)" in r.stderr, r.stderr)
    # No such day, before 1970, or beyond int64 ns (2262-04-11T23:47:16Z = 9223372036 s):
    # refused before anything is asked.
    for bad in ("2041-02-29", "2026-04-31", "1969-12-31T23:59:59Z", "2262-04-11T23:47:17Z"):
        r = ctl(polymeterctl, "profile", "meter0", "--from", "2026-01-01", "--to", bad)
        check(f"ctl_profile_refuses_{bad}",
              r.returncode == 2 and f"not a UTC time: {bad}" in r.stderr, r.stderr)
    r = ctl(polymeterctl, "profile", "meter0", "--from", "2262-04-11T23:47:16Z",
            "--to", "2026-01-01")
    check("ctl_profile_last_int64_second",
          r.returncode == 1 and "from (9223372036000000000)" in r.stderr, r.stderr)


def check_methods(bus):
    """GetEvents and GetProfile: serve.c's data, hand-computed; errors by name."""
    meter = dbus.Interface(bus.get_object(NAME, PATH), IFACE)
    ev = meter.GetEvents(dbus.UInt64(2))
    check("dbus_get_events_newest_first",
          [tuple(x) for x in ev] == [(T0 + 3 * 10**9, "device_lost", "no scan for 5 s"),
                                     (T0 + 2 * 10**9, "counter_restart", "phase=0 a=1 b=2")],
          repr(ev))
    ev = meter.GetEvents(dbus.UInt64(100))
    check("dbus_get_events_all",
          len(ev) == 3 and tuple(ev[2]) == (T0 + 10**9, "daemon_start", ""), repr(ev))
    check("dbus_get_events_zero", len(meter.GetEvents(dbus.UInt64(0))) == 0)

    # serve.c: minute k has +A = 250 k mWh, +R = 10 k mvarh, V L1 = 230 + 0.1 k V; an interval
    # (end - 15 min, end] holds minutes end-14..end: mean V L1 = 230 + 0.1 x (middle minute).
    iv = meter.GetProfile(dbus.UInt64(T0 + 15 * MIN), dbus.UInt64(T0 + 30 * MIN))
    want = [
        (T0 + 15 * MIN, 15 * MIN, 0, 15, [3750, 0, 150, 0], [3750, 0, 150, 0],
         [(230.8, 10.0, 0.8, 50.0), (231.0, 10.5, 0.8, 0.0), (232.0, 11.0, 0.8, 50.0)]),
        (T0 + 30 * MIN, 15 * MIN, 0, 15, [7500, 0, 300, 0], [3750, 0, 150, 0],
         [(232.3, 10.0, 0.8, 50.0), (231.0, 10.5, 0.8, 0.0), (232.0, 11.0, 0.8, 50.0)]),
    ]
    got = [(int(e[0]), int(e[1]), int(e[2]), int(e[3]), [int(x) for x in e[4]],
            [int(x) for x in e[5]], [tuple(float(y) for y in p) for p in e[6]]) for e in iv]
    check("dbus_get_profile_hand_computed", got == want, repr(got))
    iv = meter.GetProfile(dbus.UInt64(0), dbus.UInt64(2**64 - 1))
    check("dbus_get_profile_whole_range",
          len(iv) == 4 and int(iv[0][0]) == T0 and int(iv[0][2]) == 4 and int(iv[0][3]) == 1
          and int(iv[3][0]) == T0 + 45 * MIN and int(iv[3][4][0]) == 11250, repr(iv)[:300])
    check("dbus_get_profile_bounds_inclusive",
          len(meter.GetProfile(dbus.UInt64(T0 + 1), dbus.UInt64(T0 + 15 * MIN - 1))) == 0)

    def error_of(call):
        try:
            call()
        except dbus.DBusException as e:
            return e.get_dbus_name()
        return "no error"
    name = error_of(lambda: meter.GetProfile(dbus.UInt64(T0 + 1), dbus.UInt64(T0)))
    check("dbus_error_invalid_argument", name == "org.polymeter.Meter1.Error.InvalidArgument",
          name)
    nostore = dbus.Interface(bus.get_object(NAME, ROOT + "/nostore"), IFACE)
    name = error_of(lambda: nostore.GetEvents(dbus.UInt64(5)))
    check("dbus_error_no_store_events", name == "org.polymeter.Meter1.Error.NoStore", name)
    name = error_of(lambda: nostore.GetProfile(dbus.UInt64(0), dbus.UInt64(1)))
    check("dbus_error_no_store_profile", name == "org.polymeter.Meter1.Error.NoStore", name)


def main(serve, xml_path, polymeterctl):
    plain, plog = None, None
    server = subprocess.Popen([serve], stdout=subprocess.PIPE, text=True)
    if server.stdout.readline().strip() != "ready":
        check("dbus_server_ready", False)
        return
    bus = dbus.SessionBus()
    try:
        obj = bus.get_object(NAME, PATH)
        props = dbus.Interface(obj, PROPS)
        allp = props.GetAll(IFACE)

        # Values: serve.c's inputs, converted by hand to SI units.
        check("dbus_name", allp["Name"] == "meter0")
        check("dbus_connected", bool(allp["Connected"]))
        check("dbus_voltage_l1_V", allp["VoltageL1"] == 230.0, allp["VoltageL1"])
        check("dbus_voltage_l3_V", allp["VoltageL3"] == 232.0, allp["VoltageL3"])
        check("dbus_current_l2_A", allp["CurrentL2"] == 10.5, allp["CurrentL2"])
        # total current = 10 + 10.5 + 11 A
        check("dbus_current_total_A", allp["Current"] == 31.5, allp["Current"])
        check("dbus_power_W", allp["Power"] == 6000.0, allp["Power"])
        check("dbus_reactive_var", allp["ReactivePower"] == -1200.0, allp["ReactivePower"])
        check("dbus_pf", allp["PowerFactor"] == 0.833333, allp["PowerFactor"])
        check("dbus_frequency_Hz", allp["Frequency"] == 50.01, allp["Frequency"])
        check("dbus_unknown_is_nan", math.isnan(allp["FrequencyL2"]), allp["FrequencyL2"])
        # energy: 1234567 mWh -> 1234 Wh (whole Wh, floor), as type t
        check("dbus_energy_Wh_t",
              allp["EnergyImport"] == 1234 and isinstance(allp["EnergyImport"], dbus.UInt64),
              repr(allp["EnergyImport"]))
        check("dbus_energy_floor", allp["ReactiveEnergyQ3L3"] == 0, allp["ReactiveEnergyQ3L3"])

        # ObjectManager at the root lists the meter with its interface.
        om = dbus.Interface(bus.get_object(NAME, ROOT), "org.freedesktop.DBus.ObjectManager")
        objs = om.GetManagedObjects()
        check("dbus_object_manager", PATH in objs and IFACE in objs[PATH], str(list(objs)))

        check_methods(bus)
        check_polymeterctl(polymeterctl)

        # Read-only: a write is refused with the standard error and changes nothing.
        try:
            props.Set(IFACE, "VoltageL1", dbus.Double(1.0))
            check("dbus_set_refused", False, "Set succeeded")
        except dbus.DBusException as e:
            check("dbus_set_refused",
                  e.get_dbus_name() == "org.freedesktop.DBus.Error.PropertyReadOnly",
                  e.get_dbus_name())
        check("dbus_set_changed_nothing", props.Get(IFACE, "VoltageL1") == 230.0)
        try:
            props.Get(IFACE, "NoSuchProperty")
            check("dbus_unknown_property", False, "Get succeeded")
        except dbus.DBusException as e:
            check("dbus_unknown_property", "UnknownProperty" in e.get_dbus_name(),
                  e.get_dbus_name())

        # Introspection equals the committed XML, property by property.
        live = ET.fromstring(dbus.Interface(obj, "org.freedesktop.DBus.Introspectable")
                             .Introspect())
        doc = ET.parse(xml_path).getroot()

        def props_of(root):
            for itf in root.iter("interface"):
                if itf.get("name") == IFACE:
                    return {p.get("name"): (p.get("type"), p.get("access"))
                            for p in itf.iter("property")}
            return {}
        lp, dp = props_of(live), props_of(doc)
        check("dbus_introspection_matches_committed_xml", lp and lp == dp,
              f"only live: {sorted(set(lp) - set(dp))[:5]}, only doc: "
              f"{sorted(set(dp) - set(lp))[:5]}, differing: "
              f"{[k for k in lp if k in dp and lp[k] != dp[k]][:5]}")

        def methods_of(root):
            for itf in root.iter("interface"):
                if itf.get("name") == IFACE:
                    return {m.get("name"): [(a.get("name"), a.get("type"),
                                             a.get("direction", "in"))
                                            for a in m.iter("arg")]
                            for m in itf.iter("method")}
            return {}
        lm, dm = methods_of(live), methods_of(doc)
        check("dbus_introspection_methods_match_committed_xml", lm and lm == dm,
              f"live {lm}, doc {dm}")

        # PropertiesChanged: 50 changes in 1 s are coalesced, at most one signal per 0.2 s,
        # the last value is delivered, and only what changed is listed.
        watcher = subprocess.Popen([polymeterctl, "--user", "--json", "watch", "meter0"],
                                   stdout=subprocess.PIPE, text=True)
        wlog = PipeLog(watcher.stdout)
        mon = subprocess.Popen(["dbus-monitor", "--session",
                                f"type='signal',path='{PATH}',interface='{PROPS}'"],
                               stdout=subprocess.PIPE, text=True)
        mlog = PipeLog(mon.stdout)
        # Both listening: the watcher has printed the meter as it is, and dbus-monitor is a
        # monitor (the bus took its unique name away: NameLost).
        wlog.wait_for(lambda t: "\n" in t, 30, "the first line of polymeterctl watch")
        mlog.wait_for("member=NameLost", 30, "dbus-monitor to become a monitor")
        server.send_signal(signal.SIGUSR1)
        # The burst is over once its last value (235.0 V) has reached both.
        mlog.wait_for(lambda t: re.search(r'string "VoltageL1"\s+variant\s+double 235', t), 30,
                      "PropertiesChanged with VoltageL1 235")
        wlog.wait_for(lambda t: any(watched(ln).get("VoltageL1") == 235.0
                                    for ln in t.splitlines(keepends=True)), 30,
                      "polymeterctl watch printing VoltageL1 235")
        mon.terminate()
        out = mlog.add(mon.communicate(timeout=10)[0])
        sigs = []
        for block in re.split(r"\n(?=signal )", out):
            m = re.match(r"signal time=([0-9.]+)", block)
            if m and "PropertiesChanged" in block:
                sigs.append((float(m.group(1)), block))
        check("dbus_changes_coalesced", 2 <= len(sigs) < 50, f"{len(sigs)} signals")
        gaps = [b[0] - a[0] for a, b in zip(sigs, sigs[1:])]
        check("dbus_rate_limited", all(g >= RATE_S - 0.02 for g in gaps),
              f"gaps {[round(g, 3) for g in gaps]}")
        last = sigs[-1][1] if sigs else ""
        check("dbus_last_change_delivered",
              re.search(r'string "VoltageL1"\s+variant\s+double 235', last) is not None,
              last[-400:])
        check("dbus_only_changes_listed",
              '"VoltageL2"' not in "".join(b for _, b in sigs[1:]))
        check("dbus_final_value", props.Get(IFACE, "VoltageL1") == 235.0)
        watcher.terminate()
        wout = wlog.add(watcher.communicate(timeout=10)[0])
        import json
        lines = [json.loads(x) for x in wout.splitlines() if x.startswith("{")]
        check("ctl_watch_follows_changes", len(lines) >= 3 and lines[0]["VoltageL1"] == 230.0 and
              lines[-1]["VoltageL1"] == 235.0,
              f"{len(lines)} lines, last {lines[-1] if lines else None}")
        check_watch_terminal(polymeterctl)
        # Not on a terminal, watch prints one line an update; it is left running for the
        # daemon's exit below.
        plain = subprocess.Popen([polymeterctl, "--user", "watch", "--meter", "meter0"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        plog = PipeLog(plain.stdout)
        plog.wait_for("\n", 30, "the first line of the plain watch")
    finally:
        server.terminate()
        rc = server.wait(timeout=10)
        check("dbus_server_clean_exit", rc == 0, f"rc={rc}")
    if plain:
        check_daemon_gone(polymeterctl, plain, plog)


def check_watch_terminal(polymeterctl):
    """On a terminal (a pty here) watch redraws in place: home and clear, then the status."""
    import pty
    master, slave = pty.openpty()
    w = subprocess.Popen([polymeterctl, "--user", "watch", "--meter", "meter0"], stdout=slave,
                         stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    mfile = os.fdopen(master, "rb", buffering=0)  # kept open while the log reads its fd
    tlog = PipeLog(mfile)
    # the pty turns "\n" into "\r\n"
    tlog.wait_for("maximum demand export", 30, "watch on a terminal")
    w.terminate()
    w.wait(timeout=30)
    mfile.close()
    text = tlog.text
    check("ctl_watch_terminal_in_place",
          text.startswith("\x1b[H\x1b[Jpolymeterctl watch: meter meter0, live (Ctrl-C to stop)")
          and "meter meter0: connected" in text and "energy    import 1.234 kWh" in text,
          repr(text[:300]))


def check_daemon_gone(polymeterctl, plain, plog):
    """The plain watch's line, its exit when the daemon leaves, and the not-running error."""
    # serve.c: P = 6000 W, +A 1234 Wh = 1.234 kWh, -A 0, net 1.234 kWh, no account
    out, err = plain.communicate(timeout=60)
    out = plog.add(out)
    check("ctl_watch_plain_line",
          re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ meter0 P 6000\.0 W import 1\.234 kWh "
                   r"export 0\.000 kWh net 1\.234 kWh$", out.splitlines()[0] if out else "")
          is not None, out)
    check("ctl_watch_ends_when_daemon_goes",
          plain.returncode == 1 and "polymeterctl: polymeterd stopped (org.polymeter.Meter1 "
          "left the session bus): watch ends" in err, f"rc={plain.returncode} {err}")
    r = ctl(polymeterctl, "status")
    check("ctl_error_not_running",
          r.returncode == 1 and r.stderr.startswith(
              "polymeterctl: polymeterd is not running (no org.polymeter.Meter1 on the session "
              "bus)\n  start it"), r.stderr)
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent/bus")
    r = subprocess.run([polymeterctl, "--user", "list"], capture_output=True, text=True,
                       timeout=30, env=env)
    check("ctl_error_no_bus",
          r.returncode == 1 and "cannot connect to the session bus" in r.stderr and
          "DBUS_SESSION_BUS_ADDRESS" in r.stderr, r.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
    finish()
