"""The package's version, from one source: the installed package's metadata (``pyproject.toml``
when built); a source checkout that is not installed reads ``pyproject.toml`` itself."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

_PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
_VERSION_LINE = re.compile(r'^version\s*=\s*"([^"]+)"', re.MULTILINE)


def package_version() -> str:
    """``pyproject.toml``'s version as installed, else as written in the checkout, else ``0+unknown``."""
    try:
        return metadata.version("cwfilter")
    except metadata.PackageNotFoundError:
        pass
    try:
        found = _VERSION_LINE.search(_PYPROJECT.read_text(encoding="utf-8"))
    except OSError:
        found = None
    return found.group(1) if found else "0+unknown"


__version__ = package_version()
