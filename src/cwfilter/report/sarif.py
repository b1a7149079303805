"""SARIF 2.1.0 of the audit's findings: one result per finding that is not a PASS, with the
file and line of the offending resource where the input has them. A NO_DATA finding (a rule
that could not be evaluated) is a ``warning``, not a ``note``: what could not be checked is
not passed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..audit.findings import FAIL, NO_DATA, PASS, REASONS, WARNING, Finding
from .base import as_json
from .findings import rule_label

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {FAIL: "error", WARNING: "warning", NO_DATA: "warning"}


def sarif(findings: Iterable[Finding], version: str) -> str:
    """SARIF 2.1.0: one result per finding that is not a PASS; rules are the catalogue rules."""
    findings = list(findings)
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for f in findings:
        label = rule_label(f)
        rules.setdefault(label, {"id": label, "name": f.rule, "properties": {"aliases": list(f.aliases)}})
        if f.status == PASS:
            continue
        result: dict[str, Any] = {
            "ruleId": label, "level": _LEVEL[f.status],
            "message": {"text": f"{f.reason}: {f.message}"},
            "properties": {"status": f.status, "reason": f.reason, "reasonText": REASONS.get(f.reason, ""),
                           "region": f.region, "account": f.account, "evidence": f.evidence},
        }  # fmt: skip
        if f.location is not None:
            physical: dict[str, Any] = {"artifactLocation": {"uri": f.location.file}}
            if f.location.line:
                physical["region"] = {"startLine": f.location.line}
            result["locations"] = [{"physicalLocation": physical}]
        results.append(result)
    doc = {
        "$schema": SARIF_SCHEMA, "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "cwfilter", "version": version,
                                      "rules": list(rules.values())}}, "results": results}],
    }  # fmt: skip
    return as_json(doc)
