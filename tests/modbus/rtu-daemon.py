#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Several meters on one RS-485 bus, through polymeterd itself: two simulated meters naming the
same tty share one RTU server, each answering at its own slave address from its own map;
a third address gets no answer. The configuration errors of a shared bus (a slave address
twice, differing line settings) are refused with file:line by --check-config.

usage: rtu-daemon.py POLYMETERD   (the ASan/UBSan build)

Last line: "N passed, N failed".
"""
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile

from pymodbus.client import ModbusSerialClient

from mbtest import (SANITIZER_ENV as ENV, check, end, eventually, finish, procs, pty_pair,
                    unanswered)

DAEMON = sys.argv[1]


TMP = tempfile.mkdtemp(prefix="pm-rtu-daemon-")


def conf(name, text):
    path = os.path.join(TMP, name)
    with open(path, "w", encoding="ascii") as f:
        f.write("[daemon]\nstate_dir = none\ndbus = none\nlog_interval = 0\n" + text)
    return path


def check_config(path):
    return subprocess.run([DAEMON, "--config", path, "--check-config"], capture_output=True,
                          text=True, timeout=30, env=ENV)


socat = pty_pair(f"{TMP}/srv", f"{TMP}/cli")

# Two meters on one bus. The simulated grid is 230 V on each phase (the default) at PF 1:
# meter east carries 10 A per phase = 3 x 2300 W = 6900 W, meter west 4 A = 3 x 920 W = 2760 W.
# Model 203 sits at 40070; its W is offset 18 (40088) with W_SF (offset 22, 40092) = +1 in
# this map, so the raw values are 690 and 276.
BUS = f"modbus_rtu_device = {TMP}/srv\nmodbus_rtu_line = 9600 N 1\nmodbus_rtu_rs485 = no\n"
good = conf("bus.conf", f"""\
[meter east]
source = sim
sim_current_ma = 10000
modbus_unit = 3
{BUS}
[meter west]
source = sim
sim_current_ma = 4000
modbus_unit = 4
{BUS}""")
res = check_config(good)
check("two meters on one tty, units 3 and 4: config accepted", res.returncode == 0,
      res.stderr[-300:])

daemon = subprocess.Popen([DAEMON, "--config", good], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, env=ENV)
procs.append(daemon)


def mbpoll(unit, *args, timeout="1"):
    return subprocess.run(["mbpoll", "-m", "rtu", "-b", "9600", "-P", "none", "-a", str(unit),
                           "-1", "-0", "-o", timeout, *args, f"{TMP}/cli"],
                          capture_output=True, text=True, timeout=30)


last = []


def answers():
    last[:] = [mbpoll(3, "-t", "4:hex", "-r", "40000", "-c", "2")]
    return last[0].returncode == 0


def seq(unit):
    """The unit's vendor model snapshot sequence number (Seq, 40307-40308), None without."""
    r = mbpoll(unit, "-t", "4", "-r", "40307", "-c", "2")
    v = re.findall(r"\[4030[78]\]:\s+(\d+)", r.stdout)
    return int(v[0]) << 16 | int(v[1]) if r.returncode == 0 and len(v) == 2 else None


def snapshots_after(unit, n):
    """Waits until @unit's meter has published @n snapshots after the first one read here
    (or 30 s have passed: the checks that follow then fail)."""
    first = []

    def advanced():
        now = seq(unit)
        if now is not None and not first:
            first.append(now)
        return now is not None and now >= first[0] + n

    eventually(advanced, 30, f"slave {unit}: {n} snapshots after the first Seq read")


eventually(answers, 30, "slave 3 to answer", interval=0.2)
out = last[0]
check("daemon: slave 3 answers SunS", out.returncode == 0 and "0x5375" in out.stdout and
      "0x6E53" in out.stdout, (out.stdout + out.stderr)[-300:])
# a few scans in, the powers settled: three snapshots past the ones served now, on each meter
for unit in (3, 4):
    snapshots_after(unit, 3)
for unit, raw in ((3, 690), (4, 276)):
    out = mbpoll(unit, "-t", "4", "-r", "40088", "-c", "1")
    w = re.search(r"\[40088\]:\s+(-?\d+)", out.stdout)
    check(f"daemon: mbpoll slave {unit}: model 203 W raw {raw} (its own meter)",
          out.returncode == 0 and w is not None and int(w.group(1)) == raw, out.stdout[-300:])
out = mbpoll(5, "-r", "40000", timeout="0.5")
check("daemon: mbpoll slave 5 (no such meter): no answer", out.returncode != 0 and
      "timed out" in (out.stdout + out.stderr).lower(), (out.stdout + out.stderr)[-300:])

c = ModbusSerialClient(port=f"{TMP}/cli", baudrate=9600, parity="N", stopbits=1, bytesize=8,
                       timeout=1, retries=0)
assert c.connect()
for unit, name in ((3, "east"), (4, "west")):
    r = c.read_holding_registers(40052, 16, slave=unit)  # Common SN = the meter's name
    sn = b"".join(struct.pack(">H", x) for x in r.registers).rstrip(b"\0").decode() \
        if not r.isError() else None
    check(f"daemon: pymodbus slave {unit}: Common SN = {name}", sn == name, repr(sn))
    r = c.read_holding_registers(40068, 1, slave=unit)
    check(f"daemon: pymodbus slave {unit}: Common DA = {unit}",
          not r.isError() and r.registers == [unit], str(r))
r = c.write_register(40068, 9, slave=3)
check("daemon: write when read-only (modbus_writes defaults to no) -> exception 01",
      getattr(r, "exception_code", None) == 1, str(r))
check("daemon: pymodbus slave 1 (no such meter): no answer", unanswered(c, 1))
r = c.read_holding_registers(40000, 2, slave=4)
check("daemon: slave 4 answers right after", not r.isError() and
      r.registers == [0x5375, 0x6E53], str(r))
c.close()
daemon.send_signal(signal.SIGTERM)
_, err = daemon.communicate(timeout=30)
procs.remove(daemon)
check("daemon: one RTU server opened the tty, the second meter was added to it",
      err.count("t3.5") == 1 and "slave 4 added (2 on the line)" in err, err[-800:])
check("daemon: clean exit, sanitizers quiet", daemon.returncode == 0 and
      "runtime error" not in err and "ERROR: " not in err, err[-800:])
end(socat)

# Bad buses: refused before anything starts, the message names file:line of the key at fault
# (the second meter's) and the first meter's line.
DEV = f"modbus_rtu_device = {TMP}/srv\n"
cases = (
    ("the same unit twice", "dup.conf",
     "[meter a]\nsource = sim\nmodbus_unit = 2\n" + DEV +
     "[meter b]\nsource = sim\n" + DEV + "modbus_unit = 2\n",
     # lines: 1-4 [daemon], 5 [meter a], 6, 7 modbus_unit, 8 device, 9 [meter b], 10, 11, 12
     12, "[meter b] modbus_unit 2 on", "[meter a] (line 7)"),
    ("the same default unit (1) twice", "dupdef.conf",
     "[meter a]\nsource = sim\n" + DEV + "[meter b]\nsource = sim\n" + DEV,
     # no modbus_unit key: the line of modbus_rtu_device (7 for a, 10 for b)
     10, "[meter b] modbus_unit 1 on", "[meter a] (line 7)"),
    ("another baud on the same tty", "baud.conf",
     "[meter a]\nsource = sim\n" + DEV + "modbus_rtu_line = 9600 N 1\n"
     "[meter b]\nsource = sim\nmodbus_unit = 2\n" + DEV + "modbus_rtu_line = 19200 N 1\n",
     # 5 [meter a], 6, 7 device, 8 line, 9 [meter b], 10, 11 unit, 12 device, 13 line
     13, "[meter b] modbus_rtu_line 19200 N 1 on", "[meter a]'s 9600 N 1 (line 8)"),
    ("the default line against 9600 N 1", "line.conf",
     "[meter a]\nsource = sim\n" + DEV +
     "[meter b]\nsource = sim\nmodbus_unit = 2\n" + DEV + "modbus_rtu_line = 9600 N 1\n",
     # a has no modbus_rtu_line: 19200 E 1, named at its device line (7)
     # 5 [meter a], 6, 7 device, 8 [meter b], 9, 10 unit, 11 device, 12 line
     12, "[meter b] modbus_rtu_line 9600 N 1 on", "[meter a]'s 19200 E 1 (line 7)"),
    ("RS-485 mode on one meter, off on the other", "rs485.conf",
     "[meter a]\nsource = sim\n" + DEV +
     "[meter b]\nsource = sim\nmodbus_unit = 2\nmodbus_rtu_rs485 = no\n" + DEV,
     # 5 [meter a], 6, 7 device, 8 [meter b], 9, 10 unit, 11 rs485, 12 device
     11, "[meter b] modbus_rtu_rs485 = no on", "[meter a]'s (line 7)"),
)
for name, fname, text, line, what, first in cases:
    path = conf(fname, text)
    res = check_config(path)
    check(f"refused with file:line: {name}", res.returncode == 1 and
          f"{path}:{line}: " in res.stderr and what in res.stderr and first in res.stderr,
          res.stderr[-400:])
path = conf("apart.conf", "[meter a]\nsource = sim\n" + DEV +
            f"[meter b]\nsource = sim\nmodbus_rtu_device = {TMP}/other\n"
            "modbus_rtu_line = 9600 N 1\n")
res = check_config(path)
check("two ttys: the same unit and other line settings are fine", res.returncode == 0,
      res.stderr[-300:])

for key in ("modbus_writes", "modbus_rtu_rs485"):
    path = conf(f"{key}.conf", f"[meter a]\nsource = sim\n{key} = maybe\n")
    res = check_config(path)
    check(f"refused with file:line: {key} = maybe", res.returncode == 1 and
          f"{path}:7: {key} = 'maybe': expected yes or no" in res.stderr, res.stderr[-300:])

shutil.rmtree(TMP, ignore_errors=True)
finish()
