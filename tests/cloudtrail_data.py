"""Records of ../shared/data/cloudtrail, numbered as s3_bucket_config_events.index.jsonl numbers them.

A test-side loader for the pattern tests; the product's readers are tested on the same data
by their own tests.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from .shared import CLOUDTRAIL

Record = tuple[str, str, int, dict[str, Any]]  # source, file (relative to CLOUDTRAIL), record_index, record


def _rel(path: Path) -> str:
    return path.relative_to(CLOUDTRAIL).as_posix()


def _json_records(doc: Any) -> list[dict[str, Any]]:
    if isinstance(doc, dict) and "Records" in doc:
        return doc["Records"]
    if isinstance(doc, list):
        return doc
    return [doc]


def records() -> Iterator[Record]:
    """Every CloudTrail record of every source (digest bodies excluded)."""
    for folder in sorted(p for p in CLOUDTRAIL.iterdir() if p.is_dir()):
        source = folder.name
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.name == "SOURCE.md" or "digest" in path.name.lower():
                continue
            raw = path.read_bytes()
            if path.suffix == ".gz":
                raw = gzip.decompress(raw)
            if source in ("panther-analysis-test-events", "otrf-security-datasets", "plaso-lookup-events"):
                for i, line in enumerate(raw.splitlines()):
                    if not line.strip():
                        continue
                    obj = orjson.loads(line)
                    if source == "panther-analysis-test-events":
                        obj = obj["log"]
                    elif source == "plaso-lookup-events":
                        obj = orjson.loads(obj["CloudTrailEvent"])
                    yield source, _rel(path), i, obj
            elif source == "otel-cwl-subscription-sample":
                payload = orjson.loads(raw)
                for i, event in enumerate(payload["logEvents"]):
                    yield source, _rel(path), i, orjson.loads(event["message"])
            else:
                for i, rec in enumerate(_json_records(orjson.loads(raw))):
                    yield source, _rel(path), i, rec


def message(record: dict[str, Any]) -> bytes:
    """The log event message CloudTrail sends to CloudWatch Logs: the record's compact JSON."""
    return orjson.dumps(record)
