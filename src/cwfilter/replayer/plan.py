"""The fast decoder: decode only what a JSON pattern reads.

A CloudTrail file is ``{"Records": [...]}`` of records with 20–40 top-level keys; a pattern
reads two or three of them. Here each JSON pattern gets a msgspec schema declaring only the
top-level keys it (and ``eventTime``, ``eventID``, the metric value and dimensions) reads,
typed ``Any`` so an odd value never raises, with the default ``MISSING`` so an absent key
stays distinguishable from ``null``. msgspec skips every other key without building Python
objects, and the pattern is compiled against the resulting Struct
(``codegen.compile_record_matcher``, and ``compile_record_selector`` for a list of records):
same generated expression, attribute access at the top. A metric filter's plan also reads its
metric value and dimensions from a matched record (``codegen.compile_hit_observer``), so a
match is made once. ``eventTime``, when replay reads it
for the time, is decoded as a ``datetime`` by the parser ``times.parse_time`` tries first.

The twin it is tested against is the plain path (orjson parses the whole file, then
``MetricFilter.observe_object`` on the dict). Where this path cannot be exactly that, it
declines and the caller takes the plain path: a pattern or reference with a wildcard on the
root (needs the whole record), a file that is not a ``{"Records": [...]}`` object or a JSON
array of objects, any record without ``eventTime`` (the plain path may unwrap it) or with one
that is not an RFC 3339 time with an offset, a pattern that reads ``eventTime`` itself, invalid
UTF-8, anything msgspec rejects. Integers beyond 64 bits, which orjson reads as floats, are
converted where they are read. One difference is deliberate and documented: a number that
overflows a double (``1e400``) in a key the pattern does not read is skipped here, while
orjson rejects the whole file.

Why msgspec and not pysimdjson, whose lazy parse makes a hand-written loop 14–23 % faster than
msgspec's: its lookup of a key gives the key's *first* value, where orjson, msgspec and AWS
(spec §4.3) take the last of duplicate keys, and nothing in its API says whether a record holds
a key twice. Proving it does not (a count of each key read in the raw bytes) costs more than the
faster parse saves: measured, that loop runs at 0.39–0.54× the plain pysimdjson loop, this path
at 0.65× (``benchmarks/README.md``). Even before duplicates, reading every record's
``eventTime`` (its time, and the span an exact replay reports) takes the pysimdjson loop to
0.84–0.89× itself, below the 0.95× item 5 of the scale issue asks of this path.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any

import msgspec

from ..metric import MetricFilter, Observation
from ..pattern import ast
from ..pattern.jsoncode import MISSING
from ..pattern.syntax import parse_selector
from .codegen import (
    compile_hit_observer,
    compile_record_matcher,
    compile_record_selector,
    top_level_members,
)

__all__ = ["MISSING", "RecordPlan", "matches_message", "plan_for_filter", "record_plan"]

_TIME_KEY = "eventTime"
_ID_KEY = "eventID"
# Fixed attribute names for the keys replay reads itself (the others are f0, f1, ...).
_FIXED_ATTRS = {_TIME_KEY: "event_time", _ID_KEY: "event_id"}
# ``eventTime`` when replay reads it for the record's time (and the pattern does not): decoded
# by msgspec's RFC 3339 parser, the one ``times.parse_time`` tries first, so the two paths give
# the same epoch ms. A time it refuses (or one without an offset) fails the decoding and the file
# takes the plain path, where ``parse_time`` also tries the lenient forms.
EventTime = Annotated[datetime, msgspec.Meta(tz=True)]
_UNNAMEABLE = re.compile(r'["\\\x00-\x1f]')


@dataclass(frozen=True)
class RecordPlan:
    """A msgspec schema of the top-level keys some pattern reads, and the pattern compiled
    against it. ``attrs`` maps each JSON key to its Struct attribute (keys need not be
    identifiers)."""

    attrs: dict[str, str]
    struct: type
    match: Callable[[Any], bool]
    select: Callable[[list[Any]], list[Any]]  # the matching records of a list, in order
    source: str
    _doc: msgspec.json.Decoder[Any]
    _list: msgspec.json.Decoder[Any]
    _one: msgspec.json.Decoder[Any]
    # Members decoded as Structs of only the keys the pattern reads below them (an object
    # member such as ``userIdentity``): key → (its key → attribute).
    nested: dict[str, dict[str, str]] = field(default_factory=dict)
    # A metric filter's plan (``plan_for_filter``): a matched record's observation.
    observe: Callable[[Any], Observation] | None = None

    def decode(self, data: bytes) -> list[Any] | None:
        """The records of a ``{"Records": [...]}`` document or a JSON array of objects, or
        ``None`` when the plain path must read ``data`` (other shapes, invalid JSON or UTF-8)."""
        if not data.isascii():
            try:
                data.decode("utf-8")  # msgspec does not validate the strings it skips; orjson does
            except UnicodeDecodeError:
                return None
        head = data[:1] if data[:1] in (b"{", b"[") else data.lstrip()[:1]
        try:
            if head == b"{":
                records = self._doc.decode(data).Records
                return None if records is MISSING else records
            if head == b"[":
                return self._list.decode(data)  # type: ignore[no-any-return]
        except (msgspec.DecodeError, RecursionError, UnicodeDecodeError, ValueError):
            return None
        return None

    @property
    def struct_decoder(self) -> msgspec.json.Decoder[Any]:
        return self._one

    def decode_one(self, message: str | bytes) -> Any:
        """One message as a record Struct, or ``None`` when it is not a JSON object."""
        if type(message) is bytes and not message.isascii():
            try:
                message.decode("utf-8")
            except UnicodeDecodeError:
                return None
        try:
            return self._one.decode(message)
        except (msgspec.DecodeError, RecursionError, UnicodeDecodeError, ValueError):
            return None


@lru_cache(maxsize=64)
def record_plan(pattern: ast.JsonPattern, extra_keys: frozenset[str] = frozenset()) -> RecordPlan | None:
    """The plan for ``pattern`` plus ``extra_keys`` (read by the caller), or ``None`` when the
    pattern reads the whole record (a wildcard on the root). ``eventTime`` among ``extra_keys``
    is decoded as a time (``EventTime``); then the pattern must not read it too."""
    keys = top_level_members(pattern)
    if keys is None or any(_UNNAMEABLE.search(k) for k in keys | extra_keys):
        return None  # msgspec cannot name a field with a quote, backslash or control character
    attrs = {key: _FIXED_ATTRS.get(key, f"f{i}") for i, key in enumerate(sorted(keys | extra_keys))}
    nested = {k: v for k, v in _nestable_members(pattern).items() if k not in extra_keys}
    fields = []
    for key, attr in attrs.items():
        kind: Any = Any
        if key == _TIME_KEY and key in extra_keys:
            if key in keys:
                return None  # the pattern reads eventTime as text, replay as a time: no one type for both
            kind = EventTime
        elif key in nested:
            inner = [(a, Any, msgspec.field(default=MISSING, name=k)) for k, a in nested[key].items()]
            kind = msgspec.defstruct(f"Member_{attr}", inner, gc=False) | None
        fields.append((attr, kind, msgspec.field(default=MISSING, name=key)))
    struct = msgspec.defstruct("Record", fields, gc=False)
    doc = msgspec.defstruct("Document", [("Records", list[struct], MISSING)], gc=False)  # type: ignore[valid-type]
    match, source = compile_record_matcher(pattern, attrs, nested)
    return RecordPlan(
        attrs,
        struct,
        match,
        compile_record_selector(pattern, attrs, nested),
        source,
        msgspec.json.Decoder(doc),
        msgspec.json.Decoder(list[struct]),  # type: ignore[valid-type]
        msgspec.json.Decoder(struct),
        nested,
    )


def _nestable_members(pattern: ast.JsonPattern) -> dict[str, dict[str, str]]:
    """Top-level members the pattern only ever reads *into* by name (``$.userIdentity.type``,
    never ``$.userIdentity`` itself, an index or a wildcard right below it): decoding them as
    Structs of just those keys skips the rest of the object. A member that is then neither an
    object nor null fails the decoding, and the file takes the plain path."""
    children: dict[str, set[str]] = {}
    whole: set[str] = set()

    def walk(e: ast.JsonExpr) -> None:
        if isinstance(e, (ast.And, ast.Or)):
            for item in e.items:
                walk(item)
            return
        steps = e.selector.steps
        if not isinstance(steps[0], ast.Member):
            return
        key = steps[0].name
        if len(steps) < 2 or not isinstance(steps[1], ast.Member) or _UNNAMEABLE.search(steps[1].name):
            whole.add(key)
        else:
            children.setdefault(key, set()).add(steps[1].name)

    walk(pattern.expr)
    return {
        key: {name: f"g{i}" for i, name in enumerate(sorted(names))}
        for key, names in children.items()
        if key not in whole
    }


def _reference_key(text: str) -> str | bool | None:
    """The top-level key a ``$.selector`` metric reference reads: a name, ``None`` (none:
    ``$[0]`` on an object), or ``False`` when it needs the whole record (``$.*``)."""
    first = parse_selector(text).steps[0]
    if isinstance(first, ast.Member):
        return first.name
    return False if isinstance(first, ast.Wildcard) else None


_FILTER_PLANS: dict[tuple[Any, bool], RecordPlan | None] = {}


def plan_for_filter(mf: MetricFilter, dedupe: bool) -> RecordPlan | None:
    """The plan for a metric filter's JSON pattern, its ``$.`` metric value and dimensions,
    reading ``eventTime`` (and ``eventID`` to de-duplicate), with ``observe`` for its matched
    records; ``None`` when the fast path cannot be exact for it. Made once per process and
    filter definition (a worker process forked after the parent made it inherits it)."""
    key = (mf.definition, dedupe)
    if key not in _FILTER_PLANS:
        if len(_FILTER_PLANS) >= 16:
            _FILTER_PLANS.clear()
        _FILTER_PLANS[key] = _filter_plan(mf, dedupe)
    return _FILTER_PLANS[key]


def _filter_plan(mf: MetricFilter, dedupe: bool) -> RecordPlan | None:
    pattern = mf.pattern.ast
    if not isinstance(pattern, ast.JsonPattern):
        return None
    extra = {_TIME_KEY} | ({_ID_KEY} if dedupe else set())
    for ref in mf.references:
        key = _reference_key(ref)
        if key is False or key == _TIME_KEY:
            return None
        if key is not None:
            extra.add(key)  # type: ignore[arg-type]
    plan = record_plan(pattern, frozenset(extra))
    return None if plan is None else replace(plan, observe=compile_hit_observer(mf, plan.attrs, plan.nested))


def matches_message(pattern: ast.JsonPattern, message: str | bytes) -> bool | None:
    """Whether one message matches, through the fast path (the twin of
    ``FilterPattern.matches`` for tests); ``None`` when the fast path declines, as replay's
    does: the pattern needs the whole record, or a nested member is neither an object nor null."""
    plan = record_plan(pattern)
    if plan is None:
        return None
    if plan.nested:
        try:
            plan.struct_decoder.decode(message)
        except msgspec.ValidationError:
            return None
        except (msgspec.DecodeError, RecursionError, UnicodeDecodeError, ValueError):
            pass
    record = plan.decode_one(message)
    return record is not None and plan.match(record)
