"""The one error of the configuration readers, and the check every reader makes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ..errors import CwfilterError


class ConfigError(CwfilterError, ValueError):
    """A configuration file or document that cannot be read as metric filters or alarms,
    with where and why."""

    code = "E_CONFIG"


def required(obj: Mapping[str, Any], key: str, where: str) -> Any:
    """``obj[key]``; a ``ConfigError`` naming ``where`` when it is absent or null, or when
    ``obj`` is not an object at all."""
    if not isinstance(obj, Mapping):
        raise ConfigError(f"{where}: expected an object with '{key}', found {json_type(obj)}")
    if key not in obj or obj[key] is None:
        raise ConfigError(f"{where}: missing required field '{key}'")
    return obj[key]


def json_type(value: Any) -> str:
    """A JSON value's type as a message names it (\"a string\", \"a list\", \"null\"...)."""
    names = {str: "a string", int: "a number", float: "a number", bool: "a boolean", list: "a list", type(None): "null"}
    return names.get(type(value), type(value).__name__)


@contextmanager
def shape_errors(name: str, what: str) -> Iterator[None]:
    """Reading ``what`` from file ``name``: a value of the wrong type deep in the document (a
    number where a list of dimensions belongs...) that a reader did not check itself is a
    ``ConfigError`` naming the file and the value's trouble, never a ``TypeError`` traceback."""
    try:
        yield
    except (TypeError, AttributeError, KeyError, IndexError, ValueError) as exc:
        if isinstance(exc, CwfilterError):
            raise
        detail = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
        raise ConfigError(f"{name}: not a valid {what}: a value of the wrong type or shape ({detail})") from None


class IacError(ConfigError):
    """A template or Terraform file that cannot be read, with the file and why."""

    code = "E_TEMPLATE"


class SnapshotError(ConfigError):
    """A folder that is not a snapshot at all (individual bad files become faults instead)."""

    code = "E_SNAPSHOT"
