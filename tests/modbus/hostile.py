#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The Modbus TCP view under hostile and careless clients: pipelining into a full output
buffer, a flooding master beside a polling one, a bad header behind a good request, half-sent headers, the connection cap with
eviction, the bind address and unit id 0xFF; then the same keys through polymeterd's
configuration.

usage: hostile.py SERVE POLYMETERD
  SERVE       tests/modbus/serve.c built (fixed snapshot; SunS at 40000)
  POLYMETERD  polymeterd built with ASan/UBSan

Expected answers come from the Modbus Application Protocol v1.1b3 (FC 0x03: byte count =
2 x quantity; exception = FC | 0x80) and the SunSpec marker "SunS" = 0x5375 0x6E53 at 40000.
Waits are on state changes (an answer, a close) with bounded timeouts. Traffic only to
127.0.0.1 and ::1. Last line: "N passed, N failed".
"""
import multiprocessing
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

from pymodbus.client import ModbusTcpClient
from pymodbus.exceptions import ConnectionException

from mbtest import (SANITIZER_ENV as ENV, check, finish, procs, start_server, stop_server,
                    wait_until)

SERVE, DAEMON = sys.argv[1:3]
SUNS = b"SunS"
# a read of 125 registers at 40000 is answered with 1 + 1 + 250 PDU bytes: 03 FA "SunS" ...
BIG_PDU_LEN = 2 + 2 * 125


def start(*args):
    return start_server(SERVE, *args, env=ENV)


def stop(p):
    return stop_server(p)


def stopped_clean(p, name):
    rc, err = stop(p)
    check(f"{name}: exits cleanly (ASan/UBSan quiet)", rc == 0 and "Sanitizer" not in err,
          err[-2000:])


def adu(tid, unit, pdu, proto=0, length=None):
    if length is None:
        length = len(pdu) + 1
    return struct.pack(">HHHB", tid, proto, length, unit) + pdu


def rd(addr, count):
    return struct.pack(">BHH", 3, addr, count)


def raw(port, host="127.0.0.1", timeout=3):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_n(s, n):
    buf = b""
    while len(buf) < n:
        d = s.recv(n - len(buf))
        if not d:
            return None
        buf += d
    return buf


def recv_adu(s):
    """One answer: (tid, unit, pdu); None when closed, "timeout" when nothing came in time."""
    try:
        head = recv_n(s, 7)
        if head is None:
            return None
        tid, _, length, unit = struct.unpack(">HHHB", head)
        pdu = recv_n(s, length - 1)
        return None if pdu is None else (tid, unit, pdu)
    except socket.timeout:
        return "timeout"
    except ConnectionResetError:
        return None


def closed_by_server(s, timeout):
    """True when the server closes within timeout (answers still queued are drained)."""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            s.settimeout(max(deadline - time.monotonic(), 0.01))
            if s.recv(65536) == b"":
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False
    return False


def still_open(s):
    return not closed_by_server(s, 0.05)


def big_ok(a, tid):
    return a != "timeout" and a is not None and a[0] == tid and a[1] == 1 and \
        len(a[2]) == BIG_PDU_LEN and a[2][:2] == b"\x03\xfa" and a[2][2:6] == SUNS


def served_eventually(port, deadline_s, host="127.0.0.1"):
    """A pymodbus master that reconnects until it is served (what a BMS does at its next poll).
    Returns (client, seconds) or (None, seconds)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < deadline_s:
        c = ModbusTcpClient(host, port=port, timeout=1, retries=0)
        try:
            if c.connect():
                r = c.read_holding_registers(40000, 2, slave=1)
                if not r.isError() and getattr(r, "registers", None) == [0x5375, 0x6E53]:
                    return c, time.monotonic() - t0
        except ConnectionException:
            pass  # refused at the cap: closed at once
        c.close()
        time.sleep(0.05)  # pacing between attempts, not a synchronisation
    return None, time.monotonic() - t0


def hostile(port, n, host="127.0.0.1"):
    """n sockets that send three bytes of a header and hold (accepted in this order)."""
    out = []
    for _ in range(n):
        h = raw(port, host)
        h.sendall(b"\x00\x01\x00")
        out.append(h)
    return out


# ---- 1. pipelining into a full output buffer ----

srv, port = start("--idle-ms", "60000", "--header-ms", "60000")
s = raw(port)
# eight 259-byte answers are more than the server's output buffer holds (4 x 260 bytes)
s.sendall(b"".join(adu(100 + k, 1, rd(40000, 125)) for k in range(8)))
got = [recv_adu(s) for _ in range(8)]
check("8 pipelined 125-register reads in one segment: all answered, in order, long before the "
      "idle timeout", all(big_ok(a, 100 + k) for k, a in enumerate(got)),
      str([a if a in (None, "timeout") else a[0] for a in got]))
s.close()

# a reader that does not read: its requests wait, other masters are served meanwhile, and
# once it reads, every answer arrives in order
# 15 MB of answers: more than the server's output buffer and the kernel's send buffer hold
# (tcp_wmem max 4 MB), so most requests wait, unread, until the client reads
N = 60000
slow = socket.socket()
slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
slow.connect(("127.0.0.1", port))
slow.settimeout(20)
frames = b"".join(adu(k % 65536, 1, rd(40000, 125)) for k in range(N))
sender = threading.Thread(target=slow.sendall, args=(frames,), daemon=True)
sender.start()
c = ModbusTcpClient("127.0.0.1", port=port, timeout=2, retries=0)
c.connect()
ok = all(not c.read_holding_registers(40000 + k, 4, slave=1).isError() for k in range(50))
check(f"50 reads by another master while a client pipelines {N} requests without reading: "
      "all answered", ok)
bad = []
rf = slow.makefile("rb")
for k in range(N):
    try:
        head = rf.read(7)
        tid, _, length, unit = struct.unpack(">HHHB", head) if len(head) == 7 else (-1, 0, 1, 0)
        a = (tid, unit, rf.read(length - 1))
    except OSError as e:  # a timeout: the rest never came
        a = (str(e), 0, b"")
    if not big_ok(a, k % 65536):
        bad.append((k, a[0]))
        break
sender.join(20)
check(f"then it reads: all {N} answered, in order, none dropped", not bad and not sender.is_alive(),
      str(bad))
rf.close()
slow.close()

# a client that sends and closes its side (half-close): everything it sent is answered
s = raw(port)
s.sendall(b"".join(adu(200 + k, 1, rd(40000, 125)) for k in range(6)))
s.shutdown(socket.SHUT_WR)
got = [recv_adu(s) for _ in range(6)]
check("6 pipelined reads then the client's FIN: all 6 answered in order",
      all(big_ok(a, 200 + k) for k, a in enumerate(got)),
      str([a if a in (None, "timeout") else a[0] for a in got]))
check("then the server closes", closed_by_server(s, 3))
s.close()

# a master that floods (pipelines without a pause and reads every answer as fast as it can)
# does not starve one that polls: the server gives each ready connection a bounded number of
# reads per wakeup, so the poller's requests are answered while the flooder still waits for
# most of its own


def flood(port, n, answered):
    """In a process of its own (no interpreter lock shared with the poller): n pipelined
    125-register reads sent without a pause, every answer read; answered.value counts them."""
    fs = socket.create_connection(("127.0.0.1", port))
    fs.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    frames = b"".join(adu(k % 65536, 1, rd(40000, 125)) for k in range(n))
    threading.Thread(target=fs.sendall, args=(frames,), daemon=True).start()
    size = 7 + BIG_PDU_LEN
    got = 0
    while got < n * size:
        d = fs.recv(1 << 20)
        if not d:
            break
        got += len(d)
        answered.value = got // size
    fs.close()


FLOOD = 50000
answered = multiprocessing.Value("q", 0, lock=False)
flooder = multiprocessing.Process(target=flood, args=(port, FLOOD, answered), daemon=True)
flooder.start()
wait_until(lambda: answered.value >= 1000, 60, "the flooder's first 1000 answers", interval=0.01)
poller = raw(port, timeout=60)
polls = []
for k in range(20):
    poller.sendall(adu(k, 1, rd(40000, 2)))
    polls.append(recv_adu(poller))
during = answered.value
check(f"a master polls 20 times while another floods {FLOOD} pipelined reads and reads every "
      f"answer: all 20 answered while the flooder still had {FLOOD - during} answers to come",
      polls == [(k, 1, b"\x03\x04" + SUNS) for k in range(20)] and during < FLOOD,
      f"{polls[-3:]} flooder answered {during}")
poller.close()
flooder.join(300)
check(f"... and the flooder got all {FLOOD} answers", answered.value == FLOOD,
      f"{answered.value}")

# ---- 2. a bad header behind a good request ----

for name, bad_frame in (("protocol id 1", adu(9, 1, rd(40000, 1), proto=1)),
                        ("MBAP length 0", adu(9, 1, b"", length=0)),
                        ("MBAP length 1", adu(9, 1, b"", length=1)),
                        ("MBAP length 300", adu(9, 1, rd(40000, 1), length=300))):
    s = raw(port)
    s.sendall(adu(8, 1, rd(40000, 2)) + bad_frame)
    a = recv_adu(s)
    check(f"good read then {name} in one segment: the read is answered (SunS)",
          a == (8, 1, b"\x03\x04" + SUNS), str(a))
    check(f"... then the connection is closed ({name})", closed_by_server(s, 3))
    s.close()
s = raw(port)
s.sendall(b"".join(adu(300 + k, 1, rd(40000, 125)) for k in range(6)) +
          adu(9, 1, rd(40000, 1), proto=7))
got = [recv_adu(s) for _ in range(6)]
check("6 big reads (more than the output buffer) then a bad header: all 6 answered, then closed",
      all(big_ok(a, 300 + k) for k, a in enumerate(got)) and closed_by_server(s, 3),
      str([a if a in (None, "timeout") else a[0] for a in got]))
s.close()
c.close()
stopped_clean(srv, "pipelining server")

# ---- 3. the header timeout (500 ms here; the idle timeout 60 s) ----

srv, port = start("--idle-ms", "60000", "--header-ms", "500")
for name, first in (("a silent connection", b""), ("three bytes of a header", b"\x00\x01\x00")):
    s = raw(port)
    t0 = time.monotonic()
    if first:
        s.sendall(first)
    closed = closed_by_server(s, 10)
    dt = time.monotonic() - t0
    check(f"{name}: closed by the header timeout (0.5 s <= {dt:.2f} s, idle timeout 60 s)",
          closed and dt >= 0.45)
    s.close()
s = raw(port)
s.sendall(adu(1, 1, rd(40000, 2)))
a = recv_adu(s)
s.sendall(adu(2, 1, rd(40000, 2))[:4])
t0 = time.monotonic()
closed = closed_by_server(s, 10)
dt = time.monotonic() - t0
check(f"a served connection that sends half a request: closed by the header timeout "
      f"({dt:.2f} s >= 0.5 s)", a == (1, 1, b"\x03\x04" + SUNS) and closed and dt >= 0.45)
s.close()
# bytes that keep coming do not restart the timer: only a complete request does. A header
# announcing 253 bytes, then one byte every 0.1 s (a whole request in 25 s)
s = raw(port)
s.sendall(struct.pack(">HHHB", 1, 0, 254, 1))
t0 = time.monotonic()
closed = False
for _ in range(100):  # 10 s: long before the request could complete (25 s)
    time.sleep(0.1)  # the trickle's pace, not a synchronisation
    try:
        s.sendall(b"\x03")
    except OSError:
        closed = True
        break
    if closed_by_server(s, 0.01):
        closed = True
        break
dt = time.monotonic() - t0
check(f"a request trickled a byte every 0.1 s: closed by the header timeout after {dt:.2f} s "
      "(0.5 s; the bytes do not restart it)", closed and dt >= 0.45)
s.close()
# a master polling every 0.2 s for 2 s (4 header timeouts): the timer restarts per request
s = raw(port)
answers = []
for k in range(10):
    s.sendall(adu(k, 1, rd(40000, 2)))
    answers.append(recv_adu(s))
    time.sleep(0.2)  # the poll interval, not a synchronisation
check("a master polling every 0.2 s for 2 s stays connected and served (header timeout 0.5 s)",
      answers == [(k, 1, b"\x03\x04" + SUNS) for k in range(10)] and still_open(s))
s.close()
stopped_clean(srv, "header-timeout server")

# ---- 4. lockout: the default cap (16) filled with half headers ----

srv, port = start("--idle-ms", "60000")  # default cap 16, default header timeout 10 s
hs = hostile(port, 16)
t0 = time.monotonic()
master, dt = served_eventually(port, 8)
check(f"16 sockets holding 3 bytes (the default cap): a pymodbus master is served after "
      f"{dt:.2f} s, before the 10 s header timeout", master is not None and dt < 9)
check("the evicted socket is the longest-idle one (the first): it sees the close",
      closed_by_server(hs[0], 3))
check("the 15 others are still open (one eviction, not a timeout)",
      all(still_open(h) for h in hs[1:]))
out = None
t1 = time.monotonic()
while time.monotonic() - t1 < 8:
    out = subprocess.run(["mbpoll", "-m", "tcp", "-p", str(port), "-a", "1", "-1", "-0", "-t",
                          "4:hex", "-r", "40000", "-c", "2", "127.0.0.1"],
                         capture_output=True, text=True)
    if out.returncode == 0:
        break
    time.sleep(0.05)  # pacing between attempts
check("mbpoll is served too (a second eviction)",
      out.returncode == 0 and "0x5375" in out.stdout and "0x6E53" in out.stdout,
      out.stdout[-300:])
check("... which closed the next-longest-idle half header, not the served pymodbus master",
      closed_by_server(hs[1], 3) and all(still_open(h) for h in hs[2:]) and
      master is not None and
      master.read_holding_registers(40000, 2, slave=1).registers == [0x5375, 0x6E53])
if master:
    master.close()
for h in hs:
    h.close()
stopped_clean(srv, "lockout server")

# an idle served master outranks younger half headers; when all were served, the longest idle
srv, port = start("--idle-ms", "60000", "--max-conn", "4")
a = raw(port)
a.sendall(adu(1, 1, rd(40000, 2)))
first = recv_adu(a)
hs = hostile(port, 3)
master, dt = served_eventually(port, 8)
check("cap 4: a served master idle longest, 3 half headers: a newcomer is served",
      first == (1, 1, b"\x03\x04" + SUNS) and master is not None)
check("... by evicting the oldest half header, not the served master",
      closed_by_server(hs[0], 3) and all(still_open(h) for h in hs[1:]) and still_open(a))
a.sendall(adu(2, 1, rd(40000, 2)))
check("... which is still answered", recv_adu(a) == (2, 1, b"\x03\x04" + SUNS))
for h in hs:
    h.close()
a.close()
if master:
    master.close()
stopped_clean(srv, "mixed-cap server")

srv, port = start("--idle-ms", "60000", "--max-conn", "3")
ms = [raw(port) for _ in range(3)]
for k in (0, 1, 2, 0, 2):  # master 1 is then the longest idle, though not the first accepted
    ms[k].sendall(adu(k, 1, rd(40000, 2)))
    assert recv_adu(ms[k]) == (k, 1, b"\x03\x04" + SUNS)
master, dt = served_eventually(port, 8)
check("cap 3, all served: a newcomer is served", master is not None)
check("... by evicting the longest-idle master (the second), the others stay",
      closed_by_server(ms[1], 3) and still_open(ms[0]) and still_open(ms[2]))
for m in ms:
    m.close()
if master:
    master.close()
stopped_clean(srv, "all-served server")

# ---- 5. unit ids ----

srv, port = start()
s = raw(port)
s.sendall(adu(1, 0xFF, rd(40000, 2)))
check("unit id 0xFF (no particular unit, TCP implementation guide): answered, 0xFF echoed",
      recv_adu(s) == (1, 0xFF, b"\x03\x04" + SUNS))
s.sendall(adu(2, 0, rd(40000, 2)) + adu(3, 0xFE, rd(40000, 2)))
check("unit ids 0 and 0xFE: exception 0x0B (gateway target failed to respond)",
      [recv_adu(s), recv_adu(s)] == [(2, 0, b"\x83\x0b"), (3, 0xFE, b"\x83\x0b")])
s.close()
c = ModbusTcpClient("127.0.0.1", port=port, timeout=2, retries=0)
c.connect()
r = c.read_holding_registers(40000, 2, slave=255)
check("pymodbus slave=255 reads SunS", not r.isError() and r.registers == [0x5375, 0x6E53])
c.close()
stopped_clean(srv, "unit server")

# ---- 6. the bind address ----


def refused(port, host):
    try:
        raw(port, host, timeout=1).close()
    except OSError:
        return True
    return False


srv, port = start("--address", "127.0.0.1")
s = raw(port)
s.sendall(adu(1, 1, rd(40000, 2)))
check("--address 127.0.0.1: served there", recv_adu(s) == (1, 1, b"\x03\x04" + SUNS))
s.close()
check("--address 127.0.0.1: ::1 refused", refused(port, "::1"))
stopped_clean(srv, "IPv4-bound server")
srv, port = start("--address", "::1")
s = raw(port, "::1")
s.sendall(adu(1, 1, rd(40000, 2)))
check("--address ::1: served there", recv_adu(s) == (1, 1, b"\x03\x04" + SUNS))
s.close()
check("--address ::1: 127.0.0.1 refused (an IPv6 address binds IPv6 only)",
      refused(port, "127.0.0.1"))
stopped_clean(srv, "IPv6-bound server")
for bad_addr in ("localhost", "127.1", "::1%lo", "1.2.3.4.5"):
    try:
        p = subprocess.run([SERVE, "--port", "0", "--address", bad_addr], capture_output=True,
                           text=True, env=ENV, timeout=10)
        ok, why = (p.returncode != 0 and "Invalid argument" in p.stderr and
                   "port" not in p.stdout), p.stdout + p.stderr[-300:]
    except subprocess.TimeoutExpired:
        ok, why = False, "still running: it serves"
    check(f"--address {bad_addr}: refused (Invalid argument), nothing served", ok, why)

# ---- 7. the same through polymeterd's configuration ----

TMP = tempfile.mkdtemp(prefix="pm-mb-hostile-")


def conf(extra):
    path = f"{TMP}/m.conf"
    with open(path, "w", encoding="ascii") as f:
        f.write("[daemon]\nstate_dir = none\ndbus = none\nlog_interval = 0\n"
                "[meter m]\nsource = sim\n" + extra)
    return path


for line, want in (("modbus_tcp_address = localhost", "expected a numeric IPv4 or IPv6"),
                   ("modbus_tcp_address = 127.1", "expected a numeric IPv4 or IPv6"),
                   ("modbus_tcp_max_connections = 0", "expected an integer 1..256"),
                   ("modbus_tcp_max_connections = 257", "expected an integer 1..256"),
                   ("modbus_tcp_idle_timeout = 0", "expected an integer 1..86400"),
                   ("modbus_tcp_header_timeout = 3601", "expected an integer 1..3600"),
                   ("modbus_tcp_idle_timeout = 5\nmodbus_tcp_header_timeout = 6",
                    "modbus_tcp_header_timeout 6 s is longer than modbus_tcp_idle_timeout 5 s")):
    path = conf(line + "\n")
    nline = 7 + line.count("\n")  # the header timeout comes last
    p = subprocess.run([DAEMON, "--config", path, "--check-config"], capture_output=True,
                       text=True, env=ENV, timeout=30)
    check(f"--check-config refuses '{line.splitlines()[-1]}' with file:line",
          p.returncode != 0 and f"{path}:{nline}: " in p.stderr and want in p.stderr,
          p.stderr[-300:])
path = conf("modbus_tcp_idle_timeout = 5\n")
p = subprocess.run([DAEMON, "--config", path, "--check-config"], capture_output=True, text=True,
                   env=ENV, timeout=30)
check("idle timeout 5 s without a header timeout: accepted (the header default follows it)",
      p.returncode == 0, p.stderr[-300:])

with socket.socket(socket.AF_INET6) as probe:
    probe.bind(("::1", 0))
    dport = probe.getsockname()[1]
path = conf(f"modbus_tcp_port = {dport}\nmodbus_tcp_address = ::1\n"
            "modbus_tcp_max_connections = 2\nmodbus_tcp_header_timeout = 4\n"
            "modbus_tcp_idle_timeout = 30\n")
daemon = subprocess.Popen([DAEMON, "--config", path], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, env=ENV)
procs.append(daemon)
up = False
t0 = time.monotonic()
while time.monotonic() - t0 < 30 and daemon.poll() is None and not up:
    try:  # an answer, not just the kernel's accept: the daemon's loop is running
        with raw(dport, "::1") as s:
            s.sendall(adu(1, 1, rd(40000, 2)))
            up = recv_adu(s) == (1, 1, b"\x03\x04" + SUNS)
    except OSError:
        time.sleep(0.05)  # pacing while the daemon starts
check("polymeterd with modbus_tcp_address = ::1 serves there", up)
check("... and not on 127.0.0.1", refused(dport, "127.0.0.1"))
hs = hostile(dport, 2, "::1")
t0 = time.monotonic()
master, dt = served_eventually(dport, 3.5, "::1")
check(f"modbus_tcp_max_connections = 2 held by half headers: a master is served after {dt:.2f} s",
      master is not None)
check("... the first half header evicted, the second still open (cap 2, not 16)",
      closed_by_server(hs[0], 2) and still_open(hs[1]))
closed = closed_by_server(hs[1], 10)
dt = time.monotonic() - t0
check(f"modbus_tcp_header_timeout = 4: the other half header closed after {dt:.1f} s (>= 4 s "
      f"after its accept)", closed and dt >= 4 - 0.5)
if master:
    check("the master is still served", master.read_holding_registers(40000, 2, slave=1)
          .registers == [0x5375, 0x6E53])
    master.close()
for h in hs:
    h.close()
daemon.terminate()
try:
    _, err = daemon.communicate(timeout=30)
except subprocess.TimeoutExpired:
    daemon.kill()
    _, err = daemon.communicate()
procs.remove(daemon)
check("polymeterd exits cleanly (ASan/UBSan quiet)",
      daemon.returncode == 0 and "Sanitizer" not in err, err[-2000:])

# every listener the daemon opens takes a bind address: Modbus TCP and the DLMS wrapper both
# on 127.0.0.2, so 127.0.0.1 (another address of the same loopback) and ::1 are refused there


def free_port(host):
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


mport, dlport = free_port("127.0.0.2"), free_port("127.0.0.2")
path = conf(f"modbus_tcp_port = {mport}\nmodbus_tcp_address = 127.0.0.2\n"
            f"dlms_port = {dlport}\ndlms_address = 127.0.0.2\n")
p = subprocess.run([DAEMON, "--config", path, "--check-config"], capture_output=True, text=True,
                   env=ENV, timeout=30)
check("modbus_tcp_address and dlms_address = 127.0.0.2: --check-config accepts them",
      p.returncode == 0, p.stderr[-300:])
daemon = subprocess.Popen([DAEMON, "--config", path], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, env=ENV)
procs.append(daemon)
up = False
t0 = time.monotonic()
while time.monotonic() - t0 < 30 and daemon.poll() is None and not up:
    try:  # an answer: the daemon's loop runs, and both listeners were opened before it did
        with raw(mport, "127.0.0.2") as s:
            s.sendall(adu(1, 1, rd(40000, 2)))
            up = recv_adu(s) == (1, 1, b"\x03\x04" + SUNS)
    except OSError:
        time.sleep(0.05)  # pacing while the daemon starts
check("modbus_tcp_address = 127.0.0.2: served there", up)
check("... 127.0.0.1 and ::1 refused on that port",
      refused(mport, "127.0.0.1") and refused(mport, "::1"))
try:
    raw(dlport, "127.0.0.2").close()
    dlms_there = True
except OSError:
    dlms_there = False
check("dlms_address = 127.0.0.2: the DLMS wrapper accepts there", dlms_there)
check("... 127.0.0.1 and ::1 refused on that port",
      refused(dlport, "127.0.0.1") and refused(dlport, "::1"))
daemon.terminate()
try:
    _, err = daemon.communicate(timeout=30)
except subprocess.TimeoutExpired:
    daemon.kill()
    _, err = daemon.communicate()
procs.remove(daemon)
check("polymeterd (127.0.0.2) exits cleanly (ASan/UBSan quiet)",
      daemon.returncode == 0 and "Sanitizer" not in err, err[-2000:])
os.remove(path)
os.rmdir(TMP)

finish()
