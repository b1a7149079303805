"""S3 at request speed: replay of an S3 prefix of many small CloudTrail objects with 2 worker
processes, against a hand-written loop (one paginated listing, then 16 threads calling
``get_object``) on the same moto_server in the same run. The summary prints objects per second
and the ratio (``make bench``: ``CWFILTER_BENCH_OBJECTS``, default 2,000; a few dozen objects
under ``make test``, as a smoke run)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any

import pytest

from cwfilter.replayer import replay
from cwfilter.rules import find_rule
from tests.moto_aws import moto_endpoint  # noqa: F401 - the session's moto_server
from tests.scale_s3 import s3_env, upload_tree  # noqa: F401 - fixtures
from tests.synth import generate_tree

BUCKET = "bench-trail"
PREFIX = "AWSLogs/"


def _timing(config: pytest.Config) -> bool:
    """Whether benchmarks are timed (``--benchmark-enable`` overrides the configured disable)."""
    return bool(config.getoption("benchmark_enable")) or not config.getoption("benchmark_disable")


def _objects(config: pytest.Config) -> int:
    return int(os.environ.get("CWFILTER_BENCH_OBJECTS", "2000" if _timing(config) else "48"))


@pytest.fixture(scope="module")
def bucket(request: pytest.FixtureRequest, s3_env: str, tmp_path_factory: pytest.TempPathFactory) -> int:  # noqa: F811
    """A bucket of about the asked number of small objects (2 regions, one file per region and
    5 minutes: 24 per hour); how many there are."""
    want = _objects(request.config)
    root = tmp_path_factory.mktemp("s3-bench")
    generate_tree(root, seed=9, start=datetime(2024, 5, 1, tzinfo=timezone.utc), hours=want / 22 + 1, per_minute=2,
                  episodes=3)  # fmt: skip
    keys = upload_tree(s3_env, BUCKET, root, "*_CloudTrail_*.json.gz")
    assert len(keys) >= want
    return len(keys)


def _hand_loop() -> int:
    """What a person would write: list the prefix, then 16 threads fetch every object."""
    import boto3

    client: Any = boto3.client("s3")
    keys = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=PREFIX)
            for o in page.get("Contents", [])]  # fmt: skip

    def get(key: str) -> int:
        return len(client.get_object(Bucket=BUCKET, Key=key)["Body"].read())

    with ThreadPoolExecutor(16) as pool:
        return sum(1 for _ in pool.map(get, keys))


def _rounds(config: pytest.Config) -> int:
    return 3 if _timing(config) else 1


def test_s3_hand_loop_16_threads(benchmark: Any, bucket: int, request: pytest.FixtureRequest) -> None:
    benchmark.group = "s3"
    benchmark.extra_info["objects"] = bucket
    fetched = benchmark.pedantic(_hand_loop, rounds=_rounds(request.config), iterations=1, warmup_rounds=0)
    assert fetched == bucket


def test_s3_replay_2_jobs(benchmark: Any, bucket: int, request: pytest.FixtureRequest) -> None:
    benchmark.group = "s3"
    benchmark.extra_info["objects"] = bucket
    mf = find_rule("CWL-012").metric_filter(via="CWL-012")
    result = benchmark.pedantic(lambda: replay([f"s3://{BUCKET}/{PREFIX}"], mf, jobs=2),
                                rounds=_rounds(request.config), iterations=1, warmup_rounds=0)  # fmt: skip
    assert result.accounting.files == bucket and result.accounting.files_failed == 0
