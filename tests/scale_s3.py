"""S3 for the scale tests and benchmarks: the S3 settings pointing at the session's
moto_server (``moto_aws.moto_endpoint``), and a tree uploaded to a bucket."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from cwfilter.sources import s3

from .moto_aws import moto_endpoint  # noqa: F401 - re-exported: the fixture s3_env needs it

S3_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3_env(moto_endpoint: str) -> Iterator[str]:  # noqa: F811
    """The S3 settings pointing at the moto_server, set in this process's environment (worker
    processes started afterwards inherit them: the credentials a real worker needs)."""
    saved = {k: os.environ.get(k) for k in (*S3_ENV, "AWS_ENDPOINT_URL_S3")}
    os.environ.update(S3_ENV, AWS_ENDPOINT_URL_S3=moto_endpoint)
    s3._client.cache_clear()
    yield moto_endpoint
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    s3._client.cache_clear()


def upload_tree(endpoint: str, bucket: str, tree: Path, pattern: str = "*.json.gz") -> list[str]:
    """Every file of ``tree`` matching ``pattern`` put to ``bucket`` under its relative path
    (8 requests at a time); the keys."""
    import boto3

    client: Any = boto3.client("s3", endpoint_url=endpoint)
    client.create_bucket(Bucket=bucket)
    paths = sorted(tree.rglob(pattern))
    keys = [p.relative_to(tree).as_posix() for p in paths]
    with ThreadPoolExecutor(8) as pool:
        list(
            pool.map(lambda pk: client.put_object(Bucket=bucket, Key=pk[1], Body=pk[0].read_bytes()), zip(paths, keys))
        )
    return keys
