"""Which of a rule's required events a filter pattern matches, under which conditions, and
what else it admits (issue 14 item 1; used by lint, compare and the audit).

A rule's required events are the conjuncts of its canonical pattern in disjunctive normal
form: CWL-012 requires nine (``s3.amazonaws.com`` × nine event names); the unauthorized-calls
rule requires two (``errorCode = "*UnauthorizedOperation"``, ``errorCode = "AccessDenied*"``).
A JSON pattern is decided symbolically (``decision.py``); other patterns, and JSON patterns
whose expansion is too large, by witness records run through the engine (``witness.py``).

Both follow the CloudTrail catalogue (``cwfilter.cloudtrail``): a required event that names
an eventName stands for the real events of that name (from the rule's eventSource, or from
the one source all the rule's names share: ``ec2.amazonaws.com`` for the route-table rule),
a condition that every record of such an event satisfies leaves it COVERED with a note, an
alternative that can match no real event is *dead* (not breadth), and breadth is the real
events outside the rule, named.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from ..cloudtrail import Event, event, sources_of
from ..pattern import FilterPattern, ast
from ..pattern import compile as compile_pattern
from ..rules import Rule, find_rule
from .decision import Decision, decide, decide_atom, pins_of
from .normal_form import Conjunct, TooComplex, dnf, dotted, render_atom, render_conjunct
from .reach import known_of, reach

MAX_BREADTH = 12  # real events named per alternative; the rest are counted

Status = Literal["COVERED", "CONDITIONAL", "MISSED"]
_RANK = {"MISSED": 0, "CONDITIONAL": 1, "COVERED": 2}


@dataclass(frozen=True)
class RequiredEvent:
    """One event a rule requires: the fields it pins (``eventSource``, ``eventName``) and any
    further requirement (``requires``, rendered atoms), as one conjunct of the canonical pattern."""

    fields: dict[str, str] = field(hash=False)
    label: str
    requires: tuple[str, ...] = ()
    atoms: Conjunct = field(default=(), repr=False)
    real: tuple[Event, ...] = field(default=(), repr=False, compare=False)

    def __hash__(self) -> int:
        return hash(self.atoms)

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "fields": dict(self.fields), "requires": list(self.requires),
                "real": [e.label for e in self.real]}  # fmt: skip


@dataclass(frozen=True)
class EventVerdict:
    """COVERED (every such event matches), CONDITIONAL (only when ``conditions`` hold) or MISSED.

    ``conditions``: the alternatives under which the event matches, each rendered as atoms
    joined by ``&&`` (any one alternative suffices); ``reason``: why it is MISSED or CONDITIONAL;
    ``notes``: conditions of the pattern that every real record of the event satisfies
    (``$.readOnly IS FALSE: always true for PutBucketAcl records``)."""

    event: RequiredEvent
    status: Status
    conditions: tuple[str, ...] = ()
    reason: str = ""
    alternatives: tuple[Conjunct, ...] = field(default=(), repr=False, compare=False)
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.event.to_json(), "status": self.status,
            "conditions": list(self.conditions), "reason": self.reason, "notes": list(self.notes),
        }  # fmt: skip


@dataclass(frozen=True)
class Coverage:
    """A pattern's (or several patterns') coverage of one rule."""

    rule_id: str
    patterns: tuple[str, ...]
    events: tuple[EventVerdict, ...]
    breadth: tuple[str, ...] = ()
    never_matches: bool = False
    always_matches: bool = False
    method: Literal["symbolic", "witness"] = "symbolic"
    dead: tuple[str, ...] = ()
    undecided: tuple[str, ...] = ()

    @property
    def missed(self) -> tuple[EventVerdict, ...]:
        return tuple(v for v in self.events if v.status == "MISSED")

    @property
    def conditional(self) -> tuple[EventVerdict, ...]:
        return tuple(v for v in self.events if v.status == "CONDITIONAL")

    @property
    def covers_all(self) -> bool:
        return all(v.status == "COVERED" for v in self.events)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule_id, "patterns": list(self.patterns), "method": self.method,
            "coversAll": self.covers_all, "neverMatches": self.never_matches,
            "alwaysMatches": self.always_matches, "breadth": list(self.breadth),
            "dead": list(self.dead), "undecided": list(self.undecided),
            "events": [v.to_json() for v in self.events],
        }  # fmt: skip


# ------------------------------------------------------------------ required events


def required_events(rule: Rule | str) -> tuple[RequiredEvent, ...]:
    """The rule's required events: the conjuncts of its canonical pattern, in order."""
    rule = find_rule(rule) if isinstance(rule, str) else rule
    return _required(rule.filter_pattern)


@lru_cache(maxsize=64)
def _required(text: str) -> tuple[RequiredEvent, ...]:
    tree = compile_pattern(text).ast
    assert isinstance(tree, ast.JsonPattern), "catalogue patterns are JSON patterns"
    conjuncts = dnf(tree.expr)
    scope = _scope(conjuncts)
    return tuple(_event(conj, scope) for conj in conjuncts)


def _scope(conjuncts: tuple[Conjunct, ...]) -> frozenset[str] | None:
    """The eventSources the rule's events come from when it names none: those that write every
    eventName the rule names (``ec2.amazonaws.com`` for the route-table rule; ``iam`` for
    the IAM policy rule, whose CreatePolicy Organizations also writes); None when none does."""
    names = {p[("eventName",)] for p in map(pins_of, conjuncts) if ("eventName",) in p and ("eventSource",) not in p}
    if not names:
        return None
    common = set.intersection(*(set(sources_of(n)) for n in names))
    return frozenset(common) or None


def _real(pins: dict[tuple[str, ...], str], scope: frozenset[str] | None) -> tuple[Event, ...]:
    name = pins.get(("eventName",))
    if name is None:
        return ()
    source = pins.get(("eventSource",))
    sources = [source] if source else [s for s in sources_of(name) if scope is None or s in scope]
    return tuple(e for s in sources if (e := event(s, name)) is not None)


def _event(conj: Conjunct, scope: frozenset[str] | None = None) -> RequiredEvent:
    pins = pins_of(conj)
    fields = {dotted(path): value for path, value in pins.items()}
    real = _real(pins, scope)
    if "eventName" not in fields:
        return RequiredEvent(fields, render_conjunct(conj), (), conj)
    named = {("eventName",), ("eventSource",)}
    rest = tuple(render_atom(a) for a in conj if not any(_pins(a, p) for p in named))
    label = fields["eventName"] + (f" ({fields['eventSource']})" if "eventSource" in fields else "")
    label += "".join(f" where {r}" for r in rest)
    requires = tuple(render_atom(a) for a in conj if not any(_pins(a, p) for p in pins))
    return RequiredEvent(fields, label, requires, conj, real)


def _pins(atom: Any, path: tuple[str, ...]) -> bool:
    return pins_of((atom,)).get(path) is not None


# ------------------------------------------------------------------ coverage


def coverage(pattern: str | FilterPattern, rule: Rule | str) -> Coverage:
    """Which of ``rule``'s required events ``pattern`` matches (see the module docstring)."""
    fp = compile_pattern(pattern) if isinstance(pattern, str) else pattern
    rule = find_rule(rule) if isinstance(rule, str) else rule
    events = required_events(rule)
    conjuncts: tuple[Conjunct, ...] | None = None
    if isinstance(fp.ast, ast.JsonPattern):
        try:
            conjuncts = dnf(fp.ast.expr)
        except TooComplex:
            conjuncts = None
    if conjuncts is None:
        from .witness import witness_coverage

        return witness_coverage(fp, rule.id, events)
    return symbolic_coverage(str(fp), rule.id, events, conjuncts)


def symbolic_coverage(
    text: str, rule_id: str, events: tuple[RequiredEvent, ...], conjuncts: tuple[Conjunct, ...]
) -> Coverage:
    """Coverage of ``events`` by a pattern given as its DNF conjuncts."""
    alone = [(c, decide((), c)) for c in conjuncts]
    live = [(c, d) for c, d in alone if d.holds]
    dead = [f"{render_conjunct(c)}: {d.reason}" for c, d in alone if not d.holds]
    breadth: list[str] = []
    undecided: list[str] = []
    if all(ev.real for ev in events):  # the rule names real events: the catalogue judges each alternative
        wanted = {(e.source, e.name) for ev in events for e in ev.real}
        kept = []
        for c, d in live:
            r = reach(c)  # even an alternative inside the rule's atoms may reach other sources' namesakes
            if r.dead:
                dead.append(f"{render_conjunct(c)}: {r.dead}")
                continue
            kept.append((c, d))
            if r.bounded or not any(_contained(c, ev) for ev in events):
                breadth += _named(c, d, r, wanted)
            undecided += [f"{render_conjunct(c)}: {u}" for u in r.undecided]
    else:
        kept = live
        breadth = [render_conjunct(d.conditions) for c, d in live if not any(_contained(c, ev) for ev in events)]
    if kept:  # verdicts over every alternative the schema allows: a typo's near miss names the typo
        verdicts = tuple(_verdict(ev, tuple(c for c, _ in live)) for ev in events)
    else:
        why = "the pattern never matches a CloudTrail record: " + "; ".join(dict.fromkeys(dead))
        verdicts = tuple(EventVerdict(ev, "MISSED", reason=why) for ev in events)
    return Coverage(
        rule_id, (text,), verdicts, tuple(dict.fromkeys(breadth)),
        never_matches=not kept, always_matches=any(not d.conditions for _, d in kept),
        dead=tuple(dict.fromkeys(dead)), undecided=tuple(dict.fromkeys(undecided)),
    )  # fmt: skip


def _named(c: Conjunct, d: Decision, r: Any, wanted: set[tuple[str, str]]) -> list[str]:
    """The breadth of one alternative: the real events it reaches outside the rule, named
    (at most ``MAX_BREADTH``, then a count); the alternative itself when it is unbounded."""
    if not r.bounded:
        return [render_conjunct(d.conditions)]
    extra = [e.label for e in r.events if (e.source, e.name) not in wanted]
    if len(extra) > MAX_BREADTH:
        return [*extra[:MAX_BREADTH], f"... and {len(extra) - MAX_BREADTH} more events ({render_conjunct(c)})"]
    return extra


def _verdict(event: RequiredEvent, conjuncts: tuple[Conjunct, ...]) -> EventVerdict:
    """The worst verdict over the real events the required event stands for (or, where the
    catalogue lists none, the verdict under the rule's own atoms)."""
    if not event.real:
        return _verdict_under(event, conjuncts, None)
    verdicts = [_verdict_under(event, conjuncts, e) for e in event.real]
    return min(verdicts, key=lambda v: _RANK[v.status])


def _verdict_under(event: RequiredEvent, conjuncts: tuple[Conjunct, ...], real: Event | None) -> EventVerdict:
    known = known_of(real) if real is not None else None
    decisions = [decide(event.atoms, c, known=known) for c in conjuncts]
    full = [d for d in decisions if d.holds and not d.conditions]
    if full:
        best = min(full, key=lambda d: len(d.noted))
        label = real.name if real is not None else event.label
        notes = tuple(f"{render_atom(a)}: always true for {label} records" for a in best.noted)
        return EventVerdict(event, "COVERED", notes=notes)
    alternatives = _absorbed(tuple(dict.fromkeys(d.conditions for d in decisions if d.holds)))
    if alternatives:
        rendered = tuple(render_conjunct(a) for a in alternatives)
        reason = "matches only when " + " or ".join(rendered)
        return EventVerdict(event, "CONDITIONAL", rendered, reason, alternatives)
    return EventVerdict(event, "MISSED", reason=_missed_reason(event, decisions))


def _absorbed(alternatives: tuple[Conjunct, ...]) -> tuple[Conjunct, ...]:
    """The alternatives without those that hold only where a weaker one (a subset of its atoms) holds."""
    sets = [frozenset(a) for a in alternatives]
    return tuple(a for a, s in zip(alternatives, sets) if not any(t < s for t in sets))


def _missed_reason(event: RequiredEvent, decisions: list[Decision]) -> str:
    """The reason of the alternative that came closest: a near miss on a pinned field (a typo)
    is named; otherwise, when every alternative fails on one pinned field, that field's value."""
    if not decisions:
        return "the pattern has no alternative"
    best = max(decisions, key=lambda d: _similarity(d, event))
    if _similarity(best, event) >= 0.9:
        return best.reason
    paths = {_pinned_path(d.decisive) for d in decisions}
    pins = pins_of(event.atoms)
    if len(paths) == 1 and (path := paths.pop()) in pins:
        return f"no alternative admits {dotted(path)} {pins[path]!r}"
    return best.reason


def _pinned_path(atom: Any) -> tuple[str, ...] | None:
    if atom is None:
        return None
    return tuple(s.name for s in atom.selector.steps if isinstance(s, ast.Member))


def _similarity(decision: Decision, event: RequiredEvent) -> float:
    atom = decision.decisive
    if not isinstance(atom, ast.Comparison) or not isinstance(atom.value, ast.StringValue):
        return 0.0
    pinned = pins_of(event.atoms)
    path = tuple(s.name for s in atom.selector.steps if isinstance(s, ast.Member))
    if path not in pinned:
        return 0.0
    return difflib.SequenceMatcher(None, atom.value.text.lower(), pinned[path].lower()).ratio()


def _contained(conjunct: Conjunct, event: RequiredEvent) -> bool:
    """Whether every record satisfying ``conjunct`` satisfies the event's conjunct."""
    pins = pins_of(conjunct)
    return all(decide_atom(a, conjunct, pins, True)[0] is True for a in event.atoms)


# ------------------------------------------------------------------ union


def union(coverages: Iterable[Coverage]) -> Coverage:
    """The coverage of several filters together (an event is matched if any filter matches it)."""
    items = list(coverages)
    if not items:
        raise ValueError("union() needs at least one coverage")
    rule_ids = {c.rule_id for c in items}
    if len(rule_ids) != 1:
        raise ValueError(f"coverages of different rules: {sorted(rule_ids)}")
    events = tuple(_best(vs) for vs in zip(*(c.events for c in items)))
    return Coverage(
        items[0].rule_id,
        tuple(p for c in items for p in c.patterns),
        events,
        tuple(dict.fromkeys(b for c in items for b in c.breadth)),
        never_matches=all(c.never_matches for c in items),
        always_matches=any(c.always_matches for c in items),
        method="symbolic" if all(c.method == "symbolic" for c in items) else "witness",
    )


def _best(verdicts: tuple[EventVerdict, ...]) -> EventVerdict:
    top = max(verdicts, key=lambda v: _RANK[v.status])
    if top.status != "CONDITIONAL":
        return top
    conditional = [v for v in verdicts if v.status == "CONDITIONAL"]
    alternatives = _absorbed(tuple(dict.fromkeys(a for v in conditional for a in v.alternatives)))
    if all(v.alternatives for v in conditional):
        conditions = tuple(render_conjunct(a) for a in alternatives)
    else:  # witness verdicts: the conditions are the labels of the witness records that matched
        conditions = tuple(dict.fromkeys(c for v in conditional for c in v.conditions))
    return EventVerdict(
        top.event, "CONDITIONAL", conditions, "matches only when " + " or ".join(conditions), alternatives
    )
