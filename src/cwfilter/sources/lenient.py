"""JSON that orjson refuses as a whole for a reason that belongs to one record: invalid UTF-8
bytes, or a number beyond a double (``1e400``, a 310-digit integer). Read here instead, so that
the damage is charged to the record that holds it, never to the whole file, and whatever the
order of the records:

- invalid UTF-8: the bytes are kept as lone surrogates (``surrogateescape``), and a record
  holding one is rejected by ``damage`` with the byte's value;
- a number beyond a double reads as an infinity, as msgspec's fast path and orjson read
  nothing else (``fix_wide_int``): the record counts, and such a value is no metric sample.

Slow (Python's ``json``), and only ever asked of text orjson refused."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_INT64 = (-(1 << 63), (1 << 64) - 1)  # orjson's integers; beyond them it reads a float


def _parse_int(text: str) -> int | float:
    if len(text) <= 20:
        value = int(text)
        if _INT64[0] <= value <= _INT64[1]:
            return value
    return float(text)  # as orjson reads it: a float, an infinity beyond a double


def recoverable(exc: orjson.JSONDecodeError) -> bool:
    """Whether orjson refused the text for a reason ``loads`` reads past."""
    message = str(exc)
    return message.startswith(("number is infinity", "str is not valid UTF-8"))


def loads(data: bytes) -> Any:
    """``data`` parsed as orjson would parse it, except that invalid UTF-8 is kept as lone
    surrogates and numbers beyond a double read as infinities; ``ValueError`` when it is not
    JSON at all."""
    text = data.decode("utf-8", errors="surrogateescape")
    return json.loads(text, parse_int=_parse_int, parse_constant=_no_constant)


def _no_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON: {name}")


def utf8_reason(data: bytes) -> str | None:
    """``invalid UTF-8: byte 0xFF at offset 17`` for bytes that are not UTF-8, else ``None``."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"invalid UTF-8: byte 0x{data[exc.start]:02X} at offset {exc.start}"
    return None


def damage(value: Any) -> str | None:
    """Why a value read by ``loads`` is damaged (a string, key or value, holding invalid
    UTF-8 or an unpaired surrogate escape), or ``None``."""
    stack = [value]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is str:
            m = _LONE_SURROGATE.search(v)
            if m:
                return _surrogate_reason(ord(m.group()))
        elif t is dict:
            stack.extend(v.keys())
            stack.extend(v.values())
        elif t is list:
            stack.extend(v)
    return None


def _surrogate_reason(code: int) -> str:
    if 0xDC80 <= code <= 0xDCFF:  # a byte kept by ``surrogateescape``
        return f"invalid UTF-8: byte 0x{code - 0xDC00:02X} in a string"
    return f"invalid UTF-8: unpaired surrogate \\u{code:04x} in a string"


_INFINITY_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|(-?)Infinity')


def dumps(value: Any) -> bytes:
    """``value`` as compact JSON, as orjson writes it, except that an infinity (a number beyond
    a double, as ``loads`` reads it) is written ``1e400`` or ``-1e400``, which reads back as the
    same infinity, where orjson would write ``null``: what was read is printed back as it was."""
    text = orjson.dumps(value)
    if b"null" not in text or not _has_infinity(value):
        return text
    written = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    exact = _INFINITY_TOKEN.sub(lambda m: m.group() if m.group(1) is None else f"{m.group(1)}1e400", written)
    return exact.encode("utf-8", errors="surrogatepass")


def _has_infinity(value: Any) -> bool:
    stack = [value]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is float and v in (_INF, -_INF):
            return True
        if t is dict:
            stack.extend(v.values())
        elif t is list:
            stack.extend(v)
    return False


_INF = float("inf")
