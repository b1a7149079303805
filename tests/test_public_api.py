"""The public API documents itself: every name ``cwfilter`` exports, and every public method
of the classes it exports, has a docstring (``help()`` is a user's first stop)."""

from __future__ import annotations

import inspect

import pytest

import cwfilter


def _undocumented() -> list[str]:
    missing = []
    for name in cwfilter.__all__:
        obj = getattr(cwfilter, name)
        if name == "__version__":
            continue
        if not (getattr(obj, "__doc__", None) or "").strip():
            missing.append(name)
        if not inspect.isclass(obj):
            continue
        for attr, value in vars(obj).items():
            if attr.startswith("_"):
                continue
            func = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
            if callable(func) and not (getattr(func, "__doc__", None) or "").strip():
                missing.append(f"{name}.{attr}")
    return missing


def test_every_public_name_and_method_has_a_docstring() -> None:
    assert _undocumented() == []


@pytest.mark.parametrize("name", ["compile", "replay", "evaluate", "test_metric_filter", "lint", "compare"])
def test_entry_points_have_signatures_with_types(name: str) -> None:
    sig = inspect.signature(getattr(cwfilter, name))
    assert sig.return_annotation is not inspect.Signature.empty
    assert all(p.annotation is not inspect.Parameter.empty for p in sig.parameters.values())
