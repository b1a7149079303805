"""The issue's scenarios as CloudFormation (JSON and YAML) and Terraform (HCL and .tf.json)
give the verdicts the live audit gives (those a template can express)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cwfilter import find_rule
from cwfilter.audit import IacError, audit, read_template

from .audit_scenarios import SCENARIOS, TOPIC, Scenario, to_cloudformation, to_terraform

CWL012 = find_rule("CWL-012")
IAC = [s for s in SCENARIOS if s.iac]


def _verdict(path: Path) -> tuple[str, str]:
    findings = audit(read_template(path), [CWL012])
    assert len(findings) == 1
    return findings[0].status, findings[0].reason


@pytest.mark.parametrize("sc", IAC, ids=[s.name for s in IAC])
def test_cloudformation_yaml_and_json(sc: Scenario, tmp_path: Path) -> None:
    template = to_cloudformation(sc)
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(template, sort_keys=False), encoding="utf-8")
    (tmp_path / "t.json").write_text(json.dumps(template, indent=2), encoding="utf-8")
    assert _verdict(tmp_path / "t.yaml") == sc.expect
    assert _verdict(tmp_path / "t.json") == sc.expect


@pytest.mark.parametrize("sc", IAC, ids=[s.name for s in IAC])
def test_terraform_hcl(sc: Scenario, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(to_terraform(sc), encoding="utf-8")
    assert _verdict(tmp_path / "main.tf") == sc.expect


def _tf_json(sc: Scenario) -> dict:
    """The scenario as .tf.json (python-hcl2's reading of the HCL, merged per type)."""
    import hcl2
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(strip_string_quotes=True, with_comments=False, explicit_blocks=False)
    resources: dict = {}
    for block in hcl2.loads(to_terraform(sc), serialization_options=options)["resource"]:
        for rtype, named in block.items():
            resources.setdefault(rtype, {}).update(named)
    return {"resource": resources}


@pytest.mark.parametrize("sc", IAC, ids=[s.name for s in IAC])
def test_terraform_tf_json(sc: Scenario, tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text(json.dumps(_tf_json(sc)), encoding="utf-8")
    assert _verdict(tmp_path / "main.tf.json") == sc.expect


def _shown(sc: Scenario) -> dict:
    """The scenario as ``terraform show -json`` of a plan: references unknown until apply are
    null in planned_values and named in configuration.expressions."""
    resources, config = [], []
    for rtype, named in _tf_json(sc)["resource"].items():
        for name, body in named.items():
            values, expressions = {}, {}
            for key, value in body.items():
                if isinstance(value, str) and value.startswith("${"):
                    ref = value[2 : value.index("}")]
                    values[key] = None
                    expressions[key] = {"references": [ref, ref.rsplit(".", 1)[0]]}
                elif isinstance(value, list) and value and isinstance(value[0], str) and value[0].startswith("${"):
                    values[key] = [f"arn:aws:sns:us-east-1:123456789012:{TOPIC}"]  # known at plan time
                else:
                    values[key] = value
            address = f"{rtype}.{name}"
            resources.append({"address": address, "type": rtype, "name": name, "values": values})
            config.append({"address": address, "expressions": expressions})
    return {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": resources}},
        "configuration": {"root_module": {"resources": config}},
    }


@pytest.mark.parametrize("sc", IAC, ids=[s.name for s in IAC])
def test_terraform_show_json(sc: Scenario, tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text(json.dumps(_shown(sc)), encoding="utf-8")
    assert _verdict(tmp_path / "plan.json") == sc.expect


def test_resources_carry_file_and_line(tmp_path: Path) -> None:
    sc = next(s for s in IAC if s.expect[1] == "CLOUDWATCH_ALARM_CANNOT_FIRE")
    (tmp_path / "main.tf").write_text(to_terraform(sc), encoding="utf-8")
    finding = audit(read_template(tmp_path / "main.tf"), [CWL012])[0]
    lines = (tmp_path / "main.tf").read_text().splitlines()
    assert finding.location is not None and finding.location.file == str(tmp_path / "main.tf")
    assert lines[finding.location.line - 1].startswith('resource "aws_cloudwatch_metric_alarm" "a0"')


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.yaml", "Resources: [unclosed", "not a valid JSON or YAML template"),
        ("bad.json", '{"Resources": ', "invalid JSON"),
        ("empty.yaml", "Description: nothing\n", "no Resources section"),
        ("bad.tf", 'resource "aws_cloudtrail" "t" {\n  name = \n', "cannot read HCL"),
    ],
)
def test_malformed_template_names_the_file(tmp_path: Path, name: str, text: str, message: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(IacError, match=message) as info:
        read_template(tmp_path / name)
    assert str(tmp_path / name) in str(info.value)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('log_group_name = "${aws_cloudwatch_log_group.trail.name}"', "log_group_name = var.log_group"),
        ('alarm_actions = ["${aws_sns_topic.alarms.arn}"]', "alarm_actions = [var.topic_arn]"),
        (
            'cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"',
            "cloud_watch_logs_group_arn = var.group_arn",
        ),
        ("is_multi_region_trail = true", "is_multi_region_trail = var.log_group"),
    ],
)
def test_unresolved_terraform_variable_is_no_data_not_fail(tmp_path: Path, old: str, new: str) -> None:
    """A value set by a variable without a default cannot be known offline: NO_DATA, never a false FAIL."""
    text = to_terraform(SCENARIOS[0])
    assert old in text
    (tmp_path / "main.tf").write_text('variable "log_group" {}\nvariable "topic_arn" {}\nvariable "group_arn" {}\n'
                                      + text.replace(old, new), encoding="utf-8")  # fmt: skip
    finding = audit(read_template(tmp_path / "main.tf"), [CWL012])[0]
    assert (finding.status, finding.reason) == ("NO_DATA", "UNRESOLVED_REFERENCE"), finding.message
    assert "var." in finding.message


def test_composite_alarm_in_terraform_and_cloudformation(tmp_path: Path) -> None:
    sc = next(s for s in SCENARIOS if s.name == "alarm without actions")
    composite = ('resource "aws_cloudwatch_composite_alarm" "any" {\n  alarm_name = "any-s3-change"\n'
                 '  alarm_rule = "ALARM(\\"audit-alarm-0\\")"\n  alarm_actions = [aws_sns_topic.alarms.arn]\n}\n')  # fmt: skip
    (tmp_path / "main.tf").write_text(to_terraform(sc) + "\n" + composite, encoding="utf-8")
    assert _verdict(tmp_path / "main.tf") == ("PASS", "COMPLIANT")
    template = to_cloudformation(sc)
    template["Resources"]["Composite"] = {
        "Type": "AWS::CloudWatch::CompositeAlarm",
        "Properties": {
            "AlarmName": "any-s3-change",
            "AlarmRule": 'ALARM("audit-alarm-0")',
            "AlarmActions": [{"Ref": "AlarmTopic"}],
        },
    }
    (tmp_path / "t.json").write_text(json.dumps(template), encoding="utf-8")
    assert _verdict(tmp_path / "t.json") == ("PASS", "COMPLIANT")


def test_shipped_audit_samples_are_the_scenarios_and_the_readme_shows_their_audit() -> None:
    """samples/audit/*.tf are the compliant and typo scenarios as Terraform; the README's audit
    example is what the tool prints for the typo one."""
    from cwfilter.cli import main

    root = Path(__file__).resolve().parents[1]
    typo = next(s for s in SCENARIOS if s.name == "typo PutBucketACL")
    compliant = next(s for s in SCENARIOS if s.name == "compliant (CIS text)")
    assert (root / "samples/audit/cwl012-typo.tf").read_text() == to_terraform(typo)
    assert (root / "samples/audit/cwl012.tf").read_text() == to_terraform(compliant)
    import contextlib
    import io
    import os

    buffer = io.StringIO()
    cwd = os.getcwd()
    try:
        os.chdir(root)
        with contextlib.redirect_stdout(buffer):
            status = main(["audit", "--template", "samples/audit/cwl012-typo.tf", "--rule", "CWL-012"])
    finally:
        os.chdir(cwd)
    assert status == 1
    readme = (root / "README.md").read_text()
    assert "$ cwfilter audit --template samples/audit/cwl012-typo.tf --rule CWL-012\n" + buffer.getvalue() in readme
