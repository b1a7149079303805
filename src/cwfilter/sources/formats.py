"""Log files as users have them → CloudTrail records (or raw log event messages).

One blob (a file's bytes, decompressed) holds one of: a CloudTrail delivery object
``{"Records": [...]}``, a JSON array of records, one record, JSON lines, the output of
``aws cloudtrail lookup-events`` (``CloudTrailEvent`` strings), a CloudWatch Logs
subscription payload, a CloudWatch Logs export (``timestamp message`` lines), or a
CloudTrail digest (skipped). The format is recognised from the content, not the name.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

import orjson

from ..times import epoch_ms, parse_time
from . import lenient
from .kinds import ProblemKind

# Keys under which tools wrap a CloudTrail record (EventBridge "detail", test fixtures "log").
_WRAPPER_KEYS = ("detail", "log", "record", "event")
_RECORD_KEYS = ("eventVersion", "eventSource", "eventName", "eventTime", "eventID")
EXPORT_LINE = re.compile(rb"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d))[ \t](.*)")
_DELIVERY_STAMP = re.compile(r"_(\d{8}T\d{4}Z)_")


@dataclass(slots=True)
class Item:
    """One log event read from a source: a parsed record and/or its message text."""

    index: int
    record: dict[str, Any] | None
    message: bytes | None = None  # the log event message when the input carries it verbatim
    delivered_ms: int | None = None  # when CloudWatch Logs / S3 received it, where known


@dataclass(slots=True)
class Problem:
    """Something that could not be read: a whole file (``index`` None) or one record."""

    source: str
    index: int | None
    reason: str
    fatal: bool = True  # False: reported, but the records were still read (e.g. bytes replaced)
    kind: ProblemKind = ProblemKind.OTHER


@dataclass(slots=True)
class Skip:
    """A file deliberately not read (a digest), reported in the accounting."""

    reason: str


Parsed = Item | Problem | Skip


def delivery_time_from_name(name: str) -> int | None:
    """The delivery stamp of a CloudTrail log file name (``..._20230710T1145Z_...``), in epoch ms."""
    m = _DELIVERY_STAMP.search(name)
    if not m:
        return None
    return _stamp_ms(m.group(1))


@lru_cache(maxsize=4096)
def _stamp_ms(stamp: str) -> int | None:
    """``20230710T1145Z`` in epoch ms (cached: a trail delivers many files per stamp)."""
    try:
        when = datetime.strptime(stamp, "%Y%m%dT%H%MZ")
    except ValueError:
        return None
    return epoch_ms(when.replace(tzinfo=timezone.utc))


# ------------------------------------------------------------------ records


def _looks_like_record(obj: Any) -> bool:
    return isinstance(obj, dict) and any(k in obj for k in _RECORD_KEYS)


def _unwrap(obj: Any) -> Any:
    """A CloudTrail record, unwrapping lookup-events and common wrappers."""
    if isinstance(obj, dict) and not _looks_like_record(obj):
        if isinstance(obj.get("CloudTrailEvent"), str):
            return orjson.loads(obj["CloudTrailEvent"])
        for key in _WRAPPER_KEYS:
            if _looks_like_record(obj.get(key)):
                return obj[key]
    return obj


def record_items(
    source: str, records: list[Any], delivered_ms: int | None, start: int = 0, damaged: bool = False
) -> Iterator[Parsed]:
    """One item per record, numbered from ``start`` (a piece of a large document continues the
    count). ``damaged``: the records were read by ``lenient.loads``, and one holding invalid
    UTF-8 is rejected."""
    for i, obj in enumerate(records, start):
        why = lenient.damage(obj) if damaged else None
        if why is not None:
            yield Problem(source, i, why, kind=ProblemKind.INVALID_UTF8)
            continue
        try:
            rec = _unwrap(obj)
        except orjson.JSONDecodeError as exc:
            yield Problem(source, i, f"CloudTrailEvent is not valid JSON: {exc}")
            continue
        if not isinstance(rec, dict):
            yield Problem(source, i, f"not a JSON object but {type(rec).__name__}")
            continue
        yield Item(i, rec, None, delivered_ms)


def _is_digest(doc: dict[str, Any]) -> bool:
    return "digestStartTime" in doc and "logFiles" in doc


def parse_blob(source: str, data: bytes, delivered_ms: int | None = None) -> Iterator[Parsed]:
    """The items of one (decompressed) file, recognising its format from its content."""
    head = data.lstrip()[:1]
    if not head:
        yield Problem(source, None, "empty file")
        return
    if head in (b"{", b"["):
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            yield from _not_one_document(source, data, delivered_ms, exc)
            return
        yield from _document(source, doc, delivered_ms)
        return
    if EXPORT_LINE.match(data.lstrip()):
        yield from export_lines(source, data)
        return
    yield Problem(source, None, "unrecognised format (not JSON, JSON lines or a CloudWatch Logs export)")


def _not_one_document(
    source: str, data: bytes, delivered_ms: int | None, exc: orjson.JSONDecodeError
) -> Iterator[Parsed]:
    """Text starting like JSON that orjson refused as one document: JSON lines, concatenated
    CloudTrail documents, a document holding damage charged to its records (``lenient``),
    else invalid JSON."""
    if data.lstrip()[:1] == b"{" and looks_like_json_lines(data):
        yield from json_lines(source, data, delivered_ms)
        return
    documents = _concatenated_documents(data) if data.lstrip()[:1] == b"{" else None
    if documents is not None:
        for doc, damaged in documents:
            yield from _document(source, doc, delivered_ms, damaged)
        return
    if lenient.recoverable(exc):
        try:
            doc = lenient.loads(data)
        except ValueError:
            pass
        else:
            yield from _document(source, doc, delivered_ms, damaged=True)
            return
    why = lenient.utf8_reason(data)
    yield Problem(source, None, f"invalid JSON: {exc}" + (f" ({why})" if why else ""), kind=ProblemKind.INVALID_JSON)


def _loads(data: bytes) -> tuple[Any, bool]:
    """(document, read by ``lenient``) for JSON text; ``ValueError`` when it is not JSON."""
    try:
        return orjson.loads(data), False
    except orjson.JSONDecodeError as exc:
        if not lenient.recoverable(exc):
            raise
    return lenient.loads(data), True


# Where one CloudTrail document ends and the next begins when files are concatenated (``zcat
# *.json.gz``: CloudTrail writes no newline at the end). In valid JSON this cannot be inside a
# string, where a quote would be escaped: a split there leaves a part that does not parse.
_NEXT_DOCUMENT = re.compile(rb'(?<=\})\s*(?=\{\s*"Records"\s*:)')


def _concatenated_documents(data: bytes) -> list[tuple[Any, bool]] | None:
    """The documents of concatenated ``{"Records": [...]}`` files (each with whether ``lenient``
    read it), or ``None`` unless every part is one whole JSON document."""
    parts = _NEXT_DOCUMENT.split(data)
    if len(parts) < 2:
        return None
    try:
        return [_loads(part) for part in parts]
    except ValueError:  # orjson's JSONDecodeError is one
        return None


# JSON lines are recognised from the first lines of a file (a piece of it for a large one).
_PROBE_LINES = 8


def looks_like_json_lines(data: bytes) -> bool:
    """Whether text that is not one JSON document is JSON lines: several lines, and of the
    first few at least half are each a JSON object alone. So a damaged line, the first one
    too, is charged to its own record, never to the whole file; a damaged pretty-printed
    document (whose lines are not objects alone) stays one document."""
    parts = data.lstrip().split(b"\n", _PROBE_LINES)
    lines = [line for line in parts[:_PROBE_LINES] if line.strip()]
    if len(lines) < 2:
        return False
    objects = 0
    for line in lines:
        try:
            objects += isinstance(_loads(line)[0], dict)
        except ValueError:  # orjson's JSONDecodeError is one
            continue
    return objects >= 1 and 2 * objects >= len(lines)


def _document(source: str, doc: Any, delivered_ms: int | None, damaged: bool = False) -> Iterator[Parsed]:
    if isinstance(doc, list):
        yield from record_items(source, doc, delivered_ms, damaged=damaged)
    elif isinstance(doc, dict):
        if isinstance(doc.get("Records"), list):
            yield from record_items(source, doc["Records"], delivered_ms, damaged=damaged)
        elif doc.get("messageType") and isinstance(doc.get("logEvents"), list):
            yield from _subscription(source, doc)
        elif isinstance(doc.get("Events"), list):  # full `aws cloudtrail lookup-events` output
            yield from record_items(source, doc["Events"], delivered_ms, damaged=damaged)
        elif _is_digest(doc):
            yield Skip("CloudTrail digest file")
        else:
            yield from record_items(source, [doc], delivered_ms, damaged=damaged)
    else:
        yield Problem(source, None, f"JSON {type(doc).__name__} is not a record, an array or an envelope")


def _nonblank_lines(data: bytes, start: int = 0) -> Iterator[tuple[int, bytes]]:
    """(index among the non-blank lines, line): how records in line-based files are numbered
    (from ``start``: a piece of a large file continues its numbering)."""
    return enumerate((line for line in data.splitlines() if line.strip()), start)


def json_lines(source: str, data: bytes, delivered_ms: int | None, start: int = 0) -> Generator[Parsed, None, int]:
    """The items of JSON lines, numbered by line from ``start``; returns the next line number."""
    i = start - 1
    for i, line in _nonblank_lines(data, start):
        try:
            obj, damaged = _loads(line)
        except ValueError as exc:  # orjson's JSONDecodeError is one
            yield Problem(source, i, f"invalid JSON: {exc}", kind=ProblemKind.INVALID_JSON)
            continue
        why = (lenient.utf8_reason(line) or lenient.damage(obj)) if damaged else None
        if why is not None:
            yield Problem(source, i, why, kind=ProblemKind.INVALID_UTF8)
            continue
        if isinstance(obj, dict) and obj.get("messageType") and isinstance(obj.get("logEvents"), list):
            yield from _subscription(source, obj)
            continue
        if isinstance(obj, dict) and isinstance(obj.get("Records"), list):  # a CloudTrail file's document a line
            yield from record_items(source, obj["Records"], delivered_ms)
            continue
        for item in record_items(source, [obj], delivered_ms):
            if isinstance(item, (Item, Problem)):
                item.index = i
            yield item
    return i + 1


def _subscription(source: str, payload: dict[str, Any]) -> Iterator[Parsed]:
    """A CloudWatch Logs subscription payload: each log event's message is one record."""
    for i, event in enumerate(payload["logEvents"]):
        message = event.get("message") if isinstance(event, dict) else None
        if not isinstance(message, str):
            yield Problem(source, i, "log event without a message")
            continue
        raw = message.encode("utf-8")
        try:
            rec = orjson.loads(raw)
        except orjson.JSONDecodeError:
            rec = None  # not JSON: still a log event, matched by its text
        ts = event.get("timestamp")
        yield Item(i, rec if isinstance(rec, dict) else None, raw, ts if isinstance(ts, int) else None)


def export_lines(source: str, data: bytes, start: int = 0) -> Generator[Parsed, None, int]:
    """CloudWatch Logs export to S3: ``<ISO 8601 timestamp> <message>`` per line, numbered from
    ``start``; returns the next line number."""
    i = start - 1
    for i, line in _nonblank_lines(data, start):
        m = EXPORT_LINE.match(line)
        if not m:
            yield Problem(source, i, "not a `timestamp message` line")
            continue
        stamp, message = m.group(1).decode(), m.group(2)
        delivered = parse_time(stamp)
        try:
            rec = orjson.loads(message) if message[:1] == b"{" else None
        except orjson.JSONDecodeError:
            rec = None
        yield Item(i, rec if isinstance(rec, dict) else None, message, delivered)
    return i + 1
