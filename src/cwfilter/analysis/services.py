"""AWS service endpoints and operation names, from botocore's data files (installed with boto3).

A CloudTrail ``eventSource`` is ``<endpoint prefix>.amazonaws.com``; the operations of the
services that share that prefix (``elasticloadbalancing`` is ``elb`` and ``elbv2``) are the
``eventName`` values it logs for API calls. botocore is optional: without it, ``available()``
is False and the callers say that names were not checked.
"""

from __future__ import annotations

import gzip
import json
import re
from functools import lru_cache
from pathlib import Path

SUFFIX = ".amazonaws.com"
# Event sources whose CloudTrail events are not SDK operations (console sign-in: ConsoleLogin, ...).
NON_API_SOURCES: frozenset[str] = frozenset({"signin.amazonaws.com"})
_PREFIX_RE = re.compile(r'"endpointPrefix"\s*:\s*"([^"]+)"')


def _data_dir() -> Path | None:
    try:
        import botocore
    except ImportError:
        return None
    return Path(botocore.__file__).parent / "data"


def available() -> bool:
    """Whether botocore's service data can be read."""
    return _data_dir() is not None


def _model_file(service_dir: Path) -> Path | None:
    for version in sorted((p for p in service_dir.iterdir() if p.is_dir()), reverse=True):
        for name in ("service-2.json.gz", "service-2.json"):
            if (version / name).is_file():
                return version / name
    return None


def _read(path: Path, limit: int | None = None) -> str:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return fh.read(limit) if limit else fh.read()


@lru_cache(maxsize=1)
def _services_by_prefix() -> dict[str, tuple[Path, ...]]:
    """Endpoint prefix → the model files of the services that use it (the metadata opens each file)."""
    data = _data_dir()
    out: dict[str, list[Path]] = {}
    if data is None:
        return {}
    for service_dir in sorted(p for p in data.iterdir() if p.is_dir()):
        model = _model_file(service_dir)
        if model is None:
            continue
        m = _PREFIX_RE.search(_read(model, 4000))
        out.setdefault(m.group(1) if m else service_dir.name, []).append(model)
    return {k: tuple(v) for k, v in out.items()}


def endpoint_prefix(event_source: str) -> str | None:
    """``s3.amazonaws.com`` → ``s3``; None for a value that is not ``<prefix>.amazonaws.com``."""
    if not event_source.endswith(SUFFIX) or len(event_source) == len(SUFFIX):
        return None
    return event_source[: -len(SUFFIX)]


def known_source(event_source: str) -> bool:
    """Whether ``event_source`` names a service endpoint botocore knows (or a known non-API source)."""
    if event_source in NON_API_SOURCES:
        return True
    prefix = endpoint_prefix(event_source)
    return prefix is not None and prefix in _services_by_prefix()


@lru_cache(maxsize=64)
def operations(event_source: str) -> frozenset[str]:
    """The operation names of the services behind ``event_source`` (empty when unknown, and for
    the console sign-in source, whose events are not API operations)."""
    if event_source in NON_API_SOURCES:
        return frozenset()
    prefix = endpoint_prefix(event_source)
    names: set[str] = set()
    for model in _services_by_prefix().get(prefix or "", ()):
        names.update(json.loads(_read(model)).get("operations", {}))
    return frozenset(names)


def known_sources() -> list[str]:
    """Every known event source (for spelling suggestions)."""
    return sorted(f"{p}{SUFFIX}" for p in _services_by_prefix()) + sorted(NON_API_SOURCES)
