"""One entry point to read any input: ``open_input`` gives one of four small types, each
saying how the input came:

- ``Whole``: the content, decompressed, with what went wrong decompressing it;
- ``Unreadable``: the ``Problem`` that kept it from being read;
- ``StreamedItems``: a large input of one record per line, its items read in pieces;
- ``DocumentPieces``: a large local ``{"Records": [...]}`` file, cut between records.

``read_items`` gives the items of any input (what the plain readers make of it), for callers
that do not count the pieces of a document apart."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Literal, overload

from .formats import Parsed, Problem, delivery_time_from_name, parse_blob
from .inflate import MAX_FILE_SIZE, decompress, too_large
from .kinds import ProblemKind
from .large import DocumentPieces, StreamedItems, read_in_pieces, stream_or_read
from .local import FileRef, _TooLarge

STREAM_ABOVE = 1 << 20  # bytes on disk: JSON lines compress 10-45x, so this is 10-45 MB of text


@dataclass(slots=True)
class Whole:
    """An input read whole: its content, decompressed, and what went wrong decompressing it
    (a truncated gzip file still gives what was recovered)."""

    data: bytes
    trouble: str | None = None
    intact: int = -1  # bytes of ``data`` from whole gzip members; -1: all of it


@dataclass(slots=True)
class Unreadable:
    """An input that could not be read (missing, no permission, S3 refused...)."""

    problem: Problem


Opened = Whole | Unreadable | StreamedItems | DocumentPieces


@overload
def open_input(ref: FileRef, *, whole: Literal[True], max_size: int = ...) -> Whole | Unreadable: ...
@overload
def open_input(ref: FileRef, *, whole: bool = False, max_size: int = ...) -> Opened: ...
def open_input(ref: FileRef, *, whole: bool = False, max_size: int = MAX_FILE_SIZE) -> Opened:
    """``ref`` read whole, or, when it is larger than ``STREAM_ABOVE`` bytes on disk (a local
    file or S3 object) or is standard input, read in pieces where it holds one record per line
    (``StreamedItems``) or is a local ``{"Records": [...]}`` document (``DocumentPieces``; the
    caller that cannot use them reads it again with ``whole=True``). No input gives more than
    ``max_size`` bytes, decompressed (``inflate.output_limit``). Never raises."""
    try:
        raw = ref.read(max_size if whole else STREAM_ABOVE)
    except _TooLarge:
        if whole:
            return Unreadable(Problem(ref.name, None, too_large(max_size, max_size)))
        return _open_large(ref, max_size)
    except Exception as exc:  # noqa: BLE001 - OS, S3 and permission errors all mean "not read"
        return _unreadable(ref, exc)
    return Whole(*decompress(raw, ref.name, max_size))


def _open_large(ref: FileRef, max_size: int) -> Opened:
    """An input ``open_input`` found too large to read whole at once."""
    try:
        if not ref.is_stream:
            pieces = read_in_pieces(ref.name, max_size)
            return open_input(ref, whole=True, max_size=max_size) if pieces is None else pieces
        got = stream_or_read(ref.name, _open_stream(ref), max_size)  # read once: what it probed is kept
    except Exception as exc:  # noqa: BLE001 - OS, S3 and permission errors all mean "not read"
        return _unreadable(ref, exc)
    return Whole(*decompress(got, ref.name, max_size)) if isinstance(got, bytes) else got


def _unreadable(ref: FileRef, exc: Exception) -> Unreadable:
    text = str(exc)
    if text.startswith(ref.name + ": "):  # an S3Error names the object: the source says it already
        text = text[len(ref.name) + 2 :]
    return Unreadable(Problem(ref.name, None, text if text.startswith("cannot read") else f"cannot read: {text}"))


def _open_stream(ref: FileRef) -> BinaryIO:
    if ref.name == "-":
        return sys.stdin.buffer
    from .s3 import open_object

    return open_object(ref.name)


def read_items(ref: FileRef) -> Iterator[Parsed]:
    """Every item of one input; an input that cannot be read yields one ``Problem``. A large
    local file of JSON lines or export lines is read in pieces (``large.py``)."""
    opened = open_input(ref)
    if isinstance(opened, DocumentPieces):  # its pieces are only for a caller that counts them apart
        opened.close()
        opened = open_input(ref, whole=True)
    yield from items_of(ref, opened)


def items_of(ref: FileRef, opened: Whole | Unreadable | StreamedItems) -> Iterable[Parsed]:
    """The items of an opened input, as the plain readers make them."""
    if isinstance(opened, Whole):
        return whole_items(ref, opened)
    if isinstance(opened, Unreadable):
        return [opened.problem]
    return opened


def whole_items(ref: FileRef, whole: Whole) -> Iterator[Parsed]:
    """The items of an input read whole."""
    data, trouble = whole.data, whole.trouble
    delivered = delivery_time_from_name(ref.name)
    if not trouble:
        yield from parse_blob(ref.name, data, delivered)
        return
    # A damaged file (truncated, corrupt, trailing garbage, too large): what was recovered is
    # read, and the file is reported as read in part; failed when nothing could be read.
    items = parse_blob(ref.name, data, delivered) if data else iter(())
    first = next(items, None)
    if _not_json(first) and 0 < whole.intact < len(data):  # the whole members alone may be
        items = parse_blob(ref.name, data[: whole.intact], delivered)
        first = next(items, None)
    if first is None or (isinstance(first, Problem) and first.index is None and first.fatal):
        # nothing recovered, or nothing readable in it (a bomb's zeros): one failure, its cause
        cause = ": what was recovered is not complete JSON" if _not_json(first) else ""
        yield Problem(ref.name, None, trouble + cause)
        return
    yield Problem(ref.name, None, trouble, fatal=False)
    yield first
    yield from items


def _not_json(item: Parsed | None) -> bool:
    return isinstance(item, Problem) and item.index is None and item.kind is ProblemKind.INVALID_JSON
