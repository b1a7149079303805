"""Large inputs read in pieces, so that memory is bounded by the piece size (or the longest
line), not by the input's size.

A local file of JSON lines or a CloudWatch Logs export (one record per line) above
``inputs.STREAM_ABOVE`` bytes is decompressed as a stream and parsed in pieces of about ``PIECE``
bytes cut at line ends, by the same line readers as a small file; its items are numbered as
if it had been read whole. Standard input and large S3 objects, which cannot be read twice,
go the same way (``stream_or_read``): the bytes read to tell their format are kept until it
is known, and handed back whole when it is one document.

A large local ``{"Records": [...]}`` document is cut between two CloudTrail records
(``},{"eventVersion":``) into pieces of about ``PIECE`` bytes, each a JSON array of whole records
(``DocumentPieces``). A cut can only be wrong where the document is invalid or a record holds an
object keyed ``eventVersion`` in an array: then a piece does not parse, and the caller, which has
counted the pieces apart, reads the file whole instead. Other documents are read whole.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from ..errors import CwfilterError
from .formats import (
    EXPORT_LINE,
    Parsed,
    Problem,
    delivery_time_from_name,
    export_lines,
    json_lines,
    looks_like_json_lines,
)
from .inflate import (
    DAMAGED_WINDOW,
    FAST_INFLATER,
    MAX_FILE_SIZE,
    MIN_WINDOW,
    ZLIB_INFLATER,
    lost,
    recover_member,
    skip_nulls,
    too_large,
)

PROBE = 1 << 20  # decompressed bytes read to tell lines from one document
PIECE = 16 << 20  # decompressed bytes parsed at a time (more when one line is longer)


class _Inflating:
    """The decompressed bytes of a gzip stream (members one after another, null padding between
    them), ``read`` like a file. Damage ends it as the end of the stream would, after everything
    decoded before it, with the reason in ``trouble``: a truncated stream gives the same bytes as
    ``inflate.gzip_decompress`` of the whole (a file object's ``read`` would lose the last block
    it was decoding), and a corrupt member gives what zlib decodes of it before the damage, as
    there (``inflate.recover_member``; from a pipe, which cannot be read again, only what the
    faster inflater gave before it failed)."""

    def __init__(self, raw: BinaryIO, trouble: list[str], max_size: int = MAX_FILE_SIZE) -> None:
        self.raw = raw
        self.trouble = trouble
        self.room = max_size  # decompressed bytes still allowed (``--max-file-size``)
        self.max_size = max_size
        self.inflater = FAST_INFLATER or ZLIB_INFLATER
        self.member: Any = None  # the decompressor of the member being read; None between members
        self.window = MIN_WINDOW  # compressed bytes fed to it at once, doubled while it goes on
        self.fed = 0  # compressed bytes read before the piece being inflated
        self.member_start = self.member_out = 0  # where the member began; what it gave so far
        self.buffer = bytearray()
        self.ended = False

    def read(self, size: int) -> bytes:
        while len(self.buffer) < size and not self.ended:
            chunk = self.raw.read(_RAW_READ)
            if not chunk:
                if self.member is not None:
                    self.trouble.append("truncated gzip file")
                self.ended = True
                break
            self._inflate(chunk)
            self.fed += len(chunk)
        with memoryview(self.buffer) as view:
            out = bytes(view[:size])
        del self.buffer[:size]
        return out

    def _inflate(self, data: bytes) -> None:
        pos, end = 0, len(data)
        with memoryview(data) as view:
            while pos < end:
                if self.member is None:
                    pos = skip_nulls(data, pos)
                    if pos == end:
                        return
                    self.member, self.window = self.inflater(), MIN_WINDOW
                    self.member_start, self.member_out = self.fed + pos, 0
                stop = min(end, pos + self.window)  # a window: a member's end copies what follows
                try:
                    out = self.member.decompress(view[pos:stop], self.room + 1)
                except Exception as exc:  # noqa: BLE001 - whatever the inflater raises on damaged data
                    self.trouble.append(self._recover(f"corrupt gzip data: {exc}; {lost(self.fed + pos)}"))
                    self.ended = True
                    return
                self.member_out += len(out)
                self.room -= len(out)
                if self.room < 0:
                    self.buffer += out[: len(out) + self.room]
                    self.trouble.append(too_large(self.max_size, self.max_size))
                    self.ended = True
                    return
                self.buffer += out
                if not self.member.eof:
                    pos, self.window = stop, self.window * 2
                    continue
                pos, self.member = stop - len(self.member.unused_data), None

    def _recover(self, trouble: str) -> str:
        """What zlib decodes of the damaged member past what was taken (``inflate.recover_member``),
        where the input can be read again (a file, not a pipe); the damage, named."""
        try:
            self.raw.seek(self.member_start)
        except (OSError, ValueError):
            return trouble
        more, damage = recover_member(self.raw.read, self.member_start, self.member_out, self.room)
        self.buffer += more
        return damage or trouble

    def close(self) -> None:
        self.raw.close()


_RAW_READ = DAMAGED_WINDOW  # compressed bytes fed to the inflater at a time


def _open(path: str, trouble: list[str], max_size: int) -> Any:
    """The file's decompressed content as a stream (gzip recognised by its magic bytes); the
    stream owns the file and closes it."""
    raw = open(path, "rb")  # noqa: SIM115 - the stream returned closes it
    gzipped = raw.read(2) == b"\x1f\x8b"
    raw.seek(0)
    return _Inflating(raw, trouble, max_size) if gzipped else raw


def _read(stream: Any, size: int, trouble: list[str]) -> bytes:
    """Up to ``size`` bytes; an error reading is put in ``trouble`` and reads as the end."""
    try:
        return stream.read(size)  # type: ignore[no-any-return]
    except OSError as exc:
        trouble.append(f"cannot read: {exc}")
    return b""


def _pieces(stream: Any, carry: bytes, trouble: list[str], max_size: int = MAX_FILE_SIZE) -> Iterator[bytes]:
    """Pieces of whole lines, starting with ``carry`` (a line is never cut, so a piece holds at
    least one); a decompression error ends them, and so does ``max_size`` bytes in all."""
    total = len(carry)
    while True:
        block = _read(stream, PIECE, trouble) if not trouble else b""
        total += len(block)
        if total > max_size:
            trouble.append(too_large(max_size, max_size))
            block = block[: len(block) - (total - max_size)]
            block = block[: block.rfind(b"\n") + 1]  # whole lines only: what follows is not read
        if not block:
            if carry and not (trouble and total > max_size):
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
    if first[:1] == b"{" and looks_like_json_lines(head):
        return "json lines"
    if EXPORT_LINE.match(first) and rest.strip():
        return "export"
    return None


class _Kept(io.RawIOBase):
    """A stream that keeps what it reads, so that its start can be read again (``rewind``) and
    the whole taken back (``everything``), until ``release`` (then it holds nothing more)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.kept = bytearray()
        self.pos = 0
        self.keeping = True

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.pos < len(self.kept):
            chunk = bytes(self.kept[self.pos : self.pos + len(buffer)])
            self.pos += len(chunk)
            if not self.keeping and self.pos == len(self.kept):
                self.kept, self.pos = bytearray(), 0
        else:
            chunk = self.raw.read(len(buffer))
            if self.keeping:
                self.kept += chunk
                self.pos += len(chunk)
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def rewind(self) -> None:
        self.pos = 0

    def release(self) -> None:
        self.keeping = False
        if self.pos == len(self.kept):
            self.kept, self.pos = bytearray(), 0

    def everything(self, max_size: int) -> bytes:
        """All the raw bytes: those kept, then the rest of the stream (``max_size`` bytes at most
        and one more, to tell that there were more)."""
        return bytes(self.kept) + self.raw.read(max(0, max_size + 1 - len(self.kept)))


def stream_or_read(name: str, raw: BinaryIO, max_size: int = MAX_FILE_SIZE) -> StreamedItems | bytes:
    """A stream that cannot be read twice (standard input, an S3 object's body): its items, read
    in pieces, when it holds JSON lines or export lines; otherwise all its bytes as they came
    (compressed or not) for the whole-file readers. Only the first ``PROBE`` decompressed bytes
    are read to tell, and the raw bytes behind them are kept until then."""
    kept = _Kept(raw)
    gzipped = kept.read(2) == b"\x1f\x8b"
    kept.rewind()
    buffered = io.BufferedReader(kept, _RAW_READ)
    trouble: list[str] = []
    stream = _Inflating(buffered, trouble, max_size) if gzipped else buffered
    head = _read(stream, PROBE, trouble)
    kind = None if trouble else _line_kind(head)
    if kind is None:
        return kept.everything(max_size)  # whatever the readers ahead of it took, ``kept`` has
    kept.release()
    return StreamedItems(name, kind, stream, head, trouble, max_size)


_DOCUMENT_HEAD = re.compile(rb'\s*\{\s*"Records"\s*:\s*\[')
_RECORD_CUT = b'},{"eventVersion":'  # between two records as CloudTrail writes them


class CannotCut(CwfilterError, ValueError):
    """The document is not one ``DocumentPieces`` can cut: read it whole."""

    code = "E_CANNOT_CUT"


class DocumentPieces:
    """The records of a large ``{"Records": [...]}`` file in pieces of about ``PIECE`` bytes,
    each a JSON array of whole records if the document is valid. Iterating raises ``CannotCut``
    when no cut is found within ``4 * PIECE`` bytes, the document does not end with ``]}``, or
    decompression fails: the caller then reads the file whole, with a whole reading's messages."""

    def __init__(self, stream: Any, first: bytes, trouble: list[str], max_size: int = MAX_FILE_SIZE) -> None:
        self.stream, self.first, self.trouble, self.max_size = stream, first, trouble, max_size

    def __iter__(self) -> Iterator[bytes]:
        return _document_pieces(self.stream, self.first, self.trouble, self.max_size)

    def close(self) -> None:
        self.stream.close()


def _document_pieces(stream: Any, first: bytes, trouble: list[str], max_size: int) -> Iterator[bytes]:
    blocks = [first]  # not yet in a piece; only the newest block is searched for a cut
    held = total = len(first)
    try:
        while True:
            block = _read(stream, PIECE, trouble)
            total += len(block)
            if trouble or total > max_size:  # read whole instead, which says what went wrong
                raise CannotCut(trouble[0] if trouble else "larger than --max-file-size")
            if not block:
                body = b"".join(blocks).rstrip()
                if not body.endswith(b"}"):
                    raise CannotCut("the document does not end with ]}")
                body = body[:-1].rstrip()
                if not body.endswith(b"]"):
                    raise CannotCut("the document does not end with ]}")
                body = body[:-1]
                if body.strip():
                    yield b"[" + body + b"]"
                return
            found = block.rfind(_RECORD_CUT)
            before: bytes | memoryview
            if found >= 0:  # the last cut: what follows it is short
                before, after = memoryview(block)[: found + 1], block[found + 2 :]
            else:  # a cut across the previous block and this one, or none
                prev = blocks[-1]
                tail = prev[-(len(_RECORD_CUT) - 1) :]
                at = (tail + block[: len(_RECORD_CUT) - 1]).find(_RECORD_CUT)
                if at < 0:
                    blocks.append(block)
                    held += len(block)
                    if held > 4 * PIECE:
                        raise CannotCut("no cut between CloudTrail records")
                    continue
                k = len(prev) - len(tail) + at  # the "}" ending the piece, in the previous block
                blocks[-1], before, after = prev[: k + 1], b"", prev[k + 2 :] + block[max(0, k + 2 - len(prev)) :]
            yield b"".join((b"[", *blocks, before, b"]"))  # the one copy of the piece's bytes
            blocks, held = [after], len(after)
    finally:
        stream.close()


def read_in_pieces(path: str, max_size: int = MAX_FILE_SIZE) -> StreamedItems | DocumentPieces | None:
    """A large local file read in pieces, told from one probe of its first ``PROBE``
    decompressed bytes: its items when it holds one record per line, its pieces of whole
    records when it is a ``{"Records": [...]}`` document, ``None`` for anything else (the caller
    reads it whole)."""
    trouble: list[str] = []
    stream = _open(path, trouble, max_size)
    head = _read(stream, PROBE, trouble)
    if not trouble:
        kind = _line_kind(head)
        if kind is not None:
            return StreamedItems(path, kind, stream, head, trouble, max_size)
        start = _DOCUMENT_HEAD.match(head)
        if start is not None:
            return DocumentPieces(stream, head[start.end() :], trouble, max_size)
    stream.close()
    return None


class StreamedItems:
    """The items of an input read in pieces (iterate once); ``bytes`` counts the decompressed
    bytes parsed so far, for progress and for sizing replay's batches."""

    def __init__(
        self, path: str, kind: str, stream: Any, head: bytes, trouble: list[str], max_size: int = MAX_FILE_SIZE
    ) -> None:
        self.path, self.kind, self.stream, self.head, self.trouble = path, kind, stream, head, trouble
        self.max_size = max_size
        self.bytes = 0

    def __iter__(self) -> Iterator[Parsed]:
        path, trouble = self.path, self.trouble
        delivered = delivery_time_from_name(path)  # none for standard input
        start = 0  # the line readers number items by non-blank line: each piece continues the count
        try:
            for piece in _pieces(self.stream, self.head, trouble, self.max_size):
                self.bytes += len(piece)
                if self.kind == "json lines":
                    start = yield from json_lines(path, piece, delivered, start)
                else:
                    start = yield from export_lines(path, piece, start)
        finally:
            self.stream.close()
        for reason in trouble:  # the end of the file is lost: reported after what was read
            yield Problem(path, None, reason, fatal=False)
