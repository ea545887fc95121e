#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The DLMS test client (dlms_client.py) offline: what it sends and how it reads, against the
bytes captured from independent implementations (the DLMS reference sheet section 1.6)
and against encodings worked out by hand from the standard's ASN.1 (each written out in the
check). No server, no network: the wrapper and the block reassembly are driven over a
socketpair by a scripted peer.

usage: test_client_codec.py        Last line: "N passed, N failed".
"""
import os
import socket
import struct
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))
# pylint: disable=wrong-import-position
import cosem_security as sec  # noqa: E402
import cosem_hdlc as hd  # noqa: E402
import dlms_client as dc  # noqa: E402
from checks import check, finish  # noqa: E402


def h(s):
    """Bytes of a hex dump with spaces."""
    return bytes.fromhex(s.replace(" ", ""))


def raises(exc, fn, *args, **kw):
    try:
        fn(*args, **kw)
    except exc:
        return True
    except Exception:  # pylint: disable=broad-except
        return False
    return False


# ---- the captures (reference 1.6) ----

CAP_WRAPPER = h("00 01 00 10 00 01 00 1F")
CAP_AARQ = h("60 1D A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00"
             " 40 1E 1D FF FF")
CAP_AARE = h("61 29 A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 00 A3 05 A1 03 02 01 00 BE"
             " 10 04 0E 08 00 06 5F 1F 04 00 00 00 18 02 00 00 07")
CAP_GET = h("C0 01 C1 00 0F 00 00 28 00 00 FF 02 00")
CAP_GET_RESP = h("C4 01 C1 00 12 00 09")
CAP_BLOCK_HEAD = h("C4 02 C1 00 00 00 00 01 00 82 01 DA")
CAP_NEXT = h("C0 02 C1 00 00 00 01")
CAP_DATETIME = h("07 EA 0B 17 01 04 23 08 00 00 00 00")
CAP_RLRQ = h("62 00")

aarq = dc.build_aarq(conformance=0x401E1D, max_pdu=0xFFFF)
check("AARQ (LN, no security, conformance 0x401E1D, max PDU 0xFFFF) = the capture",
      aarq == CAP_AARQ, aarq.hex(" "))
check("wrapper header of that AARQ from client SAP 16 to server SAP 1 = the capture "
      "00 01 00 10 00 01 00 1F", dc.wrap(aarq, 16, 1)[:8] == CAP_WRAPPER and
      dc.wrap(aarq, 16, 1)[8:] == aarq)
# the client's own default conformance (the capture's minus general-protection, bit 1)
check("default conformance 0x001E1D: get, set, action, selective access, block transfer "
      "with each, multiple references",
      dc.DEFAULT_CONFORMANCE == 0x001E1D and
      dc.build_aarq() == CAP_AARQ[:26] + h("00 1E 1D FF FF") and
      sorted(dc.conformance_names(0x001E1D)) == sorted([
          "block-transfer-with-get-or-read", "block-transfer-with-set-or-write",
          "block-transfer-with-action", "multiple-references", "get", "set",
          "selective-access", "action"]))

aare = dc.parse_aare(CAP_AARE)
ir = aare.initiate_response
check("captured AARE: accepted, diagnostic acse-service-user null, context LN (1)",
      aare.accepted and aare.result == 0 and aare.diagnostic_source == "user" and
      aare.diagnostic == 0 and aare.context_id == dc.CONTEXT_LN, str(aare))
check("captured AARE: InitiateResponse version 6, conformance 0x000018 (get, set), server max "
      "PDU 0x0200, VAA name 0x0007, no QoS",
      ir is not None and ir.dlms_version == 6 and ir.conformance == 0x000018 and
      ir.max_pdu == 0x200 and ir.vaa_name == 7 and ir.qos is None and
      dc.conformance_names(ir.conformance) == ["get", "set"], str(ir))

got = dc.get_request_normal(0xC1, 15, "0.0.40.0.0.255", 2)
check("GET-Request-Normal Association LN attr 2, iip 0xC1 = the capture", got == CAP_GET,
      got.hex(" "))
r = dc.parse_apdu(CAP_GET_RESP)
check("captured GET-Response-Normal: iip 0xC1, data long-unsigned 9",
      r.kind == "get-normal" and r.iip == 0xC1 and r.result.ok and
      r.result.typed() == dc.long_unsigned(9) and r.result.value() == 9, str(r))
payload = bytes(range(256)) + bytes(range(218))  # 474 = 0x1DA octets
r = dc.parse_apdu(CAP_BLOCK_HEAD + payload)
check("captured GET-Response-With-Datablock head: not last, block 1, raw-data 0x01DA octets",
      r.kind == "get-datablock" and not r.result.last and r.result.number == 1 and
      r.result.raw == payload and r.result.dar is None, str(r)[:200])
check("... one octet short of its length: refused as truncated",
      raises(dc.ProtocolError, dc.parse_apdu, CAP_BLOCK_HEAD + payload[:-1]))
check("GET-Request-Next acknowledging block 1 = the capture",
      dc.get_request_next(0xC1, 1) == CAP_NEXT)
check("RLRQ = 62 00 (the EPRI client's)", dc.build_rlrq() == CAP_RLRQ)

dt = dc.DateTime.from_bytes(CAP_DATETIME)
check("date-time 07 EA 0B 17 01 04 23 08 00 00 00 00 = 2026-11-23 Monday 04:35:08.00, "
      "deviation 0, status 0",
      dt == dc.DateTime(2026, 11, 23, 1, 4, 35, 8, 0, 0, 0), str(dt))
check("... is 2026-11-23T04:35:08Z, and encodes back to the same octets",
      dt.utc().isoformat() == "2026-11-23T04:35:08+00:00" and dt.to_bytes() == CAP_DATETIME)
check("... from that UTC at deviation 0: the same date-time (day of week computed: Monday)",
      dc.DateTime.from_utc(dt.utc(), hundredths=False) == dt)
# Paris in winter is UTC+01:00: deviation -60 (local + deviation = UTC): 05:35:08 local
paris = dc.DateTime.from_utc(dt.utc(), deviation=-60)
check("... at deviation -60 (UTC+01:00): 05:35:08 local, same instant",
      (paris.hour, paris.deviation) == (5, -60) and paris.utc() == dt.utc() and
      paris.to_bytes() == h("07 EA 0B 17 01 05 23 08 00 FF C4 00"), paris.to_bytes().hex(" "))
check("date-time as Data: tag 25 and the 12 octets, decoded to the DateTime",
      dc.encode_data(dc.date_time(dt)) == b"\x19" + CAP_DATETIME and
      dc.decode_data(b"\x19" + CAP_DATETIME) == dt)
check("date-time with unspecified fields (FF, year FFFF, deviation 8000): not specified, no UTC",
      not dc.DateTime.from_bytes(h("FF FF FF FF FF 00 00 00 00 80 00 FF")).specified and
      raises(ValueError, dc.DateTime.from_bytes(h("FF FF 01 01 FF 00 00 00 00 00 00 00")).utc))

# ---- A-XDR, by hand from the Data CHOICE ----

VECTORS = (
    ("null-data", dc.null(), "00", None),
    ("boolean true", dc.boolean(True), "03 01", True),
    ("bit-string 1011 (4 bits, first in the MSB)", dc.bit_string("1011"), "04 04 B0", "1011"),
    ("bit-string of 10 bits", dc.bit_string("1000000001"), "04 0A 80 40", "1000000001"),
    ("double-long -2", dc.double_long(-2), "05 FF FF FF FE", -2),
    ("double-long-unsigned 0x12345678", dc.double_long_unsigned(0x12345678), "06 12 34 56 78",
     0x12345678),
    ("octet-string 01 02", dc.octet_string(b"\x01\x02"), "09 02 01 02", b"\x01\x02"),
    ("visible-string AB", dc.visible_string("AB"), "0A 02 41 42", "AB"),
    ("utf8-string é", dc.utf8_string("é"), "0C 02 C3 A9", "é"),
    ("bcd 0x12", dc.bcd(0x12), "0D 12", 0x12),
    ("integer -1", dc.integer(-1), "0F FF", -1),
    ("long -300", dc.long(-300), "10 FE D4", -300),
    ("unsigned 200", dc.unsigned(200), "11 C8", 200),
    ("long-unsigned 9", dc.long_unsigned(9), "12 00 09", 9),
    ("long64 -1", dc.long64(-1), "14 FF FF FF FF FF FF FF FF", -1),
    ("long64-unsigned 2^63", dc.long64_unsigned(1 << 63), "15 80 00 00 00 00 00 00 00", 1 << 63),
    ("enum 3", dc.enum_(3), "16 03", 3),
    ("float32 1.5", dc.float32(1.5), "17 3F C0 00 00", 1.5),
    ("float64 -2.0", dc.float64(-2.0), "18 C0 00 00 00 00 00 00 00", -2.0),
    ("date 2026-11-23 Monday", dc.date(dc.Date(2026, 11, 23, 1)), "1A 07 EA 0B 17 01",
     dc.Date(2026, 11, 23, 1)),
    ("time 04:35:08.00", dc.time_(dc.Time(4, 35, 8, 0)), "1B 04 23 08 00", dc.Time(4, 35, 8, 0)),
    ("array of unsigned 1, 2", dc.array([dc.unsigned(1), dc.unsigned(2)]), "01 02 11 01 11 02",
     [1, 2]),
    ("structure{long-unsigned 15, octet-string LN}",
     dc.structure(dc.long_unsigned(15), dc.octet_string(dc.obis("0.0.40.0.0.255"))),
     "02 02 12 00 0F 09 06 00 00 28 00 00 FF", (15, b"\x00\x00\x28\x00\x00\xff")),
    ("scaler_unit{integer -3, enum 30 Wh}", dc.structure(dc.integer(-3), dc.enum_(30)),
     "02 02 0F FD 16 1E", (-3, 30)),
    ("compact-array of long-unsigned 1, 2, 3",
     dc.Data(dc.Tag.COMPACT_ARRAY, (dc.TypeDesc(dc.Tag.LONG_UNSIGNED), [1, 2, 3])),
     "13 12 06 00 01 00 02 00 03", [1, 2, 3]),
    ("compact-array of structure{unsigned, octet-string}",
     dc.Data(dc.Tag.COMPACT_ARRAY, (dc.TypeDesc(dc.Tag.STRUCTURE, fields=(
         dc.TypeDesc(dc.Tag.UNSIGNED), dc.TypeDesc(dc.Tag.OCTET_STRING))),
         [(1, b"\xAA"), (2, b"")])),
     "13 02 02 11 09 05 01 01 AA 02 00", [(1, b"\xAA"), (2, b"")]),
    ("octet-string of 200 octets (length 81 C8)", dc.octet_string(bytes(200)),
     "09 81 C8" + " 00" * 200, bytes(200)),
    ("octet-string of 300 octets (length 82 01 2C)", dc.octet_string(bytes(300)),
     "09 82 01 2C" + " 00" * 300, bytes(300)),
)
bad = []
for name, data, enc, plain in VECTORS:
    raw = h(enc)
    if dc.encode_data(data) != raw:
        bad.append((name, "encode", dc.encode_data(data).hex(" ")))
    elif dc.decode_typed(raw) != data:
        bad.append((name, "decode_typed", dc.decode_typed(raw)))
    elif dc.decode_data(raw) != plain or type(dc.decode_data(raw)) is not type(plain):
        bad.append((name, "decode_data", dc.decode_data(raw)))
check(f"A-XDR: {len(VECTORS)} Data encodings worked out by hand: encoded, decoded with tags "
      "and to plain values", not bad, str(bad))

MALFORMED = (
    ("long-unsigned cut short", "12 00"),
    ("unknown tag 7", "07 00"),
    ("an octet after the Data", "11 01 00"),
    ("octet-string longer than the buffer", "09 05 01 02"),
    ("array of 3 with one element", "01 03 11 01"),
    ("length form 0x85", "09 85 00 00 00 00 01 00"),
    ("length 0x80 (indefinite, not A-XDR)", "09 80"),
    ("date-time of 11 octets", "19" + " 00" * 11),
    ("compact-array with a compact-array type", "13 13 00"),
)
bad = [name for name, enc in MALFORMED if not raises(dc.ProtocolError, dc.decode_data, h(enc))]
check(f"A-XDR: {len(MALFORMED)} malformed encodings refused (ProtocolError, no crash)", not bad,
      str(bad))
deep = dc.nested_structures(10000)
check("10 000 nested structures: refused at the depth bound (64), not a RecursionError",
      raises(dc.ProtocolError, dc.decode_data, deep) and len(deep) == 20001)
check("... 63 nested structures around a null decode (depth 64 with the null)",
      dc.decode_typed(dc.nested_structures(63)).tag == dc.Tag.STRUCTURE)
check("OBIS: 1.0.1.8.0.255 = 01 00 01 08 00 FF and back; 1.0.1.8.0 (5 groups) refused",
      dc.obis("1.0.1.8.0.255") == h("01 00 01 08 00 FF") and
      dc.obis_str(h("01 00 01 08 00 FF")) == "1.0.1.8.0.255" and
      raises(ValueError, dc.obis, "1.0.1.8.0"))

# ---- ACSE by hand ----

lls = dc.build_aarq(password="12345678")
# A1 (11) + 8A sender-acse-requirements: authentication (4) + 8B mechanism-name 2.16.756.5.8.2.1
# (9) + AC calling-authentication-value charstring [0] (12) + BE user-information (18) = 54
check("AARQ with an LLS password: 8A 02 07 80, 8B mechanism 2.16.756.5.8.2.1, AC 0A 80 08 "
      "password, then the InitiateRequest; length 0x36",
      lls == h("60 36 A1 09 06 07 60 85 74 05 08 01 01 8A 02 07 80 8B 07 60 85 74 05 08 02 01"
               " AC 0A 80 08 31 32 33 34 35 36 37 38 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00"
               " 00 1E 1D FF FF"), lls.hex(" "))
wrong = dc.build_aarq(context=dc.CONTEXT_SN, dlms_version=5, max_pdu=64)
check("AARQ overrides: SN context (…01 02), DLMS version 5, max PDU 64 (00 40)",
      wrong == h("60 1D A1 09 06 07 60 85 74 05 08 01 02 BE 10 04 0E 01 00 00 00 05 5F 1F 04"
                 " 00 00 1E 1D 00 40"), wrong.hex(" "))
check("AARQ with mechanism HLS-GMAC (2.16.756.5.8.2.5) and no password: 8A and 8B only",
      dc.build_aarq(mechanism=dc.MECHANISM_HLS_GMAC)[13:28] ==
      h("8A 02 07 80 8B 07 60 85 74 05 08 02 05 BE 10"))
rej = h("61 1F A1 09 06 07 60 85 74 05 08 01 01 A2 03 02 01 01 A3 05 A1 03 02 01 0D"
        " BE 06 04 04 0E 01 06 01")
a = dc.parse_aare(rej)
check("AARE rejected-permanent, acse-service-user authentication-failure (13), user-info a "
      "confirmedServiceError initiateError/initiate/dlms-version-too-low",
      not a.accepted and a.result_name == "rejected-permanent" and
      a.diagnostic_name == "authentication-failure" and a.initiate_response is None and
      a.service_error == dc.ConfirmedServiceError(1, 6, 1) and
      str(a.service_error) == "confirmedServiceError initiateError initiate: "
      "dlms-version-too-low", str(a))
a = dc.parse_aare(h("61 17 A2 03 02 01 01 A1 09 06 07 60 85 74 05 08 01 01 A3 05 A2 03 02 01 02"))
check("AARE fields in another order (a BER SET), acse-service-provider no-common-acse-version",
      a.result == 1 and a.diagnostic_source == "provider" and
      a.diagnostic_name == "no-common-acse-version")
check("AARE without its result field: refused",
      raises(dc.ProtocolError, dc.parse_aare, h("61 0B A1 09 06 07 60 85 74 05 08 01 01")))
check("RLRQ with reason normal = 62 03 80 01 00; RLRE 63 03 80 01 00 and 63 00 parsed",
      dc.build_rlrq(0) == h("62 03 80 01 00") and dc.parse_rlre(h("63 03 80 01 00")).reason == 0
      and dc.parse_rlre(h("63 00")).reason is None)

# ---- xDLMS by hand ----

SEL = dc.entry_descriptor(1, 3)
check("entry_descriptor(1, 3) = structure{double-long-unsigned 1, 3, long-unsigned 1, 0}",
      dc.encode_data(SEL) == h("02 04 06 00 00 00 01 06 00 00 00 03 12 00 01 12 00 00"))
t0 = dc.DateTime(2026, 1, 1, 4, 0, 15, 0, 0, 0, 0)
t1 = dc.DateTime(2026, 1, 1, 4, 1, 0, 0, 0, 0, 0)
rng = dc.range_descriptor(t0, t1, columns=[(8, "0.0.1.0.0.255", 2), (3, "1.0.1.8.0.255", 2)])
check("range_descriptor on the clock (class 8, 0.0.1.0.0.255, attr 2, data index 0), from/to "
      "as octet-string(12), two selected columns",
      dc.encode_data(rng) == h(
          "02 04 02 04 12 00 08 09 06 00 00 01 00 00 FF 0F 02 12 00 00"
          " 09 0C 07 EA 01 01 04 00 0F 00 00 00 00 00"
          " 09 0C 07 EA 01 01 04 01 00 00 00 00 00 00"
          " 01 02 02 04 12 00 08 09 06 00 00 01 00 00 FF 0F 02 12 00 00"
          " 02 04 12 00 03 09 06 01 00 01 08 00 FF 0F 02 12 00 00"), dc.encode_data(rng).hex(" "))
got = dc.get_request_normal(0xC2, 7, "1.0.99.1.0.255", 2, 2, SEL)
check("GET-Request-Normal of the load profile buffer with selector 2: 01 02 then the Data",
      got == h("C0 01 C2 00 07 01 00 63 01 00 FF 02 01 02 02 04 06 00 00 00 01 06 00 00 00 03"
               " 12 00 01 12 00 00"), got.hex(" "))
got = dc.get_request_with_list(0xC3, [(8, "0.0.1.0.0.255", 2), (3, "1.0.1.8.0.255", 3)])
check("GET-Request-With-List of two attributes: count 02, each descriptor + 00",
      got == h("C0 03 C3 02 00 08 00 00 01 00 00 FF 02 00 00 03 01 00 01 08 00 FF 03 00"))
got = dc.set_request_normal(0xC1, 3, "1.0.1.8.0.255", 2, dc.double_long_unsigned(5))
check("SET-Request-Normal: C1 01 iip, descriptor, 00 (no selection), the Data",
      got == h("C1 01 C1 00 03 01 00 01 08 00 FF 02 00 06 00 00 00 05"), got.hex(" "))
got = dc.set_request_first_datablock(0xC1, 111, "0.0.19.0.0.255", 16, False, h("05 00 00"))
check("SET-Request-With-First-Datablock: C1 02 iip, descriptor, 00, last-block 00, block 1, "
      "raw-data 03 05 00 00",
      got == h("C1 02 C1 00 6F 00 00 13 00 00 FF 10 00 00 00 00 00 01 03 05 00 00"),
      got.hex(" "))
check("SET-Request-With-Datablock: C1 03 iip, last-block 01, block 2, raw-data",
      dc.set_request_datablock(0xC1, True, 2, h("00 EA")) ==
      h("C1 03 C1 01 00 00 00 02 02 00 EA"))
got = dc.action_request_normal(0xC1, 70, "0.0.96.3.10.255", 1, dc.integer(0))
check("ACTION-Request-Normal remote_disconnect(integer 0): C3 01 iip, class 70 (00 46), LN, "
      "method 1, 01 then the Data", got == h("C3 01 C1 00 46 00 00 60 03 0A FF 01 01 0F 00"),
      got.hex(" "))
check("ACTION-Request-Normal without parameters ends with 00",
      dc.action_request_normal(0xC1, 70, "0.0.96.3.10.255", 2)[-1] == 0)

RESPONSES = (
    ("C5 01 C1 03", "set-normal", lambda r: r.result == 3),
    ("C5 02 C1 00 00 00 01", "set-datablock", lambda r: r.block_number == 1),
    ("C5 03 C1 00 00 00 00 02", "set-last-datablock",
     lambda r: r.result == 0 and r.block_number == 2),
    ("C7 01 C1 00 00", "action-normal", lambda r: r.result == 0 and r.return_data is None),
    ("C7 01 C1 00 01 00 11 05", "action-normal", lambda r: r.return_data.value() == 5),
    ("C7 01 C1 03 00", "action-normal", lambda r: dc.ACTION_RESULT[r.result] ==
     "read-write-denied"),
    ("D8 01 02", "exception", lambda r: (r.result.state_name, r.result.service_name) ==
     ("service-not-allowed", "service-not-supported")),
    ("C4 03 C1 02 00 12 00 09 01 04", "get-list",
     lambda r: r.result[0].value() == 9 and r.result[1].dar_name == "object-undefined"),
    ("C4 01 C1 01 03", "get-normal", lambda r: r.result.dar_name == "read-write-denied"),
    ("C4 02 C1 01 00 00 00 02 01 0F", "get-datablock",
     lambda r: r.result.last and r.result.number == 2 and r.result.dar == 15),
    ("0E 05 03 02", "service-error",
     lambda r: str(r.result) == "confirmedServiceError read service: service-unsupported"),
)
bad = []
for enc, kind, ok in RESPONSES:
    try:
        r = dc.parse_apdu(h(enc))
        if r.kind != kind or not ok(r):
            bad.append((enc, r))
    except dc.DlmsError as e:
        bad.append((enc, e))
check(f"{len(RESPONSES)} responses worked out by hand parsed (SET, ACTION, exception, "
      "with-list, refusals, confirmedServiceError)", not bad, str(bad))
bad = [enc for enc in ("C4 01 C1 00 12 00", "C4 01 C1 02 00", "C4 09 C1", "C4 01 C1 00 11 01 00",
                       "C4 02 C1 02 00 00 00 01 00 00", "E0 00", "D8 01", "")
       if not raises(dc.ProtocolError, dc.parse_apdu, h(enc))]
check("malformed responses refused: truncated, unknown choice, trailing octet, last-block 02, "
      "unknown tag, short exception, empty", not bad, str(bad))

object_element = dc.structure(
    dc.long_unsigned(15), dc.unsigned(2), dc.octet_string(dc.obis("0.0.40.0.0.255")),
    dc.structure(
        dc.array([dc.structure(dc.integer(a), dc.enum_(1), dc.null()) for a in range(1, 12)]),
        dc.array([dc.structure(dc.integer(m), dc.enum_(0)) for m in range(1, 7)])))
enc = dc.encode_data(object_element)
check("object_list element of the Association LN (v2) as built here starts with the captured "
      "02 04 12 00 0F 11 02 09 06 00 00 28 00 00 FF 02 02 01 0B 02 03 0F 01 16 01 00 and holds "
      "01 06 02 02 0F 01 16 00",
      enc.startswith(h("02 04 12 00 0F 11 02 09 06 00 00 28 00 00 FF 02 02 01 0B 02 03 0F 01 16"
                       " 01 00")) and h("01 06 02 02 0F 01 16 00") in enc)
objs = dc.parse_object_list(dc.decode_data(b"\x01\x01" + enc))
check("... parsed: class 15 v2 0.0.40.0.0.255, 11 attributes read-only, 6 methods no access",
      len(objs) == 1 and objs[0].class_id == 15 and objs[0].version == 2 and
      objs[0].name == "0.0.40.0.0.255" and len(objs[0].attributes) == 11 and
      objs[0].access(2) == 1 and objs[0].method_access(6) == 0 and objs[0].selectors(2) is None)
check("... an element that is not the standard's structure: refused",
      raises(dc.ProtocolError, dc.parse_object_list, [(15, 2, b"\x00" * 6)]))

# ---- the wrapper over a socketpair: frames split and joined by TCP ----

a_sock, b_sock = socket.socketpair()
w = dc.Wrapper(a_sock, timeout=5)
frame = dc.wrap(CAP_GET_RESP, 1, 16)


def dribble():
    for piece in (frame[:3], frame[3:8], frame[8:10], frame[10:] + frame + frame[:5]):
        b_sock.sendall(piece)
    b_sock.sendall(frame[5:])


t = threading.Thread(target=dribble)
t.start()
got = [w.recv_frame() for _ in range(3)]
t.join()
check("wrapper: a frame split over 4 segments, then two frames in one segment and a split: "
      "three frames, each exactly",
      all((f.version, f.source, f.destination, f.apdu) == (1, 1, 16, CAP_GET_RESP)
          for f in got), str(got))
b_sock.sendall(frame[:6])
check("wrapper: half a header then silence: Timeout, not a short frame",
      raises(dc.Timeout, w.recv_frame, 0.2))
b_sock.close()
check("... then the peer closes: Closed", raises(dc.Closed, w.recv_frame, 2))
a_sock.close()


# ---- the client against a scripted peer: block reassembly and the checks it makes ----


def scripted(script):
    """A Client on one end of a socketpair; a thread on the other reads each request and
    checks it equals the scripted one (recording any difference), then sends the answer."""
    cs, ss = socket.socketpair()
    client = dc.Client(None, None, client_sap=16, sock=cs, timeout=5)
    diffs = []

    def peer():
        pw = dc.Wrapper(ss, timeout=5)
        for want, answer in script:
            f = pw.recv_frame()
            if (f.source, f.destination, f.apdu) != (16, 1, want):
                diffs.append((f.source, f.destination, f.apdu.hex(" "), want.hex(" ")))
            ss.sendall(dc.wrap(answer, 1, 16))

    th = threading.Thread(target=peer, daemon=True)
    th.start()
    return client, diffs, th, ss


value = dc.array([dc.structure(dc.long_unsigned(k), dc.visible_string("x" * k))
                  for k in range(40)])
raw = dc.encode_data(value)
blocks = [raw[i:i + 100] for i in range(0, len(raw), 100)]
script = []
for k, blk in enumerate(blocks, 1):
    req = (dc.get_request_normal(0xC1, 15, "0.0.40.0.0.255", 2) if k == 1 else
           dc.get_request_next(0xC1, k - 1))
    last = k == len(blocks)
    script.append((req, h("C4 02 C1") + bytes([last]) + struct.pack(">I", k) + b"\x00" +
                   dc.encode_length(len(blk)) + blk))
client, diffs, th, ss = scripted(script)
res = client.get_result(15, "0.0.40.0.0.255", 2)
th.join(5)
check(f"client: a GET answered in {len(blocks)} blocks: GET-Request-Next for each block with "
      "the same invoke id, the value reassembled", not diffs and res.ok and
      res.typed() == value and len(res.blocks) == len(blocks), str(diffs[:2]))
client.close()
ss.close()

script = [(dc.get_request_normal(0xC1, 7, "1.0.99.1.0.255", 2),
           h("C4 02 C1 00 00 00 00 01 00 02 01 02")),
          (dc.get_request_next(0xC1, 1), h("C4 02 C1 01 00 00 00 03 00 02 11 01"))]
client, diffs, th, ss = scripted(script)
check("client: block 3 where 2 was due: ProtocolError",
      raises(dc.ProtocolError, client.get, 7, "1.0.99.1.0.255", 2) and not diffs, str(diffs))
client.close()
ss.close()

script = [(dc.get_request_normal(0xC1, 7, "1.0.99.1.0.255", 2),
           h("C4 02 C1 00 00 00 00 01 00 02 01 02")),
          (dc.get_request_next(0xC1, 1), h("C4 02 C1 01 00 00 00 02 01 0F"))]
client, diffs, th, ss = scripted(script)
res = client.get_result(7, "1.0.99.1.0.255", 2)
check("client: a block transfer ended by a data-access-result (long-get-aborted): the refusal",
      not res.ok and res.dar_name == "long-get-aborted" and not diffs)
client.close()
ss.close()

script = [(dc.get_request_normal(0xC1, 8, "0.0.1.0.0.255", 2), h("C4 01 C2 00 11 01"))]
client, diffs, th, ss = scripted(script)
check("client: an answer with another invoke id: ProtocolError",
      raises(dc.ProtocolError, client.get, 8, "0.0.1.0.0.255", 2))
client.close()
ss.close()

lst = [(8, "0.0.1.0.0.255", 2), (3, "9.9.9.9.9.9", 2)]
listing = h("02 00 09 0C") + CAP_DATETIME + h("01 04")
script = [(dc.get_request_with_list(0xC1, lst),
           h("C4 02 C1 00 00 00 00 01 00 05") + listing[:5]),
          (dc.get_request_next(0xC1, 1), h("C4 02 C1 01 00 00 00 02 00") +
           dc.encode_length(len(listing) - 5) + listing[5:])]
client, diffs, th, ss = scripted(script)
rs = client.get_with_list(lst)
check("client: GET-With-List answered in blocks: the SEQUENCE OF Get-Data-Result reassembled "
      "(the clock's octet-string, then object-undefined)",
      not diffs and rs[0].value() == CAP_DATETIME and rs[1].dar_name == "object-undefined",
      str(diffs))
client.close()
ss.close()

value = dc.octet_string(bytes(range(10)))  # 09 0A 00..09: 12 octets in blocks of 5
script = [(dc.set_request_first_datablock(0xC1, 1, "0.0.128.5.7.255", 2, False,
                                          h("09 0A 00 01 02")), h("C5 02 C1 00 00 00 01")),
          (dc.set_request_datablock(0xC1, False, 2, h("03 04 05 06 07")),
           h("C5 02 C1 00 00 00 02")),
          (dc.set_request_datablock(0xC1, True, 3, h("08 09")), h("C5 03 C1 00 00 00 00 03"))]
client, diffs, th, ss = scripted(script)
res = client.set_with_blocks(1, "0.0.128.5.7.255", 2, value, 5)
check("client: SET with datablocks of 5 octets: first-datablock, two datablocks, each "
      "acknowledged, success on the last", res == (0, [1, 2]) and not diffs, f"{res} {diffs}")
client.close()
ss.close()

script = [(dc.build_aarq(password="secret", max_pdu=64), CAP_AARE),
          (dc.build_rlrq(), h("63 03 80 01 00"))]
client, diffs, th, ss = scripted(script)
aare = client.associate(password="secret", max_pdu=64)
rl = client.release()
check("client: associate (LLS, max PDU 64) keeps the negotiated figures; release reads the RLRE",
      aare.accepted and rl.reason == 0 and not diffs, str(diffs))
client.close()
ss.close()

# ---- security suite 0 (cosem_security.py) against the Green Book's vectors ----
# Table 40: a get-request of the Clock's time by 4D4D4D0000BC614E, IC 01234567,
# EK 000102..0F, AK D0D1..DF; Table 43: HLS mechanism 5, f(StoC) by 4D4D4D0000000001, IC 1.
GB_KEYS = sec.Keys(bytes(range(16)), bytes(range(0xD0, 0xE0)))
GB_TITLE = h("4D4D4D0000BC614E")
GB_GET = h("C0 01 00 0008 0000010000FF 02 00")
GB_SC30 = h("30 01234567 411312FF935A47566827C467BC 7D825C3BE4A77C3FCC056B6B")
check("security: SC 30 (authenticated and encrypted) is Table 40's",
      sec.protect(GB_KEYS, 0x30, GB_TITLE, 0x01234567, GB_GET) == GB_SC30)
check("security: SC 10 (authenticated only) is Table 40's",
      sec.protect(GB_KEYS, 0x10, GB_TITLE, 0x01234567, GB_GET) ==
      h("10 01234567") + GB_GET + h("06725D910F9221D263877516"))
check("security: Table 40's ciphertext deciphers to the get-request",
      sec.unprotect(GB_KEYS, GB_TITLE, GB_SC30) == (0x30, 0x01234567, GB_GET))
check("security: a changed octet does not verify",
      raises(sec.BadTag, sec.unprotect, GB_KEYS, GB_TITLE, GB_SC30[:-1] + b"\x00"))
check("security: f(StoC) of HLS-GMAC is Table 43's",
      sec.hls_gmac(GB_KEYS, h("4D4D4D0000000001"), 1, b"P6wRJ21F") ==
      h("10 00000001 1A52FE7DD3E72748973C1E28"))
check("security: f(CtoS) of HLS-GMAC is Table 43's",
      sec.hls_gmac(GB_KEYS, GB_TITLE, 0x01234567, b"K56iVagY") ==
      h("10 01234567 FE1466AFB3DBCD4F9389E2B7"))
e = dc.parse_apdu(h("D8 01 06 00000009")).result
check("client: exception-response invocation-counter-error carries the counter expected",
      e.service_error == 6 and e.expected == 9)
# ---- the HDLC side (cosem_hdlc.py) against the captured HDLC frames (reference 1.6) ----

CAP_SNRM = h("7E A0 07 03 21 93 0F 01 7E")
CAP_UA = h("7E A0 1E 21 03 73 C3 7A 81 80 12 05 01 80 06 01 80 07 04 00 00 00 01 08 04 00 00 00"
           " 01 53 3B 7E")
check("HDLC CRC-16/X.25 of '123456789' is the standard's check value 0x906E",
      hd.crc16(b"123456789") == 0x906E)
check("HDLC SNRM client 16 -> server 1 (control 0x93, no information) = the capture",
      hd.frame(hd.address(1), hd.address(16), hd.SNRM | hd.PF) == CAP_SNRM)
check("HDLC UA with the 4-octet windows Gurux sends = the capture",
      hd.frame(hd.address(16), hd.address(1), hd.UA | hd.PF,
               h("81 80 12 05 01 80 06 01 80 07 04 00 00 00 01 08 04 00 00 00 01")) == CAP_UA)
ua = hd.parse_frame(CAP_UA)
check("HDLC: the captured UA parses: UA with F, 128/128, windows 1/1",
      ua.kind == "UA" and ua.pf and hd.parse_params(ua.info) ==
      {"max_tx": 128, "max_rx": 128, "win_tx": 1, "win_rx": 1}, str(ua))
# addresses by hand: upper 1, lower 0x11: 2 octets 02 23; 4 octets 00 02 00 23;
# lower 0x123 (= 2 << 7 | 0x23): 00 02 04 47
check("HDLC addresses: 1/0x11 in 2 and 4 octets, 1/0x123 in 4 octets",
      hd.address(1, 0x11, 2) == h("02 23") and hd.address(1, 0x11, 4) == h("00 02 00 23")
      and hd.address(1, 0x123) == h("00 02 04 47"))
check("HDLC control fields: I N(S) 1 N(R) 2 P = 0x52, RR N(R) 5 P = 0xB1, RNR N(R) 1 P = 0x35",
      (hd.i_control(1, 2), hd.rr_control(5), hd.rnr_control(1)) == (0x52, 0xB1, 0x35))

finish()
