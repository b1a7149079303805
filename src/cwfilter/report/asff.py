"""The audit's findings in the AWS Security Finding Format (ASFF): the ``Findings`` list of a
Security Hub ``BatchImportFindings`` request, one finding per rule, account and region, with
``Compliance.Status`` (PASS → PASSED, FAIL → FAILED, WARNING → WARNING, NO_DATA →
NOT_AVAILABLE), the resource the chain reached and the remediation text. Findings are
imported under the account's default product ARN (``product/ACCOUNT/default``), as a custom
integration's are; the ``Id`` is stable across runs, so a new run updates the same finding."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..audit.findings import FAIL, NO_DATA, PASS, WARNING, Finding
from .findings import rule_label
from .sarif import help_uri

_STATUS = {PASS: "PASSED", FAIL: "FAILED", WARNING: "WARNING", NO_DATA: "NOT_AVAILABLE"}
_SEVERITY = {PASS: "INFORMATIONAL", FAIL: "LOW", WARNING: "LOW", NO_DATA: "INFORMATIONAL"}  # Security Hub: Low
TYPE = "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"


def asff(findings: list[Finding], now: datetime | None = None) -> dict[str, Any]:
    """``{"Findings": [...]}``: what ``aws securityhub batch-import-findings --cli-input-json`` takes."""
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return {"Findings": [_finding(f, stamp) for f in findings]}


def _finding(f: Finding, stamp: str) -> dict[str, Any]:
    from ..rules import find_rule

    label = rule_label(f)
    kind, arn = f.resource
    partition = "aws-cn" if f.region.startswith("cn-") else "aws-us-gov" if f.region.startswith("us-gov-") else "aws"
    return {
        "SchemaVersion": "2018-10-08",
        "Id": f"cwfilter/{f.account}/{f.region}/{f.rule}",
        "ProductArn": f"arn:{partition}:securityhub:{f.region}:{f.account}:product/{f.account}/default",
        "ProductName": "cwfilter", "CompanyName": "cwfilter",
        "GeneratorId": f"cwfilter/{f.rule}",
        "AwsAccountId": f.account,
        "Region": f.region,
        "Types": [TYPE],
        "CreatedAt": stamp, "UpdatedAt": stamp,
        "Severity": {"Label": _SEVERITY[f.status], "Original": f.status},
        "Title": f"{label}: {find_rule(f.rule).title}"[:256],
        "Description": f"{f.status} {f.reason}: {f.message}"[:1024],
        "Remediation": {"Recommendation": {
            "Text": f"cwfilter remediate --rule {label} prints the metric filter, alarm and SNS subscription this "
                    "rule needs (AWS CLI, CloudFormation or Terraform) or applies them (--apply).",
            "Url": help_uri(f)}},
        "Resources": [{"Type": kind, "Id": arn, "Partition": partition, "Region": f.region}],
        "Compliance": {"Status": _STATUS[f.status], "StatusReasons": [
            {"ReasonCode": f.reason, "Description": f.message[:2048]}],
            "RelatedRequirements": [a for a in f.aliases if a != f.rule][:32]},
        "RecordState": "ACTIVE",
        "Workflow": {"Status": "RESOLVED" if f.status == PASS else "NEW"},
    }  # fmt: skip
