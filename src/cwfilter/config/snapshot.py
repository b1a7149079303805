"""Snapshot folders → the account model, offline. Two layouts are read:

* what ``cwfilter snapshot`` writes: the saved AWS responses of ``responses.py``, one JSON file
  per call under the path that names it, and ``errors.json`` for the calls that failed;
* a folder of plain AWS CLI outputs (``aws ... --output json > FILE``), each file recognised by
  its content, not its name: ``sts get-caller-identity``, ``cloudtrail describe-trails``,
  ``get-trail-status`` (its file named after the trail, unless there is one trail),
  ``get-event-selectors``, ``logs describe-metric-filters``, ``cloudwatch describe-alarms``,
  ``sns list-subscriptions`` / ``list-subscriptions-by-topic``. A sub-folder named after a region
  holds that region's outputs; files directly in the folder belong to ``region`` (or to the one
  region their ARNs name).

Every file is read by the bounded configuration reader; a file that cannot be read or is not
JSON becomes the fault of the checks that need it, naming the file."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import ConfigError, SnapshotError
from .model import Account
from .responses import ERRORS, account_from_responses, topic_path, topics_of, trail_path

_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")


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


def read_snapshot(folder: str | Path, region: str | None = None) -> Account:
    """The account model of a snapshot folder: written by ``cwfilter snapshot``, or plain AWS
    CLI outputs (``region`` names the region of the files not in a region's sub-folder)."""
    root = Path(folder)
    if not root.is_dir():
        raise SnapshotError(f"{folder}: not a directory")
    responses, errors = _read_all(root)
    if {"regions.json", ERRORS} & (set(responses) | set(errors)):
        saved = responses.get(ERRORS)
        if isinstance(saved, dict):
            errors = {**{k: str(v) for k, v in saved.items()}, **errors}
        responses[ERRORS] = errors
        account = account_from_responses(responses, f"snapshot {folder}")
    else:
        account = account_from_responses(_plain(root, responses, errors, region), f"AWS CLI outputs {folder}")
    if not account.regions and "regions.json" not in errors:
        raise SnapshotError(f"{folder}: names no region to audit (regions.json lists none, and no describe-trails, "
                            "describe-metric-filters or describe-alarms output is in it)")  # fmt: skip
    return account


def _read_all(root: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """Every ``*.json`` under ``root`` by relative path, and why the others could not be read."""
    from .files import read_config_text

    responses: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for file in sorted(root.rglob("*.json")):
        key = file.relative_to(root).as_posix()
        try:
            responses[key] = json.loads(read_config_text(file)[1])
        except json.JSONDecodeError as exc:
            errors[key] = f"{file}: not valid JSON ({exc})"
        except ConfigError as exc:
            errors[key] = str(exc)
    return responses, errors


def _kind(doc: Any) -> str | None:
    """Which AWS CLI output a document is."""
    if not isinstance(doc, dict):
        return None
    keys = set(doc)
    known = [("identity", {"Account", "Arn"}), ("trails", {"trailList"}), ("status", {"IsLogging"}),
             ("filters", {"metricFilters"}), ("alarms", {"MetricAlarms"}), ("alarms", {"CompositeAlarms"}),
             ("subscriptions", {"Subscriptions"}), ("regions", {"Regions"})]  # fmt: skip
    for kind, wanted in known:
        if wanted <= keys:
            return kind
    if "TrailARN" in keys and keys & {"EventSelectors", "AdvancedEventSelectors"}:
        return "selectors"
    return None


def _plain(root: Path, found: dict[str, Any], errors: dict[str, str], region: str | None) -> dict[str, Any]:
    """Plain AWS CLI outputs → the layout of ``responses.py`` (what ``cwfilter snapshot`` writes)."""
    files = [(path, _kind(doc), doc) for path, doc in found.items()]
    if not any(kind for _, kind, _ in files):
        bad = f" ({len(errors)} unreadable: {next(iter(errors.values()))})" if errors else ""
        raise SnapshotError(f"{root}: not a cwfilter snapshot (no account.json; write one with `cwfilter snapshot`) "
                            f"nor a folder of AWS CLI describe-*/get-* outputs{bad}")  # fmt: skip
    flat = region or _region_of(files)
    out: dict[str, Any] = {}
    out_errors = {f"unreadable/{k}": v for k, v in errors.items()}
    regions: list[str] = []
    for path, kind, doc in files:
        where = _folder_region(path) or flat
        if kind in ("trails", "filters", "alarms") and where is None:
            raise SnapshotError(f"{root / path}: cannot tell its region; put it in a folder named after the region "
                                "(us-east-1/...) or give the region")  # fmt: skip
        name = {"trails": "describe-trails", "filters": "describe-metric-filters", "alarms": "describe-alarms"}.get(
            kind or ""
        )
        if name and where:
            out[f"{where}/{name}.json"] = doc
            regions += [where] if where not in regions else []
    out["regions.json"] = {"Regions": [{"RegionName": r} for r in regions]}
    identity = next((doc for _, kind, doc in files if kind == "identity"), None)
    out["account.json"] = identity or {"Account": _owner(out)}
    _per_trail(out, files)
    _subscriptions(out, files)
    out[ERRORS] = out_errors
    return out


def _folder_region(path: str) -> str | None:
    parts = path.split("/")[:-1]
    return next((p for p in reversed(parts) if _REGION.fullmatch(p)), None)


def _region_of(files: list[tuple[str, str | None, Any]]) -> str | None:
    """The one region the ARNs of the flat files name, if there is exactly one."""
    seen = set()
    for path, kind, doc in files:
        if "/" in path:
            continue
        if kind == "alarms":
            seen |= {str(a.get("AlarmArn", "")).split(":")[3] for a in doc.get("MetricAlarms") or []
                     if len(str(a.get("AlarmArn", "")).split(":")) > 3}  # fmt: skip
        elif kind == "trails":
            seen |= {str(t.get("HomeRegion")) for t in doc.get("trailList") or [] if t.get("HomeRegion")}
    return seen.pop() if len(seen) == 1 else None


def _owner(out: dict[str, Any]) -> str:
    """The account, when no identity was given: the one account owning the trails seen."""
    owners = {str(t.get("TrailARN", "")).split(":")[4] for k, v in out.items() if k.endswith("/describe-trails.json")
              for t in v.get("trailList") or [] if len(str(t.get("TrailARN", "")).split(":")) > 4}  # fmt: skip
    return owners.pop() if len(owners) == 1 else ""


def _per_trail(out: dict[str, Any], files: list[tuple[str, str | None, Any]]) -> None:
    """get-trail-status (matched by file name, or the only trail) and get-event-selectors (by
    the TrailARN it names) under each trail's path."""
    account = out["account.json"].get("Account", "")
    trails = {t.get("TrailARN"): t for k, v in out.items() if k.endswith("/describe-trails.json")
              for t in v.get("trailList") or [] if str(t.get("TrailARN", "")).split(":")[4:5] == [account]}  # fmt: skip
    for path, kind, doc in files:
        if kind == "selectors" and doc["TrailARN"] in trails:
            out[trail_path("get-event-selectors", trails[doc["TrailARN"]])] = doc
        elif kind == "status":
            stem = Path(path).stem
            named = [t for t in trails.values() if t.get("Name") and t["Name"] in stem]
            match = named or (list(trails.values()) if len(trails) == 1 else [])
            for t in match[:1]:
                out[trail_path("get-trail-status", t)] = doc


def _subscriptions(out: dict[str, Any], files: list[tuple[str, str | None, Any]]) -> None:
    """Subscriptions by topic: the entries name their topic, and a ``list-subscriptions-by-topic``
    output with none is the topic's when its file is named after it; an account-wide
    ``list-subscriptions`` output also says which alarm topics have none."""
    by_topic: dict[str, list[Any]] = {}
    named: dict[str, str] = {}
    everything = False
    for path, kind, doc in files:
        if kind != "subscriptions":
            continue
        stem = Path(path).stem
        everything |= stem.startswith("list-subscriptions") and "by-topic" not in stem
        named[stem] = path
        for s in doc.get("Subscriptions") or []:
            by_topic.setdefault(str(s.get("TopicArn", "")), []).append(s)
    for topic in [t for k, v in out.items() if k.endswith("/describe-alarms.json") for t in topics_of(v)]:
        by_name = any(stem.endswith(topic.split(":")[-1]) for stem in named)
        if topic in by_topic or everything or by_name:
            out[topic_path(topic)] = {"Subscriptions": by_topic.get(topic, [])}
