"""Issue 23 item 2: the audit's findings where security teams read them. SARIF with a location
for every result (physical, under %SRCROOT%, for templates; the resource's ARN for live accounts
and snapshots), rule metadata and invocations; ASFF checked against botocore's ``securityhub``
model (the ``BatchImportFindings`` request); OCSF Compliance Findings checked by Prowler's
``py-ocsf-models``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from cwfilter.audit import audit, read_snapshot, read_template
from cwfilter.cli import main
from cwfilter.report.asff import asff
from cwfilter.report.ocsf import ocsf
from cwfilter.report.sarif import sarif

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT, TYPO = ROOT / "samples" / "snapshot", ROOT / "samples" / "audit" / "cwl012-typo.tf"


@pytest.fixture
def in_root() -> Any:
    cwd = os.getcwd()
    os.chdir(ROOT)
    yield ROOT
    os.chdir(cwd)


def _sarif(findings: list[Any]) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(sarif(findings, "0.1.0"))
    models = pytest.importorskip("sarif_pydantic", reason="sarif-pydantic (the test extra) is not installed")
    models.Sarif.model_validate(doc)  # the SARIF 2.1.0 object model: types and required members
    return doc


def test_sarif_has_a_location_rule_metadata_and_invocations(in_root: Path) -> None:
    template = _sarif(audit(read_template("samples/audit/cwl012-typo.tf")))
    run = template["runs"][0]
    assert run["results"] and all(r["locations"] for r in run["results"])
    physical = run["results"][0]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "samples/audit/cwl012-typo.tf", "uriBaseId": "%SRCROOT%"}
    assert physical["region"]["startLine"] > 0 and run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")
    rules = run["tool"]["driver"]["rules"]
    assert len(rules) == 15 and all(r["shortDescription"]["text"] and r["fullDescription"]["text"] and r["help"]["text"]
                                    and r["helpUri"].startswith("https://") and r["properties"]["security-severity"]
                                    for r in rules)  # fmt: skip
    assert next(r for r in rules if r["id"] == "CWL-012")["helpUri"].endswith("#cloudwatch-8")
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]
    live = _sarif(audit(read_snapshot(SNAPSHOT)))["runs"][0]
    logical = [r["locations"][0]["logicalLocations"][0] for r in live["results"]]
    assert logical and all(loc["fullyQualifiedName"].startswith(("arn:aws:", "AWS::::Account:")) for loc in logical)
    assert any(":log-group:CloudTrail/" in loc["fullyQualifiedName"] for loc in logical)


def test_sarif_invocation_names_the_failed_calls(tmp_path: Path) -> None:
    (tmp_path / "account.json").write_text('{"Account": "111122223333"}')
    (tmp_path / "regions.json").write_text('{"Regions": [{"RegionName": "us-east-1"}]}')
    (tmp_path / "errors.json").write_text('{"us-east-1/describe-trails.json": "cloudtrail DescribeTrails in '
                                          'us-east-1 failed: AccessDenied: no"}')  # fmt: skip
    run = _sarif(audit(read_snapshot(tmp_path)))["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is False
    assert "DescribeTrails" in run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
    assert all(r["level"] == "warning" and r["locations"] for r in run["results"])


def test_asff_is_a_valid_batch_import_findings_request() -> None:
    from botocore.session import get_session
    from botocore.validate import validate_parameters

    findings = audit(read_snapshot(SNAPSHOT))
    request = asff(findings)
    shape = get_session().get_service_model("securityhub").operation_model("BatchImportFindings").input_shape
    validate_parameters(request, shape)  # raises ParamValidationError naming every bad or missing field
    assert len(request["Findings"]) == len(findings) == 15
    by_rule = {f["GeneratorId"]: f for f in request["Findings"]}
    s3 = by_rule["cwfilter/s3_bucket_policy_changes"]
    assert s3["Compliance"]["Status"] == "FAILED" and s3["AwsAccountId"] == "111122223333"
    assert s3["Compliance"]["StatusReasons"][0]["ReasonCode"] == "CLOUDTRAIL_METRIC_FILTER_NOT_VALID"
    assert s3["Resources"][0] == {
        "Type": "AwsLogsLogGroup",
        "Partition": "aws",
        "Region": "us-east-1",
        "Id": "arn:aws:logs:us-east-1:111122223333:log-group:CloudTrail/management",
    }
    assert s3["Remediation"]["Recommendation"]["Url"].endswith("#cloudwatch-8")
    assert len({f["Id"] for f in request["Findings"]}) == 15  # one per rule, account and region


def test_ocsf_compliance_findings_validate() -> None:
    models = pytest.importorskip("py_ocsf_models.events.findings.compliance_finding",
                                 reason="py-ocsf-models (the test extra) is not installed")  # fmt: skip
    events = ocsf(audit(read_snapshot(SNAPSHOT)), "0.1.0")
    for event in events:
        models.ComplianceFinding.model_validate(event)
    s3 = next(e for e in events if e["finding_info"]["uid"].endswith("s3_bucket_policy_changes"))
    assert (s3["class_uid"], s3["type_uid"], s3["compliance"]["status_id"]) == (2003, 200301, 3)
    assert s3["cloud"]["account"]["uid"] == "111122223333"


@pytest.mark.parametrize("output", ["asff", "ocsf", "sarif"])
def test_the_cli_writes_each_format(output: str, capsys: Any) -> None:
    assert main(["audit", "--snapshot", str(SNAPSHOT), "--rule", "CWL-012", "--output", output]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc
