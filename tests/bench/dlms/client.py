#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""make bench, the DLMS server's part: figures of a running polymeterd's DLMS/COSEM server
(TCP wrapper) on this host, measured with the project's own client (tests/dlms/dlms_client.py).

  associations/s   AARQ + RLRQ on one connection, N times; and with a new TCP connection
                   each time (connect, associate, release, close)
  GET/s            GET-Request-Normal of one register's value (+A, 1.0.1.8.0.255 attr 2) over
                   one association, N times, one request in flight
  load profile     the whole buffer of 1.0.99.1.0.255 (attr 2, no selector) at client max PDU
                   65535: wall time, entries, octets on the wire each way (wrapper headers
                   included), APDUs received
  with --hls       HLS-GMAC associations/s (the four passes + RLRQ on one connection) and
                   ciphered GET/s (glo-get-request of the same register), beside the above

One line per figure, "BENCH dlms ...". Figures vary with the machine and its load: they are
printed, never compared with a limit.

usage: client.py PORT [--host 127.0.0.1] [--client 16] [--password PW] [-n 1000]
                [--hls EK:AK:CLIENT-TITLE]
       (the management client, SAP 1, needs --password: the content of dlms_password_file;
       --hls: the keys and client title of dlms_key_file, in hex)
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "dlms"))
import cosem_security as sec  # noqa: E402  pylint: disable=wrong-import-position
import dlms_client as dc  # noqa: E402  pylint: disable=wrong-import-position

PROFILE = (7, "1.0.99.1.0.255", 2)
REGISTER = (3, "1.0.1.8.0.255", 2)


def time_gets(c, n):
    """Seconds for @n GETs of the register, one in flight, after one untimed."""
    c.get(*REGISTER)
    t0 = time.perf_counter()
    for _ in range(n):
        c.get(*REGISTER)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("port", type=int)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--client", type=int, default=16, help="client SAP (16 public, 1 management)")
    ap.add_argument("--password", help="the management client's LLS password")
    ap.add_argument("-n", type=int, default=1000, help="repetitions of the timed requests")
    ap.add_argument("--hls", help="EK:AK:CLIENT-TITLE in hex: HLS-GMAC figures too")
    a = ap.parse_args()

    def connect():
        return dc.Client(a.host, a.port, client_sap=a.client, timeout=30)

    def associate(c, max_pdu=0xFFFF):
        aare = c.associate(password=a.password, max_pdu=max_pdu)
        if not aare.accepted:
            sys.exit(f"association refused: {aare}")

    with connect() as c:
        t0 = time.perf_counter()
        for _ in range(a.n):
            associate(c)
            c.release()
        dt = time.perf_counter() - t0
    print(f"BENCH dlms associations/s one connection: {a.n / dt:.0f} "
          f"({a.n} AARQ + RLRQ, {dt * 1e6 / a.n:.0f} us each)", flush=True)

    n = max(a.n // 5, 1)
    t0 = time.perf_counter()
    for _ in range(n):
        with connect() as c:
            associate(c)
            c.release()
    dt = time.perf_counter() - t0
    print(f"BENCH dlms associations/s new connection each: {n / dt:.0f} "
          f"({n} connect + AARQ + RLRQ + close, {dt * 1e6 / n:.0f} us each)", flush=True)

    with connect() as c:
        associate(c)
        dt = time_gets(c, a.n)
        c.release()
    print(f"BENCH dlms GET/s of {REGISTER[1]} attr 2 over one association: {a.n / dt:.0f} "
          f"({a.n} GETs, {dt * 1e6 / a.n:.0f} us each)", flush=True)

    with connect() as c:
        associate(c, 0xFFFF)
        sent, received = c.wrapper.bytes_sent, c.wrapper.bytes_received
        apdus = len(c.received)
        t0 = time.perf_counter()
        res = c.get_result(*PROFILE)
        dt = time.perf_counter() - t0
        sent = c.wrapper.bytes_sent - sent
        received = c.wrapper.bytes_received - received
        apdus = len(c.received) - apdus
        c.release()
    if not res.ok:
        sys.exit(f"load profile refused: {res.dar_name}")
    rows = res.value()
    print(f"BENCH dlms load profile whole at max PDU 65535: {dt * 1e3:.1f} ms, {len(rows)} "
          f"entries, {received} octets received in {apdus} APDUs ({len(res.raw)} of Data), "
          f"{sent} sent", flush=True)
    if a.hls:
        hls_figures(a, connect)


def hls_figures(a, connect):
    """The four passes and ciphered GETs as the management client (SAP 1)."""
    ek, ak, title = (bytes.fromhex(x) for x in a.hls.split(":"))
    hls = sec.Hls(sec.Keys(ek, ak), title)
    a.client = 1

    def associate(c):
        try:
            aare = hls.associate(c)
        except dc.ExceptionResponse as e:
            if e.expected is None:
                raise
            hls.ic = e.expected  # the meter has seen our counters before: move on to its own
            aare = hls.associate(c)
        if not aare.accepted:
            sys.exit(f"HLS association refused: {aare}")

    n = max(a.n // 5, 1)
    with connect() as c:
        t0 = time.perf_counter()
        for _ in range(n):
            associate(c)
            c.release()
            c.security = None
        dt = time.perf_counter() - t0
    print(f"BENCH dlms HLS-GMAC associations/s one connection: {n / dt:.0f} "
          f"({n} AARQ + reply_to_HLS_authentication + RLRQ, {dt * 1e6 / n:.0f} us each)",
          flush=True)
    with connect() as c:
        associate(c)
        dt = time_gets(c, a.n)
    print(f"BENCH dlms ciphered GET/s of {REGISTER[1]} attr 2 over one HLS association: "
          f"{a.n / dt:.0f} ({a.n} glo-get-requests, {dt * 1e6 / a.n:.0f} us each)", flush=True)


if __name__ == "__main__":
    main()
