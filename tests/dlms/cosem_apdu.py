# SPDX-License-Identifier: GPL-2.0-only
"""The xDLMS and ACSE APDUs of logical-name referencing (IEC 62056-5-3), for polymeter's own
DLMS test client (dlms_client.py, which re-exports all of it): the standard's code names,
build_aarq() (every field overridable, so that a test can send a wrong context, mechanism or
version), parse_aare(), RLRQ/RLRE, GET normal / next / with-list, SET normal /
with-first-datablock / with-datablock, ACTION normal, the selective-access parameters of a
Profile generic's buffer, and parse_apdu() for every answer a server gives (also
exception-response and confirmedServiceError). Written from the Green Book's ASN.1 (COSEMpdu,
ACSE-1) and checked against the captures of the DLMS reference sheet section 1.6.

  - Invoke-Id-And-Priority: bit 7 priority high, bit 6 confirmed, bits 0..3 the invoke id
    (0xC1 in the captures); a response echoes it;
  - conformance: [APPLICATION 31] BIT STRING of 24 bits, 5F 1F 04 00 b0 b1 b2, bit 0 the most
    significant bit of b0;
  - application context 2.16.756.5.8.1.x (1 LN, 2 SN, 3 LN ciphered, 4 SN ciphered), mechanism
    2.16.756.5.8.2.x (0 none, 1 LLS, 2 HLS, 5 HLS-GMAC); the AARE is a BER SET (fields in any
    order), its user-information an OCTET STRING holding the InitiateResponse (08) or a
    confirmedServiceError (0E).
"""
import dataclasses
import struct

from cosem_axdr import (DlmsError, ProtocolError, _Reader, _decode_typed, array,
                        decode_length, decode_typed, double_long_unsigned, encode_data,
                        encode_length, integer, long_unsigned, obis, octet_string, structure,
                        DateTime)

DATA_ACCESS_RESULT = {
    0: "success", 1: "hardware-fault", 2: "temporary-failure", 3: "read-write-denied",
    4: "object-undefined", 9: "object-class-inconsistent", 11: "object-unavailable",
    12: "type-unmatched", 13: "scope-of-access-violated", 14: "data-block-unavailable",
    15: "long-get-aborted", 16: "no-long-get-in-progress", 17: "long-set-aborted",
    18: "no-long-set-in-progress", 19: "data-block-number-invalid", 250: "other-reason",
}
ACTION_RESULT = {
    0: "success", 1: "hardware-fault", 2: "temporary-failure", 3: "read-write-denied",
    4: "object-undefined", 9: "object-class-inconsistent", 11: "object-unavailable",
    12: "type-unmatched", 13: "scope-of-access-violated", 14: "data-block-unavailable",
    15: "long-action-aborted", 16: "no-long-action-in-progress", 250: "other-reason",
}
# EXCEPTION-Response
STATE_ERROR = {1: "service-not-allowed", 2: "service-unknown"}
SERVICE_ERROR = {1: "operation-not-possible", 2: "service-not-supported", 3: "other-reason",
                 4: "pdu-too-long", 5: "deciphering-error", 6: "invocation-counter-error"}
# ACSE
ASSOCIATE_RESULT = {0: "accepted", 1: "rejected-permanent", 2: "rejected-transient"}
ACSE_SERVICE_USER = {
    0: "null", 1: "no-reason-given", 2: "application-context-name-not-supported",
    3: "calling-AP-title-not-recognized", 4: "calling-AP-invocation-identifier-not-recognized",
    5: "calling-AE-qualifier-not-recognized", 6: "calling-AE-invocation-identifier-not-recognized",
    7: "called-AP-title-not-recognized", 8: "called-AP-invocation-identifier-not-recognized",
    9: "called-AE-qualifier-not-recognized", 10: "called-AE-invocation-identifier-not-recognized",
    11: "authentication-mechanism-name-not-recognised",
    12: "authentication-mechanism-name-required", 13: "authentication-failure",
    14: "authentication-required",
}
ACSE_SERVICE_PROVIDER = {0: "null", 1: "no-reason-given", 2: "no-common-acse-version"}
# ConfirmedServiceError ::= CHOICE { initiateError [1], getStatus [2], ..., read [5], write [6] }
CONFIRMED_SERVICE = {1: "initiateError", 2: "getStatus", 3: "getNameList",
                     4: "getVariableAttribute", 5: "read", 6: "write"}
# ServiceError ::= CHOICE: the alternative, then its ENUMERATED's names
SERVICE_ERROR_CHOICE = {
    0: ("application-reference", {0: "other", 1: "time-elapsed", 2: "application-unreachable",
                                  3: "application-reference-invalid",
                                  4: "application-context-unsupported",
                                  5: "provider-communication-error", 6: "deciphering-error"}),
    1: ("hardware-resource", {0: "other", 1: "memory-unavailable",
                              2: "processor-resource-unavailable", 3: "mass-storage-unavailable",
                              4: "other-resource-unavailable"}),
    2: ("vde-state-error", {0: "other", 1: "no-dlms-context", 2: "loading-data-set",
                            3: "status-nochange", 4: "status-inoperable"}),
    3: ("service", {0: "other", 1: "pdu-size", 2: "service-unsupported"}),
    4: ("definition", {0: "other", 1: "object-undefined", 2: "object-class-inconsistent",
                       3: "object-attribute-inconsistent"}),
    5: ("access", {0: "other", 1: "scope-of-access-violated", 2: "object-access-invalid",
                   3: "hardware-fault", 4: "object-unavailable"}),
    6: ("initiate", {0: "other", 1: "dlms-version-too-low", 2: "incompatible-conformance",
                     3: "pdu-size-too-short", 4: "refused-by-the-VDE-Handler"}),
}
# Association LN object_list: attribute and method access modes (class 15 version >= 1)
ATTRIBUTE_ACCESS = {0: "no-access", 1: "read-only", 2: "write-only", 3: "read-and-write",
                    4: "authenticated-read-only", 5: "authenticated-write-only",
                    6: "authenticated-read-and-write"}
METHOD_ACCESS = {0: "no-access", 1: "access", 2: "authenticated-access"}
READABLE = {1, 3, 4, 6}
WRITABLE = {2, 3, 5, 6}
# Units of scaler_unit (IEC 62056-6-2 table of units): the ones a meter's registers use
UNIT = {8: "deg", 27: "W", 28: "VA", 29: "var", 30: "Wh", 31: "VAh", 32: "varh", 33: "A",
        35: "V", 44: "Hz", 255: "count"}

# APDU tags
AARQ, AARE, RLRQ, RLRE = 0x60, 0x61, 0x62, 0x63
GET_REQUEST, SET_REQUEST, ACTION_REQUEST = 0xC0, 0xC1, 0xC3
GET_RESPONSE, SET_RESPONSE, ACTION_RESPONSE = 0xC4, 0xC5, 0xC7
EXCEPTION_RESPONSE, CONFIRMED_SERVICE_ERROR = 0xD8, 0x0E
INITIATE_REQUEST, INITIATE_RESPONSE = 0x01, 0x08

# Conformance bits (bit 0 is the most significant of the 24)
def conf_bit(n):
    """The mask of conformance bit @n."""
    return 1 << (23 - n)


CONF_GENERAL_PROTECTION = conf_bit(1)
CONF_GENERAL_BLOCK_TRANSFER = conf_bit(2)
CONF_ATTRIBUTE0_SET = conf_bit(8)
CONF_PRIORITY_MGMT = conf_bit(9)
CONF_ATTRIBUTE0_GET = conf_bit(10)
CONF_BLOCK_GET = conf_bit(11)
CONF_BLOCK_SET = conf_bit(12)
CONF_BLOCK_ACTION = conf_bit(13)
CONF_MULTIPLE_REFS = conf_bit(14)
CONF_DATA_NOTIFICATION = conf_bit(16)
CONF_ACCESS = conf_bit(17)
CONF_GET = conf_bit(19)
CONF_SET = conf_bit(20)
CONF_SELECTIVE_ACCESS = conf_bit(21)
CONF_EVENT_NOTIFICATION = conf_bit(22)
CONF_ACTION = conf_bit(23)
CONFORMANCE_NAMES = {
    1: "general-protection", 2: "general-block-transfer", 3: "read", 4: "write",
    5: "unconfirmed-write", 6: "delta-value-encoding", 8: "attribute0-supported-with-set",
    9: "priority-mgmt-supported", 10: "attribute0-supported-with-get",
    11: "block-transfer-with-get-or-read", 12: "block-transfer-with-set-or-write",
    13: "block-transfer-with-action", 14: "multiple-references", 15: "information-report",
    16: "data-notification", 17: "access", 18: "parameterized-access", 19: "get", 20: "set",
    21: "selective-access", 22: "event-notification", 23: "action",
}
# What this client proposes by default: GET, SET, ACTION, selective access, block transfer with
# each, multiple references (no ciphering, no general block transfer).
DEFAULT_CONFORMANCE = (CONF_GET | CONF_SET | CONF_ACTION | CONF_SELECTIVE_ACCESS |
                       CONF_BLOCK_GET | CONF_BLOCK_SET | CONF_BLOCK_ACTION | CONF_MULTIPLE_REFS)


def conformance_names(bits):
    """The names of the conformance bits set in @bits."""
    return [CONFORMANCE_NAMES.get(n, f"bit{n}") for n in range(24) if bits & conf_bit(n)]


# Application contexts and mechanisms: 2.16.756.5.8.1.x and 2.16.756.5.8.2.x
CONTEXT_LN, CONTEXT_SN, CONTEXT_LN_CIPHERED, CONTEXT_SN_CIPHERED = 1, 2, 3, 4
MECHANISM_NONE, MECHANISM_LLS, MECHANISM_HLS, MECHANISM_HLS_GMAC = 0, 1, 2, 5
_DLMS_UA_OID = bytes([0x60, 0x85, 0x74, 0x05, 0x08])  # 2.16.756.5.8 in BER


def context_oid(n):
    """The BER content of the application-context-name 2.16.756.5.8.1.n."""
    return _DLMS_UA_OID + bytes([1, n])


def mechanism_oid(n):
    """The BER content of the mechanism-name 2.16.756.5.8.2.n."""
    return _DLMS_UA_OID + bytes([2, n])


# Well-known objects
CLOCK = (8, "0.0.1.0.0.255")
ASSOCIATION_LN = (15, "0.0.40.0.0.255")


class Refused(DlmsError):
    """A GET/SET answered with a data-access-result other than success (or an ACTION with an
    action-result other than success)."""

    def __init__(self, code, what="data-access-result", names=None):
        self.code = code
        self.name = (names or DATA_ACCESS_RESULT).get(code, f"unknown({code})")
        super().__init__(f"{what} {code} ({self.name})")


class ExceptionResponse(DlmsError):
    """An EXCEPTION-Response (D8 state-error service-error)."""

    def __init__(self, state_error, service_error):
        self.state_error, self.service_error = state_error, service_error
        self.state_name = STATE_ERROR.get(state_error, f"unknown({state_error})")
        self.service_name = SERVICE_ERROR.get(service_error, f"unknown({service_error})")
        super().__init__(f"exception-response {self.state_name}, {self.service_name}")


# ---------------------------------------------------------------------------------------------
# BER for the ACSE APDUs


def ber(tag, content):
    return bytes([tag]) + encode_length(len(content)) + content


def ber_items(buf):
    """[(tag, content)] of a run of single-octet-tag BER TLVs filling @buf."""
    out, pos = [], 0
    while pos < len(buf):
        tag = buf[pos]
        if tag & 0x1F == 0x1F:
            raise ProtocolError(f"multi-octet BER tag 0x{tag:02X} not expected here")
        n, pos = decode_length(buf, pos + 1)
        if pos + n > len(buf):
            raise ProtocolError(f"BER item 0x{tag:02X} of {n} octets, {len(buf) - pos} left")
        out.append((tag, bytes(buf[pos:pos + n])))
        pos += n
    return out


def ber_integer(content):
    if not content:
        raise ProtocolError("empty INTEGER")
    return int.from_bytes(content, "big", signed=True)


def _explicit_integer(content):
    """The INTEGER inside an EXPLICIT tag (02 len value)."""
    items = ber_items(content)
    if len(items) != 1 or items[0][0] != 0x02:
        raise ProtocolError(f"an INTEGER expected, got {content.hex()}")
    return ber_integer(items[0][1])


def build_initiate_request(dlms_version=6, conformance=DEFAULT_CONFORMANCE, max_pdu=0xFFFF,
                           dedicated_key=None, response_allowed=None, qos=None):
    """xDLMS InitiateRequest (A-XDR): 01, dedicated-key (OPTIONAL), response-allowed (DEFAULT
    TRUE: 00 leaves the default), proposed-quality-of-service (OPTIONAL), version, 5F 1F 04 00
    conformance, client-max-receive-pdu-size."""
    out = bytes([INITIATE_REQUEST])
    out += b"\x00" if dedicated_key is None else b"\x01" + encode_length(len(dedicated_key)) + \
        dedicated_key
    out += b"\x00" if response_allowed is None else b"\x01" + bytes([1 if response_allowed
                                                                      else 0])
    out += b"\x00" if qos is None else b"\x01" + struct.pack(">b", qos)
    out += bytes([dlms_version]) + b"\x5F\x1F\x04\x00" + conformance.to_bytes(3, "big")
    out += struct.pack(">H", max_pdu)
    return out


def build_aarq(context=CONTEXT_LN, mechanism=None, password=None, acse_requirements=None,
               calling_ap_title=None, dlms_version=6, conformance=DEFAULT_CONFORMANCE,
               max_pdu=0xFFFF, dedicated_key=None, response_allowed=None, qos=None,
               initiate_request=None, user_information=None, protocol_version=None,
               extra=b""):
    """An AARQ. Every field can be overridden:
      context            last arc of 2.16.756.5.8.1.x (int) or the OID's BER content (bytes)
      mechanism          None: LLS when a password is given, else absent; an int (last arc of
                         2.16.756.5.8.2.x) or bytes (OID content)
      password           the LLS password (bytes or str): calling-authentication-value
      acse_requirements  None: the authentication bit when a mechanism is sent; True/False;
                         or the BIT STRING's content (bytes)
      calling_ap_title   bytes (the client system title) or None
      dlms_version, conformance, max_pdu, dedicated_key, response_allowed, qos: InitiateRequest
      initiate_request   the whole InitiateRequest octets instead
      user_information   the whole content of the user-information [30] field instead (None
                         builds 04 len InitiateRequest; b"" leaves the field out)
      protocol_version   the [0] BIT STRING content (e.g. b"\\x07\\x80"), absent by default
      extra              octets appended inside the AARQ (unknown fields)
    """
    if isinstance(password, str):
        password = password.encode()
    if mechanism is None and password is not None:
        mechanism = MECHANISM_LLS
    body = b""
    if protocol_version is not None:
        body += ber(0x80, protocol_version)
    ctx = context_oid(context) if isinstance(context, int) else bytes(context)
    body += ber(0xA1, ber(0x06, ctx))
    if calling_ap_title is not None:
        body += ber(0xA6, ber(0x04, calling_ap_title))
    if acse_requirements is None:
        acse_requirements = mechanism is not None
    if acse_requirements is True:
        body += ber(0x8A, b"\x07\x80")  # BIT STRING, 7 unused bits, authentication(0) set
    elif isinstance(acse_requirements, (bytes, bytearray)):
        body += ber(0x8A, bytes(acse_requirements))
    if mechanism is not None:
        mech = mechanism_oid(mechanism) if isinstance(mechanism, int) else bytes(mechanism)
        body += ber(0x8B, mech)
    if password is not None:
        body += ber(0xAC, ber(0x80, password))  # charstring [0] IMPLICIT OCTET STRING
    if user_information is None:
        if initiate_request is None:
            initiate_request = build_initiate_request(dlms_version, conformance, max_pdu,
                                                      dedicated_key, response_allowed, qos)
        user_information = ber(0x04, initiate_request)
    if user_information:
        body += ber(0xBE, user_information)
    return ber(AARQ, body + extra)


@dataclasses.dataclass
class InitiateResponse:
    qos: object
    dlms_version: int
    conformance: int
    max_pdu: int
    vaa_name: int


@dataclasses.dataclass
class ConfirmedServiceError:
    """0E, the service (ConfirmedServiceError's CHOICE), ServiceError's alternative, value."""
    service: int
    error_choice: int
    value: int

    @property
    def service_name(self):
        return CONFIRMED_SERVICE.get(self.service, f"service{self.service}")

    @property
    def error_name(self):
        name, values = SERVICE_ERROR_CHOICE.get(self.error_choice, (f"choice{self.error_choice}",
                                                                    {}))
        return f"{name}: {values.get(self.value, self.value)}"

    def __str__(self):
        return f"confirmedServiceError {self.service_name} {self.error_name}"


def parse_confirmed_service_error(buf):
    """ConfirmedServiceError (after nothing: @buf starts with 0E)."""
    if len(buf) != 4 or buf[0] != CONFIRMED_SERVICE_ERROR:
        raise ProtocolError(f"not a confirmedServiceError: {bytes(buf).hex()}")
    return ConfirmedServiceError(buf[1], buf[2], buf[3])


def parse_initiate_response(buf):
    r = _Reader(buf)
    if r.byte() != INITIATE_RESPONSE:
        raise ProtocolError(f"not an InitiateResponse: {bytes(buf).hex()}")
    qos = None
    if r.byte():
        qos = struct.unpack(">b", r.take(1))[0]
    version = r.byte()
    if r.take(4) != b"\x5F\x1F\x04\x00":
        raise ProtocolError(f"conformance block not 5F 1F 04 00: {bytes(buf).hex()}")
    conformance = int.from_bytes(r.take(3), "big")
    max_pdu = r.u16()
    vaa = struct.unpack(">h", r.take(2))[0]
    if r.left():
        raise ProtocolError(f"{r.left()} octets after the InitiateResponse")
    return InitiateResponse(qos, version, conformance, max_pdu, vaa)


@dataclasses.dataclass
class Aare:
    context: bytes
    result: int
    diagnostic_source: str  # "user" (acse-service-user) or "provider"
    diagnostic: int
    mechanism: object = None
    responding_auth_value: object = None
    responder_acse_requirements: object = None
    responding_ap_title: object = None
    user_information: object = None
    initiate_response: object = None
    service_error: object = None
    raw: bytes = b""

    @property
    def accepted(self):
        return self.result == 0

    @property
    def context_id(self):
        """The last arc when the context is 2.16.756.5.8.1.x, else None."""
        c = self.context
        return c[-1] if len(c) == 7 and c[:6] == context_oid(0)[:6] else None

    @property
    def result_name(self):
        return ASSOCIATE_RESULT.get(self.result, f"unknown({self.result})")

    @property
    def diagnostic_name(self):
        names = ACSE_SERVICE_USER if self.diagnostic_source == "user" else ACSE_SERVICE_PROVIDER
        return names.get(self.diagnostic, f"unknown({self.diagnostic})")

    def __str__(self):
        s = f"AARE {self.result_name}, {self.diagnostic_source} {self.diagnostic_name}"
        if self.initiate_response:
            ir = self.initiate_response
            s += (f", version {ir.dlms_version}, conformance 0x{ir.conformance:06X}, "
                  f"max PDU {ir.max_pdu}, VAA 0x{ir.vaa_name:04X}")
        if self.service_error:
            s += f", {self.service_error}"
        return s


def parse_aare(apdu):
    """An AARE: result, source diagnostic, the InitiateResponse or confirmedServiceError."""
    items = ber_items(apdu)
    if len(items) != 1 or items[0][0] != AARE:
        raise ProtocolError(f"not an AARE: {bytes(apdu[:16]).hex()}")
    fields = {}
    for tag, content in ber_items(items[0][1]):
        if tag in fields:
            raise ProtocolError(f"AARE field 0x{tag:02X} twice")
        fields[tag] = content
    for need in (0xA1, 0xA2, 0xA3):
        if need not in fields:
            raise ProtocolError(f"AARE without field 0x{need:02X}")
    ctx = ber_items(fields[0xA1])
    if len(ctx) != 1 or ctx[0][0] != 0x06:
        raise ProtocolError("AARE application-context-name is not an OBJECT IDENTIFIER")
    result = _explicit_integer(fields[0xA2])
    diag = ber_items(fields[0xA3])
    if len(diag) != 1 or diag[0][0] not in (0xA1, 0xA2):
        raise ProtocolError(f"AARE result-source-diagnostic malformed: {fields[0xA3].hex()}")
    aare = Aare(ctx[0][1], result, "user" if diag[0][0] == 0xA1 else "provider",
                _explicit_integer(diag[0][1]), raw=bytes(apdu))
    if 0x89 in fields:
        aare.mechanism = fields[0x89]
    if 0x88 in fields:
        aare.responder_acse_requirements = fields[0x88]
    if 0xAA in fields:
        aare.responding_auth_value = fields[0xAA]
    if 0xA4 in fields:
        aare.responding_ap_title = fields[0xA4]
    if 0xBE in fields:
        ui = ber_items(fields[0xBE])
        if len(ui) != 1 or ui[0][0] != 0x04:
            raise ProtocolError("AARE user-information is not an OCTET STRING")
        aare.user_information = inner = ui[0][1]
        if inner[:1] == bytes([INITIATE_RESPONSE]):
            aare.initiate_response = parse_initiate_response(inner)
        elif inner[:1] == bytes([CONFIRMED_SERVICE_ERROR]):
            aare.service_error = parse_confirmed_service_error(inner)
        elif inner[:1] != b"\x28":  # glo-initiateResponse: cosem_security.py deciphers it
            raise ProtocolError(f"AARE user-information neither InitiateResponse nor "
                                f"confirmedServiceError: {inner.hex()}")
    return aare


def build_rlrq(reason=None):
    """RLRQ: 62 00, or with a reason (0 normal, 1 urgent, 30 user-defined): 62 03 80 01 rr."""
    return ber(RLRQ, b"" if reason is None else ber(0x80, bytes([reason])))


@dataclasses.dataclass
class Rlre:
    reason: object  # None when absent; 0 normal, 1 not-finished, 30 user-defined
    user_information: object = None


def parse_rlre(apdu):
    items = ber_items(apdu)
    if len(items) != 1 or items[0][0] != RLRE:
        raise ProtocolError(f"not an RLRE: {bytes(apdu[:16]).hex()}")
    rlre = Rlre(None)
    for tag, content in ber_items(items[0][1]):
        if tag == 0x80:
            rlre.reason = ber_integer(content)
        elif tag == 0xBE:
            rlre.user_information = content
        else:
            raise ProtocolError(f"unknown RLRE field 0x{tag:02X}")
    return rlre


# ---------------------------------------------------------------------------------------------
# xDLMS requests

DEFAULT_IIP = 0xC0  # priority high, confirmed; the invoke id goes in bits 0..3


def attribute_descriptor(class_id, ln, attr):
    return struct.pack(">H", class_id) + obis(ln) + struct.pack(">b", attr)


def access_selection(selector=None, params=None):
    """Selective-Access-Descriptor OPTIONAL: 00, or 01 selector Data."""
    if selector is None:
        return b"\x00"
    return b"\x01" + bytes([selector]) + encode_data(params)


def get_request_normal(iip, class_id, ln, attr, selector=None, params=None):
    return (bytes([GET_REQUEST, 1, iip]) + attribute_descriptor(class_id, ln, attr) +
            access_selection(selector, params))


def get_request_next(iip, block_number):
    return bytes([GET_REQUEST, 2, iip]) + struct.pack(">I", block_number)


def get_request_with_list(iip, items):
    """@items: (class_id, ln, attr) or (class_id, ln, attr, selector, params)."""
    out = bytes([GET_REQUEST, 3, iip]) + encode_length(len(items))
    for it in items:
        out += attribute_descriptor(*it[:3]) + access_selection(*it[3:5])
    return out


def set_request_normal(iip, class_id, ln, attr, value, selector=None, params=None):
    raw = value if isinstance(value, (bytes, bytearray)) else encode_data(value)
    return (bytes([SET_REQUEST, 1, iip]) + attribute_descriptor(class_id, ln, attr) +
            access_selection(selector, params) + bytes(raw))


def _datablock_sa(last, number, raw):
    return bytes([1 if last else 0]) + struct.pack(">I", number) + encode_length(len(raw)) + raw


def set_request_first_datablock(iip, class_id, ln, attr, last, raw, selector=None,
                                params=None):
    return (bytes([SET_REQUEST, 2, iip]) + attribute_descriptor(class_id, ln, attr) +
            access_selection(selector, params) + _datablock_sa(last, 1, raw))


def set_request_datablock(iip, last, number, raw):
    return bytes([SET_REQUEST, 3, iip]) + _datablock_sa(last, number, raw)


def action_request_normal(iip, class_id, ln, method, params=None):
    out = bytes([ACTION_REQUEST, 1, iip]) + attribute_descriptor(class_id, ln, method)
    if params is None:
        return out + b"\x00"
    raw = params if isinstance(params, (bytes, bytearray)) else encode_data(params)
    return out + b"\x01" + bytes(raw)


# ---------------------------------------------------------------------------------------------
# Selective access on a Profile generic's buffer (class 7, attribute 2)


def capture_object(class_id, ln, attr, data_index=0):
    """capture_object_definition: structure{class_id, logical_name, attribute_index,
    data_index}."""
    return structure(long_unsigned(class_id), octet_string(obis(ln)), integer(attr),
                     long_unsigned(data_index))


def range_descriptor(from_value, to_value, columns=(), restricting=(8, "0.0.1.0.0.255", 2, 0)):
    """Access selector 1: structure{restricting_object, from_value, to_value, selected_values}.
    On the clock (default) from/to are date-times (DateTime, sent as octet-string(12) as the
    clock's time attribute is); @columns: capture objects (class_id, ln, attr[, data_index])
    to return, none = all."""
    def value(v):
        if isinstance(v, DateTime):
            return octet_string(v.to_bytes())
        return v
    return structure(capture_object(*restricting), value(from_value), value(to_value),
                     array([capture_object(*c) for c in columns]))


def entry_descriptor(from_entry, to_entry=0, from_column=1, to_column=0):
    """Access selector 2: structure{from_entry, to_entry (0: the last), from_selected_value,
    to_selected_value (0: the last column)}, entries and columns counted from 1."""
    return structure(double_long_unsigned(from_entry), double_long_unsigned(to_entry),
                     long_unsigned(from_column), long_unsigned(to_column))


# ---------------------------------------------------------------------------------------------
# Responses


@dataclasses.dataclass
class GetResult:
    """One Get-Data-Result: data (raw A-XDR octets, decoded on demand) or a
    data-access-result."""
    raw: object = None  # bytes of the Data when it is data
    dar: object = None  # the data-access-result when refused
    blocks: list = dataclasses.field(default_factory=list)  # the DataBlocks it came in

    @property
    def ok(self):
        return self.dar is None

    def typed(self):
        if self.dar is not None:
            raise Refused(self.dar)
        return decode_typed(self.raw)

    def value(self):
        return self.typed().plain()

    @property
    def dar_name(self):
        return DATA_ACCESS_RESULT.get(self.dar, f"unknown({self.dar})")


@dataclasses.dataclass
class DataBlock:
    last: bool
    number: int
    raw: object = None  # bytes, or None when the block is a data-access-result
    dar: object = None


@dataclasses.dataclass
class Response:
    """A parsed server APDU. kind: "get-normal", "get-datablock", "get-list", "set-normal",
    "set-datablock", "set-last-datablock", "action-normal", "exception", "service-error",
    "aare", "rlre"."""
    kind: str
    iip: object = None
    result: object = None  # GetResult, DataBlock, [GetResult], a result code, Aare, Rlre, ...
    block_number: object = None
    return_data: object = None  # ACTION: a GetResult or None
    apdu: bytes = b""


def _get_data_result(r):
    """One Get-Data-Result at the reader: [0] Data or [1] Data-Access-Result."""
    choice = r.byte()
    if choice == 0:
        start = r.pos
        _decode_typed(r)
        return GetResult(raw=r.buf[start:r.pos])
    if choice == 1:
        return GetResult(dar=r.byte())
    raise ProtocolError(f"Get-Data-Result choice {choice}")


def parse_apdu(apdu, max_depth=64):
    """Parses one APDU from the server; ProtocolError when it is malformed or unknown."""
    if not apdu:
        raise ProtocolError("empty APDU")
    tag = apdu[0]
    if tag == AARE:
        return Response("aare", result=parse_aare(apdu), apdu=apdu)
    if tag == RLRE:
        return Response("rlre", result=parse_rlre(apdu), apdu=apdu)
    if tag == EXCEPTION_RESPONSE:
        # invocation-counter-error [6] carries the counter the server expects (Unsigned32)
        if len(apdu) != (7 if len(apdu) > 2 and apdu[2] == 6 else 3):
            raise ProtocolError(f"exception-response of {len(apdu)} octets")
        e = ExceptionResponse(apdu[1], apdu[2])
        e.expected = int.from_bytes(apdu[3:7], "big") if len(apdu) == 7 else None
        return Response("exception", result=e, apdu=apdu)
    if tag == CONFIRMED_SERVICE_ERROR:
        return Response("service-error", result=parse_confirmed_service_error(apdu), apdu=apdu)
    r = _Reader(apdu, 1, max_depth)
    choice = r.byte()
    iip = r.byte()
    if tag == GET_RESPONSE:
        if choice == 1:
            out = Response("get-normal", iip, _get_data_result(r), apdu=apdu)
        elif choice == 2:
            last, number = r.byte(), r.u32()
            if last not in (0, 1):
                raise ProtocolError(f"last-block {last} is not a BOOLEAN of A-XDR")
            c = r.byte()
            if c == 0:
                blk = DataBlock(bool(last), number, raw=r.take(r.length()))
            elif c == 1:
                blk = DataBlock(bool(last), number, dar=r.byte())
            else:
                raise ProtocolError(f"DataBlock-G result choice {c}")
            out = Response("get-datablock", iip, blk, apdu=apdu)
        elif choice == 3:
            n = r.length()
            out = Response("get-list", iip, [_get_data_result(r) for _ in range(n)],
                           apdu=apdu)
        else:
            raise ProtocolError(f"GET-Response choice {choice}")
    elif tag == SET_RESPONSE:
        if choice == 1:
            out = Response("set-normal", iip, r.byte(), apdu=apdu)
        elif choice == 2:
            out = Response("set-datablock", iip, None, block_number=r.u32(), apdu=apdu)
        elif choice == 3:
            res = r.byte()
            out = Response("set-last-datablock", iip, res, block_number=r.u32(), apdu=apdu)
        elif choice == 5:
            n = r.length()
            out = Response("set-list", iip, [r.byte() for _ in range(n)], apdu=apdu)
        else:
            raise ProtocolError(f"SET-Response choice {choice}")
    elif tag == ACTION_RESPONSE:
        if choice != 1:
            raise ProtocolError(f"ACTION-Response choice {choice} not supported by this client")
        result = r.byte()
        ret = None
        if r.byte():
            ret = _get_data_result(r)
        out = Response("action-normal", iip, result, return_data=ret, apdu=apdu)
    else:
        raise ProtocolError(f"unknown APDU tag 0x{tag:02X}")
    if r.left():
        raise ProtocolError(f"{r.left()} octets after the {out.kind} response")
    return out


def block_data(raw):
    """The raw-data of a DataBlock-G: the Data it carries."""
    return decode_typed(raw)
