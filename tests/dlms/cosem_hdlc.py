# SPDX-License-Identifier: GPL-2.0-only
"""The HDLC side of the project's DLMS test client (IEC 62056-46 and the mode E sign-on of
IEC 62056-21), written from the frame layout of the standard and the frames the DLMS
reference sheet captured (section 1.6), for the tests only. No third-party DLMS code.

  crc16(data)                CRC-16/X.25, sent low byte first
  address(upper, lower, size) / frame(...) / parse_frame(raw)   one frame, flags included
  FrameReader(fd)            cuts frames out of a byte stream (skipping noise)
  params(...) / parse_params(info)   the SNRM/UA negotiation field
  Link(fd, ...)              the client (primary) station: snrm(), send_apdu(), recv_apdu(),
                             disc(); segments both ways, checks N(S)/N(R)
  HdlcTransport(link)        what dlms_client.Client expects of a transport (send_apdu /
                             recv_frame), so the whole client runs over HDLC
  sign_on(fd, address)       mode E: "/?addr!" at 300 baud, the identification, ACK 2 Z 2

Control fields (bit 0 first, P/F is bit 4): I frame rrr P sss 0; RR rrr P 0001; RNR rrr P 0101;
SNRM 0x83, DISC 0x43, UA 0x63, DM 0x0F, FRMR 0x87, UI 0x03 (plus 0x10 with P/F).
"""
import dataclasses
import os
import select
import termios
import time

FLAG = 0x7E
SNRM, DISC, UA, DM, FRMR, UI = 0x83, 0x43, 0x63, 0x0F, 0x87, 0x03
PF = 0x10
LLC_REQUEST = bytes([0xE6, 0xE6, 0x00])
LLC_RESPONSE = bytes([0xE6, 0xE7, 0x00])


class HdlcError(Exception):
    """The server broke the link protocol (a wrong N(S), an unexpected frame, silence)."""


def crc16(data):
    """CRC-16/X.25: reflected polynomial 0x8408, init 0xFFFF, final xor 0xFFFF."""
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc ^ 0xFFFF


def address(upper, lower=None, size=None):
    """An HDLC address: 1 byte (upper only), 2 bytes (7 bits each) or 4 bytes (14 bits each,
    high 7 bits first); the last byte has bit 0 set."""
    if size is None:
        size = 1 if lower is None else (2 if upper < 0x80 and lower < 0x80 else 4)
    if size == 1:
        return bytes([upper << 1 | 1])
    if size == 2:
        return bytes([upper << 1, lower << 1 | 1])
    return bytes([(upper >> 7) << 1, (upper & 0x7F) << 1, (lower >> 7) << 1,
                  (lower & 0x7F) << 1 | 1])


def frame(dst, src, control, info=b"", segmented=False):
    """One frame, flags included; @dst and @src are encoded addresses (address())."""
    hdr_len = 2 + len(dst) + len(src) + 1
    total = hdr_len + (2 + len(info) if info else 0) + 2
    fmt = 0xA000 | (0x0800 if segmented else 0) | total
    body = bytes([fmt >> 8, fmt & 0xFF]) + dst + src + bytes([control])
    if info:
        hcs = crc16(body)
        body += bytes([hcs & 0xFF, hcs >> 8]) + info
    fcs = crc16(body)
    return bytes([FLAG]) + body + bytes([fcs & 0xFF, fcs >> 8, FLAG])


def i_control(ns, nr, pf=True):
    return (nr & 7) << 5 | (PF if pf else 0) | (ns & 7) << 1


def rr_control(nr, pf=True):
    return (nr & 7) << 5 | (PF if pf else 0) | 0x01


def rnr_control(nr, pf=True):
    return (nr & 7) << 5 | (PF if pf else 0) | 0x05


@dataclasses.dataclass
class Frame:
    dst: tuple  # (upper, lower or None, size)
    src: tuple
    control: int
    info: bytes
    segmented: bool

    @property
    def pf(self):
        return bool(self.control & PF)

    @property
    def kind(self):
        c = self.control
        if not c & 1:
            return "I"
        if c & 0x0F == 0x01:
            return "RR"
        if c & 0x0F == 0x05:
            return "RNR"
        return {SNRM: "SNRM", DISC: "DISC", UA: "UA", DM: "DM", FRMR: "FRMR",
                UI: "UI"}.get(c & ~PF & 0xFF, f"?{c:02X}")

    @property
    def ns(self):
        return self.control >> 1 & 7

    @property
    def nr(self):
        return self.control >> 5 & 7


def _parse_address(b, pos):
    n = 0
    while not b[pos + n] & 1:
        n += 1
        if n == 4:
            raise HdlcError("address without its extension bit")
    n += 1
    a = b[pos:pos + n]
    if n == 1:
        return (a[0] >> 1, None, 1), pos + 1
    if n == 2:
        return (a[0] >> 1, a[1] >> 1, 2), pos + 2
    if n == 4:
        return (((a[0] >> 1) << 7) | a[1] >> 1, ((a[2] >> 1) << 7) | a[3] >> 1, 4), pos + 4
    raise HdlcError(f"a {n}-byte address")


def parse_frame(raw):
    """A Frame from exactly one frame's bytes; HdlcError for a bad one."""
    if len(raw) < 9 or raw[0] != FLAG or raw[-1] != FLAG or raw[1] & 0xF0 != 0xA0:
        raise HdlcError(f"not a frame: {raw.hex(' ')}")
    total = (raw[1] & 0x07) << 8 | raw[2]
    if total != len(raw) - 2:
        raise HdlcError(f"length {total} in a frame of {len(raw) - 2}")
    body = raw[1:-1]
    if crc16(body[:-2]) != body[-2] | body[-1] << 8:
        raise HdlcError("bad FCS")
    dst, pos = _parse_address(body, 2)
    src, pos = _parse_address(body, pos)
    control = body[pos]
    pos += 1
    info = b""
    if len(body) - pos > 2:
        if crc16(body[:pos]) != body[pos] | body[pos + 1] << 8:
            raise HdlcError("bad HCS")
        info = bytes(body[pos + 2:-2])
    return Frame(dst, src, control, info, bool(raw[1] & 0x08))


def params(max_tx=None, max_rx=None, win_tx=None, win_rx=None, widths=None):
    """The negotiation field 81 80 len {id len value}; parameters left None are left out
    (the default applies); @widths forces the byte count of each value (e.g. 4 as Gurux)."""
    out = b""
    for pid, v in ((5, max_tx), (6, max_rx), (7, win_tx), (8, win_rx)):
        if v is None:
            continue
        n = widths or (1 if v < 0x100 else 2 if v < 0x10000 else 4)
        out += bytes([pid, n]) + v.to_bytes(n, "big")
    return bytes([0x81, 0x80, len(out)]) + out


def parse_params(info):
    """{max_tx, max_rx, win_tx, win_rx} of a UA (defaults 128 and 1 for what is left out)."""
    p = {"max_tx": 128, "max_rx": 128, "win_tx": 1, "win_rx": 1}
    if not info:
        return p
    if info[0] != 0x81 or info[1] != 0x80 or info[2] != len(info) - 3:
        raise HdlcError(f"bad negotiation field {info.hex(' ')}")
    pos = 3
    names = {5: "max_tx", 6: "max_rx", 7: "win_tx", 8: "win_rx"}
    while pos < len(info):
        pid, n = info[pos], info[pos + 1]
        v = int.from_bytes(info[pos + 2:pos + 2 + n], "big")
        if pid in names:
            p[names[pid]] = v
        pos += 2 + n
    return p


class FrameReader:
    """Reads a serial line (an fd) and returns whole frames: bytes before a flag, and
    candidates whose length or closing flag do not fit, are skipped as noise."""

    def __init__(self, fd):
        self.fd = fd
        self.buf = b""
        self.raw = []  # every frame read, for the tests' byte checks

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.fd], [], [], left)
        if not r:
            return False
        try:
            chunk = os.read(self.fd, 4096)
        except BlockingIOError:
            return True
        self.buf += chunk
        return True

    def _cut(self):
        while True:
            i = self.buf.find(bytes([FLAG]))
            if i < 0:
                self.buf = b""
                return None
            self.buf = self.buf[i:]
            if len(self.buf) < 3:
                return None
            if self.buf[1] & 0xF0 != 0xA0:
                self.buf = self.buf[1:]
                continue
            total = (self.buf[1] & 0x07) << 8 | self.buf[2]
            if len(self.buf) < total + 2:
                return None
            if self.buf[total + 1] != FLAG:
                self.buf = self.buf[1:]
                continue
            raw, self.buf = self.buf[:total + 2], self.buf[total + 2:]
            return raw

    def read(self, timeout):
        """The next frame's bytes, or None after @timeout s without one."""
        deadline = time.monotonic() + timeout
        while True:
            raw = self._cut()
            if raw is not None:
                self.raw.append(raw)
                return raw
            if not self._fill(deadline):
                return None

    def read_text_line(self, timeout):
        """Mode E: bytes up to and including CR LF (7-bit), or None."""
        deadline = time.monotonic() + timeout
        while b"\r\n" not in self.buf:
            if not self._fill(deadline):
                return None
        i = self.buf.index(b"\r\n") + 2
        line, self.buf = self.buf[:i], self.buf[i:]
        return bytes(b & 0x7F for b in line)


class Link:
    """The client (primary) station of one HDLC link to one server address.

        link = Link(fd, server=(1, 0x11, 2), client=16)
        ua = link.snrm()               # the negotiated parameters, the server's view
        link.send_apdu(aarq); aare = link.recv_apdu()
        link.disc()
    """

    def __init__(self, fd, server=(1, None, 1), client=16, timeout=10.0, max_tx=128,
                 max_rx=128, win_tx=1, win_rx=1):
        self.fd = fd
        self.reader = FrameReader(fd)
        self.dst = address(*server)
        self.src = address(client)
        self.client = client
        self.timeout = timeout
        self.offer = {"max_tx": max_tx, "max_rx": max_rx, "win_tx": win_tx, "win_rx": win_rx}
        self.vs = self.vr = 0
        self.neg = None
        self.sent = []  # every frame written
        self.rr_polls = 0  # RRs we sent to ask for the next segment

    def write(self, data):
        self.sent.append(data)
        view = memoryview(data)
        while view:
            _, w, _ = select.select([], [self.fd], [], self.timeout)
            if not w:
                raise HdlcError("the line does not take our bytes")
            n = os.write(self.fd, view)
            view = view[n:]

    def send(self, control, info=b"", segmented=False):
        self.write(frame(self.dst, self.src, control, info, segmented))

    def recv(self, timeout=None):
        raw = self.reader.read(self.timeout if timeout is None else timeout)
        if raw is None:
            raise HdlcError("no frame from the server in time")
        f = parse_frame(raw)
        if f.dst != (self.client, None, 1) or address(*f.src) != self.dst:
            raise HdlcError(f"frame from {f.src} to {f.dst}")
        return f

    def silent(self, timeout):
        """True when no frame arrives within @timeout s (what a frame the server must ignore
        gets); any frame read is kept in .reader.raw."""
        return self.reader.read(timeout) is None

    def snrm(self, info=None):
        """SNRM with our offer (or @info as the field) -> the UA's parameters; resets the
        sequence numbers."""
        if info is None:
            info = params(**self.offer) if self.offer != {
                "max_tx": 128, "max_rx": 128, "win_tx": 1, "win_rx": 1} else b""
        self.send(SNRM | PF, info)
        f = self.recv()
        if f.kind != "UA":
            raise HdlcError(f"SNRM answered with {f.kind}")
        self.vs = self.vr = 0
        self.neg = parse_params(f.info)
        return self.neg

    def disc(self):
        """DISC -> the answer's kind (UA when connected, DM when not)."""
        self.send(DISC | PF)
        return self.recv().kind

    def send_apdu(self, apdu, llc=LLC_REQUEST):
        """The APDU with its LLC header in segments of the server's receive length, each
        acknowledged (RR with the next N(R)) before the next, the window being 1 this way."""
        data = llc + apdu
        seg = self.neg["max_rx"]
        for off in range(0, len(data), seg):
            part = data[off:off + seg]
            more = off + seg < len(data)
            self.send(i_control(self.vs, self.vr), part, more)
            self.vs = (self.vs + 1) & 7
            if more:
                f = self.recv()
                if f.kind != "RR" or f.nr != self.vs:
                    raise HdlcError(f"segment answered with {f.kind} N(R) {f.nr}, "
                                    f"expected RR {self.vs}")

    def recv_apdu(self):
        """The server's answer: I frames joined, each N(S) checked, an RR after every frame
        with F while the segmentation bit says more follow; the LLC header checked."""
        data = b""
        while True:
            f = self.recv()
            if f.kind != "I":
                raise HdlcError(f"expected an I frame, got {f.kind}")
            if f.ns != self.vr or f.nr != self.vs:
                raise HdlcError(f"I frame N(S) {f.ns} N(R) {f.nr}, expected {self.vr} "
                                f"{self.vs}")
            if len(f.info) > self.neg["max_tx"]:
                raise HdlcError(f"{len(f.info)} octets in a frame, {self.neg['max_tx']} agreed")
            self.vr = (self.vr + 1) & 7
            data += f.info
            if not f.segmented:
                break
            if f.pf:
                self.rr_polls += 1
                self.send(rr_control(self.vr))
        if data[:3] != LLC_RESPONSE:
            raise HdlcError(f"LLC {data[:3].hex(' ')}")
        return data[3:]


class HdlcTransport:
    """dlms_client.Client's transport over a Link (send_apdu, recv_frame)."""

    def __init__(self, link):
        self.link = link

    def send_apdu(self, apdu, source, destination):  # pylint: disable=unused-argument
        self.link.send_apdu(apdu)

    def recv_frame(self, timeout=None):  # pylint: disable=unused-argument
        from dlms_client import Frame as WFrame  # pylint: disable=import-outside-toplevel
        return WFrame(1, 1, self.link.client, self.link.recv_apdu())


BAUD_CHAR = {300: "0", 600: "1", 1200: "2", 2400: "3", 4800: "4", 9600: "5", 19200: "6"}
SPEED = {300: termios.B300, 600: termios.B600, 1200: termios.B1200, 2400: termios.B2400,
         4800: termios.B4800, 9600: termios.B9600, 19200: termios.B19200}


def set_line(fd, baud, seven_even):
    """The tty at @baud, 7E1 (the sign-on) or 8N1 (HDLC), raw."""
    a = termios.tcgetattr(fd)
    a[0] = 0
    a[1] = 0
    a[2] = termios.CREAD | termios.CLOCAL | (termios.CS7 | termios.PARENB if seven_even
                                             else termios.CS8)
    a[3] = 0
    a[4] = a[5] = SPEED[baud]
    try:
        termios.tcsetattr(fd, termios.TCSANOW, a)
    except termios.error:
        # a pty keeps 8 bits without parity and then refuses 7E1 (EINVAL): it carries the
        # bytes whatever the line says, so the tests go on over it
        if not os.ttyname(fd).startswith("/dev/pts/"):
            raise


def sign_on(fd, addr="", timeout=5.0, accept=True):
    """Mode E (IEC 62056-21): sends "/?addr!CRLF" at 300 baud 7E1, reads the identification
    "/XXXZ\\2ident CRLF" and, with @accept, sends ACK 2 Z 2 CRLF (HDLC at the baud rate Z says)
    and sets the line to that rate 8N1. Returns (identification, baud) or (None, None) when
    the meter says nothing."""
    set_line(fd, 300, True)
    os.write(fd, f"/?{addr}!\r\n".encode("ascii"))
    reader = FrameReader(fd)
    line = reader.read_text_line(timeout)
    if line is None:
        return None, None
    ident = line.decode("ascii")
    baud = {v: k for k, v in BAUD_CHAR.items()}.get(ident[4:5])
    if accept and baud is not None:
        os.write(fd, b"\x062" + ident[4:5].encode("ascii") + b"2\r\n")
        termios.tcdrain(fd)
        set_line(fd, baud, False)
    return ident, baud
