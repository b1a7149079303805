"""A real ``moto_server`` process for the audit tests: one server per session on a free port,
one AWS account per scenario (moto's ``x-moto-account-id`` header, added by a before-sign
hook), and the hooks that work around moto's gaps (issue 14):

* moto confirms every subscription at once: ``pending`` rewrites the listed SubscriptionArn
  to ``PendingConfirmation`` in an after-call hook on ListSubscriptionsByTopic;
* GetEventSelectors returns empty lists when none were put, so fixtures put them explicitly.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

boto3 = pytest.importorskip("boto3")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """The URL of a moto_server started for this test session (stopped at its end)."""
    pytest.importorskip("moto.server")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.skip("moto_server did not start")
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


_ACCOUNTS = iter(range(100000000001, 999999999999))


def new_account() -> str:
    """A fresh 12-digit account ID (moto keeps each account's resources apart)."""
    return str(next(_ACCOUNTS))


def account_session(endpoint: str, account: str, *, pending_topics: tuple[str, ...] = ()) -> Any:
    """A boto3 session talking to moto as ``account``. Subscriptions of the topics named in
    ``pending_topics`` are listed as PendingConfirmation (moto confirms at once)."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    events = session._session.get_component("event_emitter")  # the botocore session under boto3

    def add_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account

    def pending(parsed: Any, **_: Any) -> None:
        for sub in parsed.get("Subscriptions") or []:
            if sub.get("TopicArn", "").split(":")[-1] in pending_topics:
                sub["SubscriptionArn"] = "PendingConfirmation"

    events.register("before-sign.*.*", add_account)
    events.register("after-call.sns.ListSubscriptionsByTopic", pending)
    session._cwfilter_endpoint = endpoint  # type: ignore[attr-defined]
    return session


def client_factory(session: Any) -> Any:
    """The audit's client factory for ``session`` (the moto endpoint, no retries to wait on)."""
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 2})

    def client(service: str, region: str) -> Any:
        return session.client(service, region_name=region, endpoint_url=session._cwfilter_endpoint, config=config)

    return client
