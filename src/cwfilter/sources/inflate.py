"""Decompression: gzip recognised by its magic bytes (CloudTrail writes multi-member files
padded with nulls), through the fastest inflater installed, with what went wrong."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from functools import partial
from typing import Any


def _zlib_inflater(lib: Any) -> Callable[[], Any]:
    return lambda: lib.decompressobj(wbits=31)


def _fast_inflater() -> Callable[[], Any] | None:
    """A new gzip decompressor object of the fastest library installed: ISA-L (2-3x zlib), then
    zlib-ng; ``None``: zlib only. ISA-L's own ``IgzipDecompressor``, not its zlib-compatible
    ``decompressobj``: on files of a few KB the latter costs 8 % more than one-shot decompression
    (its output buffer grows from 16 KB), the former the same, and it also says where a member
    ended, which one-shot decompression does not."""
    try:
        from isal import igzip_lib  # type: ignore[import-not-found,unused-ignore]

        return partial(igzip_lib.IgzipDecompressor, flag=igzip_lib.DECOMP_GZIP)
    except ImportError:
        pass
    try:
        from zlib_ng import zlib_ng  # type: ignore[import-not-found,unused-ignore]

        return _zlib_inflater(zlib_ng)
    except ImportError:
        return None


FAST_INFLATER = _fast_inflater()
ZLIB_INFLATER = _zlib_inflater(zlib)


def inflate_members(data: bytes, inflater: Callable[[], Any]) -> tuple[bytes, str | None]:
    """Every gzip member of ``data`` (null padding between members allowed), one inflate call
    per member; what was recovered and why on corruption or truncation. ``inflater`` makes a
    decompressor object (``decompress``, ``eof``, ``unused_data``, as zlib's)."""
    out: list[bytes] = []
    rest = data
    while rest:
        d = inflater()
        try:
            out.append(d.decompress(rest))
        except zlib.error as exc:
            return b"".join(out), f"corrupt gzip data: {exc}"
        if not d.eof:
            return b"".join(out), "truncated gzip file"
        rest = d.unused_data.lstrip(b"\x00")
    return out[0] if len(out) == 1 else b"".join(out), None


def gzip_decompress(data: bytes) -> tuple[bytes, str | None]:
    """Decompress (possibly multi-member) gzip; on truncation return what was recovered and why.
    A damaged file is decompressed again with zlib, whose messages name the problem."""
    if FAST_INFLATER is not None:
        try:
            content, trouble = inflate_members(data, FAST_INFLATER)
        except Exception:  # noqa: BLE001 - any surprise from the accelerated library: use zlib
            trouble = "error"
        if trouble is None:
            return content, None
    return inflate_members(data, ZLIB_INFLATER)


def decompress(data: bytes, name: str) -> tuple[bytes, str | None]:
    """The file's content; gzip is recognised by its magic bytes, whatever the name."""
    if data[:2] == b"\x1f\x8b":
        return gzip_decompress(data)
    return data, None
