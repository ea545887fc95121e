#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Real Modbus RTU clients (pymodbus, mbpoll, raw pyserial) against the Modbus RTU view over a
socat pty pair.

usage: rtu.py SERVE
  SERVE   tests/modbus/rtu-serve.c built (serves a fixed snapshot on a tty; --dump prints it)

Last line: "N passed, N failed".
"""
import math
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time

import serial
from pymodbus.client import ModbusSerialClient

from mbtest import PipeLog, check, end, finish, procs, pty_pair, rtu_frame as frame, unanswered

SERVE = sys.argv[1]


def rd(addr, count, fc=3):
    return struct.pack(">BHH", fc, addr, count)


class Bus:
    """A socat pty pair, the server on end A, clients on end B."""

    def __init__(self, *args):
        self.dir = tempfile.mkdtemp(prefix="pm-rtu-")
        self.a = os.path.join(self.dir, "A")
        self.b = os.path.join(self.dir, "B")
        self.socat = pty_pair(self.a, self.b)
        self.srv = subprocess.Popen([SERVE, self.a, *args], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
        procs.append(self.srv)
        self.ready = self.srv.stdout.readline()
        if not self.ready.startswith("ready"):
            raise RuntimeError(f"server did not start: {self.ready!r} {self.srv.stderr.read()}")

    def stats(self):
        self.srv.send_signal(signal.SIGUSR1)
        line = self.srv.stdout.readline()
        return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}

    def close(self):
        """Stops the server: (exit status, stderr)."""
        self.srv.terminate()
        try:
            _, err = self.srv.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.srv.kill()
            _, err = self.srv.communicate()
        procs.remove(self.srv)
        end(self.socat)
        return self.srv.returncode, err


PARITY = {"N": "none", "E": "even", "O": "odd"}


def mbpoll(bus, baud, parity, stop, *args, values=()):
    return subprocess.run(["mbpoll", "-m", "rtu", "-b", str(baud), "-P", PARITY[parity], "-s",
                           str(stop), *args, bus.b, *values], capture_output=True, text=True,
                          timeout=20)


def pymodbus(bus, baud, parity, stop):
    c = ModbusSerialClient(port=bus.b, baudrate=baud, parity=parity, stopbits=stop, bytesize=8,
                           timeout=1, retries=0)
    assert c.connect()
    return c


def exc(r):
    return getattr(r, "exception_code", None)


def ok(r):
    return r is not None and hasattr(r, "registers") and not r.isError()


snapshot = {}
for line in subprocess.run([SERVE, "--dump"], capture_output=True, text=True,
                           check=True).stdout.splitlines():
    pid, value, scaler, valid = line.split()
    snapshot[pid] = (int(value), int(scaler), valid == "1")


def real(pid):
    value, scaler, valid = snapshot[pid]
    return value * 10.0 ** scaler if valid else None


def scan_and_values(c, tag):
    """SunSpec scan from 40000 and the model 213 floats against the snapshot."""
    r = c.read_holding_registers(40000, 2, slave=1)
    check(f"{tag}: SunS at 40000", ok(r) and r.registers == [0x5375, 0x6E53], str(r))
    chain = []
    a = 40002
    while len(chain) < 10:
        r = c.read_holding_registers(a, 2, slave=1)
        if not ok(r):
            break
        chain.append((a, r.registers[0], r.registers[1]))
        if r.registers[0] == 0xFFFF:
            break
        a += 2 + r.registers[1]
    ids = [(m, ln) for _, m, ln in chain]
    check(f"{tag}: chain 1/66, 203/105, 213/124, vendor 64900, end",
          ids[:3] == [(1, 66), (203, 105), (213, 124)] and len(ids) == 5 and
          ids[3][0] == 64900 and ids[4] == (0xFFFF, 0), str(ids))
    r = c.read_holding_registers(40068, 1, slave=1)
    check(f"{tag}: Common DA = slave address 1", ok(r) and r.registers == [1])
    r = c.read_holding_registers(40020, 16, slave=1)
    md = b"".join(struct.pack(">H", w) for w in r.registers).rstrip(b"\0").decode() if ok(r) \
        else None
    check(f"{tag}: Common Md", md == "polymeterd-rtu-test", repr(md))
    m213 = [a for a, m, _ in chain if m == 213]
    if not m213:
        check(f"{tag}: model 213 found", False)
        return chain
    r = c.read_holding_registers(m213[0] + 2, 28, slave=1)  # A .. W (2 registers each)
    if not ok(r):
        check(f"{tag}: model 213 read", False, str(r))
        return chain
    regs = r.registers
    f = [struct.unpack(">f", struct.pack(">HH", regs[i], regs[i + 1]))[0]
         for i in range(0, 28, 2)]
    want = {0: "total.current", 1: "l1.current", 4: "total.voltage_avg", 5: "l1.voltage",
            6: "l2.voltage", 7: "l3.voltage", 12: "total.frequency", 13: "total.active_power"}
    bad = []
    for i, pid in want.items():
        w = real(pid)
        good = math.isnan(f[i]) if w is None else math.isclose(f[i], w, rel_tol=1e-6)
        if not good:
            bad.append((pid, f[i], w))
    check(f"{tag}: model 213 A, AphA, PhV, PhVphA..C (C not implemented = NaN), Hz, W "
          "equal the snapshot", not bad, str(bad))
    return chain


def raw_port(bus, baud, parity, stop):
    return serial.Serial(bus.b, baudrate=baud, parity=parity, stopbits=stop, bytesize=8,
                         timeout=0.3)


def ask(s, data, want=None):
    """Writes bytes, reads until silence: the answer (b"" for none)."""
    s.reset_input_buffer()
    s.write(data)
    s.flush()
    got = b""
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        d = s.read(want - len(got) if want else 256)
        got += d
        if want and len(got) >= want:
            break
        if not d and got:
            break
    return got


# ---- 9600 8N1, RS-485 mode asked for on a pty ----

bus = Bus("--baud", "9600", "--parity", "N", "--stop", "1")
check("9600 8N1: started, t3.5 = 3.5 x 10 bits at 9600 (3646 us)", "t35=3646" in bus.ready,
      bus.ready)
check("pty refuses TIOCSRS485: reported as not active, serving goes on",
      "rs485=0" in bus.ready, bus.ready)

out = mbpoll(bus, 9600, "N", 1, "-a", "1", "-1", "-0", "-t", "4:hex", "-r", "40000", "-c", "4")
check("mbpoll 9600 8N1 reads SunS + Common ID/L", out.returncode == 0 and
      all(x in out.stdout for x in ("0x5375", "0x6E53", "0x0001", "0x0042")), out.stdout[-300:])
w = real("total.active_power")
out = mbpoll(bus, 9600, "N", 1, "-a", "1", "-1", "-0", "-t", "4:float", "-B", "-r",
             str(40177 + 28), "-c", "1")
check(f"mbpoll 9600 8N1 reads model 213 W = {w:g} (float, ABCD)",
      out.returncode == 0 and re.search(r"\[40205\]:\s+%g\b" % w, out.stdout) is not None,
      out.stdout[-200:])
out = mbpoll(bus, 9600, "N", 1, "-a", "1", "-1", "-0", "-t", "4:float", "-r", str(40177 + 28),
             "-c", "1")
check(f"mbpoll without -B (word order CDAB) does not read {w:g}: the map is ABCD only",
      out.returncode == 0 and re.search(r"\[40205\]:\s+%g\b" % w, out.stdout) is None,
      out.stdout[-200:])
out = mbpoll(bus, 9600, "N", 1, "-a", "2", "-1", "-o", "0.5", "-0", "-r", "40000")
check("mbpoll to slave 2: no answer (timed out)", out.returncode != 0 and
      "timed out" in (out.stdout + out.stderr).lower(), (out.stdout + out.stderr)[-200:])
out = mbpoll(bus, 9600, "N", 1, "-a", "1", "-1", "-0", "-r", "40068", values=["9"])
check("mbpoll write when read-only: Illegal function", out.returncode != 0 and
      "Illegal function" in out.stdout + out.stderr, (out.stdout + out.stderr)[-200:])

c = pymodbus(bus, 9600, "N", 1)
chain = scan_and_values(c, "pymodbus 9600 8N1")
end_addr = chain[-1][0] + 2  # first address past the end model (ID, L)
r = c.read_holding_registers(end_addr - 1, 1, slave=1)
check("pymodbus: the end model's L (the map's last register) is readable",
      ok(r) and r.registers == [0], str(r))
check("pymodbus: read across the map's end edge -> exception 02",
      exc(c.read_holding_registers(end_addr - 1, 2, slave=1)) == 2)
check("pymodbus: read past the map -> exception 02",
      exc(c.read_holding_registers(end_addr, 1, slave=1)) == 2)
check("pymodbus: count 126 -> exception 03", exc(c.read_holding_registers(40000, 126, slave=1)) == 3)
r = c.read_holding_registers(40000, 125, slave=1)
check("pymodbus: count 125 answered", ok(r) and len(r.registers) == 125)
check("pymodbus: write single register when read-only -> exception 01",
      exc(c.write_register(40068, 5, slave=1)) == 1)
check("pymodbus: write multiple registers -> exception 01",
      exc(c.write_registers(40068, [5, 6], slave=1)) == 1)
check("pymodbus: read below the base -> exception 02",
      exc(c.read_holding_registers(39999, 2, slave=1)) == 2)
check("pymodbus: slave 2 gets no answer", unanswered(c, 2))
r = c.read_holding_registers(40000, 2, slave=1)
check("pymodbus: the next request to slave 1 is answered",
      ok(r) and r.registers == [0x5375, 0x6E53], str(r))
c.close()

s = raw_port(bus, 9600, "N", 1)
before = bus.stats()
good = frame(1, rd(40000, 2))
check("raw: a good request is answered byte for byte",
      ask(s, good, 9) == frame(1, bytes([3, 4, 0x53, 0x75, 0x6E, 0x53])))
bad_crc = good[:-1] + bytes([good[-1] ^ 0x5A])
check("raw: corrupted CRC -> no answer", ask(s, bad_crc) == b"")
check("raw: the next good request is answered", ask(s, good, 9)[:3] == b"\x01\x03\x04")
check("raw: other slave -> no answer", ask(s, frame(7, rd(40000, 2))) == b"")
check("raw: broadcast read -> no answer", ask(s, frame(0, rd(40000, 2))) == b"")
check("raw: broadcast write -> no answer", ask(s, frame(0, struct.pack(">BHH", 6, 40068, 5)))
      == b"")
for cut in (4, 2):  # half a request (its CRC cannot match), a fragment; then silence
    s.write(good[:cut])
    s.flush()
    time.sleep(0.05)  # the silence after the fragment is what is tested (t3.5 = 3.6 ms)
    check(f"raw: {cut} bytes of a request then silence: discarded, the next request is answered",
          ask(s, good, 9)[:3] == b"\x01\x03\x04")
check("raw: count 126 -> exception 03 frame with CRC",
      ask(s, frame(1, rd(40000, 126)), 5) == frame(1, b"\x83\x03"))
check("raw: count 0 -> exception 03", ask(s, frame(1, rd(40000, 0)), 5) == frame(1, b"\x83\x03"))
check("raw: FC 0x04 -> exception 01",
      ask(s, frame(1, rd(40000, 2, fc=4)), 5) == frame(1, b"\x84\x01"))
# FC 0x07 (libmodbus 3.1.6 never answers it), 0x11 (it leaks its version), 0x2B/0x0E (it
# stalls 0.5 s): each gets exception 01 here, a frame with a good CRC
for fc, pdu in ((0x07, b"\x07"), (0x11, b"\x11"), (0x2B, b"\x2b\x0e\x01\x00")):
    check(f"raw: FC 0x{fc:02X} -> exception 01",
          ask(s, frame(1, pdu), 5) == frame(1, bytes([0x80 | fc, 1])))
check("raw: write single register -> exception 01",
      ask(s, frame(1, struct.pack(">BHH", 6, 40068, 5)), 5) == frame(1, b"\x86\x01"))
check("raw: truncated PDU (FC 03 with 2 data bytes) -> exception 03",
      ask(s, frame(1, b"\x03\x9c\x40"), 5) == frame(1, b"\x83\x03"))
check("raw: 300 bytes of noise get no answer", ask(s, bytes(range(256)) + bytes(44)) == b"")
check("raw: the bus still works after the noise", ask(s, good, 9)[:3] == b"\x01\x03\x04")
after = bus.stats()
d = {k: after[k] - before[k] for k in after}
check("counted: CRC errors 2 (corrupted, 4-byte half), other slave 1, broadcasts 2, "
      "discarded 2 (2-byte fragment, noise), answered 13 (8 exceptions)",
      d["crc"] == 2 and d["other"] == 1 and d["broadcast"] == 2 and d["discarded"] == 2 and
      d["exceptions"] == 8 and d["answered"] == 13 and d["dropped"] == 0 and
      d["frames"] == 20, str(d))
s.close()
rc, err = bus.close()
check("9600: TIOCSRS485 warning logged", "no kernel RS-485 mode" in err and
      "Inappropriate ioctl" in err, err[-300:])
check("9600: server exits cleanly, sanitizers quiet", rc == 0 and "ERROR" not in err and
      "runtime error" not in err, err[-500:])

# ---- 19200 8E1 (the Modbus default), no RS-485 mode asked for ----

bus = Bus("--baud", "19200", "--parity", "E", "--stop", "1", "--no-rs485")
check("19200 8E1: t3.5 = 3.5 x 11 bits at 19200 (2006 us)", "t35=2006" in bus.ready, bus.ready)
out = mbpoll(bus, 19200, "E", 1, "-a", "1", "-1", "-0", "-t", "4:hex", "-r", "40000", "-c", "4")
check("mbpoll 19200 8E1 reads SunS + Common ID/L", out.returncode == 0 and
      all(x in out.stdout for x in ("0x5375", "0x6E53", "0x0001", "0x0042")), out.stdout[-300:])
# A pty carries no parity bit. Some kernels keep PARENB on one, others (6.18 here) refuse it:
# pyserial's tcsetattr then fails with EINVAL and the server's is taken without it, which the
# server must warn about. Probe what this kernel does, then expect exactly that.
def pty_keeps_parity(path):
    import termios
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        attrs = termios.tcgetattr(fd)
        attrs[2] |= termios.PARENB
        try:
            termios.tcsetattr(fd, termios.TCSANOW, attrs)
        except termios.error:
            return False
        return bool(termios.tcgetattr(fd)[2] & termios.PARENB)
    finally:
        os.close(fd)


parity_kept = pty_keeps_parity(bus.b)
c = pymodbus(bus, 19200, "E" if parity_kept else "N", 1)
scan_and_values(c, "pymodbus 19200 (server 8E1)")
c.close()
rc, err = bus.close()
check("19200: no RS-485 warning when not asked for", "RS-485" not in err, err[-300:])
check("19200 8E1 on a pty: warned about exactly when the driver dropped the parity",
      ("did not take 19200 8E1" in err) == (not parity_kept), f"kept={parity_kept} {err[-300:]}")
check("19200: server exits cleanly", rc == 0 and "runtime error" not in err, err[-500:])

# ---- 115200 8N2, slave 17 ----

bus = Bus("--baud", "115200", "--parity", "N", "--stop", "2", "--unit", "17")
check("115200: t3.5 fixed at 1750 us above 19200", "t35=1750" in bus.ready, bus.ready)
out = mbpoll(bus, 115200, "N", 2, "-a", "17", "-1", "-0", "-r", "40068")
check("mbpoll 115200 8N2 slave 17: DA = 17", out.returncode == 0 and
      re.search(r"\[40068\]:\s+17\b", out.stdout) is not None, out.stdout[-200:])
out = mbpoll(bus, 115200, "N", 2, "-a", "1", "-1", "-o", "0.3", "-0", "-r", "40068")
check("mbpoll 115200 slave 1 (not us): timed out", out.returncode != 0)
rc, err = bus.close()
check("115200: server exits cleanly", rc == 0 and "runtime error" not in err, err[-500:])

# ---- several meters on one bus: slaves 1, 2 and 5 on one line, 9600 8N1 ----
# rtu-serve gives slave N (N != first) a total active power of 4500 W + N x 1000 W and the
# serial "RTU-U<N>"; slave 1 keeps the snapshot's 4500 W and "RTU-0001".

bus = Bus("--baud", "9600", "--parity", "N", "--no-rs485", "--add-unit", "2", "--add-unit",
          "5")
check("bus: one line serves 3 units", "units=3" in bus.ready, bus.ready)
W_AT = str(40177 + 28)  # model 213 W (see above)
SN_AT = 40052           # Common SN: 40004 + 48
for unit, watts, serial_no in ((1, 4500, "RTU-0001"), (2, 6500, "RTU-U2"), (5, 9500, "RTU-U5")):
    out = mbpoll(bus, 9600, "N", 1, "-a", str(unit), "-1", "-0", "-t", "4:float", "-B", "-r",
                 W_AT, "-c", "1")
    check(f"bus: mbpoll slave {unit} reads its own model 213 W = {watts}",
          out.returncode == 0 and re.search(r"\[40205\]:\s+%d\b" % watts, out.stdout)
          is not None, out.stdout[-200:])
    out = mbpoll(bus, 9600, "N", 1, "-a", str(unit), "-1", "-0", "-r", "40068")
    check(f"bus: mbpoll slave {unit}: Common DA = {unit}", out.returncode == 0 and
          re.search(r"\[40068\]:\s+%d\b" % unit, out.stdout) is not None, out.stdout[-200:])
out = mbpoll(bus, 9600, "N", 1, "-a", "3", "-1", "-o", "0.5", "-0", "-r", "40000")
check("bus: mbpoll slave 3 (no such meter): no answer (timed out)", out.returncode != 0 and
      "timed out" in (out.stdout + out.stderr).lower(), (out.stdout + out.stderr)[-200:])
c = pymodbus(bus, 9600, "N", 1)
for unit, serial_no in ((1, "RTU-0001"), (2, "RTU-U2"), (5, "RTU-U5")):
    r = c.read_holding_registers(SN_AT, 16, slave=unit)
    sn = b"".join(struct.pack(">H", w) for w in r.registers).rstrip(b"\0").decode() \
        if ok(r) else None
    check(f"bus: pymodbus slave {unit}: Common SN = {serial_no}", sn == serial_no, repr(sn))
    r = c.read_holding_registers(40068, 1, slave=unit)
    check(f"bus: pymodbus slave {unit}: DA = {unit}", ok(r) and r.registers == [unit], str(r))
check("bus: pymodbus slave 4 (no such meter): no answer", unanswered(c, 4))
r = c.read_holding_registers(40000, 2, slave=2)
check("bus: slave 2 answers right after", ok(r) and r.registers == [0x5375, 0x6E53], str(r))
c.close()
s = raw_port(bus, 9600, "N", 1)
before = bus.stats()
check("bus raw: slave 5 count 126 -> its exception 03",
      ask(s, frame(5, rd(40000, 126)), 5) == frame(5, b"\x83\x03"))
check("bus raw: slave 6 -> no answer", ask(s, frame(6, rd(40000, 2))) == b"")
check("bus raw: slave 2 read -> answered with address 2",
      ask(s, frame(2, rd(40000, 2)), 9) == frame(2, bytes([3, 4, 0x53, 0x75, 0x6E, 0x53])))
after = bus.stats()
d = {k: after[k] - before[k] for k in after}
check("bus: counted on the one line: 3 frames, 2 answered (1 exception), 1 for no unit",
      d["frames"] == 3 and d["answered"] == 2 and d["exceptions"] == 1 and d["other"] == 1,
      str(d))
s.close()
rc, err = bus.close()
check("bus: server exits cleanly, units released, sanitizers quiet", rc == 0 and
      "runtime error" not in err and "ERROR" not in err, err[-500:])

for args, name, why in (
        (["--add-unit", "1"], "the same slave address twice on one line", "File exists"),
        (["--add-unit", "2", "--add-unit-line", "19200"], "a unit asking for another baud",
         "Invalid argument")):
    d = tempfile.mkdtemp(prefix="pm-rtu-")
    sc = pty_pair(f"{d}/A", f"{d}/B")
    p = subprocess.run([SERVE, f"{d}/A", "--baud", "9600", "--no-rs485", *args],
                       capture_output=True, text=True, timeout=10)
    end(sc)
    check(f"bus refused: {name}", p.returncode != 0 and why in p.stderr and
          "runtime error" not in p.stderr and "ERROR" not in p.stderr, p.stderr[-300:])

# ---- the other end goes away (a USB adapter unplugged, socat killed) ----


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


bus = Bus("--baud", "9600", "--parity", "N", "--no-rs485")
log = PipeLog(bus.srv.stderr)
bus.socat.kill()
procs.remove(bus.socat)
bus.socat.wait()
log.wait_for("hung up", 30, "the server to see the line hung up")
t0 = cpu_ticks(bus.srv.pid)
time.sleep(1.5)  # the window the server's CPU time is measured over: a figure, not a wait
spent = cpu_ticks(bus.srv.pid) - t0
check("hang-up: the server stays up without spinning", bus.srv.poll() is None and spent < 20,
      f"{spent} ticks in 1.5 s")
procs.append(bus.socat)  # close() removes it
rc, err = bus.close()
err = log.add(err)
check("hang-up: logged once, clean exit", rc == 0 and err.count("hung up") == 1 and
      "runtime error" not in err, err[-500:])

# ---- bad configurations are refused ----

for args, name in ((["--baud", "12345"], "baud 12345"), (["--unit", "0"], "unit 0"),
                   (["--unit", "248"], "unit 248")):
    p = subprocess.run([SERVE, "/dev/null", *args], capture_output=True, text=True, timeout=10)
    check(f"refused: {name}", p.returncode != 0, p.stderr[-200:])
p = subprocess.run([SERVE, "/dev/null"], capture_output=True, text=True, timeout=10)
check("refused: not a tty", p.returncode != 0 and "Inappropriate ioctl" in p.stderr, p.stderr[-200:])

finish()
