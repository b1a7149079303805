"""New CloudTrail objects in an S3 bucket or prefix as a watch's input (boto3): each region's
folder of the trail (``.../<account>/CloudTrail/<region>/``) is polled with ListObjectsV2
from the newest key seen there, less ``LOOKBACK_MS`` of delivery stamps (objects of one
minute are not written in key order), each object read once (keys seen are kept for the
look-back) and through replay's readers (gzip, ``{"Records": [...]}``, digests skipped)."""

from __future__ import annotations

import argparse
import queue
import re
import threading
from datetime import datetime, timezone
from typing import Any

from ..aws import session_clients
from ..sources import FileRef, read_items
from ..sources.s3 import split_uri
from .follow import Batch, wall_ms
from .run import Source

LOOKBACK_MS = 15 * 60_000
DISCOVER_EVERY = 10  # polls between two looks for new accounts and regions
_LEAF = re.compile(r"(?:^|/)([^/]+)/CloudTrail/([^/]+)/$")
_KEY = re.compile(r"(\d{4}/\d\d/\d\d/)([^/]*_)(\d{8}T\d{4}Z)_[^/]*$")


def _key_at(leaf: str, ms: int) -> str | None:
    """The key, in ``leaf`` (a region's folder), that sorts before every object delivered from ``ms`` on."""
    m = _LEAF.search(leaf)
    if m is None:
        return None
    when = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return f"{leaf}{when:%Y/%m/%d}/{m.group(1)}_CloudTrail_{m.group(2)}_{when:%Y%m%dT%H%MZ}"


def _stamp_ms(key: str) -> int | None:
    m = _KEY.search(key)
    if m is None:
        return None
    return int(datetime.strptime(m.group(3), "%Y%m%dT%H%MZ").replace(tzinfo=timezone.utc).timestamp() * 1000)


class BucketReader:
    """Polls ``uri`` for new CloudTrail objects, handing each one's items to the loop."""

    def __init__(self, client: Any, uri: str, poll: float, saved: dict[str, Any] | None, from_start: bool) -> None:
        self.client, self.uri, self.poll, self.from_start = client, uri, poll, from_start
        self.bucket, self.prefix = split_uri(uri)
        saved = saved or {}
        self.newest: dict[str, str] = dict(saved.get("newest", {}))  # leaf → newest key read there
        self.seen: dict[str, int] = dict(saved.get("seen", {}))  # key → its delivery stamp (the look-back)
        self.leaves: list[str] = []
        self.started = wall_ms()

    def run(self, out: queue.Queue[Batch], stop: threading.Event) -> None:
        polls = 0
        while not stop.is_set():
            try:
                if polls % DISCOVER_EVERY == 0:
                    self.leaves = self._discover(self.prefix, 0) or [self.prefix]
                for leaf in self.leaves:
                    self._poll(leaf, out, stop)
                if polls == 0:
                    out.put(Batch(self.uri, [], wall_ms(), caught_up=True))
            except Exception as exc:  # noqa: BLE001 - botocore and connection errors: said, then tried again
                out.put(Batch(self.uri, [], wall_ms(), note=f"{self.uri}: {exc}; trying again in {self.poll:g} s"))
            polls += 1
            stop.wait(self.poll)

    def _discover(self, prefix: str, depth: int) -> list[str]:
        """The region folders of the trail under ``prefix`` (the CloudTrail layout, at most 6 levels down)."""
        if _LEAF.search(prefix) or depth > 6:
            return [prefix] if _LEAF.search(prefix) else []
        found: list[str] = []
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/")
        for page in pages:
            for common in page.get("CommonPrefixes", []):
                found += self._discover(common["Prefix"], depth + 1)
        return found

    def _poll(self, leaf: str, out: queue.Queue[Batch], stop: threading.Event) -> None:
        newest = self.newest.get(leaf)
        if newest is not None:
            stamp = _stamp_ms(newest)
            start = _key_at(leaf, stamp - LOOKBACK_MS) if stamp is not None else newest
        else:
            start = None if self.from_start else _key_at(leaf, self.started - LOOKBACK_MS)
        request: dict[str, Any] = {"Bucket": self.bucket, "Prefix": leaf}
        if start:
            request["StartAfter"] = start
        for page in self.client.get_paginator("list_objects_v2").paginate(**request):
            for obj in page.get("Contents", []):
                if stop.is_set():
                    return
                key = obj["Key"]
                if key in self.seen or key.endswith("/"):
                    continue
                items = list(read_items(FileRef(f"s3://{self.bucket}/{key}", obj.get("Size", -1))))
                self.seen[key] = _stamp_ms(key) or wall_ms()
                if newest is None or key > newest:
                    newest = self.newest[leaf] = key
                horizon = (_stamp_ms(newest) or wall_ms()) - 2 * LOOKBACK_MS
                self.seen = {k: t for k, t in self.seen.items() if t >= horizon}
                position = {"newest": dict(self.newest), "seen": dict(self.seen)}
                out.put(Batch(self.uri, items, wall_ms(), position=position, items=True))


def bucket_source(args: argparse.Namespace, positions: dict[str, Any], from_start: bool) -> Source:
    """The ``--s3`` source; ``ValueError`` when the URI or boto3 is missing."""
    if not args.s3.startswith("s3://"):
        raise ValueError(f"--s3 {args.s3!r}: expected s3://BUCKET/PREFIX")
    try:
        clients, default_region = session_clients()
    except ImportError:
        raise ValueError("--s3 needs boto3: pip install 'cwfilter[s3]'") from None
    saved = positions.get(args.s3)
    reader = BucketReader(clients("s3", default_region or "us-east-1"), args.s3, args.poll or 60.0, saved if isinstance(saved, dict) else None,
                          from_start)  # fmt: skip
    return reader.run
