#!/usr/bin/python3
"""org.polymeter.Account1 against the real polymeterd (see tests/dbus/account-run).

Money is in mu (1/1000 of a penny): 1.00 GBP = 100000 mu. The tariff is flat, 1.00 GBP per
kWh, no standing charge, so every expectation below is hand arithmetic on the top-ups.
"""
import json
import re
import os
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

# The groups of the bus policy live in a private /etc/group (below): run in a mount
# namespace of our own, so that the bind mount over /etc/group never reaches the host.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "lib"))
from mountns import own_mount_namespace  # noqa: E402

own_mount_namespace()

import grp  # noqa: E402 (after the namespace is ours)

import dbus  # noqa: E402
from dbus.mainloop.glib import DBusGMainLoop  # noqa: E402
from gi.repository import GLib  # noqa: E402

from checks import check, eventually, finish, wait_until  # noqa: E402

DBusGMainLoop(set_as_default=True)  # PropertiesChanged is received through GLib

polymeterd, polymeterctl, policy, xml_path = sys.argv[1:5]
NAME = "org.polymeter.Meter1"
IFACE = "org.polymeter.Account1"
ERR = "org.polymeter.Account1.Error."

tmp = tempfile.mkdtemp(prefix="polymeter-account-")
os.chmod(tmp, 0o755)  # nobody must reach the bus socket

# polymeter-admin and polymeter-display as udev/polymeter.sysusers creates them, and
# polymeter-test-open, a group this test's bus lets call everything (a mis-installed policy):
# added to a copy of /etc/group that is bind-mounted over it in this namespace only, so the
# committed policy file and polymeterd resolve the real group names.
with open("/etc/group") as f:
    group_file = f.read().rstrip("\n") + "\n"
used = {int(line.split(":")[2]) for line in group_file.splitlines()
        if line.count(":") >= 3 and line.split(":")[2].isdigit()}
free_gids = (g for g in range(64000, 65000) if g not in used)
for name in ("polymeter-admin", "polymeter-display", "polymeter-test-open"):
    if not any(line.startswith(name + ":") for line in group_file.splitlines()):
        group_file += f"{name}:x:{next(free_gids)}:\n"
with open(os.path.join(tmp, "group"), "w") as f:
    f.write(group_file)
os.chmod(os.path.join(tmp, "group"), 0o644)
subprocess.run(["mount", "--bind", os.path.join(tmp, "group"), "/etc/group"], check=True)
G_ADMIN = grp.getgrnam("polymeter-admin").gr_gid
G_DISPLAY = grp.getgrnam("polymeter-display").gr_gid
G_OPEN = grp.getgrnam("polymeter-test-open").gr_gid
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
  <policy group="polymeter-test-open">
    <allow send_destination="org.polymeter.Meter1"/>
  </policy>
</busconfig>
""")
with open(os.path.join(tmp, "flat.json"), "w") as f:
    json.dump({"version": 1, "name": "Flat test", "currency": {"code": "GBP", "minor_units": 2},
               "rates": {"1": {"name": "all day", "price_per_kwh": "1.00"}},
               "day_profiles": {"all": [{"at": "00:00", "rate": 1}]},
               "seasons": [{"days": {"weekdays": "all", "weekend": "all"}}],
               "billing_period": {"months": 1, "start": "2026-01-01"}}, f)
# the STS decoder key of PAN 600727000000000009 (prepay-sts.md §2.3), as a key file is installed
sts_key = os.path.join(tmp, "kwh.key")
with open(sts_key, "w") as f:
    f.write("e653341f9d5bf36f\n")
os.chmod(sts_key, 0o640)
conf = os.path.join(tmp, "polymeterd.conf")
with open(conf, "w") as f:
    f.write(f"""[daemon]
state_dir = {tmp}/state
dbus = system
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
# 69 kW x 10 crosses 1 Wh (the default checkpoint) at every scan: an fsync'd commit each, which
# on a loaded machine kept the loop from answering D-Bus in time. The checkpoint is not under
# test here (tests/daemon and make soak test it).
checkpoint_wh = 1000
account_mode = prepayment
tariff_file = {tmp}/flat.json
time_zone = UTC
[meter clock]
source = sim
sim_current_ma = 0
sim_rate_hz = 1
sim_speed = 3600
account_mode = prepayment
tariff_file = {tmp}/flat.json
time_zone = UTC
[meter load]
source = sim
sim_current_ma = 10000
account_mode = credit
tariff_file = {tmp}/flat.json
time_zone = UTC
[meter ec_display]
source = sim
sim_current_ma = 1000
account_mode = prepayment
tariff_file = {tmp}/flat.json
time_zone = UTC
emergency_credit = 5.00
emergency_credit_threshold = 1.00
[meter ec_admin]
source = sim
sim_current_ma = 1000
account_mode = prepayment
tariff_file = {tmp}/flat.json
time_zone = UTC
emergency_credit = 5.00
emergency_credit_threshold = 1.00
[meter kwh]
source = sim
sim_current_ma = 0
account_mode = prepayment
account_unit = kwh
time_zone = UTC
sts_decoder_key_file = {sts_key}
""")


def tariff_doc(name, rates, profile):
    return json.dumps({"version": 1, "name": name, "currency": {"code": "GBP", "minor_units": 2},
                       "rates": rates, "day_profiles": {"all": profile},
                       "seasons": [{"days": {"weekdays": "all", "weekend": "all"}}],
                       "billing_period": {"months": 1, "start": "2026-01-01"}})


# The future tariff: 2.00 GBP per kWh until 12:00, then 3.00 (a peak rate) until midnight.
FUTURE = tariff_doc("Future test",
                    {"1": {"name": "morning", "price_per_kwh": "2.00"},
                     "2": {"name": "afternoon", "price_per_kwh": "3.00", "peak": True}},
                    [{"at": "00:00", "rate": 1}, {"at": "12:00", "rate": 2}])
with open(os.path.join(tmp, "future.json"), "w") as f:
    f.write(FUTURE)

# polymeterd connects as to the system bus (sd-bus then checks callers as on a gateway); the
# clients reach the same private bus as their session bus.
env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address, DBUS_SYSTEM_BUS_ADDRESS=address,
           ASAN_OPTIONS="detect_leaks=1:abort_on_error=1",
           UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
busd = subprocess.Popen(["dbus-daemon", "--config-file=" + os.path.join(tmp, "bus.conf"),
                         "--nofork", "--nopidfile"], stderr=subprocess.DEVNULL)
wait_until(lambda: os.path.exists(sock), 30, "the bus socket", interval=0.05)
os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
log = open(os.path.join(tmp, "polymeterd.log"), "w")


def start():
    p = subprocess.Popen([polymeterd, "-c", conf], env=env, stdout=log, stderr=log)
    bus = dbus.SessionBus()
    eventually(lambda: bus.name_has_owner(NAME), 30, f"polymeterd to own {NAME}", interval=0.05)
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


PROBE = """
import dbus, os, sys
o = dbus.SessionBus().get_object(sys.argv[1], "/org/polymeter/Meter1/" + sys.argv[2])
for m in sys.argv[3:]:
    ref = "probe-" + "-".join(map(str, os.getgroups()))
    args = (dbus.Int64(1000), ref) if m == "TopUp" else ()  # 0.01 GBP, the minor unit
    try:
        getattr(dbus.Interface(o, "org.polymeter.Account1"), m)(*args)
        print(m, "ok", flush=True)
    except dbus.DBusException as e:
        print(m, e.get_dbus_name(), e.get_dbus_message().replace(chr(10), " "), flush=True)
"""


def as_user(groups, meter, *methods):
    """Calls @methods on @meter as uid 65534 in exactly @groups: {method: "ok" or the error}."""
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534"] +
                       (["--groups=" + ",".join(map(str, groups))] if groups
                        else ["--clear-groups"]) +
                       ["/usr/bin/python3", "-c", PROBE, NAME, meter, *methods],
                       capture_output=True, text=True, env=dict(env, HOME="/"))
    out = dict(line.split(" ", 1) for line in r.stdout.splitlines() if " " in line)
    return out, r.stdout + r.stderr


def wait_for(meter, name, value, limit_s=60):
    """Polls until the property has the value; the limit only keeps a broken run finite."""
    return eventually(lambda: prop(meter, name) == value, limit_s, f"{meter}'s {name} = {value}")


daemon = start()
try:
    # A top-up shows in the registers: 10.00 GBP = 1000000 mu, the idle meter spends nothing.
    err, _ = call("idle", "TopUp", dbus.Int64(1000000), "pay-0001")
    check("topup_accepted", err is None, err)
    check("topup_in_properties",
          prop("idle", "Balance") == 1000000 and prop("idle", "TotalCredit") == 1000000 and
          prop("idle", "PaymentCount") == 1,
          f"{prop('idle', 'Balance')} {prop('idle', 'TotalCredit')}")
    pays = prop("idle", "Payments")
    check("topup_in_payment_log",
          len(pays) == 1 and pays[0][1] == 1000000 and pays[0][2] == "local", str(pays))

    # The same reference again is refused and changes nothing.
    err, msg = call("idle", "TopUp", dbus.Int64(500000), "pay-0001")
    check("replayed_reference_refused", err == ERR + "DuplicateReference" and "reference" in msg,
          f"{err} {msg}")
    check("replayed_reference_changes_nothing",
          prop("idle", "Balance") == 1000000 and prop("idle", "PaymentCount") == 1)
    err, msg = call("idle", "TopUp", dbus.Int64(0), "pay-0002")
    check("zero_topup_refused", err == ERR + "InvalidArgument" and msg.startswith("amount"),
          f"{err} {msg}")

    # A bad tariff document is refused naming the field; the tariff stays.
    bad = json.dumps({"version": 1, "currency": {"code": "GBP", "minor_units": 2},
                      "rates": {"1": {"price_per_kwh": "1.0x"}},
                      "day_profiles": {"all": [{"at": "00:00", "rate": 1}]},
                      "seasons": [{"days": {"weekdays": "all", "weekend": "all"}}],
                      "billing_period": {"months": 1, "start": "2026-01-01"}})
    err, msg = call("idle", "SetTariff", bad)
    check("bad_tariff_names_field",
          err == ERR + "InvalidTariff" and "rates.1.price_per_kwh" in msg, f"{err} {msg}")
    check("bad_tariff_changes_nothing",
          prop("idle", "TariffName") == "Flat test" and prop("idle", "Price") == 100000)
    err, msg = call("idle", "SetMode", "postpaid")
    check("bad_mode_refused", err == ERR + "InvalidArgument" and msg.startswith("mode"),
          f"{err} {msg}")

    # Acknowledged means kept: a top-up, then kill -9 at once, then a restart.
    err, _ = call("idle", "TopUp", dbus.Int64(250000), "pay-0002")
    daemon.send_signal(signal.SIGKILL)
    daemon.wait()
    check("topup_before_kill_accepted", err is None, err)
    daemon = start()
    check("topup_survives_kill_9",
          prop("idle", "Balance") == 1250000 and prop("idle", "PaymentCount") == 2,
          f"{prop('idle', 'Balance')}")
    err, _ = call("idle", "TopUp", dbus.Int64(1), "pay-0002")
    check("reference_remembered_after_kill_9", err == ERR + "DuplicateReference", err)

    # polymeterctl: top-up in currency units, the account as JSON.
    r = subprocess.run([polymeterctl, "--user", "topup", "0.40", "ctl-0001", "--meter", "idle"],
                       capture_output=True, text=True, env=env)
    # what changed, read back: 12.50 GBP + 0.40 = 12.90 GBP, the third payment
    lines = r.stdout.splitlines()
    check("ctl_topup", r.returncode == 0 and
          lines[:1] == ["meter idle: topped up 0.40 GBP (reference ctl-0001)"] and
          "  balance                12.50 GBP -> 12.90 GBP" in lines and
          "  payments               2 -> 3" in lines, r.stdout + r.stderr)
    r = subprocess.run([polymeterctl, "--user", "--json", "account", "idle"],
                       capture_output=True, text=True, env=env)
    try:
        a = json.loads(r.stdout)
    except ValueError:
        a = {}
    check("ctl_account_json", a.get("balance") == "12.90" and a.get("payment_count") == 3 and
          a.get("supply") == "closed", r.stdout + r.stderr)
    r = subprocess.run([polymeterctl, "--user", "topup", "0.40", "ctl-0001", "--meter", "idle"],
                       capture_output=True, text=True, env=env)
    check("ctl_topup_replay_refused", r.returncode == 1 and "already used" in r.stderr,
          r.stderr)

    # High load: the credit runs out and the supply opens; a top-up arms it, the customer's
    # confirmation closes it (reconnect_needs_confirmation defaults to yes).
    check("credit_runs_out_supply_open", wait_for("busy", "SupplyState", "open"),
          prop("busy", "SupplyState"))
    check("out_of_credit_reason",
          prop("busy", "SupplyReason") == "out-of-credit" and prop("busy", "Balance") < 0,
          f"{prop('busy', 'SupplyReason')}")
    err, _ = call("busy", "TopUp", dbus.Int64(100000000), "busy-0001")
    check("topup_arms_supply", err is None and prop("busy", "SupplyState") == "armed",
          f"{err} {prop('busy', 'SupplyState')}")
    err, _ = call("busy", "ConfirmReconnect")
    check("confirm_closes_supply", err is None and prop("busy", "SupplyState") == "closed" and
          prop("busy", "SupplyClosed"), err)
    # Remote disconnect, armed reconnect, confirmation.
    err, _ = call("busy", "Disconnect")
    check("remote_disconnect", err is None and prop("busy", "SupplyState") == "open", err)
    err, _ = call("busy", "ArmReconnect")
    check("armed_reconnect", err is None and prop("busy", "SupplyState") == "armed", err)
    err, _ = call("busy", "ConfirmReconnect")
    check("armed_confirmed", err is None and prop("busy", "SupplyState") == "closed", err)
    err, msg = call("busy", "ConfirmReconnect")
    check("confirm_without_arming_refused", err == ERR + "Refused", f"{err} {msg}")

    # Non-admin callers: reads allowed, changes denied by the policy, the customer's answers
    # too (they need somebody at the meter: the display group, or an admin).
    probe = f"""
import dbus, sys
o = dbus.SessionBus().get_object("{NAME}", "/org/polymeter/Meter1/idle")
print(dbus.Interface(o, "org.freedesktop.DBus.Properties").Get("{IFACE}", "Balance"))
for m, a in (("TopUp", (dbus.Int64(100), "nobody-1")), ("SetMode", ("credit",)),
             ("Disconnect", ()), ("ConfirmReconnect", ()), ("TakeEmergencyCredit", ())):
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
    check("nobody_reads_balance", len(out) > 5 and out[0] == "1290000", r.stdout + r.stderr)
    denied = "org.freedesktop.DBus.Error.AccessDenied"
    check("nobody_denied_changes",
          len(out) > 5 and out[1] == f"TopUp {denied}" and out[2] == f"SetMode {denied}" and
          out[3] == f"Disconnect {denied}", r.stdout)
    check("nobody_denied_customer_answers",
          len(out) > 5 and out[4] == f"ConfirmReconnect {denied}" and
          out[5] == f"TakeEmergencyCredit {denied}",
          r.stdout)
    check("nobody_changed_nothing",
          prop("idle", "Balance") == 1290000 and prop("idle", "Mode") == "prepayment")

    # ConfirmReconnect: the display group and the admin group may give it, and polymeterd
    # checks that itself: a caller this bus lets through (polymeter-test-open, as a
    # mis-installed policy would) is refused by the daemon, whose message says why.
    def arm_busy():
        call("busy", "Disconnect")
        call("busy", "ArmReconnect")
        return prop("busy", "SupplyState") == "armed"

    own_refusal = f"{denied} ConfirmReconnect: only root and the groups"
    payments = prop("busy", "PaymentCount")
    check("busy_armed_for_open_bus_caller", arm_busy(), prop("busy", "SupplyState"))
    out, why = as_user([G_OPEN], "busy", "ConfirmReconnect", "TopUp")
    check("daemon_refuses_confirm_bus_let_through",
          out.get("ConfirmReconnect", "").startswith(own_refusal) and
          prop("busy", "SupplyState") == "armed", why)
    # the admin's methods: polymeterd checks their callers too
    check("daemon_refuses_topup_bus_let_through", out.get("TopUp", "").startswith(
          f"{denied} TopUp: only root and the group polymeter-admin may call this") and
          prop("busy", "PaymentCount") == payments, why)
    out, why = as_user([G_DISPLAY], "busy", "ConfirmReconnect", "TopUp")
    check("display_group_confirms",
          out.get("ConfirmReconnect") == "ok" and prop("busy", "SupplyState") == "closed", why)
    check("display_group_denied_topup", out.get("TopUp", "").startswith(denied), why)
    check("busy_armed_for_admin", arm_busy(), prop("busy", "SupplyState"))
    out, why = as_user([G_ADMIN], "busy", "ConfirmReconnect", "TopUp")
    check("admin_group_confirms",
          out.get("ConfirmReconnect") == "ok" and prop("busy", "SupplyState") == "closed", why)
    # on the system bus sd-bus's own check would demand CAP_SYS_ADMIN of a non-root admin
    check("admin_group_tops_up",
          out.get("TopUp") == "ok" and prop("busy", "PaymentCount") == payments + 1, why)

    # TakeEmergencyCredit: 1 A x 230 V x 3 = 690 W at 1.00 GBP per kWh takes both meters
    # below zero within seconds from a zero balance, so the supply opens for credit with
    # 5.00 GBP of emergency credit on offer (offered below 1.00). Taken on the display it is
    # also the customer's confirmation (the supply closes); taken by an admin, remotely, the
    # supply is only armed.
    for m in ("ec_display", "ec_admin"):
        check(f"{m}_out_of_credit_ec_offered", wait_for(m, "SupplyState", "open") and
              prop(m, "EmergencyCredit") == "available",
              f"{prop(m, 'SupplyState')} {prop(m, 'EmergencyCredit')}")
    out, why = as_user([], "ec_admin", "TakeEmergencyCredit")
    check("nobody_denied_ec", out.get("TakeEmergencyCredit", "").startswith(denied) and
          prop("ec_admin", "EmergencyCredit") == "available", why)
    out, why = as_user([G_OPEN], "ec_admin", "TakeEmergencyCredit")
    check("daemon_refuses_ec_bus_let_through",
          out.get("TakeEmergencyCredit", "").startswith(
          f"{denied} TakeEmergencyCredit: only root and the groups") and
          prop("ec_admin", "EmergencyCredit") == "available", why)
    out, why = as_user([G_DISPLAY], "ec_display", "TakeEmergencyCredit")
    check("display_ec_closes_supply", out.get("TakeEmergencyCredit") == "ok" and
          prop("ec_display", "EmergencyCredit") == "in_use" and
          prop("ec_display", "SupplyState") == "closed",
          f"{why} {prop('ec_display', 'SupplyState')}")
    out, why = as_user([G_ADMIN], "ec_admin", "TakeEmergencyCredit")
    check("admin_ec_leaves_supply_armed", out.get("TakeEmergencyCredit") == "ok" and
          prop("ec_admin", "EmergencyCredit") == "in_use" and
          prop("ec_admin", "SupplyState") == "armed",
          f"{why} {prop('ec_admin', 'SupplyState')}")

    # PropertiesChanged carries the new balance: 12.90 + 0.01 = 12.91 GBP = 1291000 mu.
    seen = []
    dbus.SessionBus().add_signal_receiver(
        lambda iface, changed, invalidated, path=None: seen.append((path, iface, dict(changed))),
        signal_name="PropertiesChanged", dbus_interface="org.freedesktop.DBus.Properties",
        path_keyword="path")
    err, _ = call("idle", "TopUp", dbus.Int64(1000), "pay-0003")
    ctx = GLib.MainContext.default()
    hit = []

    def received():
        while ctx.iteration(False):
            pass
        hit[:] = [c for p, i, c in seen if p.endswith("/idle") and i == IFACE and
                  c.get("Balance") == 1291000]
        return hit
    eventually(received, 10, "PropertiesChanged with the new Balance", interval=0.01)
    check("properties_changed_after_topup",
          err is None and hit and hit[0].get("PaymentCount") == 4 and
          hit[0].get("TotalCredit") == 1291000,
          f"{err} {seen[:3]}")

    # Settings at run time: emergency credit 5.00 offered below 20.00. Balance 12.91 is below
    # it, so it is offered; taken, available credit = 12.91 + 5.00 = 17.91 GBP = 1791000 mu.
    err, msg = call("idle", "Configure", dbus.Dictionary(
        {"emergency_credit_threshold": dbus.Int64(-1)}, signature="sv"))
    check("bad_configuration_refused", err == ERR + "InvalidArgument" and "threshold" in msg,
          f"{err} {msg}")
    err, msg = call("idle", "Configure", dbus.Dictionary({"colour": "red"}, signature="sv"))
    check("unknown_configuration_key_named",
          err == ERR + "InvalidArgument" and msg.startswith("colour"), f"{err} {msg}")
    check("bad_configuration_changes_nothing", prop("idle", "EmergencyCredit") == "none")
    err, msg = call("idle", "Configure", dbus.Dictionary(
        {"emergency_credit": dbus.Int64(500000),
         "emergency_credit_threshold": dbus.Int64(2000000),
         "friendly_periods": dbus.Array([(dbus.Byte(6), dbus.UInt32(0), dbus.UInt32(86400))],
                                        signature="(yuu)")}, signature="sv"))
    conf_now = prop("idle", "Configuration")
    check("configuration_set_and_published",
          err is None and conf_now.get("emergency_credit") == 500000 and
          list(conf_now.get("friendly_periods")) == [(6, 0, 86400)],
          f"{err} {msg} {dict(conf_now)}")
    check("emergency_credit_offered", prop("idle", "EmergencyCredit") == "available",
          prop("idle", "EmergencyCredit"))
    err, msg = call("idle", "TakeEmergencyCredit")
    check("emergency_credit_taken",
          err is None and prop("idle", "EmergencyCredit") == "in_use" and
          prop("idle", "AvailableCredit") == 1791000 and prop("idle", "Balance") == 1291000,
          f"{err} {msg} {prop('idle', 'AvailableCredit')}")

    r = subprocess.run([polymeterctl, "--user", "configure", "low_credit=1.00",
                        "load_limit_w=7200", "load_limit_period_s=60", "--meter", "idle"],
                       capture_output=True, text=True, env=env)
    conf_now = prop("idle", "Configuration")
    check("ctl_configure",
          r.returncode == 0 and conf_now.get("low_credit") == 100000 and
          conf_now.get("load_limit_w") == 7200 and conf_now.get("emergency_credit") == 500000,
          r.stdout + r.stderr + str(dict(conf_now)))
    # printed: the settings that changed (low_credit 100000 mu = 1.00), not those that did not
    lines = r.stdout.splitlines()
    check("ctl_configure_prints_changes",
          lines[:1] == ["meter idle: configured"] and
          any(re.match(r"  low_credit +\S+ -> 1\.00$", x) for x in lines) and
          any(re.match(r"  load_limit_w +\S+ -> 7200$", x) for x in lines) and
          not any(x.startswith("  emergency_credit ") for x in lines), r.stdout)
    # A change of tenancy asks first: without a terminal and without --yes nothing is sent.
    before = prop("idle", "Balance")
    r = subprocess.run([polymeterctl, "--user", "tenancy", "reset-balance", "--meter", "idle"],
                       capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    check("ctl_tenancy_needs_confirmation",
          r.returncode == 1 and "Confirm with --yes" in r.stderr and
          prop("idle", "Balance") == before and before != 0, f"{r.stderr} {before}")
    r = subprocess.run([polymeterctl, "--user", "supply", "disconnect", "--meter", "idle"],
                       capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    check("ctl_disconnect_needs_confirmation",
          r.returncode == 1 and "Confirm with --yes" in r.stderr and
          prop("idle", "SupplyState") == "closed", r.stderr)
    r = subprocess.run([polymeterctl, "--user", "configure", "load_limit_w=30000", "--meter",
                        "idle"], capture_output=True, text=True, env=env)
    check("ctl_configure_refused_changes_nothing",
          r.returncode == 1 and "24 kW" in r.stderr and
          prop("idle", "Configuration").get("load_limit_w") == 7200, r.stderr)

    # polymeterctl account shows a pending future tariff and a pending currency conversion:
    # plain text a line each only while pending, --json the four fields always (null when
    # none). "idle" runs on the wall clock (Europe/London), so dates 30 and 40 days ahead stay
    # pending for the whole run.
    from datetime import date, timedelta

    def ctl_account(*args):
        r = subprocess.run([polymeterctl, "--user", *args, "account", "idle"],
                           capture_output=True, text=True, env=env)
        try:
            doc = json.loads(r.stdout) if "--json" in args else {}
        except ValueError:
            doc = {}
        return r, doc

    pending_keys = ("future_tariff", "future_tariff_date", "currency_conversion_date",
                    "currency_conversion_factor")
    r, _ = ctl_account()
    lines = r.stdout.splitlines()
    check("ctl_account_text_nothing_pending",
          r.returncode == 0 and lines[6].startswith("tariff           Flat test") and
          len(lines) == 7, r.stdout + r.stderr)
    r, a = ctl_account("--json")
    check("ctl_account_json_nothing_pending",
          r.returncode == 0 and all(k in a and a[k] is None for k in pending_keys) and
          a.get("tariff") == "Flat test", r.stdout + r.stderr)
    today = date.fromisoformat(str(prop("idle", "LocalDate")))
    d30, d40 = str(today + timedelta(days=30)), str(today + timedelta(days=40))
    err, msg = call("idle", "SetFutureTariff", FUTURE, d30)
    err2, msg2 = call("idle", "ConvertCurrency", d40, "0.25")
    check("idle_future_tariff_and_conversion_set", err is None and err2 is None,
          f"{err} {msg} {err2} {msg2}")
    r, _ = ctl_account()
    check("ctl_account_text_pending",
        r.returncode == 0 and r.stdout.splitlines()[7:] == [
        f"future tariff    Future test from {d30} 00:00 local",
        f"currency         every price and money register x 0.25 at {d40} 00:00 local"],
          r.stdout + r.stderr)
    r, a = ctl_account("--json")
    check("ctl_account_json_pending",
          r.returncode == 0 and a.get("future_tariff") == "Future test" and
          a.get("future_tariff_date") == d30 and a.get("currency_conversion_date") == d40 and
          a.get("currency_conversion_factor") == "0.25" and a.get("tariff") == "Flat test",
          r.stdout + r.stderr)
    # The future tariff cancelled: its line and fields go, the conversion's stay.
    err, msg = call("idle", "CancelFutureTariff")
    r, _ = ctl_account()
    check("ctl_account_text_conversion_only",
        err is None and r.returncode == 0 and r.stdout.splitlines()[7:] == [
        f"currency         every price and money register x 0.25 at {d40} 00:00 local"],
          f"{err} {msg} {r.stdout}{r.stderr}")
    r, a = ctl_account("--json")
    check("ctl_account_json_conversion_only",
          r.returncode == 0 and a.get("future_tariff", "") is None and
          a.get("future_tariff_date", "") is None and a.get("currency_conversion_date") == d40
          and a.get("currency_conversion_factor") == "0.25", r.stdout + r.stderr)

    # --- Issue 5: future tariff, currency conversion, peak-rate load limit, tariff events. ---
    # "clock" runs an hour per second (UTC); it draws nothing, so only commands move money.
    from datetime import date, timedelta
    err, _ = call("clock", "TopUp", dbus.Int64(1000000), "clock-0001")
    check("clock_topup", err is None and prop("clock", "Balance") == 1000000, err)
    today = date.fromisoformat(str(prop("clock", "LocalDate")))
    # two days ahead: a simulated midnight may pass while the commands run
    d2, d3 = str(today + timedelta(days=2)), str(today + timedelta(days=3))
    err, msg = call("clock", "ConvertCurrency", d3, "5")
    check("conversion_factor_5_refused",
          err == ERR + "InvalidArgument" and msg.startswith("factor") and "0.25 to 4" in msg,
          f"{err} {msg}")
    err, msg = call("clock", "ConvertCurrency", str(today), "0.5")
    check("conversion_date_not_future_refused",
          err == ERR + "InvalidArgument" and msg.startswith("date") and "not after" in msg,
          f"{err} {msg}")
    # §8.11 with the currency converted to: bad input refused naming the field, nothing set
    err, msg = call("clock", "ConvertCurrencyTo", d3, "0.5", "XYZ")
    check("conversion_unknown_currency_refused",
          err == ERR + "InvalidArgument" and msg.startswith("currency: 'XYZ'") and
          "ISO 4217" in msg, f"{err} {msg}")
    err, msg = call("clock", "ConvertCurrencyTo", d3, "0", "EUR")
    check("conversion_factor_0_refused",
          err == ERR + "InvalidArgument" and msg.startswith("factor"), f"{err} {msg}")
    err, msg = call("clock", "ConvertCurrencyTo", str(today - timedelta(days=1)), "0.5", "EUR")
    check("conversion_past_date_refused",
          err == ERR + "InvalidArgument" and msg.startswith("date"), f"{err} {msg}")
    err, msg = call("clock", "SetFutureTariff", FUTURE, "2026-02-30")
    check("future_bad_date_refused", err == ERR + "InvalidArgument" and msg.startswith("date"),
          f"{err} {msg}")
    err, msg = call("clock", "SetFutureTariff", FUTURE, str(today - timedelta(days=1)))
    check("future_past_date_refused",
          err == ERR + "InvalidArgument" and msg.startswith("date"), f"{err} {msg}")
    err, msg = call("clock", "SetFutureTariff", FUTURE.replace('"3.00"', '"3.0x"'), d2)
    check("future_invalid_tariff_names_field",
          err == ERR + "InvalidTariff" and "rates.2.price_per_kwh" in msg, f"{err} {msg}")
    err, msg = call("clock", "SetFutureTariff", FUTURE.replace('"peak": true', '"peak": 1'), d2)
    check("future_bad_peak_flag_names_field",
          err == ERR + "InvalidTariff" and "rates.2.peak" in msg, f"{err} {msg}")
    check("refusals_change_nothing",
          prop("clock", "FutureTariffName") == "" and prop("clock", "FutureTariffDate") == "" and
          prop("clock", "CurrencyConversionDate") == "" and
          prop("clock", "TariffName") == "Flat test")
    err, msg = call("clock", "CancelFutureTariff")
    check("cancel_without_future_refused", err == ERR + "Refused", f"{err} {msg}")
    # Set over D-Bus, cancelled and set again with polymeterctl.
    err, _ = call("clock", "SetFutureTariff", FUTURE, d2)
    check("future_tariff_pending",
          err is None and prop("clock", "FutureTariffName") == "Future test" and
          prop("clock", "FutureTariffDate") == d2, err)
    r = subprocess.run([polymeterctl, "--user", "tariff", "cancel", "--meter", "clock"],
                       capture_output=True, text=True, env=env)
    check("ctl_tariff_cancel", r.returncode == 0 and prop("clock", "FutureTariffName") == "",
          r.stdout + r.stderr)
    check("ctl_tariff_cancel_prints_change",
          r.stdout.splitlines()[:1] == ["meter clock: future tariff cancelled"] and
          "  future tariff          Future test -> none" in r.stdout.splitlines(), r.stdout)
    r = subprocess.run([polymeterctl, "--user", "tariff", "set", os.path.join(tmp, "future.json"),
                        "--from", d2, "--meter", "clock"], capture_output=True, text=True, env=env)
    check("ctl_tariff_set_from", r.returncode == 0 and prop("clock", "FutureTariffDate") == d2,
          r.stdout + r.stderr)
    # §8.11: the request names the currency converted to (ConvertCurrencyTo)
    r = subprocess.run([polymeterctl, "--user", "currency", "convert", "0.5", "--on", d3,
                        "--to", "EUR", "--meter", "clock"], capture_output=True, text=True,
                       env=env)
    check("ctl_currency_convert",
          r.returncode == 0 and prop("clock", "CurrencyConversionDate") == d3 and
          prop("clock", "CurrencyConversionFactor") == "0.5" and
          prop("clock", "CurrencyConversionCurrency") == "EUR",
          r.stdout + r.stderr)
    check("pending_changes_nothing_yet",
          prop("clock", "TariffName") == "Flat test" and prop("clock", "Price") == 100000 and
          prop("clock", "Currency") == "GBP")
    # Midnight of d2: the future tariff is active, at rate 1: 2.00 GBP = 200000 mu per kWh.
    check("future_tariff_activates", wait_for("clock", "TariffName", "Future test", 300),
          prop("clock", "TariffName"))
    check("activation_keeps_balance",
          prop("clock", "FutureTariffName") == "" and prop("clock", "Balance") == 1000000,
          f"{prop('clock', 'Balance')}")
    # 12:00 of d2: rate 2, the peak rate (3.00 GBP); midnight of d3: rate 1 again, converted.
    check("conversion_applied", wait_for("clock", "CurrencyConversionDate", "", 300),
          prop("clock", "CurrencyConversionDate"))
    # x 0.5: balance 10.00 -> 5.00 GBP; the Total Credit Register is reset to zero by a change
    # of currency (manual §8.4, §8.11); the payment logged as 5.00 in the new currency;
    # rate 1's price 2.00 -> 1.00 GBP = 100000 mu per kWh.
    pays = prop("clock", "Payments")
    check("conversion_halves_money",
          prop("clock", "Balance") == 500000 and prop("clock", "TotalCredit") == 0 and
          pays[0][1] == 500000,
          f"{prop('clock', 'Balance')} {prop('clock', 'TotalCredit')} {pays}")
    check("conversion_halves_prices",
          prop("clock", "Rate") == 0 and prop("clock", "Price") == 100000,
          f"{prop('clock', 'Rate')} {prop('clock', 'Price')}")
    # "Following conversion the meter will change the currency symbol" (§8.11): EUR, 2 digits
    check("conversion_changes_currency",
          prop("clock", "Currency") == "EUR" and prop("clock", "MinorUnits") == 2 and
          prop("clock", "CurrencyConversionCurrency") == "",
          f"{prop('clock', 'Currency')} {prop('clock', 'MinorUnits')}")
    r = subprocess.run([polymeterctl, "--user", "--json", "events", "clock", "--max", "10000"],
                       capture_output=True, text=True, env=env)
    try:
        evs = json.loads(r.stdout)["events"]
    except (ValueError, KeyError):
        evs = []
    kinds = [e["kind"] for e in evs]
    details = {e["kind"]: e["detail"] for e in reversed(evs)}  # the newest of each kind
    check("events_commands_logged",
          "tariff_deferred" in kinds and "currency_conversion_set" in kinds, str(kinds[:40]))
    check("event_tariff_activated",
          details.get("tariff_activated", "").startswith("name=Future test"),
          str(details.get("tariff_activated")))
    check("event_rate_switches",
          any(e["kind"] == "tariff_rate" and e["detail"] == "rate=1 export_rate=1" for e in evs)
          and any(e["kind"] == "tariff_rate" and e["detail"] == "rate=2 export_rate=1"
                  for e in evs), str([e for e in evs if e["kind"] == "tariff_rate"][:4]))
    check("event_snapshot_then_conversion",
          "balance=10.00" in details.get("account_snapshot", "") and
          details.get("currency_converted", "").startswith("factor=5/10 balance=5.00") and
          details.get("currency_converted", "").endswith(" currency=EUR"),
          f"{details.get('account_snapshot')} {details.get('currency_converted')}")
    check("event_snapshot_before_conversion",
          kinds.index("currency_converted") < kinds.index("account_snapshot")
          if "currency_converted" in kinds and "account_snapshot" in kinds else False,
          str(kinds[:10]))

    # Peak-rate load limit: "load" draws 3 x 230 V x 10 A = 6900 W. Limits: 24 kW off peak,
    # 5 kW on a peak rate, over for 1 s trips.
    err, msg = call("load", "Configure", dbus.Dictionary(
        {"load_limit_w": dbus.UInt32(24000), "load_limit_peak_w": dbus.UInt32(5000),
         "load_limit_period_s": dbus.UInt32(1)}, signature="sv"))
    check("load_limits_configured", err is None, f"{err} {msg}")
    # Off peak (the flat tariff has no peak rate): 6900 W < 24000 W. At 1.00 GBP per kWh it
    # costs 6.9 kWh/h = 191.7 mu/s; 10 s of it (1917 mu) spent while closed proves it held.
    b0 = prop("load", "Balance")
    eventually(lambda: prop("load", "Balance") <= b0 - 1917, 120, "1917 mu spent on load",
               interval=0.2)
    check("off_peak_under_higher_limit_stays_closed",
          prop("load", "Balance") <= b0 - 1917 and prop("load", "SupplyState") == "closed" and
          not prop("load", "PeakRate"),
          f"{prop('load', 'Balance')} {prop('load', 'SupplyState')}")
    peak = tariff_doc("Peak test", {"1": {"price_per_kwh": "1.00", "peak": True}},
                      [{"at": "00:00", "rate": 1}])
    err, msg = call("load", "SetTariff", peak)
    check("peak_tariff_set", err is None and prop("load", "PeakRate"), f"{err} {msg}")
    check("peak_rate_trips_lower_limit", wait_for("load", "SupplyState", "open") and
          prop("load", "SupplyReason") == "load-limit",
          f"{prop('load', 'SupplyState')} {prop('load', 'SupplyReason')}")
    r = subprocess.run([polymeterctl, "--user", "--json", "events", "load", "--max", "200"],
                       capture_output=True, text=True, env=env)
    check("event_load_limit_tripped", '"load_limit_tripped"' in r.stdout, r.stdout[-400:])

    # The STS vectors (../shared/reference/sts_test_vectors.tsv, Nectar_1, electricity) through
    # EnterToken into a kWh account: each credits the amount its row states (counts x 0.1 kWh
    # = counts x 100 Wh = counts x 100000 mu, 1 mu = 1 mWh), once; step12A carries step5B's
    # TID and is refused as used; four replays are refused as used (five would lock entry).
    vectors = [
    ("66475648316756821785", 5944921, 10),  # step1Test
    ("36924780240841024731", 5988122, 163834),  # step2ACTSA20Test
    ("65724708343212635258", 6470523, 163844),  # step3ACTSA20Test
    ("42371551666535254341", 6471964, 1802324),  # step4CTSA20Test
    ("18009632033176370418", 6472020, 18186624),  # step5BCTSA20Test
    ("12805131357955755939", 6472021, 18201624),  # step6ACTSA20Test
    ("57144000167239742426", 6472022, 1820624),  # step7CTSA20Test
    ("37909354224671858723", 6472023, 1235524),  # step8BCTSA20Test
    ("71777743993390229056", 6472024, 17634624),  # step9BCTSA20Test
    ("73561917813841338074", 6472025, 147824),  # step10CTSA20Test
    ("55160880109952893498", 6472570, 18),  # step11BCTSA20Test
    ("43183161221229495584", 6472020, 189824),  # step12ACTSA20Test
    ("62624214800861085936", 6472572, 18974),  # step13CTSA20Test
    ("08032634883920046224", 6472574, 108974),  # step14ACTSA20Test
    ("05983059757600918504", 6501375, 5),  # step15BCTSA20Test
    ]
    err, msg = call("kwh", "Configure", dbus.Dictionary(
        {"max_balance": dbus.Int64(10**15)}, signature="sv"))
    check("kwh_account_takes_large_tokens", err is None, f"{err} {msg}")
    check("kwh_account_currency", prop("kwh", "Currency") == "KWH", prop("kwh", "Currency"))
    expect, wrong = 0, []
    for token, tid, counts in vectors:
        err, res = call("kwh", "EnterToken", token)
        if tid == 6472020 and counts == 189824:
            ok = err == IFACE + ".Error.InvalidToken" and "already used" in str(res)
        else:
            ok = err is None and str(res[0]) == "credit" and int(res[1]) == counts * 100000
            expect += counts * 100000 if ok else 0
        if not ok:
            wrong.append((token, err, str(res)[:120]))
    check("sts_vectors_credit_their_amounts_once", not wrong, str(wrong)[:800])
    check("kwh_balance_is_the_sum", int(prop("kwh", "Balance")) == expect == 59484827 * 100000,
          f"{prop('kwh', 'Balance')} vs {expect}")
    replays = [call("kwh", "EnterToken", v[0]) for v in vectors[:4]]
    check("sts_vectors_replay_refused",
          all(e == IFACE + ".Error.InvalidToken" and "already used" in str(m)
              for e, m in replays), str(replays)[:600])
    check("kwh_balance_unchanged_by_replays", int(prop("kwh", "Balance")) == expect)

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
    check("introspection_properties_match_xml", lp and lp == dp,
          f"live-only {set(lp) - set(dp)}, doc-only {set(dp) - set(lp)}")
    check("introspection_methods_match_xml", lm and lm == dm, f"{lm} vs {dm}")
finally:
    daemon.send_signal(signal.SIGTERM)
    try:
        rc = daemon.wait(timeout=30)
    except subprocess.TimeoutExpired:
        daemon.kill()
        rc = -1
    check("daemon_clean_exit_under_sanitizers", rc == 0, f"exit {rc}, log in {tmp}")
    busd.terminate()
    busd.wait()
finish()
