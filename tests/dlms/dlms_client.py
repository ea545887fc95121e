#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""polymeter's own DLMS/COSEM test client (IEC 62056-5-3 logical-name referencing over the
IEC 62056-47 TCP wrapper), written from the standard's ASN.1 and the byte captures in
the DLMS reference sheet (section 1.6), for the tests only. No third-party DLMS code.

Three files, this one the interface (it re-exports the other two):

  cosem_axdr.py   A-XDR Data: Data (a tagged value) and its constructors (unsigned(5),
                  structure(...)), encode_data() / decode_typed() / decode_data() (to plain
                  Python values), DateTime / Date / Time, A-XDR lengths, OBIS codes.
  cosem_apdu.py   ACSE and xDLMS APDUs: build_aarq() (every field overridable, so that a test
                  can send a wrong context, mechanism or version), parse_aare(), RLRQ/RLRE,
                  GET normal / next / with-list, SET normal / with-datablock, ACTION normal,
                  range_descriptor() / entry_descriptor(), parse_apdu() (also
                  exception-response and confirmedServiceError), the names of the codes.
  dlms_client.py  Wrapper: the 8-byte header (version 1, source wPort, destination wPort,
                  length, u16 big-endian each) and its APDU; reads exactly one frame however
                  TCP splits it. Client: one connection, associate(), get() with automatic
                  block reassembly (or get_blocks(), one block at a time), get_with_list(),
                  set(), set_with_blocks(), action(), release(). parse_object_list().

    import dlms_client as dc
    with dc.Client("127.0.0.1", port, client_sap=16) as c:
        assert c.associate().accepted            # associate(password=...) as SAP 1 (LLS)
        t = c.get(*dc.CLOCK, 2)                   # plain value; dc.Refused on a refusal
        c.release()

Command line (handy while the server is being written):
  dlms_client.py HOST PORT [--client 16] [--password PW] [--max-pdu N] [CLASS:OBIS:ATTR ...]
"""
import dataclasses
import socket
import struct
import sys
import time

# The interface re-exports both halves; what this file uses is imported by name as well.
# pylint: disable=wildcard-import,unused-wildcard-import
from cosem_axdr import *  # noqa: F401,F403
from cosem_apdu import *  # noqa: F401,F403
from cosem_axdr import (DlmsError, ProtocolError, _Reader, decode_typed, encode_data,
                        obis_str)
from cosem_apdu import (ASSOCIATION_LN, ATTRIBUTE_ACCESS, DEFAULT_CONFORMANCE, DEFAULT_IIP,
                        GetResult, Refused, Response, _get_data_result, action_request_normal,
                        build_aarq, build_rlrq, get_request_next, get_request_normal,
                        get_request_with_list, parse_apdu, set_request_datablock,
                        set_request_first_datablock, set_request_normal)


class Closed(DlmsError):
    """The peer closed the connection (before or inside a frame)."""


class Timeout(DlmsError):
    """Nothing (or not all of a frame) arrived in time."""


# ---------------------------------------------------------------------------------------------
# The wrapper (IEC 62056-47)

WRAPPER_VERSION = 1
WRAPPER_HEADER = struct.Struct(">HHHH")


@dataclasses.dataclass
class Frame:
    version: int
    source: int
    destination: int
    apdu: bytes


def wrap(apdu, source, destination, version=WRAPPER_VERSION, length=None):
    """One wrapper frame; @length overrides the length field (a lying header)."""
    return WRAPPER_HEADER.pack(version, source, destination,
                               len(apdu) if length is None else length) + apdu


class Wrapper:
    """The wrapper over a connected TCP socket: send_apdu() one frame, recv_frame() exactly
    one frame (waiting for every byte of it, however the segments split it)."""

    def __init__(self, sock, timeout=10.0):
        self.sock = sock
        self.timeout = timeout
        self._buf = b""
        self.bytes_sent = self.bytes_received = 0  # octets on the wire, headers included

    def send_raw(self, data):
        self.sock.sendall(data)
        self.bytes_sent += len(data)

    def send_apdu(self, apdu, source, destination, version=WRAPPER_VERSION, length=None):
        self.send_raw(wrap(apdu, source, destination, version, length))

    def _recv_exact(self, n, deadline):
        while len(self._buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout(f"{len(self._buf)} of {n} octets arrived in time")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(max(65536, n - len(self._buf)))
            except socket.timeout:
                raise Timeout(f"{len(self._buf)} of {n} octets arrived in time") from None
            except ConnectionResetError:
                raise Closed("connection reset") from None
            if not chunk:
                raise Closed(f"closed after {len(self._buf)} of {n} octets" if self._buf
                             else "closed")
            self._buf += chunk
            self.bytes_received += len(chunk)
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def recv_frame(self, timeout=None):
        """The next frame; Timeout after @timeout s (default the wrapper's), Closed at EOF."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        head = self._recv_exact(WRAPPER_HEADER.size, deadline)
        version, source, destination, length = WRAPPER_HEADER.unpack(head)
        return Frame(version, source, destination, self._recv_exact(length, deadline))

    def closed_by_peer(self, timeout):
        """True when the peer closes (or resets) within @timeout s; what arrives meanwhile is
        read and dropped."""
        deadline = time.monotonic() + timeout
        self._buf = b""
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.sock.settimeout(left)
                if not self.sock.recv(65536):
                    return True
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError):
            return True

# ---------------------------------------------------------------------------------------------
# The client


class Client:
    """One TCP connection to a DLMS server, one association at a time.

        c = Client("127.0.0.1", port, client_sap=16)
        c.associate()                              # or associate(password="...") as SAP 1
        v = c.get(8, "0.0.1.0.0.255", 2)           # plain value; Refused on a refusal
        c.release(); c.close()

    Every APDU received is recorded in .received (for the PDU-size checks of a test);
    .max_pdu is what this client announced, .server_max_pdu and .conformance what the AARE
    said."""

    def __init__(self, host, port, client_sap=16, server_sap=1, timeout=10.0, sock=None,
                 max_depth=64):
        self.host, self.port = host, port
        self.client_sap, self.server_sap = client_sap, server_sap
        self.timeout = timeout
        self.max_depth = max_depth
        if sock is None:
            sock = socket.create_connection((host, port), timeout=timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = sock
        self.wrapper = Wrapper(sock, timeout)
        self.invoke_id = 0
        self.iip_base = DEFAULT_IIP
        self.max_pdu = None
        self.server_max_pdu = None
        self.conformance = None
        self.aare = None
        self.received = []  # every APDU received, in order
        self.frames = []    # every frame received (headers checked by recv())
        # cosem_security.Hls once an HLS association is made: GET, SET, ACTION go ciphered
        self.security = None

    # -- transport --

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, apdu):
        self.wrapper.send_apdu(apdu, self.client_sap, self.server_sap)

    def recv(self, timeout=None):
        """The next APDU; its wrapper header must be version 1, from the server's wPort to
        ours."""
        f = self.wrapper.recv_frame(timeout)
        self.frames.append(f)
        if (f.version, f.source, f.destination) != (WRAPPER_VERSION, self.server_sap,
                                                    self.client_sap):
            raise ProtocolError(f"wrapper header version {f.version}, source {f.source}, "
                                f"destination {f.destination}: expected {WRAPPER_VERSION}, "
                                f"{self.server_sap}, {self.client_sap}")
        self.received.append(f.apdu)
        return f.apdu

    def request(self, apdu, timeout=None):
        """Sends one APDU, returns the parsed answer. In an HLS association a GET, SET or
        ACTION goes ciphered and its ciphered answer is deciphered (cosem_security.py)."""
        if self.security and apdu[:1] in (b"\xC0", b"\xC1", b"\xC3"):
            apdu = self.security.wrap(apdu)
        self.send(apdu)
        answer = self.recv(timeout)
        if self.security and answer[:1] in (b"\xCC", b"\xCD", b"\xCF", b"\xDB"):
            answer = self.security.unwrap(answer)
        return parse_apdu(answer, self.max_depth)

    def next_iip(self):
        self.invoke_id = (self.invoke_id + 1) & 0x0F
        return self.iip_base | self.invoke_id

    # -- association --

    def associate(self, password=None, max_pdu=0xFFFF, conformance=DEFAULT_CONFORMANCE,
                  **overrides):
        """Sends an AARQ (build_aarq's fields) and returns the Aare (accepted or not); the
        negotiated figures are kept. An exception-response or confirmedServiceError answering
        the AARQ is raised."""
        aarq = build_aarq(password=password, max_pdu=max_pdu, conformance=conformance,
                          **overrides)
        resp = self.request(aarq)
        if resp.kind == "exception":
            raise resp.result
        if resp.kind != "aare":
            raise ProtocolError(f"AARQ answered with {resp.kind}")
        aare = resp.result
        self.aare = aare
        if aare.accepted and aare.initiate_response:
            self.max_pdu = max_pdu
            self.server_max_pdu = aare.initiate_response.max_pdu
            self.conformance = aare.initiate_response.conformance
        return aare

    def release(self, reason=None):
        """RLRQ; returns the Rlre."""
        resp = self.request(build_rlrq(reason))
        if resp.kind != "rlre":
            raise ProtocolError(f"RLRQ answered with {resp.kind}")
        self.max_pdu = self.server_max_pdu = self.conformance = None
        return resp.result

    # -- GET --

    def _expect(self, resp, kinds, iip):
        if resp.kind == "exception":
            raise resp.result
        if resp.kind == "service-error":
            raise DlmsError(str(resp.result))
        if resp.kind not in kinds:
            raise ProtocolError(f"expected {'/'.join(kinds)}, got {resp.kind}")
        if resp.iip != iip:
            raise ProtocolError(f"invoke-id-and-priority 0x{resp.iip:02X} answers 0x{iip:02X}")
        return resp

    def get_blocks(self, class_id, ln, attr, selector=None, params=None, with_list=None):
        """The raw responses of one GET, one at a time (a generator): the first answer
        (Response "get-normal", "get-list" or "get-datablock"), then for each block that is
        not the last, the answer to GET-Request-Next. @with_list: a GET-Request-With-List of
        these items instead."""
        iip = self.next_iip()
        if with_list is not None:
            apdu = get_request_with_list(iip, with_list)
        else:
            apdu = get_request_normal(iip, class_id, ln, attr, selector, params)
        resp = self._expect(self.request(apdu), ("get-normal", "get-datablock", "get-list"),
                            iip)
        yield resp
        while resp.kind == "get-datablock" and not resp.result.last and resp.result.dar is None:
            resp = self._expect(self.request(get_request_next(iip, resp.result.number)),
                                ("get-datablock",), iip)
            yield resp

    def _reassemble(self, responses):
        """(raw Data octets or a dar, the blocks) of a GET's responses."""
        first = next(responses)
        if first.kind != "get-datablock":
            return first, []
        blocks, expect = [], 1
        for resp in [first, *responses]:
            blk = resp.result
            blocks.append(blk)
            if blk.dar is not None:
                return GetResult(dar=blk.dar), blocks
            if blk.number != expect:
                raise ProtocolError(f"block {blk.number} where {expect} was due")
            expect += 1
        if not blocks[-1].last:
            raise ProtocolError("block transfer ended without its last block")
        return b"".join(b.raw for b in blocks), blocks

    def get_result(self, class_id, ln, attr, selector=None, params=None):
        """A GET with block reassembly: the GetResult (data or data-access-result); .blocks
        holds the DataBlocks when the answer came in blocks."""
        got, blocks = self._reassemble(self.get_blocks(class_id, ln, attr, selector, params))
        if isinstance(got, Response):
            res = got.result
            if got.kind != "get-normal":
                raise ProtocolError(f"GET-Request-Normal answered with {got.kind}")
        elif isinstance(got, GetResult):
            res = got
        else:
            decode_typed(got, max_depth=self.max_depth)  # it must be one Data, whole
            res = GetResult(raw=got)
        res.blocks = blocks
        return res

    def get_typed(self, class_id, ln, attr, selector=None, params=None):
        """The Data (tags kept); Refused on a data-access-result."""
        return self.get_result(class_id, ln, attr, selector, params).typed()

    def get(self, class_id, ln, attr, selector=None, params=None):
        """The plain value; Refused on a data-access-result."""
        return self.get_typed(class_id, ln, attr, selector, params).plain()

    def get_with_list(self, items):
        """GET-Request-With-List of @items ((class_id, ln, attr[, selector, params])): the list
        of GetResults. When the answer comes in blocks their raw-data is the list's encoding
        (SEQUENCE OF Get-Data-Result)."""
        got, blocks = self._reassemble(self.get_blocks(None, None, None, with_list=items))
        if isinstance(got, Response):
            if got.kind != "get-list":
                raise ProtocolError(f"GET-Request-With-List answered with {got.kind}")
            results = got.result
        elif isinstance(got, GetResult):
            raise Refused(got.dar)
        else:
            r = _Reader(got, 0, self.max_depth)
            results = [_get_data_result(r) for _ in range(r.length())]
            if r.left():
                raise ProtocolError(f"{r.left()} octets after the list's results")
        if len(results) != len(items):
            raise ProtocolError(f"{len(results)} results for {len(items)} attributes")
        for res in results:
            res.blocks = blocks
        return results

    # -- SET --

    def set(self, class_id, ln, attr, value, selector=None, params=None):
        """SET-Request-Normal of @value (a Data or its encoding); the data-access-result
        (0 success)."""
        iip = self.next_iip()
        resp = self._expect(self.request(set_request_normal(iip, class_id, ln, attr, value,
                                                             selector, params)),
                            ("set-normal",), iip)
        return resp.result

    def set_with_blocks(self, class_id, ln, attr, value, block_size):
        """SET with-first-datablock / with-datablock: the encoding of @value cut into blocks of
        @block_size octets. Returns (data-access-result, [block numbers acknowledged])."""
        raw = value if isinstance(value, (bytes, bytearray)) else encode_data(value)
        chunks = [raw[i:i + block_size] for i in range(0, len(raw), block_size)] or [b""]
        iip = self.next_iip()
        acks = []
        for k, chunk in enumerate(chunks, 1):
            last = k == len(chunks)
            if k == 1:
                apdu = set_request_first_datablock(iip, class_id, ln, attr, last, chunk)
            else:
                apdu = set_request_datablock(iip, last, k, chunk)
            resp = self._expect(self.request(apdu), ("set-datablock", "set-last-datablock",
                                                     "set-normal"), iip)
            if resp.kind == "set-normal":  # refused at once
                return resp.result, acks
            if resp.kind == "set-last-datablock":
                if not last and resp.result == 0:
                    raise ProtocolError(f"success after block {k} of {len(chunks)}")
                if resp.block_number != k:
                    raise ProtocolError(f"last-datablock numbers {resp.block_number}, not {k}")
                return resp.result, acks
            if last:
                raise ProtocolError(f"the last block {k} acknowledged as an inner one")
            if resp.block_number != k:
                raise ProtocolError(f"block {k} acknowledged as {resp.block_number}")
            acks.append(resp.block_number)
        raise ProtocolError("unreachable")

    # -- ACTION --

    def action(self, class_id, ln, method, params=None):
        """ACTION-Request-Normal; returns (action-result, return data GetResult or None)."""
        iip = self.next_iip()
        resp = self._expect(self.request(action_request_normal(iip, class_id, ln, method,
                                                                params)),
                            ("action-normal",), iip)
        return resp.result, resp.return_data


# ---------------------------------------------------------------------------------------------
# Reading the object model through the Association LN


@dataclasses.dataclass
class ObjectEntry:
    """One element of Association LN's object_list (class 15 version >= 1)."""
    class_id: int
    version: int
    ln: bytes
    attributes: list  # [(attribute_id, access_mode, selectors list or None)]
    methods: list     # [(method_id, access_mode)]

    @property
    def name(self):
        return obis_str(self.ln)

    def access(self, attr):
        for a, mode, _ in self.attributes:
            if a == attr:
                return mode
        return None

    def selectors(self, attr):
        for a, _, sel in self.attributes:
            if a == attr:
                return sel
        return None

    def method_access(self, method):
        for m, mode in self.methods:
            if m == method:
                return mode
        return None


def parse_object_list(value):
    """The ObjectEntries of an object_list's plain value; ProtocolError when an element is not
    the standard's structure{class_id, version, logical_name, access_rights}."""
    out = []
    if not isinstance(value, list):
        raise ProtocolError("object_list is not an array")
    for el in value:
        try:
            class_id, version, ln, rights = el
            attrs, methods = rights
            attributes = []
            for a in attrs:
                aid, mode, sel = a
                if sel is not None and not (isinstance(sel, list) and
                                            all(isinstance(s, int) for s in sel)):
                    raise ValueError("access_selectors")
                attributes.append((aid, mode, sel))
            meths = []
            for m in methods:
                mid, mode = m
                meths.append((mid, int(mode)))
            if not (isinstance(class_id, int) and isinstance(version, int) and
                    isinstance(ln, bytes) and len(ln) == 6):
                raise ValueError("class_id, version, logical_name")
        except (TypeError, ValueError) as e:
            raise ProtocolError(f"object_list element not the standard's: {el!r} ({e})") from e
        out.append(ObjectEntry(class_id, version, ln, attributes, meths))
    return out


def scaled(value, scaler_unit):
    """A register's value x 10^scaler (scaler_unit as read: (scaler, unit))."""
    return value * 10.0 ** scaler_unit[0]


# ---------------------------------------------------------------------------------------------


def main(argv):
    import argparse  # pylint: disable=import-outside-toplevel
    ap = argparse.ArgumentParser(description="read COSEM attributes over the TCP wrapper")
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--client", type=int, default=16, help="client SAP (16 public, 1 management)")
    ap.add_argument("--password", help="LLS password")
    ap.add_argument("--max-pdu", type=int, default=0xFFFF)
    ap.add_argument("attrs", nargs="*", help="CLASS:OBIS:ATTR, e.g. 8:0.0.1.0.0.255:2; none: "
                    "the object list")
    a = ap.parse_args(argv)
    with Client(a.host, a.port, a.client) as c:
        aare = c.associate(password=a.password, max_pdu=a.max_pdu)
        print(aare)
        if not aare.accepted:
            return 1
        if not a.attrs:
            for o in parse_object_list(c.get(*ASSOCIATION_LN, 2)):
                print(f"{o.name:20} class {o.class_id} v{o.version} attrs "
                      f"{[(x, ATTRIBUTE_ACCESS.get(m, m)) for x, m, _ in o.attributes]}")
        for spec in a.attrs:
            cls, code, attr = spec.split(":")
            res = c.get_result(int(cls), code, int(attr))
            print(spec, res.value() if res.ok else f"refused: {res.dar_name}")
        c.release()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
