"""A snapshot folder: the saved AWS responses of ``responses.py``, one JSON file each, written
by ``cwfilter snapshot`` and audited later without credentials."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import CwfilterError
from .model import Account
from .responses import ERRORS, account_from_responses


class SnapshotError(CwfilterError, ValueError):
    """A folder that is not a snapshot at all (individual bad files become faults instead)."""

    code = "E_SNAPSHOT"


def write_snapshot(responses: Mapping[str, Any], folder: str | Path) -> list[Path]:
    """Write every response (and ``errors.json``) under ``folder``; the files written."""
    root = Path(folder)
    written = []
    for path, value in sorted(responses.items()):
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(value, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
        written.append(target)
    return written


def read_snapshot(folder: str | Path) -> Account:
    """The account model of a snapshot folder. A file that is not valid JSON is reported as
    the fault of the check that needs it, naming the file."""
    root = Path(folder)
    if not root.is_dir():
        raise SnapshotError(f"{folder}: not a directory")
    if not (root / "account.json").is_file() and not (root / ERRORS).is_file():
        raise SnapshotError(f"{folder}: not a cwfilter snapshot (no account.json; write one with `cwfilter snapshot`)")
    responses: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for file in sorted(root.rglob("*.json")):
        key = file.relative_to(root).as_posix()
        try:
            responses[key] = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            errors[key] = f"{file}: not valid JSON ({exc})"
    saved = responses.get(ERRORS)
    if isinstance(saved, dict):
        errors = {**{k: str(v) for k, v in saved.items()}, **errors}
    responses[ERRORS] = errors
    return account_from_responses(responses, f"snapshot {folder}")
