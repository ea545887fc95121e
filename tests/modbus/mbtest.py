# SPDX-License-Identifier: GPL-2.0-only
"""What the Modbus test scripts share: PASS/FAIL counting with the "N passed, N failed" last
line (also when a script dies of an unexpected error), the processes to kill then, the
sanitizer settings for the programs under test, RTU frames and socat pty pairs."""
import os
import struct
import subprocess
import sys
import time

SANITIZER_ENV = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=1",
                     UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")

procs = []  # started processes, killed if the script dies
_count = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    if ok:
        _count["passed"] += 1
        print(f"PASS {name}")
    else:
        _count["failed"] += 1
        print(f"FAIL {name} {detail}")


def summary():
    """Prints the last line and exits: status 1 when anything failed."""
    print(f"{_count['passed']} passed, {_count['failed']} failed")
    sys.exit(1 if _count["failed"] else 0)


def _crashed(kind, value, tb):
    """An unexpected error still ends with the summary line, counted as a failure."""
    sys.__excepthook__(kind, value, tb)
    for p in list(procs):
        p.kill()
    print(f"{_count['passed']} passed, {_count['failed'] + 1} failed")
    sys.exit(1)


sys.excepthook = _crashed


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
    deadline = time.monotonic() + 5
    while not (os.path.exists(a) and os.path.exists(b)):
        if time.monotonic() > deadline:
            raise RuntimeError("socat did not create the pty pair")
        time.sleep(0.02)
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
