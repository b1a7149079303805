"""Findings as text: a table (one line per rule and region, then the evidence), JSON, and
SARIF 2.1.0 (file and line of the offending resource where the input has them)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .findings import FAIL, NO_DATA, PASS, REASONS, WARNING, Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {FAIL: "error", WARNING: "warning", NO_DATA: "note"}


def rule_label(finding: Finding) -> str:
    """The rule's best-known name: its Conformity ID, else its Security Hub ID, else its own."""
    for prefix in ("CWL-", "CloudWatch."):
        for alias in finding.aliases:
            if alias.startswith(prefix):
                return alias
    return finding.rule


def table(findings: list[Finding]) -> str:
    """One line per rule and region, then the evidence of each finding that is not a PASS."""
    rows = [("RULE", "REGION", "STATUS", "REASON")]
    rows += [(rule_label(f), f.region, f.status, f.reason) for f in findings]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join(r[i].ljust(widths[i]) for i in range(3)) + "  " + r[3] for r in rows]
    counts = {s: sum(f.status == s for f in findings) for s in (PASS, FAIL, WARNING, NO_DATA)}
    lines.append("")
    lines.append(", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no findings")
    for f in findings:
        if f.status != PASS:
            lines += ["", f"{rule_label(f)} {f.region}: {f.status} {f.reason}", f"  {f.message}"]
            lines += [f"  {line}" for line in evidence_lines(f)]
    return "\n".join(lines) + "\n"


def evidence_lines(f: Finding) -> list[str]:
    e = f.evidence
    out = []
    if "trail" in e:
        out.append(f"trail: {e['trail']} (home {e.get('homeRegion')})")
    if "logGroup" in e:
        out.append(f"log group: {e['logGroup']}")
    for name, pattern in (e.get("filters") or {}).items():
        out.append(f"filter {name}: {pattern}")
    for name, why in (e.get("invalidFilters") or {}).items():
        out.append(f"filter {name} is not a valid pattern: {why}")
    for miss in e.get("missed") or []:
        if miss["status"] == "MISSED":
            out.append(f"missed {miss['event']}: {miss['reason']}")
        else:
            out.append(f"{miss['event']}: matched only if {_short(' or '.join(miss['conditions']))}")
    for name, why in (e.get("alarms") or {}).items():
        out.append(f"alarm for {name}: {why}")
    if "conformityLiteralCheck" in e:
        out.append(f"Conformity's literal check (an alarm on its metric exists): {e['conformityLiteralCheck']}")
    if f.location is not None:
        out.append(f"declared at {f.location.file}" + (f":{f.location.line}" if f.location.line else ""))
    return out


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def as_json(findings: list[Finding]) -> str:
    return json.dumps({"findings": [f.as_dict() for f in findings]}, indent=2, default=str) + "\n"


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
    return json.dumps(doc, indent=2, default=str) + "\n"
