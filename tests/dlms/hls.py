#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""polymeterd's HLS-GMAC (security suite 0) against the project's own client
(cosem_security.py): the management client associates with the four passes, reads and writes
with every APDU glo- or general-glo-ciphered; a wrong key, a wrong system title, a replayed
invocation counter and an unciphered write are each refused with the standard's code and
change nothing; the low-level-security client may no longer disconnect the supply or write
the Account, its settings as Register and Data objects (by SET-normal, with-list and with
datablocks), the Clock or the Token gateway; the HLS client may; the server's invocation
counters keep rising across kill -9 of the daemon (the store's reservation) and under a
renamed meter, while a request recorded before either is still refused after it; and
--check-config refuses two meters with one key file, title or key, and a client title equal
to the meter's. Run under dbus-run-session (tests/dlms/run does).

usage: hls.py POLYMETERD        (built with ASan/UBSan: make daemon-asan)
Last line: "N passed, N failed".
"""
import os
import subprocess
import sys

import cosem_security as sec
from dlmstest import (MANAGEMENT, METER, SANITIZER_ENV, Daemon, associated, check, client, dc,
                      done, free_port, meter_conf, section, stopped_clean, tmpdir)

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
CLOCK = (8, "0.0.1.0.0.255")
TOKEN_GATEWAY = (115, "0.0.19.40.0.255")
# the account's settings as Register (3) and Data (1), value attribute 2 (docs/object-model.md)
LLS_REFUSED = [("payg_debt_limit", (3, "0.0.128.5.0.255")),
               ("max_balance", (3, "0.0.128.5.1.255")),
               ("debt_weekly_rate", (3, "0.0.128.5.2.255")),
               ("debt_collection", (1, "0.0.128.5.3.255")),
               ("debt_in_emergency_credit", (1, "0.0.128.5.4.255")),
               ("load_limit_peak", (3, "0.0.128.5.5.255")),
               ("reconnect_needs_confirmation", (1, "0.0.128.5.6.255")),
               ("friendly_special_days", (1, "0.0.128.5.7.255"))]
# 2000-01-01 (a Saturday) 00:00:00, deviation 0, status 0
Y2000 = bytes.fromhex("07D001010600000000000000")


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


def changed(v):
    """A value other than @v of its type that the meter would take: a flag negated, an enum's
    code 0 and 1 swapped, a number one unit more (money: 10^5 mu at scaler -5)."""
    if v.tag == dc.Tag.BOOLEAN:
        return dc.Data(v.tag, not v.value)
    if v.tag == dc.Tag.ENUM:
        return dc.Data(v.tag, v.value ^ 1)
    return dc.Data(v.tag, v.value + 100000)


def set_request_with_list(iip, attrs, values):
    """SET-Request-With-List (IEC 62056-5-3): the descriptors, then the values."""
    out = bytes([dc.SET_REQUEST, 4, iip]) + dc.encode_length(len(attrs))
    for a in attrs:
        out += dc.attribute_descriptor(*a) + dc.access_selection()
    out += dc.encode_length(len(values))
    for v in values:
        out += dc.encode_data(v)
    return out


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
    # the account's settings served as Register and Data objects: by every SET path
    for name, obj in LLS_REFUSED:
        old = c.get_typed(*obj, 2)
        new = changed(old)
        r = c.set(*obj, 2, new)
        check(f"LLS: SET-normal of {name} ({obj[1]}) read-write-denied, read back unchanged",
              r == 3 and c.get_typed(*obj, 2) == old, f"{r} {old}")
        r, _ = c.set_with_blocks(*obj, 2, new, 2)
        check(f"LLS: SET with datablocks of {name} read-write-denied, unchanged",
              r == 3 and c.get_typed(*obj, 2) == old, f"{r} {old}")
    objs = [obj for _, obj in LLS_REFUSED]
    olds = [c.get_typed(*obj, 2) for obj in objs]
    iip = c.next_iip()
    r = c.request(set_request_with_list(iip, [(*o, 2) for o in objs], [changed(v) for v in olds]))
    check("LLS: SET-with-list of them all: read-write-denied for each, each unchanged",
          r.kind == "set-list" and r.result == [3] * len(objs) and
          [c.get_typed(*o, 2) for o in objs] == olds, str(r))
    before = dc.DateTime.from_bytes(c.get(*CLOCK, 2)).utc()
    r = c.set(*CLOCK, 2, dc.Data(dc.Tag.OCTET_STRING, Y2000))
    after = dc.DateTime.from_bytes(c.get(*CLOCK, 2)).utc()
    check("LLS: SET of the Clock's time (it moves the tariff's switching) read-write-denied, "
          "the clock not moved to 2000", r == 3 and after >= before and after.year > 2000,
          f"{r} {before} {after}")
    r, _ = c.action(*CLOCK, 6, dc.Data(dc.Tag.LONG, 900))
    after = dc.DateTime.from_bytes(c.get(*CLOCK, 2)).utc()
    check("LLS: Clock shift_time +900 s read-write-denied, the clock not shifted",
          r == 3 and (after - before).total_seconds() < 900, f"{r} {before} {after}")
    r, _ = c.action(*TOKEN_GATEWAY, 1, dc.Data(dc.Tag.OCTET_STRING, b"66475648316756821785"))
    check("LLS: Token gateway enter read-write-denied", r == 3, str(r))
    c.close()
    c = hls_client()
    r, _ = c.action(*DISCONNECT, 1, dc.integer(0))
    check("HLS: remote_disconnect succeeds, control_state 0 (disconnected)",
          r == 0 and c.get(*DISCONNECT, 3) == 0, str(r))
    r, _ = c.action(*DISCONNECT, 2, dc.integer(0))
    check("HLS: remote_reconnect succeeds, control_state no longer 0",
          r == 0 and c.get(*DISCONNECT, 3) != 0, str(r))
    name, obj = LLS_REFUSED[1]
    old = c.get_typed(*obj, 2)
    r = c.set(*obj, 2, changed(old))
    check(f"HLS: SET of {name} succeeds, read back changed",
          r == 0 and c.get_typed(*obj, 2) == changed(old), f"{r} {old}")
    c.set(*obj, 2, old)
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

with section("the counters go with the key and title, not the meter's name"):
    c = hls_client()
    c.get_typed(*ACCOUNT, LOW_CREDIT)
    before = list(hls.server_ics)
    c.close()
    stopped_clean(daemon, "polymeterd")
    with open(CONF, encoding="ascii") as f:
        text = f.read()
    renamed = f"{TMP}/renamed.conf"
    with open(renamed, "w", encoding="ascii") as f:
        f.write(text.replace(f"[meter {METER}]", f"[meter {METER}_renamed]"))
    daemon = Daemon(DAEMON, renamed, TMP, PORT)
    up = daemon.wait_serving(60)
    check("polymeterd serves the meter renamed, same key file", up, daemon.stderr()[-1500:])
    c = hls_client()
    c.get_typed(*ACCOUNT, LOW_CREDIT)
    after = hls.server_ics[len(before):]
    check("renamed: its server invocation counters go on above the old name's",
          after and after[0] > max(before), f"before {before} after {after}")
    c.close()
    # a replay of the old name's last request is still refused under the new name
    c = hls_client()
    e = raw_exchange(c, replayed).result
    c.close()
    check("renamed: a request recorded under the old name is refused, "
          "invocation-counter-error", isinstance(e, dc.ExceptionResponse) and
          e.service_error == 6, str(e))

with section("--check-config: one key file, one meter"):
    shared = f"{TMP}/shared.conf"
    with open(shared, "w", encoding="ascii") as f:
        f.write(text + text[text.index(f"[meter {METER}]"):].replace(
            f"[meter {METER}]", f"[meter {METER}_2]").replace(
            f"dlms_port = {PORT}", f"dlms_port = {free_port()}"))
    r = subprocess.run([DAEMON, "--config", shared, "--check-config"], capture_output=True,
                       text=True, env=SANITIZER_ENV, check=False)
    check("two meters with one dlms_key_file: --check-config refuses it, naming the file",
          r.returncode != 0 and "dlms_key_file" in r.stderr and f"{METER}_2" in r.stderr,
          f"{r.returncode} {r.stderr[-800:]}")
    copy = f"{TMP}/dlms-keys-copy"
    fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    with os.fdopen(fd, "w", encoding="ascii") as f, open(key_file(), encoding="ascii") as g:
        f.write(g.read())
    second = text[text.index(f"[meter {METER}]"):].replace(
        f"[meter {METER}]", f"[meter {METER}_2]").replace(
        f"dlms_port = {PORT}", f"dlms_port = {free_port()}").replace(
        f"dlms_key_file = {TMP}/dlms-keys", f"dlms_key_file = {copy}")
    with open(shared, "w", encoding="ascii") as f:
        f.write(text + second)
    r = subprocess.run([DAEMON, "--config", shared, "--check-config"], capture_output=True,
                       text=True, env=SANITIZER_ENV, check=False)
    check("two key files with one system title and key: --check-config refuses it",
          r.returncode != 0 and "system_title or encryption_key" in r.stderr,
          f"{r.returncode} {r.stderr[-800:]}")

    same = f"{TMP}/dlms-keys-same-titles"
    fd = os.open(same, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    with os.fdopen(fd, "w", encoding="ascii") as f, open(key_file(), encoding="ascii") as g:
        f.write(g.read().replace(f"client_system_title = {CLIENT_TITLE.hex()}",
                                 f"client_system_title = {SERVER_TITLE.hex()}"))
    with open(shared, "w", encoding="ascii") as f:
        f.write(text.replace(f"dlms_key_file = {TMP}/dlms-keys", f"dlms_key_file = {same}"))
    r = subprocess.run([DAEMON, "--config", shared, "--check-config"], capture_output=True,
                       text=True, env=SANITIZER_ENV, check=False)
    check("a key file whose client_system_title is the meter's system_title: --check-config "
          "refuses it", r.returncode != 0 and "client_system_title equal to system_title" in
          r.stderr, f"{r.returncode} {r.stderr[-800:]}")

stopped_clean(daemon, "polymeterd")
done()
