"""Witness records: CloudTrail records generated from a rule's required events and a
pattern's atoms, run through the engine.

They decide the coverage of patterns the symbolic analysis does not read (terms, regex,
space-delimited, JSON patterns too large to expand), and they cross-check the symbolic
verdicts: for a record satisfying a required event, the verdict predicts ``matches()``
exactly (COVERED: True, MISSED: False, CONDITIONAL: whether one alternative holds).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import orjson

from ..cloudtrail import ABSENT, NUMBER, OBJECT, PRESENT, facts, holds
from ..pattern import FilterPattern, ast
from ..pattern import compile as compile_pattern
from ..pattern.canonical import render
from .cloudtrail import ALWAYS_WRITTEN, atom_holds, in_schema, record_with
from .cover import Coverage, EventVerdict, RequiredEvent, coverage
from .decision import pins_of
from .normal_form import Atom, Conjunct, TooComplex, as_pattern, dnf, field_path, leaves
from .others import other_records

_ACCOUNT = "123456789012"
_IDENTITIES: dict[str, dict[str, Any]] = {
    "Root": {"type": "Root", "principalId": _ACCOUNT, "arn": f"arn:aws:iam::{_ACCOUNT}:root", "accountId": _ACCOUNT},
    "IAMUser": {
        "type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": f"arn:aws:iam::{_ACCOUNT}:user/alice",
        "accountId": _ACCOUNT, "accessKeyId": "AKIAEXAMPLE", "userName": "alice",
    },
    "AssumedRole": {
        "type": "AssumedRole", "principalId": "AROAEXAMPLE:s", "arn": f"arn:aws:sts::{_ACCOUNT}:assumed-role/r/s",
        "accountId": _ACCOUNT, "accessKeyId": "ASIAEXAMPLE",
        "sessionContext": {"attributes": {"mfaAuthenticated": "false", "creationDate": "2024-01-01T00:00:00Z"}},
    },
    "AWSService": {"type": "AWSService", "invokedBy": "cloudformation.amazonaws.com"},
}  # fmt: skip


def _base(identity: str) -> dict[str, Any]:
    return {
        "eventVersion": "1.09", "userIdentity": dict(_IDENTITIES[identity]), "eventTime": "2024-05-01T12:00:00Z",
        "eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances", "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.10", "userAgent": "aws-cli/2.15.0", "requestParameters": {"bucketName": "b"},
        "responseElements": None, "requestID": "R1", "eventID": "E1", "readOnly": False,
        "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": _ACCOUNT,
        "eventCategory": "Management",
    }  # fmt: skip


def base_records() -> list[tuple[str, dict[str, Any]]]:
    """Labelled base records: each identity type, a second region, an error, an older
    eventVersion without ``readOnly``, array parameters, an AWS service event."""
    out = [(f"identity {k}", _base(k)) for k in _IDENTITIES]
    variants: list[tuple[str, dict[str, Any]]] = [
        ("region eu-west-3", {"awsRegion": "eu-west-3"}),
        ("errorCode AccessDenied", {"errorCode": "AccessDenied", "errorMessage": "Access Denied"}),
        ("errorCode Client.UnauthorizedOperation", {"errorCode": "Client.UnauthorizedOperation"}),
        ("eventVersion 1.02 without readOnly", {"eventVersion": "1.02"}),
        ("array parameters", {"requestParameters": {"items": [{"key": "k"}, "v", 3]}}),
        ("AwsServiceEvent", {"eventType": "AwsServiceEvent", "userIdentity": dict(_IDENTITIES["AWSService"])}),
    ]
    for label, change in variants:
        record = {**_base("IAMUser"), **change}
        if label.startswith("eventVersion"):
            for key in ("readOnly", "managementEvent", "eventCategory"):
                record.pop(key)
        out.append((label, record))
    return out


# ------------------------------------------------------------------ candidate values


def candidate_values(atom: Atom) -> list[Any]:
    """Values around an atom's operand: ones that satisfy it and near misses."""
    if isinstance(atom, ast.Check):
        return [None, True, False, ABSENT]
    value = atom.value
    if isinstance(value, ast.NumberValue):
        n = value.value
        return [n, n - 1, n + 1, value.text, str(n + 1), ABSENT]
    if isinstance(value, ast.RegexValue):
        return ["x", "", ABSENT]
    text = value.text
    out: list[Any] = [text.replace("*", ""), text.replace("*", "x"), text + "x", "x" + text, text.lower(), ""]
    return [*list(dict.fromkeys(out)), None, ABSENT]


def _possible(path: tuple[str, ...], atom: Atom) -> list[Any]:
    """The candidate values CloudTrail could write at ``path`` (always-written fields are strings)."""
    values = candidate_values(atom)
    if len(path) == 1 and path[0] in ALWAYS_WRITTEN:
        return [v for v in values if isinstance(v, str)]
    return values


def set_path(record: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of ``record`` with ``value`` at ``path`` (``ABSENT``: without the field)."""
    if value is ABSENT:
        copy = record_with(path, None, record)
        node = copy
        for name in path[:-1]:
            node = node[name]
        del node[path[-1]]
        return copy
    return record_with(path, value, record)


def _paths(atoms: Conjunct) -> dict[tuple[str, ...], list[Atom]]:
    out: dict[tuple[str, ...], list[Atom]] = {}
    for atom in atoms:
        path = field_path(atom.selector)
        if path is not None and in_schema(path):
            out.setdefault(path, []).append(atom)
    return out


def _satisfying(record: dict[str, Any], atoms: list[Atom], path: tuple[str, ...]) -> dict[str, Any]:
    """``record`` with a candidate value at ``path`` satisfying every atom on it (unchanged when none does)."""
    for atom in atoms:
        for value in _possible(path, atom):
            if all(atom_holds(a, set_path({}, path, value)) for a in atoms):
                return set_path(record, path, value)
    return record


def witnesses(event: RequiredEvent, conjuncts: tuple[Conjunct, ...]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Labelled records satisfying the event, varied on the fields the pattern's atoms read."""
    own = _paths(event.atoms)
    pattern_atoms = tuple(a for c in conjuncts for a in c)
    other = {p: v for p, v in _paths(pattern_atoms).items() if p not in pins_of(event.atoms)}
    for label, base in base_records():
        record = as_real(event, base)
        for path, atoms in own.items():
            record = _satisfying(record, atoms, path)
        yield label, record
        for path, atoms in other.items():
            for value in dict.fromkeys(v for a in atoms for v in _hashable(_possible(path, a))):
                yield f"{label}, {'.'.join(path)}={_show(value)}", set_path(record, path, _unhash(value))
        for conj in conjuncts:
            wanted = _paths(conj)
            full = record
            for path, atoms in wanted.items():
                if path not in own:
                    full = _satisfying(full, atoms, path)
            yield f"{label}, satisfying an alternative", full


def as_real(event: RequiredEvent, record: dict[str, Any]) -> dict[str, Any]:
    """``record`` made a record of the event's first real event: the catalogue's exact values
    (source, kind, readOnly, category) and its always-written fields (placeholder values)."""
    if not event.real:
        return record
    out = record
    for path, value in facts(event.real[0]).items():
        if not holds(out, path, value):
            placeholder = {id(PRESENT): "example", id(OBJECT): {}, id(NUMBER): 0}.get(id(value), value)
            out = record_with(path, placeholder, out)
    return out


def of_event(event: RequiredEvent, record: dict[str, Any]) -> bool:
    """Whether ``record`` is a record of the required event: it satisfies the event's atoms and,
    where the catalogue lists the event's real events, is one of them (an API Gateway
    ``CreateRoute`` is not the route-table rule's EC2 ``CreateRoute``)."""
    if not _satisfies(event.atoms, record):
        return False
    return not event.real or any(
        (record.get("eventSource"), record.get("eventName")) == (e.source, e.name) for e in event.real
    )


def applies(verdict: EventVerdict, record: dict[str, Any]) -> bool:
    """Whether ``verdict`` makes a prediction for ``record``: a record of its event that, where
    the catalogue lists the event, the catalogue describes (its verdicts rest on those facts)."""
    return of_event(verdict.event, record) and consistent(verdict.event, record)


def consistent(event: RequiredEvent, record: dict[str, Any]) -> bool:
    """Whether ``record`` is one the catalogue describes for the event: it agrees with the
    facts of one of its real events, or is of an older record format (before 1.08), about
    which the catalogue says nothing; always True for events the catalogue does not list."""
    if not event.real:
        return True
    try:
        if float(record.get("eventVersion") or 0) < 1.08:
            return False
    except (TypeError, ValueError):
        return False
    return any(all(holds(record, p, v) for p, v in facts(e).items()) for e in event.real)


def _hashable(values: list[Any]) -> list[Any]:
    return [("__float__", v) if isinstance(v, float) else v for v in values]


def _unhash(value: Any) -> Any:
    return value[1] if isinstance(value, tuple) else value


def _show(value: Any) -> str:
    return "(absent)" if value is ABSENT else repr(_unhash(value))


def _satisfies(atoms: Conjunct, record: dict[str, Any]) -> bool:
    return not atoms or compile_pattern(render(as_pattern(atoms))).matches_object(record)


# ------------------------------------------------------------------ coverage by witnesses


def witness_coverage(fp: FilterPattern, rule_id: str, events: tuple[RequiredEvent, ...]) -> Coverage:
    """Coverage decided by running witness records (patterns the symbolic analysis does not read)."""
    conjuncts = _try_dnf(fp)
    verdicts = []
    for event in events:
        records = [
            (lbl, r) for lbl, r in witnesses(event, conjuncts) if _satisfies(event.atoms, r) and consistent(event, r)
        ]
        hits = [lbl for lbl, r in records if fp.matches(orjson.dumps(r))]
        if records and len(hits) == len(records):
            verdicts.append(EventVerdict(event, "COVERED", reason=f"all {len(records)} witness records match"))
        elif hits:
            shown = tuple(hits[:5])
            reason = f"{len(hits)} of {len(records)} witness records match"
            verdicts.append(EventVerdict(event, "CONDITIONAL", shown, reason))
        else:
            verdicts.append(EventVerdict(event, "MISSED", reason=f"none of {len(records)} witness records matches"))
    others = [(lbl, r) for lbl, r in base_records() if not any(_satisfies(e.atoms, r) for e in events)]
    matched_others = [lbl for lbl, r in others if fp.matches(orjson.dumps(r))]
    breadth = tuple(f"{r['eventSource']} {r['eventName']} ({lbl})" for lbl, r in others if lbl in matched_others)
    if all(e.real for e in events):  # real events outside the rule, from the catalogue
        wanted = {(r.source, r.name) for e in events for r in e.real}
        breadth += tuple(lbl for lbl, r in other_records(fp, wanted) if fp.matches(orjson.dumps(r)))
    return Coverage(
        rule_id, (fp.text,), tuple(verdicts), breadth,
        never_matches=False, always_matches=len(matched_others) == len(others) and bool(others), method="witness",
    )  # fmt: skip


def _try_dnf(fp: FilterPattern) -> tuple[Conjunct, ...]:
    if not isinstance(fp.ast, ast.JsonPattern):
        return ()
    try:
        return dnf(fp.ast.expr)
    except TooComplex:
        return tuple(itertools.islice(((a,) for a in leaves(fp.ast.expr)), 64))


# ------------------------------------------------------------------ cross-check


def predicted(verdict: EventVerdict, record: dict[str, Any]) -> bool:
    """What the verdict says ``matches()`` returns for a record satisfying its event."""
    if verdict.status == "COVERED":
        return True
    if verdict.status == "MISSED":
        return False
    return any(_satisfies(alt, record) for alt in verdict.alternatives)


def crosscheck(pattern: str | FilterPattern, rule: Any, records: list[dict[str, Any]] | None = None) -> list[str]:
    """Disagreements between the symbolic verdicts and the engine on witness records (and on
    ``records``, e.g. real CloudTrail records): empty when every verdict predicts ``matches()``."""
    fp = compile_pattern(pattern) if isinstance(pattern, str) else pattern
    cov = coverage(fp, rule)
    if cov.method != "symbolic":
        return []
    conjuncts = _try_dnf(fp)
    problems = []
    for verdict in cov.events:
        candidates = list(witnesses(verdict.event, conjuncts)) + [("given record", r) for r in records or ()]
        for label, record in candidates:
            if not applies(verdict, record):
                continue
            actual = fp.matches(orjson.dumps(record))
            if actual != predicted(verdict, record):
                problems.append(
                    f"{verdict.event.label}: {verdict.status} predicts {not actual}, matches() says {actual} ({label})"
                )
    return problems
