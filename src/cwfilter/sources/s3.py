"""``s3://bucket/prefix`` inputs, listed and read with boto3 (an optional dependency).

The endpoint, region and credentials come from the usual AWS settings, so
``AWS_ENDPOINT_URL_S3`` (or ``AWS_ENDPOINT_URL``) points replay at any S3 API server.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from ..errors import CwfilterError

if TYPE_CHECKING:
    from .scope import Scope

T = TypeVar("T")


class S3Error(CwfilterError, RuntimeError):
    """An S3 input that cannot be listed or read."""

    code = "E_S3"


# Requests in flight: listing the prefixes of a trail, and reading a batch's objects. S3
# answers a small GET in tens of milliseconds, so one request at a time leaves a worker idle.
LIST_THREADS = 16
READ_AHEAD = 16


def _config() -> Any:
    from botocore.config import Config

    # Standard retries (throttling, 5xx, connection errors; backing off); a connection per thread.
    return Config(
        retries={"mode": "standard", "max_attempts": 8}, max_pool_connections=2 * max(LIST_THREADS, READ_AHEAD)
    )


@lru_cache(maxsize=4)
def _client_for(pid: int) -> Any:
    try:
        import boto3  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise S3Error("s3:// inputs need boto3: pip install 'cwfilter[s3]'") from None
    return boto3.session.Session().client("s3", config=_config())


def _client() -> Any:
    """This process's S3 client (a forked worker makes its own: connections are not shared
    across processes). Thread-safe once made."""
    return _client_for(os.getpid())


_client.cache_clear = _client_for.cache_clear  # type: ignore[attr-defined]


def split_uri(uri: str) -> tuple[str, str]:
    rest = uri[len("s3://") :]
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise S3Error(f"{uri}: no bucket name")
    return bucket, prefix


def list_objects(uri: str, scope: Scope | None = None) -> Iterator[tuple[str, int]]:
    """(``s3://bucket/key``, size) of every object under the prefix, in key order. Within the
    CloudTrail layout the prefix is split at each level (organisation, account, kind, region,
    year, month, day) and the parts listed in parallel; ``scope`` leaves out the parts outside
    it before they are listed, each given as (``s3://bucket/prefix``, -1)."""
    bucket, prefix = split_uri(uri)
    client = _client()
    try:
        with ThreadPoolExecutor(LIST_THREADS, thread_name_prefix="cwfilter-s3-list") as pool:
            lister = _Lister(client, bucket, scope, pool)
            for key, size in lister.under(prefix):
                yield f"s3://{bucket}/{key}", size
    except S3Error:
        raise
    except Exception as exc:  # noqa: BLE001 - botocore raises many types; all mean "cannot list"
        raise S3Error(f"{uri}: cannot list objects: {exc}") from None


class _Lister:
    """A prefix listed level by level with ``Delimiter='/'`` while it is above the day folders
    of the layout, then flat; the sub-prefixes of a level are listed ``LIST_THREADS`` at a time,
    in order, a bounded number ahead."""

    def __init__(self, client: Any, bucket: str, scope: Scope | None, pool: ThreadPoolExecutor) -> None:
        self.client, self.bucket, self.scope, self.pool = client, bucket, scope, pool

    def under(self, prefix: str) -> Iterator[tuple[str, int]]:
        if not _splits(prefix):
            yield from self._flat(prefix)
            return
        level = self._level(prefix)
        yield from self._entries(level)

    def _entries(self, level: list[tuple[str, int]]) -> Iterator[tuple[str, int]]:
        """A level's objects and sub-prefixes (size -2) in key order, each sub-prefix expanded
        (its listing started ahead of time)."""
        subs = [key for key, size in level if size == -2 and self._kept(key)]
        ahead = _ordered(self.pool, self._start, subs)
        for key, size in level:
            if size != -2:
                yield key, size
            elif not self._kept(key):
                yield key, -1
            else:
                kind, listing = next(ahead)
                yield from (listing if kind == "flat" else self._entries(listing))

    def _kept(self, prefix: str) -> bool:
        return self.scope is None or self.scope.keeps_folder(prefix)

    def _start(self, prefix: str) -> tuple[str, list[tuple[str, int]]]:
        """Run in a pool thread: the whole listing of a leaf prefix, or one level of another."""
        if _splits(prefix):
            return "level", self._level(prefix)
        return "flat", list(self._flat(prefix))

    def _level(self, prefix: str) -> list[tuple[str, int]]:
        found: list[tuple[str, int]] = []
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/")
        for page in pages:
            found.extend((obj["Key"], int(obj.get("Size", 0))) for obj in page.get("Contents", []))
            found.extend((p["Prefix"], -2) for p in page.get("CommonPrefixes", []))
        found.sort()  # S3's order is UTF-8 byte order, which is code point order
        return found

    def _flat(self, prefix: str) -> Iterator[tuple[str, int]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        for page in pages:
            for obj in page.get("Contents", []):
                yield obj["Key"], int(obj.get("Size", 0))


def _splits(prefix: str) -> bool:
    """Whether a prefix is split into its sub-prefixes: the bucket's root, and the folders of
    the CloudTrail layout above the day (``AWSLogs/[o-org/]ACCOUNT/KIND/REGION/YYYY/MM/``)."""
    if not prefix:
        return True
    if not prefix.endswith("/"):
        return False
    parts = prefix.rstrip("/").split("/")
    if "AWSLogs" not in parts:
        return False
    rest = parts[len(parts) - parts[::-1].index("AWSLogs") :]
    if rest and rest[0].startswith("o-"):
        rest = rest[1:]
    return len(rest) < 6


def _ordered(
    pool: ThreadPoolExecutor, fn: Callable[[str], T], items: list[str], ahead: int = 2 * LIST_THREADS
) -> Iterator[T]:
    """``fn`` of each item, run in ``pool`` at most ``ahead`` ahead of the consumer, in order."""
    pending: deque[Future[T]] = deque()
    it = iter(items)
    for item in it:
        pending.append(pool.submit(fn, item))
        if len(pending) >= ahead:
            break
    while pending:
        yield pending.popleft().result()
        for item in it:
            pending.append(pool.submit(fn, item))
            break


class _ReadAhead:
    """The objects of a batch fetched ``READ_AHEAD`` at a time by threads, in the order the
    reader asks for them: at most ``READ_AHEAD`` bodies wait in memory."""

    def __init__(self, uris: list[str]) -> None:
        self.pending = iter(uris)
        self.futures: dict[str, Future[bytes]] = {}

    def start(self, count: int) -> None:
        pool = _pool()
        for uri in self.pending:
            future = pool.submit(_fetch, uri)
            with _LOCK:
                self.futures[uri] = future
                _AHEAD[uri] = self
            count -= 1
            if count <= 0:
                break

    def take(self, uri: str) -> Future[bytes] | None:
        with _LOCK:
            future = self.futures.pop(uri, None)
            _AHEAD.pop(uri, None)
        if future is not None:
            self.start(1)
        return future

    def close(self) -> None:
        with _LOCK:
            for uri, future in self.futures.items():
                future.cancel()
                _AHEAD.pop(uri, None)
            self.futures.clear()
        self.pending = iter(())


_LOCK = threading.Lock()
_AHEAD: dict[str, _ReadAhead] = {}  # object → the read-ahead that fetches it


@lru_cache(maxsize=4)
def _pool_for(pid: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(READ_AHEAD, thread_name_prefix="cwfilter-s3-read")


def _pool() -> ThreadPoolExecutor:
    return _pool_for(os.getpid())


@contextmanager
def reading_ahead(objects: list[tuple[str, int]], limit: int) -> Iterator[None]:
    """While the block runs, the ``s3://`` objects of ``objects`` (name, size) of at most
    ``limit`` bytes are fetched ahead, ``READ_AHEAD`` requests in flight, for ``read_object``
    to find in the order given. Larger objects are streamed as usual."""
    uris = [name for name, size in objects if name.startswith("s3://") and size <= limit]
    if len(uris) < 2:
        yield
        return
    _client()  # made before the threads need it
    ahead = _ReadAhead(uris)
    ahead.start(READ_AHEAD)
    try:
        yield
    finally:
        ahead.close()


def _fetch(uri: str) -> bytes:
    body = open_object(uri)
    try:
        return body.read()
    except Exception as exc:  # noqa: BLE001
        raise S3Error(f"{uri}: cannot read: {exc}") from None
    finally:
        body.close()


def open_object(uri: str) -> BinaryIO:
    """The object's body as a stream (read it front to back, once)."""
    bucket, key = split_uri(uri)
    try:
        return _client().get_object(Bucket=bucket, Key=key)["Body"]  # type: ignore[no-any-return]
    except Exception as exc:  # noqa: BLE001
        raise S3Error(f"{uri}: cannot read: {exc}") from None


def read_object(uri: str) -> bytes:
    """The object's bytes: fetched ahead (``reading_ahead``) or read now."""
    ahead = _AHEAD.get(uri)
    future = ahead.take(uri) if ahead is not None else None
    return future.result() if future is not None else _fetch(uri)
