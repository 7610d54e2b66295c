"""Payflow name-value pair (NVP) wire format, as the simulator reads and writes it.

A Payflow body is ``NAME=value&NAME=value``: raw, **not** URL-encoded. A value that holds
``&`` or ``=`` is sent with a length tag, ``COMMENT1[7]=Level=5``, and the parser then takes
exactly that many bytes as the value whatever they contain. Lengths count **bytes** of the
UTF-8 encoded value (the only reading that stays unambiguous for non-ASCII text), and both
directions use the same rule: requests are parsed with it, responses are encoded with it.

Names are case-insensitive on the wire; the parser upper-cases them. When a name repeats,
the last value wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_TAGGED_NAME = re.compile(rb"^([A-Za-z0-9_]+)\[(\d+)\]$")
_PLAIN_NAME = re.compile(rb"^[A-Za-z0-9_]+$")


class NVPFormatError(ValueError):
    """The body is not well-formed NVP (bad name, length tag past the end, junk after it)."""


def parse_nvp(body: bytes) -> dict[str, str]:
    """Parse a raw NVP body into ``{NAME: value}``; raises ``NVPFormatError`` when malformed."""
    fields: dict[str, str] = {}
    pos, end = 0, len(body)
    while pos < end:
        eq = body.find(b"=", pos)
        if eq < 0:
            raise NVPFormatError(f"field without '=' at byte {pos}")
        raw_name = body[pos:eq].strip()
        tagged = _TAGGED_NAME.match(raw_name)
        if tagged:
            name, length = tagged.group(1), int(tagged.group(2))
            start, stop = eq + 1, eq + 1 + length
            if stop > end:
                raise NVPFormatError(f"{name.decode()}[{length}] runs past the end of the body")
            value = body[start:stop]
            if stop < end and body[stop : stop + 1] != b"&":
                raise NVPFormatError(f"{name.decode()}[{length}] is not followed by '&'")
            pos = stop + 1
        else:
            if not _PLAIN_NAME.match(raw_name):
                raise NVPFormatError(f"invalid field name at byte {pos}")
            name = raw_name
            amp = body.find(b"&", eq + 1)
            stop = end if amp < 0 else amp
            value = body[eq + 1 : stop]
            pos = stop + 1
        try:
            fields[name.decode("ascii").upper()] = value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NVPFormatError(f"{name.decode()} is not UTF-8") from exc
    return fields


def encode_nvp(fields: Mapping[str, object]) -> bytes:
    """Encode ``{NAME: value}`` as NVP, length-tagging every value that holds ``&`` or ``=``."""
    parts: list[bytes] = []
    for name, value in fields.items():
        text = "" if value is None else str(value)
        data = text.encode("utf-8")
        key = name.encode("ascii")
        if b"&" in data or b"=" in data:
            parts.append(key + b"[" + str(len(data)).encode() + b"]=" + data)
        else:
            parts.append(key + b"=" + data)
    return b"&".join(parts)
