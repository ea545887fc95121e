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
keys still work); an edit of the key file winning over a transferred key; client SAPs
configured with dlms_clients (an LLS reader, an HLS operator, a public client without
authentication), each read, write and method allowed or refused as its rights say and shown
so in its object list, and --check-config's errors for the key. Run under dbus-run-session
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

with section("key transfer"):
    c = hls_client(OLD)
    before = c.get_typed(*ACCOUNT, LOW_CREDIT)
    r, _ = c.action(*SECURITY_SETUP, 2, key_data((KEY_EK, aes_key_wrap(MASTER, NEW.ek)),
                                                 (KEY_AK, aes_key_wrap(MASTER, NEW.ak))))
    check("global_key_transfer of the encryption and authentication keys: success, "
          "answered under the old keys", r == 0, str(r))
    v = c.get_typed(*ACCOUNT, LOW_CREDIT)
    check("the association that sent them goes on under the old keys", v == before, str(v))
    c.close()
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
    # the file's encryption key changed: its own wins; its authentication key did not: the
    # transferred one still overrides it
    check("the file's new encryption key with the transferred authentication key",
          accepted(sec.Keys(edited.ek, NEW.ak)))
    check("the transferred encryption key no longer", not accepted(NEW))

with section("configured client SAPs (dlms_clients)"):
    stopped_clean(daemon, "polymeterd")
    current = sec.Keys(edited.ek, NEW.ak)
    with open(CONF, encoding="ascii") as f:
        text = f.read()
    sap_conf = f"{TMP}/clients.conf"
    with open(sap_conf, "w", encoding="ascii") as f:
        f.write(text + "dlms_clients = 17 lls reader, 18 hls operator, 19 none public\n")
    daemon = Daemon(DAEMON, sap_conf, TMP, PORT)
    up = daemon.wait_serving(60)
    check("polymeterd serves with dlms_clients", up, daemon.stderr()[-1500:])

    def object_list(c):
        return {(o.class_id, o.name): o for o in dc.parse_object_list(c.get(*dc.ASSOCIATION_LN, 2))}

    DISCONNECT = (70, "0.0.96.3.10.255")
    TOKEN_GATEWAY = (115, "0.0.19.40.0.255")
    # SAP 17: LLS, reader
    c = client(PORT, 17)
    a = c.associate(password=PASSWORD)
    check("SAP 17 (lls reader) associates with the password", a.accepted, str(a))
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
    c = hls_client(current, sap=18)
    check("SAP 18 (hls operator) associates with HLS-GMAC", c.aare.accepted, str(c.aare))
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

stopped_clean(daemon, "polymeterd")
done()
