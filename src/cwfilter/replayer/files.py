"""One worker's batch of files: each file opened once (``sources.open_input``), decoded by the
fast decoder where its plan applies, else read by the plain readers, and counted by the one
accounting (``counting.py``)."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

import orjson

from ..metric import MetricFilter
from ..sources import (
    STREAM_ABOVE,
    CannotCut,
    DocumentPieces,
    FileRef,
    Opened,
    StreamedItems,
    Unreadable,
    Whole,
    delivery_time_from_name,
    items_of,
    open_input,
    record_items,
)
from .counting import Counter, Partial, count_items
from .fast import count_decoded
from .plan import RecordPlan, plan_for_filter
from .spec import ReplayOptions

# Decompressed bytes whose records are counted in one pass (``_Chunk``): large enough to spread
# the per-pass cost over many small CloudTrail files, small enough to bound a worker's memory.
CHUNK_BYTES = 8 << 20


def replay_batch(batch: list[tuple[str, int]], mf: MetricFilter, options: ReplayOptions) -> Partial:
    """Worker entry point: replay a batch of files, given as (name, size) pairs (top level, so
    it pickles; pairs pickle at a fraction of the cost of ``FileRef`` objects), through ``mf``
    (in a worker: the process's one copy, unpickled once)."""
    files = [FileRef(name, size) for name, size in batch]
    part = Partial.empty(mf, options.dedupe, options.matches)
    fast = options.fast and not options.matches  # the fast decoder keeps only the fields the pattern reads
    reader = _Reader(mf, options, part, plan_for_filter(mf, options.dedupe) if fast else None)
    with _reading_ahead(batch):  # S3 objects: several requests in flight
        if reader.plan is not None and options.timestamp == "event" and not options.dedupe and mf.default_value is None:
            reader.files_together(files)
        else:
            for ref in files:
                reader.file(ref)
    return part


def _reading_ahead(batch: list[tuple[str, int]]) -> AbstractContextManager[None]:
    if not any(name.startswith("s3://") for name, _ in batch):
        return nullcontext()
    from ..sources.s3 import reading_ahead

    return reading_ahead(batch, STREAM_ABOVE)


class _Reader:
    """Reads files into one ``Partial`` through the fast decoder (``plan``) or the plain readers."""

    def __init__(self, mf: MetricFilter, options: ReplayOptions, part: Partial, plan: RecordPlan | None) -> None:
        self.mf, self.options, self.part, self.plan = mf, options, part, plan
        self.json_fast = mf.pattern.family == "json"  # a parsed record is matched as it is, not re-serialised

    def file(self, ref: FileRef, opened: Opened | None = None, *, fast: bool = True) -> None:
        """Count one file: through the fast decoder where its plan applies (and ``fast``), else the
        plain readers. ``opened``: the file as the caller opened it (and counted its bytes, if
        read whole). A large file comes in pieces where it holds one record per line or is a
        ``{"Records": [...]}`` document that can be cut between records (bounded memory)."""
        use = self.plan if fast else None
        fresh = opened is None
        if opened is None:
            opened = open_input(ref, max_size=self.options.max_file_size)
        if isinstance(opened, DocumentPieces):
            if self._document(ref, opened, use):
                return
            opened, fresh = open_input(ref, whole=True, max_size=self.options.max_file_size), True  # not cut
        if isinstance(opened, Whole):
            if fresh:
                self.part.bytes += len(opened.data)
            if use is not None and opened.trouble is None and self._decoded(ref, opened.data, use, self.part):
                return
        items = items_of(ref, opened)
        counter = Counter(self.mf, self.options, self.part)
        counter.files()
        count_items(ref, items, counter, self.json_fast)
        if isinstance(items, StreamedItems):
            self.part.bytes += items.bytes

    def _decoded(self, ref: FileRef, data: bytes, plan: RecordPlan, part: Partial) -> bool:
        records = plan.decode(data)
        if records is None:
            return False
        counter = Counter(self.mf, self.options, part)
        return count_decoded(records, 1, delivery_time_from_name(ref.name), counter, plan)

    def _document(self, ref: FileRef, pieces: DocumentPieces, plan: RecordPlan | None) -> bool:
        """A large ``{"Records": [...]}`` file cut into pieces of whole records, each through the
        fast decoder where it applies, else the plain readers. The pieces are counted apart and
        added only once the whole document has been read: False (nothing counted) when one does
        not parse or the document cannot be cut; the caller then reads it whole, and a damaged
        file reports what a whole reading reports."""
        apart = Partial.empty(self.mf, self.options.dedupe)
        delivered = delivery_time_from_name(ref.name)
        try:
            for piece in pieces:
                apart.bytes += len(piece)
                if plan is not None and self._decoded(ref, piece, plan, apart):
                    continue
                try:
                    parsed = orjson.loads(piece)
                except orjson.JSONDecodeError:
                    return False  # a cut inside a record, or an invalid document
                # numbered after the records of the pieces before (each one counted, rejected or not)
                items = record_items(ref.name, parsed, delivered, apart.accounting.records)
                count_items(ref, items, Counter(self.mf, self.options, apart), self.json_fast)
        except CannotCut:
            return False
        finally:
            pieces.close()
        apart.accounting.files = 1  # one file, however many pieces (the decoder counts each)
        self.part.add(apart)
        return True

    def files_together(self, files: list[FileRef]) -> None:
        """``file`` for every file, but the records of consecutive files the plan decodes are
        counted in one pass per chunk (only matches are then handled one by one). A file it
        cannot decode takes the plain path; a chunk the pass cannot take exactly (a record
        without ``eventTime``) is read again file by file. Either way in file order. A file's
        bytes are dropped once decoded: holding them for the rare second reading made every
        replay slower."""
        assert self.plan is not None
        chunk = _Chunk()
        for ref in files:
            opened = open_input(ref, max_size=self.options.max_file_size)
            decoded = None
            if isinstance(opened, Whole):
                self.part.bytes += len(opened.data)
                if opened.trouble is None:
                    decoded = self.plan.decode(opened.data)
            if decoded is None:
                self._flush(chunk)
                # A large file in pieces may still be decoded piece by piece; anything else the
                # plan could not decode takes the plain path (no plan).
                self.file(ref, opened, fast=not isinstance(opened, (Whole, Unreadable)))
                continue
            chunk.add(ref, decoded, len(opened.data))  # type: ignore[union-attr]
            del opened, decoded  # before the next file is read, so that its buffer can be reused
            if chunk.size >= CHUNK_BYTES:
                self._flush(chunk)
        self._flush(chunk)

    def _flush(self, chunk: _Chunk) -> None:
        assert self.plan is not None
        if chunk.files:
            counter = Counter(self.mf, self.options, self.part)
            if not count_decoded(chunk.records, len(chunk.files), None, counter, self.plan):
                for ref in chunk.files:
                    self.file(ref)
        chunk.clear()


class _Chunk:
    """Decoded records of consecutive files, counted in one pass."""

    def __init__(self) -> None:
        self.files: list[FileRef] = []
        self.records: list[Any] = []
        self.size = 0

    def add(self, ref: FileRef, records: list[Any], size: int) -> None:
        self.files.append(ref)
        self.records.extend(records)
        self.size += size

    def clear(self) -> None:
        self.files.clear()
        self.records.clear()
        self.size = 0
