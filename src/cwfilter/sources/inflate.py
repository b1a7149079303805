"""Decompression: gzip recognised by its magic bytes (CloudTrail writes multi-member files
padded with nulls), through the fastest inflater installed, with what went wrong."""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple


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


# Bounds on what one file may expand to (``--max-file-size``): a decompressed size, and a ratio
# to the compressed size above ``RATIO_FLOOR`` bytes. CloudTrail's JSON compresses 10-45x, so
# a file expanding 300x past 64 MB is a bomb, not a log.
MAX_FILE_SIZE = 1 << 30
MAX_RATIO = 300
RATIO_FLOOR = 64 << 20
_MAGIC = b"\x1f\x8b"
_DEFLATE_MAX_RATIO = 1100  # deflate expands at most 1032:1


class Inflated(NamedTuple):
    """A file's content, decompressed: ``data``, what went wrong (``trouble``, ``None`` when
    nothing did) and how many bytes of ``data`` came from whole gzip members (``intact``)."""

    data: bytes
    trouble: str | None = None
    intact: int = -1  # -1: all of it


def output_limit(compressed: int, max_size: int = MAX_FILE_SIZE) -> int:
    """The decompressed bytes allowed from ``compressed`` bytes of gzip: ``max_size``, and
    ``MAX_RATIO`` times the input above ``RATIO_FLOOR``."""
    return min(max_size, max(RATIO_FLOOR, MAX_RATIO * compressed))


def too_large(limit: int, max_size: int = MAX_FILE_SIZE) -> str:
    """The reason given for a file that expands beyond ``limit`` bytes."""
    if limit >= max_size:
        return f"larger than --max-file-size ({limit:,} bytes decompressed)"
    return f"expands more than {MAX_RATIO}x past {limit:,} bytes: a decompression bomb?"


_NOT_NULL = re.compile(rb"[^\x00]")
# The compressed bytes a member after the first is fed at a time, doubled while it goes on: a
# member's end copies what was fed past it (``unused_data``), so feeding the whole rest would make
# a file of many small members quadratic (200,000 empty members: 30 s).
MIN_WINDOW = 64
DAMAGED_WINDOW = 1 << 16  # compressed bytes read at a time from a damaged member (and by large.py)


def skip_nulls(data: bytes, pos: int) -> int:
    """The position of the first byte at or after ``pos`` that is not a null (padding between
    members), or ``len(data)``."""
    found = _NOT_NULL.search(data, pos)
    return found.start() if found else len(data)


def lost(at: int) -> str:
    """What a damaged gzip stream loses: the compressed bytes from ``at`` on."""
    return f"everything from compressed byte {at:,} on is lost"


def recover_member(read: Callable[[int], bytes], start: int, skip: int, room: int) -> tuple[bytes, str]:
    """The output of a damaged gzip member up to the byte where zlib finds the damage, and the
    damage (zlib's message and where). ``read(n)`` gives the member's compressed bytes from its
    start (at ``start`` in the file) on; the first ``skip`` output bytes, already taken by the
    reader that found the damage, and anything past ``room`` are left out. The window holding
    the damage is fed again a byte at a time from a copy of the state before it: a reader that
    found damage loses the output of its last call, this loses nothing zlib could decode
    (for a checksum error, none of the data). Both readers (whole and streamed) recover through
    here, so a damaged file counts the same at every size."""
    d = zlib.decompressobj(wbits=31)
    out, at = bytearray(), start
    while len(out) <= skip + room:
        piece = read(DAMAGED_WINDOW)
        if not piece:
            return bytes(out[skip : skip + room]), "truncated gzip file"
        saved = d.copy()
        try:
            out += d.decompress(piece)
        except zlib.error:
            d = saved
            for i in range(len(piece)):
                try:
                    out += d.decompress(piece[i : i + 1])
                except zlib.error as exc:
                    return bytes(out[skip : skip + room]), f"corrupt gzip data: {exc}; {lost(at + i)}"
        if d.eof:  # the faster inflater failed where zlib does not: what zlib reads is the member
            return bytes(out[skip : skip + room]), ""
        at += len(piece)
    return bytes(out[skip : skip + room]), ""


def _member(d: Any, view: memoryview, pos: int, window: int, room: int) -> tuple[list[bytes], int, str | None]:
    """One member's output from ``view[pos:]``, fed ``window`` bytes at a time (doubling), the
    position after the member (``len(view)`` when it did not end), and the damage that stopped it
    (the output of the windows before the damage is kept). Stops once more than ``room`` bytes
    came out."""
    chunks: list[bytes] = []
    end = len(view)
    while True:
        stop = min(end, pos + window)
        piece = view[pos:stop]
        try:  # a bound costs ISA-L 20 us a call: only asked for where deflate could exceed it
            chunk = d.decompress(piece, room + 1) if len(piece) * _DEFLATE_MAX_RATIO > room else d.decompress(piece)
        except zlib.error as exc:
            return chunks, pos, str(exc)
        chunks.append(chunk)
        room -= len(chunk)
        if d.eof:
            return chunks, stop - len(d.unused_data), None
        if room < 0 or stop == end:
            return chunks, stop, None
        pos, window = stop, window * 2


def inflate_members(data: bytes, inflater: Callable[[], Any], max_size: int = MAX_FILE_SIZE) -> Inflated:
    """Every gzip member of ``data`` (null padding between members allowed); what was recovered
    and why on corruption, truncation, trailing bytes that are not gzip, or output beyond
    ``output_limit``. ``inflater`` makes a decompressor object (``decompress(data, max_length)``,
    ``eof``, ``unused_data``, as zlib's). The first member is given the whole file (one inflate
    call where the file is one member), later ones a window twice the size of the member before,
    doubling while the member goes on: the time is linear in the file's size whatever the number
    of members. A corrupt member gives what zlib decodes of it before the damage
    (``recover_member``), as the streamed reader (``large.py``) does."""
    out: list[bytes] = []
    limit = output_limit(len(data), max_size)
    room, intact = limit, 0
    pos, end, window = 0, len(data), len(data)
    with memoryview(data) as view:
        while pos < end:
            if data[pos : pos + 2] != _MAGIC and out:
                return Inflated(b"".join(out), f"{end - pos:,} bytes of trailing garbage after the gzip data", intact)
            d = inflater()
            chunks, after, damage = _member(d, view, pos, window, room)
            out += chunks
            room -= sum(map(len, chunks))
            if damage is not None:
                taken = sum(map(len, chunks))
                more, trouble = recover_member(io.BytesIO(view[pos:]).read, pos, taken, room)
                return Inflated(b"".join(out) + more, trouble or f"corrupt gzip data: {damage}", intact)
            if room < 0:  # what fits, to its last whole line (the next one would be cut)
                whole = b"".join(out)
                cut = whole.rfind(b"\n", 0, limit) + 1
                return Inflated(whole[: cut or limit], too_large(limit, max_size), intact)
            if not d.eof:
                return Inflated(b"".join(out), "truncated gzip file", intact)
            intact = limit - room
            window = max(MIN_WINDOW, 2 * (after - pos))
            pos = skip_nulls(data, after)
    return Inflated(out[0] if len(out) == 1 else b"".join(out))


def gzip_decompress(data: bytes, max_size: int = MAX_FILE_SIZE) -> Inflated:
    """Decompress (possibly multi-member) gzip; on trouble return what was recovered and why.
    A damaged file is decompressed again with zlib, whose messages name the problem."""
    if FAST_INFLATER is not None:
        try:
            inflated = inflate_members(data, FAST_INFLATER, max_size)
        except Exception:  # noqa: BLE001 - any surprise from the accelerated library: use zlib
            inflated = Inflated(b"", "error")
        if inflated.trouble is None:
            return inflated
    return inflate_members(data, ZLIB_INFLATER, max_size)


def decompress(data: bytes, name: str, max_size: int = MAX_FILE_SIZE) -> Inflated:
    """The file's content; gzip is recognised by its magic bytes, whatever the name."""
    if data[:2] == _MAGIC:
        return gzip_decompress(data, max_size)
    if len(data) > max_size:
        return Inflated(b"", too_large(max_size, max_size), 0)
    return Inflated(data)
