"""What CloudTrail really writes: every service's ``eventSource``, its operations
(``eventName``), read-only or mutating, management or data event, the request fields their
records carry, and the fields every record of a kind has.

The data is generated at build time from botocore's service models and CloudTrail's
documented conventions (``tools/catalogue.py``, ``make catalogue``) and shipped as
``catalogue.json.gz``; it is read on first use (about 140 KB, a few milliseconds), so
importing cwfilter does not pay for it, and botocore is never needed at run time.

>>> from cwfilter import cloudtrail
>>> e = cloudtrail.event("s3.amazonaws.com", "PutBucketAcl")
>>> e.read_only, e.data, e.kind, e.request_fields
(False, False, 'AwsApiCall', ('bucketName', 'acl'))
>>> sorted(cloudtrail.sources_of("PutBucketPolicy"))
['s3-outposts.amazonaws.com', 's3.amazonaws.com']
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = [
    "ABSENT",
    "NUMBER",
    "OBJECT",
    "PRESENT",
    "ANumber",
    "AnObject",
    "Event",
    "Present",
    "event",
    "event_names",
    "events",
    "facts",
    "holds",
    "info",
    "known_source",
    "known_sources",
    "open_names",
    "operations",
    "sources_of",
    "value_at",
]

SUFFIX = ".amazonaws.com"
_KINDS = {"c": "AwsConsoleSignIn", "s": "AwsServiceEvent"}


class Present:
    """A fact: the field is in every record, as a string (or number) whose value is not known."""

    def __repr__(self) -> str:
        return "PRESENT"


PRESENT = Present()


class AnObject:
    """A fact: the field is in every record, as a JSON object."""

    def __repr__(self) -> str:
        return "OBJECT"


OBJECT = AnObject()


class ANumber:
    """A fact: the field is in every record, as a JSON number."""

    def __repr__(self) -> str:
        return "NUMBER"


NUMBER = ANumber()
_OBJECTS = frozenset({"userIdentity", "requestParameters", "responseElements", "additionalEventData",
                      "serviceEventDetails"})  # fmt: skip


ABSENT: Any = object()  # what ``value_at`` returns for a field that is not in the record


def value_at(record: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The value at ``path`` (member names) in a parsed record, or ``ABSENT``."""
    node: Any = record
    for name in path:
        if not isinstance(node, dict) or name not in node:
            return ABSENT
        node = node[name]
    return node


def holds(record: dict[str, Any], path: tuple[str, ...], fact: Any) -> bool:
    """Whether a parsed record agrees with one fact of ``facts()`` at ``path``."""
    node = value_at(record, path)
    if fact is OBJECT:
        return isinstance(node, dict)
    if fact is NUMBER or fact is PRESENT:
        scalar = (int, float) if fact is NUMBER else (str, int, float)
        return isinstance(node, scalar) and not isinstance(node, bool)
    return bool(node == fact and type(node) is type(fact))


@dataclass(frozen=True)
class Event:
    """One real CloudTrail event: ``(source, name)``, whether it is read-only and a data event,
    its kind (``eventType``), the request fields every record carries (``request_fields``,
    below ``requestParameters``; only where the catalogue is sure: ``fields_always``) and the
    fields of the record beyond its kind's (``record_fields``, dotted)."""

    source: str
    name: str
    read_only: bool
    data: bool
    kind: str
    request_fields: tuple[str, ...] = ()
    fields_always: bool = False
    record_fields: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``s3.amazonaws.com PutBucketAcl``."""
        return f"{self.source} {self.name}"


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    raw = resources.files(__package__).joinpath("catalogue.json.gz").read_bytes()
    data: dict[str, Any] = json.loads(gzip.decompress(raw))
    return data


def info() -> dict[str, Any]:
    """Where the catalogue came from: its format, the botocore version, the record format it describes."""
    d = _data()
    return {"format": d["format"], "botocore": d["botocore"], "recordFormat": d["recordFormat"],
            "sources": len(d["sources"]), "events": sum(len(s["ops"]) for s in d["sources"].values())}  # fmt: skip


@lru_cache(maxsize=1)
def _index() -> dict[str, dict[str, str]]:
    """source → name → flags, API operations and documented non-API events together."""
    d = _data()
    out = {source: dict(entry["ops"]) for source, entry in d["sources"].items()}
    for source, names in d["nonApi"].items():
        ops = out.setdefault(source, {})
        for name, spec in names.items():
            ops.setdefault(name, spec["flags"])
    return out


@lru_cache(maxsize=1)
def _by_name() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for source, ops in _index().items():
        for name in ops:
            out.setdefault(name, []).append(source)
    return {k: tuple(v) for k, v in out.items()}


def known_sources() -> list[str]:
    """Every eventSource the catalogue lists."""
    return sorted(_index())


def known_source(source: str) -> bool:
    """Whether CloudTrail writes ``source`` as an eventSource (per the catalogue)."""
    return source in _index()


def operations(source: str) -> frozenset[str]:
    """The eventNames of ``source`` (empty for a source the catalogue does not list)."""
    return frozenset(_index().get(source, ()))


def open_names(source: str) -> str | None:
    """Why the catalogue cannot list ``source``'s eventNames exactly (Lambda's and CloudFront's
    carry an API version), or None when its list is complete."""
    entry = _data()["sources"].get(source)
    return entry.get("open") if entry else None


def event_names() -> list[str]:
    """Every eventName of the catalogue."""
    return sorted(_by_name())


def sources_of(name: str) -> tuple[str, ...]:
    """The eventSources that write an event named ``name``."""
    return _by_name().get(name, ())


def event(source: str, name: str) -> Event | None:
    """The catalogue's entry for one event, or None when it lists no such event."""
    flags = _index().get(source, {}).get(name)
    if flags is None:
        return None
    entry = _data()["sources"].get(source, {})
    non_api = _data()["nonApi"].get(source, {}).get(name)
    kind = next((k for c, k in _KINDS.items() if c in flags), "AwsApiCall")
    fields = tuple(entry.get("fields", {}).get(name, "").split())
    record = tuple(non_api["record"]) if non_api else ()
    numbers = tuple(entry.get("numbers", ())) if "bucketName" in fields else ()
    always = bool(entry.get("fieldsAlways"))
    return Event(source, name, flags[0] == "r", "d" in flags, kind, fields, always, record, numbers)


def events() -> tuple[Event, ...]:
    """Every event of the catalogue (about 20,000)."""
    return _events()


@lru_cache(maxsize=1)
def _events() -> tuple[Event, ...]:
    out = []
    for source, ops in _index().items():
        for name in ops:
            e = event(source, name)
            if e is not None:
                out.append(e)
    return tuple(out)


def kind_fields(kind: str) -> tuple[str, ...]:
    """The dotted fields every record of ``kind`` (an eventType) has."""
    return tuple(_data()["kinds"].get(kind, ()))


def identity_types() -> tuple[str, ...]:
    """The values CloudTrail writes in ``userIdentity.type``."""
    return tuple(_data()["identityTypes"])


def facts(e: Event) -> dict[tuple[str, ...], Any]:
    """What every record of ``e`` holds, by field path: an exact value (``eventType``,
    ``readOnly``, ``eventCategory`` ...), ``PRESENT`` (always written, a string or number of
    unknown value), ``NUMBER`` (always written, a JSON number) or ``OBJECT`` (always written,
    a JSON object)."""
    out: dict[tuple[str, ...], Any] = {tuple(f.split(".")): PRESENT for f in kind_fields(e.kind)}
    out[("eventSource",)] = e.source
    out[("eventName",)] = e.name
    out[("eventType",)] = e.kind
    if ("readOnly",) in out:
        out[("readOnly",)] = e.read_only
    if ("managementEvent",) in out:
        out[("managementEvent",)] = not e.data
    if ("eventCategory",) in out:
        out[("eventCategory",)] = "Data" if e.data else "Management"
    for f in e.record_fields:
        out[tuple(f.split("."))] = PRESENT
    if e.fields_always:
        for f in e.request_fields:
            out[("requestParameters", f)] = PRESENT
    for f in e.numbers:
        out[tuple(f.split("."))] = NUMBER
    for path in list(out):  # a field's parents are objects, present too
        for i in range(1, len(path)):
            out[path[:i]] = OBJECT
        if path in _OBJECTS_PATHS:
            out[path] = OBJECT
    return out


_OBJECTS_PATHS = frozenset((name,) for name in _OBJECTS)
