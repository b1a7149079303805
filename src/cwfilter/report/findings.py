"""The audit's findings: a table (one line per rule and region, then the evidence), JSON,
tab-separated text, CSV (one row per finding) and SARIF 2.1.0 (``report.sarif``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from ..audit.findings import FAIL, NO_DATA, PASS, WARNING, Finding
from .base import Report, as_json


class FindingsReport(Report):
    """``cwfilter audit``'s result: the findings of every rule in every region."""

    formats: ClassVar[tuple[str, ...]] = ("table", "json", "text", "csv", "sarif", "asff", "ocsf")

    def __init__(self, findings: list[Finding], version: str) -> None:
        self.findings, self.version = findings, version

    def data(self) -> dict[str, Any]:
        return {"findings": [f.as_dict() for f in self.findings]}

    def rows(self) -> list[Sequence[Any]]:
        header = ["rule", "account", "region", "status", "reason", "message", "file", "line"]
        return [header, *([rule_label(f), f.account, f.region, f.status, f.reason, f.message,
                           f.location.file if f.location else None, f.location.line if f.location else None]
                          for f in self.findings)]  # fmt: skip

    def table(self) -> str:
        return table(self.findings)

    def sarif(self) -> str:
        from .sarif import sarif

        return sarif(self.findings, self.version)

    def asff(self) -> str:
        """The ``Findings`` of a Security Hub ``BatchImportFindings`` request (``report.asff``)."""
        from .asff import asff

        return as_json(asff(self.findings))

    def ocsf(self) -> str:
        """OCSF Compliance Finding events, a JSON array (``report.ocsf``)."""
        from .ocsf import ocsf

        return as_json(ocsf(self.findings, self.version))


def rule_label(finding: Finding) -> str:
    """The rule's best-known name: its Conformity ID, else its Security Hub ID, else its own."""
    for prefix in ("CWL-", "CloudWatch."):
        for alias in finding.aliases:
            if alias.startswith(prefix):
                return alias
    return finding.rule


def table(findings: list[Finding]) -> str:
    """One line per rule and region, then the evidence of each finding that is not a PASS."""
    several = len({f.account for f in findings}) > 1  # an organization: grouped by account
    if several:
        findings = sorted(findings, key=lambda f: f.account)
    rows = [(("ACCOUNT",) if several else ()) + ("RULE", "REGION", "STATUS", "REASON")]
    rows += [((f.account,) if several else ()) + (rule_label(f), f.region, f.status, f.reason) for f in findings]
    n = len(rows[0]) - 1
    widths = [max(len(r[i]) for r in rows) for i in range(n)]
    lines = ["  ".join(r[i].ljust(widths[i]) for i in range(n)) + "  " + r[n] for r in rows]
    counts = {s: sum(f.status == s for f in findings) for s in (PASS, FAIL, WARNING, NO_DATA)}
    lines.append("")
    lines.append(", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no findings")
    for f in findings:
        if f.status != PASS:
            lines += ["", f"{f.account + ' ' if several else ''}{rule_label(f)} {f.region}: {f.status} {f.reason}",
                      f"  {f.message}"]  # fmt: skip
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
