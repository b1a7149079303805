"""Large local files read in pieces, so that memory stays bounded whatever their size.

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
    Skip,
    _export_lines,
    _first_line_is_json,
    _json_lines,
    delivery_time_from_name,
)

STREAM_ABOVE = 8 << 20  # bytes on disk: above this, a file of lines is read in pieces
PIECE = 16 << 20  # decompressed bytes parsed at a time
_NO_LINE_END = 4 * PIECE  # a first "line" longer than this: one JSON document, read whole


def _open(path: str) -> BufferedIOBase:
    """The file's decompressed content as a stream (gzip recognised by its magic bytes); the
    stream owns the file and closes it."""
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    if not gzipped:
        return open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    try:
        from isal import igzip  # type: ignore[import-not-found]

        return igzip.open(path, "rb")  # type: ignore[no-any-return]
    except ImportError:
        return gzip.open(path, "rb")  # type: ignore[return-value]


def _pieces(stream: BufferedIOBase, trouble: list[str]) -> Iterator[bytes]:
    """Pieces of whole lines; a decompression error ends them and is put in ``trouble``."""
    carry = b""
    while True:
        try:
            block = stream.read(PIECE)
        except EOFError:
            trouble.append("truncated gzip file")
            block = b""
        except Exception as exc:  # noqa: BLE001 - whatever the inflater raises on damaged data
            trouble.append(f"corrupt gzip data: {exc}")
            block = b""
        if not block:
            if carry:
                yield carry
            return
        data = carry + block
        cut = data.rfind(b"\n") + 1
        if cut == 0 and len(data) < _NO_LINE_END:
            carry = data
            continue
        piece, carry = (data[:cut], data[cut:]) if cut else (data, b"")
        yield piece


def stream_items(path: str) -> Iterator[Parsed] | None:
    """The items of a large file of JSON lines or export lines, read in pieces; ``None`` when
    its content is something else (the caller reads it whole)."""
    trouble: list[str] = []
    stream = _open(path)
    pieces = _pieces(stream, trouble)
    first = next(pieces, b"")
    head = first.lstrip()
    if head[:1] == b"{" and _first_line_is_json(first):
        kind = "json lines"
    elif _EXPORT_LINE.match(head):
        kind = "export"
    else:
        stream.close()
        return None
    return _items(path, kind, first, pieces, stream, trouble)


def _items(
    path: str, kind: str, first: bytes, pieces: Iterator[bytes], stream: BufferedIOBase, trouble: list[str]
) -> Iterator[Parsed]:
    delivered = delivery_time_from_name(path)
    offset = 0  # non-blank lines in the pieces before this one: items are numbered by line
    with stream:
        piece: bytes | None = first
        while piece is not None:
            items = _json_lines(path, piece, delivered) if kind == "json lines" else _export_lines(path, piece)
            for item in items:
                if offset and not isinstance(item, Skip) and item.index is not None:
                    item.index += offset
                yield item
            offset += sum(1 for line in piece.splitlines() if line.strip())
            piece = next(pieces, None)
    for reason in trouble:  # the end of the file is lost: reported after what was read
        yield Problem(path, None, reason, fatal=False)
