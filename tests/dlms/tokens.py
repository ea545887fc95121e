#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A prepayment head-end reads the account and enters STS tokens over DLMS, beside the meter's
D-Bus view of the same account: the Token gateway 0.0.19.40.0.255 (class 115) method 1 enter
takes the token path of D-Bus EnterToken (the same TID memory, the same lockout of invalid
entries, committed before the answer), and the payment log names the channel.

The meter: a kWh prepayment account (account_unit = kwh: the minor unit is 1 Wh, 1000 mu)
with the STS decoder key of the reference's vectors (PAN 600727000000000009, DK e653341f9d5bf36f,
prepay-sts.md §2.3), no load (its balance moves only by the tokens), its clock at the wall's
pace (sim_speed 1). The lockout's session is 10 minutes of that clock and the lockout ends at
its next full hour: before the lockout checks the head-end sets the meter's clock (Clock
attribute 2) to one minute past the next full hour, so the whole check runs well inside one
hour of the meter's clock whenever the script starts.

Tokens (../shared/reference/sts_test_vectors.tsv, Nectar_1, electricity, counts of 0.1 kWh):
step1Test 66475648316756821785 (10 counts = 1 kWh), step11BCTSA20Test 55160880109952893498 (18
counts = 1.8 kWh), step10CTSA20Test 73561917813841338074 (147824 counts = 14782.4 kWh),
step15BCTSA20Test 05983059757600918504 (5 counts = 0.5 kWh). A token with its last digit changed
fails the STS CRC: an invalid entry. A refused entry of a genuine token (used) is an invalid
entry too, and a valid entry ends the lockout's session: each section ends with a valid one.

usage: tokens.py POLYMETERD    (under dbus-run-session, as root; tests/dlms/run)
Last line: "N passed, N failed".
"""
import datetime
import os
import sys

from dlmstest import (MANAGEMENT, PUBLIC, SIM_SPEED, Daemon, associated, check, dc, done,
                      eventually, free_port, getv, meter_conf, section, start_meter,
                      stopped_clean, tmpdir)

DAEMON = sys.argv[1]
GATEWAY = (115, "0.0.19.40.0.255")
ACCOUNT = (111, "0.0.19.0.0.255")
TOKEN_CREDIT = (112, "0.0.19.10.0.255")
TIME_DEBT = (113, "0.0.19.21.0.255")
PAYMENT_DEBT = (113, "0.0.19.22.0.255")
CLOCK = (8, "0.0.1.0.0.255")
ENTER = 1
MU_PER_WH = 1000  # the kWh account's minor unit is 1 Wh; money is kept in 1/1000 of it
WH_PER_COUNT = 100  # an STS electricity count is 0.1 kWh
STEP1 = "66475648316756821785"  # 10 counts
STEP11 = "55160880109952893498"  # 18 counts
STEP10 = "73561917813841338074"  # 147824 counts
STEP15 = "05983059757600918504"  # 5 counts
# token_status status codes (IEC 62056-6-2)
EXECUTION_OK, AUTHENTICATION_FAILURE, VALIDATION_FAILURE, EXECUTION_FAILURE = 3, 5, 6, 7
OTHER_REASON, TEMPORARY_FAILURE, TYPE_UNMATCHED, OBJECT_UNDEFINED = 250, 2, 12, 4
LOCKED = "org.polymeter.Account1.Error.TokenEntryLocked"
INVALID = "org.polymeter.Account1.Error.InvalidToken"


def wrong_digit(token):
    return token[:-1] + str((int(token[-1]) + 1) % 10)


TMP = tmpdir("pm-dlms-tok-")
PORT = free_port()
KEY = f"{TMP}/sts.key"
# only its owner may read it (the daemon refuses a key others could read)
with open(os.open(KEY, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w",
          encoding="ascii") as f:
    f.write("e653341f9d5bf36f\n")
conf = meter_conf(TMP, PORT)
with open(conf, encoding="ascii") as f:
    text = f.read()
text = (text.replace(f"sim_speed = {SIM_SPEED}\n", "sim_speed = 1\n")
        .replace("sim_current_ma = 12000 7000 3000\n", "sim_current_ma = 0 0 0\n")
        .replace("account_mode = credit\n", "account_mode = prepayment\naccount_unit = kwh\n"
                 f"sts_decoder_key_file = {KEY}\nlow_credit = 2.000\n"))
text = "".join(line for line in text.splitlines(True) if not line.startswith("tariff_file"))
with open(conf, "w", encoding="ascii") as f:
    f.write(text)
daemon, bus, mgmt = start_meter(DAEMON, conf, TMP, PORT,
                                "for a kWh prepayment meter with an STS key")
check("the account reads over DLMS (the meter's first scan is in)",
      eventually(lambda: isinstance(getv(mgmt, *ACCOUNT, 5), int), 60,
                 "Account available_credit"))


def balance():
    return int(bus.account()["Balance"])


def credit_status_want():
    """Account current_credit_status as the Blue Book's bits say it should read, worked out from
    D-Bus (mode, available credit, the low_credit setting, the emergency credit) and the
    meter's credit state (Data 0.0.128.0.4.255, 4 out of credit): bit 0 (the first, '1' of
    the string) in_credit, 1 low_credit, 3 next_credit_selectable, 5 selectable_credit_in_use,
    6 out_of_credit."""
    acc = bus.account()
    out = getv(mgmt, 1, "0.0.128.0.4.255", 2) == 4
    low = (str(acc["Mode"]) != "credit" and
           int(acc["AvailableCredit"]) < int(acc["Configuration"]["low_credit"]))
    ec = str(acc["EmergencyCredit"])
    bits = ["0"] * 8
    bits[0 if not out else 6] = "1"
    bits[1] = "1" if low else "0"
    bits[3] = "1" if ec == "available" else "0"
    bits[5] = "1" if ec == "in_use" else "0"
    return "".join(bits)


def enter_dlms(token):
    """enter(token) on the gateway: (action-result, token_status, token_description)."""
    res, _ = mgmt.action(*GATEWAY, ENTER, dc.octet_string(token.encode()))
    return res, getv(mgmt, *GATEWAY, 6), getv(mgmt, *GATEWAY, 4)


def enter_dbus(token):
    """EnterToken on D-Bus: (error name or None, reply or message)."""
    try:
        return None, bus.account_call("EnterToken", token)
    except bus.dbus.exceptions.DBusException as e:
        return e.get_dbus_name(), e.get_dbus_message()


with section("the account read over DLMS is the account on D-Bus"):
    acc = bus.account()
    got = [getv(mgmt, *ACCOUNT, 5), getv(mgmt, *TOKEN_CREDIT, 2), getv(mgmt, *ACCOUNT, 2),
           getv(mgmt, *TIME_DEBT, 12), getv(mgmt, *PAYMENT_DEBT, 12)]
    # no load: the account does not move between the two reads
    want = [int(acc["AvailableCredit"]) // MU_PER_WH, int(acc["Balance"]) // MU_PER_WH,
            (2, 2), int(acc["TimeDebt"]) // MU_PER_WH, int(acc["PaymentDebt"]) // MU_PER_WH]
    check("Account available_credit, token Credit current_credit_amount, Account "
          "account_mode_and_status (2 prepayment, 2 active), the debts' Charge "
          "total_amount_remaining = D-Bus AvailableCredit, Balance, Mode, TimeDebt, PaymentDebt "
          "(in Wh)", got == want and str(acc["Mode"]) == "prepayment", f"{got} vs {want}")

with section("the account's credits, charges and token configuration"):
    kinds = [getv(mgmt, *TOKEN_CREDIT, 3), getv(mgmt, 112, "0.0.19.11.0.255", 3),
             getv(mgmt, *TIME_DEBT, 3), getv(mgmt, *PAYMENT_DEBT, 3)]
    # IEC 62056-6-2: credit_type 0 token, 2 emergency; charge_type 1 time_based_collection,
    # 2 payment_event_based_collection
    check("credit_type: token credit 0, emergency credit 2; charge_type: time-based debt 1, "
          "payment-based debt 2", kinds == [0, 2, 1, 2], kinds)
    refs = [getv(mgmt, *ACCOUNT, 9), getv(mgmt, *ACCOUNT, 10), getv(mgmt, *ACCOUNT, 12)]
    want = [[dc.obis("0.0.19.10.0.255"), dc.obis("0.0.19.11.0.255")],
            [dc.obis("0.0.19.21.0.255"), dc.obis("0.0.19.22.0.255")],
            [(dc.obis("0.0.19.10.0.255"), 100)]]
    check("Account credit_reference_list, charge_reference_list name those four objects; "
          "token_gateway_configuration puts 100 % of a token into the token credit",
          refs == want, refs)

with section("the account's credit status before any token"):
    # 0 Wh available, below low_credit 2 kWh = 2 000 000 mu: in credit (at 0 a prepayment
    # account is not out of credit) and low credit, '11000000'
    got = getv(mgmt, *ACCOUNT, 4)
    check("Account current_credit_status '11000000' (in_credit, low_credit), as D-Bus says",
          got == "11000000" == credit_status_want(), (got, credit_status_want()))
    with associated(PORT, PUBLIC) as pub:
        got = getv(pub, *ACCOUNT, 4)
    check("the public client reads it too (it reads available_credit)", got == "11000000", got)

with section("the gateway before any token"):
    check("token_delivery_method 0 (remote); token_status object-unavailable before any "
          "token", getv(mgmt, *GATEWAY, 5) == 0 and
          getv(mgmt, *GATEWAY, 6) == "refused: object-unavailable",
          (getv(mgmt, *GATEWAY, 5), getv(mgmt, *GATEWAY, 6)))
    with associated(PORT, PUBLIC) as pub:
        res, _ = pub.action(*GATEWAY, ENTER, dc.octet_string(STEP1.encode()))
        seen = [o.ln for o in dc.parse_object_list(pub.get(15, "0.0.40.0.0.255", 2))]
    check("the public client neither sees the gateway nor enters a token: object-undefined "
          "(4), nothing credited", res == OBJECT_UNDEFINED and dc.obis(GATEWAY[1]) not in seen
          and balance() == 0, (res, balance()))

with section("a valid token credits once over DLMS"):
    before = balance()
    clock0 = dc.DateTime.from_bytes(mgmt.get(*CLOCK, 2))
    res, status, desc = enter_dlms(STEP1)
    clock1 = dc.DateTime.from_bytes(mgmt.get(*CLOCK, 2))
    acc = bus.account()
    # 10 counts x 0.1 kWh = 1 kWh = 1000 Wh = 1000000 mu
    check("enter(step1Test): success, token_status (3 token_execution_ok, empty data_value), "
          "token_description ['credit']",
          res == 0 and status == (EXECUTION_OK, "") and desc == [b"credit"],
          (res, status, desc))
    amount = getv(mgmt, *TOKEN_CREDIT, 2)
    check("D-Bus Balance rose by 10 x 100 Wh = 1000000 mu, and the DLMS credit amount reads "
          "1000 Wh more", int(acc["Balance"]) - before == 10 * WH_PER_COUNT * MU_PER_WH and
          amount == (before // MU_PER_WH) + 1000, (int(acc["Balance"]), before, amount))
    pay = acc["Payments"][0]
    check("the payment log's newest entry: 1000000 mu through 'dlms'",
          int(pay[1]) == 1000000 and str(pay[2]) == "dlms", str(pay))
    tok = getv(mgmt, *GATEWAY, 2)
    when = dc.DateTime.from_bytes(getv(mgmt, *GATEWAY, 3))
    check("token reads the token entered; token_time lies between the Clock read before and "
          "after", tok == STEP1.encode() and
          clock0.timestamp() <= when.timestamp() <= clock1.timestamp(),
          (tok, str(clock0), str(when), str(clock1)))

with section("money and its scalers, for a kWh account (3 minor digits: the Wh)"):
    # After step1 the account has been credited 1 kWh = 1000 Wh = 1 000 000 mu, and nothing
    # else. The Account: double-long in the minor unit, 1 000 000 / 1000 = 1000 (Wh), with
    # currency_scale -3: 1000 x 10^-3 = 1 kWh. The total-credit Register 0.0.128.0.0.255:
    # long64 mu, 1 000 000, with scaler -(3 + 3) = -6: 1 000 000 x 10^-6 = 1 kWh.
    acc = bus.account()
    cur = getv(mgmt, *ACCOUNT, 15)
    check("Account currency {'KWH', currency_scale -3, currency_unit 2 monetary}",
          isinstance(cur, tuple) and cur[0] in ("KWH", b"KWH") and cur[1:] == (-3, 2), cur)
    total = getv(mgmt, 3, "0.0.128.0.0.255", 2)
    sunit = getv(mgmt, 3, "0.0.128.0.0.255", 3)
    check("total credit Register: value = D-Bus TotalCredit in mu (1 000 000), scaler_unit "
          "(-6, 10): value x 10^-6 = 1 kWh", total == int(acc["TotalCredit"]) == 1000000 and
          sunit == (-6, 10), (total, sunit, int(acc["TotalCredit"])))

with section("the same token refused on both channels"):
    before = balance()
    res, status, desc = enter_dlms(STEP1)
    check("enter(step1Test) again: other-reason (250), token_status 6 validation_failure, "
          "description ['used']",
          res == OTHER_REASON and status == (VALIDATION_FAILURE, "") and desc == [b"used"],
          (res, status, desc))
    err, msg = enter_dbus(STEP1)
    check("D-Bus EnterToken(step1Test): InvalidToken, already used", err == INVALID and
          "already used" in str(msg), (err, msg))
    err, reply = enter_dbus(STEP11)
    check("D-Bus EnterToken(step11BCTSA20Test) credits 18 x 100 Wh, payment through 'token'",
          err is None and int(reply[1]) == 18 * WH_PER_COUNT * MU_PER_WH and
          str(bus.account()["Payments"][0][2]) == "token", (err, reply))
    res, status, desc = enter_dlms(STEP11)
    check("enter(step11BCTSA20Test) after D-Bus took it: refused as used",
          res == OTHER_REASON and desc == [b"used"], (res, status, desc))
    check("the balance moved by step11's credit alone",
          balance() - before == 18 * WH_PER_COUNT * MU_PER_WH, (balance(), before))
    res, status, desc = enter_dlms(STEP10)
    check("enter(step10CTSA20Test): a valid entry (ends the session of invalid ones)",
          res == 0 and desc == [b"credit"], (res, status, desc))
    # 1 + 1.8 + 14782.4 kWh, far above the 2 kWh line: in credit only, '10000000'
    got = getv(mgmt, *ACCOUNT, 4)
    check("Account current_credit_status now '10000000' (in_credit), as D-Bus says",
          got == "10000000" == credit_status_want(), (got, credit_status_want()))

with section("bad parameters are no token"):
    status0 = getv(mgmt, *GATEWAY, 6)
    before = balance()
    r1, _ = mgmt.action(*GATEWAY, ENTER, dc.integer(5))
    r2, _ = mgmt.action(*GATEWAY, ENTER, dc.octet_string(b"1" * 65))
    r3, _ = mgmt.action(*GATEWAY, ENTER, dc.octet_string(b""))
    check("an integer, 65 octets, an empty octet-string: type-unmatched (12), token_status "
          "unchanged, nothing credited", [r1, r2, r3] == [TYPE_UNMATCHED] * 3 and
          getv(mgmt, *GATEWAY, 6) == status0 and balance() == before, (r1, r2, r3))

with section("the lockout holds across D-Bus and DLMS together"):
    # manual §4.2.1: the 5th invalid entry of a 10-minute session locks entry until the next
    # full hour; the 5 are split across both channels. The meter's clock first moves forward
    # to hh:01:00 of the next hour (within the view's 24 h limit), so that hour's end is 59
    # minutes away.
    now = dc.DateTime.from_bytes(mgmt.get(*CLOCK, 2)).utc()
    target = (now + datetime.timedelta(hours=1)).replace(minute=1, second=0, microsecond=0)
    r = mgmt.set(*CLOCK, 2,
                 dc.octet_string(dc.DateTime.from_utc(target, hundredths=False).to_bytes()))
    check(f"the management client sets the meter's clock to {target:%H:%M} UTC", r == 0, r)
    bad = wrong_digit(STEP15)
    got = [enter_dlms(bad)[:2], enter_dbus(bad)[0], enter_dlms(bad)[:2], enter_dbus(bad)[0]]
    check("4 invalid entries, DLMS and D-Bus in turn: each refused as invalid "
          "(DLMS: other-reason, 5 authentication_failure)",
          got == [(OTHER_REASON, (AUTHENTICATION_FAILURE, "")), INVALID] * 2, got)
    res, status, _ = enter_dlms(bad)
    check("the 5th (DLMS) is refused as invalid too", res == OTHER_REASON, (res, status))
    before = balance()
    err, msg = enter_dbus(STEP15)
    check("then a valid token on D-Bus: TokenEntryLocked", err == LOCKED, (err, msg))
    res, status, desc = enter_dlms(STEP15)
    check("and on DLMS: temporary-failure (2), token_status 7 execution_failure, "
          "description ['locked']", res == TEMPORARY_FAILURE and
          status == (EXECUTION_FAILURE, "") and desc == [b"locked"], (res, status, desc))
    check("nothing credited while locked", balance() == before, (balance(), before))

with section("the gateway's last entry across kill -9 and a restart"):
    # The gateway describes the last entry made through it (its token_delivery_method is
    # remote), not one made on D-Bus after it: the last DLMS entry is step15 refused as locked;
    # then D-Bus takes step11 (refused too: locked, or used).
    err, _ = enter_dbus(STEP11)
    check("D-Bus EnterToken(step11BCTSA20Test) after the last DLMS entry: refused",
          err in (LOCKED, INVALID), err)
    before = [getv(mgmt, *GATEWAY, a) for a in (2, 3, 4, 6)]
    check("before the kill: token step15, token_description ['locked'], token_status "
          "(7 execution_failure, '')", before[0] == STEP15.encode() and
          before[2] == [b"locked"] and before[3] == (EXECUTION_FAILURE, ""), before)
    mgmt.close()
    daemon.proc.kill()
    daemon.proc.wait()
    daemon.stop()
    daemon = Daemon(DAEMON, conf, TMP, PORT)
    up = daemon.wait_serving(60)
    check("polymeterd serves again after kill -9", up, daemon.stderr()[-1500:])
    if not up:
        done()
    mgmt = associated(PORT, MANAGEMENT)
    after = [getv(mgmt, *GATEWAY, a) for a in (2, 3, 4, 6)]
    check("after the restart: attributes 2 token, 3 token_time, 4 token_description and 6 "
          "token_status read as before the kill (the store's entry, not object-unavailable)",
          after == before, (after, before))

mgmt.close()
stopped_clean(daemon, "polymeterd")
done()
