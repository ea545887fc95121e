#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The Modbus views of a running polymeterd against its D-Bus view: one simulated meter
published on a private session bus, served over Modbus TCP and over RTU on a socat pty.
Model 203 (integer x 10^SF, read over TCP with pymodbus) and model 213 (float32 ABCD, read
over RTU with pymodbus) must carry the values the daemon's D-Bus properties say.

Run under dbus-run-session (tests/modbus/rtu-run does).
usage: daemon-dbus.py POLYMETERD

The simulated grid moves (powers are integrated from counters, energy grows), so each Modbus
value is compared with the D-Bus value read just before and just after it: it must lie between
them, widened by the register's resolution (half a step of 10^SF for model 203, float32
rounding for 213). Last line: "N passed, N failed".
"""
import json
import math
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

import dbus
import serial
from pymodbus.client import ModbusSerialClient, ModbusTcpClient

from mbtest import (SANITIZER_ENV as ENV, WaitTimeout, check, end, eventually, finish, procs,
                    pty_pair, rtu_frame, wait_until)

DAEMON = sys.argv[1]


TMP = tempfile.mkdtemp(prefix="pm-mb-dbus-")
sock = socket.socket()
sock.bind(("127.0.0.1", 0))
PORT = sock.getsockname()[1]
sock.close()
socat = pty_pair(f"{TMP}/srv", f"{TMP}/cli")
# Checkpoints rarely (the store's fsync on a loaded machine only slows the loop down; energy
# registers are published only with a store). Unequal phases and a lagging L2 so that every block carries distinct, nonzero values.
os.mkdir(f"{TMP}/state")
# A tariff with two import rates (rate 2 from 12:00 UTC, with the auxiliary relay closed) and
# export not priced: the vendor model's per-rate registers, NRates and Aux follow it.
with open(f"{TMP}/two-rate.json", "w", encoding="ascii") as f:
    json.dump({"version": 1, "name": "Two rates", "currency": {"code": "GBP", "minor_units": 2},
               "rates": {"1": {"name": "night", "price_per_kwh": "0.10"},
                         "2": {"name": "day", "price_per_kwh": "0.30"}},
               "day_profiles": {"d": [{"at": "00:00", "rate": 1},
                                      {"at": "12:00", "rate": 2, "aux_relay": True}]},
               "seasons": [{"days": {"weekdays": "d", "weekend": "d"}}],
               "billing_period": {"months": 1, "start": "2026-01-01"}}, f)
with open(f"{TMP}/m.conf", "w", encoding="ascii") as f:
    f.write(f"""\
[daemon]
state_dir = {TMP}/state
dbus = session
dbus_interval_ms = 100
log_interval = 0
[meter bms]
source = sim
sim_voltage_mv = 231000 229000 230500
sim_current_ma = 12000 7000 3000
sim_angle_mdeg = 0 30000 -20000
sim_speed = 50
modbus_tcp_port = {PORT}
modbus_unit = 1
modbus_rtu_device = {TMP}/srv
modbus_rtu_line = 115200 N 1
modbus_rtu_rs485 = no
modbus_sdm630 = yes
modbus_writes = yes
checkpoint_wh = 1000000
checkpoint_interval = 86400
account_mode = credit
tariff_file = {TMP}/two-rate.json
time_zone = UTC
""")
daemon = subprocess.Popen([DAEMON, "--config", f"{TMP}/m.conf"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, env=ENV)
procs.append(daemon)

bus = dbus.SessionBus()


def published():
    obj = bus.get_object("org.polymeter.Meter1", "/org/polymeter/Meter1/bms")
    iface = dbus.Interface(obj, "org.freedesktop.DBus.Properties")
    iface.Get("org.polymeter.Meter1.Meter", "Power")
    return iface


try:
    props = wait_until(published, 60, "the meter on the session bus",
                       ignore=dbus.exceptions.DBusException)
except WaitTimeout:
    props = None
check("daemon published on the session bus", props is not None)


def dbus_all():
    return {str(k): float(v) for k, v in props.GetAll("org.polymeter.Meter1.Meter").items()
            if isinstance(v, (dbus.Double, dbus.UInt64, dbus.Int64))}


tcp = ModbusTcpClient("127.0.0.1", port=PORT, timeout=2, retries=0)
assert tcp.connect()
rtu = ModbusSerialClient(port=f"{TMP}/cli", baudrate=115200, parity="N", stopbits=1, bytesize=8,
                         timeout=1, retries=0)
assert rtu.connect()


def s16(w):
    return w - 0x10000 if w & 0x8000 else w


# Model 203 at 40070 (SunSpec model_203.json offsets, see docs/modbus-map.md): D-Bus property,
# offset of the value, offset of its scale factor; Pct: PF in percent on Modbus, a ratio on
# D-Bus. The scale factors themselves are read from the registers, as a SunSpec client does.
M203 = 40070
INT16 = (
    ("Current", 2, 6), ("CurrentL1", 3, 6), ("CurrentL2", 4, 6), ("CurrentL3", 5, 6),
    ("VoltageAverage", 7, 15), ("VoltageL1", 8, 15), ("VoltageL2", 9, 15),
    ("VoltageL3", 10, 15), ("VoltageLineAverage", 11, 15), ("VoltageAB", 12, 15),
    ("VoltageBC", 13, 15), ("VoltageCA", 14, 15), ("Frequency", 16, 17),
    ("Power", 18, 22), ("PowerL1", 19, 22), ("PowerL2", 20, 22), ("PowerL3", 21, 22),
    ("ApparentPower", 23, 27), ("ApparentPowerL1", 24, 27), ("ReactivePower", 28, 32),
    ("ReactivePowerL2", 30, 32), ("PowerFactor", 33, 37), ("PowerFactorL2", 35, 37),
)
ACC32 = (("EnergyImport", 46, 54), ("EnergyImportL1", 48, 54), ("ApparentEnergyImport", 63, 71))
# Model 213 at 40177 (after 203's 107 registers): float32, ABCD.
M213 = 40177
FLOAT = (
    ("Current", 2), ("CurrentL2", 6), ("VoltageAverage", 10), ("VoltageL3", 16),
    ("VoltageLineAverage", 18), ("VoltageAB", 20), ("Frequency", 26), ("Power", 28),
    ("PowerL2", 32), ("ApparentPower", 36), ("ReactivePower", 44), ("ReactivePowerL2", 48),
    ("PowerFactor", 52), ("PowerFactorL2", 56), ("EnergyImport", 68), ("ApparentEnergyImport", 84),
)


def between(x, a, b, slack):
    return min(a, b) - slack <= x <= max(a, b) + slack


# Scans flowing, the powers settled and energy counted: every D-Bus value compared below is
# nonzero (each comparison refuses a zero, which would compare nothing).
eventually(lambda: all(dbus_all().get(name) for name, *_ in INT16 + ACC32 + FLOAT), 60,
           "every compared D-Bus property nonzero")
before = dbus_all()
r = tcp.read_holding_registers(M203, 107, slave=1)
after = dbus_all()
check("TCP: model 203 read whole (107 registers)", not r.isError() and r.registers[:2] ==
      [203, 105], str(r))
regs = r.registers
bad = []
for name, off, sfo in INT16:
    sf = s16(regs[sfo])
    x = s16(regs[off]) * 10.0 ** sf
    a, b = before[name], after[name]
    if name.startswith("PowerFactor"):
        a, b = a * 100, b * 100  # model 203 PF is in percent (unit Pct)
    if not between(x, a, b, 0.5 * 10 ** sf + 1e-9) or a == 0:
        bad.append((name, x, a, b, sf))
for name, off, sfo in ACC32:
    sf = s16(regs[sfo])
    x = (regs[off] << 16 | regs[off + 1]) * 10.0 ** sf
    # an accumulator counts whole steps: it may trail the D-Bus register by under one step
    if not between(x, before[name], after[name], 10 ** sf) or after[name] == 0:
        bad.append((name, x, before[name], after[name], sf))
check(f"TCP model 203: {len(INT16)} int16 and {len(ACC32)} acc32 points x 10^SF equal the "
      "D-Bus properties (nonzero)", not bad, str(bad))

before = dbus_all()
r = rtu.read_holding_registers(M213, 86, slave=1)
after = dbus_all()
check("RTU: model 213 read (A .. TotVAhImp)", not r.isError() and r.registers[:2] == [213, 124],
      str(r))
regs = r.registers
bad = []
for name, off in FLOAT:
    x = struct.unpack(">f", struct.pack(">HH", regs[off], regs[off + 1]))[0]
    a, b = before[name], after[name]
    if "Energy" in name:
        b += 1  # D-Bus carries energy registers in whole Wh (truncated), 213 the fraction too
    if math.isnan(x) or not between(x, a, b, max(abs(a), abs(b)) * 2 ** -23) or a == 0:
        bad.append((name, x, a, b))
check(f"RTU model 213: {len(FLOAT)} float32 points (ABCD) equal the D-Bus properties (nonzero)",
      not bad, str(bad))

# The same float in the other word order (CDAB) is not the D-Bus value: the order is ABCD only.
w = before["Power"]
r = rtu.read_holding_registers(M213 + 28, 2, slave=1)
cdab = struct.unpack(">f", struct.pack(">HH", r.registers[1], r.registers[0]))[0]
check("RTU model 213 W read as CDAB is not the power: the map is ABCD only",
      not math.isclose(cdab, w, rel_tol=0.01), f"{cdab} vs {w}")

# The SDM630-compatible input map (FC 0x04, float32 ABCD, energy in kWh; Eastron's addresses,
# see docs/modbus-map.md) over RTU.
SDM = (("VoltageL1", 0x00), ("CurrentL1", 0x06), ("PowerL1", 0x0C), ("Power", 0x34),
       ("Frequency", 0x46))
before = dbus_all()
r = rtu.read_input_registers(0, 0x48 + 2, slave=1)
after = dbus_all()
bad = []
if r.isError():
    bad.append(str(r))
else:
    regs = r.registers
    for name, off in SDM:
        x = struct.unpack(">f", struct.pack(">HH", regs[off], regs[off + 1]))[0]
        a, b = before[name], after[name]
        if math.isnan(x) or not between(x, a, b, max(abs(a), abs(b)) * 2 ** -23) or a == 0:
            bad.append((name, x, a, b))
    kwh = struct.unpack(">f", struct.pack(">HH", regs[0x48], regs[0x49]))[0]
    # D-Bus: whole Wh, truncated; SDM630: kWh as float32
    if not before["EnergyImport"] <= kwh * 1000 <= after["EnergyImport"] + 1 + kwh * 1e3 * 2 ** -23:
        bad.append(("EnergyImport kWh", kwh, before["EnergyImport"], after["EnergyImport"]))
check("RTU SDM630 input map: V, I, W L1, W total, Hz, import kWh equal the D-Bus properties",
      not bad, str(bad))

# The vendor model (version 2, docs/modbus-map.md) against the D-Bus view: offsets from its ID
# register: 2 Ver, 10 TarRate, 26 EvtCnt, 28 Aux, 29 NRates, 30 + 4k import of rate k + 1 (int64
# mWh), 62 + 4k export of export rate k + 1. Read in one request (one snapshot).
VENDOR = M213 + 126
acct = dbus.Interface(bus.get_object("org.polymeter.Meter1", "/org/polymeter/Meter1/bms"),
                      "org.freedesktop.DBus.Properties")
meter = dbus.Interface(bus.get_object("org.polymeter.Meter1", "/org/polymeter/Meter1/bms"),
                       "org.polymeter.Meter1.Meter")
NI64 = -(1 << 63)


def s64(r):
    v = r[0] << 48 | r[1] << 32 | r[2] << 16 | r[3]
    return v - (1 << 64) if v >= 1 << 63 else v


def vendor_read():
    """(vendor registers 0..93, D-Bus account and energy before, after)"""
    b = (acct.GetAll("org.polymeter.Account1"), dbus_all())
    r = tcp.read_holding_registers(VENDOR, 94, slave=1)
    a = (acct.GetAll("org.polymeter.Account1"), dbus_all())
    assert not r.isError(), str(r)
    return r.registers, b, a


def rate_sum_baseline(regs, b, a):
    """The range of (import register - sum of the rate registers), mWh: what billing's
    baseline (the import register at its first sample) may be. D-Bus has whole Wh."""
    total = sum(s64(regs[30 + 4 * k:34 + 4 * k]) for k in range(2))
    return b[1]["EnergyImport"] * 1000 - total, a[1]["EnergyImport"] * 1000 + 999 - total


regs, b, a = vendor_read()
check("vendor: ID 64900, version 2", regs[0] == 64900 and regs[2] == 2, str(regs[:3]))
check("vendor: TarRate = D-Bus Rate + 1",
      regs[10] in (int(b[0]["Rate"]) + 1, int(a[0]["Rate"]) + 1), f"{regs[10]} {b[0]['Rate']}")
check("vendor: NRates 2 (the tariff's), rates 3..8 not implemented",
      regs[29] == 2 and all(s64(regs[30 + 4 * k:34 + 4 * k]) == NI64 for k in range(2, 8)),
      str(regs[29:62]))
check("vendor: export not priced: the 8 export rate registers not implemented",
      all(s64(regs[62 + 4 * k:66 + 4 * k]) == NI64 for k in range(8)), str(regs[62:94]))
check("vendor: Aux = D-Bus AuxRelayClosed (rate 2 closes it)",
      regs[28] in (int(bool(b[0]["AuxRelayClosed"])), int(bool(a[0]["AuxRelayClosed"]))) and
      regs[28] == (1 if regs[10] == 2 else 0), f"{regs[28]} {b[0]['AuxRelayClosed']}")
rates1 = [s64(regs[30 + 4 * k:34 + 4 * k]) for k in range(2)]
lo1, hi1 = rate_sum_baseline(regs, b, a)
cur1 = regs[10] - 1
# energy flowing between the two reads: 2 Wh more on D-Bus
eventually(lambda: dbus_all()["EnergyImport"] >= a[1]["EnergyImport"] + 2, 60,
           "2 Wh more imported")
regs, b, a = vendor_read()
rates2 = [s64(regs[30 + 4 * k:34 + 4 * k]) for k in range(2)]
lo2, hi2 = rate_sum_baseline(regs, b, a)
cur = regs[10] - 1
# the rate registers count every mWh the import register counts after billing's first sample:
# import - (rate 1 + rate 2) is the same constant at both reads, and >= 0
check("vendor: the per-rate registers grow with the D-Bus import register (import - sum "
      "constant, >= 0) while energy flows",
      sum(rates2) > sum(rates1) > 0 and max(lo1, lo2) <= min(hi1, hi2) and min(hi1, hi2) >= 0,
      f"{rates1} {rates2} [{lo1},{hi1}] [{lo2},{hi2}]")
# (unless the rate switched between the reads: at 12:00 or 00:00 UTC)
check("vendor: the growth is on the current rate's register", cur != cur1 or
      (rates2[cur] > rates1[cur] and rates2[1 - cur] == rates1[1 - cur]), f"{rates1} {rates2}")
n1 = regs[26] << 16 | regs[27]
ev = meter.GetEvents(dbus.UInt64(10000))
n2 = tcp.read_holding_registers(VENDOR + 26, 2, slave=1).registers
n2 = n2[0] << 16 | n2[1]
check("vendor: EvtCnt = the number of events GetEvents lists (none dropped yet)",
      n1 == n2 == len(ev) and len(ev) > 0, f"{n1} {n2} {len(ev)}")

# modbus_writes = yes: a write reaches the map, which refuses it (no point is writable yet)
# with exception 02, over TCP and RTU; the register is unchanged.
for name, c in (("TCP", tcp), ("RTU", rtu)):
    r = c.write_register(40068, 9, slave=1)
    check(f"{name}: modbus_writes = yes: write to DA -> exception 02 (not writable)",
          getattr(r, "exception_code", None) == 2, str(r))
    r = c.read_holding_registers(40068, 1, slave=1)
    check(f"{name}: DA still 1", not r.isError() and r.registers == [1], str(r))

# An RTU master sends half a request and falls silent: TCP masters go on being answered, the
# fragment is dropped at the t3.5 silence, and the next whole RTU request is answered.
# (the line is opened before pymodbus lets go of it: a pty whose other end is closed by all
# reads EIO, and the server then pauses for a second as for an unplugged adapter)
line = serial.Serial(f"{TMP}/cli", baudrate=115200, timeout=5)
rtu.close()
line.write(rtu_frame(1, struct.pack(">BHH", 3, 40000, 2))[:5])
line.flush()
good = 0
for _ in range(50):
    r = tcp.read_holding_registers(40000, 2, slave=1)
    good += not r.isError() and r.registers == [0x5375, 0x6E53]
check("RTU half frame then silence: 50 of 50 TCP reads answered meanwhile", good == 50, good)
# silence: far more than t3.5 (1.75 ms), as a pty under load may deliver bytes late; the
# silence is what is tested (the fragment dropped at it), not a wait for anything
time.sleep(0.3)
line.write(rtu_frame(1, struct.pack(">BHH", 3, 40000, 2)))
got = line.read(9)
check("RTU: the next whole request is answered",
      got == rtu_frame(1, bytes([3, 4, 0x53, 0x75, 0x6E, 0x53])), got.hex())

# The line's counters on D-Bus (org.polymeter.Meter1.ModbusRtu). Frames of each kind are sent
# one at a time, the next only once the Frames counter shows the last one delimited (the
# silence after it seen), and each must land in its own counter: the counts below are the
# frames sent, by kind.
RTU_IFACE = "org.polymeter.Meter1.ModbusRtu"
COUNTERS = ("Frames", "Answered", "Exceptions", "CrcErrors", "OtherSlave", "Broadcasts",
            "Discarded", "Overruns", "Dropped")


def rtu_counters():
    return {k: int(v) for k, v in props.GetAll(RTU_IFACE).items() if k in COUNTERS}


check("ModbusRtu: Device is the configured tty",
      str(props.Get(RTU_IFACE, "Device")) == f"{TMP}/srv")
good = rtu_frame(1, struct.pack(">BHH", 3, 40000, 2))
sent = [("a bad CRC", good[:-1] + bytes([good[-1] ^ 0x5A])),
        ("a bad CRC", good[:-2] + bytes([good[-2] ^ 0x01, good[-1]])),
        ("another slave", rtu_frame(7, struct.pack(">BHH", 3, 40000, 2))),
        ("another slave", rtu_frame(200, struct.pack(">BHH", 3, 40000, 2))),
        ("another slave", rtu_frame(247, struct.pack(">BHH", 3, 40000, 2))),
        ("a broadcast", rtu_frame(0, struct.pack(">BHH", 3, 40000, 2))),
        ("a 2-byte fragment", good[:2]),
        ("300 bytes of noise (an overrun)", bytes(range(256)) + bytes(44)),
        ("an illegal count (exception 03)", rtu_frame(1, struct.pack(">BHH", 3, 40000, 126)))]
before = rtu_counters()
delimited = True
for k, (what, frame) in enumerate(sent):
    line.write(frame)
    line.flush()
    try:
        wait_until(lambda n=before["Frames"] + k + 1: rtu_counters()["Frames"] >= n, 30,
                   f"frame {k + 1} ({what}) delimited")
    except WaitTimeout:
        delimited = False
        break
got = line.read(5)
check("RTU: the illegal count, alone answered of those frames: exception 03",
      got == rtu_frame(1, b"\x83\x03"), got.hex())
line.write(good)
got = line.read(9)
check("RTU: after the bad frames a good request is answered",
      got == rtu_frame(1, bytes([3, 4, 0x53, 0x75, 0x6E, 0x53])), got.hex())
# 10 frames: 2 bad CRC + 3 other slaves + 1 broadcast + 2 discarded (the fragment and the
# noise, of which 1 too long) + 2 answered (the illegal count's exception and the good read)
want = {"Frames": 10, "Answered": 2, "Exceptions": 1, "CrcErrors": 2, "OtherSlave": 3,
        "Broadcasts": 1, "Discarded": 2, "Overruns": 1, "Dropped": 0}
after = wait_until(lambda: (lambda c: c if c["Answered"] >= before["Answered"] + 2 else None)(
    rtu_counters()), 30, "the good read counted")
delta = {k: after[k] - before[k] for k in COUNTERS}
check("ModbusRtu counters: 10 frames = 2 bad CRC + 3 other slave + 1 broadcast + 2 discarded "
      "(1 overrun) + 2 answered (1 exception), none dropped", delimited and delta == want,
      str(delta))
live = ET.fromstring(dbus.Interface(bus.get_object("org.polymeter.Meter1",
                                                   "/org/polymeter/Meter1/bms"),
                                    "org.freedesktop.DBus.Introspectable").Introspect())
doc = ET.parse(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "daemon",
                            "views", "dbus", "org.polymeter.Meter1.ModbusRtu.xml")).getroot()


def rtu_props_of(root):
    for itf in root.iter("interface"):
        if itf.get("name") == RTU_IFACE:
            return {p.get("name"): (p.get("type"), p.get("access"),
                                    [(a.get("name"), a.get("value"))
                                     for a in p.iter("annotation")])
                    for p in itf.iter("property")}
    return {}


check("ModbusRtu introspection equals the committed XML (names, types, access, annotations)",
      rtu_props_of(live) and rtu_props_of(live) == rtu_props_of(doc),
      f"live {rtu_props_of(live)}\ndoc {rtu_props_of(doc)}")
last = rtu_counters()
line.close()
tcp.close()
daemon.terminate()
_, err = daemon.communicate(timeout=30)
procs.remove(daemon)
check("daemon: clean exit, sanitizers quiet", daemon.returncode == 0 and
      "runtime error" not in err and "ERROR: " not in err, err[-800:])
want_log = (f"modbus-rtu: {TMP}/srv: {last['Frames']} frames: {last['Answered']} answered "
            f"({last['Exceptions']} exceptions), {last['CrcErrors']} bad CRC, "
            f"{last['OtherSlave']} for other slaves, {last['Broadcasts']} broadcasts, "
            f"{last['Discarded']} discarded ({last['Overruns']} too long); "
            f"{last['Dropped']} answers dropped")
check("the line's counters logged once at shutdown, as D-Bus last said them",
      err.count(want_log) == 1, want_log + "\n" + err[-800:])
end(socat)
finish()
