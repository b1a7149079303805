"""The audit's findings as OCSF 1.1.0 Compliance Findings (class 2003, category Findings): one
event per rule, account and region, with the compliance check's status (PASS → Pass, FAIL →
Fail, WARNING and NO_DATA → Warning: "did not yield a result due to missing information"), the
cloud account and region, the resource the chain reached and the remediation text."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..audit.findings import FAIL, NO_DATA, PASS, WARNING, Finding
from .findings import rule_label
from .sarif import help_uri

OCSF_VERSION = "1.1.0"
CLASS_UID, CATEGORY_UID, ACTIVITY_CREATE = 2003, 2, 1
_STATUS = {PASS: (1, "Pass"), WARNING: (2, "Warning"), NO_DATA: (2, "Warning"), FAIL: (3, "Fail")}
_SEVERITY = {PASS: (1, "Informational"), NO_DATA: (1, "Informational"), WARNING: (2, "Low"), FAIL: (2, "Low")}
STANDARD = "CIS AWS Foundations Benchmark"


def ocsf(findings: list[Finding], version: str, now: datetime | None = None) -> list[dict[str, Any]]:
    """One Compliance Finding event per finding."""
    at = now or datetime.now(timezone.utc)
    return [_event(f, version, at) for f in findings]


def _event(f: Finding, version: str, at: datetime) -> dict[str, Any]:
    from ..rules import find_rule

    label = rule_label(f)
    status_id, status = _STATUS[f.status]
    severity_id, severity = _SEVERITY[f.status]
    kind, arn = f.resource
    return {
        "activity_id": ACTIVITY_CREATE, "activity_name": "Create",
        "category_uid": CATEGORY_UID, "category_name": "Findings",
        "class_uid": CLASS_UID, "class_name": "Compliance Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE, "type_name": "Compliance Finding: Create",
        "time": int(at.timestamp() * 1000), "time_dt": at.isoformat().replace("+00:00", "Z"),
        "severity_id": severity_id, "severity": severity,
        "status_id": 4 if f.status == PASS else 1, "status": "Resolved" if f.status == PASS else "New",
        "message": f"{f.status} {f.reason}: {f.message}",
        "metadata": {"version": OCSF_VERSION, "product": {"name": "cwfilter", "vendor_name": "cwfilter",
                                                           "version": version}},
        "finding_info": {"uid": f"cwfilter/{f.account}/{f.region}/{f.rule}",
                         "title": f"{label}: {find_rule(f.rule).title}", "desc": f.message, "types": [STANDARD]},
        "compliance": {"standards": [STANDARD], "control": label, "requirements": list(f.aliases),
                       "status_id": status_id, "status": status, "status_code": f.reason,
                       "status_detail": f.message},
        "cloud": {"provider": "AWS", "region": f.region, "account": {"uid": f.account, "type": "AWS Account",
                                                                      "type_id": 10}},
        "resources": [{"uid": arn, "type": kind, "region": f.region, "cloud_partition": "aws"}],
        "remediation": {"desc": f"cwfilter remediate --rule {label} prints or applies the fix.",
                        "references": [help_uri(f)]},
        "unmapped": {"evidence": f.evidence},
    }  # fmt: skip
