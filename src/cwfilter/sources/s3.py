"""``s3://bucket/prefix`` inputs, listed and read with boto3 (an optional dependency).

The endpoint, region and credentials come from the usual AWS settings, so
``AWS_ENDPOINT_URL_S3`` (or ``AWS_ENDPOINT_URL``) points replay at any S3 API server.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any, BinaryIO

from ..errors import CwfilterError


class S3Error(CwfilterError, RuntimeError):
    """An S3 input that cannot be listed or read."""

    code = "E_S3"


@lru_cache(maxsize=1)
def _client() -> Any:
    try:
        import boto3  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise S3Error("s3:// inputs need boto3: pip install 'cwfilter[s3]'") from None
    return boto3.client("s3")


def split_uri(uri: str) -> tuple[str, str]:
    rest = uri[len("s3://") :]
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise S3Error(f"{uri}: no bucket name")
    return bucket, prefix


def list_objects(uri: str) -> Iterator[tuple[str, int]]:
    """(``s3://bucket/key``, size) of every object under the prefix, in key order."""
    bucket, prefix = split_uri(uri)
    try:
        pages = _client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for page in pages:
            for obj in page.get("Contents", []):
                yield f"s3://{bucket}/{obj['Key']}", int(obj.get("Size", 0))
    except S3Error:
        raise
    except Exception as exc:  # noqa: BLE001 - botocore raises many types; all mean "cannot list"
        raise S3Error(f"{uri}: cannot list objects: {exc}") from None


def open_object(uri: str) -> BinaryIO:
    """The object's body as a stream (read it front to back, once)."""
    bucket, key = split_uri(uri)
    try:
        return _client().get_object(Bucket=bucket, Key=key)["Body"]  # type: ignore[no-any-return]
    except Exception as exc:  # noqa: BLE001
        raise S3Error(f"{uri}: cannot read: {exc}") from None


def read_object(uri: str) -> bytes:
    body = open_object(uri)
    try:
        return body.read()
    except Exception as exc:  # noqa: BLE001
        raise S3Error(f"{uri}: cannot read: {exc}") from None
    finally:
        body.close()
