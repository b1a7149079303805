"""Readers: where log events come from (files, trees, stdin, S3) and what they hold."""

from __future__ import annotations

import os
import sys
from typing import BinaryIO, Iterable, Iterator, Sequence

from .formats import (
    Item,
    Problem,
    Skip,
    decompress,
    delivery_time_from_name,
    parse_blob,
    record_items,
)
from .large import STREAM_ABOVE, CannotCut, DocumentPieces, StreamedItems, read_in_pieces, stream_or_read
from .kinds import NotRead, NotReadKind, ProblemKind
from .local import DIGEST_FILE, NOT_A_LOG_NAME, FileRef, TooLarge, is_digest, is_log_name, walk

__all__ = [
    "STREAM_ABOVE",
    "CannotCut",
    "DocumentPieces",
    "FileRef",
    "Item",
    "NotRead",
    "NotReadKind",
    "ProblemKind",
    "Problem",
    "Skip",
    "StreamedItems",
    "TooLarge",
    "delivery_time_from_name",
    "discover",
    "file_items",
    "iter_discover",
    "load_file",
    "load_or_stream",
    "load_whole",
    "read_file",
    "record_items",
    "stream_file",
]


def discover(inputs: Sequence[str]) -> tuple[list[FileRef], list[NotRead]]:
    """The files to read for ``inputs`` (paths, directories, ``-``, ``s3://`` prefixes), and the
    inputs not read, with the reason (digests, non-log names, missing paths)."""
    files: list[FileRef] = []
    skipped: list[NotRead] = []
    for found in iter_discover(inputs):
        if isinstance(found, FileRef):
            files.append(found)
        else:
            skipped.append(found)
    return files, skipped


def iter_discover(inputs: Sequence[str], sizes: bool = True) -> Iterator[FileRef | NotRead]:
    """``discover`` as it walks: each file to read, or ``NotRead`` for one not read, in
    order, so reading can start before a large tree has been listed. ``sizes=False``: files
    found by walking a directory have size 0 (not looked up)."""
    for spec in inputs:
        if spec == "-":
            yield FileRef("-")
        elif spec.startswith("s3://"):
            from .s3 import S3Error, list_objects

            try:
                for uri, size in list_objects(spec):
                    key = uri.split("/", 3)[3] if uri.count("/") >= 3 else uri
                    if is_digest(key):
                        yield NotRead(uri, DIGEST_FILE, NotReadKind.DIGEST)
                    elif not is_log_name(key.rsplit("/", 1)[-1]):
                        yield NotRead(uri, NOT_A_LOG_NAME, NotReadKind.NOT_A_LOG)
                    else:
                        yield FileRef(uri, size)
            except S3Error as exc:
                yield NotRead(spec, str(exc), NotReadKind.UNLISTABLE)
        elif os.path.isdir(spec):
            yield from walk(spec, sizes)
        elif os.path.exists(spec):
            if is_digest(spec):
                yield NotRead(spec, DIGEST_FILE, NotReadKind.DIGEST)
            else:
                yield FileRef(spec, os.path.getsize(spec))
        else:
            yield NotRead(spec, "no such file or directory", NotReadKind.MISSING)


def read_file(ref: FileRef) -> Iterator[Item | Problem | Skip]:
    """Every item of one input file; a file that cannot be read yields one ``Problem``. A
    large local file of JSON lines or export lines is read in pieces (``large.py``)."""
    loaded = load_or_stream(ref)
    if isinstance(loaded, DocumentPieces):  # its pieces are only for a caller that can count them apart
        loaded.close()
        loaded = load_whole(ref)
    if isinstance(loaded, tuple):
        yield from file_items(ref, *loaded)
    elif isinstance(loaded, Problem):
        yield loaded
    else:
        yield from loaded


def load_or_stream(
    ref: FileRef, loaded: tuple[bytes, str | None] | Problem | TooLarge | None = None
) -> tuple[bytes, str | None] | Problem | Iterable[Item | Problem | Skip] | DocumentPieces:
    """``load_file`` (unless the caller already did: ``loaded``), except that a local file or S3
    object of more than ``STREAM_ABOVE`` bytes, and standard input, come back as their items,
    read in pieces, when they hold one record per line; a large local ``{"Records": [...]}``
    file as its ``DocumentPieces`` (the caller reads it whole with ``load_whole`` if it cannot
    use them); any other input whole."""
    if loaded is None:
        loaded = load_file(ref, STREAM_ABOVE)
    if not isinstance(loaded, TooLarge):
        return loaded
    streamed = stream_file(ref)
    return load_whole(ref) if streamed is None else streamed


def load_whole(ref: FileRef) -> tuple[bytes, str | None] | Problem:
    """``load_file`` without a size limit."""
    whole = load_file(ref)
    assert not isinstance(whole, TooLarge)  # read without a limit
    return whole


def load_file(ref: FileRef, limit: int | None = None) -> tuple[bytes, str | None] | Problem | TooLarge:
    """One input file's content, decompressed, and what went wrong decompressing it (a
    truncated gzip file still gives what was recovered); a ``Problem`` when it cannot be read;
    ``TooLarge`` (nothing read) for a local file of more than ``limit`` bytes."""
    try:
        raw = ref.read(limit)
    except TooLarge as large:
        return large
    except Exception as exc:  # noqa: BLE001 - OS, S3 and permission errors all mean "not read"
        return Problem(ref.name, None, f"cannot read: {exc}")
    return decompress(raw, ref.name)


def stream_file(
    ref: FileRef,
) -> Iterable[Item | Problem | Skip] | DocumentPieces | tuple[bytes, str | None] | None:
    """An input ``load_file`` found too large, read in pieces (``large.py``): its items when it
    holds one record per line, or a local ``{"Records": [...]}`` file's ``DocumentPieces``.
    Otherwise ``None`` for a local file, which the caller reads whole, and for standard input or
    an S3 object, which cannot be read twice, its content as ``load_file`` gives it."""
    try:
        if not ref.is_stream:
            return read_in_pieces(ref.name)
        got = stream_or_read(ref.name, _open_stream(ref))
    except Exception as exc:  # noqa: BLE001 - OS, S3 and permission errors all mean "not read"
        return [Problem(ref.name, None, f"cannot read: {exc}")]
    return decompress(got, ref.name) if isinstance(got, bytes) else got


def _open_stream(ref: FileRef) -> BinaryIO:
    if ref.name == "-":
        return sys.stdin.buffer
    from .s3 import open_object

    return open_object(ref.name)


def file_items(ref: FileRef, data: bytes, trouble: str | None) -> Iterator[Item | Problem | Skip]:
    """The items of a file loaded by ``load_file``."""
    if trouble:
        yield Problem(ref.name, None, trouble, fatal=not data)
        if not data:
            return
    delivered = delivery_time_from_name(ref.name)
    parsed = parse_blob(ref.name, data, delivered)
    if trouble:  # a truncated file: read what was recovered, but its end is lost
        parsed = _recovered(ref.name, parsed)
    yield from parsed


def _recovered(source: str, items: Iterator[Item | Problem | Skip]) -> Iterator[Item | Problem | Skip]:
    for item in items:
        if isinstance(item, Problem) and item.index is None and item.kind is ProblemKind.INVALID_JSON:
            yield Problem(source, None, "the recovered part of the truncated file is not complete JSON")
            continue
        yield item
