"""The one error of the configuration readers, and the check every reader makes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import CwfilterError


class ConfigError(CwfilterError, ValueError):
    """A configuration file or document that cannot be read as metric filters or alarms,
    with where and why."""

    code = "E_CONFIG"


def required(obj: Mapping[str, Any], key: str, where: str) -> Any:
    """``obj[key]``; a ``ConfigError`` naming ``where`` when it is absent or null."""
    if key not in obj or obj[key] is None:
        raise ConfigError(f"{where}: missing required field '{key}'")
    return obj[key]
