"""SARIF 2.1.0 of the audit's findings, for code-scanning pages: one result per finding that is
not a PASS, each with a location (the file and line of the offending resource, relative to
``%SRCROOT%``, for templates; the resource's ARN as a logical location for live accounts and
snapshots); rules with short and full descriptions, help, a help URI and a security severity
(Security Hub rates the CloudWatch controls Low); an ``invocations`` block that says whether any
rule could be evaluated and names each call that failed. A NO_DATA finding (a rule that could not
be evaluated) is a ``warning``, not a ``note``: what could not be checked is not passed."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..audit.findings import FAIL, NO_DATA, PASS, REASONS, WARNING, Finding, evaluated
from .base import as_json
from .findings import rule_label

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {FAIL: "error", WARNING: "warning", NO_DATA: "warning"}
SECURITY_HUB_DOCS = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html"
SEVERITY = "3.0"  # Security Hub's "Low" for CloudWatch.1-14, on GitHub's 0-10 security-severity scale


def help_uri(finding: Finding) -> str:
    """Security Hub's page of the rule's control (``#cloudwatch-N``), else the controls page."""
    control = next((a for a in finding.aliases if a.startswith("CloudWatch.")), None)
    return f"{SECURITY_HUB_DOCS}#{control.lower().replace('.', '-')}" if control else SECURITY_HUB_DOCS


def _rule(finding: Finding, label: str) -> dict[str, Any]:
    from ..rules import find_rule

    title = find_rule(finding.rule).title
    names = ", ".join(finding.aliases)
    return {
        "id": label, "name": finding.rule,
        "shortDescription": {"text": title.split(" (")[0]},
        "fullDescription": {"text": f"{title}. A multi-region trail delivers to CloudWatch Logs, a metric filter on its "
                                    f"log group matches every required event, and an alarm on its metric notifies a "
                                    f"confirmed SNS subscriber on one event (also known as: {names})."},
        "help": {"text": f"Create the rule's metric filter and alarm: `cwfilter remediate --rule {label}` prints the fix "
                         "(AWS CLI, CloudFormation or Terraform) or applies it (--apply)."},
        "helpUri": help_uri(finding),
        "properties": {"aliases": list(finding.aliases), "security-severity": SEVERITY,
                       "tags": ["security", "CIS AWS Foundations Benchmark", "monitoring"]},
    }  # fmt: skip


def _location(finding: Finding) -> dict[str, Any]:
    """A physical location (file under ``%SRCROOT%``, line) for a template's finding, else the
    resource's ARN as a logical location."""
    where = finding.location
    if where is not None and where.file and Path(where.file).suffix:
        path = Path(where.file)
        artifact: dict[str, Any] = {"uri": path.as_posix(), "uriBaseId": "%SRCROOT%"}
        if path.is_absolute():
            try:
                artifact["uri"] = path.relative_to(Path.cwd()).as_posix()
            except ValueError:
                artifact = {"uri": path.as_uri()}
        physical: dict[str, Any] = {"artifactLocation": artifact}
        if where.line:
            physical["region"] = {"startLine": where.line}
        out: dict[str, Any] = {"physicalLocation": physical}
        if where.address:
            out["logicalLocations"] = [{"name": where.address, "kind": "resource"}]
        return out
    kind, arn = finding.resource
    return {"logicalLocations": [{"name": arn.rsplit(":", 1)[-1], "fullyQualifiedName": arn, "kind": "resource",
                                  "properties": {"resourceType": kind, "account": finding.account,
                                                 "region": finding.region}}]}  # fmt: skip


def sarif(findings: Iterable[Finding], version: str) -> str:
    """SARIF 2.1.0: one result per finding that is not a PASS; rules are the catalogue rules."""
    findings = list(findings)
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for f in findings:
        label = rule_label(f)
        if label not in rules:
            rules[label] = _rule(f, label)
        if f.status == PASS:
            continue
        results.append({
            "ruleId": label, "ruleIndex": list(rules).index(label), "level": _LEVEL[f.status],
            "message": {"text": f"{f.reason}: {f.message}"},
            "locations": [_location(f)],
            "properties": {"status": f.status, "reason": f.reason, "reasonText": REASONS.get(f.reason, ""),
                           "region": f.region, "account": f.account, "evidence": f.evidence},
        })  # fmt: skip
    failed = sorted({f.message for f in findings if f.status == NO_DATA and f.reason == "AWS_CALL_FAILED"})
    invocation = {
        "executionSuccessful": evaluated(findings),
        "toolExecutionNotifications": [{"level": "warning", "message": {"text": m}} for m in failed],
    }
    run = {
        "tool": {"driver": {"name": "cwfilter", "version": version, "rules": list(rules.values())}},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(os.getcwd()).as_uri() + "/"}},
        "invocations": [invocation], "results": results,
    }  # fmt: skip
    return as_json({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]})
