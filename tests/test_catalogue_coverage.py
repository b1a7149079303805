"""Coverage follows the CloudTrail catalogue (issue 22): scoped rules stay COVERED, invariant
conditions are COVERED with a note, dead alternatives are not breadth, breadth names real
events (also for terms patterns, from policy documents and error messages), and every event
the catalogue lists for a rule's required events matches the rule's canonical pattern."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cwfilter
from cwfilter import analysis, cloudtrail
from cwfilter.analysis.normal_form import field_path
from cwfilter.analysis.others import record_of
from cwfilter.analysis.witness import set_path

from .shared import ROOT

CIS = cwfilter.find_rule("CWL-012").filter_pattern
SCOPED = ["CloudWatch.3", "CloudWatch.4", "CloudWatch.5", "CloudWatch.6", "CloudWatch.10", "CloudWatch.11",
          "CloudWatch.12", "CloudWatch.13", "CloudWatch.14"]  # fmt: skip
RIGHT_SOURCE = {"CloudWatch.3": "signin", "CloudWatch.4": "iam", "CloudWatch.5": "cloudtrail", "CloudWatch.6": "signin"}


def _scoped(rule_id: str) -> str:
    source = RIGHT_SOURCE.get(rule_id, "ec2") + ".amazonaws.com"
    body = cwfilter.find_rule(rule_id).filter_pattern.strip()[1:-1]
    return "{ ($.eventSource = " + source + ") && (" + body + ") }"


@pytest.mark.parametrize("rule_id", SCOPED)
def test_the_right_event_source_keeps_every_event_covered(rule_id: str) -> None:
    cov = analysis.coverage(_scoped(rule_id), rule_id)
    assert cov.covers_all and cov.breadth == () and cov.dead == ()
    assert all(v.notes and "always true for" in v.notes[0] for v in cov.events)
    assert analysis.crosscheck(_scoped(rule_id), rule_id) == []


@pytest.mark.parametrize("rule_id", SCOPED)
def test_a_wrong_event_source_misses_every_event(rule_id: str) -> None:
    wrong = _scoped(rule_id).replace("($.eventSource = ", "($.eventSource = s3-x", 1)
    cov = analysis.coverage(wrong, rule_id)
    assert all(v.status == "MISSED" for v in cov.events)


@pytest.mark.parametrize(
    ("condition", "name"),
    [("$.readOnly IS FALSE", None), ("$.eventType = AwsApiCall", None), ("$.requestParameters.bucketName = *", None),
     ("$.requestParameters.acl = *", "PutBucketAcl")],
)  # fmt: skip
def test_invariant_conditions_are_covered_with_a_note(condition: str, name: str | None) -> None:
    pattern = CIS[:-2] + " && " + condition + " }"
    if name:  # a condition on the subresource of one event, added to that event's alternative
        pattern = CIS.replace(f"($.eventName = {name})", f"($.eventName = {name} && {condition})")
    cov = analysis.coverage(pattern, "CWL-012")
    assert cov.covers_all and cov.breadth == ()
    noted = [v for v in cov.events if v.notes]
    assert noted and all(v.notes[0].endswith(f"always true for {v.event.fields['eventName']} records") for v in noted)
    assert analysis.crosscheck(pattern, "CWL-012") == []


def test_a_condition_the_catalogue_cannot_decide_stays_conditional() -> None:
    cov = analysis.coverage(CIS[:-2] + " && $.requestParameters.acl = * }", "CWL-012")
    assert cov.events[0].status == "COVERED"  # PutBucketAcl records carry acl
    assert {v.status for v in cov.events[1:]} == {"CONDITIONAL"}  # the others may or may not: not guessed


@pytest.mark.parametrize(
    "pattern",
    [CIS.replace("PutBucketAcl", "PutBucketACL"), CIS.replace("PutBucketAcl", "PutBucketAcls"),
     CIS.replace("s3.amazonaws.com", "S3.amazonaws.com"), CIS.replace("= s3.amazonaws.com", "= s3.*")],
)  # fmt: skip
def test_dead_alternatives_are_not_breadth(pattern: str) -> None:
    cov = analysis.coverage(pattern, "CWL-012")
    assert cov.breadth == () and cov.undecided == ()
    if "s3.*" in pattern:
        assert cov.covers_all and cov.dead == ()  # s3.* admits s3.amazonaws.com only
    else:
        assert cov.dead and not cov.covers_all


def test_lint_says_an_alternative_is_dead() -> None:
    codes = [f.code for f in cwfilter.lint(CIS.replace("s3.amazonaws.com", "S3.amazonaws.com"))]
    assert codes == ["unknown-event-source"]
    findings = cwfilter.lint(
        '{ ($.eventName = PutBucketAcl && $.eventType = "AwsConsoleSignIn") || $.eventName = Foo1 || $.eventName = CreateTrail }'
    )
    assert [f.code for f in findings] == ["dead-alternative", "unknown-operation"]
    assert "is false for every PutBucketAcl record" in findings[0].message


def test_breadth_names_real_events_outside_the_rule() -> None:
    cov = analysis.coverage("{ ($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) }", "CWL-012")
    assert cov.breadth == ("s3-outposts.amazonaws.com PutBucketPolicy",)


def test_terms_pattern_breadth_names_real_events_and_free_text() -> None:
    names = [e.fields["eventName"] for e in analysis.required_events("CWL-012")]
    cov = analysis.coverage(" ".join("?" + n for n in names), "CWL-012")
    assert cov.method == "witness" and cov.covers_all
    assert "s3-outposts.amazonaws.com PutBucketPolicy" in cov.breadth
    assert "s3.amazonaws.com PutBucketLifecycleConfiguration" in cov.breadth  # holds the word PutBucketLifecycle
    assert "iam.amazonaws.com PutRolePolicy (a policy document granting s3:PutBucketPolicy)" in cov.breadth
    assert "an AccessDenied error whose message names s3:PutBucketAcl" in cov.breadth


def test_unknown_but_well_formed_sources_are_undecided() -> None:
    cov = analysis.coverage("{ $.eventSource = brandnew.amazonaws.com || $.eventName = PutBucketAcl }", "CWL-012")
    assert cov.dead == () and cov.undecided and "not in the catalogue" in cov.undecided[0]


# ------------------------------------------------------------------ property: the catalogue's events match

RULES = [r for r in cwfilter.catalogue() if all(e.real for e in analysis.required_events(r))]
CASES = [(r.id, i) for r in RULES for i, _ in enumerate(analysis.required_events(r))]


@settings(max_examples=150, deadline=None)
@given(case=st.sampled_from(CASES), data=st.data())
def test_every_catalogued_event_of_a_rule_matches_its_canonical_pattern(
    case: tuple[str, int], data: st.DataObject
) -> None:
    """A record of any event the catalogue lists for a rule's required event, as CloudTrail
    writes it (any identity, region, error, extra parameters), that satisfies the event's own
    conditions (``MFAUsed != "Yes"``) matches the rule's canonical pattern."""
    rule_id, index = case
    rule = cwfilter.find_rule(rule_id)
    required = analysis.required_events(rule)[index]
    e = data.draw(st.sampled_from(required.real))
    record = record_of(e)
    record["userIdentity"] = {**record["userIdentity"], "type": data.draw(st.sampled_from(cloudtrail.identity_types()))}
    record["awsRegion"] = data.draw(st.sampled_from(["us-east-1", "eu-west-3", "ap-southeast-2"]))
    if data.draw(st.booleans()):
        record["errorCode"], record["errorMessage"] = "AccessDenied", "Access Denied"
    extra = data.draw(
        st.dictionaries(st.sampled_from(["x", "policy", "tags", "Host"]), st.text(max_size=8), max_size=2)
    )
    record["requestParameters"] = {**(record["requestParameters"] or {}), **extra}
    for atom in required.atoms:  # the event's own conditions (MFAUsed, errorMessage): drawn both ways
        path = field_path(atom.selector)
        if path and path[0] in ("additionalEventData", "errorMessage", "responseElements"):
            value = data.draw(st.sampled_from(["No", "Yes", "Failed authentication", "Success"]))
            record = set_path(record, path, value)
    if not analysis.witness.of_event(required, record):
        return  # the drawn value fails the event's own condition: not a record of the required event
    assert cwfilter.compile(rule.filter_pattern).matches(orjson.dumps(record)), (e.label, record)


# ------------------------------------------------------------------ the metric value (spec 6.2)


@pytest.mark.parametrize(
    ("value", "status", "reason", "assumed"),
    [("1", "PASS", "COMPLIANT", False),
     ("$.additionalEventData.bytesTransferredIn", "PASS", "COMPLIANT", False),
     ("$.requestParameters.size", "PASS", "COMPLIANT", True),
     ("$.value", "FAIL", "CLOUDTRAIL_METRIC_FILTER_VALUE_NOT_NUMERIC", False),
     ("$.eventName", "FAIL", "CLOUDTRAIL_METRIC_FILTER_VALUE_NOT_NUMERIC", False)],
)  # fmt: skip
def test_the_metric_value_must_be_a_number_on_the_events(
    tmp_path: Path, value: str, status: str, reason: str, assumed: bool
) -> None:
    from cwfilter.audit import audit, read_template

    text = (ROOT / "samples" / "audit" / "cwl012.tf").read_text(encoding="utf-8")
    assert 'value = "1"' in text
    (tmp_path / "main.tf").write_text(text.replace('value = "1"', f'value = "{value}"'), encoding="utf-8")
    (finding,) = audit(read_template(tmp_path / "main.tf"), [cwfilter.find_rule("CWL-012")])
    assert (finding.status, finding.reason) == (status, reason), finding.message
    assert ("assumed:" in finding.message) is assumed, finding.message
    if status == "FAIL":
        assert "PutBucketAcl (s3.amazonaws.com)" in finding.message and value in finding.message


def test_metric_value_verdicts() -> None:
    from cwfilter.analysis.metricvalue import metric_value

    assert {v.counts for v in metric_value("$.value", "CWL-012")} == {"cannot"}
    assert {v.counts for v in metric_value("2.5", "CloudWatch.13")} == {"counts"}
    assert {v.counts for v in metric_value("$.additionalEventData.bytesTransferredIn", "CWL-012")} == {"counts"}
    assert {v.counts for v in metric_value("$.additionalEventData.bytesTransferredIn", "CloudWatch.13")} == {"assumed"}
    assert {v.counts for v in metric_value("$.readOnly", "CloudWatch.13")} == {"cannot"}
