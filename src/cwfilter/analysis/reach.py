"""Which real CloudTrail events one alternative of a pattern can match, by the catalogue
(``cwfilter.cloudtrail``): the events whose source and name its ``eventSource`` and
``eventName`` atoms admit and whose every-record facts do not make another atom false.

An alternative that admits no real event is *dead* (a typo such as ``PutBucketACL`` or
``S3.amazonaws.com`` is a missed event, not breadth); one that constrains neither field is
*unbounded* (the catalogue cannot enumerate it); a source the catalogue does not list, or
one whose eventNames carry an API version (Lambda), is *undecided* and said so.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from ..cloudtrail import Event, event, facts, known_source, known_sources, open_names, operations
from .cloudtrail import atom_on_value
from .decision import Known, decide, pins_of
from .normal_form import Atom, Conjunct, field_path, render_atom

SOURCE, NAME = ("eventSource",), ("eventName",)
_HOST = re.compile(r"[a-z0-9][a-z0-9.-]*\.amazonaws\.com")  # how every eventSource is spelled
_VERSION = re.compile(r"(?:\d{8}(?:v\d+)?|\d{4}_\d{2}_\d{2})$")  # CreateFunction20150331v2, ...2020_05_31


@dataclass(frozen=True)
class Reach:
    """``events``: the real events the alternative can match (some perhaps only under further
    conditions); ``bounded``: False when it names neither eventSource nor eventName;
    ``undecided``: why part of it is beyond the catalogue; ``dead``: why it can match no real
    event (empty when it can, or when the catalogue cannot tell)."""

    events: tuple[Event, ...] = ()
    bounded: bool = True
    undecided: tuple[str, ...] = ()
    dead: str = ""
    dead_on: Literal["", "source", "name", "facts"] = ""  # what made it dead


def known_of(e: Event) -> Known:
    """The facts of every record of ``e``, for ``decide``."""
    return Known(e.name, facts(e))


def reach(conj: Conjunct) -> Reach:
    """The real events ``conj`` (one alternative, as atoms) can match."""
    on_source = [a for a in conj if field_path(a.selector) == SOURCE]
    on_name = [a for a in conj if field_path(a.selector) == NAME]
    if not on_source and not on_name:
        return Reach(bounded=False)
    pins = pins_of(conj)
    sources, why = _sources(on_source, pins.get(SOURCE))
    if why:
        return Reach(dead=why, dead_on="source")
    if not sources:
        return Reach(undecided=(f"eventSource {pins.get(SOURCE)!r} is not in the catalogue",))
    undecided: list[str] = []
    found: list[Event] = []
    rejected = ""
    for source in sources:
        if on_name and open_names(source) and pins.get(NAME) is None:
            undecided.append(f"{source}: {open_names(source)}")
            continue
        for name in _names(source, on_name, pins.get(NAME)):
            e = event(source, name)
            if e is None:
                continue
            if pins.get(NAME) not in (None, name):  # a versioned name: the record carries it whole
                e = replace(e, name=pins[NAME])
            d = decide((), conj, known=known_of(e))
            if d.holds:
                found.append(e)
            else:
                rejected = rejected or d.reason
    if found or undecided:
        return Reach(tuple(found), True, tuple(undecided))
    if rejected:
        return Reach(dead=rejected, dead_on="facts")
    return Reach(dead=_no_name(sources, on_name, pins.get(NAME)), dead_on="name")


def _sources(atoms: list[Atom], pinned: str | None) -> tuple[list[str], str]:
    """The catalogue's sources the atoms admit, and why none can be (a dead alternative)."""
    if pinned is not None:
        if known_source(pinned):
            return [pinned], ""
        if _HOST.fullmatch(pinned):
            return [], ""  # a well-formed source the catalogue does not list: undecided
        close = _closest(pinned, known_sources())
        hint = f"; did you mean {close}?" if close else ""
        return [], f"no CloudTrail event has eventSource {pinned!r} (eventSources are lower-case host names){hint}"
    admitted = [s for s in known_sources() if all(_holds(a, SOURCE, s) for a in atoms)]
    if not admitted:
        shown = " && ".join(render_atom(a) for a in atoms)
        return [], f"no eventSource of the catalogue satisfies {shown}"
    return admitted, ""


def _names(source: str, atoms: list[Atom], pinned: str | None) -> list[str]:
    ops = operations(source)
    if pinned is not None:
        if open_names(source):  # the operation's name, perhaps with its API version after it
            base = _VERSION.sub("", pinned)
            return [base] if base in ops else []
        return [pinned] if pinned in ops else []
    return sorted(n for n in ops if all(_holds(a, NAME, n) for a in atoms))


def _no_name(sources: list[str], atoms: list[Atom], pinned: str | None) -> str:
    where = sources[0] if len(sources) == 1 else "any source"
    if pinned is not None:
        close = _closest(pinned, sorted({n for s in sources for n in operations(s)}))
        hint = f"; did you mean {close}?" if close else ""
        return f"{where} writes no event named {pinned!r}{hint}"
    return f"no event of {where} satisfies " + " && ".join(render_atom(a) for a in atoms)


@lru_cache(maxsize=65536)
def _holds(atom: Atom, path: tuple[str, ...], value: str) -> bool:
    return atom_on_value(atom, path, value)


def _closest(value: str, names: list[str]) -> str | None:
    by_lower = {n.lower(): n for n in names}
    if value.lower() in by_lower:
        return by_lower[value.lower()]
    close = difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=0.8)
    return by_lower[close[0]] if close else None
