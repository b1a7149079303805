"""``cwfilter lint``: mistakes AWS accepts silently, each with a code, a span and a fix.

Checks: a pattern (or one of its alternatives) that can never match, or that matches every
CloudTrail event; ``eventName`` values that are not operations of the ``eventSource``
service, unknown event sources (the CloudTrail catalogue, ``cwfilter.cloudtrail``); ``!=`` on fields CloudTrail omits
in some records; an ``eventSource !=`` that reads like ``=``; wildcards inside a value (§11.1);
selector case mistakes; the quotas of §8.1 approached; and, given a rule, its coverage.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ..cloudtrail import event_names, known_source, known_sources, open_names, operations, sources_of
from ..pattern import FilterPattern, PatternError, ast
from ..pattern import compile as compile_pattern
from ..pattern.canonical import render_selector
from ..rules import Rule, find_rule
from .cloudtrail import SOMETIMES_WRITTEN, TOP_LEVEL, USER_IDENTITY, in_schema
from .cover import coverage
from .decision import Decision, contradiction, decide, pin_of
from .findings import LintFinding, Severity
from .locate import Span, atom_spans
from .normal_form import Atom, Conjunct, TooComplex, dnf, dotted, field_path, leaves, render_atom
from .reach import reach

MAX_LENGTH, MAX_REGEX, MAX_WILDCARD_SELECTORS = 1024, 2, 3  # §8.1
_CLOUDTRAIL_HINTS = frozenset({"eventSource", "eventName", "userIdentity", "errorCode", "eventType", "awsRegion"})


@dataclass
class _Context:
    text: str
    pattern: ast.JsonPattern
    spans: dict[Atom, Span]
    conjuncts: tuple[Conjunct, ...] | None
    cloudtrail: bool
    out: list[LintFinding]

    def add(self, code: str, severity: Severity, message: str, atom: Atom | None = None,
            fix: str | None = None, on_value: bool = False) -> None:  # fmt: skip
        start = end = 0
        span = self.spans.get(atom) if atom is not None else None
        if span is not None:
            start, end = span.value if on_value and span.value else (span.start, span.end)
        finding = LintFinding(code, severity, message, start, end, fix, self.text)
        if finding not in self.out:
            self.out.append(finding)


def lint(pattern: str | FilterPattern, rule: Rule | str | None = None) -> list[LintFinding]:
    """Findings for ``pattern`` (an invalid pattern gives one ``error`` finding), and with
    ``rule`` the required events it misses or only matches conditionally."""
    text = pattern.text if isinstance(pattern, FilterPattern) else pattern
    try:
        fp = pattern if isinstance(pattern, FilterPattern) else compile_pattern(text)
    except PatternError as exc:
        return [_invalid(text, exc)]
    out: list[LintFinding] = []
    if isinstance(fp.ast, ast.JsonPattern):
        _lint_json(text, fp.ast, out)
    _quotas(text, fp, out)
    if rule is not None:
        _rule(text, fp, find_rule(rule) if isinstance(rule, str) else rule, out)
    return out


def _invalid(text: str, exc: PatternError) -> LintFinding:
    message = exc.message + (f" ({exc.detail})" if exc.detail else "")
    fix = None
    m = re.compile(r'"([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)"').match(text, exc.offset)
    if m and exc.detail and "numeric" in exc.detail:
        fix = text[: m.start()] + m.group(1) + text[m.end() :]
        message += "; a quoted number is a string, and only numbers compare with < <= > >="
    start = min(exc.offset, max(len(text) - 1, 0))  # an error at the end points at the last character
    end = m.end() if m else min(start + 1, len(text))
    return LintFinding("invalid-pattern", "error", message, start, end, fix, text)


def _lint_json(text: str, pattern: ast.JsonPattern, out: list[LintFinding]) -> None:
    try:
        conjuncts: tuple[Conjunct, ...] | None = dnf(pattern.expr)
    except TooComplex:
        conjuncts = None
    atoms = list(dict.fromkeys(leaves(pattern.expr)))
    cloudtrail = any((field_path(a.selector) or ("",))[0] in _CLOUDTRAIL_HINTS for a in atoms)
    ctx = _Context(text, pattern, atom_spans(text, pattern), conjuncts, cloudtrail, out)
    if conjuncts is None:
        ctx.add("too-complex", "note", "too many alternatives to check for contradictions")
    else:
        _never_or_always(ctx, conjuncts)
    for atom in atoms:
        _selector_case(ctx, atom)
        _optional_field(ctx, atom)
        _wildcards(ctx, atom)
        _event_source(ctx, atom)
    if conjuncts is not None:
        _negated_source(ctx, conjuncts)
        _operations(ctx, conjuncts)


# ------------------------------------------------------------------ never / always


def _never_or_always(ctx: _Context, conjuncts: tuple[Conjunct, ...]) -> None:
    verdicts = [_with_catalogue(c, decide((), c, cloudtrail=ctx.cloudtrail), ctx.cloudtrail) for c in conjuncts]
    dead = [(c, d, named) for c, (d, named) in zip(conjuncts, verdicts) if not d.holds]
    where = " a CloudTrail record" if ctx.cloudtrail else ""
    if len(dead) == len(conjuncts):
        c, d, named = dead[0]
        if all(n for _, _, n in dead):
            return  # each unknown name or source is flagged on its value, with the fix (below)
        ctx.add("never-matches", "warning", f"the pattern can never match{where}: {d.reason}", d.decisive,
                fix="join alternative values of one field with ||" if contradiction(c) else None)  # fmt: skip
        return
    for c, d, named in dead:
        if not named:  # an unknown name or source is flagged on its value, with the fix (below)
            ctx.add("dead-alternative", "warning", f"this alternative can never match{where}: {d.reason}",
                    d.decisive or (c[0] if c else None))  # fmt: skip
    for c, (d, _) in zip(conjuncts, verdicts):
        if d.holds and not d.conditions and ctx.cloudtrail:
            ctx.add("always-matches", "warning", "the pattern matches every CloudTrail event", c[0] if c else None)
        elif len(conjuncts) > 1 and d.holds and d.conditions and all(_negative(a) for a in d.conditions):
            shown = " && ".join(render_atom(a) for a in d.conditions)
            ctx.add("matches-almost-all", "warning",
                    f"the alternative {shown} matches almost every event (only negations); did you mean &&?",
                    d.conditions[0])  # fmt: skip


def _with_catalogue(conj: Conjunct, d: Decision, cloudtrail: bool) -> tuple[Decision, bool]:
    """The decision, made dead when the CloudTrail catalogue lists no real event the
    alternative can match; True when that is for a name or source no event has."""
    if not (d.holds and cloudtrail):
        return d, False
    r = reach(conj)
    if not r.dead:
        return d, False
    decisive = next((a for a in conj if field_path(a.selector) == ("event" + r.dead_on.capitalize(),)), None)
    return Decision(False, reason=r.dead, decisive=decisive), r.dead_on in ("source", "name")


def _negative(atom: Atom) -> bool:
    return (isinstance(atom, ast.Comparison) and atom.op == "!=") or (
        isinstance(atom, ast.Check) and atom.kind == "NOT EXISTS"
    )


# ------------------------------------------------------------------ selectors and values


def _selector_case(ctx: _Context, atom: Atom) -> None:
    path = field_path(atom.selector)
    if path is None or in_schema(path):
        return
    fixed = _case_fix(path)
    if fixed is not None and fixed != path:
        wrong, right = render_selector(atom.selector), "$." + dotted(fixed)
        ctx.add("selector-case", "warning",
                f"{wrong} is not a CloudTrail field (selectors are case-sensitive); did you mean {right}?",
                atom, fix=ctx.text.replace(wrong, right))  # fmt: skip


def _case_fix(path: tuple[str, ...]) -> tuple[str, ...] | None:
    top = {k.lower(): k for k in TOP_LEVEL}
    first = top.get(path[0].lower())
    if first is None:
        return None
    if first == "userIdentity" and len(path) > 1:
        second = {k.lower(): k for k in USER_IDENTITY}.get(path[1].lower(), path[1])
        return (first, second, *path[2:])
    return (first, *path[1:])


def _optional_field(ctx: _Context, atom: Atom) -> None:
    path = field_path(atom.selector)
    if not (isinstance(atom, ast.Comparison) and atom.op == "!=" and path and dotted(path) in SOMETIMES_WRITTEN):
        return
    sel = render_selector(atom.selector)
    ctx.add("missing-field-excluded", "warning",
            f"{render_atom(atom)} is false when a record has no {dotted(path)} (CloudTrail writes it only in some "
            "records), so those records are silently excluded",
            atom, fix=f"({sel} NOT EXISTS || {render_atom(atom)})")  # fmt: skip


def _wildcards(ctx: _Context, atom: Atom) -> None:
    if not isinstance(atom, ast.Comparison) or not isinstance(atom.value, ast.StringValue):
        return
    text = atom.value.text
    if ".*" in text:
        message = f'"{text}" is not a regular expression: "." is literal and "*" a wildcard; use %regex% for one'
    elif "*" not in text.strip("*"):
        return
    else:
        message = (f'"{text}": a * inside a value is a wildcard, and AWS places each piece at its first '
                   "occurrence without backtracking (spec §11.1), so some values that a shell glob matches do not match")  # fmt: skip
    ctx.add("mid-value-wildcard", "warning", message, atom, on_value=True)


def _event_source(ctx: _Context, atom: Atom) -> None:
    pin = pin_of(atom) if isinstance(atom, ast.Comparison) and atom.op == "=" else None
    if isinstance(atom, ast.Comparison) and atom.op == "!=" and isinstance(atom.value, ast.StringValue):
        pin = (field_path(atom.selector) or (), atom.value.text)
    if pin is None or pin[0] != ("eventSource",):
        return
    source = pin[1]
    if not known_source(source):
        close = _closest(source, known_sources())
        hint = f"; did you mean {close}?" if close else ""
        ctx.add("unknown-event-source", "warning", f"{source!r} is not a known AWS service endpoint{hint}",
                atom, fix=close, on_value=True)  # fmt: skip


def _closest(value: str, names: list[str] | frozenset[str]) -> str | None:
    """Case-insensitive equality first, then difflib's closest name."""
    by_lower = {n.lower(): n for n in names}
    if value.lower() in by_lower:
        return by_lower[value.lower()]
    close = difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=0.75)
    return by_lower[close[0]] if close else None


# ------------------------------------------------------------------ event names and sources


def _event_names(conj: Conjunct) -> list[ast.Comparison]:
    return [
        a for a in conj
        if isinstance(a, ast.Comparison) and a.op == "=" and isinstance(a.value, ast.StringValue)
        and field_path(a.selector) == ("eventName",)
    ]  # fmt: skip


def _operations(ctx: _Context, conjuncts: tuple[Conjunct, ...]) -> None:
    for conj in conjuncts:
        source = next((v for p, v in (pin_of(a) or ((), "") for a in conj) if p == ("eventSource",)), None)
        if source is None:
            _any_source(ctx, conj)
            continue
        ops = operations(source)
        if not ops or open_names(source):
            continue
        for atom in _event_names(conj):
            name = atom.value.text  # type: ignore[union-attr]
            if "*" not in name and name not in ops:
                close = _closest(name, ops)
                hint = f"; did you mean {close}?" if close else ""
                ctx.add("unknown-operation", "warning",
                        f"{name!r} is not an operation of {source}, so no CloudTrail record matches it{hint}",
                        atom, fix=close, on_value=True)  # fmt: skip
            elif "*" in name and not any(_glob(name, op) for op in ops):
                ctx.add("unknown-operation", "warning", f'"{name}" matches no operation of {source}',
                        atom, on_value=True)  # fmt: skip


def _any_source(ctx: _Context, conj: Conjunct) -> None:
    """An exact eventName that no source writes (where the alternative names no source)."""
    r = reach(conj)
    if r.dead_on != "name":
        return
    for atom in _event_names(conj):
        name = atom.value.text  # type: ignore[union-attr]
        if "*" not in name and not sources_of(name):
            close = _closest(name, event_names())
            hint = f"; did you mean {close}?" if close else ""
            ctx.add("unknown-operation", "warning", f"no CloudTrail event is named {name!r}{hint}",
                    atom, fix=close, on_value=True)  # fmt: skip


def _glob(operand: str, value: str) -> bool:
    return compile_pattern("{ $.v = " + _quote(operand) + " }").matches_object({"v": value})


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _negated_source(ctx: _Context, conjuncts: tuple[Conjunct, ...]) -> None:
    named: dict[Atom, list[str]] = {}
    for conj in conjuncts:
        for atom in conj:
            if (isinstance(atom, ast.Comparison) and atom.op == "!=" and isinstance(atom.value, ast.StringValue)
                    and field_path(atom.selector) == ("eventSource",)):  # fmt: skip
                names = named.setdefault(atom, [])
                names.extend(a.value.text for a in _event_names(conj))  # type: ignore[union-attr]
    for atom, names in named.items():
        source = atom.value.text  # type: ignore[union-attr]
        ops = operations(source) or frozenset(names)
        own = list(dict.fromkeys(n for n in names if n in ops))
        if own:
            shown = ", ".join(own[:3]) + (", ..." if len(own) > 3 else "")
            ctx.add("negated-source", "warning",
                    f"{render_atom(atom)} excludes the service whose operations the pattern names ({shown}); "
                    "did you mean =?", atom, fix=_replace_op(ctx, atom))  # fmt: skip


def _replace_op(ctx: _Context, atom: Atom) -> str | None:
    span = ctx.spans.get(atom)
    if span is None:
        return None
    clause = ctx.text[span.start : span.end].replace("!=", "=", 1)
    return ctx.text[: span.start] + clause + ctx.text[span.end :]


# ------------------------------------------------------------------ quotas and rules


def _breadth(breadth: tuple[str, ...], shown: int = 4) -> str:
    """``also matches N events the rule does not require: a, b, ... and K more`` (the coverage's
    breadth names events up to a cap per alternative and counts the rest)."""
    named = [b for b in breadth if not b.startswith("... and ")]
    more = sum(int(b.split()[2]) for b in breadth if b.startswith("... and "))
    total = len(named) + more
    head = "; ".join(named[:shown]) + (f"; and {total - shown} more" if total > shown else "")
    return f"also matches {total} event(s) the rule does not require: {head}"


def _quotas(text: str, fp: FilterPattern, out: list[LintFinding]) -> None:
    def add(code: str, message: str) -> None:
        out.append(LintFinding(code, "warning", message, 0, 0, None, text))

    if len(text) >= 0.9 * MAX_LENGTH:
        add("quota-length", f"the pattern is {len(text)} characters long; AWS accepts at most {MAX_LENGTH}")
    if isinstance(fp.ast, ast.JsonPattern):
        atoms = list(leaves(fp.ast.expr))
        regexes = sum(isinstance(a, ast.Comparison) and isinstance(a.value, ast.RegexValue) for a in atoms)
        wild = len({a.selector for a in atoms if a.selector.wildcards})
        if regexes >= MAX_REGEX:
            add("quota-regex", f"{regexes} regular expressions: the most one pattern may hold is {MAX_REGEX}")
        if wild >= MAX_WILDCARD_SELECTORS:
            add(
                "quota-wildcards",
                f"{wild} selectors with a wildcard: the most one pattern may hold is {MAX_WILDCARD_SELECTORS}",
            )


def _rule(text: str, fp: FilterPattern, rule: Rule, out: list[LintFinding]) -> None:
    cov = coverage(fp, rule)
    for v in cov.events:
        if v.status == "MISSED":
            msg = f"{rule.id}: misses the required event {v.event.label}: {v.reason}"
            out.append(LintFinding("rule-missed", "warning", msg, 0, 0, None, text))
        elif v.status == "CONDITIONAL":
            msg = f"{rule.id}: {v.event.label} {v.reason}"
            out.append(LintFinding("rule-conditional", "warning", msg, 0, 0, None, text))
    if cov.breadth:
        out.append(LintFinding("rule-breadth", "note", f"{rule.id}: {_breadth(cov.breadth)}", 0, 0, None, text))
    for why in cov.undecided:
        msg = f"{rule.id}: the CloudTrail catalogue cannot decide what else this matches: {why}"
        out.append(LintFinding("rule-undecided", "note", msg, 0, 0, None, text))
