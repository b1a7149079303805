"""The audit: for each rule and region, follow trail → log group → metric filters → alarm →
SNS subscriber on the account model, and say PASS / FAIL / WARNING / NO_DATA with a reason.

Whether the filters match the rule's events is decided by running the deployed patterns
(``cwfilter.analysis`` semantic coverage, unioned over the filters that feed a working alarm),
never by comparing pattern text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..config.model import Account, MetricFilterResource, Trail, unresolved
from ..rules import Rule, catalogue
from .alarms import alarms_for, assess_alarm
from .findings import FAIL, NO_DATA, PASS, WARNING, Chain, Finding, Verdict, best
from .trails import assess_trail, rule_sources


def audit(account: Account, rules: Iterable[Rule] | None = None) -> list[Finding]:
    """One finding per rule (default: the whole catalogue) and audited region."""
    out = []
    for rule in rules or catalogue():
        for region in account.regions:
            v = check(account, rule, region)
            literal = literal_check(account, rule, region)
            if literal is not None:
                v.evidence = {**v.evidence, "conformityLiteralCheck": literal}
            out.append(Finding(rule.id, account.account_id, region, v.status, v.reason, v.message, v.evidence,
                               v.location, rule.aliases, v.chain))  # fmt: skip
    return out


def literal_check(account: Account, rule: Rule, region: str) -> str | None:
    """Conformity's own check of the rule, for comparison (cwl012-rule.md): PASS when the region
    has any alarm on the rule's Conformity metric (``describe-alarms-for-metric``), whatever
    the filter, threshold or subscriber; ``None`` for rules Conformity names no metric for."""
    metric = rule.conformity_metric
    if not metric:
        return None
    if region not in account.alarms:
        return NO_DATA
    wanted = (metric["namespace"], metric["metric_name"])
    found = any((s.namespace, s.metric_name) == wanted for a in account.alarms[region] for s in a.metrics)
    return PASS if found else FAIL


def check(account: Account, rule: Rule, region: str) -> Verdict:
    """The verdict of ``rule`` in ``region``: the best of the chains of the trails seen there."""
    if account.fault("account"):
        return Verdict(NO_DATA, "AWS_CALL_FAILED", account.faults["account"])
    trails = account.trails.get(region)
    if trails is None:
        return Verdict(NO_DATA, "AWS_CALL_FAILED", account.fault(f"trails:{region}") or f"trails of {region} unknown")
    own = [t for t in trails if t.owner == account.account_id]
    foreign = [t for t in trails if t.owner != account.account_id]
    sources = rule_sources(rule.filter_pattern)
    verdicts = []
    for trail in own:
        v = assess_trail(account, trail, sources)
        chain = Chain(trail=trail)
        if v.status == PASS:
            chain.log_group = trail.log_group
            v = _chain(account, rule, trail, v.evidence, chain)
        v.chain = chain
        verdicts.append(v)
    if foreign and (not verdicts or best(verdicts).status == FAIL):
        names = ", ".join(f"{t.arn}{' (organization trail)' if t.organization else ''}" for t in foreign)
        evidence: dict[str, Any] = {"trails": [t.arn for t in foreign]}
        if verdicts:
            evidence["ownTrails"] = best(verdicts).message
        return Verdict(NO_DATA, "CLOUDTRAIL_TRAIL_OF_ANOTHER_ACCOUNT",
                       f"{names}: owned by another account; audit that account for its filters and alarms", evidence)  # fmt: skip
    if not verdicts:
        return Verdict(FAIL, "CLOUDTRAIL_MULTI_REGION_NOT_PRESENT", f"no CloudTrail trail is visible in {region}")
    return best(verdicts)


def _coverages(filters: list[MetricFilterResource], rule: Rule) -> tuple[dict[str, Any], dict[str, str]]:
    """Semantic coverage of each filter's pattern (by filter name), and the filters whose
    pattern could not be analysed (with the error)."""
    from ..analysis import coverage  # the semantic coverage room (issue 14 item 1)

    covs: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in filters:
        try:
            covs[f.name] = coverage(f.pattern, rule)
        except ValueError as exc:  # PatternError and friends: an IaC pattern AWS would reject
            errors[f.name] = str(exc)
    return covs, errors


def _events(cov: Any, *statuses: str) -> list[dict[str, Any]]:
    return [
        {"event": e.event.label, "status": e.status, "reason": e.reason, "conditions": list(e.conditions)}
        for e in cov.events
        if e.status in statuses
    ]


def _chain(account: Account, rule: Rule, trail: Trail, evidence: dict[str, Any], chain: Chain) -> Verdict:
    """The trail's chain; a FAIL that an unresolved template pattern might change is NO_DATA."""
    verdict = _filters_chain(account, rule, trail, evidence, chain)
    region, group = trail.log_group or ("", "")
    unknown = [f for f in account.filters_on(region, group) if unresolved(f.pattern)]
    if verdict.status == FAIL and unknown:
        return Verdict(NO_DATA, "UNRESOLVED_REFERENCE", f"metric filter {unknown[0].name}: pattern {unknown[0].pattern} "
                       "cannot be resolved offline", verdict.evidence, unknown[0].location)  # fmt: skip
    return verdict


def _filters_chain(account: Account, rule: Rule, trail: Trail, evidence: dict[str, Any], chain: Chain) -> Verdict:
    region, group = trail.log_group or ("", "")
    if region not in account.filters:
        fault = account.fault(f"filters:{region}") or f"metric filters of {region} unknown"
        return Verdict(NO_DATA, "AWS_CALL_FAILED", fault, evidence, trail.location)
    filters = account.filters_on(region, group)
    if not filters:
        elsewhere = [f for f in account.filters.get(region, []) if unresolved(f.log_group)]
        if elsewhere:
            return Verdict(NO_DATA, "UNRESOLVED_REFERENCE",
                           f"metric filter {elsewhere[0].name}: log group {elsewhere[0].log_group} cannot be resolved "
                           "offline", evidence, elsewhere[0].location)  # fmt: skip
        return Verdict(FAIL, "CLOUDTRAIL_METRIC_FILTERS_NOT_PRESENT",
                       f"no metric filter on log group {group} ({region})", evidence, trail.location)  # fmt: skip
    try:
        covs, errors = _coverages(filters, rule)
    except ImportError as exc:
        return Verdict(NO_DATA, "COVERAGE_NOT_AVAILABLE", f"semantic coverage unavailable: {exc}", evidence)
    from ..analysis import union

    evidence = {**evidence, "filters": {f.name: f.pattern for f in filters}}
    if errors:
        evidence["invalidFilters"] = errors
    relevant = [f for f in filters if f.name in covs and (covs[f.name].events and not all(
        e.status == "MISSED" for e in covs[f.name].events))]  # fmt: skip
    whole = union([covs[f.name] for f in filters if f.name in covs]) if covs else None
    chain.filters = relevant
    chain.complete = next((f for f in relevant if f.transformations and covs[f.name].covers_all), None)
    if not relevant or whole is None:
        if whole is not None:
            evidence["missed"] = _events(whole, "MISSED")
        broken = sorted(set(errors) | {n for n, c in covs.items() if c.never_matches})
        if broken:  # a filter that can never match (or is not a valid pattern): a broken attempt
            return Verdict(FAIL, "CLOUDTRAIL_METRIC_FILTER_NOT_VALID",
                           f"metric filter {', '.join(broken)} on {group} can never match", evidence,
                           next(f.location for f in filters if f.name == broken[0]))  # fmt: skip
        return Verdict(FAIL, "CLOUDTRAIL_METRIC_FILTERS_NOT_PRESENT",
                       f"none of the {len(filters)} metric filter(s) on {group} matches any of the rule's events",
                       evidence, trail.location)  # fmt: skip
    if region not in account.alarms:
        fault = account.fault(f"alarms:{region}") or f"alarms of {region} unknown"
        return Verdict(NO_DATA, "AWS_CALL_FAILED", fault, evidence)
    return _alarmed(account, relevant, covs, whole, evidence, region, chain)


def _filter_verdict(account: Account, f: MetricFilterResource, region: str) -> Verdict:
    """The best verdict of the alarms on the filter's metric; its chain names the alarm."""
    verdicts = []
    for t in f.transformations:
        for a in alarms_for(account, region, t):
            v = assess_alarm(account, a, t)
            v.chain = Chain(alarm=a, topic=(v.evidence.get("topics") or [None])[0])
            verdicts.append(v)
    if verdicts:
        return best(verdicts)
    unknown = [a for a in account.alarms.get(region, []) for m in a.metrics
               if unresolved(m.metric_name) or unresolved(m.namespace)]  # fmt: skip
    if unknown:  # an alarm whose metric is an unresolved reference may be this filter's: never a FAIL
        m = next(m for m in unknown[0].metrics if unresolved(m.metric_name) or unresolved(m.namespace))
        return Verdict(NO_DATA, "UNRESOLVED_REFERENCE", f"alarm {unknown[0].name}: metric {m.namespace}/{m.metric_name} "
                       "cannot be resolved offline", {}, unknown[0].location)  # fmt: skip
    metrics = ", ".join(f"{t.namespace}/{t.metric_name}" for t in f.transformations)
    return Verdict(FAIL, "CLOUDWATCH_ALARMS_NOT_PRESENT", f"no alarm on {metrics} (filter {f.name})", {}, f.location)


def _alarmed(account: Account, relevant: list[MetricFilterResource], covs: dict[str, Any], whole: Any,
             evidence: dict[str, Any], region: str, chain: Chain) -> Verdict:  # fmt: skip
    """The verdict once filters are known: union the coverage of the filters whose alarm works."""
    from ..analysis import union

    per_filter = {f.name: _filter_verdict(account, f, region) for f in relevant}
    found = best(list(per_filter.values())).chain
    chain.alarm, chain.topic = found.alarm, found.topic
    working = [n for n, v in per_filter.items() if v.status in (PASS, WARNING)]
    evidence = {**evidence, "alarms": {n: v.message for n, v in per_filter.items()}}
    done = union([covs[n] for n in working]) if working else None
    if done is not None and done.covers_all:
        evidence["covered"] = [e.event.label for e in done.events]
        values = _counting(relevant, covs, working)  # spec 6.2: a match without a number publishes nothing
        if values.cannot:
            evidence["notCounted"] = list(values.cannot)
            return Verdict(FAIL, "CLOUDTRAIL_METRIC_FILTER_VALUE_NOT_NUMERIC", "the metric value cannot count "
                           + "; ".join(values.cannot), evidence, relevant[0].location)  # fmt: skip
        assumed = "".join(f"; assumed: {a}" for a in values.assumed)
        if values.assumed:
            evidence["assumptions"] = list(values.assumed)
        warned = [per_filter[n] for n in working if per_filter[n].status == WARNING]
        if warned:
            return Verdict(WARNING, warned[0].reason, warned[0].message + assumed, evidence, warned[0].location)
        return Verdict(PASS, "COMPLIANT", "; ".join(per_filter[n].message for n in working) + assumed, evidence)
    if not whole.covers_all:  # no filter at all matches every record of some required event
        evidence["missed"] = _events(whole, "MISSED", "CONDITIONAL")
        return Verdict(FAIL, "CLOUDTRAIL_METRIC_FILTER_NOT_VALID", _incomplete(whole), evidence, relevant[0].location)
    if done is not None:
        evidence["missed"] = _events(done, "MISSED", "CONDITIONAL")
    broken = best([v for v in per_filter.values() if v.status not in (PASS, WARNING)])
    return Verdict(broken.status, broken.reason, broken.message, {**evidence, **broken.evidence}, broken.location)


def _counting(filters: list[MetricFilterResource], covs: dict[str, Any], working: list[str]) -> Any:
    """Whether the working filters' metric values are numbers on the rule's events (the catalogue)."""
    from ..analysis.metricvalue import counting

    chosen = [f for f in filters if f.name in working]
    return counting(
        [(covs[f.name], [t.value for t in f.transformations]) for f in chosen], covs[chosen[0].name].rule_id
    )


def _incomplete(cov: Any) -> str:
    parts = []
    if cov.missed:
        parts.append("no metric filter matches " + ", ".join(e.event.label for e in cov.missed))
    if cov.conditional:
        parts.append("matched only under extra conditions: " + ", ".join(e.event.label for e in cov.conditional))
    return "; ".join(parts)
