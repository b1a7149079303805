"""The live audit against a real moto_server: every scenario of issue 14 in its own account,
its expected status and reason; a snapshot written from the account gives the same verdicts;
faults (AccessDenied on one call, no identity) make only the affected check NO_DATA."""

from __future__ import annotations

from typing import Any

import pytest

from cwfilter import find_rule
from cwfilter.audit import audit, read_live, read_snapshot, write_snapshot

from .audit_scenarios import AUDITED_REGION, SCENARIOS, Scenario, build_in_moto
from .moto_aws import account_session, client_factory, moto_endpoint, new_account  # noqa: F401 - fixture

CWL012 = find_rule("CWL-012")


def moto_account(endpoint: str, sc: Scenario) -> Any:
    account = new_account()
    session = account_session(
        endpoint, account, pending_topics=("cwfilter-audit-alarms",) if sc.subscription == "pending" else ()
    )
    build_in_moto(session, endpoint, sc, account)
    return session


@pytest.fixture(scope="module")
def live_results(moto_endpoint: str) -> dict[str, Any]:  # noqa: F811 - fixture
    """Each scenario built once in its own account and audited live (findings, responses)."""
    out = {}
    for sc in SCENARIOS:
        session = moto_account(moto_endpoint, sc)
        account, responses = read_live([AUDITED_REGION], client=client_factory(session))
        out[sc.name] = (audit(account, [CWL012]), responses)
    return out


@pytest.mark.parametrize("sc", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario_live(live_results: dict[str, Any], sc: Scenario) -> None:
    findings, _ = live_results[sc.name]
    assert len(findings) == 1
    f = findings[0]
    assert (f.status, f.reason) == sc.expect, f.message
    assert f.region == AUDITED_REGION and f.rule == CWL012.id


@pytest.mark.parametrize("sc", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_snapshot_gives_live_verdict(live_results: dict[str, Any], sc: Scenario, tmp_path: Any) -> None:
    findings, responses = live_results[sc.name]
    write_snapshot(responses, tmp_path)
    again = audit(read_snapshot(tmp_path), [CWL012])
    assert [(f.status, f.reason, f.message) for f in again] == [(f.status, f.reason, f.message) for f in findings]


@pytest.mark.parametrize(
    ("name", "literal"),
    [
        ("typo PutBucketACL", "PASS"),
        ("threshold one event cannot reach", "PASS"),
        ("alarm in another namespace", "FAIL"),
        ("compliant (CIS text)", "PASS"),
    ],
)
def test_conformity_literal_check_beside_the_verdict(live_results: dict[str, Any], name: str, literal: str) -> None:
    """Conformity's check only asks for an alarm on CloudTrailMetrics/S3BucketEventCount: it passes
    the broken setups above; cwfilter reports its verdict beside cwfilter's own."""
    (finding,), _ = live_results[name]
    assert finding.evidence["conformityLiteralCheck"] == literal
