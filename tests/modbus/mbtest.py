# SPDX-License-Identifier: GPL-2.0-only
"""What the Modbus test scripts share beyond tests/lib/checks.py (PASS/FAIL counting with the
"N passed, N failed" last line, also when a script dies of an unexpected error; bounded waits):
the processes to kill then, the sanitizer settings for the programs under test, RTU frames and
socat pty pairs."""
import os
import re
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "lib"))
# pylint: disable=wrong-import-position,unused-import
from checks import (PipeLog, WaitTimeout, at_crash, check, eventually,  # noqa: E402,F401
                    finish, wait_until)

SANITIZER_ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=1",
                     UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")

procs = []  # started processes, killed if the script dies
at_crash(lambda: [p.kill() for p in procs])


def start_server(serve, *args, env=None):
    """Starts a Modbus TCP test server (tests/modbus/serve.c) on a port the kernel picks, waits
    for the line that names it; returns (process, port). The process is registered in procs."""
    p = subprocess.Popen([serve, "--port", "0", *args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    line = p.stdout.readline()
    m = re.match(r"port (\d+)", line)
    if not m:
        raise RuntimeError(f"server did not start: {line!r} {p.stderr.read()}")
    procs.append(p)
    return p, int(m.group(1))


def stop_server(p):
    """Terminates a server of start_server(); returns (exit status, its stderr)."""
    p.terminate()
    try:
        _, err = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    procs.remove(p)
    return p.returncode, err


def crc16(data):
    """CRC-16/MODBUS, written from the serial line guide (poly 0xA001 reflected, init 0xFFFF)."""
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def rtu_frame(unit, pdu):
    """An RTU ADU: address, PDU, CRC low byte first."""
    body = bytes([unit]) + pdu
    return body + struct.pack("<H", crc16(body))


def pty_pair(a, b):
    """A socat pty pair linked at paths a and b (registered in procs); waits for both."""
    p = subprocess.Popen(["socat", f"pty,raw,echo=0,link={a}", f"pty,raw,echo=0,link={b}"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append(p)
    wait_until(lambda: os.path.exists(a) and os.path.exists(b), 30, f"socat's pty pair {a} {b}",
               interval=0.02)
    return p


def end(p):
    """Terminates a process of procs and waits for it."""
    if p.poll() is None:
        p.terminate()
    p.wait()
    procs.remove(p)


def unanswered(client, unit, address=40000):
    """True when a pymodbus read of @unit gets no answer (what a slave that is not on the line
    gives: a timeout, whether pymodbus returns it as an error or raises it)."""
    try:
        r = client.read_holding_registers(address, 2, slave=unit)
    except Exception:  # pylint: disable=broad-except
        return True
    return r is None or not hasattr(r, "registers") or r.isError()
