"""Faults while reading an account: the affected check is NO_DATA with a message naming the
call (or file), the other checks still run, nothing raises. And the member account's view of
an organization trail (moto has none: botocore's Stubber plays it) is NO_DATA, not FAIL."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cwfilter import find_rule
from cwfilter.audit import NO_DATA, PASS, SnapshotError, audit, read_live, read_snapshot, write_snapshot

from .audit_scenarios import BASE, ORG_TRAIL, SCENARIOS
from .moto_aws import client_factory, moto_endpoint  # noqa: F401 - fixture
from .test_audit_live import moto_account

CWL012 = find_rule("CWL-012")
botocore = pytest.importorskip("botocore")


def _error_reply(request: Any, code: str, status: int = 400) -> Any:
    from botocore.awsrequest import AWSResponse

    class Raw:
        def __init__(self, body: bytes) -> None:
            self.body = body

        def stream(self, **_: Any) -> Any:
            yield self.body

    body = json.dumps({"__type": code, "message": f"simulated {code}"}).encode()
    return AWSResponse(request.url, status, {"Content-Type": "application/x-amz-json-1.1"}, Raw(body))


def fail_cloudtrail(session: Any, region: str, code: str, times: int | None = None) -> list[int]:
    """Make CloudTrail calls in ``region`` answer ``code`` (``times`` times, or always) at the
    HTTP layer, so botocore's retry logic sees them as AWS's replies. Returns the call counter."""
    calls = [0]

    def reply(request: Any, **_: Any) -> Any:
        if f"/{region}/cloudtrail/" not in str(request.headers.get("Authorization", "")):
            return None
        calls[0] += 1
        if times is None or calls[0] <= times:
            return _error_reply(request, code)
        return None

    session._session.get_component("event_emitter").register("before-send.cloudtrail.*", reply)
    return calls


@pytest.mark.parametrize(
    ("region", "code"), [("eu-west-1", "AccessDeniedException"), ("ap-east-1", "UnrecognizedClientException")]
)
def test_failed_call_in_one_region_others_still_run(moto_endpoint: str, region: str, code: str) -> None:  # noqa: F811
    """AccessDenied, or a region that is not enabled (UnrecognizedClientException), on DescribeTrails."""
    session = moto_account(moto_endpoint, BASE)
    fail_cloudtrail(session, region, code)
    account, _ = read_live(["us-east-1", region], client=_routed(session, moto_endpoint))
    by_region = {f.region: f for f in audit(account, [CWL012])}
    assert by_region["us-east-1"].status == PASS
    failed = by_region[region]
    assert (failed.status, failed.reason) == (NO_DATA, "AWS_CALL_FAILED")
    assert f"cloudtrail DescribeTrails in {region}" in failed.message and code in failed.message


def test_throttling_is_retried(moto_endpoint: str) -> None:  # noqa: F811
    session = moto_account(moto_endpoint, BASE)
    calls = fail_cloudtrail(session, "us-east-1", "ThrottlingException", times=2)
    account, _ = read_live(["us-east-1"], client=_routed(session, moto_endpoint))
    assert audit(account, [CWL012])[0].status == PASS
    assert calls[0] > 2  # the two throttled attempts were retried


def _routed(session: Any, endpoint: str) -> Any:
    """moto's client factory with botocore's standard retries (throttling retried)."""
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 5})
    return lambda service, region: session.client(service, region_name=region, endpoint_url=endpoint, config=config)


def test_no_credentials_every_check_no_data_without_traceback() -> None:
    import boto3

    session = boto3.Session(aws_access_key_id=None, aws_secret_access_key=None, region_name="us-east-1",
                            botocore_session=_no_credentials_session())  # fmt: skip
    account, responses = read_live(["us-east-1"], session=session)
    findings = audit(account)
    assert findings and all(f.status == NO_DATA for f in findings)
    assert "sts GetCallerIdentity" in findings[0].message and "credentials" in findings[0].message.lower()
    assert "account.json" in responses["errors.json"]


def _no_credentials_session() -> Any:
    import botocore.session

    s = botocore.session.Session()
    s.get_component("credential_provider").providers = []
    return s


def test_organization_trail_from_member_account_is_no_data() -> None:
    """A member account sees the management account's organization trail (Stubber)."""
    import boto3
    from botocore.stub import Stubber

    member, manager = "222222222222", "111111111111"
    org_trail = {
        "Name": "org-trail", "TrailARN": f"arn:aws:cloudtrail:us-east-1:{manager}:trail/org-trail",
        "HomeRegion": "us-east-1", "IsMultiRegionTrail": True, "IsOrganizationTrail": True,
        "S3BucketName": "org-bucket",
        "CloudWatchLogsLogGroupArn": f"arn:aws:logs:us-east-1:{manager}:log-group:org:*",
    }  # fmt: skip
    replies = {
        "sts": [("get_caller_identity", {"Account": member, "Arn": f"arn:aws:iam::{member}:root", "UserId": "x"})],
        "cloudtrail": [("describe_trails", {"trailList": [org_trail]})],
        "logs": [("describe_metric_filters", {"metricFilters": []})],
        "cloudwatch": [("describe_alarms", {"MetricAlarms": [], "CompositeAlarms": []})],
    }
    clients = {}
    for service, calls in replies.items():
        client = boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
        stubber = Stubber(client)
        for method, reply in calls:
            stubber.add_response(method, reply)
        stubber.activate()
        clients[service] = client
    account, _ = read_live(["us-east-1"], client=lambda service, region: clients[service])
    findings = audit(account, [CWL012])
    assert [(f.status, f.reason) for f in findings] == [ORG_TRAIL]
    assert "org-trail" in findings[0].message and "organization trail" in findings[0].message


def test_malformed_snapshot_file_names_the_file(moto_endpoint: str, tmp_path: Any) -> None:  # noqa: F811
    session = moto_account(moto_endpoint, BASE)
    _, responses = read_live(["us-east-1"], client=client_factory(session))
    write_snapshot(responses, tmp_path)
    (tmp_path / "us-east-1" / "describe-alarms.json").write_text("{ not json", encoding="utf-8")
    findings = audit(read_snapshot(tmp_path), [CWL012, find_rule("CloudWatch.1")])
    assert all(f.status == NO_DATA for f in findings)
    assert all("describe-alarms.json" in f.message and "not valid JSON" in f.message for f in findings)


def test_not_a_snapshot_folder(tmp_path: Any) -> None:
    with pytest.raises(SnapshotError, match="not a cwfilter snapshot"):
        read_snapshot(tmp_path)
    with pytest.raises(SnapshotError, match="not a directory"):
        read_snapshot(tmp_path / "missing")


@pytest.mark.parametrize(
    ("rule", "enabled", "expect"),
    [
        ('ALARM("audit-alarm-0") OR ALARM("other")', True, ("PASS", "COMPLIANT")),
        ('ALARM("arn:aws:cloudwatch:us-east-1:{account}:alarm:audit-alarm-0")', True, ("PASS", "COMPLIANT")),
        ('ALARM("audit-alarm-0") AND ALARM("other")', True, ("FAIL", "CLOUDWATCH_ALARM_ACTIONS_NOT_VALID")),
        ('ALARM("audit-alarm-0")', False, ("FAIL", "CLOUDWATCH_ALARM_ACTIONS_NOT_VALID")),
    ],
)
def test_composite_alarm_carries_the_notification(moto_endpoint: str, rule: str, enabled: bool,  # noqa: F811
                                                  expect: tuple[str, str]) -> None:  # fmt: skip
    """A metric alarm without actions that triggers a composite alarm with an SNS action notifies
    (moto has no composite alarms: an after-call hook adds one to DescribeAlarms)."""
    sc = next(s for s in SCENARIOS if s.name == "alarm without actions")
    session = moto_account(moto_endpoint, sc)
    account_id = session.client("sts", endpoint_url=moto_endpoint).get_caller_identity()["Account"]
    topic = f"arn:aws:sns:us-east-1:{account_id}:cwfilter-audit-alarms"

    def add_composite(parsed: Any, **_: Any) -> None:
        parsed["CompositeAlarms"] = [{"AlarmName": "composite", "AlarmRule": rule.format(account=account_id),
                                      "ActionsEnabled": enabled, "AlarmActions": [topic]}]  # fmt: skip

    session._session.get_component("event_emitter").register("after-call.cloudwatch.DescribeAlarms", add_composite)
    account, _ = read_live(["us-east-1"], client=client_factory(session))
    finding = audit(account, [CWL012])[0]
    assert (finding.status, finding.reason) == expect, finding.message


@pytest.mark.parametrize(
    ("rule", "expect", "says"),
    [
        # Issue 24: the composite a team pages on, silent during maintenance, carries the CWL-012 notification.
        ('ALARM("audit-alarm-0") AND NOT ALARM("Maintenance")', ("PASS", "COMPLIANT"), "through composite alarm composite"),
        # A rule that can never be true is reported by name.
        ('ALARM("audit-alarm-0") AND OK("audit-alarm-0")', ("FAIL", "CLOUDWATCH_ALARM_ACTIONS_NOT_VALID"),
         "composite alarm composite can never be true"),
    ],
)  # fmt: skip
def test_composite_rules_parsed_as_aws_parses_them(moto_endpoint: str, rule: str, expect: tuple[str, str],  # noqa: F811
                                                   says: str) -> None:  # fmt: skip
    sc = next(s for s in SCENARIOS if s.name == "alarm without actions")
    session = moto_account(moto_endpoint, sc)
    account_id = session.client("sts", endpoint_url=moto_endpoint).get_caller_identity()["Account"]
    topic = f"arn:aws:sns:us-east-1:{account_id}:cwfilter-audit-alarms"

    def add_composite(parsed: Any, **_: Any) -> None:
        parsed["CompositeAlarms"] = [{"AlarmName": "composite", "AlarmRule": rule, "ActionsEnabled": True,
                                      "AlarmActions": [topic]}]  # fmt: skip

    session._session.get_component("event_emitter").register("after-call.cloudwatch.DescribeAlarms", add_composite)
    account, _ = read_live(["us-east-1"], client=client_factory(session))
    finding = audit(account, [CWL012])[0]
    assert (finding.status, finding.reason) == expect and says in finding.message, finding.message
