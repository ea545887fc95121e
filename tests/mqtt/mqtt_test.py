#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""polymeterd's MQTT view against a real mosquitto (Debian's) started here on loopback, with
paho as the consumer: live values against D-Bus, a broker outage with every profile interval
once and in order, polymeterd killed (-9) mid-transfer and the broker killed (-9) mid-transfer
of a backlog with nothing lost, per-gateway credentials and the shipped ACL example (allowed
and refused cases), TLS with a CA and a client certificate generated here. Usage: mqtt_test.py POLYMETERD. Last line:
"N passed, N failed"."""
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
sys.path.insert(0, os.path.join(TOP, "tests/lib"))
from checks import PipeLog, at_crash, check, eventually, finish, wait_until  # noqa: E402

import dbus  # noqa: E402
import paho.mqtt.client as paho  # noqa: E402

DAEMON = os.path.abspath(sys.argv[1])
WORK = tempfile.mkdtemp(prefix="pm-mqtt-")
PROCS = []


def cleanup():
    for p in PROCS:
        if p.poll() is None:
            p.kill()
            p.wait()
    shutil.rmtree(WORK, ignore_errors=True)


at_crash(cleanup)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    """mosquitto on 127.0.0.1:port with @extra configuration lines; persistence on, so a
    durable subscriber's queue survives a clean restart."""

    def __init__(self, name, extra="allow_anonymous true\n", port=None):
        self.port = port or free_port()
        self.dir = os.path.join(WORK, name)
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        with open(self.conf, "w") as f:
            f.write(f"listener {self.port} 127.0.0.1\n"
                    f"persistence true\npersistence_location {self.dir}/\n"
                    "log_dest stderr\nlog_type error\nlog_type warning\n"
                    # as whoever runs the test: mosquitto started as root would become the
                    # user mosquitto, who may not write the test's directory
                    f"user {pwd.getpwuid(os.getuid()).pw_name}\n" + extra)
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(["mosquitto", "-c", self.conf], stderr=subprocess.PIPE)
        PROCS.append(self.proc)
        wait_until(self.accepts, 20, f"mosquitto on port {self.port}")

    def accepts(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), 0.5).close()
            return True
        except OSError:
            return False

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        self.proc.wait()


class Sub:
    """A paho consumer: every message kept in order of arrival."""

    def __init__(self, port, topics, client_id=None, user=None, password=None, tls=None,
                 clean=True, on_first=None):
        """on_first: (suffix, fn): fn() runs in paho's thread at the first message whose topic
        ends with suffix, the moment it arrives (before the test's next poll)."""
        self.msgs = []
        self.on_first = on_first
        self.lock = threading.Lock()
        self.granted = None
        self.c = paho.Client(client_id=client_id or "", clean_session=clean)
        if user:
            self.c.username_pw_set(user, password)
        if tls:
            self.c.tls_set(**tls)
        self.topics = topics
        self.c.on_connect = lambda c, u, f, rc: c.subscribe([(t, 1) for t in topics])
        self.c.on_subscribe = self._suback
        self.c.on_message = self._msg
        self.c.reconnect_delay_set(0.1, 0.5)
        self.c.connect("127.0.0.1", port, 30)
        self.c.loop_start()
        wait_until(lambda: self.granted is not None, 20, "SUBACK")

    def _suback(self, c, u, mid, granted):
        self.granted = granted

    def _msg(self, c, u, m):
        with self.lock:
            self.msgs.append((m.topic, m.payload.decode()))
            hook, self.on_first = self.on_first, None
            if hook and not m.topic.endswith(hook[0]):
                hook, self.on_first = None, hook
        if hook:
            hook[1]()

    def of(self, suffix):
        with self.lock:
            return [json.loads(p) if p.startswith("{") else p
                    for t, p in self.msgs if t.endswith(suffix)]

    def close(self):
        self.c.loop_stop()
        self.c.disconnect()


def bus_start():
    p = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                         stdout=subprocess.PIPE, text=True)
    PROCS.append(p)
    return p.stdout.readline().strip()


class Daemon:
    def __init__(self, name, mqtt, meter="", bus=None, daemon=""):
        self.dir = os.path.join(WORK, name)
        os.makedirs(os.path.join(self.dir, "state"), exist_ok=True)
        self.conf = os.path.join(self.dir, "polymeterd.conf")
        with open(self.conf, "w") as f:
            f.write(f"[daemon]\nstate_dir = {self.dir}/state\n"
                    f"dbus = {'session' if bus else 'none'}\n{daemon}\n[mqtt]\n{mqtt}\n"
                    "[meter sim]\nsource = sim\nsim_current_ma = 10000 20000 5000\n" + meter)
        self.bus = bus
        self.proc = None

    def start(self):
        env = dict(os.environ)
        if self.bus:
            env["DBUS_SESSION_BUS_ADDRESS"] = self.bus
        self.proc = subprocess.Popen([DAEMON, "--config", self.conf], stderr=subprocess.PIPE,
                                     env=env)
        PROCS.append(self.proc)
        self.log = PipeLog(self.proc.stderr)

    def wait_log(self, text, timeout=60):
        return self.log.wait_for(text, timeout)

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        rest = self.proc.communicate()[1]
        self.log.add(rest.decode(errors="replace") if rest else "")
        return self.proc.returncode


# 900 simulated seconds a real second: a 15-minute profile interval a second. At that pace a
# scan a simulated second (900 a real second under ASan, not 9 000) and a checkpoint a kWh (the
# default 1 Wh is an fsync'd SQLite commit every fraction of a millisecond here): with them the
# simulated clock kept so far behind on a loaded machine that twelve intervals took minutes.
# The profile rows MQTT sends are committed as each interval closes, whatever the checkpoints.
FAST_SIM = "sim_speed = 900\nsim_rate_hz = 1\ncheckpoint_wh = 1000\n"


def ids(msgs):
    return [m["id"] for m in msgs]


def profile_ends(msgs):
    return [int(m["id"].rsplit("/", 1)[1]) for m in msgs]


# --- live values against D-Bus --------------------------------------------------------------
def test_live_matches_dbus():
    broker = Broker("live")
    broker.start()
    sub = Sub(broker.port, ["polymeter/#"])
    bus = bus_start()
    d = Daemon("live", f"broker = 127.0.0.1\nport = {broker.port}\ngateway_id = gw1\n"
               "live_interval_ms = 200\n", bus=bus)
    d.start()
    conn = dbus.bus.BusConnection(bus)
    path = "/org/polymeter/Meter1/sim"

    def props():
        obj = conn.get_object("org.polymeter.Meter1", path)
        return obj.GetAll("org.polymeter.Meter1.Meter",
                          dbus_interface="org.freedesktop.DBus.Properties")

    p0 = wait_until(props, 60, "the meter on D-Bus", ignore=(dbus.DBusException,))
    wait_until(lambda: p0["LastUpdate"] > 0 or props()["LastUpdate"] > 0, 30, "a sample")
    before = props()
    n0 = len(sub.of("/sim/live"))
    live = wait_until(lambda: sub.of("/sim/live")[n0 + 1:] or None, 30, "live values")[-1]
    after = props()
    v = live["values"]
    # sim: 230 V on every phase (the default), 10 / 20 / 5 A at PF 1: P = 230 x 10 = 2300 W
    check("live VoltageL1 is 230 V, as D-Bus",
          v["VoltageL1"] == {"value": 230, "unit": "V"} and float(after["VoltageL1"]) == 230.0,
          f"{v['VoltageL1']} / {after['VoltageL1']}")
    check("live PowerL1 is 230 V x 10 A = 2300 W, as D-Bus",
          v["PowerL1"]["value"] == 2300 and float(after["PowerL1"]) == 2300.0,
          f"{v['PowerL1']} / {after['PowerL1']}")
    check("live CurrentL2 20 A and FrequencyL1 as D-Bus",
          v["CurrentL2"]["value"] == float(after["CurrentL2"]) == 20.0
          and v["FrequencyL1"]["value"] == float(after["FrequencyL1"]), str(v["FrequencyL1"]))
    names_dbus = {k for k in after.keys()}
    check("every live name is a D-Bus property", set(v) <= names_dbus, str(set(v) - names_dbus))
    # energy grows: D-Bus floors to whole Wh; the MQTT value lies between the reads around it
    e = v["EnergyImport"]["value"]
    check("live EnergyImport lies between D-Bus reads before and after",
          int(before["EnergyImport"]) <= e and int(e) <= int(after["EnergyImport"]),
          f"{before['EnergyImport']} <= {e} <= {after['EnergyImport']}")
    check("status retained online", eventually(lambda: "online" in sub.of("gw1/status"), 10))
    acct = wait_until(lambda: sub.of("/sim/account"), 10, "the account")[-1]
    check("account payload has D-Bus names", "Balance" in acct["values"], str(acct)[:200])
    d.stop()
    check("offline by the last will after the daemon stops",
          eventually(lambda: sub.of("gw1/status")[-1:] == ["offline"], 30))
    sub.close()
    broker.stop()


# --- broker outage: every interval once, in order ----------------------------------------------
def test_outage_in_order():
    broker = Broker("outage")
    broker.start()
    # a durable subscriber: the broker keeps its queue across its own clean restart
    sub = Sub(broker.port, ["polymeter/gw1/sim/profile"], client_id="consumer", clean=False)
    # 900 simulated seconds a second: one 15-minute interval a second
    d = Daemon("outage", f"broker = 127.0.0.1\nport = {broker.port}\ngateway_id = gw1\n"
               "reconnect_min_ms = 100\nreconnect_max_ms = 500\n",
               meter=FAST_SIM)
    d.start()
    wait_until(lambda: len(sub.of("/profile")) >= 2, 60, "two intervals")
    sub.close()
    broker.stop()
    first = sub.of("/profile")
    got_before = len(first)
    # while the broker is down the intervals are stored (the log says so); a simulated day
    # at 96 intervals would take 96 s here, so a few hours stand for it
    check("the daemon sees the broker gone", d.wait_log("mqtt: connection to", 30))
    db = os.path.join(d.dir, "state", "polymeter.db")

    def stored():
        out = subprocess.run(["sqlite3", db, "SELECT COUNT(*) FROM profile"],
                             capture_output=True, text=True).stdout.strip()
        return int(out or 0)

    n_at_stop = stored()
    wait_until(lambda: stored() >= n_at_stop + 8, 300, "eight intervals stored meanwhile")
    broker.start()
    sub = Sub(broker.port, ["polymeter/gw1/sim/profile"], client_id="consumer", clean=False)
    n_now = stored()
    wait_until(lambda: len(sub.of("/profile")) + got_before >= n_now - 0, 60,
               "the backlog delivered")
    d.stop()
    sub.close()
    allp = first + sub.of("/profile")
    ends = profile_ends(allp)
    rows = subprocess.run(["sqlite3", db, "SELECT end_ns FROM profile ORDER BY end_ns"],
                          capture_output=True, text=True).stdout.split()
    stored_ends = [int(x) for x in rows][:n_now]
    check("outage: every stored interval arrived", set(stored_ends) <= set(ends),
          str(sorted(set(stored_ends) - set(ends))))
    check("outage: no interval twice", len(ends) == len(set(ends)), str(ends))
    check("outage: in order", ends == sorted(ends), str(ends))
    steps = {b - a for a, b in zip(ends, ends[1:])}
    check("outage: no interval missing (every end 900 s after the one before)",
          steps <= {900 * 10**9}, str(steps))
    broker.stop()


# --- kill -9 of polymeterd mid-transfer: nothing lost ------------------------------------
def stored_ends(d):
    db = os.path.join(d.dir, "state", "polymeter.db")
    rows = subprocess.run(["sqlite3", db, "SELECT end_ns FROM profile ORDER BY end_ns"],
                          capture_output=True, text=True).stdout.split()
    return [int(x) for x in rows]


def backlog_in_transfer(name, client_id, at_first):
    """Twelve or more intervals stored while no broker runs, then the broker and a durable
    consumer: (broker, daemon, consumer) once the first interval reached the consumer, where
    at_first(broker) ran the moment it arrived. With inflight = 1 one message is sent at a
    time, each only after the last one's PUBACK and its removal from the store: stopping or
    killing the broker at the first arrival holds the rest of the backlog back (polled, the
    rest of a quiet machine's backlog had all arrived by the test's next look)."""
    broker = Broker(name)
    d = Daemon(name, f"broker = 127.0.0.1\nport = {broker.port}\ngateway_id = gw1\n"
               "reconnect_min_ms = 100\nreconnect_max_ms = 200\ninflight = 1\n",
               meter=FAST_SIM)
    d.start()
    wait_until(lambda: len(stored_ends(d)) >= 12, 300, "twelve intervals stored")
    broker.start()
    sub = Sub(broker.port, ["polymeter/gw1/sim/profile"], client_id=client_id, clean=False,
              on_first=("/profile", lambda: at_first(broker)))
    wait_until(lambda: sub.of("/profile"), 60, "the first interval")
    return broker, d, sub


def test_kill9_mid_transfer():
    # the broker stopped (SIGSTOP) at the first arrival: the transfer holds mid-way, with a
    # message in flight, while polymeterd is killed; then the broker goes on
    broker, d, sub = backlog_in_transfer("kill9", "c9",
                                         lambda b: os.kill(b.proc.pid, signal.SIGSTOP))
    d.stop(signal.SIGKILL)
    at_kill = stored_ends(d)
    got_at_kill = len(sub.of("/profile"))
    os.kill(broker.proc.pid, signal.SIGCONT)
    check("kill -9 landed mid-transfer", got_at_kill < len(at_kill),
          f"{got_at_kill} of {len(at_kill)}")
    d.start()
    wait_until(lambda: set(at_kill) <= set(profile_ends(sub.of("/profile"))), 90,
               "every interval stored before the kill")
    d.stop()
    ends = profile_ends(sub.of("/profile"))
    firsts = list(dict.fromkeys(ends))
    check("kill -9: every interval stored before it arrived", set(at_kill) <= set(ends))
    check("kill -9: in order of first arrival, duplicates only of the same id",
          firsts == sorted(firsts), str(firsts))
    sub.close()
    broker.stop()


# --- kill -9 of the broker mid-transfer of a backlog: nothing lost ------------------------
def test_broker_kill9_mid_backlog():
    broker, d, sub = backlog_in_transfer("bkill", "ck9",
                                         lambda b: os.kill(b.proc.pid, signal.SIGKILL))
    broker.stop(signal.SIGKILL)  # reaped
    at_kill = stored_ends(d)
    got_at_kill = len(sub.of("/profile"))
    check("broker kill -9 landed mid-transfer of the backlog", got_at_kill < len(at_kill),
          f"{got_at_kill} of {len(at_kill)}")
    # the same port and persistence directory; polymeterd and the consumer reconnect by
    # themselves, and what the broker never acknowledged is sent again
    broker.start()
    check("broker kill -9: every interval stored before it arrived",
          eventually(lambda: set(at_kill) <= set(profile_ends(sub.of("/profile"))), 120,
                     "every interval stored before the kill"),
          str(sorted(set(at_kill) - set(profile_ends(sub.of("/profile"))))))
    d.stop()
    sub.close()
    msgs = sub.of("/profile")
    by_id = {}
    for m in msgs:
        by_id.setdefault(m["id"], []).append(m)
    # a resend carries the same interval: the same payload but its publication time
    same = all(len({json.dumps(dict(x, ts=None), sort_keys=True) for x in v}) == 1
               for v in by_id.values())
    check("broker kill -9: duplicates only of the same id and interval", same,
          str([k for k, v in by_id.items() if len(v) > 1]))
    firsts = list(dict.fromkeys(profile_ends(msgs)))
    check("broker kill -9: in order of first arrival", firsts == sorted(firsts), str(firsts))
    steps = {b - a for a, b in zip(firsts, firsts[1:])}
    check("broker kill -9: no interval missing (every end 900 s after the one before)",
          steps <= {900 * 10**9}, str(steps))
    broker.stop()


# --- bounded backlog: the oldest dropped, counted in an event ------------------------------
def test_backlog_bound():
    broker = Broker("backlog")
    d = Daemon("backlog", f"broker = 127.0.0.1\nport = {broker.port}\ngateway_id = gw1\n"
               "reconnect_min_ms = 100\nreconnect_max_ms = 200\nbacklog_max = 3\n",
               meter=FAST_SIM)
    d.start()
    check("backlog: over backlog_max the oldest are dropped", d.wait_log("backlog over 3", 300))
    wait_until(lambda: len(stored_ends(d)) >= 8, 300, "eight intervals stored")
    broker.start()
    sub = Sub(broker.port, ["polymeter/gw1/sim/#"], client_id="cb", clean=False)
    wait_until(lambda: len(sub.of("/profile")) >= 3, 60, "the kept intervals")
    d.stop()
    ends = profile_ends(sub.of("/profile"))
    stored = stored_ends(d)
    db = os.path.join(d.dir, "state", "polymeter.db")
    details = subprocess.run(["sqlite3", db, "SELECT detail FROM event WHERE kind ="
                              " 'mqtt_backlog_dropped'"], capture_output=True,
                             text=True).stdout.split("\n")
    dropped = sum(int(re.search(r"dropped=(\d+)", x).group(1)) for x in details
                  if "stream=profile" in x)
    skipped = [e for e in stored if e < ends[0]]
    check("backlog: the oldest intervals, and only those, were skipped",
          ends == sorted(ends) and set(ends) == {e for e in stored if ends[0] <= e <= ends[-1]},
          f"{ends} of {stored}")
    check("backlog: the events count every skipped interval", dropped == len(skipped),
          f"{dropped} counted, {len(skipped)} skipped")
    check("backlog: the drop is published as an event",
          any(e.get("kind") == "mqtt_backlog_dropped" for e in sub.of("/event")))
    sub.close()
    broker.stop()


# --- credentials and the shipped ACL example ------------------------------------------------
def test_acl():
    d0 = os.path.join(WORK, "acl")
    os.makedirs(d0, exist_ok=True)
    pw = os.path.join(d0, "passwd")
    for i, (u, p) in enumerate((("gw1", "pw-gw1"), ("gw2", "pw-gw2"), ("site-gw1", "pw-site"),
                                ("fleet", "pw-fleet"))):
        subprocess.run(["mosquitto_passwd", "-b"] + (["-c"] if i == 0 else []) + [pw, u, p],
                       check=True)
    acl = os.path.join(TOP, "daemon/dist/mosquitto-acl.example")
    broker = Broker("acl", f"allow_anonymous false\npassword_file {pw}\nacl_file {acl}\n")
    broker.start()
    fleet = Sub(broker.port, ["polymeter/#"], user="fleet", password="pw-fleet")
    site = Sub(broker.port, ["polymeter/#"], user="site-gw1", password="pw-site")
    with open(os.path.join(d0, "gw1.pw"), "w") as f:
        f.write("pw-gw1\n")
    d = Daemon("acl-gw1", f"broker = 127.0.0.1\nport = {broker.port}\ngateway_id = gw1\n"
               f"username = gw1\npassword_file = {d0}/gw1.pw\nlive_interval_ms = 200\n")
    d.start()
    check("acl: gateway gw1 publishes under polymeter/gw1 (the site reads it)",
          eventually(lambda: site.of("gw1/sim/live"), 60, "gw1's live values at site-gw1"))

    def client(user, password):
        c = paho.Client()
        c.username_pw_set(user, password)
        c.connect("127.0.0.1", broker.port, 30)
        c.loop_start()
        return c

    gw1 = client("gw1", "pw-gw1")
    gw2 = client("gw2", "pw-gw2")
    # refused publish: gw1 writing into gw2's prefix; its fence after it shows it was handled
    gw1.publish("polymeter/gw2/sim/live", "forged", qos=1).wait_for_publish()
    gw1.publish("polymeter/gw1/fence", "f1", qos=1).wait_for_publish()
    wait_until(lambda: fleet.of("gw1/fence"), 20, "gw1's fence at the fleet reader")
    check("acl: gw1 may not publish under gw2 (refused)", not fleet.of("polymeter/gw2/sim/live"),
          str(fleet.of("gw2/sim/live")))
    # allowed publish by gw2 under its own prefix: the fleet reads it, the site of gw1 does not
    gw2.publish("polymeter/gw2/x", "gw2 data", qos=1).wait_for_publish()
    wait_until(lambda: fleet.of("gw2/x"), 20, "gw2's message at the fleet reader")
    check("acl: gw2 publishes under polymeter/gw2 (the fleet reads it)", fleet.of("gw2/x"))
    gw1.publish("polymeter/gw1/fence2", "f2", qos=1).wait_for_publish()
    wait_until(lambda: site.of("gw1/fence2"), 20, "gw1's second fence at site-gw1")
    check("acl: site-gw1 may not read gw2 (refused)", not site.of("gw2/x"))
    bad = Daemon("acl-bad", f"broker = 127.0.0.1\nport = {broker.port}\ngateway_id = gw9\n"
                 f"username = gw1\npassword_file = {d0}/gw2-wrong.pw\n")
    with open(os.path.join(d0, "gw2-wrong.pw"), "w") as f:
        f.write("not-the-password\n")
    bad.start()
    check("acl: a wrong password is refused", bad.wait_log("refused the connection", 60))
    bad.stop()
    d.stop()
    for c in (gw1, gw2):
        c.loop_stop()
    fleet.close()
    site.close()
    broker.stop()


# --- Home Assistant discovery ---------------------------------------------------------------
# The schema, from Home Assistant's documentation:
# - MQTT discovery, https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery : the
#   config topic is <discovery_prefix>/<component>/[<node_id>/]<object_id>/config, node_id and
#   object_id of [a-zA-Z0-9_-]; a device needs "identifiers" or "connections"; an entity with a
#   device needs "unique_id".
# - MQTT sensor, https://www.home-assistant.io/integrations/sensor.mqtt/ : "state_topic" is
#   required; "availability_topic" with "payload_available" / "payload_not_available".
# - Sensor entity, https://developers.home-assistant.io/docs/core/entity/sensor/ : the energy
#   dashboard takes device_class "energy" with state_class "total_increasing" (or "total") in
#   Wh, kWh or MWh; device class power: W or kW; voltage: V; current: A; frequency: Hz; power
#   factor: no unit or %; monetary: an ISO 4217 currency, state_class "total" or none.
HA_REQUIRED = ("state_topic", "unique_id", "device", "name")
HA_UNITS = {"energy": {"Wh", "kWh", "MWh"}, "power": {"W", "kW"}, "voltage": {"V", "mV"},
            "current": {"A", "mA"}, "frequency": {"Hz", "kHz"}, "power_factor": {None, "%"}}
HA_TOPIC = re.compile(r"^homeassistant/sensor/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+/config$")
TEMPLATE = re.compile(r"value_json\['values'\]\['([A-Za-z0-9]+)'\]\['value'\]")


def test_homeassistant():
    broker = Broker("ha")
    broker.start()
    sub = Sub(broker.port, ["homeassistant/#", "polymeter/#"])
    d = Daemon("ha", f"broker = 127.0.0.1\nport = {broker.port}\ngateway_id = gw1\n"
               "live_interval_ms = 200\nhomeassistant = yes\n")
    d.start()
    live = wait_until(lambda: sub.of("gw1/sim/live"), 60, "live values")[-1]
    acct = wait_until(lambda: sub.of("gw1/sim/account"), 60, "the account")[-1]
    with sub.lock:
        configs = {t: json.loads(p) for t, p in sub.msgs if t.startswith("homeassistant/")}
    check("ha: config topics published", len(configs) >= 10, str(len(configs)))
    bad = []
    for t, c in configs.items():
        if not HA_TOPIC.match(t):
            bad.append(f"{t}: topic")
        bad += [f"{t}: no {k}" for k in HA_REQUIRED if k not in c]
        if not (c.get("device", {}).get("identifiers") or c.get("device", {}).get("connections")):
            bad.append(f"{t}: device without identifiers")
        dc = c.get("device_class")
        if dc in HA_UNITS and c.get("unit_of_measurement") not in HA_UNITS[dc]:
            bad.append(f"{t}: unit {c.get('unit_of_measurement')} for {dc}")
        if dc == "monetary" and c.get("state_class") not in (None, "total"):
            bad.append(f"{t}: monetary state_class")
        m = TEMPLATE.search(c.get("value_template", ""))
        payload = live if c["state_topic"].endswith("/live") else acct
        if not m or m.group(1) not in payload["values"]:
            bad.append(f"{t}: template reads nothing of {c['state_topic']}")
        if c.get("availability_topic") != "polymeter/gw1/status":
            bad.append(f"{t}: availability")
    check("ha: every config follows Home Assistant's schema", not bad, "; ".join(bad[:5]))
    energy = [c for c in configs.values() if c.get("device_class") == "energy"]
    check("ha: import and export energy for the energy dashboard (kWh, total_increasing)",
          len(energy) == 2 and all(c["state_class"] == "total_increasing"
                                   and c["unit_of_measurement"] == "kWh" for c in energy),
          str(energy)[:300])
    classes = {c.get("device_class") for c in configs.values()}
    check("ha: power, voltage, current, frequency, power factor, balance",
          {"power", "voltage", "current", "frequency", "power_factor", "monetary"} <= classes,
          str(classes))
    d.stop()
    sub.close()
    broker.stop()


# --- TLS with a CA and a client certificate made here --------------------------------------
def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, capture_output=True)


def test_tls():
    t = os.path.join(WORK, "tls")
    os.makedirs(t, exist_ok=True)
    k = lambda n: os.path.join(t, n)  # noqa: E731
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test CA",
            "-keyout", k("ca.key"), "-out", k("ca.crt"))
    with open(k("san.ext"), "w") as f:
        f.write("subjectAltName = IP:127.0.0.1\n")
    for name in ("server", "client"):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}", "-keyout",
                k(f"{name}.key"), "-out", k(f"{name}.csr"))
        openssl("x509", "-req", "-in", k(f"{name}.csr"), "-CA", k("ca.crt"), "-CAkey",
                k("ca.key"), "-CAcreateserial", "-days", "2", "-out", k(f"{name}.crt"),
                "-extfile", k("san.ext"))
    # a second CA the broker's certificate does not come from
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=other",
            "-keyout", k("other.key"), "-out", k("other.crt"))
    broker = Broker("tls", f"allow_anonymous true\ncafile {k('ca.crt')}\n"
                    f"certfile {k('server.crt')}\nkeyfile {k('server.key')}\n"
                    "require_certificate true\n")
    broker.start()
    sub = Sub(broker.port, ["polymeter/#"],
              tls={"ca_certs": k("ca.crt"), "certfile": k("client.crt"),
                   "keyfile": k("client.key")})
    d = Daemon("tls", f"broker = 127.0.0.1\nport = {broker.port}\ngateway_id = gw1\n"
               f"ca_file = {k('ca.crt')}\ncert_file = {k('client.crt')}\n"
               f"key_file = {k('client.key')}\nlive_interval_ms = 200\n")
    d.start()
    check("tls: values arrive over TLS with a client certificate",
          eventually(lambda: sub.of("gw1/sim/live"), 60, "live values over TLS"))
    d.stop()
    wrong = Daemon("tls-wrong", f"broker = 127.0.0.1\nport = {broker.port}\ngateway_id = gw2\n"
                   f"ca_file = {k('other.crt')}\ncert_file = {k('client.crt')}\n"
                   f"key_file = {k('client.key')}\n")
    wrong.start()
    check("tls: a broker certificate from another CA is refused",
          wrong.wait_log("mqtt: connection to 127.0.0.1", 60))
    wrong.stop()
    check("tls: nothing of gw2 reached the broker", not sub.of("gw2/status"))
    sub.close()
    broker.stop()



def main():
    for t in (test_live_matches_dbus, test_outage_in_order, test_kill9_mid_transfer,
              test_broker_kill9_mid_backlog, test_backlog_bound, test_acl,
              test_tls, test_homeassistant):
        try:
            t()
        except Exception as e:  # one case's crash is one failure; the next case still runs
            check(t.__name__, False, repr(e))
    cleanup()
    finish()


main()
