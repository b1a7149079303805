"""Issue 23 item 1: an organization on a moto server (management account, three member accounts
reached by assuming ``OrganizationAccountAccessRole``, two regions), read concurrently; a member
whose role cannot be assumed is NO_DATA naming the call, never PASS; remediation applied per
account makes every account pass, and a second run changes nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from cwfilter import find_rule
from cwfilter.audit import NO_DATA, PASS, audit
from cwfilter.aws.organization import organization_accounts, read_accounts, targets
from cwfilter.remediate import apply, plan

from .audit_scenarios import BASE, SCENARIOS, build_in_moto
from .moto_aws import account_session, moto_endpoint, new_account  # noqa: F401 - fixture

CWL012 = find_rule("CWL-012")
REGIONS = ["us-east-1", "eu-west-1"]
NO_FILTER = next(s for s in SCENARIOS if s.name == "no filter at all")


def _deny_assume(session: Any, account: str) -> None:
    """AssumeRole into ``account`` answers AccessDenied (moto lets every role be assumed)."""
    from botocore.awsrequest import AWSResponse

    class Raw:
        def stream(self, **_: Any) -> Any:
            yield (b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to "
                   b"perform sts:AssumeRole</Message></Error><RequestId>1</RequestId></ErrorResponse>")  # fmt: skip

    def reply(request: Any, **_: Any) -> Any:
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
        return AWSResponse(request.url, 403, {}, Raw()) if f"iam%3A%3A{account}%3Arole" in body else None

    session._session.get_component("event_emitter").register("before-send.sts.AssumeRole", reply)


@pytest.fixture
def organization(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[str]]:  # noqa: F811
    """A management account with an organization of three members: one compliant, two without
    filters; the third member's role cannot be assumed."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    manager = new_account()
    session = account_session(moto_endpoint, manager)
    orgs = session.client("organizations", endpoint_url=moto_endpoint)
    orgs.create_organization(FeatureSet="ALL")
    members = [orgs.create_account(Email=f"m{i}@example.com", AccountName=f"m{i}")["CreateAccountStatus"]["AccountId"]
               for i in range(3)]  # fmt: skip
    for member, sc in zip(members, (BASE, NO_FILTER, NO_FILTER)):
        build_in_moto(account_session(moto_endpoint, member), moto_endpoint, sc, member)
    _deny_assume(session, members[2])
    return session, members


def test_every_account_and_region_then_remediate(organization: tuple[Any, list[str]]) -> None:
    session, members = organization
    from cwfilter.aws.clients import factory

    listed = organization_accounts(factory(session))
    assert set(members) <= set(listed)
    with ThreadPoolExecutor(8) as pool:
        found = targets(members, session, pool=pool)
        assert [t.error is None for t in found] == [True, True, False]
        assert "AssumeRole" in str(found[2].error) and "AccessDenied" in str(found[2].error)
        read = read_accounts(found, REGIONS, pool=pool)
    verdicts = {(a.account_id, f.region): (f.status, f.reason) for a, _ in read for f in audit(a, [CWL012])}
    assert len(verdicts) == 6
    assert verdicts[members[0], "us-east-1"] == verdicts[members[0], "eu-west-1"] == (PASS, "COMPLIANT")
    assert verdicts[members[1], "us-east-1"] == ("FAIL", "CLOUDTRAIL_METRIC_FILTERS_NOT_PRESENT")
    assert verdicts[members[2], "us-east-1"] == (NO_DATA, "AWS_CALL_FAILED")
    denied = audit(read[2][0], [CWL012])
    assert all("AssumeRole" in f.message and f.account == members[2] for f in denied)
    for target, (account, _) in zip(found[:2], read[:2]):
        plans = [p for p in plan(account, audit(account, [CWL012]), email="sec@example.com") if p.steps]
        assert target.client is not None
        apply(plans, target.client)
    with ThreadPoolExecutor(8) as pool:
        again = read_accounts(found[:2], REGIONS, pool=pool)
    assert {f.status for a, _ in again for f in audit(a, [CWL012])} == {PASS}
    assert all(not p.steps for a, _ in again for p in plan(a, audit(a, [CWL012]), email="sec@example.com"))


def test_cli_organization_audit_then_remediate(
    organization: tuple[Any, list[str]],
    moto_endpoint: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    """The Done-when run through the CLI: `audit --organization` reports every account × region
    (the management account too), the member whose role cannot be assumed makes the exit status
    2; `remediate --account ... --apply` makes the others pass; a second run changes nothing."""
    import json

    import boto3

    from cwfilter.cli import main

    session, members = organization
    iam = session.client("iam", endpoint_url=moto_endpoint)
    iam.create_user(UserName="auditor")
    key = iam.create_access_key(UserName="auditor")["AccessKey"]  # moto: this key acts as the management account
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")

    class Session(boto3.Session):  # the member whose role cannot be assumed, in the CLI's own sessions
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            _deny_assume(self, members[2])

    monkeypatch.setattr(boto3, "Session", Session)
    regions = [arg for r in REGIONS for arg in ("--region", r)]
    code = main(["audit", "--organization", "--rule", "CWL-012", *regions, "--output", "json"])
    out, err = capsys.readouterr()
    found = {(f["account"], f["region"]): f["status"] for f in json.loads(out)["findings"]}
    assert code == 2 and {a for a, _ in found} >= set(members) and len(found) == 2 * len({a for a, _ in found})
    assert found[members[0], "eu-west-1"] == PASS and found[members[2], "us-east-1"] == NO_DATA
    assert members[2] in err and "AssumeRole" in err and "reading trails" in err
    fixable = [arg for m in members[:2] for arg in ("--account", m)]
    code = main(["remediate", *fixable, "--rule", "CWL-012", *regions, "--apply", "--email", "sec@example.com"])
    out, _ = capsys.readouterr()
    assert code == 0 and "audit after the fix:" in out and f"{members[1]} us-east-1: PutMetricFilter" in out
    assert main(["audit", *fixable, "--rule", "CWL-012", *regions]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["ACCOUNT", "RULE", "REGION", "STATUS", "REASON"]
    assert [line.split()[0] for line in table[1:5]] == sorted([members[0]] * 2 + [members[1]] * 2)
    assert main(["remediate", *fixable, "--rule", "CWL-012", *regions, "--apply", "--email", "sec@example.com"]) == 0
    out, err = capsys.readouterr()
    assert "PutMetric" not in out and "nothing to do" in err
