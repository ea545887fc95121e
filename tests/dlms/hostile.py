#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""polymeterd's DLMS server under malformed and misbehaving clients: truncated headers and
APDUs left hanging, lengths that lie, wrong wrapper version and wPorts, unknown APDU tags,
deeply nested Data in a SET, pipelined requests, a client that never reads, more connections
than dlms_max_connections, and (on a second daemon with dlms_idle_timeout = 2 and no
dlms_password_file) the idle timeout and a management client that cannot associate; the
dlms_* keys' values refused by --check-config; a third daemon given its listening socket by
systemd-socket-activate (named dlms-METER, as docs/dlms.md tells a .socket unit to name it).
After all of it the daemon still serves, the meter's state is what it was (registers and
balance against D-Bus, supply, tariff, the setting a hostile SET aimed at), and it exits
cleanly on SIGTERM with ASan/UBSan quiet. Run under dbus-run-session (tests/dlms/run does).

usage: hostile.py POLYMETERD        (built with ASan/UBSan: make daemon-asan)

A client left hanging must not stall the others: each such case is proved by another
client being served while it hangs. Expected answers are the standard's (a wrapper frame of
version 1 to wPort 1 from the client's wPort; an APDU the server does not take is refused
or the connection closed, never associated). Waits are on state changes, bounded; a few
bounded waits for an answer that must NOT come are the only way to see silence.
Last line: "N passed, N failed".
"""
import socket
import subprocess
import sys
import threading
import time

from dlmstest import (METER, MANAGEMENT, PASSWORD, PUBLIC, SANITIZER_ENV, Bus, Daemon, associated, between,
                      check, dc, done, eventually, free_port, meter_conf, section,
                      stopped_clean, tmpdir, wait_until)

DAEMON = sys.argv[1]
# ASan keeps freed memory in quarantine (256 MB by default): bound it, so that the daemon's
# resident size says what it holds, for the client that never reads its answers
SANITIZER_ENV["ASAN_OPTIONS"] += ":quarantine_size_mb=16"
TMP = tmpdir("pm-dlms-hostile-")
PORT = free_port()
daemon = Daemon(DAEMON, meter_conf(TMP, PORT), TMP, PORT)
up = daemon.wait_serving(60)
check("polymeterd serves DLMS (dlms_max_connections = 8)", up, daemon.stderr()[-1500:])
if not up:
    daemon.stop()
    done()
bus = Bus()
check("the meter is on the session bus", eventually(bus.published, 60, "the meter on D-Bus"))

CLOCK, ASSOC = dc.CLOCK, dc.ASSOCIATION_LN
ACCOUNT = (111, "0.0.19.0.0.255")
DISCONNECT = (70, "0.0.96.3.10.255")
CALENDAR = (20, "0.0.13.0.0.255")
AARQ = dc.build_aarq()
AARQ_FRAME = dc.wrap(AARQ, PUBLIC, 1)


class Raw:
    """A connection the test writes octets to as it likes; what comes back is read as frames
    through one Wrapper (which keeps what arrived beyond a frame for the next)."""

    def __init__(self, port=PORT, timeout=5):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.wrapper = dc.Wrapper(self.sock, timeout)

    def sendall(self, data):
        self.sock.sendall(data)

    def close(self):
        self.sock.close()


def answer(conn, timeout):
    """The next frame on @conn (a Raw or a Client), or "closed", or "silent" after @timeout s."""
    try:
        return conn.wrapper.recv_frame(timeout)
    except dc.Closed:
        return "closed"
    except dc.Timeout:
        return "silent"
    except OSError:  # reset
        return "closed"


def closed_soon(conn, timeout):
    return conn.wrapper.closed_by_peer(timeout)


def kind_of(reply):
    """What a reply is: "silent", "closed", an APDU kind, or "malformed"."""
    if isinstance(reply, str):
        return reply
    try:
        return dc.parse_apdu(reply.apdu).kind
    except dc.DlmsError:
        return "malformed"


def associate_retry(port, sap):
    """An association, retried while the server may still count a connection just closed."""
    def attempt():
        try:
            return associated(port, sap, timeout=5)
        except (OSError, dc.DlmsError):
            return None
    return wait_until(attempt, 15, f"an association as SAP {sap}")


def not_associated(reply):
    """An AARQ's reply that is not an accepted association: silence, a close, a rejecting
    AARE, an exception-response."""
    if isinstance(reply, str):
        return True
    try:
        resp = dc.parse_apdu(reply.apdu)
    except dc.DlmsError:
        return False  # malformed: not an acceptable answer either
    return resp.kind == "exception" or (resp.kind == "aare" and not resp.result.accepted)


def served(sap=PUBLIC):
    """A new client associates and reads the Clock's LN and +A's value."""
    try:
        with associated(PORT, sap, timeout=5) as c:
            return (c.get(*CLOCK, 1) == dc.obis(CLOCK[1]) and
                    isinstance(c.get(3, "1.0.1.8.0.255", 2), int))
    except (OSError, dc.DlmsError):
        return False


def state(c):
    """What no hostile client may change: supply, tariff name, the low-credit setting (over
    DLMS and D-Bus)."""
    acc = bus.account()
    return (c.get(*DISCONNECT, 2), c.get(*DISCONNECT, 3), c.get(*CALENDAR, 2),
            c.get_typed(*ACCOUNT, 16), str(acc["SupplyState"]), str(acc["TariffName"]),
            int(acc["Configuration"]["low_credit"]))


with associated(PORT, MANAGEMENT) as mgmt:
    STATE0 = state(mgmt)
    MGMT_LIST = dc.parse_object_list(mgmt.get(*ASSOC, 2))
check("the state kept to compare at the end: supply closed, tariff \"Two rates\"",
      STATE0[:3] == (True, 1, b"Two rates") and STATE0[4:6] == ("closed", "Two rates"),
      str(STATE0))

# ---- 1. truncated headers and APDUs, left hanging ----

with section("truncated headers and APDUs, left hanging"):
    hang = [Raw() for _ in range(3)]
    for s in hang:
        s.sendall(AARQ_FRAME[:3])
    check("3 connections holding 3 octets of a wrapper header: another client is served meanwhile",
          served())
    half = Raw()
    half.sendall(AARQ_FRAME[:8 + 10])
    check("a connection holding a header and 10 of its 31 APDU octets: another client is served "
          "meanwhile", served())
    check("... the half AARQ is not answered", answer(half, 1) == "silent")
    half.sendall(AARQ_FRAME[18:])
    reply = answer(half, 5)
    check("... its remaining 21 octets arrive: the AARQ is answered, accepted",
          not isinstance(reply, str) and dc.parse_apdu(reply.apdu).kind == "aare" and
          dc.parse_apdu(reply.apdu).result.accepted, str(reply))
    for s in hang + [half]:
        s.close()
    s = Raw()
    frames = AARQ_FRAME + dc.wrap(dc.get_request_normal(0xC1, *CLOCK, 1), PUBLIC, 1)
    for k in range(len(frames)):  # one octet a segment
        s.sendall(frames[k:k + 1])
    r1, r2 = answer(s, 5), answer(s, 5)
    check("an AARQ and a GET sent one octet a segment: both answered (AARE accepted, the LN)",
          not isinstance(r2, str) and dc.parse_apdu(r1.apdu).result.accepted and
          dc.parse_apdu(r2.apdu).result.value() == dc.obis(CLOCK[1]), f"{r1} {r2}")
    s.close()

# ---- 2. lengths that lie ----

with section("lengths that lie"):
    s = Raw()
    s.sendall(dc.wrap(AARQ, PUBLIC, 1, length=len(AARQ) + 20))
    check("a header announcing 20 octets more than the AARQ sent: not answered while they are "
          "missing", answer(s, 1) == "silent")
    check("... another client is served meanwhile", served())
    s.sendall(bytes(20))
    reply = answer(s, 5)
    check("... the 20 octets (zeros) arrive: the frame is answered (an AARQ followed by 20 stray "
          "octets: refused, or taken), or the connection closed; no hang",
          reply != "silent" and kind_of(reply) != "malformed", str(reply))
    s.close()
    for n in (0xFFFF, 0x8000):
        s = Raw()
        s.sendall(dc.wrap(b"", PUBLIC, 1, length=n) + AARQ)
        check(f"a header announcing {n} octets (more than any APDU the server takes): the "
              "connection closed", closed_soon(s, 5))
        s.close()
    s = Raw()
    s.sendall(dc.wrap(b"", PUBLIC, 1) + AARQ_FRAME)
    reply = answer(s, 5)
    check("an empty APDU (length 0) then an AARQ: the connection closed, or an answer (an "
          "exception-response, or the AARE); no hang", kind_of(reply) in
          ("closed", "aare", "exception"), str(reply))
    s.close()

# ---- 3. wrong wrapper version, wrong wPorts ----

with section("wrong wrapper version, wrong wPorts"):
    for what, frame in (("version 2", dc.wrap(AARQ, PUBLIC, 1, version=2)),
                        ("version 0", dc.wrap(AARQ, PUBLIC, 1, version=0)),
                        ("destination wPort 2", dc.wrap(AARQ, PUBLIC, 2)),
                        ("destination wPort 16", dc.wrap(AARQ, PUBLIC, 16)),
                        ("destination wPort 0", dc.wrap(AARQ, PUBLIC, 0))):
        s = Raw()
        s.sendall(frame)
        reply = answer(s, 2)
        check(f"an AARQ with {what}: not associated (dropped, refused or closed)",
              not_associated(reply), str(reply))
        s.close()
    check("... another client is served after them", served())
    mgmt_only = None
    with associated(PORT, PUBLIC) as pub:
        pub_list = {(o.class_id, o.ln) for o in dc.parse_object_list(pub.get(*ASSOC, 2))}
        for o in MGMT_LIST:
            if (o.class_id, o.ln) not in pub_list:
                mgmt_only = (o.class_id, o.ln, 2)
                break
        target = mgmt_only or (*ACCOUNT, 16)
        pub.wrapper.send_apdu(dc.get_request_normal(0xC1, *target), source=MANAGEMENT,
                              destination=1)
        reply = answer(pub, 2)
        try:
            leaked = not isinstance(reply, str) and dc.parse_apdu(reply.apdu).kind == \
                "get-normal" and dc.parse_apdu(reply.apdu).result.ok
        except dc.DlmsError:
            leaked = False
    check("a public association sending a GET from source wPort 1 (the management client's) for "
          f"{dc.obis_str(dc.obis(target[1]))}: no data", not leaked, str(reply))

# ---- 4. unknown APDU tags, before and after the association ----

with section("unknown APDU tags, before and after the association"):
    UNKNOWN = (b"\x42\x01\x02", b"\xff", b"\xe0\x00\x00", b"\xc0\x09\xc1")
    for when in ("before", "after"):
        for apdu in UNKNOWN:
            s = Raw()
            w = s.wrapper
            ok = True
            if when == "after":
                w.send_raw(AARQ_FRAME)
                ok = dc.parse_apdu(w.recv_frame().apdu).result.accepted
            w.send_apdu(apdu, PUBLIC, 1)
            kind = kind_of(answer(s, 2))
            still = None
            if when == "after" and kind not in ("closed", "malformed"):
                w.send_apdu(dc.get_request_normal(0xC2, *CLOCK, 1), PUBLIC, 1)
                still = kind_of(answer(s, 5))
            check(f"APDU {apdu.hex(' ')} {when} the association: an exception-response, nothing or "
                  "a close, and the connection does what it did",
                  ok and kind in ("exception", "service-error", "silent", "closed") and
                  (when == "before" or still in (None, "get-normal", "closed")),
                  f"{kind} then {still}")
            s.close()
    check("... another client is served after them", served())

# ---- 5. deeply nested Data in a SET ----


with section("deeply nested Data in a SET"):
    def set_refused(what, send):
        """Runs @send (a function of a fresh management client returning a result or raising) and
        checks the SET was not a success: refused, or the connection closed."""
        with associated(PORT, MANAGEMENT) as c:
            try:
                got = send(c)
            except (dc.Closed, dc.Timeout, OSError) as e:
                got = type(e).__name__
            except dc.DlmsError as e:  # an exception-response
                got = str(e)
        check(f"{what}: not a success ({got})", got != 0 and got != (0, [])
              and not (isinstance(got, tuple) and got[0] == 0), str(got))


    DEEP = dc.nested_structures(10000)
    set_refused("SET-Request-Normal of 500 nested structures (1001 octets, the APDU within 1024)",
                lambda c: c.set(*ACCOUNT, 16, dc.nested_structures(500)))
    set_refused("SET-Request-Normal of 10 000 nested structures (an APDU of 20 014 octets)",
                lambda c: c.set(*ACCOUNT, 16, DEEP))
    set_refused("SET with datablocks of 800 octets carrying 10 000 nested structures",
                lambda c: c.set_with_blocks(*ACCOUNT, 16, DEEP, 800))
    set_refused("SET with datablocks of 10 000 nested arrays",
                lambda c: c.set_with_blocks(*ACCOUNT, 16, b"\x01\x01" * 10000 + b"\x00", 800))
    with associated(PORT, MANAGEMENT) as c:
        try:
            c.send(dc.get_request_normal(0xC1, 7, "1.0.99.1.0.255", 2)[:-1] + b"\x01\x02" +
                   dc.nested_structures(400))
            resp = dc.parse_apdu(c.recv(5))
            r = resp.kind if resp.kind != "get-normal" else (resp.result.dar_name
                                                             if not resp.result.ok else "data")
        except dc.ProtocolError as e:
            r = repr(e)
        except (dc.Closed, dc.Timeout) as e:
            r = type(e).__name__
    check("a GET whose selective-access parameters are 400 nested structures: refused or closed, "
          "no data", r != "data", str(r))
    check("... another client is served after them", served(MANAGEMENT))

# ---- 6. pipelined requests ----

with section("pipelined requests"):
    s = Raw()
    gets = [dc.get_request_normal(0xC0 | (k % 15 + 1), *CLOCK, 1) for k in range(40)]
    s.sendall(AARQ_FRAME + b"".join(dc.wrap(g, PUBLIC, 1) for g in gets))
    replies = [answer(s, 5) for _ in range(41)]
    ok = kind_of(replies[0]) == "aare" and dc.parse_apdu(replies[0].apdu).result.accepted
    bad = []
    for k, rep in enumerate(replies[1:]):
        if kind_of(rep) != "get-normal":
            bad.append((k, kind_of(rep)))
            continue
        resp = dc.parse_apdu(rep.apdu)
        if resp.iip != gets[k][2] or not resp.result.ok or resp.result.value() != dc.obis(CLOCK[1]):
            bad.append((k, resp))
    check("an AARQ and 40 GETs in one segment: 41 answers, in order, each with its invoke id",
          ok and not bad, str(bad[:3]))
    s.close()

# ---- 7. a client that never reads its answers ----

with section("a client that never reads its answers"):
    flood = associated(PORT, MANAGEMENT)
    flood.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    n_list = len(dc.encode_data(flood.get_typed(*ASSOC, 2)))
    N = 30000
    requests = b"".join(dc.wrap(dc.get_request_normal(0xC1, *ASSOC, 2), MANAGEMENT, 1)
                        for _ in range(N))
    rss0 = daemon.rss_kb()
    sent = {"n": 0, "error": None}


    def push():
        flood.sock.settimeout(None)
        try:
            for k in range(0, len(requests), 65536):
                flood.sock.sendall(requests[k:k + 65536])
                sent["n"] = k + 65536
        except OSError as e:
            sent["error"] = e


    pusher = threading.Thread(target=push, daemon=True)
    pusher.start()
    ok = all(served() for _ in range(3))
    check(f"a client sends {N} GETs of the object list ({N * n_list // 1000000} MB of answers) "
          "and reads none: 3 other clients served meanwhile", ok)
    pusher.join(15)
    rss1 = daemon.rss_kb()
    check(f"... the daemon holds no more than 64 MB more for it ({(rss1 - rss0) // 1024} MB "
          f"more; the client pushed {min(sent['n'], len(requests)) // 1024} KB of requests"
          f"{', then ' + type(sent['error']).__name__ if sent['error'] else ''})",
          rss1 - rss0 < 64 * 1024)
    flood.sock.shutdown(socket.SHUT_RDWR)
    flood.close()
    pusher.join(10)
    check("... it closes: another client is served", eventually(served, 15, "served after"))

# ---- 8. more connections than dlms_max_connections (8) ----

with section("more connections than dlms_max_connections (8)"):
    conns = [associate_retry(PORT, PUBLIC) for _ in range(7)] + [associate_retry(PORT, MANAGEMENT)]
    extra = Raw()
    extra.sendall(AARQ_FRAME)
    reply = answer(extra, 3)
    check("8 associations open (dlms_max_connections = 8): a 9th connection is not served",
          not_associated(reply), str(reply))
    extra.close()
    check("... the 8 (7 public, 1 management) are all still served",
          all(c.get(*CLOCK, 1) == dc.obis(CLOCK[1]) for c in conns))
    for c in conns[:2]:
        c.close()
    check("two of them close: a newcomer is served", eventually(served, 15, "served at the cap"))
    for c in conns[2:]:
        c.close()

# ---- 9. the idle timeout (a second daemon: dlms_idle_timeout = 2) ----

with section("the idle timeout (a second daemon: dlms_idle_timeout = 2)"):
    TMP2 = tmpdir("pm-dlms-idle-")
    PORT2 = free_port()
    idle = Daemon(DAEMON, meter_conf(TMP2, PORT2, dbus="none", state=False, dlms_idle_timeout=2,
                                     dlms_password_file=None), TMP2, PORT2)
    check("a second polymeterd, dlms_idle_timeout = 2 and no dlms_password_file, serves the "
          "public client", idle.wait_serving(60))
    with dc.Client("127.0.0.1", PORT2, client_sap=MANAGEMENT, timeout=5) as c:
        a = c.associate(password=PASSWORD)
    check("... without dlms_password_file the management client cannot associate, even with "
          "the password it had (AARE rejected)", not a.accepted, str(a))
    socks = {"an associated client that falls silent": associated(PORT2, PUBLIC),
             "a connection that never sends": Raw(PORT2),
             "a connection holding 3 octets of a header": Raw(PORT2)}
    socks["a connection holding 3 octets of a header"].sendall(AARQ_FRAME[:3])
    t0 = time.monotonic()
    poller = associated(PORT2, PUBLIC)
    closed_at = {}
    polled = True
    while time.monotonic() - t0 < 4.5:  # the poller asks every 0.5 s: twice the idle timeout
        polled = polled and poller.get(*CLOCK, 1) == dc.obis(CLOCK[1])
        for what, s in socks.items():
            if what not in closed_at and closed_soon(s, 0.05):
                closed_at[what] = time.monotonic() - t0
        time.sleep(0.5)  # the poll interval, not a synchronisation
    for what, s in socks.items():
        if what not in closed_at and closed_soon(s, 10):
            closed_at[what] = time.monotonic() - t0
        check(f"{what}: closed by the idle timeout ({closed_at.get(what, -1):.1f} s: 2 s, <= 7 s)",
              between(closed_at.get(what, -1), 1.8, 7))
        s.close()
    check("a client asking every 0.5 s for 4.5 s stays associated and served", polled and
          poller.get(*CLOCK, 1) == dc.obis(CLOCK[1]))
    poller.close()
    stopped_clean(idle, "the second polymeterd")

# ---- the dlms_* keys checked before anything is served ----

with section("configuration"):
    for key, value in (("dlms_port", "65536"), ("dlms_port", "port"), ("dlms_max_connections", "0"),
                       ("dlms_address", "not-an-address")):
        path = meter_conf(TMP2, 4059, dbus="none", state=False, **{key: value})
        line = 1 + open(path, encoding="ascii").read().split("\n").index(f"{key} = {value}")
        p = subprocess.run([DAEMON, "--config", path, "--check-config"], capture_output=True,
                           text=True, env=SANITIZER_ENV, timeout=30)
        check(f"--check-config refuses {key} = {value}, naming the file and line",
              p.returncode != 0 and f"{path}:{line}: " in p.stderr, p.stderr[-300:])

# ---- socket activation: the listening socket passed by systemd as dlms-NAME ----

with section("socket activation (systemd-socket-activate, as a .socket unit would)"):
    # Two sockets passed, named as two meters' would be: the daemon takes the one named for its
    # meter (dlms-METER), whatever its position, and serves on it although the configuration has
    # no dlms_port (a .socket unit then owns the port and the address).
    TMP3 = tmpdir("pm-dlms-activated-")
    OTHER, PORT3 = free_port(), free_port()
    act = Daemon(DAEMON, meter_conf(TMP3, PORT3, dbus="none", state=False, dlms_port=None,
                                    dlms_address=None), TMP3, PORT3,
                 prefix=("systemd-socket-activate", "-l", f"127.0.0.1:{OTHER}", "-l",
                         f"127.0.0.1:{PORT3}", f"--fdname=dlms-other:dlms-{METER}"))
    check(f"served on the socket named dlms-{METER} (the second of two passed)",
          act.wait_serving(60), act.stderr()[-1500:])
    with associated(PORT3, PUBLIC) as c:
        check("... the public client reads the clock's logical name there",
              c.get(*CLOCK, 1) == dc.obis(CLOCK[1]))
    other = Raw(OTHER)  # connects: the socket listens (its backlog), nobody accepts
    other.sendall(AARQ_FRAME)
    check("the socket named for another meter is not served by this one (silent for 2 s)",
          answer(other, 2) == "silent")
    other.close()
    stopped_clean(act, "the socket-activated polymeterd")

# ---- after all of it ----

with section("after all of it"):
    check("the first daemon still serves both clients", served() and served(MANAGEMENT))
    b = bus.meter()
    with associated(PORT, MANAGEMENT) as c:
        su = c.get(3, "1.0.1.8.0.255", 3)
        imp = c.get(3, "1.0.1.8.0.255", 2) * 10.0 ** su[0]
        bal0 = bus.account()["Balance"]
        credit = c.get_result(112, "0.0.19.10.0.255", 2)
        bal1 = bus.account()["Balance"]
        cur = c.get(*ACCOUNT, 15)
        now = state(c)
    a = bus.meter()
    step = 10 ** (cur[1] + 5)
    check("+A still equals D-Bus EnergyImport (read before and after), and the credit D-Bus "
          "Balance",
          between(imp, b["EnergyImport"], a["EnergyImport"] + 1, 10.0 ** su[0]) and credit.ok and
          between(credit.value() * step, bal0, bal1, step), f"{imp} {b['EnergyImport']} "
          f"{credit.value() if credit.ok else credit.dar_name} {bal0}")
    check("supply, tariff and the low-credit setting as they were before the hostile clients",
          now == STATE0, f"{now} vs {STATE0}")
stopped_clean(daemon, "polymeterd")
done()
