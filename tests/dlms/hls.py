#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""polymeterd's HLS-GMAC (security suite 0) against the project's own client
(cosem_security.py): the management client associates with the four passes, reads and writes
with every APDU glo- or general-glo-ciphered; a wrong key, a wrong system title, a replayed
invocation counter and an unciphered write are each refused with the standard's code and
change nothing; the low-level-security client may no longer disconnect the supply or write
the Account, the HLS client may; and the server's invocation counters keep rising across kill -9 of the daemon
(the store's reservation), while a request recorded before the kill is still refused after
it. Run under dbus-run-session (tests/dlms/run does).

usage: hls.py POLYMETERD        (built with ASan/UBSan: make daemon-asan)
Last line: "N passed, N failed".
"""
import os
import sys

import cosem_security as sec
from dlmstest import (MANAGEMENT, Daemon, associated, check, client, dc, done, free_port,
                      meter_conf, section, stopped_clean, tmpdir)

DAEMON = sys.argv[1]
TMP = tmpdir("pm-dlms-hls-")
PORT = free_port()
KEYS = sec.Keys(bytes.fromhex("000102030405060708090A0B0C0D0E0F"),
                bytes.fromhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"))
SERVER_TITLE = bytes.fromhex("504D540000000001")  # "PMT", then a serial number
CLIENT_TITLE = bytes.fromhex("4D4D4D0000000001")
ACCOUNT = (111, "0.0.19.0.0.255")
DISCONNECT = (70, "0.0.96.3.10.255")
LOW_CREDIT = 16  # Account low_credit_threshold: the management client may write it


def key_file():
    path = f"{TMP}/dlms-keys"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(f"# the meter's HLS-GMAC keys\nsystem_title = {SERVER_TITLE.hex()}\n"
                f"client_system_title = {CLIENT_TITLE.hex()}\n"
                f"encryption_key = {KEYS.ek.hex()}\nauthentication_key = {KEYS.ak.hex()}\n")
    return path


CONF = meter_conf(TMP, PORT, dlms_key_file=key_file())
# the client's counter goes on across every association of the test, as a head-end's does
hls = sec.Hls(KEYS, CLIENT_TITLE, ic=1)


def hls_client(keys=KEYS, title=CLIENT_TITLE, general=False):
    """A connection associated (or refused: see .aare) as the management client with HLS."""
    c = client(PORT, MANAGEMENT)
    s = hls if keys is KEYS and title == CLIENT_TITLE else sec.Hls(keys, title, ic=hls.ic)
    s.general = general
    c.aare = s.associate(c)
    return c


def raw_exchange(c, apdu):
    """Sends @apdu as it is; the answer parsed (deciphered when it comes ciphered)."""
    security, c.security = c.security, None
    try:
        c.send(apdu)
        answer = c.recv()
    finally:
        c.security = security
    if answer[:1] in (b"\xCC", b"\xCD", b"\xCF", b"\xDB"):
        answer = security.unwrap(answer)
    return dc.parse_apdu(answer)


daemon = Daemon(DAEMON, CONF, TMP, PORT)
up = daemon.wait_serving(60)
check("polymeterd serves DLMS with dlms_key_file", up, daemon.stderr()[-1500:])
if not up:
    daemon.stop()
    done()

with section("HLS association and ciphered services"):
    c = hls_client()
    a = c.aare
    check("AARQ with mechanism 5 and ciphered context: AARE accepted, authentication-required "
          "(14), the server's title, mechanism 5, a 16-octet challenge; reply_to_HLS_"
          "authentication answered with an f(CtoS) that verifies",
          a.accepted and a.diagnostic == 14 and bytes(a.responding_ap_title[2:]) ==
          SERVER_TITLE and a.mechanism == bytes.fromhex("60857405080205") and
          len(a.responding_auth_value) == 18, str(a))
    old = c.get_typed(*ACCOUNT, LOW_CREDIT)
    check("ciphered GET (glo-get-request, SC 30) of Account low_credit_threshold: a "
          "double-long", old.tag == dc.Tag.DOUBLE_LONG, str(old))
    r = c.set(*ACCOUNT, LOW_CREDIT, dc.Data(old.tag, old.value + 5))
    check("ciphered SET of it +5: success, read back +5",
          r == 0 and c.get_typed(*ACCOUNT, LOW_CREDIT).value == old.value + 5, str(r))
    replayed = hls.last_sent  # glo-set-request of +5
    r = c.set(*ACCOUNT, LOW_CREDIT, old)
    check("ciphered SET of the old value: success", r == 0, str(r))
    e = raw_exchange(c, replayed).result
    check("the glo-set-request of +5 sent again (its counter used): EXCEPTION-Response "
          "invocation-counter-error with the counter expected next; nothing changed",
          isinstance(e, dc.ExceptionResponse) and e.service_error == 6 and
          e.expected == hls.ic and c.get_typed(*ACCOUNT, LOW_CREDIT) == old,
          f"{e} {getattr(e, 'expected', None)} {hls.ic}")
    plain = dc.set_request_normal(c.next_iip(), *ACCOUNT, LOW_CREDIT,
                                  dc.Data(old.tag, old.value + 9))
    e = raw_exchange(c, plain).result
    check("an unciphered SET in the HLS association: EXCEPTION-Response service-not-allowed, "
          "operation-not-possible; nothing changed",
          isinstance(e, dc.ExceptionResponse) and (e.state_error, e.service_error) == (1, 1) and
          c.get_typed(*ACCOUNT, LOW_CREDIT) == old, str(e))
    other = sec.Keys(KEYS.ek, bytes(16))
    forged = sec.protect(other, sec.SC_BOTH, CLIENT_TITLE, hls.next_ic(), plain)
    e = raw_exchange(c, bytes([0xC9, len(forged)]) + forged).result
    check("a SET ciphered under another authentication key: deciphering-error; nothing "
          "changed", isinstance(e, dc.ExceptionResponse) and e.service_error == 5 and
          c.get_typed(*ACCOUNT, LOW_CREDIT) == old, str(e))
    c.release()
    c.close()
    g = hls_client(general=True)
    v = g.get_typed(*ACCOUNT, LOW_CREDIT)
    check("general-glo-ciphering: associated, the same value read", v == old, str(v))
    g.close()

with section("what needs HLS"):
    c = associated(PORT, MANAGEMENT)  # LLS, with the password
    state = c.get(*DISCONNECT, 3)
    r, _ = c.action(*DISCONNECT, 1, dc.integer(0))
    check("LLS on a meter with HLS: remote_disconnect read-write-denied, control_state as it "
          "was", r == 3 and c.get(*DISCONNECT, 3) == state, f"{r} {state}")
    old = c.get_typed(*ACCOUNT, LOW_CREDIT)
    r = c.set(*ACCOUNT, LOW_CREDIT, dc.Data(old.tag, old.value + 1))
    check("LLS on a meter with HLS: SET of the Account's low_credit_threshold "
          "read-write-denied, nothing changed",
          r == 3 and c.get_typed(*ACCOUNT, LOW_CREDIT) == old, str(r))
    c.close()
    c = hls_client()
    r, _ = c.action(*DISCONNECT, 1, dc.integer(0))
    check("HLS: remote_disconnect succeeds, control_state 0 (disconnected)",
          r == 0 and c.get(*DISCONNECT, 3) == 0, str(r))
    r, _ = c.action(*DISCONNECT, 2, dc.integer(0))
    check("HLS: remote_reconnect succeeds, control_state no longer 0",
          r == 0 and c.get(*DISCONNECT, 3) != 0, str(r))
    c.close()

with section("associations refused"):
    c = hls_client(keys=sec.Keys(bytes(16), KEYS.ak))
    check("another encryption key: AARE rejected, authentication-failure (13)",
          not c.aare.accepted and c.aare.diagnostic == 13, str(c.aare))
    c.close()
    c = hls_client(title=bytes.fromhex("4D4D4D0000000002"))
    check("another client system title: AARE rejected, calling-AP-title-not-recognized (3)",
          not c.aare.accepted and c.aare.diagnostic == 3, str(c.aare))
    c.close()

with section("invocation counters across kill -9"):
    c = hls_client()
    for _ in range(3):
        c.get_typed(*ACCOUNT, LOW_CREDIT)
    old_aarq = hls.aarq(b"12345678")
    c2 = client(PORT, MANAGEMENT)
    c2.send(old_aarq)
    accepted = dc.parse_apdu(c2.recv()).result.accepted
    c2.close()
    # a SET's counter, above the AARQ's, is committed before the SET is served
    r = c.set(*ACCOUNT, LOW_CREDIT, c.get_typed(*ACCOUNT, LOW_CREDIT))
    check("an AARQ on a second connection accepted; then a ciphered SET served",
          accepted and r == 0, f"{accepted} {r}")
    before = list(hls.server_ics)
    c.close()
    daemon.proc.kill()
    daemon.proc.wait()
    daemon.stop()
    daemon = Daemon(DAEMON, CONF, TMP, PORT)
    up = daemon.wait_serving(60)
    check("polymeterd serves again after kill -9", up, daemon.stderr()[-1500:])
    c = client(PORT, MANAGEMENT)
    c.send(old_aarq)
    e = dc.parse_apdu(c.recv()).result
    check("that AARQ, recorded before the kill, sent again before any other association: "
          "invocation-counter-error (the SET's counter above it was stored)",
          isinstance(e, dc.ExceptionResponse) and e.service_error == 6, str(e))
    c.close()
    c = hls_client()
    c.get_typed(*ACCOUNT, LOW_CREDIT)
    after = hls.server_ics[len(before):]
    check("every server invocation counter strictly above the one before, across the kill",
          all(x < y for x, y in zip(hls.server_ics, hls.server_ics[1:])) and after and
          after[0] > max(before), f"before {before} after {after}")
    c.close()

stopped_clean(daemon, "polymeterd")
done()
