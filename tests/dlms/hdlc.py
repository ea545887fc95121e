#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""polymeterd's DLMS/COSEM server over HDLC (IEC 62056-46) on a serial line, against the
project's own client (cosem_hdlc.py under dlms_client.py), over socat pty pairs. Run under
dbus-run-session (tests/dlms/run does).

usage: hdlc.py POLYMETERD        (built with ASan/UBSan: make daemon-asan)

Two simulated meters share one "RS-485 bus" (one pty): "bms" at HDLC physical address 17,
"m2" at 18; a third, "opt", has an "optical port" (another pty) with the IEC 62056-21 mode E
sign-on. Each meter also serves the TCP wrapper on loopback, the reference its HDLC answers
are compared with. The checks: association and reads over HDLC; a long read and a long write
segmented; bad FCS, frames for other addresses, half frames and line noise ignored, the bus
undisturbed (the next frame is answered, and the first answer to arrive is that one); the two
meters told apart by address; the sign-on, then HDLC at the agreed rate.
Waits are on state changes (a frame, a file), bounded. Last line: "N passed, N failed".
"""
import os
import random
import subprocess
import sys
import termios

from dlmstest import (MANAGEMENT, PASSWORD, PUBLIC, Daemon, associated, check, dc, done,
                      free_port, meter_conf, procs, section, stopped_clean, tmpdir, wait_until)
import cosem_hdlc as hd

DAEMON = sys.argv[1]
TMP = tmpdir("pm-hdlc-")
PORT, PORT2, PORT3 = free_port(), free_port(), free_port()
SERIAL = dc.obis("0.0.96.1.0.255")  # the serial number: the meter's name
CALENDAR = (20, "0.0.13.0.0.255")
SCRIPTS = dc.obis("0.0.10.0.100.255")
OPT_IDLE_S = 5  # the optical port's inactivity timeout


SOCATS = []  # stopped at the end (a crash kills them through dlmstest's procs)


def pty_pair(name):
    """A socat pty pair TMP/NAME-meter <-> TMP/NAME-cli; the client end opened raw 9600 8N1."""
    a, b = f"{TMP}/{name}-meter", f"{TMP}/{name}-cli"
    # pylint: disable-next=consider-using-with
    p = subprocess.Popen(["socat", f"PTY,link={a},raw,echo=0", f"PTY,link={b},raw,echo=0"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append(p)
    SOCATS.append(p)
    wait_until(lambda: os.path.exists(a) and os.path.exists(b), 10, f"socat's ptys {name}")
    fd = os.open(b, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    hd.set_line(fd, 9600, False)
    return a, fd


BUS, BUS_FD = pty_pair("bus")
OPT, OPT_FD = pty_pair("opt")

conf = meter_conf(TMP, PORT, dlms_hdlc_device=BUS, dlms_hdlc_address=17, dlms_hdlc_rs485="no")
SECOND = f"""[meter m2]
source = sim
sim_rate_hz = 1
time_zone = UTC
dlms_port = {PORT2}
dlms_address = 127.0.0.1
dlms_hdlc_device = {BUS}
dlms_hdlc_address = 18
dlms_hdlc_rs485 = no
[meter opt]
source = sim
sim_rate_hz = 1
time_zone = UTC
dlms_port = {PORT3}
dlms_address = 127.0.0.1
dlms_hdlc_device = {OPT}
dlms_hdlc_rs485 = no
dlms_hdlc_mode_e = yes
dlms_hdlc_line = 9600 N 1
dlms_hdlc_inactivity_timeout = {OPT_IDLE_S}
"""
with open(conf, "a", encoding="ascii") as f:
    f.write(SECOND)
daemon = Daemon(DAEMON, conf, TMP, PORT)
up = daemon.wait_serving(60)
check("polymeterd starts with three meters, two on one HDLC bus, one on an optical port",
      up, daemon.stderr()[-1500:])
if not up:
    daemon.stop()
    done()


def hdlc_client(link, sap=PUBLIC):
    """dlms_client.Client over @link (its transport replaced by HDLC)."""
    class NoSocket:  # the link's fd is the test's, closed at the end
        def close(self):
            pass
    c = dc.Client(None, None, client_sap=sap, sock=NoSocket())
    c.wrapper = hd.HdlcTransport(link)
    return c


def answered_first(link, stray, what):
    """Writes @stray (bytes a meter must ignore), then an RR poll to a disconnected meter:
    True when the first frame that comes back is the DM answering the poll (so nothing
    answered the stray bytes and the bus still works)."""
    link.write(stray)
    link.send(hd.rr_control(0))
    f = link.recv()
    return check(what, f.kind == "DM" and f.pf, f"{f.kind} {f.control:02X}")


def serves_meter(link, name, what):
    """Over @link: SNRM, a public association, the serial number @name, RLRQ, DISC."""
    link.snrm()
    c = hdlc_client(link)
    check(f"{what}: public association", c.associate().accepted)
    got = c.get(1, SERIAL, 2)
    check(f"{what}: serial number 0.0.96.1.0.255 is '{name}'", got == name, got)
    c.release()
    check(f"{what}: DISC answered with UA", link.disc() == "UA")


def tcp_get(port, *args):
    with associated(port, PUBLIC) as c:
        return c.get(*args)


# ---- 1. association and reads on the bus, by address ----

with section("association and reads over HDLC"):
    link = hd.Link(BUS_FD, server=(1, 17, 2), client=PUBLIC)
    neg = link.snrm()
    check("SNRM (no parameters: 128/128, windows 1) to 1/17: UA with 128, 128, 1, 1 "
          "(the smaller of ours, 256/7, and the defaults)",
          neg == {"max_tx": 128, "max_rx": 128, "win_tx": 1, "win_rx": 1}, neg)
    c = hdlc_client(link)
    aare = c.associate()
    check("public AARQ over HDLC: AARE accepted", aare.accepted, aare)
    name = c.get(1, SERIAL, 2)
    check("meter at 17 answers: serial number 0.0.96.1.0.255 is 'bms'", name == "bms", name)
    now = c.get(*dc.CLOCK, 2)
    check("the clock reads over HDLC: a 12-octet date-time, the date the TCP wrapper's",
          len(now) == 12 and now[:4] == tcp_get(PORT, *dc.CLOCK, 2)[:4], now)
    sunit = c.get(3, "1.0.32.7.0.255", 3)
    check("Register scaler_unit over HDLC = over the TCP wrapper", sunit == tcp_get(
        PORT, 3, "1.0.32.7.0.255", 3), sunit)
    polls = link.rr_polls
    objs = c.get(*dc.ASSOCIATION_LN, 2)
    tcp_objs = tcp_get(PORT, *dc.ASSOCIATION_LN, 2)
    check("the object list (a long read: GET blocks, each in 128-octet HDLC segments) equals "
          "the TCP wrapper's", objs == tcp_objs and link.rr_polls - polls > 5,
          f"{len(objs)} vs {len(tcp_objs)} entries, {link.rr_polls - polls} RR polls")
    check("every frame received held at most the 128 octets agreed",
          all(len(hd.parse_frame(r).info) <= 128 for r in link.reader.raw))
    c.release()
    check("DISC: UA", link.disc() == "UA")

with section("the second meter on the bus"):
    serves_meter(hd.Link(BUS_FD, server=(1, 18, 4), client=PUBLIC), "m2",
                 "meter at 18, called by its 4-byte address")

# ---- 2. a long write, segmented, and bigger windows ----

with section("a long write segmented"):
    link = hd.Link(BUS_FD, server=(1, 17, 2), client=MANAGEMENT, max_tx=64, max_rx=64,
                   win_rx=3)
    neg = link.snrm()
    check("SNRM offering 64/64, receive window 3: UA with 64, 64, windows 3 (ours) and 1 "
          "(its transmit window, the default)",
          neg == {"max_tx": 64, "max_rx": 64, "win_tx": 3, "win_rx": 1}, neg)
    m = hdlc_client(link, MANAGEMENT)
    check("management AARQ (LLS) over HDLC: accepted", m.associate(password=PASSWORD).accepted)
    switches = [(h, 1 + (h // 3) % 2) for h in range(0, 24, 3)]
    day = dc.array([dc.structure(dc.unsigned(1), dc.array([
        dc.structure(dc.octet_string(bytes([h, 0, 0, 0])), dc.octet_string(SCRIPTS),
                     dc.long_unsigned(r)) for h, r in switches]))])
    sent = len(link.sent)
    r = m.set(*CALENDAR, 9, day)
    segments = [hd.parse_frame(x) for x in link.sent[sent:]]
    check("SET of day_profile_table_passive (8 switch points, about 200 octets) in 64-octet "
          "segments: success", r == 0 and sum(f.segmented for f in segments) >= 2,
          f"{r}, {sum(f.segmented for f in segments)} segmented frames")
    back = m.get(*CALENDAR, 9)
    check("... read back the same", back == [(1, [(bytes([h, 0, 0, 0]), SCRIPTS, r)
                                                  for h, r in switches])], back)
    m.release()
    link.disc()

# ---- 3. what a meter must ignore, without disturbing the bus ----

with section("ignored without a byte sent"):
    link = hd.Link(BUS_FD, server=(1, 17, 2), client=PUBLIC)
    snrm = hd.frame(link.dst, link.src, hd.SNRM | hd.PF)
    bad = bytearray(snrm)
    bad[-2] ^= 0xFF
    answered_first(link, bytes(bad), "a SNRM with a bad FCS: ignored (the next poll gets DM)")
    other = hd.frame(hd.address(1, 19, 2), link.src, hd.SNRM | hd.PF)
    answered_first(link, other, "a SNRM for physical address 19 (no meter): ignored")
    bcast = hd.frame(hd.address(1, 0x7F, 2), link.src, hd.SNRM | hd.PF)
    answered_first(link, bcast, "a broadcast SNRM: no meter answers")
    one_byte = hd.frame(hd.address(1), link.src, hd.SNRM | hd.PF)
    answered_first(link, one_byte, "a SNRM to the 1-byte address (no meter on a bus has it): "
                   "ignored")
    answered_first(link, snrm[:7], "half a SNRM, then silence: given up, the next frame "
                   "answered")
    rnd = random.Random(62056)
    noise = bytes(rnd.randrange(256) for _ in range(300)) + b"\x7e\xa0\x7e\x7e"
    answered_first(link, noise, "300 octets of line noise (and stray flags): ignored")
    neg = link.snrm()
    check("after all that the meter connects as before", neg["max_tx"] == 128)
    link.write(hd.frame(link.dst, link.src, hd.i_control(3, 0), hd.LLC_REQUEST + b"\x62\x00"))
    f = link.recv()
    check("an I frame out of sequence (N(S) 3 where 0 is due): RR N(R) 0 asks for frame 0",
          f.kind == "RR" and f.nr == 0, f"{f.kind} {f.nr}")
    c = hdlc_client(link)
    check("... and the link goes on: AARQ accepted", c.associate().accepted)
    c.release()
    link.disc()

# ---- 4. mode E on the optical port ----

with section("mode E sign-on"):
    # "no answer" is silence past the longest reaction time IEC 62056-21 gives a meter (1.5 s)
    ident, baud = hd.sign_on(OPT_FD, "other", timeout=2, accept=False)
    check("sign-on with another meter's address: no identification", ident is None, ident)
    ident, baud = hd.sign_on(OPT_FD, "")
    check("sign-on '/?!': identification '/PMD5\\2polymeter' (9600 baud, mode E)",
          ident == "/PMD5\\2polymeter\r\n" and baud == 9600, ident)
    serves_meter(hd.Link(OPT_FD, server=(1, None, 1), client=PUBLIC), "opt",
                 "after ACK 2 5 2, HDLC at 9600 to the 1-byte address 1")
    hd.set_line(OPT_FD, 300, True)
    ident, baud = hd.sign_on(OPT_FD, "opt")
    check("after DISC the port waits for a sign-on again: '/?opt!' answered", baud == 9600,
          ident)
    link = hd.Link(OPT_FD, server=(1, None, 1), client=PUBLIC)
    check("... and HDLC follows", link.snrm()["max_tx"] == 128)
    # the reader goes away without DISC: after the inactivity timeout the link is down and the
    # port waits for a sign-on again (sign-ons before that are noise to HDLC, not frames)
    def signed_on():
        return hd.sign_on(OPT_FD, "opt", timeout=1.6)[1] == 9600
    check(f"a link left without DISC: after dlms_hdlc_inactivity_timeout ({OPT_IDLE_S} s) "
          "the port answers a sign-on again", wait_until(signed_on, 60, "a sign-on answered"))
    link = hd.Link(OPT_FD, server=(1, None, 1), client=PUBLIC)
    check("... and the link starts again from SNRM", link.snrm()["max_tx"] == 128)
    link.disc()

for fd in (BUS_FD, OPT_FD):
    termios.tcflush(fd, termios.TCIOFLUSH)
    os.close(fd)
stopped_clean(daemon, "polymeterd")
for p in SOCATS:
    p.terminate()
    p.wait()
done()
