#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The test client's DLMS security suite 0 (IEC 62056-5-3, the Green Book's ciphering and HLS
chapters), written from the standard with python3-cryptography's AES-GCM; no third-party DLMS
code. The daemon's C side (daemon/core/dlms/dlms-cipher.c) is another implementation: the two
meet only on the wire, and both are checked against the Green Book's vectors.

  protect(keys, sc, title, ic, apdu)    SC || IC || ciphertext (or APDU) || 12-octet tag
  unprotect(keys, title, data)          (sc, ic, apdu); BadTag when it does not verify
  hls_gmac(keys, title, ic, challenge)  f(challenge) of HLS mechanism 5
  Hls(keys, title, ic)                  a Client's security: associate_hls(client) runs the
                                        four passes; then the client's get/set/action go
                                        glo-ciphered (or general-glo with general=True)
"""
import dataclasses
import importlib
import os
import sys


def _import_backend():
    """cryptography's OpenSSL backend, which imports the standard library's calendar (through
    email.utils): the test next to this file named calendar.py must not stand in for it."""
    here = os.path.dirname(os.path.abspath(__file__))
    saved = sys.path[:]
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    try:
        importlib.import_module("calendar")
        importlib.import_module("cryptography.hazmat.backends.openssl.backend")
    finally:
        sys.path[:] = saved


_import_backend()
# pylint: disable=wrong-import-position
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: E402

from cosem_apdu import (ACTION_REQUEST, ASSOCIATION_LN, GET_REQUEST,  # noqa: E402
                        SET_REQUEST, build_aarq, build_initiate_request,
                        parse_initiate_response)
from cosem_axdr import DlmsError, ProtocolError, encode_length, octet_string  # noqa: E402

SC_AUTHENTICATED = 0x10
SC_ENCRYPTED = 0x20
SC_BOTH = SC_AUTHENTICATED | SC_ENCRYPTED
TAG_LEN = 12
MECHANISM_GMAC = 5
CONTEXT_LN_CIPHERED = 3
GLO_INITIATE_REQUEST, GLO_INITIATE_RESPONSE = 0x21, 0x28
GLO = {GET_REQUEST: 0xC8, SET_REQUEST: 0xC9, ACTION_REQUEST: 0xCB}
GENERAL_GLO = 0xDB


class BadTag(DlmsError):
    """A ciphered APDU whose tag does not verify."""


@dataclasses.dataclass
class Keys:
    ek: bytes  # global unicast encryption key
    ak: bytes  # authentication key


def _iv(title, ic):
    return bytes(title) + ic.to_bytes(4, "big")


def protect(keys, sc, title, ic, apdu):
    """SC || IC || data || T: authenticated and encrypted (SC 30: AAD = SC || AK), or
    authenticated only (SC 10: AAD = SC || AK || APDU, the APDU in clear)."""
    enc = Cipher(algorithms.AES(keys.ek), modes.GCM(_iv(title, ic))).encryptor()
    aad = bytes([sc]) + keys.ak
    if sc & SC_ENCRYPTED:
        enc.authenticate_additional_data(aad)
        data = enc.update(apdu) + enc.finalize()
    else:
        enc.authenticate_additional_data(aad + apdu)
        enc.finalize()
        data = apdu
    return bytes([sc]) + ic.to_bytes(4, "big") + data + enc.tag[:TAG_LEN]


def unprotect(keys, title, data):
    """(sc, ic, apdu) of SC || IC || data || T from @title; BadTag when it does not verify."""
    if len(data) < 5 + TAG_LEN:
        raise ProtocolError(f"ciphered data of {len(data)} octets")
    sc, ic = data[0], int.from_bytes(data[1:5], "big")
    body, tag = data[5:-TAG_LEN], data[-TAG_LEN:]
    dec = Cipher(algorithms.AES(keys.ek),
                 modes.GCM(_iv(title, ic), tag, min_tag_length=TAG_LEN)).decryptor()
    aad = bytes([sc]) + keys.ak
    try:
        if sc & SC_ENCRYPTED:
            dec.authenticate_additional_data(aad)
            apdu = dec.update(body) + dec.finalize()
        else:
            dec.authenticate_additional_data(aad + body)
            dec.finalize()
            apdu = body
    except Exception as e:  # cryptography's InvalidTag
        raise BadTag(f"tag of SC {sc:02X} IC {ic} does not verify") from e
    return sc, ic, apdu


def hls_gmac(keys, title, ic, challenge):
    """f(challenge) = SC || IC || GMAC(SC || AK || challenge), SC 10."""
    return protect(keys, SC_AUTHENTICATED, title, ic, b"")[:5] + \
        _gmac_tag(keys, title, ic, challenge)


def _gmac_tag(keys, title, ic, challenge):
    enc = Cipher(algorithms.AES(keys.ek), modes.GCM(_iv(title, ic))).encryptor()
    enc.authenticate_additional_data(bytes([SC_AUTHENTICATED]) + keys.ak + challenge)
    enc.finalize()
    return enc.tag[:TAG_LEN]


class Hls:
    """A client's HLS-GMAC security: its keys, its system title, its invocation counter (the
    next one it sends) and, once associated, the server's title and challenge."""

    def __init__(self, keys, title, ic=1, general=False):
        self.keys, self.title, self.ic = keys, bytes(title), ic
        self.general = general
        self.server_title = None
        self.server_ics = []  # every counter the server used, in order
        self.last_sent = None  # the last ciphered APDU sent (for replay tests)

    def next_ic(self):
        ic = self.ic
        self.ic += 1
        return ic

    def wrap(self, apdu):
        """A plain GET/SET/ACTION glo-ciphered (or general-glo-ciphered)."""
        data = protect(self.keys, SC_BOTH, self.title, self.next_ic(), apdu)
        if self.general:
            out = bytes([GENERAL_GLO, 8]) + self.title + encode_length(len(data)) + data
        else:
            out = bytes([GLO[apdu[0]]]) + encode_length(len(data)) + data
        self.last_sent = out
        return out

    def unwrap(self, apdu):
        """The plain APDU of a ciphered answer (checked: under the server's title, SC 30)."""
        i = 1
        if apdu[0] == GENERAL_GLO:
            if apdu[1] != 8 or apdu[2:10] != self.server_title:
                raise ProtocolError(f"general-glo-ciphering from {apdu[2:10].hex()}")
            i = 10
        n, i = _length(apdu, i)
        if len(apdu) - i != n:
            raise ProtocolError("ciphered APDU length disagrees")
        sc, ic, plain = unprotect(self.keys, self.server_title, apdu[i:])
        if sc != SC_BOTH:
            raise ProtocolError(f"answer with SC {sc:02X}")
        self.server_ics.append(ic)
        return plain

    def aarq(self, ctos, context=CONTEXT_LN_CIPHERED, title=None, **initiate):
        """An AARQ for HLS-GMAC: our title, CtoS, the InitiateRequest glo-ciphered."""
        title = self.title if title is None else title
        ir = build_initiate_request(initiate.get("dlms_version", 6),
                                    initiate.get("conformance", 0x001E1D),
                                    initiate.get("max_pdu", 0xFFFF), None, None, None)
        data = protect(self.keys, SC_BOTH, title, self.next_ic(), ir)
        glo = bytes([GLO_INITIATE_REQUEST]) + encode_length(len(data)) + data
        return build_aarq(context=context, mechanism=MECHANISM_GMAC, calling_ap_title=title,
                          password=ctos, user_information=b"\x04" + encode_length(len(glo)) +
                          glo)

    def associate(self, client, ctos=b"K56iVagY"):
        """Passes 1 to 4 on @client; returns the Aare (passes 3 and 4 only when it was
        accepted). Raises on a wrong f(CtoS). The client's requests are ciphered after."""
        resp = client.request(self.aarq(ctos))
        if resp.kind == "exception":
            raise resp.result
        aare = resp.result
        client.aare = aare
        if not aare.accepted:
            return aare
        self.server_title = bytes(aare.responding_ap_title[2:])
        ui = aare.user_information
        if ui[0] != GLO_INITIATE_RESPONSE:
            raise ProtocolError(f"AARE user-information {ui[:1].hex()}, not glo-initiateResponse")
        n, i = _length(ui, 1)
        _, ic, ir = unprotect(self.keys, self.server_title, ui[i:i + n])
        self.server_ics.append(ic)
        aare.initiate_response = parse_initiate_response(ir)
        client.server_max_pdu = aare.initiate_response.max_pdu
        client.conformance = aare.initiate_response.conformance
        client.max_pdu = 0xFFFF
        stoc = bytes(aare.responding_auth_value[2:])
        client.security = self
        # pass 3: reply_to_HLS_authentication with f(StoC) under the counter of its APDU
        f = hls_gmac(self.keys, self.title, self.ic, stoc)
        result, data = client.action(*ASSOCIATION_LN, 1, octet_string(f))
        if result != 0:
            raise DlmsError(f"reply_to_HLS_authentication refused: result {result}")
        f_ctos = data.value()
        sic = int.from_bytes(f_ctos[1:5], "big")
        if f_ctos != hls_gmac(self.keys, self.server_title, sic, ctos):
            raise DlmsError("the server's f(CtoS) does not verify")
        # the server took f(CtoS)'s counter before the one of the APDU carrying it
        self.server_ics.insert(len(self.server_ics) - 1, sic)
        return aare


def _length(b, i):
    if b[i] < 0x80:
        return b[i], i + 1
    k = b[i] & 0x7F
    return int.from_bytes(b[i + 1:i + 1 + k], "big"), i + 1 + k

