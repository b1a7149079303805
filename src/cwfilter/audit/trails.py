"""Does a trail qualify? Multi-region, logging, all management events (read and write) of the
rule's event sources, and delivery to a CloudWatch Logs log group (CIS 3.x/4.x, Security Hub)."""

from __future__ import annotations

import re
from typing import Any

from ..config.model import Account, EventSelectors, Trail, unresolved
from .findings import FAIL, NO_DATA, PASS, Verdict

_SOURCE = re.compile(r"eventSource\s*=\s*\"?([A-Za-z0-9.-]+amazonaws\.com)")


def rule_sources(filter_pattern: str) -> set[str]:
    """The event sources a rule's pattern pins (empty: any source)."""
    return set(_SOURCE.findall(filter_pattern))


def assess_trail(account: Account, trail: Trail, sources: set[str]) -> Verdict:
    """PASS when ``trail`` can feed the rule's events to a log group; else why not."""
    evidence: dict[str, Any] = {"trail": trail.arn, "homeRegion": trail.home_region}
    where = trail.location
    if trail.unknown:
        return Verdict(NO_DATA, "UNRESOLVED_REFERENCE", f"trail {trail.name}: {trail.unknown}", evidence, where)
    if not trail.multi_region:
        return Verdict(
            FAIL, "CLOUDTRAIL_MULTI_REGION_NOT_PRESENT", f"trail {trail.name} is single-region", evidence, where
        )
    if trail.logging is None:
        return Verdict(
            NO_DATA, "AWS_CALL_FAILED", account.fault(f"status:{trail.arn}") or "status unknown", evidence, where
        )
    if not trail.logging:
        return Verdict(
            FAIL, "CLOUDTRAIL_NOT_LOGGING", f"trail {trail.name} is not logging (IsLogging false)", evidence, where
        )
    if trail.selectors is None:
        fault = account.fault(f"selectors:{trail.arn}") or "event selectors unknown"
        return Verdict(NO_DATA, "AWS_CALL_FAILED", fault, evidence, where)
    gap = selector_gap(trail.selectors, sources)
    if gap:
        evidence["eventSelectors"] = {"classic": trail.selectors.classic, "advanced": trail.selectors.advanced}
        return Verdict(FAIL, "CLOUDTRAIL_MANAGEMENT_EVENTS_NOT_LOGGED", f"trail {trail.name}: {gap}", evidence, where)
    if unresolved(trail.log_group_arn):
        return Verdict(NO_DATA, "UNRESOLVED_REFERENCE",
                       f"trail {trail.name}: CloudWatchLogsLogGroupArn {trail.log_group_arn} cannot be resolved offline",
                       evidence, where)  # fmt: skip
    if trail.log_group is None:
        return Verdict(FAIL, "CLOUDTRAIL_LOG_GROUP_NOT_PRESENT",
                       f"trail {trail.name} has no CloudWatchLogsLogGroupArn", evidence, where)  # fmt: skip
    evidence["logGroup"] = trail.log_group_arn
    return Verdict(PASS, "COMPLIANT", f"trail {trail.name} qualifies", evidence, where)


def selector_gap(selectors: EventSelectors, sources: set[str]) -> str | None:
    """Why the selectors miss some of the rule's management events, or ``None``. No selectors
    at all is AWS's default: all management events, read and write."""
    if selectors.defaulted:
        return None
    for s in selectors.classic:
        excluded = set(s.get("ExcludeManagementEventSources") or [])
        if s.get("IncludeManagementEvents", True) and s.get("ReadWriteType", "All") == "All" and not excluded & sources:
            return None
    for s in selectors.advanced:
        if _advanced_logs_management(s.get("FieldSelectors") or [], sources):
            return None
    if selectors.classic and not selectors.advanced:
        kinds = sorted(
            {str(s.get("ReadWriteType", "All")) for s in selectors.classic if s.get("IncludeManagementEvents", True)}
        )
        return "no event selector logs all management events (ReadWriteType " + (", ".join(kinds) or "none") + ")"
    return "no advanced event selector logs all management events (eventCategory = Management, read and write)"


def _advanced_logs_management(fields: list[dict[str, Any]], sources: set[str]) -> bool:
    by_field = {f.get("Field"): f for f in fields}
    category = by_field.get("eventCategory") or {}
    if "Management" not in (category.get("Equals") or []):
        return False
    if "readOnly" in by_field:  # any readOnly restriction drops read or write events
        return False
    source = by_field.get("eventSource") or {}
    if set(source.get("NotEquals") or []) & sources:
        return False
    return not (source.get("Equals") and sources - set(source["Equals"]))
