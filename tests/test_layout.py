"""The package's layout keeps its promises: no module is hidden behind a function of the same
name (``import cwfilter.x.y`` must not change what ``cwfilter.x.y`` is), and each lazy public
name is listed once and resolves."""

from __future__ import annotations

import importlib
import pkgutil
import types

import cwfilter
from cwfilter.lazy import exports


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
