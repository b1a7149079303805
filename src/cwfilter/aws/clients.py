"""boto3 in one place: sessions and client factories (adaptive retries, connect and read
timeouts), boto3's method for an API operation, and one call that reads every page and names
the call in its error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import CwfilterError

ClientFactory = Callable[[str, str], Any]
"""``client(service, region)`` → a boto3 client."""

MAX_ATTEMPTS = 10
CONNECT_TIMEOUT = 10  # seconds
READ_TIMEOUT = 30


class AwsCallError(CwfilterError, RuntimeError):
    """An AWS API call that failed, named (``service Operation in REGION``) with AWS's error;
    ``aws_exception`` is AWS's error code (``AccessDenied``...) or the botocore exception's name."""

    code = "E_AWS"

    def __init__(self, call: str, code: str, message: str) -> None:
        super().__init__(f"{call} failed: {code}: {message}" if code else f"{call} failed: {message}")
        self.call, self.aws_exception = call, code or None


def session_clients(profile: str | None = None, session: Any = None) -> tuple[ClientFactory, str | None]:
    """A client factory over a boto3 session (the standard AWS configuration, or ``profile``)
    and the session's default region."""
    import boto3

    session = session or boto3.Session(profile_name=profile)
    return factory(session), session.region_name


def factory(session: Any) -> ClientFactory:
    """A client factory over a boto3 session: adaptive retries, connect and read timeouts; one
    client per service and region, shared by the threads that use the factory (boto3 clients
    are thread-safe; sessions are not)."""
    import threading

    from botocore.config import Config

    config = Config(retries={"mode": "adaptive", "max_attempts": MAX_ATTEMPTS},
                    connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT)  # fmt: skip
    made: dict[tuple[str, str], Any] = {}
    lock = threading.Lock()

    def client(service: str, region: str) -> Any:
        with lock:
            if (service, region) not in made:
                made[service, region] = session.client(service, region_name=region, config=config)
            return made[service, region]

    return client


def assumed_session(base: Any, credentials: dict[str, Any]) -> Any:
    """A boto3 session with ``credentials`` (an AssumeRole reply's) that shares ``base``'s loaded
    service models: a session per account would otherwise read and parse every model again (the
    bulk of a client's cost when many accounts are read)."""
    import boto3
    import botocore.session

    core = botocore.session.Session()
    core.register_component("data_loader", base._session.get_component("data_loader"))
    return boto3.Session(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                         aws_session_token=credentials["SessionToken"], region_name=base.region_name,
                         botocore_session=core)  # fmt: skip


def method_name(operation: str) -> str:
    """boto3's method for an API operation (``GetTrailStatus`` → ``get_trail_status``)."""
    return "".join("_" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(operation))


def call(client: ClientFactory, service: str, region: str, operation: str, **params: Any) -> dict[str, Any]:
    """One API call, every page of it, as JSON-ready data (timestamps as ISO text, no
    ``ResponseMetadata``); an ``AwsCallError`` naming the call when it fails."""
    from botocore.exceptions import BotoCoreError, ClientError

    name = f"{service} {operation} in {region}"
    try:
        c = client(service, region)
        method = method_name(operation)
        if c.can_paginate(method):
            result = c.get_paginator(method).paginate(**params).build_full_result()
        else:
            result = getattr(c, method)(**params)
    except ClientError as exc:
        err = exc.response.get("Error", {})
        raise AwsCallError(name, str(err.get("Code") or ""), str(err.get("Message") or "")) from None
    except BotoCoreError as exc:
        raise AwsCallError(name, type(exc).__name__, str(exc)) from None
    if not isinstance(result, dict):
        raise AwsCallError(name, "", f"unexpected reply {type(result).__name__}")
    result = {k: v for k, v in result.items() if k not in ("ResponseMetadata", "NextToken", "nextToken")}
    out: dict[str, Any] = _jsonable(result)
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
