#!/usr/bin/python3
"""org.polymeter.Account1 against the real polymeterd (see tests/dbus/account-run).

Money is in mu (1/1000 of a penny): 1.00 GBP = 100000 mu. The tariff is flat, 1.00 GBP per
kWh, no standing charge, so every expectation below is hand arithmetic on the top-ups.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

import dbus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)  # PropertiesChanged is received through GLib

polymeterd, polymeterctl, policy, xml_path = sys.argv[1:5]
NAME = "org.polymeter.Meter1"
IFACE = "org.polymeter.Account1"
ERR = "org.polymeter.Account1.Error."
passed = failed = 0


def check(cond, name, why=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"PASS {name}", flush=True)
    else:
        failed += 1
        print(f"FAIL {name}: {why or 'condition false'}", flush=True)


tmp = tempfile.mkdtemp(prefix="polymeter-account-")
os.chmod(tmp, 0o755)  # nobody must reach the bus socket
sock = os.path.join(tmp, "bus")
address = "unix:path=" + sock
with open(os.path.join(tmp, "bus.conf"), "w") as f:
    f.write(f"""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>{address}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
  </policy>
  <include>{os.path.abspath(policy)}</include>
</busconfig>
""")
with open(os.path.join(tmp, "flat.json"), "w") as f:
    json.dump({"version": 1, "name": "Flat test", "currency": {"code": "GBP", "minor_units": 2},
               "rates": {"1": {"name": "all day", "price_per_kwh": "1.00"}},
               "day_profiles": {"all": [{"at": "00:00", "rate": 1}]},
               "seasons": [{"days": {"weekdays": "all", "weekend": "all"}}],
               "billing_period": {"months": 1, "start": "2026-01-01"}}, f)
conf = os.path.join(tmp, "polymeterd.conf")
with open(conf, "w") as f:
    f.write(f"""[daemon]
state_dir = {tmp}/state
dbus = session
dbus_interval_ms = 100
log_interval = 0
[meter idle]
source = sim
sim_current_ma = 0
account_mode = prepayment
tariff_file = {tmp}/flat.json
time_zone = Europe/London
[meter busy]
source = sim
sim_current_ma = 100000
sim_speed = 10
account_mode = prepayment
tariff_file = {tmp}/flat.json
time_zone = UTC
""")

env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address,
           ASAN_OPTIONS="detect_leaks=1:abort_on_error=1",
           UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
busd = subprocess.Popen(["dbus-daemon", "--config-file=" + os.path.join(tmp, "bus.conf"),
                         "--nofork", "--nopidfile"], stderr=subprocess.DEVNULL)
for _ in range(100):
    if os.path.exists(sock):
        break
    time.sleep(0.05)
os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
log = open(os.path.join(tmp, "polymeterd.log"), "w")


def start():
    p = subprocess.Popen([polymeterd, "-c", conf], env=env, stdout=log, stderr=log)
    bus = dbus.SessionBus()
    for _ in range(200):
        if bus.name_has_owner(NAME):
            break
        time.sleep(0.05)
    return p


def acct(meter):
    bus = dbus.SessionBus()
    return bus.get_object(NAME, "/org/polymeter/Meter1/" + meter)


def prop(meter, name):
    return dbus.Interface(acct(meter), "org.freedesktop.DBus.Properties").Get(IFACE, name)


def call(meter, method, *args):
    """(None, result) or (error name, message)."""
    try:
        return None, getattr(dbus.Interface(acct(meter), IFACE), method)(*args)
    except dbus.DBusException as e:
        return e.get_dbus_name(), e.get_dbus_message()


def wait_for(meter, name, value, limit_s=60):
    """Polls until the property has the value; the limit only keeps a broken run finite."""
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        if prop(meter, name) == value:
            return True
        time.sleep(0.1)
    return False


daemon = start()
try:
    # A top-up shows in the registers: 10.00 GBP = 1000000 mu, the idle meter spends nothing.
    err, _ = call("idle", "TopUp", dbus.Int64(1000000), "pay-0001")
    check(err is None, "topup_accepted", err)
    check(prop("idle", "Balance") == 1000000 and prop("idle", "TotalCredit") == 1000000 and
          prop("idle", "PaymentCount") == 1, "topup_in_properties",
          f"{prop('idle', 'Balance')} {prop('idle', 'TotalCredit')}")
    pays = prop("idle", "Payments")
    check(len(pays) == 1 and pays[0][1] == 1000000 and pays[0][2] == "local",
          "topup_in_payment_log", str(pays))

    # The same reference again is refused and changes nothing.
    err, msg = call("idle", "TopUp", dbus.Int64(500000), "pay-0001")
    check(err == ERR + "DuplicateReference" and "reference" in msg, "replayed_reference_refused",
          f"{err} {msg}")
    check(prop("idle", "Balance") == 1000000 and prop("idle", "PaymentCount") == 1,
          "replayed_reference_changes_nothing")
    err, msg = call("idle", "TopUp", dbus.Int64(0), "pay-0002")
    check(err == ERR + "InvalidArgument" and msg.startswith("amount"), "zero_topup_refused",
          f"{err} {msg}")

    # A bad tariff document is refused naming the field; the tariff stays.
    bad = json.dumps({"version": 1, "currency": {"code": "GBP", "minor_units": 2},
                      "rates": {"1": {"price_per_kwh": "1.0x"}},
                      "day_profiles": {"all": [{"at": "00:00", "rate": 1}]},
                      "seasons": [{"days": {"weekdays": "all", "weekend": "all"}}],
                      "billing_period": {"months": 1, "start": "2026-01-01"}})
    err, msg = call("idle", "SetTariff", bad)
    check(err == ERR + "InvalidTariff" and "rates.1.price_per_kwh" in msg,
          "bad_tariff_names_field", f"{err} {msg}")
    check(prop("idle", "TariffName") == "Flat test" and prop("idle", "Price") == 100000,
          "bad_tariff_changes_nothing")
    err, msg = call("idle", "SetMode", "postpaid")
    check(err == ERR + "InvalidArgument" and msg.startswith("mode"), "bad_mode_refused",
          f"{err} {msg}")

    # Acknowledged means kept: a top-up, then kill -9 at once, then a restart.
    err, _ = call("idle", "TopUp", dbus.Int64(250000), "pay-0002")
    daemon.send_signal(signal.SIGKILL)
    daemon.wait()
    check(err is None, "topup_before_kill_accepted", err)
    daemon = start()
    check(prop("idle", "Balance") == 1250000 and prop("idle", "PaymentCount") == 2,
          "topup_survives_kill_9", f"{prop('idle', 'Balance')}")
    err, _ = call("idle", "TopUp", dbus.Int64(1), "pay-0002")
    check(err == ERR + "DuplicateReference", "reference_remembered_after_kill_9", err)

    # polymeterctl: top-up in currency units, the account as JSON.
    r = subprocess.run([polymeterctl, "--user", "topup", "0.40", "ctl-0001", "--meter", "idle"],
                       capture_output=True, text=True, env=env)
    check(r.returncode == 0, "ctl_topup", r.stdout + r.stderr)
    r = subprocess.run([polymeterctl, "--user", "--json", "account", "idle"],
                       capture_output=True, text=True, env=env)
    try:
        a = json.loads(r.stdout)
    except ValueError:
        a = {}
    check(a.get("balance") == "12.90" and a.get("payment_count") == 3 and
          a.get("supply") == "closed", "ctl_account_json", r.stdout + r.stderr)
    r = subprocess.run([polymeterctl, "--user", "topup", "0.40", "ctl-0001", "--meter", "idle"],
                       capture_output=True, text=True, env=env)
    check(r.returncode == 1 and "already used" in r.stderr, "ctl_topup_replay_refused",
          r.stderr)

    # High load: the credit runs out and the supply opens; a top-up arms it, the customer's
    # confirmation closes it (reconnect_needs_confirmation defaults to yes).
    check(wait_for("busy", "SupplyState", "open"), "credit_runs_out_supply_open",
          prop("busy", "SupplyState"))
    check(prop("busy", "SupplyReason") == "out-of-credit" and prop("busy", "Balance") < 0,
          "out_of_credit_reason", f"{prop('busy', 'SupplyReason')}")
    err, _ = call("busy", "TopUp", dbus.Int64(100000000), "busy-0001")
    check(err is None and prop("busy", "SupplyState") == "armed", "topup_arms_supply",
          f"{err} {prop('busy', 'SupplyState')}")
    err, _ = call("busy", "ConfirmReconnect")
    check(err is None and prop("busy", "SupplyState") == "closed" and
          prop("busy", "SupplyClosed"), "confirm_closes_supply", err)
    # Remote disconnect, armed reconnect, confirmation.
    err, _ = call("busy", "Disconnect")
    check(err is None and prop("busy", "SupplyState") == "open", "remote_disconnect", err)
    err, _ = call("busy", "ArmReconnect")
    check(err is None and prop("busy", "SupplyState") == "armed", "armed_reconnect", err)
    err, _ = call("busy", "ConfirmReconnect")
    check(err is None and prop("busy", "SupplyState") == "closed", "armed_confirmed", err)
    err, msg = call("busy", "ConfirmReconnect")
    check(err == ERR + "Refused", "confirm_without_arming_refused", f"{err} {msg}")

    # Non-admin callers: reads allowed, changes denied by the policy; the display's calls pass.
    probe = f"""
import dbus, sys
o = dbus.SessionBus().get_object("{NAME}", "/org/polymeter/Meter1/idle")
print(dbus.Interface(o, "org.freedesktop.DBus.Properties").Get("{IFACE}", "Balance"))
for m, a in (("TopUp", (dbus.Int64(100), "nobody-1")), ("SetMode", ("credit",)),
             ("Disconnect", ()), ("ConfirmReconnect", ())):
    try:
        getattr(dbus.Interface(o, "{IFACE}"), m)(*a)
        print(m, "ok")
    except dbus.DBusException as e:
        print(m, e.get_dbus_name())
"""
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        "/usr/bin/python3", "-c", probe], capture_output=True, text=True,
                       env=dict(env, HOME="/"))
    out = r.stdout.split("\n")
    check(len(out) > 4 and out[0] == "1290000", "nobody_reads_balance", r.stdout + r.stderr)
    denied = "org.freedesktop.DBus.Error.AccessDenied"
    check(len(out) > 4 and out[1] == f"TopUp {denied}" and out[2] == f"SetMode {denied}" and
          out[3] == f"Disconnect {denied}", "nobody_denied_changes", r.stdout)
    check(len(out) > 4 and out[4] == f"ConfirmReconnect {ERR}Refused",
          "nobody_may_confirm_at_display", r.stdout)
    check(prop("idle", "Balance") == 1290000 and prop("idle", "Mode") == "prepayment",
          "nobody_changed_nothing")

    # PropertiesChanged carries the new balance: 12.90 + 0.01 = 12.91 GBP = 1291000 mu.
    seen = []
    dbus.SessionBus().add_signal_receiver(
        lambda iface, changed, invalidated, path=None: seen.append((path, iface, dict(changed))),
        signal_name="PropertiesChanged", dbus_interface="org.freedesktop.DBus.Properties",
        path_keyword="path")
    err, _ = call("idle", "TopUp", dbus.Int64(1000), "pay-0003")
    ctx = GLib.MainContext.default()
    end = time.monotonic() + 10
    hit = []
    while not hit and time.monotonic() < end:
        ctx.iteration(False)
        hit = [c for p, i, c in seen if p.endswith("/idle") and i == IFACE and
               c.get("Balance") == 1291000]
        time.sleep(0.01)
    check(err is None and hit and hit[0].get("PaymentCount") == 4 and
          hit[0].get("TotalCredit") == 1291000, "properties_changed_after_topup",
          f"{err} {seen[:3]}")

    # Settings at run time: emergency credit 5.00 offered below 20.00. Balance 12.91 is below
    # it, so it is offered; taken, available credit = 12.91 + 5.00 = 17.91 GBP = 1791000 mu.
    err, msg = call("idle", "Configure", dbus.Dictionary(
        {"emergency_credit_threshold": dbus.Int64(-1)}, signature="sv"))
    check(err == ERR + "InvalidArgument" and "threshold" in msg, "bad_configuration_refused",
          f"{err} {msg}")
    err, msg = call("idle", "Configure", dbus.Dictionary({"colour": "red"}, signature="sv"))
    check(err == ERR + "InvalidArgument" and msg.startswith("colour"),
          "unknown_configuration_key_named", f"{err} {msg}")
    check(prop("idle", "EmergencyCredit") == "none", "bad_configuration_changes_nothing")
    err, msg = call("idle", "Configure", dbus.Dictionary(
        {"emergency_credit": dbus.Int64(500000),
         "emergency_credit_threshold": dbus.Int64(2000000),
         "friendly_periods": dbus.Array([(dbus.Byte(6), dbus.UInt32(0), dbus.UInt32(86400))],
                                        signature="(yuu)")}, signature="sv"))
    conf_now = prop("idle", "Configuration")
    check(err is None and conf_now.get("emergency_credit") == 500000 and
          list(conf_now.get("friendly_periods")) == [(6, 0, 86400)],
          "configuration_set_and_published", f"{err} {msg} {dict(conf_now)}")
    check(prop("idle", "EmergencyCredit") == "available", "emergency_credit_offered",
          prop("idle", "EmergencyCredit"))
    err, msg = call("idle", "TakeEmergencyCredit")
    check(err is None and prop("idle", "EmergencyCredit") == "in_use" and
          prop("idle", "AvailableCredit") == 1791000 and prop("idle", "Balance") == 1291000,
          "emergency_credit_taken", f"{err} {msg} {prop('idle', 'AvailableCredit')}")

    r = subprocess.run([polymeterctl, "--user", "configure", "low_credit=1.00",
                        "load_limit_w=7200", "load_limit_period_s=60", "--meter", "idle"],
                       capture_output=True, text=True, env=env)
    conf_now = prop("idle", "Configuration")
    check(r.returncode == 0 and conf_now.get("low_credit") == 100000 and
          conf_now.get("load_limit_w") == 7200 and conf_now.get("emergency_credit") == 500000,
          "ctl_configure", r.stdout + r.stderr + str(dict(conf_now)))
    r = subprocess.run([polymeterctl, "--user", "configure", "load_limit_w=30000", "--meter",
                        "idle"], capture_output=True, text=True, env=env)
    check(r.returncode == 1 and "24 kW" in r.stderr and
          prop("idle", "Configuration").get("load_limit_w") == 7200,
          "ctl_configure_refused_changes_nothing", r.stderr)

    # The committed XML is what the service publishes.
    live = ET.fromstring(dbus.Interface(acct("idle"), "org.freedesktop.DBus.Introspectable")
                         .Introspect())
    doc = ET.parse(xml_path).getroot()

    def members(root):
        for itf in root.iter("interface"):
            if itf.get("name") == IFACE:
                return ({p.get("name"): (p.get("type"), p.get("access"))
                         for p in itf.iter("property")},
                        {m.get("name"): [(a.get("name"), a.get("type"), a.get("direction", "in"))
                                         for a in m.iter("arg")] for m in itf.iter("method")})
        return {}, {}
    lp, lm = members(live)
    dp, dm = members(doc)
    check(lp and lp == dp, "introspection_properties_match_xml",
          f"live-only {set(lp) - set(dp)}, doc-only {set(dp) - set(lp)}")
    check(lm and lm == dm, "introspection_methods_match_xml", f"{lm} vs {dm}")
finally:
    daemon.send_signal(signal.SIGTERM)
    try:
        rc = daemon.wait(timeout=30)
    except subprocess.TimeoutExpired:
        daemon.kill()
        rc = -1
    check(rc == 0, "daemon_clean_exit_under_sanitizers", f"exit {rc}, log in {tmp}")
    busd.terminate()
    busd.wait()
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
