"""The package's layout keeps its promises: no module is hidden behind a function of the same
name (``import cwfilter.x.y`` must not change what ``cwfilter.x.y`` is), each lazy public name
is listed once and resolves, and the other rooms import from ``pattern`` only what it declares
(``pattern/internal.py``)."""

from __future__ import annotations

import ast as pyast
import importlib
import pkgutil
import types
from pathlib import Path

import cwfilter
from cwfilter import pattern
from cwfilter.lazy import exports
from cwfilter.pattern.internal import ROOM_API

SRC = Path(__file__).resolve().parents[1] / "src" / "cwfilter"


def _packages() -> list[types.ModuleType]:
    found = [cwfilter]
    for info in pkgutil.walk_packages(cwfilter.__path__, "cwfilter."):
        if info.ispkg:
            found.append(importlib.import_module(info.name))
    return found


def test_no_module_is_shadowed_by_a_name_of_its_package() -> None:
    shadowed = []
    for package in _packages():
        names = {*vars(package), *getattr(package, "__all__", ())}
        if package is cwfilter:
            names |= set(exports("cwfilter"))
        for info in pkgutil.iter_modules(package.__path__):
            if info.name in names and not isinstance(getattr(package, info.name), types.ModuleType):
                shadowed.append(f"{package.__name__}.{info.name}")
    assert shadowed == []


def test_the_lazy_names_are_read_from_the_one_list_and_all_resolve() -> None:
    where = exports("cwfilter")
    assert {"compile", "replay", "MetricFilter", "CwfilterError", "test_metric_filter"} <= set(where)
    assert where["replay"] == "replayer"
    assert cwfilter.__all__ == sorted([*where, "__version__"])
    assert set(cwfilter.__all__) <= set(dir(cwfilter))
    for name in where:
        assert getattr(cwfilter, name) is getattr(importlib.import_module(f"cwfilter.{where[name]}"), name)


def _imports_from_pattern() -> list[tuple[str, str, str]]:
    """``(importing module, pattern module or "", name)`` for every import of pattern's names
    in the other rooms of ``src/cwfilter``."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        module = ".".join(path.relative_to(SRC.parent).with_suffix("").parts)
        if module.startswith("cwfilter.pattern"):
            continue
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in pyast.walk(pyast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, pyast.ImportFrom):
                base = package.rsplit(".", node.level - 1)[0] if node.level else ""
                target = ".".join(p for p in (base, node.module) if p)
                if target == "cwfilter.pattern" or target.startswith("cwfilter.pattern."):
                    inner = target.removeprefix("cwfilter.pattern").lstrip(".")
                    found += [(module, inner, alias.name) for alias in node.names]
            elif isinstance(node, pyast.Import):
                found += [(module, a.name, "*") for a in node.names if a.name.startswith("cwfilter.pattern.")]
    return found


def test_other_rooms_import_only_what_pattern_declares() -> None:
    undeclared = [
        f"{module}: {inner or 'pattern'}.{name}"
        for module, inner, name in _imports_from_pattern()
        if not (name in pattern.__all__ if not inner else name in ROOM_API.get(inner, ()))
    ]
    assert undeclared == []
    for inner, names in ROOM_API.items():
        module = importlib.import_module(f"cwfilter.pattern.{inner}")
        assert all(hasattr(module, name) for name in names), inner


def test_modules_and_functions_are_small_enough_to_read_in_one_sitting() -> None:
    """Modules ≤ 450 lines and functions ≤ 60 (the generated parser tables aside)."""
    over = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "lalr_tables.py":
            continue
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 450:
            over.append(f"{path.relative_to(SRC)}: {text.count(chr(10))} lines")
        for node in pyast.walk(pyast.parse(text)):
            if isinstance(node, (pyast.FunctionDef, pyast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 60:
                    over.append(f"{path.relative_to(SRC)}: {node.name}, {length} lines")
    assert over == []
