"""``remediate``: every FAIL scenario cwfilter can fix becomes PASS on a second audit, and a
third run changes nothing; the printed forms (CLI, CloudFormation, Terraform) of a plan,
audited as templates together with the broken setup, pass too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from cwfilter import find_rule
from cwfilter.audit import audit, read_live, read_template
from cwfilter.remediate import RemediationError, apply, as_cli, as_cloudformation, as_terraform, plan

from .audit_scenarios import AUDITED_REGION, SCENARIOS, Scenario, to_cloudformation, to_terraform
from .moto_aws import client_factory, moto_endpoint  # noqa: F401 - fixture
from .test_audit_live import moto_account

CWL012 = find_rule("CWL-012")
FIXABLE = [s for s in SCENARIOS if s.expect[0] == "FAIL" and s.expect[1] not in (
    "CLOUDTRAIL_MULTI_REGION_NOT_PRESENT", "CLOUDTRAIL_NOT_LOGGING", "CLOUDTRAIL_MANAGEMENT_EVENTS_NOT_LOGGED",
    "CLOUDTRAIL_LOG_GROUP_NOT_PRESENT") and s.subscription != "pending"]  # fmt: skip
EMAIL = "security@example.com"


def _state(client: Any, region: str) -> Any:
    """What remediation could change: filters, alarms, topics and subscriptions."""
    return (
        client("logs", region).describe_metric_filters()["metricFilters"],
        client("cloudwatch", region).describe_alarms()["MetricAlarms"],
        client("sns", region).list_topics()["Topics"],
        client("sns", region).list_subscriptions()["Subscriptions"],
    )


@pytest.mark.parametrize("sc", FIXABLE, ids=[s.name for s in FIXABLE])
def test_apply_fixes_then_changes_nothing(moto_endpoint: str, sc: Scenario) -> None:  # noqa: F811
    client = client_factory(moto_account(moto_endpoint, sc))
    account, _ = read_live([AUDITED_REGION], client=client)
    assert audit(account, [CWL012])[0].status == "FAIL"
    first = _plan(account, email=EMAIL)
    assert first.steps and apply([first], client)
    account, _ = read_live([AUDITED_REGION], client=client)
    second = audit(account, [CWL012])[0]
    assert (second.status, second.reason) == ("PASS", "COMPLIANT"), second.message
    before = _state(client, AUDITED_REGION)
    again = _plan(account, email=EMAIL)
    assert again.steps == [] and apply([again], client) == []
    assert _state(client, AUDITED_REGION) == before


def test_plan_values_are_the_rules(tmp_path: Path) -> None:
    sc = next(s for s in SCENARIOS if s.name == "no filter at all")
    account = _template_account(sc, tmp_path)
    p = _plan(account, email=EMAIL)
    steps = {s.operation: s.params for s in p.steps}
    assert steps["PutMetricFilter"]["filterName"] == "S3BucketConfigChanges"
    assert steps["PutMetricFilter"]["metricTransformations"] == [
        {"metricName": "S3BucketEventCount", "metricNamespace": "CloudTrailMetrics", "metricValue": "1"}
    ]
    alarm = steps["PutMetricAlarm"]
    assert (alarm["AlarmName"], alarm["Statistic"], alarm["Period"], alarm["EvaluationPeriods"], alarm["Threshold"],
            alarm["ComparisonOperator"]) == ("S3BucketConfigChangesAlarm", "Sum", 300, 1, 1.0,
                                             "GreaterThanOrEqualToThreshold")  # fmt: skip
    assert alarm["AlarmDescription"] == "Triggered by AWS S3 Bucket config changes."
    assert p.reused == {"topic": "arn:aws:sns:us-east-1:123456789012:cwfilter-audit-alarms"}  # reuses the topic
    assert "PutMetricFilter" in steps and "CreateTopic" not in steps


def _plan(account: Any, email: str | None = None) -> Any:
    """The plan of CWL-012 from the audit's verdict (one region)."""
    (one,) = plan(account, audit(account, [CWL012]), email=email)
    return one


def _template_account(sc: Scenario, folder: Path) -> Any:
    (folder / "t.json").write_text(json.dumps(to_cloudformation(sc)), encoding="utf-8")
    return read_template(folder / "t.json")


def test_new_topic_needs_an_email(tmp_path: Path) -> None:
    sc = next(s for s in SCENARIOS if s.name == "topic without subscriber")
    with pytest.raises(RemediationError, match="--email"):
        _plan(_template_account(sc, tmp_path))


def test_reuses_a_complete_filter_that_lacks_an_alarm(tmp_path: Path) -> None:
    sc = next(s for s in SCENARIOS if s.name == "alarm in another namespace")
    p = _plan(_template_account(sc, tmp_path), email=EMAIL)
    assert p.reused["filter"] == "audit-filter-0"
    assert [s.operation for s in p.steps] == ["PutMetricAlarm"]


def test_trail_problems_are_not_changed(tmp_path: Path) -> None:
    sc = next(s for s in SCENARIOS if s.name == "single-region trail")
    p = _plan(_template_account(sc, tmp_path), email=EMAIL)
    assert p.steps == [] and "not fixed by cwfilter" in p.notes[0]


IAC_FIXABLE = [s for s in FIXABLE if s.iac]


@pytest.mark.parametrize("sc", IAC_FIXABLE, ids=[s.name for s in IAC_FIXABLE])
def test_printed_fix_passes_beside_the_broken_setup(sc: Scenario, tmp_path: Path) -> None:
    """The CloudFormation and Terraform the plan prints, added to the scenario's own template
    (log group and topic referred to by name), make the audit pass."""
    (tmp_path / "t.json").write_text(json.dumps(to_cloudformation(sc)), encoding="utf-8")
    p = _plan(read_template(tmp_path / "t.json"), email=EMAIL)
    template = to_cloudformation(sc)
    template["Resources"].update(yaml.safe_load(as_cloudformation([p]))["Resources"])
    (tmp_path / "fixed.yaml").write_text(yaml.safe_dump(template), encoding="utf-8")
    assert audit(read_template(tmp_path / "fixed.yaml"), [CWL012])[0].status == "PASS"
    (tmp_path / "fixed.tf").write_text(to_terraform(sc) + "\n" + as_terraform([p]), encoding="utf-8")
    assert audit(read_template(tmp_path / "fixed.tf"), [CWL012])[0].status == "PASS"
    script = as_cli([p])
    assert script.startswith("#!/bin/sh") and all("--region us-east-1" in line for line in script.splitlines()
                                                  if line.startswith("aws "))  # fmt: skip


ALL_RULES = "topic without subscriber"  # no confirmed topic: the plan makes one for every rule


def _fix_everything(account: Any) -> list[Any]:
    plans = plan(account, audit(account), email=EMAIL)
    return [p for p in plans if p.steps]


def test_every_rule_shares_one_topic_and_the_terraform_applies_as_printed(tmp_path: Path) -> None:
    """Issue 23: one topic and subscription for all rules; `terraform fmt` clean; the log group
    and topic referred to as the file's own resources (no made-up account); audited beside the
    input, every rule passes."""
    import shutil
    import subprocess

    sc = next(s for s in SCENARIOS if s.name == ALL_RULES)
    (tmp_path / "main.tf").write_text(to_terraform(sc), encoding="utf-8")
    plans = _fix_everything(read_template(tmp_path / "main.tf"))
    assert len(plans) == 15
    text = as_terraform(plans)
    assert text.count('resource "aws_sns_topic" ') == 1 and text.count('resource "aws_sns_topic_subscription" ') == 1
    assert "123456789012" not in text and "log_group_name = aws_cloudwatch_log_group.trail.name" in text
    (tmp_path / "fixed.tf").write_text(to_terraform(sc) + "\n" + text, encoding="utf-8")
    assert {f.status for f in audit(read_template(tmp_path / "fixed.tf"))} == {"PASS"}
    script = as_cli(plans)
    assert script.count("aws sns create-topic") == 1 and script.count("aws sns subscribe") == 1
    if shutil.which("terraform") is None:
        pytest.skip("the terraform binary is not installed: `terraform fmt -check` not run")
    (tmp_path / "fmt").mkdir()
    (tmp_path / "fmt" / "fix.tf").write_text(text, encoding="utf-8")
    done = subprocess.run(["terraform", "fmt", "-check", "-diff", "fix.tf"], cwd=tmp_path / "fmt",
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_rule_in_cloudformation_lints_clean_and_passes(tmp_path: Path) -> None:
    sc = next(s for s in SCENARIOS if s.name == ALL_RULES)
    (tmp_path / "t.json").write_text(json.dumps(to_cloudformation(sc)), encoding="utf-8")
    text = as_cloudformation(_fix_everything(read_template(tmp_path / "t.json")))
    fix = yaml.safe_load(text)["Resources"]
    assert sum(r["Type"] == "AWS::SNS::Topic" for r in fix.values()) == 1 and "123456789012" not in text
    assert all(r["Properties"]["LogGroupName"] == {"Ref": "TrailLogs"} for r in fix.values()
               if r["Type"] == "AWS::Logs::MetricFilter")  # fmt: skip
    template = to_cloudformation(sc)
    template["Resources"].update(fix)
    (tmp_path / "fixed.yaml").write_text(yaml.safe_dump(template, sort_keys=False), encoding="utf-8")
    assert {f.status for f in audit(read_template(tmp_path / "fixed.yaml"))} == {"PASS"}
    cfnlint = pytest.importorskip("cfnlint.api", reason="cfn-lint (the test extra) is not installed")
    matches = cfnlint.lint_file(tmp_path / "fixed.yaml")
    assert matches == [], [str(m) for m in matches]


def test_a_reused_declared_topic_is_referred_to_not_spelled_out(tmp_path: Path) -> None:
    sc = next(s for s in SCENARIOS if s.name == "no filter at all")
    p = _plan(_template_account(sc, tmp_path), email=EMAIL)
    assert yaml.safe_load(as_cloudformation([p]))["Resources"]["S3Bucketconfigchangesalarm"]["Properties"][
        "AlarmActions"] == [{"Ref": "AlarmTopic"}]  # fmt: skip
    (tmp_path / "main.tf").write_text(to_terraform(sc), encoding="utf-8")
    tf = as_terraform([_plan(read_template(tmp_path / "main.tf"), email=EMAIL)])
    assert "alarm_actions       = [aws_sns_topic.alarms.arn]" in tf


def test_apply_for_every_rule_makes_one_topic_and_one_subscription(moto_endpoint: str) -> None:  # noqa: F811
    sc = next(s for s in SCENARIOS if s.name == ALL_RULES)
    client = client_factory(moto_account(moto_endpoint, sc))
    account, _ = read_live([AUDITED_REGION], client=client)
    made = apply(_fix_everything(account), client)
    assert [a.operation for a in made].count("CreateTopic") == 1 and [a.operation for a in made].count("Subscribe") == 1
    account, _ = read_live([AUDITED_REGION], client=client)
    assert {f.status for f in audit(account)} == {"PASS"}
    assert _fix_everything(account) == []


def test_apply_refuses_to_replace_what_it_did_not_make(moto_endpoint: str) -> None:  # noqa: F811
    """Issue 28 item 2: another team's alarm of the rule's alarm name is not replaced silently."""
    sc = next(s for s in SCENARIOS if s.name == "no filter at all")
    client = client_factory(moto_account(moto_endpoint, sc))
    theirs = {"AlarmName": "S3BucketConfigChangesAlarm", "MetricName": "Latency", "Namespace": "Payments",
              "Statistic": "Average", "Period": 60, "EvaluationPeriods": 1, "Threshold": 100.0,
              "ComparisonOperator": "GreaterThanThreshold", "ActionsEnabled": False}  # fmt: skip
    client("cloudwatch", AUDITED_REGION).put_metric_alarm(**theirs)
    account, _ = read_live([AUDITED_REGION], client=client)
    p = _plan(account, email=EMAIL)
    assert len(p.conflicts) == 1 and "alarm S3BucketConfigChangesAlarm exists with other settings" in p.conflicts[0]
    assert any("--replace-existing" in note for note in p.notes)
    before = _state(client, AUDITED_REGION)
    with pytest.raises(RemediationError, match="nothing applied"):
        apply([p], client)
    assert _state(client, AUDITED_REGION) == before
    apply([p], client, replace_existing=True)
    account, _ = read_live([AUDITED_REGION], client=client)
    assert audit(account, [CWL012])[0].status == "PASS"


def test_what_apply_creates_is_tagged(moto_endpoint: str) -> None:  # noqa: F811
    sc = next(s for s in SCENARIOS if s.name == ALL_RULES)
    client = client_factory(moto_account(moto_endpoint, sc))
    account, _ = read_live([AUDITED_REGION], client=client)
    made = apply(_fix_everything(account), client)
    topic = next(a.target for a in made if a.operation == "CreateTopic")
    assert {"Key": "created-by", "Value": "cwfilter"} in client("sns", AUDITED_REGION).list_tags_for_resource(
        ResourceArn=topic)["Tags"]  # fmt: skip
    cw = client("cloudwatch", AUDITED_REGION)
    alarm = cw.describe_alarms(AlarmNames=["S3BucketConfigChangesAlarm"])["MetricAlarms"][0]["AlarmArn"]
    assert {"Key": "cwfilter-rule", "Value": "s3_bucket_policy_changes"} in cw.list_tags_for_resource(
        ResourceARN=alarm)["Tags"]  # fmt: skip
