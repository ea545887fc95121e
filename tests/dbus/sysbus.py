#!/usr/bin/python3
"""polymeterd on the D-Bus system bus as deployed (see tests/dbus/system-run).

A dbus-daemon with the system bus's own configuration (Debian's /usr/share/dbus-1/system.conf:
type system, auth EXTERNAL, method calls denied unless a policy allows them) on a throwaway
socket, with the repository's policy file as its only service policy; polymeterd (ASan + UBSan,
a simulated meter) runs as the service user `polymeter` and owns the name. Real users created
for the test call every method and read every property of every interface:

- user:    an ordinary user, in none of polymeter's groups
- display: a member of polymeter-display
- admin:   a member of polymeter-admin
- root
- open:    a member of polymeter-test-open, a group this bus lets call everything (as a
           missing or permissive policy would): what polymeterd checks itself

Each answer is checked against the table AUDIENCE below, written from docs/dbus.md ("Policy",
the methods' "who may call"), not from the code: "ran" (the service ran the method: a reply or
one of the method's own org.polymeter.* errors), "bus" (AccessDenied by dbus-daemon's policy),
"daemon" (AccessDenied by polymeterd, its message naming the method), "readonly"
(PropertyReadOnly). sd-bus's own check (AccessDenied "Access to ... not permitted", which on a
system bus demands CAP_SYS_ADMIN) must decide nothing. polymeterctl status, events and profile
work for the ordinary user; the committed introspection XML is what the service publishes on
this bus, annotations included (sd-bus marks a method it would check itself Privileged there).

The users and groups exist only in this test's mount namespace: private copies of /etc/passwd
and /etc/group are bind-mounted over the real ones, which stay untouched. Needs root.
Usage: sysbus.py POLYMETERD POLYMETERCTL POLICY METER_XML ACCOUNT_XML.
"""
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "lib"))
from mountns import own_mount_namespace  # noqa: E402

own_mount_namespace()

import dbus  # noqa: E402

from checks import at_crash, check, eventually, finish  # noqa: E402

polymeterd, polymeterctl, policy, meter_xml, account_xml = sys.argv[1:6]
HERE = os.path.dirname(os.path.abspath(__file__))
NAME = "org.polymeter.Meter1"
ROOT = "/org/polymeter/Meter1"
METER = ROOT + "/m1"
IMETER = "org.polymeter.Meter1.Meter"
IACCOUNT = "org.polymeter.Account1"
PROPS = "org.freedesktop.DBus.Properties"
DENIED = "org.freedesktop.DBus.Error.AccessDenied"
READONLY = "org.freedesktop.DBus.Error.PropertyReadOnly"
ERR = "org.polymeter.Account1.Error."

# --- who may call what: docs/dbus.md --------------------------------------------------------
ROLES = ("user", "display", "admin", "root", "open")
ANYONE = {r: "ran" for r in ROLES}
# everything that changes the meter: root and polymeter-admin; the daemon refuses the rest
ADMIN = {"user": "bus", "display": "bus", "admin": "ran", "root": "ran", "open": "daemon"}
# the customer's answers, given at the meter, and tokens (its keypad): the display's group too
CUSTOMER = dict(ADMIN, display="ran")
# every property is read-only: the bus lets only root and the admin group send Set, the
# service refuses it
SET = {"user": "bus", "display": "bus", "admin": "readonly", "root": "readonly",
       "open": "readonly"}
# only polymeter and root may own the name (root may: here it finds it taken)
OWN = {"user": "bus", "display": "bus", "admin": "bus", "root": "ran", "open": "bus"}

MAXU64 = 2**64 - 1
# (interface, method): (audience, signature, arguments). The arguments make a method that runs
# either succeed harmlessly or refuse with its own error; which does not matter here.
METHODS = {
    (IMETER, "GetEvents"): (ANYONE, "t", [5]),
    (IMETER, "GetProfile"): (ANYONE, "tt", [0, MAXU64]),
    (IMETER, "Calibrate"): (ADMIN, "suddd", ["no-such-step", 0, 230.0, 0.0, 0.0]),
    (IACCOUNT, "TopUp"): (ADMIN, "xs", [1000, "sysbus-{role}"]),
    (IACCOUNT, "EnterToken"): (CUSTOMER, "s", ["12345678901234567890"]),
    (IACCOUNT, "SetDecoderKey"): (ADMIN, "s", ["not-a-key"]),
    (IACCOUNT, "GetStsSetup"): (ADMIN, "", []),
    (IACCOUNT, "SetStsSetup"): (ADMIN, "a{sv}", [{"no_such_option": True}]),
    (IACCOUNT, "ImportTidMemory"): (ADMIN, "au", [[16777216]]),
    (IACCOUNT, "SetTariff"): (ADMIN, "s", ["{}"]),
    (IACCOUNT, "SetMode"): (ADMIN, "s", ["no-such-mode"]),
    (IACCOUNT, "TakeEmergencyCredit"): (CUSTOMER, "", []),
    (IACCOUNT, "Disconnect"): (ADMIN, "", []),
    (IACCOUNT, "Reconnect"): (ADMIN, "", []),
    (IACCOUNT, "ArmReconnect"): (ADMIN, "", []),
    (IACCOUNT, "ConfirmReconnect"): (CUSTOMER, "", []),
    (IACCOUNT, "ChangeOfTenancy"): (ADMIN, "a{sv}", [{"no_such_option": True}]),
    (IACCOUNT, "AdjustBalance"): (ADMIN, "x", [0]),
    (IACCOUNT, "SetDebt"): (ADMIN, "xx", [-1, -1]),
    (IACCOUNT, "PostWalletCost"): (ADMIN, "sxb", ["2026-02-30", 0, False]),
    (IACCOUNT, "Configure"): (ADMIN, "a{sv}", [{"no_such_option": True}]),
    (IACCOUNT, "SetFutureTariff"): (ADMIN, "ss", ["{}", "2026-02-30"]),
    (IACCOUNT, "CancelFutureTariff"): (ADMIN, "", []),
    (IACCOUNT, "ConvertCurrency"): (ADMIN, "ss", ["2026-02-30", "5"]),
    (IACCOUNT, "ConvertCurrencyTo"): (ADMIN, "sss", ["2026-02-30", "5", "XYZ"]),
}
# the standard interfaces: anyone (introspection, Peer, the object list, Get and GetAll)
STANDARD = [
    ("introspect_root", ROOT, "org.freedesktop.DBus.Introspectable", "Introspect", "", []),
    ("introspect_meter", METER, "org.freedesktop.DBus.Introspectable", "Introspect", "", []),
    ("ping", METER, "org.freedesktop.DBus.Peer", "Ping", "", []),
    ("machine_id", METER, "org.freedesktop.DBus.Peer", "GetMachineId", "", []),
    ("managed_objects", ROOT, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", "",
     []),
    ("getall_meter", METER, PROPS, "GetAll", "s", [IMETER]),
    ("getall_account", METER, PROPS, "GetAll", "s", [IACCOUNT]),
]


def committed_interfaces():
    """{interface name: element} of the committed introspection XML."""
    out = {}
    for path in (meter_xml, account_xml):
        for itf in ET.parse(path).getroot().iter("interface"):
            out[itf.get("name")] = itf
    return out


COMMITTED = committed_interfaces()
PROPERTIES = {i: [p.get("name") for p in COMMITTED[i].iter("property")]
              for i in (IMETER, IACCOUNT)}

# the table covers every method the committed XML (checked against the service below) has
for itf in (IMETER, IACCOUNT):
    listed = {m for i, m in METHODS if i == itf}
    documented = {m.get("name") for m in COMMITTED[itf].iter("method")}
    check(f"table_covers_every_method_of_{itf}", listed == documented,
          f"not in the table: {sorted(documented - listed)}, not in the XML: "
          f"{sorted(listed - documented)}")

# --- users and groups, in this namespace only -------------------------------------------
tmp = tempfile.mkdtemp(prefix="polymeter-sysbus-")
os.chmod(tmp, 0o755)  # every test user must reach the bus socket
with open("/etc/passwd") as f:
    passwd = f.read().rstrip("\n") + "\n"
with open("/etc/group") as f:
    group = f.read().rstrip("\n") + "\n"


def ids_of(text):
    return {int(ln.split(":")[2]) for ln in text.splitlines()
            if ln.count(":") >= 3 and ln.split(":")[2].isdigit()}


used = ids_of(passwd) | ids_of(group)
free_ids = (i for i in range(64000, 65000) if i not in used)


def has_entry(text, name):
    return any(ln.startswith(name + ":") for ln in text.splitlines())


# the groups as udev/polymeter.sysusers creates them, and the test's permissive one
members = {"polymeter-admin": ["pmtest-admin"], "polymeter-display": ["pmtest-display"],
           "polymeter-test-open": ["pmtest-open"]}
lines = []
for ln in group.splitlines():
    name = ln.split(":")[0]
    if name in members:  # a host that has the group already: add our member to it
        ln += ("," if not ln.endswith(":") else "") + ",".join(members.pop(name))
    lines.append(ln)
group = "\n".join(lines) + "\n"
for name, who in members.items():
    group += f"{name}:x:{next(free_ids)}:{','.join(who)}\n"
# the service user, and one user per role, each with a primary group of its own
for name in ("polymeter", "pmtest-user", "pmtest-display", "pmtest-admin", "pmtest-open"):
    if has_entry(passwd, name):
        continue
    uid = next(free_ids)
    passwd += f"{name}:x:{uid}:{uid}::/nonexistent:/usr/sbin/nologin\n"
    if not has_entry(group, name):
        group += f"{name}:x:{uid}:\n"
for name, text in (("passwd", passwd), ("group", group)):
    with open(os.path.join(tmp, name), "w") as f:
        f.write(text)
    os.chmod(os.path.join(tmp, name), 0o644)
    subprocess.run(["mount", "--bind", os.path.join(tmp, name), "/etc/" + name], check=True)
USERS = {"user": "pmtest-user", "display": "pmtest-display", "admin": "pmtest-admin",
         "open": "pmtest-open"}
SERVICE = pwd.getpwnam("polymeter")

# --- the system bus: Debian's system.conf on a socket of ours -------------------------------
sock = os.path.join(tmp, "system_bus_socket")
address = "unix:path=" + sock
conf = ET.parse("/usr/share/dbus-1/system.conf").getroot()
# not here: forking, the pid file and syslog, the activation helper, and the host's service
# policies (this bus has the repository's only)
for el in list(conf):
    if el.tag in ("fork", "pidfile", "syslog", "servicehelper", "standard_system_servicedirs",
                  "servicedir", "listen", "include", "includedir"):
        conf.remove(el)
check("bus_config_is_the_system_bus",
      conf.findtext("type") == "system" and
      [a.text for a in conf.iter("auth")] == ["EXTERNAL"] and
      any(p.get("context") == "default" and
          any(d.get("send_type") == "method_call" for d in p.iter("deny"))
          for p in conf.iter("policy")), ET.tostring(conf, encoding="unicode")[:400])
ET.SubElement(conf, "listen").text = address
ET.SubElement(conf, "include").text = os.path.abspath(policy)
open_policy = ET.SubElement(conf, "policy", group="polymeter-test-open")
ET.SubElement(open_policy, "allow", send_destination=NAME)
with open(os.path.join(tmp, "system.conf"), "w") as f:
    f.write('<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"\n'
            ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">\n')
    f.write(ET.tostring(conf, encoding="unicode"))
busd = subprocess.Popen(["dbus-daemon", "--config-file=" + os.path.join(tmp, "system.conf"),
                         "--nofork", "--nopidfile"],
                        stderr=open(os.path.join(tmp, "dbus-daemon.log"), "w"))
at_crash(busd.kill)
eventually(lambda: os.path.exists(sock), 30, "the bus socket", interval=0.05)
env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=address, HOME="/",
           ASAN_OPTIONS="detect_leaks=1:abort_on_error=1",
           UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
env.pop("DBUS_SESSION_BUS_ADDRESS", None)


def as_user(role, argv):
    """argv run as the role's user with exactly its groups (root: as this script is)."""
    if role == "root":
        return argv
    return ["setpriv", "--reuid=" + USERS.get(role, role), "--regid=" + USERS.get(role, role),
            "--init-groups", "--"] + argv


# --- polymeterd as the service user ---------------------------------------------------------
with open(os.path.join(tmp, "flat.json"), "w") as f:
    json.dump({"version": 1, "name": "Flat test", "currency": {"code": "GBP", "minor_units": 2},
               "rates": {"1": {"name": "all day", "price_per_kwh": "1.00"}},
               "day_profiles": {"all": [{"at": "00:00", "rate": 1}]},
               "seasons": [{"days": {"weekdays": "all", "weekend": "all"}}],
               "billing_period": {"months": 1, "start": "2026-01-01"}}, f)
state = os.path.join(tmp, "state")
os.mkdir(state)
os.chown(state, SERVICE.pw_uid, SERVICE.pw_gid)
os.chmod(state, 0o750)  # as the unit's StateDirectoryMode
# the STS decoder key as installed: a file of mode 0640 root:polymeter (docs/account.md)
STS_KEY, NEW_KEY = "abababababababab", "0123456789abcdef"
key_file = os.path.join(tmp, "m1.key")
with open(key_file, "w") as f:
    f.write(STS_KEY + "\n")
os.chown(key_file, 0, SERVICE.pw_gid)
os.chmod(key_file, 0o640)
daemon_conf = os.path.join(tmp, "polymeterd.conf")
# a simulated minute per second: a profile interval closes every 15 s while the test runs
with open(daemon_conf, "w") as f:
    f.write(f"""[daemon]
state_dir = {state}
dbus = system
dbus_interval_ms = 100
log_interval = 0
[meter m1]
source = sim
sim_current_ma = 10000
sim_rate_hz = 1
sim_speed = 60
account_mode = prepayment
tariff_file = {tmp}/flat.json
time_zone = UTC
sts_decoder_key_file = {key_file}
""")
for name in ("flat.json", "polymeterd.conf"):
    os.chmod(os.path.join(tmp, name), 0o644)
log = open(os.path.join(tmp, "polymeterd.log"), "w")
daemon = subprocess.Popen(as_user("polymeter", [os.path.abspath(polymeterd), "-c", daemon_conf]),
                          env=env, stdout=log, stderr=log)
at_crash(daemon.kill)
bus = dbus.bus.BusConnection(address)
driver = dbus.Interface(bus.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus"),
                        "org.freedesktop.DBus")
check("service_owns_name", eventually(lambda: bus.name_has_owner(NAME), 60,
                                      f"polymeterd to own {NAME}", interval=0.05),
      f"log in {tmp}")
check("name_owned_by_the_service_user",
      driver.GetConnectionUnixUser(NAME) == SERVICE.pw_uid, str(driver.GetNameOwner(NAME)))
# the profile answers with an interval once one has closed (at most 15 s)
eventually(lambda: len(dbus.Interface(bus.get_object(NAME, METER), IMETER)
                       .GetProfile(dbus.UInt64(0), dbus.UInt64(MAXU64))) >= 1, 60,
           "a profile interval", interval=0.1, ignore=(dbus.DBusException,))

with open(os.path.join(HERE, "sysbus_probe.py")) as f:
    PROBE = f.read()


def probe(role, calls):
    """Makes @calls as the role's user: {label: {"error", "message"} or {"value"}}."""
    r = subprocess.run(as_user(role, ["/usr/bin/python3", "-c", PROBE, "calls"]),
                       input=json.dumps(calls), capture_output=True, text=True, env=env)
    try:
        return json.loads(r.stdout)
    except ValueError:
        check(f"{role}_probe_ran", False, r.stdout[-400:] + r.stderr[-2000:])
        return {}


def outcome(res, member):
    """What became of one call: ran, bus, daemon, readonly, or the unexpected answer."""
    if res is None:
        return "not made"
    if "error" not in res:
        return "ran"
    name, msg = res["error"], res["message"]
    if name.startswith("org.polymeter."):
        return "ran"
    if name == DENIED and ("Rejected send message" in msg or "not allowed to own" in msg):
        return "bus"
    if name == DENIED and msg.startswith(f"{member}: only root and the group"):
        return "daemon"
    if name == READONLY:
        return "readonly"
    return f"{name}: {msg}"


def calls_for(role):
    """Every call of the table, as [label, destination, path, interface, member, sig, args]."""
    calls = [[label, NAME, path, itf, member, sig, args]
             for label, path, itf, member, sig, args in STANDARD]
    for (itf, member), (_, sig, args) in METHODS.items():
        args = [a.replace("{role}", role) if isinstance(a, str) else a for a in args]
        calls.append([member, NAME, METER, itf, member, sig, args])
    calls.append(["RequestName", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                  "org.freedesktop.DBus", "RequestName", "su", [NAME, 4]])  # DO_NOT_QUEUE
    for itf, names in PROPERTIES.items():
        for p in names:
            calls.append([f"get {itf} {p}", NAME, METER, PROPS, "Get", "ss", [itf, p]])
            calls.append([f"set {itf} {p}", NAME, METER, PROPS, "Set", "ssv", [itf, p, True]])
    return calls


live = {}
try:
    for role in ROLES:
        got = probe(role, calls_for(role))
        for label, path, itf, member, sig, args in STANDARD:
            o = outcome(got.get(label), member)
            check(f"{role}_{label}", o == "ran", o)
        for (itf, member), (audience, _, _) in METHODS.items():
            o = outcome(got.get(member), member)
            check(f"{role}_{itf.split('.')[-1]}_{member}_{audience[role]}",
                  o == audience[role], f"{o} (expected {audience[role]})")
        o = outcome(got.get("RequestName"), "RequestName")
        check(f"{role}_own_name_{OWN[role]}", o == OWN[role], o)
        for itf, names in PROPERTIES.items():
            short = itf.split(".")[-1]
            wrong = {p: outcome(got.get(f"get {itf} {p}"), "Get") for p in names}
            wrong = {p: o for p, o in wrong.items() if o != "ran"}
            check(f"{role}_get_every_{short}_property", not wrong, str(wrong)[:600])
            wrong = {p: outcome(got.get(f"set {itf} {p}"), "Set") for p in names}
            wrong = {p: o for p, o in wrong.items() if o != SET[role]}
            check(f"{role}_set_every_{short}_property_{SET[role]}", not wrong,
                  str(wrong)[:600])
        if role == "user":
            live = got

    # §4.2.1 on this bus: the display's keypad enters tokens; five invalid entries in a row
    # lock entry, for every caller (root's entry right after is refused as locked too), and
    # every refusal is in the event log with its reason. The table above made at most three.
    wrong = ["12345678901234567890"]
    got = probe("display", [[f"token {i}", NAME, METER, IACCOUNT, "EnterToken", "s", wrong]
                            for i in range(6)])
    errors = [got.get(f"token {i}", {}).get("error", "") for i in range(6)]
    locked = ERR + "TokenEntryLocked"
    check("display_token_entries_lock_entry",
          locked in errors and all(e == ERR + "InvalidToken"
                                   for e in errors[:errors.index(locked)]), str(errors))
    try:
        dbus.Interface(bus.get_object(NAME, METER), IACCOUNT).EnterToken(wrong[0])
        root_got = "accepted"
    except dbus.DBusException as e:
        root_got = e.get_dbus_name()
    check("token_lockout_holds_for_every_caller", root_got == locked, root_got)
    events = dbus.Interface(bus.get_object(NAME, METER), IMETER).GetEvents(dbus.UInt64(50))
    kinds = [str(e[1]) for e in events]
    details = [str(e[2]) for e in events if str(e[1]) == "token_refused"]
    check("token_refusals_logged_with_reason",
          "token_entry_locked" in kinds and any("reason=locked" in d for d in details) and
          any("reason=invalid" in d for d in details), str(list(zip(kinds, details)))[:800])

    # the decoder key is a secret: an admin replaces it write-only, and the ordinary user
    # finds neither key in anything it can read (the key file, the store, the configuration,
    # every property, the event log)
    got = probe("admin", [["set key", NAME, METER, IACCOUNT, "SetDecoderKey", "s", [NEW_KEY]]])
    check("admin_sets_decoder_key", got.get("set key") == {"value": None} or
          "error" not in got.get("set key", {"error": 1}), str(got))
    snoop = ("import json, sys\n"
             "out = []\n"
             "for p in sys.argv[1:]:\n"
             "    try:\n"
             "        out.append(open(p, 'rb').read().hex())\n"
             "    except OSError as e:\n"
             "        out.append(type(e).__name__)\n"
             "print(json.dumps(out))\n")
    store_files = sorted(os.path.join(state, n) for n in os.listdir(state))
    r = subprocess.run(as_user("user", ["/usr/bin/python3", "-c", snoop, state, key_file,
                                        daemon_conf, *store_files]),
                       capture_output=True, text=True)
    seen = r.stdout
    got = probe("user", [["getall", NAME, METER, PROPS, "GetAll", "s", [IACCOUNT]],
                         ["events", NAME, METER, IMETER, "GetEvents", "t", [10000]],
                         ["introspect", NAME, METER, "org.freedesktop.DBus.Introspectable",
                          "Introspect", "", []]])
    seen += json.dumps(got)
    with open(os.path.join(tmp, "polymeterd.log")) as f:
        seen += f.read()
    for k in (STS_KEY, NEW_KEY):
        as_bytes = bytes.fromhex(k)
        leaked = [w for w in (k, k.upper(), as_bytes.hex(), as_bytes[::-1].hex(),
                              str(int(k, 16))) if w in seen]
        check(f"user_cannot_obtain_decoder_key_{k[:4]}", not leaked and "getall" in got and
              "PermissionError" in r.stdout, f"{leaked} {r.stdout[:200]} {r.stderr[-300:]}")

    # polymeterctl on the system bus as the ordinary user: the reading commands work
    def ctl(*args):
        return subprocess.run(as_user("user", [os.path.abspath(polymeterctl), *args]),
                              capture_output=True, text=True, env=env)
    r = ctl("status")
    check("user_ctl_status", r.returncode == 0 and "L1" in r.stdout, r.stdout + r.stderr)
    r = ctl("--json", "events")
    try:
        kinds = [e["kind"] for e in json.loads(r.stdout)["events"]]
    except (ValueError, KeyError, TypeError):
        kinds = []
    check("user_ctl_events", r.returncode == 0 and "daemon_start" in kinds, r.stdout + r.stderr)
    r = ctl("--csv", "profile", "--from", "1970-01-01", "--to", "2262-04-11")
    check("user_ctl_profile",
          r.returncode == 0 and r.stdout.startswith("meter,end_utc,") and len(r.stdout.splitlines()) >= 2,
          r.stdout[:300] + r.stderr)
    r = ctl("account")
    check("user_ctl_account", r.returncode == 0 and "Flat test" in r.stdout,
          r.stdout + r.stderr)
    r = ctl("topup", "1.00", "sysbus-ctl")
    check("user_ctl_topup_denied", r.returncode != 0 and ("AccessDenied" in r.stderr or
          "Rejected send message" in r.stderr), r.stdout + r.stderr)

    # anyone receives the signals
    r = subprocess.run(as_user("user", ["/usr/bin/python3", "-c", PROBE, "signal", METER, "60"]),
                       capture_output=True, text=True, env=env)
    check("user_receives_properties_changed", r.stdout.strip() in (IMETER, IACCOUNT),
          r.stdout + r.stderr[-600:])

    # the committed XML is what the service publishes on this bus, annotations included
    def canonical(itf):
        def annotations(el):
            return sorted((a.get("name"), a.get("value")) for a in el.findall("annotation"))

        def args(el):
            return [(a.get("name"), a.get("type"), a.get("direction", "in"))
                    for a in el.findall("arg")]
        return {"annotations": annotations(itf),
                "properties": {p.get("name"): (p.get("type"), p.get("access"),
                                               annotations(p))
                               for p in itf.findall("property")},
                "methods": {m.get("name"): (args(m), annotations(m))
                            for m in itf.findall("method")},
                "signals": {s.get("name"): (args(s), annotations(s))
                            for s in itf.findall("signal")}}

    def live_interfaces(label):
        text = live.get(label, {}).get("value", "<node/>")
        return {i.get("name"): i for i in ET.fromstring(text).findall("interface")}
    on_meter = live_interfaces("introspect_meter")
    for name in (IMETER, IACCOUNT):
        want = canonical(COMMITTED[name])
        got = canonical(on_meter[name]) if name in on_meter else {}
        diff = {k: [(n, got.get(k, {}).get(n), want[k].get(n))
                    for n in sorted(set(got.get(k, {})) | set(want[k]))
                    if got.get(k, {}).get(n) != want[k].get(n)][:4]
                if isinstance(want[k], dict) else (got.get(k), want[k])
                for k in want if got.get(k) != want[k]}
        check(f"introspection_of_{name}_matches_committed_xml", got == want, str(diff)[:1500])
    ours = {n for n in on_meter if n.startswith("org.polymeter.")}
    check("no_uncommitted_interface", ours == {IMETER, IACCOUNT}, str(ours))
    check("root_has_object_manager",
          "org.freedesktop.DBus.ObjectManager" in live_interfaces("introspect_root"))
finally:
    daemon.send_signal(signal.SIGTERM)
    try:
        rc = daemon.wait(timeout=60)
    except subprocess.TimeoutExpired:
        daemon.kill()
        rc = -1
    log.close()
    with open(os.path.join(tmp, "polymeterd.log")) as f:
        daemon_log = f.read()
    check("daemon_clean_exit_under_sanitizers", rc == 0, f"exit {rc}: {daemon_log[-2000:]}")
    busd.terminate()
    busd.wait()
    if rc == 0:
        shutil.rmtree(tmp, ignore_errors=True)
finish()
