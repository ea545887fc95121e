# SPDX-License-Identifier: GPL-2.0-only
"""SET and ACTION on dlms-daemon.py's meter, each seen through the D-Bus view:

- the management client writes Account 0.0.19.0.0.255 attribute 16 low_credit_threshold
  (the setting low_credit, docs/object-model.md) with SET-Request-With-First-Datablock and
  -With-Datablock in 2-octet blocks: D-Bus Configuration["low_credit"] follows (an amount
  x 10^currency scale, in mu); the public client's SET of it is refused and changes nothing;
  the management client's SET-Request-Normal puts the old value back;
- the management client's Disconnect control remote_disconnect (method 1, integer 0) opens
  the supply (D-Bus SupplyState open, output_state false, control_state 0), remote_reconnect
  (method 2) leaves it closed or armed, as D-Bus and control_state agree.
Run last: a disconnect stops the energy the other checks watch grow.
"""
from dlmstest import check, dc, eventually

ACCOUNT = (111, "0.0.19.0.0.255")
DISCONNECT = (70, "0.0.96.3.10.255")


def low_credit(bus):
    return int(bus.account()["Configuration"]["low_credit"])


def run(bus, pub, mgmt, objects, step_mu, supply_matches):
    """@step_mu: one step of the amounts of the Account in mu; @supply_matches: () -> (True
    when Disconnect control and D-Bus agree, what was read)."""
    acct = objects.get((111, dc.obis(ACCOUNT[1])))
    if acct is None or acct.access(16) not in dc.WRITABLE:
        check("the management client may write Account low_credit_threshold (attr 16)", False,
              str(acct and acct.attributes))
    else:
        old = mgmt.get_typed(*ACCOUNT, 16)
        mu0 = low_credit(bus)
        check("Account low_credit_threshold x 10^scale = D-Bus Configuration low_credit",
              old.tag == dc.Tag.DOUBLE_LONG and old.value * step_mu == mu0, f"{old} {mu0}")
        new = dc.Data(old.tag, old.value + 123)
        res, acks = mgmt.set_with_blocks(*ACCOUNT, 16, new, 2)  # 5 octets: blocks 1, 2, 3
        check("management SET of it +123 in three 2-octet datablocks: blocks 1 and 2 "
              "acknowledged, success on block 3", (res, acks) == (0, [1, 2]), f"{res} {acks}")
        check("... D-Bus Configuration low_credit follows (+123 x 10^scale in mu), and a GET "
              "reads it back", eventually(lambda: low_credit(bus) == mu0 + 123 * step_mu, 10,
                                          "low_credit on D-Bus") and
              mgmt.get_typed(*ACCOUNT, 16) == new, str(low_credit(bus)))
        r = pub.set(*ACCOUNT, 16, old)
        check("public SET of it: refused (read-write-denied, or object-undefined where the "
              "public client does not see the Account), nothing changed",
              r in (3, 4) and low_credit(bus) == mu0 + 123 * step_mu,
              f"{dc.DATA_ACCESS_RESULT.get(r, r)} {low_credit(bus)}")
        r = mgmt.set(*ACCOUNT, 16, old)
        check("management SET-Request-Normal of the old value: success, D-Bus back",
              r == 0 and eventually(lambda: low_credit(bus) == mu0, 10, "low_credit back"),
              f"{r} {low_credit(bus)}")
        r = mgmt.set(*ACCOUNT, 16, dc.visible_string("12"))
        check("management SET of a visible-string to it: type-unmatched, nothing changed",
              r == 12 and low_credit(bus) == mu0, f"{dc.DATA_ACCESS_RESULT.get(r, r)}")

    r, _ = mgmt.action(*DISCONNECT, 1, dc.integer(0))
    opened = eventually(lambda: bus.account()["SupplyState"] == "open", 10, "supply open")
    ok, got = supply_matches()
    check("management ACTION remote_disconnect: success; D-Bus SupplyState open; "
          "output_state false, control_state 0 disconnected", r == 0 and opened and ok and
          got[0] == [False, 0], f"{dc.ACTION_RESULT.get(r, r)} {got}")
    r, _ = mgmt.action(*DISCONNECT, 2, dc.integer(0))
    left = eventually(lambda: bus.account()["SupplyState"] != "open", 10, "supply not open")
    ok, got = supply_matches()
    check("management ACTION remote_reconnect: success; closed or armed, as D-Bus and "
          "control_state (1 / 2) agree", r == 0 and left and ok, f"{r} {got}")
    if bus.account()["SupplyState"] == "armed":
        bus.account_call("Reconnect")
