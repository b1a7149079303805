"""A JSON pattern as an OR of ANDs of atoms (disjunctive normal form).

An *atom* is one comparison or check of the AST (``$.eventName = "PutBucketAcl"``,
``$.errorCode NOT EXISTS``); a *conjunct* is a tuple of atoms that must all hold. The
expansion is exact (``&&`` distributes over ``||``) but can grow exponentially, so it is
capped: above ``MAX_CONJUNCTS`` callers fall back to witness records.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import CwfilterError
from ..pattern import ast
from ..pattern.canonical import render

Atom = ast.Comparison | ast.Check
Conjunct = tuple[Atom, ...]

MAX_CONJUNCTS = 512


class TooComplex(CwfilterError, ValueError):
    """The expansion would exceed ``MAX_CONJUNCTS`` conjuncts."""

    code = "E_TOO_COMPLEX"


def dnf(expr: ast.JsonExpr, cap: int = MAX_CONJUNCTS) -> tuple[Conjunct, ...]:
    """The conjuncts of ``expr`` (duplicated atoms within a conjunct and duplicate conjuncts removed)."""
    out: list[Conjunct] = []
    seen: set[frozenset[Atom]] = set()
    for conj in _expand(expr, cap):
        key = frozenset(conj)
        if key not in seen:
            seen.add(key)
            out.append(tuple(dict.fromkeys(conj)))
    return tuple(out)


def _expand(expr: ast.JsonExpr, cap: int) -> list[Conjunct]:
    if isinstance(expr, (ast.Comparison, ast.Check)):
        return [(expr,)]
    if isinstance(expr, ast.Or):
        out: list[Conjunct] = []
        for item in expr.items:
            out.extend(_expand(item, cap))
            if len(out) > cap:
                raise TooComplex(f"more than {cap} alternatives")
        return out
    acc: list[Conjunct] = [()]
    for item in expr.items:
        parts = _expand(item, cap)
        if len(acc) * len(parts) > cap:
            raise TooComplex(f"more than {cap} alternatives")
        acc = [a + p for a in acc for p in parts]
    return acc


def leaves(expr: ast.JsonExpr) -> Iterator[Atom]:
    """The atoms of an expression in text order (the parser keeps the order of conditions)."""
    if isinstance(expr, (ast.And, ast.Or)):
        for item in expr.items:
            yield from leaves(item)
    else:
        yield expr


def render_atom(atom: Atom) -> str:
    """The canonical text of one atom, e.g. ``$.eventName = "PutBucketAcl"``."""
    return render(ast.JsonPattern(atom))[2:-2]


def render_conjunct(conj: Conjunct) -> str:
    """Atoms joined by ``&&`` (``true`` for the empty conjunct)."""
    return " && ".join(render_atom(a) for a in conj) if conj else "true"


def as_pattern(conj: Conjunct) -> ast.JsonPattern:
    """A JSON pattern that is exactly the conjunct (for evaluating it with the engine)."""
    if len(conj) == 1:
        return ast.JsonPattern(conj[0])
    return ast.JsonPattern(ast.And(conj))


def field_path(selector: ast.Selector) -> tuple[str, ...] | None:
    """The member names of a selector made of members only (``$.a.b`` → ``("a", "b")``), else None."""
    if not selector.steps or not all(isinstance(s, ast.Member) for s in selector.steps):
        return None
    return tuple(s.name for s in selector.steps)  # type: ignore[union-attr]


def dotted(path: tuple[str, ...]) -> str:
    """``("userIdentity", "type")`` → ``userIdentity.type``."""
    return ".".join(path)
