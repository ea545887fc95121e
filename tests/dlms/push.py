#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The meter pushes to its head-end (docs/dlms.md, "Push"): a test head-end listener (a real
TCP server in this script) receives the Data-Notifications polymeterd sends, decoded with the
project's own client codec (cosem_axdr.py, cosem_security.py), on a simulated clock 3600 times
the real one (an hour a second) in a zone where it is 12:xx when the test starts.

  - the first daily push (00:00 local) arrives inside its window [00:00, 02:00), its
    date-time the nominal instant, its values the Push setup's list (its own logical name, the
    serial number, the Clock, +A and -A), +A between the D-Bus readings around it;
  - the head-end down for three nominal instants, then back: the three missed pushes arrive,
    oldest first, each once, and the next one after them;
  - kill -9 after a push was delivered inside its window, the daemon started again (its clock
    back before the nominal instant, so it passes the whole window again): the push is not
    sent again; kill -9 while the head-end is down and a push due: it comes once after the
    restart;
  - a supply disconnect on D-Bus: the supply push (0.0.25.9.3.255) arrives, control_state 0;
  - a disconnect and a reconnect on D-Bus while the head-end is down, kill -9, a restart, the
    head-end back: both supply pushes arrive once each, oldest first, with their events'
    times; after a further kill -9 and restart neither comes again;
  - the Push setup objects over DLMS: the management client reads the destination and
    invokes push; the public client does not see them;
  - a billing-period push (a tariff with periods of a day) with the last period's demand;
  - with HLS keys: the push is general-glo-ciphered under the meter's system title, deciphers
    with the keys, and its invocation counter is above every earlier one, across kill -9.

Waits are on state (a frame arriving, the meter's clock read over DLMS), never fixed sleeps.

usage: push.py POLYMETERD    (under dbus-run-session; tests/dlms/run)
Last line: "N passed, N failed".
"""
import datetime
import json
import os
import socket
import sys
import threading
import time

import cosem_security as sec
from dlmstest import (MANAGEMENT, SIM_SPEED, TWO_RATES, Bus, Daemon, associated, check, dc,
                      done, eventually, free_port, meter_conf, tmpdir)

DAEMON = sys.argv[1]
SPEED = 3600
DAY = 86400
WINDOW = 7200
SCHEDULED_LN = bytes([0, 0, 25, 9, 0, 255])
SUPPLY_LN = bytes([0, 0, 25, 9, 3, 255])
BILLING_LN = bytes([0, 0, 25, 9, 1, 255])
KEYS = sec.Keys(bytes.fromhex("000102030405060708090A0B0C0D0E0F"),
                bytes.fromhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"))
SERVER_TITLE = bytes.fromhex("504D540000000001")
# The simulated clock starts at the wall clock's time. A zone where it is 12:xx now puts the
# first nominal instant (00:00 local) about 12 simulated hours (12 s) away, well after the
# daemon is up, and a restart (the simulated clock starts again at the wall's time) back
# before it.
EAST_H = (12 - datetime.datetime.now(datetime.timezone.utc).hour) % 24
EAST_H = EAST_H - 24 if EAST_H > 14 else EAST_H
ZONE = "Etc/GMT" if EAST_H == 0 else f"Etc/GMT{-EAST_H:+d}"  # tzdata's sign is POSIX's


class Push:
    """One Data-Notification as the head-end decoded it."""

    def __init__(self, frame, keys=None):
        apdu = frame.apdu
        self.wports = (frame.source, frame.destination)
        self.ic = self.title = None
        if apdu[0] == 0xDB:  # general-glo-ciphering: title, then SC || IC || C || T
            self.title = apdu[2:2 + apdu[1]]
            n, pos = dc.decode_length(apdu, 2 + apdu[1])
            _, self.ic, apdu = sec.unprotect(keys, self.title, apdu[pos:pos + n])
        if apdu[0] != 0x0F:
            raise dc.ProtocolError(f"not a data-notification: {apdu.hex()}")
        self.invoke = int.from_bytes(apdu[1:5], "big")
        n = apdu[5]
        self.date_time = dc.DateTime.from_bytes(apdu[6:6 + n]) if n else None
        self.body = dc.decode_data(apdu[6 + n:])

    @property
    def nominal(self):
        return self.date_time.timestamp()


class HeadEnd:
    """A TCP listener on 127.0.0.1:@port that takes pushes: each connection read to its end,
    every frame kept with its arrival time. down() closes the listener (connections are then
    refused), up() opens it again on the same port."""

    def __init__(self, keys=None):
        self.port = free_port()
        self.keys = keys
        self.pushes = []
        self.errors = []
        self.lock = threading.Lock()
        self.sock = None
        self.up()

    def up(self):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(8)
        self.sock = s
        threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def down(self):
        self.sock.close()

    def _accept(self, s):
        while True:
            try:
                conn, _ = s.accept()
            except OSError:
                return
            w = dc.Wrapper(conn, timeout=10)
            try:
                while True:
                    f = w.recv_frame()
                    with self.lock:
                        self.pushes.append((time.monotonic(), Push(f, self.keys)))
            except dc.Closed:
                pass
            except Exception as e:  # noqa: BLE001 - recorded, the checks report it
                with self.lock:
                    self.errors.append(repr(e))
            conn.close()

    def received(self):
        with self.lock:
            return [p for _, p in self.pushes]

    def wait(self, n, timeout=60):
        """The first @n pushes, once they have arrived."""
        eventually(lambda: len(self.received()) >= n, timeout, f"{n} pushes")
        return self.received()[:n]


def conf_for(tmp, port, head, schedule="daily", **keys):
    conf = meter_conf(tmp, port, dlms_push_destination=f"127.0.0.1:{head.port}",
                      dlms_push_schedule=schedule, dlms_push_events="supply",
                      dlms_push_retry_base=60, dlms_push_retry_max=600, **keys)
    with open(conf, encoding="ascii") as f:
        text = f.read()
    with open(conf, "w", encoding="ascii") as f:
        f.write(text.replace(f"sim_speed = {SIM_SPEED}\n", f"sim_speed = {SPEED}\n")
                .replace("time_zone = UTC\n", f"time_zone = {ZONE}\n"))
    return conf


def start(tmp, port, conf, what):
    d = Daemon(DAEMON, conf, tmp, port)
    up = d.wait_serving(60)
    check(f"polymeterd serves DLMS {what}", up, d.stderr()[-1500:])
    if not up:
        d.stop()
        done()
    return d


def meter_clock(port):
    """The meter's clock, UTC seconds, read over DLMS (Clock attribute 2)."""
    with associated(port, MANAGEMENT) as c:
        return dc.DateTime.from_bytes(c.get(8, "0.0.1.0.0.255", 2)).timestamp()


def clock_past(port, t):
    return eventually(lambda: meter_clock(port) >= t, 120, f"the meter's clock past {t}",
                      ignore=(OSError, dc.DlmsError))


def kill9(d):
    d.proc.kill()
    d.proc.wait()
    d.errfile.close()


def utc(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc)


def nominals(pushes, ln=SCHEDULED_LN):
    return [p.nominal for p in pushes if p.body[0] == ln]


def next_midnight(t):
    """The UTC seconds of the first local midnight after @t."""
    return (int(t + EAST_H * 3600) // DAY + 1) * DAY - EAST_H * 3600


# ---- in clear ----

TMP = tmpdir("pm-dlms-push-")
PORT = free_port()
head = HeadEnd()
CONF = conf_for(TMP, PORT, head)
daemon = start(TMP, PORT, CONF, f"with dlms_push_destination, daily pushes, {ZONE}")
bus = Bus()
check("its meter is published on D-Bus", eventually(bus.published, 60, "the meter on D-Bus"))
FIRST = next_midnight(meter_clock(PORT))

# The first push, +A bracketed by D-Bus readings taken while it was awaited: the last one at
# least 0.25 s (a quarter of a simulated hour) before it arrived, well before its values were
# read, and one after it.
readings = []
deadline = time.monotonic() + 60
while not head.received() and time.monotonic() < deadline:
    readings.append((time.monotonic(), bus.meter()["EnergyImport"]))
    time.sleep(0.02)  # the pace of the D-Bus readings, not a synchronisation
after = bus.meter()["EnergyImport"]
first = head.wait(1)
check("the daily push arrives", first, head.errors)
p = first[0]
arrived = head.pushes[0][0]
before = max((v for t, v in readings if t <= arrived - 0.25), default=None)
clock = dc.DateTime.from_bytes(p.body[2]).timestamp()
check(f"it is a Data-Notification in the wrapper from wPort 1 to wPort 1, date-time the nominal "
      f"instant {utc(FIRST)} (00:00 local, deviation {-EAST_H * 60} min, no DST)",
      p.wports == (1, 1) and p.nominal == FIRST and p.date_time.hour == 0 and
      p.date_time.minute == 0 and p.date_time.deviation == -EAST_H * 60 and
      p.date_time.status == 0, f"{p.wports} {p.date_time}")
check("its values are the push object list: the setup's name 0.0.25.9.0.255, serial number "
      "'bms', Clock, +A, -A",
      len(p.body) == 5 and p.body[0] == SCHEDULED_LN and p.body[1] in (b"bms", "bms"),
      str(p.body))
check("it left inside its random window [00:00, 02:00) local of the meter's clock",
      FIRST <= clock < FIRST + WINDOW, f"{utc(clock)}, window from {utc(FIRST)}")
# +A is long64 mWh (scaler -3); D-Bus EnergyImport is Wh
check("+A as D-Bus read it just before and just after the push (Wh)",
      before is not None and before - 1 <= p.body[3] / 1000 <= after + 1,
      f"{before} <= {p.body[3] / 1000} <= {after}")

# kill -9 just after the push was delivered, inside its window. The restart's clock starts
# again before the nominal instant, so it passes the whole window again.
kill9(daemon)
daemon = start(TMP, PORT, CONF, "again after kill -9 (its clock back before the push)")
check("after the restart the meter's clock passes the delivered push's window again",
      clock_past(PORT, FIRST + WINDOW + 3600))
check("the push delivered before kill -9 is not sent again",
      nominals(head.received()) == [FIRST], [str(utc(t)) for t in nominals(head.received())])

# kill -9 while the head-end is down, the next push due and failing.
head.down()
check("head-end down: the meter's clock passes the next push's window",
      clock_past(PORT, FIRST + DAY + WINDOW))
kill9(daemon)
head.up()
daemon = start(TMP, PORT, CONF, "again after kill -9 with a push due")
check("the push due at the kill arrives once after the restart",
      eventually(lambda: FIRST + DAY in nominals(head.received()), 90,
                 "the push due at the kill"))

# The head-end down for three nominal instants, then back.
head.down()
check("head-end down: the meter's clock passes three more nominal instants and their windows",
      clock_past(PORT, FIRST + 4 * DAY + WINDOW))
head.up()
eventually(lambda: FIRST + 5 * DAY in nominals(head.received()), 90, "the push after them")
got = nominals(head.received())
check("back up: the three missed pushes arrive once each, oldest first, then the next one; "
      "every daily push from the first exactly once, in order",
      got[:6] == [FIRST + k * DAY for k in range(6)] and
      got == [FIRST + k * DAY for k in range(len(got))],
      [str(utc(t)) for t in got])

# An event: the supply disconnected on D-Bus.
n0 = len(head.received())
Bus().account_call("Disconnect")  # a new proxy: the daemon was restarted
check("a D-Bus Disconnect pushes the supply setup at once (control_state 0 disconnected)",
      eventually(lambda: any(q.body[0] == SUPPLY_LN and q.body[3] == 0
                             for q in head.received()[n0:]), 30, "the supply push"),
      [q.body for q in head.received()[n0:]])
# The Push setup objects over DLMS: the management client reads the destination and invokes
# push (method 1, data integer 0) on the power setup; the public client does not see them.
POWER_LN = bytes([0, 0, 25, 9, 2, 255])
n0 = len(head.received())
with associated(PORT, MANAGEMENT) as c:
    dest = c.get(40, "0.0.25.9.2.255", 3)
    result, _ = c.action(40, "0.0.25.9.2.255", 1, dc.integer(0))
check("the management client reads send_destination_and_method {0 TCP, the destination, "
      "0 A-XDR}", dest == (0, f"127.0.0.1:{head.port}".encode(), 0), dest)
check("method push (integer 0) on 0.0.25.9.2.255 succeeds and that setup's push arrives",
      result == 0 and eventually(lambda: any(q.body[0] == POWER_LN
                                             for q in head.received()[n0:]), 30, "power push"),
      result)
with associated(PORT) as c:
    try:
        c.get(40, "0.0.25.9.0.255", 2)
        hidden = False
    except dc.Refused as e:
        hidden = e.code == 4  # object-undefined
check("the public client does not see the Push setup objects (object-undefined)", hidden)

# Event pushes are read from the event log after a committed cursor: two supply events logged
# while the head-end is down, then kill -9 and a restart with it still down, then back up.
n0 = len(head.received())
Bus().account_call("Reconnect")  # the Disconnect above left the supply open
eventually(lambda: any(q.body[0] == SUPPLY_LN for q in head.received()[n0:]), 30,
           "the reconnect's supply push")
n1 = len(head.received())
head.down()
bus = Bus()
newest = bus.dbus.Interface(bus._object(), "org.polymeter.Meter1.Meter").GetEvents


def supply_events(after=None):
    """The supply events logged after @after (UTC ns), oldest first: [(UTC ns, kind)]."""
    evs = [(int(t), str(k)) for t, k, _ in reversed(newest(bus.dbus.UInt64(100)))
           if str(k) in ("supply_opened", "supply_closed")]
    return [e for e in evs if after is None or e[0] > after]


# the reconnect just pushed is the newest supply event logged
mark = supply_events()[-1][0]
bus.account_call("Disconnect")
bus.account_call("Reconnect")
# the account's events are queued for the log: kill -9 once both are in it
check("head-end down: the disconnect and the reconnect are logged",
      eventually(lambda: [k for _, k in supply_events(mark)] ==
                 ["supply_opened", "supply_closed"], 30, "the supply events logged"),
      supply_events(mark))
# the push's date-time is the event's time in whole seconds
logged = [t // 10**9 for t, _ in supply_events(mark)]
kill9(daemon)
daemon = start(TMP, PORT, CONF, "again after kill -9 with two event pushes due")
head.up()
eventually(lambda: len([q for q in head.received()[n1:] if q.body[0] == SUPPLY_LN]) >= 2, 60,
           "two supply pushes after the restart")
supply = [q.nominal for q in head.received()[n1:] if q.body[0] == SUPPLY_LN]
check("back up after kill -9: the disconnect's and the reconnect's supply pushes arrive once "
      "each, oldest first, each dated with its event's time",
      supply == logged, f"{[str(utc(t)) for t in supply]}, logged {[str(utc(t)) for t in logged]}")
# A further restart: log events go before a method push, so once the method's push arrives the
# events delivered would have come again before it, were their cursor not committed.
kill9(daemon)
daemon = start(TMP, PORT, CONF, "again after kill -9, the event pushes delivered")
n2 = len(head.received())
with associated(PORT, MANAGEMENT) as c:
    result, _ = c.action(40, "0.0.25.9.2.255", 1, dc.integer(0))
eventually(lambda: any(q.body[0] == POWER_LN for q in head.received()[n2:]), 30, "power push")
later = [q.body[0] for q in head.received()[n2:]]
check("after a further restart the delivered event pushes are not sent again",
      result == 0 and SUPPLY_LN not in later, later)
check("the head-end decoded every frame", not head.errors, head.errors)
rc, err = daemon.stop()
check("exits cleanly on SIGTERM (status 0, ASan/UBSan quiet)",
      rc == 0 and "Sanitizer" not in err and "runtime error" not in err, err[-2000:])

# ---- ciphered ----

TMP2 = tmpdir("pm-dlms-push-hls-")
PORT2 = free_port()
key_path = f"{TMP2}/dlms-keys"
fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
with os.fdopen(fd, "w", encoding="ascii") as f:
    f.write(f"system_title = {SERVER_TITLE.hex()}\nencryption_key = {KEYS.ek.hex()}\n"
            f"authentication_key = {KEYS.ak.hex()}\n")
head2 = HeadEnd(keys=KEYS)
CONF2 = conf_for(TMP2, PORT2, head2, "daily billing", dlms_key_file=key_path)
# billing periods of one day, so that a billing-period push comes at each midnight too
with open(f"{TMP2}/two-rate.json", "w", encoding="ascii") as f:
    json.dump(dict(TWO_RATES, billing_period={"days": 1, "start": "2026-01-01"}), f)
d2 = start(TMP2, PORT2, CONF2, "with dlms_key_file and pushes")
first2 = next_midnight(meter_clock(PORT2))
pushes = head2.wait(2)
check("with keys the push is general-glo-ciphered under the meter's system title and "
      "deciphers with its keys",
      len(pushes) == 2 and all(q.title == SERVER_TITLE and q.nominal == first2
                               for q in pushes), head2.errors)
billing = [q for q in pushes if q.body[0] == BILLING_LN]
check("the billing-period push (0.0.25.9.1.255) carries the scheduled values and the last "
      "period's maximum demand +A and -A, each value and capture time (9 elements)",
      len(billing) == 1 and len(billing[0].body) == 9 and
      billing[0].body[1] in (b"bms", "bms"),
      [q.body for q in pushes])
Bus().account_call("Disconnect")
eventually(lambda: any(q.body[0] == SUPPLY_LN for q in head2.received()), 30, "supply push")
before_kill = [q.ic for q in head2.received()]
kill9(d2)
d2 = start(TMP2, PORT2, CONF2, "with keys after kill -9")
n0 = len(head2.received())
Bus().account_call("Reconnect")
eventually(lambda: len(head2.received()) > n0, 30, "a push after the restart")
ics = [q.ic for q in head2.received()]
check("each push's invocation counter is above every earlier one, across kill -9",
      len(ics) > len(before_kill) and all(b > a for a, b in zip(ics, ics[1:])), ics)
check("the ciphered head-end decoded every frame", not head2.errors, head2.errors)
rc, err = d2.stop()
check("exits cleanly on SIGTERM (status 0, ASan/UBSan quiet)",
      rc == 0 and "Sanitizer" not in err and "runtime error" not in err, err[-2000:])
done()
