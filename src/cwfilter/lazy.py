"""Names a package imports on first use (PEP 562): ``import cwfilter`` and a command's
start-up do not pay for the modules they do not use (lark tables, YAML, the alarm...)."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import Any


def load_name(package: str, where: Mapping[str, str], namespace: dict[str, Any], name: str) -> Any:
    """``name`` from the module ``where`` says holds it (relative to ``package``), kept in the
    package's ``namespace`` so that the next look-up finds it at once; AttributeError for a
    name the package does not have. A package's ``__getattr__`` calls this."""
    room = where.get(name)
    if room is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(import_module(f".{room}", package), name)
    namespace[name] = value
    return value
