"""Large local files read in pieces, so that memory is bounded by the piece size (or the
longest line), not by the file's size.

A file of JSON lines or a CloudWatch Logs export (one record per line) above
``STREAM_ABOVE`` bytes is decompressed as a stream and parsed in pieces of about ``PIECE``
bytes cut at line ends, by the same line readers as a small file; its items are numbered as
if it had been read whole. One JSON document (``{"Records": [...]}``, an array) cannot be cut
without parsing it, so such a file is still read whole.
"""

from __future__ import annotations

import gzip
from io import BufferedIOBase
from typing import Iterator

from .formats import (
    _EXPORT_LINE,
    Parsed,
    Problem,
    _export_lines,
    _first_line_is_json,
    _json_lines,
    delivery_time_from_name,
)

STREAM_ABOVE = 1 << 20  # bytes on disk: JSON lines compress 10-45x, so this is 10-45 MB of text
PROBE = 1 << 20  # decompressed bytes read to tell lines from one document
PIECE = 16 << 20  # decompressed bytes parsed at a time (more when one line is longer)


def _open(path: str) -> BufferedIOBase:
    """The file's decompressed content as a stream (gzip recognised by its magic bytes); the
    stream owns the file and closes it."""
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    if not gzipped:
        return open(path, "rb")  # the caller closes it
    try:
        from isal import igzip  # type: ignore[import-not-found]

        return igzip.open(path, "rb")  # type: ignore[no-any-return]
    except ImportError:
        return gzip.open(path, "rb")  # type: ignore[return-value]


def _read(stream: BufferedIOBase, size: int, trouble: list[str]) -> bytes:
    """Up to ``size`` bytes; a decompression error is put in ``trouble`` and reads as the end."""
    try:
        return stream.read(size)  # type: ignore[no-any-return]
    except EOFError:
        trouble.append("truncated gzip file")
    except Exception as exc:  # noqa: BLE001 - whatever the inflater raises on damaged data
        trouble.append(f"corrupt gzip data: {exc}")
    return b""


def _pieces(stream: BufferedIOBase, carry: bytes, trouble: list[str]) -> Iterator[bytes]:
    """Pieces of whole lines, starting with ``carry`` (a line is never cut, so a piece holds at
    least one); a decompression error ends them."""
    while True:
        block = _read(stream, PIECE, trouble) if not trouble else b""
        if not block:
            if carry:
                yield carry
            return
        data = carry + block
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            carry = data
            continue
        carry = data[cut:]
        yield data[:cut]


def _line_kind(head: bytes) -> str | None:
    """``json lines``, ``export`` or ``None`` (one document, or a first line longer than the
    probe) from the first bytes of a file."""
    first, newline, rest = head.lstrip().partition(b"\n")
    if not newline:
        return None
    if first[:1] == b"{" and _first_line_is_json(head):
        return "json lines"
    if _EXPORT_LINE.match(first) and rest.strip():
        return "export"
    return None


def stream_items(path: str) -> Iterator[Parsed] | None:
    """The items of a large file of JSON lines or export lines, read in pieces; ``None`` when
    its content is something else (the caller reads it whole). Only the first ``PROBE`` bytes
    are decompressed to tell."""
    trouble: list[str] = []
    stream = _open(path)
    head = _read(stream, PROBE, trouble)
    kind = None if trouble else _line_kind(head)
    if kind is None:
        stream.close()
        return None
    return _items(path, kind, _pieces(stream, head, trouble), stream, trouble)


def _items(
    path: str, kind: str, pieces: Iterator[bytes], stream: BufferedIOBase, trouble: list[str]
) -> Iterator[Parsed]:
    delivered = delivery_time_from_name(path)
    start = 0  # the line readers number items by non-blank line: each piece continues the count
    with stream:
        for piece in pieces:
            if kind == "json lines":
                start = yield from _json_lines(path, piece, delivered, start)
            else:
                start = yield from _export_lines(path, piece, start)
    for reason in trouble:  # the end of the file is lost: reported after what was read
        yield Problem(path, None, reason, fatal=False)
