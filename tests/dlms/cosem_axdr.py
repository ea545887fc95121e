# SPDX-License-Identifier: GPL-2.0-only
"""A-XDR encoding of COSEM Data (IEC 62056-6-2, IEC 61334-6), for polymeter's own DLMS test
client (dlms_client.py, which re-exports all of it): Data (a tagged value) and its
constructors (unsigned(5), structure(...)), encode_data(), decode_typed() (tags kept) and
decode_data() (plain Python values), the date-time / date / time octet strings, A-XDR lengths
and OBIS codes. Written from the standard's ASN.1 (the Data CHOICE) and the captures in
the DLMS reference sheet; no third-party DLMS code.

Plain Python values of decode_data(): null None, array list, structure tuple, boolean bool,
bit-string str of "0"/"1", every integer and enum int, octet-string bytes, visible-string and
utf8-string str, bcd int, float32/float64 float, date-time / date / time DateTime / Date /
Time, compact-array list (its elements decoded by its type description).

  - length: one octet below 0x80, else 0x8k and k big-endian octets (A-XDR and BER alike);
  - date-time: octet-string(12) year u16, month, day, day of week (1 Monday), hour, minute,
    second, hundredths, deviation i16 (minutes; local + deviation = UTC), clock status;
    0xFF (0xFFFF year, 0x8000 deviation) is "not specified".
"""
import dataclasses
import datetime
import enum
import struct


class Tag(enum.IntEnum):
    """The Data CHOICE tags."""
    NULL = 0
    ARRAY = 1
    STRUCTURE = 2
    BOOLEAN = 3
    BIT_STRING = 4
    DOUBLE_LONG = 5
    DOUBLE_LONG_UNSIGNED = 6
    OCTET_STRING = 9
    VISIBLE_STRING = 10
    UTF8_STRING = 12
    BCD = 13
    INTEGER = 15
    LONG = 16
    UNSIGNED = 17
    LONG_UNSIGNED = 18
    COMPACT_ARRAY = 19
    LONG64 = 20
    LONG64_UNSIGNED = 21
    ENUM = 22
    FLOAT32 = 23
    FLOAT64 = 24
    DATE_TIME = 25
    DATE = 26
    TIME = 27
    DONT_CARE = 255


class DlmsError(Exception):
    """Anything that went wrong at the DLMS level."""


class ProtocolError(DlmsError):
    """The peer sent something this client cannot take (a malformed or unexpected APDU)."""


# ---------------------------------------------------------------------------------------------
# OBIS codes


def obis(code):
    """The six octets of an OBIS code written "A.B.C.D.E.F" (or already bytes)."""
    if isinstance(code, (bytes, bytearray)):
        if len(code) != 6:
            raise ValueError(f"an OBIS code has 6 octets, not {len(code)}")
        return bytes(code)
    parts = [int(x) for x in code.split(".")]
    if len(parts) != 6 or not all(0 <= x <= 255 for x in parts):
        raise ValueError(f"not an OBIS code: {code!r}")
    return bytes(parts)


def obis_str(ln):
    """"A.B.C.D.E.F" of six octets."""
    return ".".join(str(b) for b in ln)


# ---------------------------------------------------------------------------------------------
# Lengths (A-XDR and BER use the same form)


def encode_length(n):
    """A length: one byte below 0x80, else 0x8k followed by k big-endian bytes."""
    if n < 0:
        raise ValueError("negative length")
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def decode_length(buf, pos):
    """(length, next position) of the length at @pos."""
    if pos >= len(buf):
        raise ProtocolError("truncated: a length expected")
    first = buf[pos]
    if first < 0x80:
        return first, pos + 1
    k = first & 0x7F
    if k == 0 or k > 4:
        raise ProtocolError(f"length form 0x{first:02X} not allowed")
    if pos + 1 + k > len(buf):
        raise ProtocolError("truncated length")
    return int.from_bytes(buf[pos + 1:pos + 1 + k], "big"), pos + 1 + k


# ---------------------------------------------------------------------------------------------
# Date-time, date, time


@dataclasses.dataclass(frozen=True)
class DateTime:
    """COSEM date-time (12 octets). 0xFF (0xFFFF year, 0x8000 deviation) = not specified."""
    year: int
    month: int
    day: int
    dow: int
    hour: int
    minute: int
    second: int
    hundredths: int = 0
    deviation: int = 0
    status: int = 0

    YEAR_ANY = 0xFFFF
    ANY = 0xFF
    DEVIATION_ANY = -0x8000

    @classmethod
    def from_bytes(cls, b):
        if len(b) != 12:
            raise ProtocolError(f"a date-time has 12 octets, not {len(b)}")
        year, month, day, dow, hour, minute, second, hundredths, dev, status = \
            struct.unpack(">HBBBBBBBhB", bytes(b))
        return cls(year, month, day, dow, hour, minute, second, hundredths, dev, status)

    def to_bytes(self):
        return struct.pack(">HBBBBBBBhB", self.year, self.month, self.day, self.dow, self.hour,
                           self.minute, self.second, self.hundredths, self.deviation, self.status)

    @classmethod
    def from_utc(cls, when, deviation=0, status=0, hundredths=True):
        """The local date-time of @when (an aware datetime, or UTC seconds) at @deviation
        minutes (local + deviation = UTC)."""
        if not isinstance(when, datetime.datetime):
            when = datetime.datetime.fromtimestamp(when, datetime.timezone.utc)
        local = when.astimezone(datetime.timezone.utc) - datetime.timedelta(minutes=deviation)
        return cls(local.year, local.month, local.day, local.isoweekday(), local.hour,
                   local.minute, local.second, local.microsecond // 10000 if hundredths else 0,
                   deviation, status)

    @property
    def specified(self):
        """Every field but the day of week and the hundredths given."""
        return (self.year != self.YEAR_ANY and self.deviation != self.DEVIATION_ANY and
                all(v != self.ANY for v in (self.month, self.day, self.hour, self.minute,
                                            self.second)))

    def utc(self):
        """The aware UTC datetime it names (ValueError when it is not fully specified or out of
        range)."""
        if not self.specified:
            raise ValueError(f"date-time not fully specified: {self}")
        hs = 0 if self.hundredths == self.ANY else self.hundredths
        local = datetime.datetime(self.year, self.month, self.day, self.hour, self.minute,
                                  self.second, hs * 10000, tzinfo=datetime.timezone.utc)
        return local + datetime.timedelta(minutes=self.deviation)

    def timestamp(self):
        """UTC seconds (float)."""
        return self.utc().timestamp()

    def __str__(self):
        return (f"{self.year:04d}-{self.month:02d}-{self.day:02d} (dow {self.dow}) "
                f"{self.hour:02d}:{self.minute:02d}:{self.second:02d}.{self.hundredths:02d} "
                f"dev {self.deviation} status 0x{self.status:02X}")


@dataclasses.dataclass(frozen=True)
class Date:
    """COSEM date (5 octets)."""
    year: int
    month: int
    day: int
    dow: int

    @classmethod
    def from_bytes(cls, b):
        if len(b) != 5:
            raise ProtocolError(f"a date has 5 octets, not {len(b)}")
        return cls(*struct.unpack(">HBBB", bytes(b)))

    def to_bytes(self):
        return struct.pack(">HBBB", self.year, self.month, self.day, self.dow)


@dataclasses.dataclass(frozen=True)
class Time:
    """COSEM time (4 octets)."""
    hour: int
    minute: int
    second: int
    hundredths: int

    @classmethod
    def from_bytes(cls, b):
        if len(b) != 4:
            raise ProtocolError(f"a time has 4 octets, not {len(b)}")
        return cls(*struct.unpack(">BBBB", bytes(b)))

    def to_bytes(self):
        return struct.pack(">BBBB", self.hour, self.minute, self.second, self.hundredths)


# ---------------------------------------------------------------------------------------------
# A-XDR Data


@dataclasses.dataclass(frozen=True)
class Data:
    """One tagged Data value. value: None (null), a list of Data (array, structure), bool,
    int, str ("0101" bit-string; visible/utf8 string), bytes (octet-string), float, DateTime,
    Date, Time, or for a compact-array (TypeDesc, list of plain values)."""
    tag: int
    value: object = None

    def plain(self):
        """The plain Python value (see the module's docstring)."""
        t, v = self.tag, self.value
        if t == Tag.ARRAY:
            return [d.plain() for d in v]
        if t == Tag.STRUCTURE:
            return tuple(d.plain() for d in v)
        if t == Tag.COMPACT_ARRAY:
            return list(v[1])
        return v


def null():
    return Data(Tag.NULL)


def array(items):
    return Data(Tag.ARRAY, list(items))


def structure(*items):
    """structure(a, b, c) or structure([a, b, c])."""
    if len(items) == 1 and isinstance(items[0], (list, tuple)):
        items = items[0]
    return Data(Tag.STRUCTURE, list(items))


def boolean(v):
    return Data(Tag.BOOLEAN, bool(v))


def bit_string(bits):
    """@bits: a str of "0"/"1", first bit first."""
    if any(c not in "01" for c in bits):
        raise ValueError("a bit-string is written as 0s and 1s")
    return Data(Tag.BIT_STRING, bits)


def double_long(v):
    return Data(Tag.DOUBLE_LONG, int(v))


def double_long_unsigned(v):
    return Data(Tag.DOUBLE_LONG_UNSIGNED, int(v))


def octet_string(b):
    if isinstance(b, (DateTime, Date, Time)):
        b = b.to_bytes()
    return Data(Tag.OCTET_STRING, bytes(b))


def visible_string(s):
    return Data(Tag.VISIBLE_STRING, s if isinstance(s, str) else bytes(s).decode("latin-1"))


def utf8_string(s):
    return Data(Tag.UTF8_STRING, s)


def bcd(v):
    return Data(Tag.BCD, int(v))


def integer(v):
    return Data(Tag.INTEGER, int(v))


def long(v):
    return Data(Tag.LONG, int(v))


def unsigned(v):
    return Data(Tag.UNSIGNED, int(v))


def long_unsigned(v):
    return Data(Tag.LONG_UNSIGNED, int(v))


def long64(v):
    return Data(Tag.LONG64, int(v))


def long64_unsigned(v):
    return Data(Tag.LONG64_UNSIGNED, int(v))


def enum_(v):
    return Data(Tag.ENUM, int(v))


def float32(v):
    return Data(Tag.FLOAT32, float(v))


def float64(v):
    return Data(Tag.FLOAT64, float(v))


def date_time(dt):
    return Data(Tag.DATE_TIME, dt)


def date(d):
    return Data(Tag.DATE, d)


def time_(t):
    return Data(Tag.TIME, t)


# fixed-size integers: tag -> struct format
_INT_FORMAT = {
    Tag.DOUBLE_LONG: ">i", Tag.DOUBLE_LONG_UNSIGNED: ">I", Tag.BCD: ">b", Tag.INTEGER: ">b",
    Tag.LONG: ">h", Tag.UNSIGNED: ">B", Tag.LONG_UNSIGNED: ">H", Tag.LONG64: ">q",
    Tag.LONG64_UNSIGNED: ">Q", Tag.ENUM: ">B",
}


@dataclasses.dataclass(frozen=True)
class TypeDesc:
    """A compact-array's TypeDescription: tag, and for an array (count, element TypeDesc), for
    a structure a list of TypeDesc."""
    tag: int
    count: int = 0
    element: object = None
    fields: tuple = ()


def _encode_bits(bits):
    n = len(bits)
    raw = bytearray((n + 7) // 8)
    for i, c in enumerate(bits):
        if c == "1":
            raw[i // 8] |= 0x80 >> (i % 8)
    return encode_length(n) + bytes(raw)


def _encode_content(tag, v):
    """The A-XDR encoding of a value of @tag without the tag (what a compact-array holds)."""
    if tag == Tag.NULL or tag == Tag.DONT_CARE:
        return b""
    if tag == Tag.BOOLEAN:
        return b"\x01" if v else b"\x00"
    if tag == Tag.BIT_STRING:
        return _encode_bits(v)
    if tag in _INT_FORMAT:
        return struct.pack(_INT_FORMAT[tag], v)
    if tag == Tag.OCTET_STRING:
        return encode_length(len(v)) + v
    if tag == Tag.VISIBLE_STRING:
        b = v.encode("latin-1")
        return encode_length(len(b)) + b
    if tag == Tag.UTF8_STRING:
        b = v.encode("utf-8")
        return encode_length(len(b)) + b
    if tag == Tag.FLOAT32:
        return struct.pack(">f", v)
    if tag == Tag.FLOAT64:
        return struct.pack(">d", v)
    if tag in (Tag.DATE_TIME, Tag.DATE, Tag.TIME):
        return v.to_bytes()
    raise ValueError(f"no untagged encoding for tag {tag}")


def _encode_typedesc(td):
    if td.tag == Tag.ARRAY:
        return bytes([Tag.ARRAY]) + struct.pack(">H", td.count) + _encode_typedesc(td.element)
    if td.tag == Tag.STRUCTURE:
        return (bytes([Tag.STRUCTURE]) + encode_length(len(td.fields)) +
                b"".join(_encode_typedesc(f) for f in td.fields))
    return bytes([td.tag])


def _encode_compact_item(td, v):
    if td.tag == Tag.ARRAY:
        return b"".join(_encode_compact_item(td.element, x) for x in v)
    if td.tag == Tag.STRUCTURE:
        return b"".join(_encode_compact_item(f, x) for f, x in zip(td.fields, v))
    return _encode_content(td.tag, v)


def encode_data(d):
    """The A-XDR encoding of a Data."""
    t = Tag(d.tag)
    if t in (Tag.ARRAY, Tag.STRUCTURE):
        return bytes([t]) + encode_length(len(d.value)) + b"".join(encode_data(x)
                                                                   for x in d.value)
    if t == Tag.COMPACT_ARRAY:
        td, items = d.value
        contents = b"".join(_encode_compact_item(td, x) for x in items)
        return (bytes([t]) + _encode_typedesc(td) + encode_length(len(contents)) + contents)
    return bytes([t]) + _encode_content(t, d.value)


class _Reader:
    """A cursor over bytes; every read past the end raises ProtocolError."""

    def __init__(self, buf, pos=0, max_depth=64):
        self.buf, self.pos, self.max_depth = bytes(buf), pos, max_depth

    def take(self, n):
        if n < 0 or self.pos + n > len(self.buf):
            raise ProtocolError(f"truncated: {n} octets wanted at {self.pos}, "
                                f"{len(self.buf) - self.pos} left")
        b = self.buf[self.pos:self.pos + n]
        self.pos += n
        return b

    def byte(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack(">H", self.take(2))[0]

    def u32(self):
        return struct.unpack(">I", self.take(4))[0]

    def length(self):
        n, self.pos = decode_length(self.buf, self.pos)
        return n

    def left(self):
        return len(self.buf) - self.pos

    def rest(self):
        return self.take(self.left())


def _decode_content(r, tag):
    if tag in (Tag.NULL, Tag.DONT_CARE):
        return None
    if tag == Tag.BOOLEAN:
        return r.byte() != 0
    if tag == Tag.BIT_STRING:
        n = r.length()
        raw = r.take((n + 7) // 8)
        return "".join("1" if raw[i // 8] & (0x80 >> (i % 8)) else "0" for i in range(n))
    if tag in _INT_FORMAT:
        fmt = _INT_FORMAT[tag]
        return struct.unpack(fmt, r.take(struct.calcsize(fmt)))[0]
    if tag == Tag.OCTET_STRING:
        return r.take(r.length())
    if tag == Tag.VISIBLE_STRING:
        return r.take(r.length()).decode("latin-1")
    if tag == Tag.UTF8_STRING:
        raw = r.take(r.length())
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ProtocolError(f"utf8-string not UTF-8: {e}") from e
    if tag == Tag.FLOAT32:
        return struct.unpack(">f", r.take(4))[0]
    if tag == Tag.FLOAT64:
        return struct.unpack(">d", r.take(8))[0]
    if tag == Tag.DATE_TIME:
        return DateTime.from_bytes(r.take(12))
    if tag == Tag.DATE:
        return Date.from_bytes(r.take(5))
    if tag == Tag.TIME:
        return Time.from_bytes(r.take(4))
    raise ProtocolError(f"unknown Data tag {tag}")


def _decode_typedesc(r, depth):
    if depth > r.max_depth:
        raise ProtocolError("type description nested too deep")
    tag = r.byte()
    if tag == Tag.ARRAY:
        count = r.u16()
        return TypeDesc(tag, count, _decode_typedesc(r, depth + 1))
    if tag == Tag.STRUCTURE:
        n = r.length()
        return TypeDesc(tag, fields=tuple(_decode_typedesc(r, depth + 1) for _ in range(n)))
    try:
        tag = Tag(tag)
    except ValueError:
        raise ProtocolError(f"type description tag {tag} unknown") from None
    if tag == Tag.COMPACT_ARRAY:
        raise ProtocolError("a compact-array in a type description")
    return TypeDesc(tag)


def _decode_compact_item(r, td):
    if td.tag == Tag.ARRAY:
        return [_decode_compact_item(r, td.element) for _ in range(td.count)]
    if td.tag == Tag.STRUCTURE:
        return tuple(_decode_compact_item(r, f) for f in td.fields)
    return _decode_content(r, td.tag)


def _decode_typed(r, depth=0):
    if depth > r.max_depth:
        raise ProtocolError(f"Data nested deeper than {r.max_depth}")
    tag = r.byte()
    try:
        tag = Tag(tag)
    except ValueError:
        raise ProtocolError(f"unknown Data tag {tag} at {r.pos - 1}") from None
    if tag in (Tag.ARRAY, Tag.STRUCTURE):
        n = r.length()
        if n > r.left():  # every element takes at least its tag
            raise ProtocolError(f"{tag.name.lower()} of {n} elements in {r.left()} octets")
        return Data(tag, [_decode_typed(r, depth + 1) for _ in range(n)])
    if tag == Tag.COMPACT_ARRAY:
        td = _decode_typedesc(r, depth + 1)
        contents = _Reader(r.take(r.length()), max_depth=r.max_depth)
        items = []
        while contents.left():
            items.append(_decode_compact_item(contents, td))
        return Data(tag, (td, items))
    return Data(tag, _decode_content(r, tag))


def decode_typed(buf, pos=0, whole=True, max_depth=64):
    """The Data at @pos of @buf (tags kept). @whole: it must end the buffer. Returns the Data,
    or (Data, next position) when not @whole."""
    r = _Reader(buf, pos, max_depth)
    d = _decode_typed(r)
    if whole:
        if r.left():
            raise ProtocolError(f"{r.left()} octets after the Data")
        return d
    return d, r.pos


def decode_data(buf, max_depth=64):
    """The plain Python value of the Data that is the whole of @buf."""
    return decode_typed(buf, max_depth=max_depth).plain()


def nested_structures(depth):
    """@depth structures, each the one element of the one outside it, around a null: the
    encoding of a deeply nested Data (what a hostile client sends)."""
    return b"\x02\x01" * depth + b"\x00"
