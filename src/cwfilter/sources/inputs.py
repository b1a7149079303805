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
from .inflate import decompress
from .kinds import ProblemKind
from .large import DocumentPieces, StreamedItems, read_in_pieces, stream_or_read
from .local import FileRef, TooLarge

STREAM_ABOVE = 1 << 20  # bytes on disk: JSON lines compress 10-45x, so this is 10-45 MB of text


@dataclass(slots=True)
class Whole:
    """An input read whole: its content, decompressed, and what went wrong decompressing it
    (a truncated gzip file still gives what was recovered)."""

    data: bytes
    trouble: str | None = None


@dataclass(slots=True)
class Unreadable:
    """An input that could not be read (missing, no permission, S3 refused...)."""

    problem: Problem


Opened = Whole | Unreadable | StreamedItems | DocumentPieces


@overload
def open_input(ref: FileRef, *, whole: Literal[True]) -> Whole | Unreadable: ...
@overload
def open_input(ref: FileRef, *, whole: bool = False) -> Opened: ...
def open_input(ref: FileRef, *, whole: bool = False) -> Opened:
    """``ref`` read whole, or, when it is larger than ``STREAM_ABOVE`` bytes on disk (a local
    file or S3 object) or is standard input, read in pieces where it holds one record per line
    (``StreamedItems``) or is a local ``{"Records": [...]}`` document (``DocumentPieces``; the
    caller that cannot use them reads it again with ``whole=True``). Never raises."""
    try:
        raw = ref.read(None if whole else STREAM_ABOVE)
    except TooLarge:
        return _open_large(ref)
    except Exception as exc:  # noqa: BLE001 - OS, S3 and permission errors all mean "not read"
        return _unreadable(ref, exc)
    return Whole(*decompress(raw, ref.name))


def _open_large(ref: FileRef) -> Opened:
    """An input ``open_input`` found too large to read whole at once."""
    try:
        if not ref.is_stream:
            pieces = read_in_pieces(ref.name)
            return open_input(ref, whole=True) if pieces is None else pieces
        got = stream_or_read(ref.name, _open_stream(ref))  # read once: what it probed is kept
    except Exception as exc:  # noqa: BLE001 - OS, S3 and permission errors all mean "not read"
        return _unreadable(ref, exc)
    return Whole(*decompress(got, ref.name)) if isinstance(got, bytes) else got


def _unreadable(ref: FileRef, exc: Exception) -> Unreadable:
    return Unreadable(Problem(ref.name, None, f"cannot read: {exc}"))


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
    if trouble:
        yield Problem(ref.name, None, trouble, fatal=not data)
        if not data:
            return
    parsed = parse_blob(ref.name, data, delivery_time_from_name(ref.name))
    if trouble:  # a truncated file: read what was recovered, but its end is lost
        parsed = _recovered(ref.name, parsed)
    yield from parsed


def _recovered(source: str, items: Iterator[Parsed]) -> Iterator[Parsed]:
    for item in items:
        if isinstance(item, Problem) and item.index is None and item.kind is ProblemKind.INVALID_JSON:
            yield Problem(source, None, "the recovered part of the truncated file is not complete JSON")
            continue
        yield item
