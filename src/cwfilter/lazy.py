"""Names a package imports on first use (PEP 562): ``import cwfilter`` and a command's
start-up do not pay for the modules they do not use (lark tables, YAML, the alarm...).

A package lists its lazy names once, as the imports of its ``if TYPE_CHECKING:`` block
(``from .room import Name as Name``: what type checkers read, and an explicit re-export);
:func:`exports` reads that block from the package's source on first use, so that the
import a type checker sees and the room the package loads at run time cannot disagree."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from importlib import import_module
from typing import Any

_BLOCK = re.compile(r"^if TYPE_CHECKING:\n((?:[ \t]+\S.*\n|[ \t]*\n)+)", re.MULTILINE)
_IMPORT = re.compile(r"from \.([\w.]+) import (\([^)]*\)|[^\n]*)")
_CACHE: dict[str, dict[str, str]] = {}


def exports(package: str) -> dict[str, str]:
    """Each lazy name of ``package`` (a package, or a module such as ``cwfilter.errors``) → the
    module that holds it, relative to the package, as its ``if TYPE_CHECKING:`` block imports
    them (read once, then cached)."""
    found = _CACHE.get(package)
    if found is None:
        found = _CACHE[package] = _read_exports(package)
    return found


def _read_exports(package: str) -> dict[str, str]:
    spec = sys.modules[package].__spec__
    try:  # the file itself: a loader's get_source would import tokenize (a millisecond)
        with open(spec.origin or "", encoding="utf-8") as file:  # type: ignore[union-attr]
            source: str | None = file.read()
    except OSError:  # in a zip archive, say
        source = spec.loader.get_source(package) if spec is not None and spec.loader is not None else None  # type: ignore[attr-defined]
    block = _BLOCK.search(source or "")
    if block is None:  # a build without sources: fail loudly rather than lose names quietly
        raise ImportError(f"{package}: no 'if TYPE_CHECKING:' block of lazy names in its source")
    where: dict[str, str] = {}
    for room, names in _IMPORT.findall(block.group(1)):
        for item in names.strip("()").split(","):
            name, _, alias = (part.strip() for part in item.partition(" as "))
            if name:
                where[alias or name] = room
    return where


def load_name(package: str, where: Mapping[str, str], namespace: dict[str, Any], name: str) -> Any:
    """``name`` from the module ``where`` says holds it (relative to ``package``), kept in the
    package's ``namespace`` so that the next look-up finds it at once; AttributeError for a
    name the package does not have. A package's ``__getattr__`` calls this."""
    room = where.get(name)
    if room is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    anchor = sys.modules[package].__package__ or package  # a module's rooms are its package's
    value = getattr(import_module(f".{room}", anchor), name)
    namespace[name] = value
    return value
