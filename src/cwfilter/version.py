"""The package's version, from one source: the installed package's metadata (``pyproject.toml``
when built); a source checkout that is not installed reads ``pyproject.toml`` itself."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_VERSION_LINE = re.compile(r'^version\s*=\s*"([^"]+)"', re.MULTILINE)


@lru_cache(maxsize=1)
def package_version() -> str:
    """``pyproject.toml``'s version as installed, else as written in the checkout, else ``0+unknown``
    (looked up when first asked for: ``importlib.metadata`` is a fifth of the CLI's start-up)."""
    from importlib import metadata
    from pathlib import Path  # here, not at the top: the command's start-up does not pay for pathlib

    try:
        return metadata.version("cwfilter")
    except metadata.PackageNotFoundError:
        pass
    try:
        found = _VERSION_LINE.search(
            (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8")
        )
    except OSError:
        found = None
    return found.group(1) if found else "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        return package_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
