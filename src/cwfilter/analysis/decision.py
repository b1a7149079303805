"""One conjunct of a pattern under the assumptions of another: which atoms are true,
which are false, and which remain as conditions.

The assumptions are a required event's atoms (``$.eventSource = "s3.amazonaws.com" &&
$.eventName = "PutBucketAcl"``). Exact string equalities *pin* a field to one value, and
every atom on a pinned field is then decided by the engine itself on a minimal record.
An atom that is one of the assumptions, or that a glob assumption implies, is true. With
``cloudtrail=True`` the record schema decides atoms on fields CloudTrail never writes or
always writes. With ``known`` (what the CloudTrail catalogue says every record of one real
event holds: ``readOnly`` false, ``eventType`` AwsApiCall, ``requestParameters.bucketName``
present ...) the atoms it decides are true or false too, and those found true are kept as
notes (``noted``). Every other atom is a condition. Only provable contradictions drop a
conjunct, so a dropped conjunct really can never hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..cloudtrail import NUMBER, OBJECT, PRESENT
from ..pattern import ast
from ..pattern.glob import pieces_of
from .cloudtrail import atom_on_value, requires_field, schema_verdict
from .normal_form import Atom, Conjunct, dotted, field_path, render_atom

# A string operand that a JSON number's text may equal: pinning it to a string would be incomplete.
_NUMBER_LIKE = re.compile(r"[-+0-9.eE]+|-?inf|nan")


@dataclass(frozen=True)
class Decision:
    """``holds``: the conjunct can hold; ``conditions``: atoms still undecided (none: it always holds);
    ``reason``: why it cannot hold (when ``holds`` is False)."""

    holds: bool
    conditions: Conjunct = ()
    reason: str = ""
    decisive: Atom | None = None  # the atom found false
    noted: Conjunct = ()  # atoms true only because every record of the known event makes them so


@dataclass(frozen=True)
class Known:
    """What every record of one real event holds (``cloudtrail.facts``): by field path, an
    exact value or ``PRESENT``; ``label`` names the event in reasons (``PutBucketAcl``)."""

    label: str
    values: dict[tuple[str, ...], Any] = field(hash=False)

    def verdict(self, atom: Atom) -> tuple[bool | None, str]:
        """True/False when the facts decide the atom (with the reason when False), else None."""
        path = field_path(atom.selector)
        if path is None:
            return None, ""
        if path not in self.values:
            # below a field that is present with an unknown (scalar) value nothing is known
            return None, ""
        value = self.values[path]
        if value is PRESENT or value is OBJECT or value is NUMBER:
            verdict = _on_present(atom, value is OBJECT)
        else:
            verdict = atom_on_value(atom, path, value)
        if verdict is False:
            return False, f"{render_atom(atom)} is false for every {self.label} record"
        return verdict, ""


def _on_present(atom: Atom, is_object: bool) -> bool | None:
    """An atom on a field written in every record: a string or number of unknown value, or an
    object (on which every comparison is false)."""
    if isinstance(atom, ast.Check):
        return False  # NOT EXISTS, IS NULL, IS TRUE, IS FALSE
    if is_object:
        return False
    if atom.op == "=" and isinstance(atom.value, ast.StringValue) and atom.value.text and set(atom.value.text) == {"*"}:
        return True
    return None


def pin_of(atom: Atom) -> tuple[tuple[str, ...], str] | None:
    """``(path, value)`` when the atom fixes a member-only field to one string exactly."""
    if not (isinstance(atom, ast.Comparison) and atom.op == "=" and isinstance(atom.value, ast.StringValue)):
        return None
    text = atom.value.text
    path = field_path(atom.selector)
    if path is None or "*" in text or _NUMBER_LIKE.fullmatch(text):
        return None
    return path, text


def pins_of(atoms: Conjunct) -> dict[tuple[str, ...], str]:
    """The fields the atoms pin (the first pin of a field wins)."""
    pins: dict[tuple[str, ...], str] = {}
    for atom in atoms:
        pin = pin_of(atom)
        if pin is not None:
            pins.setdefault(pin[0], pin[1])
    return pins


def _glob_implies(given: Atom, atom: Atom) -> bool:
    """Whether every value satisfying ``given`` satisfies ``atom`` (both ``=`` globs on one selector),
    under AWS's first-occurrence rule (§11.1): only prefix, containment and ``*`` are safe."""
    if not (
        isinstance(given, ast.Comparison) and isinstance(atom, ast.Comparison) and given.op == atom.op == "="
        and isinstance(given.value, ast.StringValue) and isinstance(atom.value, ast.StringValue)
        and given.selector == atom.selector and not given.selector.wildcards
    ):  # fmt: skip
        return False
    want, have = pieces_of(atom.value.text), pieces_of(given.value.text)
    if len(want) == 1 or len(have) == 1:
        return False  # exact operands: equal ones are identical atoms, handled before
    if not any(want):
        return True
    if len(want) == 2 and want[1] == "":
        return have[0].startswith(want[0])
    if len(want) == 3 and want[0] == want[2] == "":
        return any(want[1] in piece for piece in have)
    return False


def decide_atom(
    atom: Atom, given: Conjunct, pins: dict[tuple[str, ...], str], cloudtrail: bool
) -> tuple[bool | None, str]:
    """True, False (with the reason) or None (a condition) for one atom under the assumptions."""
    if atom in given:
        return True, ""
    path = field_path(atom.selector)
    if path is not None and path in pins:
        value = pins[path]
        if atom_on_value(atom, path, value):
            return True, ""
        return False, _pinned_reason(atom, path, value)
    if cloudtrail:
        verdict = schema_verdict(atom)
        if verdict is not None:
            return verdict, "" if verdict else _schema_reason(atom, path)
    if any(_glob_implies(g, atom) for g in given):
        return True, ""
    return None, ""


def _pinned_reason(atom: Atom, path: tuple[str, ...], value: str) -> str:
    name = dotted(path)
    if isinstance(atom, ast.Comparison) and atom.op == "=" and isinstance(atom.value, ast.StringValue):
        return f"{name} {atom.value.text!r} is not {value!r}"
    return f"{render_atom(atom)} is false when {name} is {value!r}"


def _schema_reason(atom: Atom, path: tuple[str, ...] | None) -> str:
    name = dotted(path) if path else render_atom(atom)
    if isinstance(atom, ast.Check) and atom.kind == "NOT EXISTS":
        return f"CloudTrail writes {name} in every record, so {render_atom(atom)} is false"
    return f"{name} is not a field of CloudTrail records, so {render_atom(atom)} is false"


def decide(given: Conjunct, conjunct: Conjunct, *, cloudtrail: bool = True, known: Known | None = None) -> Decision:
    """Whether ``conjunct`` can hold for records satisfying ``given`` (and, with ``known``,
    being records of that real event), and under which conditions."""
    pins = pins_of(given)
    conditions: list[Atom] = []
    noted: list[Atom] = []
    for atom in conjunct:
        verdict, reason = decide_atom(atom, given, pins, cloudtrail)
        if verdict is None and known is not None:
            verdict, reason = known.verdict(atom)
            if verdict:
                noted.append(atom)
        if verdict is False:
            return Decision(False, reason=reason, decisive=atom)
        if verdict is None:
            conditions.append(atom)
    clash = contradiction(tuple(given) + tuple(conditions))
    if clash is not None:
        a, b = clash
        return Decision(False, reason=f"{render_atom(a)} contradicts {render_atom(b)}", decisive=a)
    return Decision(True, tuple(dict.fromkeys(conditions)), noted=tuple(dict.fromkeys(noted)))


def contradiction(atoms: Conjunct) -> tuple[Atom, Atom] | None:
    """Two atoms that cannot both hold on one record, or None. Sound, not complete: only
    atoms on one wildcard-free selector are compared."""
    by_selector: dict[ast.Selector, list[Atom]] = {}
    for atom in atoms:
        if not atom.selector.wildcards:
            by_selector.setdefault(atom.selector, []).append(atom)
    for group in by_selector.values():
        clash = _clash_in(group)
        if clash is not None:
            return clash
    return None


def _clash_in(group: list[Atom]) -> tuple[Atom, Atom] | None:
    pinned = next((a for a in group if pin_of(a) is not None), None)
    if pinned is not None:
        path, value = pin_of(pinned)  # type: ignore[misc]
        for other in group:
            if other is not pinned and not atom_on_value(other, path, value):
                return pinned, other
    absent = next((a for a in group if not requires_field(a)), None)
    if absent is not None:
        present = next((a for a in group if requires_field(a)), None)
        if present is not None:
            return present, absent
    for a in group:
        for b in group:
            if _opposite(a, b):
                return a, b
    checks = {a.kind: a for a in group if isinstance(a, ast.Check)}
    if len(checks) > 1:
        first, second = list(checks.values())[:2]
        return first, second
    if checks:
        ((kind, check),) = checks.items()
        for other in group:
            # A comparison is false on true/false, and on null only ``= *`` holds (§4.4).
            if isinstance(other, ast.Comparison) and not (kind == "IS NULL" and _matches_null(other)):
                return check, other
    return None


def _matches_null(atom: ast.Comparison) -> bool:
    v = atom.value
    return atom.op == "=" and isinstance(v, ast.StringValue) and v.text != "" and set(v.text) == {"*"}


def _opposite(a: Atom, b: Atom) -> bool:
    """``$.x = v`` and ``$.x != v`` with the same operand (one node: they negate each other)."""
    return (
        isinstance(a, ast.Comparison) and isinstance(b, ast.Comparison)
        and a.op == "=" and b.op == "!=" and a.value == b.value
    )  # fmt: skip
