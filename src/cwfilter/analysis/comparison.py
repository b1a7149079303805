"""``cwfilter compare``: do two patterns match the same events?

Where both patterns are JSON patterns whose alternatives the analysis can read, the answer
is a proof: every alternative of each is contained in an alternative of the other (each
atom of the container is decided true under the contained one's atoms), or an alternative
is not, and then a record built from it shows the difference. Records generated from both
patterns' atoms, and the log events of ``--events`` files, give examples either way; every
example is run through the engine before it is shown.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from ..cloudtrail import ABSENT, operations, value_at
from ..pattern import FilterPattern, ast
from ..pattern import compile as compile_pattern
from .cloudtrail import atom_holds
from .decision import contradiction, decide_atom, pins_of
from .normal_form import Conjunct, TooComplex, dnf, field_path, render_conjunct
from .witness import candidate_values, set_path

Verdict = Literal["equivalent", "different", "no difference found"]
MAX_EXAMPLES = 5


@dataclass(frozen=True)
class Example:
    """A log event message matched by one pattern and not the other, and where it came from."""

    message: str
    origin: str
    matched_by: Literal["old", "new"]

    def to_json(self) -> dict[str, Any]:
        """As JSON-ready data (what ``--output json`` prints of it)."""
        return {"message": self.message, "origin": self.origin, "matchedBy": self.matched_by}


@dataclass(frozen=True)
class PatternComparison:
    """``verdict``: ``equivalent`` (proven), ``different`` (an example exists) or ``no difference
    found`` (none among the generated and given events, but not proven); ``proof`` says how."""

    old: str
    new: str
    verdict: Verdict
    proof: str
    only_old: tuple[Example, ...] = ()
    only_new: tuple[Example, ...] = ()
    events_checked: int = 0

    def to_json(self) -> dict[str, Any]:
        """As JSON-ready data (what ``--output json`` prints of it)."""
        return {
            "old": self.old, "new": self.new, "verdict": self.verdict, "proof": self.proof,
            "onlyOld": [e.to_json() for e in self.only_old], "onlyNew": [e.to_json() for e in self.only_new],
            "eventsChecked": self.events_checked,
        }  # fmt: skip


def compare(
    old: str | FilterPattern, new: str | FilterPattern, events: Iterable[tuple[str, bytes]] = ()
) -> PatternComparison:
    """Compare two patterns; ``events`` are extra ``(origin, message)`` pairs to try (log files)."""
    a = compile_pattern(old) if isinstance(old, str) else old
    b = compile_pattern(new) if isinstance(new, str) else new
    proof = _prove(a, b)
    candidates = itertools.chain(_generated(a, b), events)
    only_old: list[Example] = []
    only_new: list[Example] = []
    checked = 0
    for origin, message in candidates:
        checked += 1
        in_a, in_b = a.matches(message), b.matches(message)
        if in_a != in_b:
            side = only_old if in_a else only_new
            if len(side) < MAX_EXAMPLES:
                side.append(Example(message.decode("utf-8", "replace"), origin, "old" if in_a else "new"))
    if proof is not None and proof[0]:
        verdict: Verdict = "equivalent"
        why = proof[1]
    elif proof is not None or only_old or only_new:
        verdict, why = "different", proof[1] if proof else "the examples below match one pattern only"
    else:
        verdict = "no difference found"
        why = (proof[1] if proof else "the analysis cannot read these patterns") + f"; none of {checked} events differs"
    return PatternComparison(a.text, b.text, verdict, why, tuple(only_old), tuple(only_new), checked)


# ------------------------------------------------------------------ proof


def _alternatives(fp: FilterPattern) -> list[Conjunct] | None:
    if isinstance(fp.ast, ast.MatchAll):
        return [()]
    if not isinstance(fp.ast, ast.JsonPattern):
        return None
    try:
        return [c for c in dnf(fp.ast.expr) if contradiction(c) is None]
    except TooComplex:
        return None


def _contained(inner: Conjunct, outer: Conjunct) -> bool:
    """Every record satisfying ``inner`` satisfies ``outer`` (sufficient, not necessary)."""
    pins = pins_of(inner)
    return all(decide_atom(atom, inner, pins, False)[0] is True for atom in outer)


def _uncovered(xs: list[Conjunct], ys: list[Conjunct]) -> Conjunct | None:
    return next((x for x in xs if not any(_contained(x, y) for y in ys)), None)


def _exact(conj: Conjunct) -> bool:
    return all(pins_of((a,)) for a in conj)


def _prove(a: FilterPattern, b: FilterPattern) -> tuple[bool, str] | None:
    """(True, why) when proven equivalent, (False, why) when an alternative is provably not
    covered (equalities only, where containment in one alternative is also necessary), else None."""
    if a.ast == b.ast:
        return True, f"proven: both are the canonical pattern {a}"
    xs, ys = _alternatives(a), _alternatives(b)
    if xs is None or ys is None:
        return None
    left, right = _uncovered(xs, ys), _uncovered(ys, xs)
    if left is None and right is None:
        return True, (f"proven: each of the {len(xs)} alternatives of OLD is contained in one of the {len(ys)} "
                      "alternatives of NEW, and each of NEW in one of OLD")  # fmt: skip
    if all(_exact(c) for c in xs + ys):
        side, conj = ("OLD", left) if left is not None else ("NEW", right)
        return False, f"proven: {side}'s alternative {render_conjunct(conj)} is in no alternative of the other"  # type: ignore[arg-type]
    return None


# ------------------------------------------------------------------ generated events


def _generated(a: FilterPattern, b: FilterPattern) -> Iterable[tuple[str, bytes]]:
    """Messages built from both patterns, first one satisfying each alternative of either, then
    their one-field variations: for JSON from the atoms, for terms the terms' texts, for
    space-delimited the slots' values."""
    seen: set[bytes] = set()
    firsts = [_from_pattern(fp) for fp in (a, b)]
    for origin, message in itertools.chain(*(f[0] for f in firsts), *(f[1] for f in firsts)):
        if message not in seen:
            seen.add(message)
            yield origin, message


Generated = list[tuple[str, bytes]]


def _from_pattern(fp: FilterPattern) -> tuple[Generated, Generated]:
    tree = fp.ast
    if isinstance(tree, ast.JsonPattern):
        return _json_records(tree)
    if isinstance(tree, ast.TermsPattern):
        texts = [t.text for t in tree.terms]
        combos = (c for n in range(len(texts) + 1) for c in itertools.islice(itertools.combinations(texts, n), 32))
        return [("generated from the terms", " ".join(c).encode()) for c in combos], []
    if isinstance(tree, ast.SpacePattern):
        return list(_space_messages(tree)), []
    return [], []


def _json_records(tree: ast.JsonPattern) -> tuple[Generated, Generated]:
    try:
        conjuncts = dnf(tree.expr)
    except TooComplex:
        return [], []
    primary: Generated = []
    varied: Generated = []
    for conj in conjuncts:
        record = _satisfying_record(conj)
        origin = f"generated from {render_conjunct(conj)}"
        primary.append((origin, orjson.dumps(record)))
        for name in _operations_named(conj, record):
            primary.append((origin + ", a real operation", orjson.dumps(set_path(record, ("eventName",), name))))
        for atom in conj:
            path = field_path(atom.selector)
            if path is None:
                continue
            for value in candidate_values(atom):
                if value is not ABSENT or _has(record, path):
                    varied.append((origin + ", varied", orjson.dumps(set_path(record, path, value))))
    return primary, varied


def _operations_named(conj: Conjunct, record: dict[str, Any]) -> list[str]:
    """Up to three operations of the pinned ``eventSource`` that satisfy the conjunct's
    ``eventName`` atoms (the catalogue's names: ``PutBucket*`` gives ``PutBucketAccelerateConfiguration``, ...)."""
    source = pins_of(conj).get(("eventSource",))
    names = [a for a in conj if field_path(a.selector) == ("eventName",)]
    if not source or not names or ("eventName",) in pins_of(conj):
        return []
    ops = sorted(operations(source))
    return [op for op in ops if all(atom_holds(a, set_path(record, ("eventName",), op)) for a in names)][:3]


def _has(record: dict[str, Any], path: tuple[str, ...]) -> bool:
    return value_at(record, path) is not ABSENT


def _satisfying_record(conj: Conjunct) -> dict[str, Any]:
    """A minimal record satisfying as many of the conjunct's atoms as candidate values allow."""
    record: dict[str, Any] = {}
    by_path: dict[tuple[str, ...], list[Any]] = {}
    for atom in conj:
        path = field_path(atom.selector)
        if path is not None:
            by_path.setdefault(path, []).append(atom)
    for path, atoms in by_path.items():
        for value in (v for atom in atoms for v in candidate_values(atom)):
            trial = set_path(record, path, value) if value is not ABSENT else record
            if all(atom_holds(a, trial) for a in atoms):
                record = trial
                break
    return record


def _space_messages(tree: ast.SpacePattern) -> Iterable[tuple[str, bytes]]:
    options: list[list[str]] = []
    for slot in tree.slots:
        if isinstance(slot, ast.Field) and slot.condition is not None:
            options.append(list(dict.fromkeys(_field_values(slot.condition)))[:4])
        else:
            options.append(["x"])
    for combo in itertools.islice(itertools.product(*options), 64):
        yield "generated from the slots", " ".join(v if v and " " not in v else f'"{v}"' for v in combo).encode()


def _field_values(expr: ast.FieldExpr) -> Iterable[str]:
    if isinstance(expr, (ast.FieldAnd, ast.FieldOr)):
        for item in expr.items:
            yield from _field_values(item)
        return
    for value in candidate_values(ast.Comparison(ast.Selector((ast.Member("f"),)), expr.op, expr.value)):
        if value is not ABSENT and value is not None and not isinstance(value, bool):
            yield str(value)


# ------------------------------------------------------------------ given log files


def events_from_files(paths: list[str], problems: list[str]) -> Iterator[tuple[str, bytes]]:
    """``(origin, message)`` of every log event in ``paths`` (files, directories, ``-``, ``s3://``),
    read with the project's readers; files skipped and records that cannot be read are appended
    to ``problems`` (reported by the caller, never dropped silently)."""
    from ..sources import Item, Problem, Skip, discover, read_items

    files, skipped = discover(paths)
    problems.extend(f"{n.source}: {'failed' if n.kind.failed else 'skipped'} ({n.reason})" for n in skipped)
    for ref in files:
        for item in read_items(ref):
            if isinstance(item, Item):
                message = item.message if item.message is not None else orjson.dumps(item.record)
                yield f"{ref.name}#{item.index}", message
            elif isinstance(item, Problem):
                where = ref.name if item.index is None else f"{ref.name}#{item.index}"
                problems.append(f"{where}: {item.reason}")
            elif isinstance(item, Skip):
                problems.append(f"{ref.name}: skipped ({item.reason})")
