"""An organization read serially and on a pool (issue 23): accounts × regions against the moto
server with an injected latency per call (what a real endpoint costs), ``max_workers`` 1 against
16 in the same run; the speed-up and the peak of Python allocations are printed. ``make bench``:
20 accounts × 4 regions, 50 ms a call (``CWFILTER_BENCH_ACCOUNTS``, ``CWFILTER_BENCH_LATENCY_MS``);
2 accounts × 2 regions without latency under ``make test``, as a smoke run."""

from __future__ import annotations

import os
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from cwfilter.audit import PASS, audit
from cwfilter.aws.clients import factory
from cwfilter.aws.organization import Target, read_accounts
from cwfilter.rules import find_rule
from tests.audit_scenarios import BASE, build_in_moto
from tests.moto_aws import account_session, new_account
from tests.moto_aws import moto_endpoint as moto_endpoint  # the session's moto_server

REGIONS = ["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"]


def _timing(config: pytest.Config) -> bool:
    return bool(config.getoption("benchmark_enable")) or not config.getoption("benchmark_disable")


def _sessions(endpoint: str, accounts: int, latency: float) -> list[tuple[str, Any]]:
    """``accounts`` compliant accounts, each with a session whose calls wait ``latency`` s."""
    out: list[tuple[str, Any]] = []
    for _ in range(accounts):
        account = new_account()
        session = account_session(endpoint, account)
        if out:  # one copy of the service models, as cwfilter.aws.clients.assumed_session shares them
            session._session.register_component("data_loader", out[0][1]._session.get_component("data_loader"))
        build_in_moto(session, endpoint, BASE, account)
        if latency:
            session._session.get_component("event_emitter").register("before-send.*.*", lambda **_: time.sleep(latency))
        out.append((account, session))
    return out


def _targets(sessions: list[tuple[str, Any]]) -> list[Target]:
    """Fresh clients for each read (boto3 clients are made as the read needs them)."""
    return [Target(account, factory(session)) for account, session in sessions]


def _read(targets: list[Target], regions: list[str], workers: int) -> tuple[float, int, list[Any]]:
    """Seconds, peak bytes allocated, and the models."""
    tracemalloc.start()
    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        read = read_accounts(targets, regions, pool=pool)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak, [a for a, _ in read]


def test_organization_serial_vs_16_workers(
    moto_endpoint: str,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    timed = _timing(request.config)
    accounts = int(os.environ.get("CWFILTER_BENCH_ACCOUNTS", "20" if timed else "2"))
    latency = float(os.environ.get("CWFILTER_BENCH_LATENCY_MS", "50" if timed else "0")) / 1000
    regions = REGIONS if timed else REGIONS[:2]
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    sessions = _sessions(moto_endpoint, accounts, latency)
    _read(_targets(sessions[:1]), regions[:1], 1)  # boto3 loads its service models once: not part of either figure
    serial = _read(_targets(sessions), regions, 1)
    pooled = _read(_targets(sessions), regions, 16)
    rule = find_rule("CWL-012")
    for _, _, models in (serial, pooled):
        assert {f.status for m in models for f in audit(m, [rule])} == {PASS}
    with capsys.disabled():
        print(f"\norganization read, {accounts} accounts x {len(regions)} regions, {latency * 1000:.0f} ms a call"
              f"{'' if timed else ' (smoke run, not a measurement)'}: serial {serial[0]:.2f} s "
              f"(peak {serial[1] / 2**20:.1f} MiB), --max-workers 16 {pooled[0]:.2f} s "
              f"(peak {pooled[1] / 2**20:.1f} MiB): {serial[0] / pooled[0]:.1f}x")  # fmt: skip
