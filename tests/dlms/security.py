#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""polymeterd's Security setup object (class 64, 0.0.43.0.0.255) against the project's own
client: its attributes read over HLS-GMAC; security_activate at the meter's policy (3)
accepted and a weaker one refused; global_key_transfer of a new encryption key and
authentication key, each wrapped with the key file's master_key by AES key wrap (RFC 3394,
python3-cryptography's keywrap on the client side), answered in the association that sent it
under its old keys, then the next association with the old keys refused and with the new
ones accepted; the new keys kept across kill -9 and a restart; the transfer refused over
low-level security and with a wrap under another master key, each changing nothing (the old
keys still work); the other associations under the old keys ended by the transfer; an edit of
the key file winning over the transferred keys as a whole; client SAPs
configured with dlms_clients (an LLS reader, an HLS operator, a public client without
authentication, a second HLS management client), each with secrets of its own: another
client's password or keys refused, a key transfer changing its own client's keys only, each
read, write and method allowed or refused as its rights say and shown so in its object list,
and --check-config's errors for the key (a client without its secrets, a shared file, a shared
password or encryption key, a readable key file). Run under dbus-run-session
(tests/dlms/run does).

usage: security.py POLYMETERD        (built with ASan/UBSan: make daemon-asan)
Last line: "N passed, N failed".
"""
import os
import subprocess
import sys

import cosem_security as sec
from cryptography.hazmat.primitives.keywrap import aes_key_wrap  # noqa: E402
from dlmstest import (MANAGEMENT, PASSWORD, PUBLIC, SANITIZER_ENV, Daemon, associated,
                      check, client, dc, done, free_port, meter_conf, section, stopped_clean,
                      tmpdir)

DAEMON = sys.argv[1]
TMP = tmpdir("pm-dlms-security-")
PORT = free_port()
OLD = sec.Keys(bytes.fromhex("000102030405060708090A0B0C0D0E0F"),
               bytes.fromhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"))
NEW = sec.Keys(bytes.fromhex("00112233445566778899AABBCCDDEEFF"),
               bytes.fromhex("C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF"))
MASTER = bytes.fromhex("31313131313131313131313131313131")
SERVER_TITLE = bytes.fromhex("504D540000000002")
CLIENT_TITLE = bytes.fromhex("4D4D4D0000000002")
SECURITY_SETUP = (64, "0.0.43.0.0.255")
ACCOUNT = (111, "0.0.19.0.0.255")
LOW_CREDIT = 16
KEY_EK, KEY_BK, KEY_AK = 0, 1, 2


def key_file(keys=OLD, master=MASTER):
    path = f"{TMP}/dlms-keys"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(f"system_title = {SERVER_TITLE.hex()}\n"
                f"client_system_title = {CLIENT_TITLE.hex()}\n"
                f"encryption_key = {keys.ek.hex()}\nauthentication_key = {keys.ak.hex()}\n"
                f"master_key = {master.hex()}\n")
    return path


def secret_file(name, text, mode=0o600):
    """A client's own secret file (a password, or keys): only its owner may read it."""
    path = f"{TMP}/{name}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(text)
    return path


def client_key_file(name, keys, title, master=None):
    """A dlms_clients entry's own key file: its keys, its title, no system_title (the
    meter's)."""
    return secret_file(name, f"client_system_title = {title.hex()}\n"
                       f"encryption_key = {keys.ek.hex()}\n"
                       f"authentication_key = {keys.ak.hex()}\n" +
                       (f"master_key = {master.hex()}\n" if master else ""), 0o640)


CONF = meter_conf(TMP, PORT, dlms_key_file=key_file())
# the client's security: its counter rises across every association, under whichever keys,
# as a head-end's does (one connection at a time uses it)
HLS = sec.Hls(OLD, CLIENT_TITLE, ic=1)


def hls_client(keys, sap=MANAGEMENT):
    """A connection associated as client @sap with HLS-GMAC under @keys (or refused: .aare
    tells)."""
    c = client(PORT, sap)
    HLS.keys = keys
    c.aare = HLS.associate(c)
    return c


def key_data(*keys):
    """global_key_transfer's parameter: array of {key_id enum, key_wrapped octet-string}."""
    return dc.array([dc.structure(dc.enum_(i), dc.octet_string(w)) for i, w in keys])


def accepted(keys):
    c = hls_client(keys)
    ok = c.aare.accepted
    c.close()
    return ok


daemon = Daemon(DAEMON, CONF, TMP, PORT)
up = daemon.wait_serving(60)
check("polymeterd serves DLMS with a key file holding master_key", up, daemon.stderr()[-1500:])
if not up:
    daemon.stop()
    done()

with section("the Security setup object"):
    c = hls_client(OLD)
    check("HLS association under the key file's keys", c.aare.accepted, str(c.aare))
    got = [c.get_typed(*SECURITY_SETUP, a) for a in (2, 3, 4, 5)]
    check("security_policy 3 (authenticated and encrypted), security_suite 0, client and "
          "server system titles",
          [g.tag for g in got[:2]] == [dc.Tag.ENUM] * 2 and
          [g.value for g in got[:2]] == [3, 0] and
          bytes(got[2].value) == CLIENT_TITLE and bytes(got[3].value) == SERVER_TITLE,
          str(got))
    r, _ = c.action(*SECURITY_SETUP, 1, dc.enum_(3))
    check("security_activate(3), the policy in force: success", r == 0, str(r))
    r, _ = c.action(*SECURITY_SETUP, 1, dc.enum_(1))
    check("security_activate(1), weaker: other-reason (the policy is only strengthened), "
          "still 3", r == 250 and c.get_typed(*SECURITY_SETUP, 2).value == 3, str(r))
    c.close()
    p = associated(PORT, PUBLIC)
    r = p.request(dc.get_request_normal(p.next_iip(), *SECURITY_SETUP, 2))
    check("the public client does not see it: object-undefined", r.result.dar == 4, str(r))
    p.close()

with section("key transfer refused, nothing changed"):
    lls = associated(PORT, MANAGEMENT)
    good = aes_key_wrap(MASTER, NEW.ek)
    r, _ = lls.action(*SECURITY_SETUP, 2, key_data((KEY_EK, good)))
    check("over low-level security: read-write-denied", r == 3, str(r))
    lls.close()
    c = hls_client(OLD)
    wrong = aes_key_wrap(bytes(16), NEW.ek)
    r, _ = c.action(*SECURITY_SETUP, 2, key_data((KEY_AK, aes_key_wrap(MASTER, NEW.ak)),
                                                 (KEY_EK, wrong)))
    check("the authentication key and an encryption key wrapped under another master key: "
          "other-reason (the integrity check fails), neither taken", r == 250, str(r))
    r, _ = c.action(*SECURITY_SETUP, 2, key_data((KEY_BK, good)))
    check("the broadcast key: other-reason", r == 250, str(r))
    r, _ = c.action(*SECURITY_SETUP, 2, key_data((KEY_EK, good[:16])))
    check("a wrapped key of 16 octets: other-reason", r == 250, str(r))
    r, _ = c.action(*SECURITY_SETUP, 2, dc.array([dc.octet_string(good)]))
    check("an array of octet-strings: type-unmatched", r == 12, str(r))
    c.close()
    check("the old keys still associate", accepted(OLD))
    check("the new ones do not", not accepted(NEW))



def ended(c):
    """Whether @c's association was ended by the meter: its next GET gets no answer, the
    connection closes."""
    try:
        c.wrapper.send_apdu(c.security.wrap(dc.get_request_normal(c.next_iip(), *ACCOUNT, 2)),
                            c.client_sap, c.server_sap)
    except (BrokenPipeError, ConnectionResetError):
        return True
    return c.wrapper.closed_by_peer(10)


with section("key transfer"):
    # another association of the same client under the keys about to be replaced: whoever
    # associated before the transfer keeps nothing after it
    other = hls_client(OLD)
    check("a second association under the old keys", other.aare.accepted, str(other.aare))
    c = hls_client(OLD)
    before = c.get_typed(*ACCOUNT, LOW_CREDIT)
    r, _ = c.action(*SECURITY_SETUP, 2, key_data((KEY_EK, aes_key_wrap(MASTER, NEW.ek)),
                                                 (KEY_AK, aes_key_wrap(MASTER, NEW.ak))))
    check("global_key_transfer of the encryption and authentication keys: success, "
          "answered under the old keys", r == 0, str(r))
    check("the association that sent them ends once its answer is out: the meter closes the "
          "connection", c.wrapper.closed_by_peer(10))
    c.close()
    check("the other association under the old keys ends too: its next GET is answered "
          "with nothing, the connection closed", ended(other))
    other.close()
    check("the next association with the old keys: refused", not accepted(OLD))
    c = hls_client(NEW)
    check("with the new keys: accepted, and it reads", c.aare.accepted and
          c.get_typed(*ACCOUNT, LOW_CREDIT) == before, str(c.aare))
    c.close()

with section("the new keys across kill -9"):
    daemon.proc.kill()
    daemon.proc.wait()
    daemon.stop()
    daemon = Daemon(DAEMON, CONF, TMP, PORT)
    up = daemon.wait_serving(60)
    check("polymeterd serves again after kill -9", up, daemon.stderr()[-1500:])
    check("after the restart the new keys associate", accepted(NEW))
    check("and the old ones do not", not accepted(OLD))
    log = daemon.stderr()
    check("no key in the daemon's log", all(k.hex() not in log.lower() and
                                            k.hex().upper() not in log
                                            for k in (NEW.ek, NEW.ak, MASTER, OLD.ek)))

with section("an edited key file wins"):
    stopped_clean(daemon, "polymeterd")
    edited = sec.Keys(bytes.fromhex("0F0E0D0C0B0A09080706050403020100"), OLD.ak)
    key_file(edited)
    daemon = Daemon(DAEMON, CONF, TMP, PORT)
    up = daemon.wait_serving(60)
    check("polymeterd serves with the edited key file", up, daemon.stderr()[-1500:])
    # the file's encryption key changed: the file wins as a whole, its authentication key
    # too (never the file's new EK beside a transferred AK nobody holds with it)
    check("the file's whole key set: its new encryption key with its own authentication key",
          accepted(sec.Keys(edited.ek, OLD.ak)))
    check("not the file's new encryption key with the transferred authentication key",
          not accepted(sec.Keys(edited.ek, NEW.ak)))
    check("the transferred keys no longer", not accepted(NEW))
    log = daemon.stderr()
    check("the log says the file won, naming no key",
          "key file changed since a head-end transferred keys" in log and
          all(k.hex() not in log.lower() for k in (NEW.ek, NEW.ak, edited.ek, OLD.ak)),
          log[-800:])

# each client its own secrets (none of them SAP 1's): an LLS reader, an HLS operator, an HLS
# management client with a master key of its own
READER_PASSWORD = "reader-Pass-17"
OPERATOR_TITLE = bytes.fromhex("4D4D4D0000000018")
OPERATOR = sec.Keys(bytes.fromhex("18181818181818181818181818181801"),
                    bytes.fromhex("18181818181818181818181818181802"))
SECOND_TITLE = bytes.fromhex("4D4D4D0000000020")
SECOND = sec.Keys(bytes.fromhex("20202020202020202020202020202001"),
                  bytes.fromhex("20202020202020202020202020202002"))
SECOND_NEW = sec.Keys(bytes.fromhex("20202020202020202020202020202011"),
                      bytes.fromhex("20202020202020202020202020202012"))
SECOND_MASTER = bytes.fromhex("20202020202020202020202020202003")
# one dlms_clients line each: several lines add up (a line holds at most 198 characters)
CLIENTS = "\n".join("dlms_clients = " + e for e in (
    f"17 lls reader {secret_file('dlms-17.password', READER_PASSWORD)}, 19 none public",
    f"18 hls operator {client_key_file('dlms-18.keys', OPERATOR, OPERATOR_TITLE)}",
    "20 hls management "
    f"{client_key_file('dlms-20.keys', SECOND, SECOND_TITLE, SECOND_MASTER)}"))
# each client's own counter, as its head-end keeps it
HLS_OF = {18: sec.Hls(OPERATOR, OPERATOR_TITLE, ic=1), 20: sec.Hls(SECOND, SECOND_TITLE, ic=1)}


def hls_as(sap, keys, hls):
    """A connection associated as client @sap with HLS-GMAC under @keys and @hls's title and
    counter (or refused: .aare tells)."""
    c = client(PORT, sap)
    hls.keys = keys
    c.aare = hls.associate(c)
    return c


def hls_accepted(sap, keys, hls):
    c = hls_as(sap, keys, hls)
    ok = c.aare.accepted
    c.close()
    return ok


def lls_accepted(sap, password):
    c = client(PORT, sap)
    a = c.associate(password=password)
    c.close()
    return a.accepted, a.diagnostic


with section("configured client SAPs (dlms_clients)"):
    stopped_clean(daemon, "polymeterd")
    current = sec.Keys(edited.ek, OLD.ak)
    with open(CONF, encoding="ascii") as f:
        text = f.read()
    sap_conf = f"{TMP}/clients.conf"
    with open(sap_conf, "w", encoding="ascii") as f:
        f.write(text + CLIENTS + "\n")
    daemon = Daemon(DAEMON, sap_conf, TMP, PORT)
    up = daemon.wait_serving(60)
    check("polymeterd serves with dlms_clients", up, daemon.stderr()[-1500:])

    def object_list(c):
        return {(o.class_id, o.name): o for o in dc.parse_object_list(c.get(*dc.ASSOCIATION_LN, 2))}

    DISCONNECT = (70, "0.0.96.3.10.255")
    TOKEN_GATEWAY = (115, "0.0.19.40.0.255")
    # SAP 17: LLS, reader
    c = client(PORT, 17)
    a = c.associate(password=READER_PASSWORD)
    check("SAP 17 (lls reader) associates with its own password", a.accepted, str(a))
    old = c.get_typed(*ACCOUNT, LOW_CREDIT)
    r = c.set(*ACCOUNT, LOW_CREDIT, dc.Data(old.tag, old.value + 1))
    check("SAP 17 reads the Account's low_credit_threshold; its SET is read-write-denied, "
          "unchanged", r == 3 and c.get_typed(*ACCOUNT, LOW_CREDIT) == old, f"{r} {old}")
    state = c.get(*DISCONNECT, 3)
    r, _ = c.action(*DISCONNECT, 1, dc.integer(0))
    check("SAP 17: remote_disconnect read-write-denied, control_state as it was",
          r == 3 and c.get(*DISCONNECT, 3) == state, str(r))
    ol = object_list(c)
    check("SAP 17's object list: every object of the management client's (the token "
          "gateway, the Security setup), low_credit_threshold read-only (1), "
          "remote_disconnect and enter without access (0)",
          ol[ACCOUNT].access(LOW_CREDIT) == 1 and ol[DISCONNECT].method_access(1) == 0 and
          ol[TOKEN_GATEWAY].method_access(1) == 0 and SECURITY_SETUP in ol,
          f"{ol[ACCOUNT].access(LOW_CREDIT)} {ol[DISCONNECT].method_access(1)}")
    c.close()
    # SAP 18: HLS-GMAC, operator
    c = hls_as(18, OPERATOR, HLS_OF[18])
    check("SAP 18 (hls operator) associates with HLS-GMAC under its own keys", c.aare.accepted,
          str(c.aare))
    r = c.set(*ACCOUNT, LOW_CREDIT, dc.Data(old.tag, old.value + 1))
    check("SAP 18: the Account's low_credit_threshold (money) read-write-denied even over "
          "HLS, unchanged", r == 3 and c.get_typed(*ACCOUNT, LOW_CREDIT) == old, str(r))
    r, _ = c.action(*DISCONNECT, 1, dc.integer(0))
    check("SAP 18: remote_disconnect read-write-denied", r == 3, str(r))
    r, _ = c.action(*SECURITY_SETUP, 2, key_data((KEY_AK, aes_key_wrap(MASTER, OLD.ak))))
    check("SAP 18: global_key_transfer read-write-denied", r == 3, str(r))
    ol = object_list(c)
    check("SAP 18's object list: low_credit_threshold read-only, remote_disconnect and "
          "global_key_transfer without access",
          ol[ACCOUNT].access(LOW_CREDIT) == 1 and ol[DISCONNECT].method_access(1) == 0 and
          ol[SECURITY_SETUP].method_access(2) == 0, str(ol[ACCOUNT].access(LOW_CREDIT)))
    c.close()
    # SAP 19: no authentication, public
    c = client(PORT, 19)
    a = c.associate()
    r = c.request(dc.get_request_normal(c.next_iip(), *TOKEN_GATEWAY, 2))
    check("SAP 19 (none public) associates without a password, reads the Account, does not "
          "see the token gateway (object-undefined)",
          a.accepted and c.get_typed(*ACCOUNT, LOW_CREDIT) == old and r.result.dar == 4,
          f"{a} {r}")
    c.close()
    c = client(PORT, 21)
    a = c.associate()
    check("SAP 21, not configured: AARE rejected, no-reason-given (1)",
          not a.accepted and a.diagnostic == 1, str(a))
    c.close()
    # the standard clients are as before
    c = associated(PORT, MANAGEMENT)
    r = c.set(*ACCOUNT, LOW_CREDIT, dc.Data(old.tag, old.value + 1))
    check("SAP 1 with LLS as before: reads, the money write read-write-denied (it needs HLS)",
          r == 3, str(r))
    ol = object_list(c)
    check("SAP 1's object list shows its strongest association's rights (rw, as before)",
          ol[ACCOUNT].access(LOW_CREDIT) == 3, str(ol[ACCOUNT].access(LOW_CREDIT)))
    c.close()
    c = hls_client(current)
    r = c.set(*ACCOUNT, LOW_CREDIT, dc.Data(old.tag, old.value + 1))
    check("SAP 1 with HLS as before: the money write succeeds", r == 0, str(r))
    c.set(*ACCOUNT, LOW_CREDIT, old)
    c.close()

with section("each client its own secrets: another's refused"):
    # AARE authentication-failure (13): a password, or keys, that are not this client's
    check("the reader's password on SAP 1 (management): refused, authentication-failure",
          lls_accepted(MANAGEMENT, READER_PASSWORD) == (False, 13))
    check("SAP 1's password on SAP 17 (reader): refused, authentication-failure",
          lls_accepted(17, PASSWORD) == (False, 13))
    check("the operator's keys on SAP 1, under SAP 1's client title: refused",
          not accepted(OPERATOR))
    check("the operator's keys and title on SAP 1: refused",
          not hls_accepted(MANAGEMENT, OPERATOR, HLS_OF[18]))
    check("SAP 1's keys on SAP 18, under 18's title: refused",
          not hls_accepted(18, current, HLS_OF[18]))
    check("SAP 1's keys and title on SAP 18: refused", not hls_accepted(18, current, HLS))
    check("SAP 20's keys on SAP 1: refused", not hls_accepted(MANAGEMENT, SECOND, HLS_OF[20]))
    check("each still with its own: SAP 17, 18 and 1 accepted",
          lls_accepted(17, READER_PASSWORD)[0] and hls_accepted(18, OPERATOR, HLS_OF[18]) and
          accepted(current))

with section("a key transfer changes its own client's keys only"):
    c = hls_as(20, SECOND, HLS_OF[20])
    check("SAP 20 (hls management, its own keys and master key) associates", c.aare.accepted,
          str(c.aare))
    r, _ = c.action(*SECURITY_SETUP, 2,
                    key_data((KEY_EK, aes_key_wrap(SECOND_MASTER, SECOND_NEW.ek)),
                             (KEY_AK, aes_key_wrap(SECOND_MASTER, SECOND_NEW.ak))))
    check("SAP 20's global_key_transfer under its own master key: success", r == 0, str(r))
    c.close()
    check("SAP 20: its new keys associate, its old ones no longer",
          hls_accepted(20, SECOND_NEW, HLS_OF[20]) and
          not hls_accepted(20, SECOND, HLS_OF[20]))
    check("SAP 1's keys still associate on SAP 1, and 18's on 18",
          accepted(current) and hls_accepted(18, OPERATOR, HLS_OF[18]))
    c = hls_client(current)
    r, _ = c.action(*SECURITY_SETUP, 2, key_data((KEY_AK, aes_key_wrap(SECOND_MASTER, NEW.ak))))
    check("SAP 1's transfer wrapped under SAP 20's master key: other-reason", r == 250, str(r))
    c.close()

with section("a master key transfer end to end"):
    KEY_MASTER = 3
    MASTER2 = bytes.fromhex("20202020202020202020202020202033")
    NEWER = sec.Keys(SECOND_NEW.ek, bytes.fromhex("20202020202020202020202020202022"))
    c = hls_as(20, SECOND_NEW, HLS_OF[20])
    r, _ = c.action(*SECURITY_SETUP, 2, key_data((KEY_MASTER, aes_key_wrap(SECOND_MASTER,
                                                                           MASTER2))))
    check("SAP 20's new master key, wrapped under its master key in force: success", r == 0,
          str(r))
    v = c.get_typed(*ACCOUNT, LOW_CREDIT)
    check("a master key alone changes no working key: the association goes on", v is not None,
          str(v))
    r, _ = c.action(*SECURITY_SETUP, 2,
                    key_data((KEY_AK, aes_key_wrap(SECOND_MASTER, NEWER.ak))))
    check("an authentication key wrapped under the old master key: other-reason", r == 250,
          str(r))
    r, _ = c.action(*SECURITY_SETUP, 2, key_data((KEY_AK, aes_key_wrap(MASTER2, NEWER.ak))))
    check("one wrapped under the new master key: success", r == 0, str(r))
    c.close()
    check("SAP 20 associates under the key it then sent", hls_accepted(20, NEWER, HLS_OF[20]))

with section("--check-config: dlms_clients"):
    for value, want in (("200 lls reader", "client SAP '200': expected 1..126"),
                        ("17 lls boss", "rights 'boss': expected public, reader, operator"),
                        ("17 none reader", "without authentication a client may only be "
                         "public")):
        bad = f"{TMP}/bad.conf"
        with open(bad, "w", encoding="ascii") as f:
            f.write(text + f"dlms_clients = {value}\n")
        line = (text + "dlms_clients").count("\n") + 1
        r = subprocess.run([DAEMON, "--config", bad, "--check-config"], capture_output=True,
                           text=True, env=SANITIZER_ENV, check=False)
        check(f"dlms_clients = {value}: refused at {bad}:{line}", r.returncode != 0 and
              f"{bad}:{line}:" in r.stderr and want in r.stderr, r.stderr[-600:])
    nokey = f"{TMP}/nokey.conf"
    with open(nokey, "w", encoding="ascii") as f:
        f.write(text.replace(f"dlms_key_file = {TMP}/dlms-keys\n", "") +
                "dlms_clients = 18 hls operator\n")
    r = subprocess.run([DAEMON, "--config", nokey, "--check-config"], capture_output=True,
                       text=True, env=SANITIZER_ENV, check=False)
    check("dlms_clients with hls and no dlms_key_file: refused, naming the key",
          r.returncode != 0 and "client SAP 18 authenticates with hls, which needs "
          "dlms_key_file" in r.stderr, r.stderr[-600:])
    reader_copy = secret_file("dlms-21.password", READER_PASSWORD)
    same_ek = client_key_file("dlms-22.keys", sec.Keys(OPERATOR.ek, SECOND.ak),
                              bytes.fromhex("4D4D4D0000000022"))
    readable = client_key_file("dlms-23.keys", SECOND_NEW, bytes.fromhex("4D4D4D0000000023"))
    os.chmod(readable, 0o644)
    for value, want, drop in (
            ("18 hls operator", "client SAP 18 authenticates with hls and has no key file of "
             "its own", None),
            ("17 lls reader", "client SAP 17 authenticates with lls and has no password file of "
             "its own", None),
            (f"17 lls reader {TMP}/lls-password", f"client SAP 17: {TMP}/lls-password is "
             "another client's secret file too", None),
            (f"21 lls operator {reader_copy}\n{CLIENTS}", "client SAP 17's password is client "
             "SAP 21's, whose rights differ", None),
            (f"22 hls operator {same_ek}\n{CLIENTS}", "client SAP 18's encryption_key is "
             "client SAP 22's", None),
            (f"23 hls operator {readable}", "may be read by every user", None),
            ("1 lls+hls management", "client SAP 1 authenticates with lls and has no password "
             "file of its own", "dlms_password_file")):
        bad = f"{TMP}/bad.conf"
        base = text if drop is None else "".join(
            ln for ln in text.splitlines(True) if not ln.startswith(drop))
        with open(bad, "w", encoding="ascii") as f:
            f.write(base + f"dlms_clients = {value}\n")
        r = subprocess.run([DAEMON, "--config", bad, "--check-config"], capture_output=True,
                           text=True, env=SANITIZER_ENV, check=False)
        check(f"dlms_clients = {value[-60:]}: refused, {want[:50]}...",
              r.returncode != 0 and want in r.stderr, r.stderr[-600:])

stopped_clean(daemon, "polymeterd")
done()
