"""Issue 21 items 1, 3 and 6 (the audit part): one model read by ``config`` alone; verdicts that
carry the objects their chain found; a folder of plain AWS CLI outputs audited like a snapshot;
an audit that could evaluate nothing exits 2."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from cwfilter import find_rule
from cwfilter.audit import NO_DATA, Finding, SnapshotError, audit, read_live, read_snapshot, read_template
from cwfilter.cli import main

from .audit_scenarios import AUDITED_REGION, BASE, SCENARIOS, to_terraform
from .moto_aws import client_factory, moto_endpoint  # noqa: F401 - fixture
from .test_audit_live import moto_account

CWL012 = find_rule("CWL-012")
SRC = Path(__file__).resolve().parents[1] / "src" / "cwfilter"


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in a source file, relative ones resolved to the package."""
    out = []
    package = path.relative_to(SRC.parent).with_suffix("").parts[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            out.append((module, [a.name for a in node.names]))
    return out


def test_only_config_reads_yaml_and_hcl() -> None:
    """Done when: no module outside ``config/`` imports yaml or hcl2."""
    offenders = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if p.parent.name != "config"
                 for module, _ in _imports(p) if module.split(".")[0] in ("yaml", "hcl2")]  # fmt: skip
    assert offenders == []


def test_remediate_uses_no_audit_internals_and_aws_holds_boto3() -> None:
    """Done when: remediate imports no ``_name`` from audit; boto3 lives in ``aws/``, not ``audit/``."""
    for p in (SRC / "remediate").glob("*.py"):
        for module, names in _imports(p):
            assert not (module.startswith("cwfilter.audit") and any(n.startswith("_") for n in names)), (p, names)
            assert not module.startswith("cwfilter.audit."), (p, module)
    for p in list((SRC / "audit").glob("*.py")) + list((SRC / "remediate").glob("*.py")):
        assert not any(m.split(".")[0] in ("boto3", "botocore") for m, _ in _imports(p)), p


def test_a_verdict_carries_the_objects_its_chain_found(tmp_path: Path) -> None:
    sc = next(s for s in SCENARIOS if s.name == "alarm in another namespace")
    (tmp_path / "main.tf").write_text(to_terraform(sc), encoding="utf-8")
    (finding,) = audit(read_template(tmp_path / "main.tf"), [CWL012])
    chain = finding.chain
    assert chain.trail is not None and chain.trail.name == "audit-trail"
    assert chain.log_group == ("us-east-1", "CloudTrail/audit")
    assert chain.complete is not None and chain.complete.name == "audit-filter-0"
    assert (
        chain.complete.location is not None and chain.complete.location.address == "aws_cloudwatch_log_metric_filter.f0"
    )
    assert chain.alarm is None  # the alarm watches another namespace: not on the filter's metric
    (ok,) = audit(read_template(_write(tmp_path / "ok.tf", to_terraform(BASE))), [CWL012])
    assert ok.chain.alarm is not None and ok.chain.alarm.name == "audit-alarm-0"
    assert ok.chain.topic == "arn:aws:sns:us-east-1:123456789012:cwfilter-audit-alarms"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _plain_name(key: str) -> str | None:
    """Where a user saving ``aws ... > FILE`` might put a response of the snapshot layout."""
    parts = key.split("/")
    if key == "account.json":
        return "get-caller-identity.json"
    if key in ("regions.json", "errors.json"):
        return None
    if len(parts) == 3:  # REGION/get-trail-status/TRAIL.json and friends
        return f"{parts[0]}/{parts[1]}-{parts[2]}"
    return key


@pytest.mark.parametrize("sc", [s for s in SCENARIOS if s.name in (
    "compliant (CIS text)", "trail not logging", "topic without subscriber", "pending subscription only",
    "read-only selectors")], ids=lambda s: s.name)  # fmt: skip
def test_folder_of_plain_cli_outputs_gives_the_live_verdict(moto_endpoint: str, sc: Any, tmp_path: Path) -> None:  # noqa: F811
    account, responses = read_live([AUDITED_REGION], client=client_factory(moto_account(moto_endpoint, sc)))
    live = audit(account, [CWL012])
    for key, value in responses.items():
        name = _plain_name(key)
        if name:
            _write(tmp_path / "nested" / name, json.dumps(value))
            _write(tmp_path / "flat" / name.split("/", 1)[-1], json.dumps(value))
    for folder in ("nested", "flat"):
        again = audit(read_snapshot(tmp_path / folder), [CWL012])
        assert [(f.status, f.reason, f.message) for f in again] == [(f.status, f.reason, f.message) for f in live]
    (tmp_path / "flat" / "get-caller-identity.json").unlink()  # the account then comes from the trail's ARN
    assert audit(read_snapshot(tmp_path / "flat"), [CWL012])[0].status == live[0].status


def test_plain_outputs_missing_a_call_are_no_data_naming_it(tmp_path: Path) -> None:
    trail = {"Name": "t", "TrailARN": "arn:aws:cloudtrail:eu-west-1:111122223333:trail/t", "HomeRegion": "eu-west-1",
             "IsMultiRegionTrail": True, "CloudWatchLogsLogGroupArn": "arn:aws:logs:eu-west-1:111122223333:log-group:g:*"}  # fmt: skip
    _write(tmp_path / "describe-trails.json", json.dumps({"trailList": [trail]}))
    (finding,) = audit(read_snapshot(tmp_path), [CWL012])
    assert (finding.status, finding.reason, finding.region) == (NO_DATA, "AWS_CALL_FAILED", "eu-west-1")
    assert "GetTrailStatus" in finding.message and "missing" in finding.message
    _write(tmp_path / "describe-trails.json", json.dumps({"trailList": []}))
    with pytest.raises(SnapshotError, match="cannot tell its region"):
        read_snapshot(tmp_path)
    assert audit(read_snapshot(tmp_path, "eu-west-1"), [CWL012])[0].reason == "CLOUDTRAIL_MULTI_REGION_NOT_PRESENT"
    _write(tmp_path / "describe-trails.json", "[]")
    with pytest.raises(SnapshotError, match="nor a folder of AWS CLI"):
        read_snapshot(tmp_path)


def test_audit_exits_2_when_no_rule_could_be_evaluated(tmp_path: Path, capsys: Any) -> None:
    _write(tmp_path / "account.json", json.dumps({"Account": "111122223333"}))
    _write(tmp_path / "regions.json", json.dumps({"Regions": [{"RegionName": "us-east-1"}]}))
    _write(tmp_path / "errors.json", json.dumps({"us-east-1/describe-trails.json": "cloudtrail DescribeTrails in "
                                                 "us-east-1 failed: AccessDeniedException: denied"}))  # fmt: skip
    assert main(["audit", "--snapshot", str(tmp_path), "--rule", "CWL-012"]) == 2
    err = capsys.readouterr().err
    assert "no rule could be evaluated" in err and "DescribeTrails" in err and "AccessDenied" in err
    _write(tmp_path / "regions.json", json.dumps({"Regions": []}))
    assert main(["audit", "--snapshot", str(tmp_path)]) == 2
    assert "names no region" in capsys.readouterr().err


def test_a_failed_call_is_never_a_pass(tmp_path: Path) -> None:
    """Every finding of a snapshot whose filters could not be read is NO_DATA naming the call."""
    findings: list[Finding] = audit(read_template(_write(tmp_path / "ok.tf", to_terraform(BASE))), [CWL012])
    assert {f.status for f in findings} == {"PASS"}
    account = read_template(tmp_path / "ok.tf")
    del account.filters["us-east-1"]
    account.faults["filters:us-east-1"] = "logs DescribeMetricFilters in us-east-1 failed: Throttling: slow down"
    assert {(f.status, f.reason) for f in audit(account)} == {(NO_DATA, "AWS_CALL_FAILED")}
    assert all("DescribeMetricFilters" in f.message for f in audit(account))


@pytest.mark.parametrize("name", ["describe-alarms.json", "describe-metric-filters.json", "describe-trails.json"])
def test_a_partial_reply_is_no_data_not_an_empty_list(tmp_path: Path, name: str) -> None:
    """Issue 28 item 4: ``{}`` where a list belongs (an unparseable or cut reply) is not "none"."""
    import shutil

    shutil.copytree(Path(__file__).resolve().parents[1] / "samples" / "snapshot", tmp_path / "s")
    _write(tmp_path / "s" / "us-east-1" / name, "{}")
    (finding,) = audit(read_snapshot(tmp_path / "s"), [CWL012])
    assert (finding.status, finding.reason) == (NO_DATA, "AWS_CALL_FAILED") and name in finding.message
