"""A CloudWatch Logs group as a watch's input (boto3): ``StartLiveTail`` where the service
offers it, else (or when a session ends, fails or is sampled) ``FilterLogEvents`` polling.

Polling pushes the filter pattern to the server (unless the metric filter has a default value,
which needs every event), asks from the newest timestamp seen minus ``LOOKBACK_MS`` (events are
ingested late: CloudTrail's up to 15 minutes), and keeps each event once by its identity: its
log stream, timestamp and message (``StartLiveTail`` results carry no event ID, so one key
serves both APIs; two events alike in all three count once). Every event is matched again by
cwfilter's own matcher: a server's filtering (moto's is approximate) only narrows the reading.
Each event counts at its own ``timestamp``, the time CloudWatch's metric filters stamp it with."""

from __future__ import annotations

import argparse
import hashlib
import queue
import threading
import time
from typing import Any

from ..aws import session_clients
from .follow import Batch, wall_ms
from .run import Source

LOOKBACK_MS = 15 * 60_000
PAGE_LIMIT = 10_000
# A live session is ended after this long, and FilterLogEvents catches up before the next one:
# the service drops the oldest events of a client that reads too slowly, without a word.
SESSION_SECONDS = 300


class LogGroupReader:
    """Reads ``group`` into batches of ``(timestamp, message)`` events."""

    def __init__(
        self, client: Any, group: str, pattern: str | None, poll: float, saved: dict[str, Any] | None, from_start: bool
    ) -> None:
        self.client, self.group, self.pattern, self.poll = client, group, pattern, poll
        self.from_start = from_start
        self.name = f"log-group:{group}"
        saved = saved or {}
        self.newest: int | None = saved.get("newest")
        self.seen: dict[str, int] = dict(saved.get("seen", {}))  # event key → timestamp (pruned to the look-back)
        self.live = True  # try StartLiveTail first

    def run(self, out: queue.Queue[Batch], stop: threading.Event) -> None:
        if self.newest is None:  # the last LOOKBACK_MS and what comes; --from-start: all the group holds
            self.newest = LOOKBACK_MS if self.from_start else wall_ms()
        caught_up = False
        while not stop.is_set():
            try:
                self._poll(out)  # catch up (at the start, after a live session, every poll)
                if not caught_up:
                    caught_up = True
                    out.put(Batch(self.name, [], wall_ms(), caught_up=True))
                if self.live:
                    began = time.monotonic()
                    self._live_tail(out, stop)
                    if time.monotonic() - began < self.poll:  # a session that ended at once: not a loop
                        stop.wait(self.poll)
                else:
                    stop.wait(self.poll)
            except Exception as exc:  # noqa: BLE001 - botocore and connection errors: said, then tried again
                out.put(Batch(self.name, [], wall_ms(), note=f"{self.name}: {exc}; trying again in {self.poll:g} s"))
                stop.wait(self.poll)

    def _poll(self, out: queue.Queue[Batch]) -> None:
        assert self.newest is not None
        request: dict[str, Any] = {"logGroupName": self.group, "startTime": max(0, self.newest - LOOKBACK_MS),
                                   "limit": PAGE_LIMIT}  # fmt: skip
        if self.pattern:
            request["filterPattern"] = self.pattern
        while True:
            page = self.client.filter_log_events(**request)
            self._emit(out, page.get("events", []))
            token = page.get("nextToken")
            if not token or not page.get("events"):
                return
            request["nextToken"] = token

    def _live_tail(self, out: queue.Queue[Batch], stop: threading.Event) -> None:
        """One live session, ended after ``SESSION_SECONDS`` (or by the service); falls back to
        polling for good where the API is missing or the session was sampled (events left out)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            arn = self._arn()
            request: dict[str, Any] = {"logGroupIdentifiers": [arn]}
            if self.pattern:
                request["logEventFilterPattern"] = self.pattern
            stream = self.client.start_live_tail(**request)["responseStream"]
            began = time.monotonic()
            for part in stream:
                if stop.is_set() or time.monotonic() - began > SESSION_SECONDS:
                    getattr(stream, "close", lambda: None)()
                    break
                update = part.get("sessionUpdate")
                if not update:
                    continue
                if update.get("sessionMetadata", {}).get("sampled"):
                    self._fall_back(out, "the live tail was sampled (events left out)")
                    return
                self._emit(out, update.get("sessionResults", []))
        except (BotoCoreError, ClientError, KeyError, AttributeError) as exc:
            self._fall_back(out, f"StartLiveTail unavailable ({exc})")

    def _fall_back(self, out: queue.Queue[Batch], why: str) -> None:
        self.live = False
        out.put(
            Batch(self.name, [], wall_ms(), note=f"{self.name}: {why}: polling FilterLogEvents every {self.poll:g} s")
        )

    def _arn(self) -> str:
        groups = self.client.describe_log_groups(logGroupNamePrefix=self.group).get("logGroups", [])
        for g in groups:
            if g.get("logGroupName") == self.group:
                return str(g["arn"]).removesuffix(":*")
        raise KeyError(f"no log group {self.group!r}")

    def _emit(self, out: queue.Queue[Batch], events: list[dict[str, Any]]) -> None:
        fresh: list[tuple[int, bytes]] = []
        for e in events:
            ts, message = e.get("timestamp"), e.get("message")
            if not isinstance(ts, int) or not isinstance(message, str):
                continue
            raw = message.encode("utf-8")
            key = f"{e.get('logStreamName', '')}/{ts}/{hashlib.blake2b(raw, digest_size=12).hexdigest()}"
            if key in self.seen:
                continue
            self.seen[key] = ts
            fresh.append((ts, raw))
            self.newest = max(self.newest or ts, ts)
        if fresh:
            horizon = (self.newest or 0) - LOOKBACK_MS
            self.seen = {k: t for k, t in self.seen.items() if t >= horizon}
        if fresh or events:
            out.put(Batch(self.name, fresh, wall_ms(), position={"newest": self.newest, "seen": dict(self.seen)},
                          items=True))  # fmt: skip


def log_group_source(
    args: argparse.Namespace, positions: dict[str, Any], pattern: str | None, from_start: bool
) -> Source:
    """The ``--log-group`` source; ``ValueError`` when boto3 is missing."""
    try:
        clients, default_region = session_clients()
    except ImportError:
        raise ValueError("--log-group needs boto3: pip install 'cwfilter[s3]'") from None
    region = args.region or default_region
    if not region:
        raise ValueError("--log-group needs a region: --region, or the usual AWS settings (AWS_DEFAULT_REGION)")
    client = clients("logs", region)
    saved = positions.get(f"log-group:{args.log_group}")
    reader = LogGroupReader(client, args.log_group, pattern, args.poll or 5.0,
                            saved if isinstance(saved, dict) else None, from_start)  # fmt: skip
    return reader.run
