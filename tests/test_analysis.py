"""The symbolic coverage analysis (cwfilter.analysis): verdicts on the audit scenarios, every
catalogue rule, and cross-checks against the engine on witness records, generated patterns
and the real CloudTrail records."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cwfilter
from cwfilter import analysis
from cwfilter.pattern import ast

from .shared import CLOUDTRAIL, SPEC

CIS = "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"
NAMES = ["PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
         "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication"]  # fmt: skip
SPEC_RULES = {r["id"]: r for r in json.loads((SPEC / "cis-metric-filters.json").read_text(encoding="utf-8"))}


def _or(names: list[str], quote: bool = False) -> str:
    q = '"' if quote else ""
    return " || ".join(f"$.eventName = {q}{n}{q}" for n in names)


def _status(pattern: str) -> dict[str, str]:
    return {v.event.fields["eventName"]: v.status for v in analysis.coverage(pattern, "CWL-012").events}


def test_required_events_of_cwl012_are_the_nine_s3_events() -> None:
    events = analysis.required_events("CWL-012")
    assert [e.fields for e in events] == [{"eventSource": "s3.amazonaws.com", "eventName": n} for n in NAMES]
    assert events[0].label == "PutBucketAcl (s3.amazonaws.com)"


def test_required_events_of_rules_without_a_pinned_name() -> None:
    unauthorized = analysis.required_events("CloudWatch.2")
    assert [e.label for e in unauthorized] == [
        '$.errorCode = "*UnauthorizedOperation"',
        '$.errorCode = "AccessDenied*"',
    ]
    mfa = analysis.required_events("CloudWatch.3")
    assert mfa[0].fields == {"eventName": "ConsoleLogin"}
    assert mfa[0].requires == ('$.additionalEventData.MFAUsed != "Yes"',)


@pytest.mark.parametrize("rule", cwfilter.catalogue(), ids=lambda r: r.id)
def test_every_rule_covers_itself_with_nothing_extra(rule: cwfilter.Rule) -> None:
    """Every canonical pattern covers its rule; its only breadth is other services' namesakes of
    the events it names without an eventSource (API Gateway's CreateRoute for the route rule)."""
    cov = analysis.coverage(rule.filter_pattern, rule)
    assert cov.covers_all and not cov.never_matches and not cov.always_matches and cov.dead == ()
    names = {e.fields.get("eventName") for e in analysis.required_events(rule)}
    sources = {r.source for e in analysis.required_events(rule) for r in e.real}
    for extra in cov.breadth:
        source, name = extra.split(" ")
        assert name in names and source not in sources, extra
    assert analysis.crosscheck(rule.filter_pattern, rule) == []


def test_reordered_quoted_compact_forms_cover_all() -> None:
    for text in (
        "{ (" + _or(NAMES[::-1], quote=True) + ') && $.eventSource = "s3.amazonaws.com" }',
        "{($.eventSource=s3.amazonaws.com)&&(" + _or(NAMES).replace(" ", "") + ")}",
    ):
        cov = analysis.coverage(text, "CWL-012")
        assert cov.covers_all and cov.breadth == ()


def test_one_event_missing() -> None:
    cov = analysis.coverage("{ $.eventSource = s3.amazonaws.com && (" + _or(NAMES[:-1]) + ") }", "CWL-012")
    assert [v.event.fields["eventName"] for v in cov.missed] == ["DeleteBucketReplication"]
    assert not cov.covers_all


def test_typo_is_missed_with_the_nearest_value_as_reason() -> None:
    cov = analysis.coverage(CIS.replace("PutBucketAcl", "PutBucketACL"), "CWL-012")
    (missed,) = cov.missed
    assert missed.event.fields["eventName"] == "PutBucketAcl"
    assert missed.reason == "eventName 'PutBucketACL' is not 'PutBucketAcl'"
    assert cov.breadth == ()  # no CloudTrail event is named PutBucketACL: a dead alternative, not breadth
    assert cov.dead == (
        '$.eventSource = "s3.amazonaws.com" && $.eventName = "PutBucketACL": s3.amazonaws.com writes no event named '
        "'PutBucketACL'; did you mean PutBucketAcl?",
    )


def test_all_terms_anded_never_matches() -> None:
    cov = analysis.coverage("{ $.eventSource = s3.amazonaws.com && " + _or(NAMES).replace("||", "&&") + " }", "CWL-012")
    assert cov.never_matches and len(cov.missed) == 9
    assert "contradicts" in cov.missed[0].reason


def test_impossible_extra_condition_never_matches() -> None:
    for extra in ('$.eventSource = "ec2.amazonaws.com"', "$.eventName NOT EXISTS", "$.eventname = PutBucketAcl"):
        cov = analysis.coverage(CIS[:-2] + " && " + extra + " }", "CWL-012")
        assert cov.never_matches and len(cov.missed) == 9, extra


def test_narrowing_condition_is_conditional() -> None:
    cov = analysis.coverage(CIS[:-2] + ' && $.userIdentity.type = "Root" }', "CWL-012")
    assert [v.status for v in cov.events] == ["CONDITIONAL"] * 9
    assert cov.events[0].conditions == ('$.userIdentity.type = "Root"',)
    assert cov.events[0].reason == 'matches only when $.userIdentity.type = "Root"'


def test_always_written_fields_are_decided_by_the_table() -> None:
    cov = analysis.coverage(CIS[:-2] + " && $.awsRegion = * }", "CWL-012")
    assert cov.covers_all
    assert analysis.coverage("{ $.eventName = * }", "CWL-012").always_matches


def test_wildcards_cover_with_breadth() -> None:
    cov = analysis.coverage(
        "{ $.eventSource = s3.amazonaws.com && ($.eventName = PutBucket* || $.eventName = DeleteBucket*) }", "CWL-012"
    )
    assert cov.covers_all
    assert "s3.amazonaws.com PutBucketEncryption" in cov.breadth and "s3.amazonaws.com DeleteBucket" in cov.breadth
    assert any(b.startswith("... and ") and "more events" in b for b in cov.breadth)  # named up to a cap
    no_source = analysis.coverage("{ " + _or(NAMES) + " }", "CWL-012")
    # without an eventSource the nine names also match S3 on Outposts' namesakes, named
    assert no_source.covers_all
    assert no_source.breadth == (
        "s3-outposts.amazonaws.com PutBucketPolicy",
        "s3-outposts.amazonaws.com PutBucketReplication",
        "s3-outposts.amazonaws.com DeleteBucketPolicy",
        "s3-outposts.amazonaws.com DeleteBucketReplication",
    )


def test_union_of_two_split_filters_covers_all() -> None:
    first = analysis.coverage("{ $.eventSource = s3.amazonaws.com && (" + _or(NAMES[:4]) + ") }", "CWL-012")
    second = analysis.coverage("{ $.eventSource = s3.amazonaws.com && (" + _or(NAMES[4:]) + ") }", "CWL-012")
    assert not first.covers_all and not second.covers_all
    both = analysis.union([first, second])
    assert both.covers_all and both.patterns == first.patterns + second.patterns
    with pytest.raises(ValueError):
        analysis.union([])


def test_union_keeps_conditions_of_conditional_filters() -> None:
    root = analysis.coverage(CIS[:-2] + " && $.userIdentity.type = Root }", "CWL-012")
    user = analysis.coverage(CIS[:-2] + " && $.userIdentity.type = IAMUser }", "CWL-012")
    merged = analysis.union([root, user]).events[0]
    assert merged.status == "CONDITIONAL"
    assert merged.conditions == ('$.userIdentity.type = "Root"', '$.userIdentity.type = "IAMUser"')


def test_errorcode_rule_conditions_and_implication() -> None:
    assert analysis.coverage(
        '{ $.errorCode = "Access*" || $.errorCode = "*UnauthorizedOperation" }', "CloudWatch.2"
    ).covers_all
    cov = analysis.coverage('{ $.errorCode = "AccessDenied" }', "CloudWatch.2")
    assert [v.status for v in cov.events] == ["MISSED", "CONDITIONAL"]
    assert cov.events[1].conditions == ('$.errorCode = "AccessDenied"',)


def test_non_json_patterns_go_through_witnesses() -> None:
    cov = analysis.coverage("PutBucketAcl", "CWL-012")
    assert cov.method == "witness"
    assert [v.status for v in cov.events] == ["COVERED"] + ["MISSED"] * 8
    assert analysis.coverage("", "CWL-012").always_matches
    assert analysis.coverage('{ $.eventName = "PutBucketAcl" }', "CWL-012").method == "symbolic"


def test_too_large_expansion_falls_back_to_witnesses() -> None:
    ands = " && ".join(f"($.a{i} = 1 || $.b{i} = 1)" for i in range(10))  # 1024 alternatives
    cov = analysis.coverage("{ " + ands + " }", "CWL-012")
    assert cov.method == "witness"
    assert len(cov.events) == 9


def test_to_json_is_plain_data() -> None:
    doc = analysis.coverage(CIS.replace("PutBucketAcl", "PutBucketACL"), "CWL-012").to_json()
    assert orjson.loads(orjson.dumps(doc)) == doc
    assert doc["events"][0]["status"] == "MISSED" and doc["coversAll"] is False


# ------------------------------------------------------------------ cross-checks with the engine

VARIANTS = [
    CIS,
    CIS.replace("PutBucketAcl", "PutBucketACL"),
    CIS[:-2] + " && $.userIdentity.type = Root }",
    CIS[:-2] + " && $.errorCode NOT EXISTS }",
    CIS[:-2] + ' && $.errorCode != "AccessDenied" }',
    CIS[:-2] + " && $.readOnly IS FALSE }",
    CIS[:-2] + " && $.userIdentity.invokedBy NOT EXISTS }",
    CIS[:-2] + " && $.requestParameters.items[0].key = k }",
    "{ $.eventSource = s3.amazonaws.com && $.eventName = %^[PD][a-z]+Bucket% }",
    "{ $.eventSource = s3.* && $.eventName = *Bucket* }",
    "{ ($.eventSource = s3.amazonaws.com && $.eventName = PutBucketAcl) || $.userIdentity.type = Root || $.errorCode = * }",
    '{ $.eventSource = "s3.amazonaws.com" && $.eventName != "PutBucketAcl" }',
    "{ $.eventVersion > 1.05 && $.eventSource = s3.amazonaws.com }",
]


@pytest.mark.parametrize("pattern", VARIANTS)
def test_verdicts_agree_with_the_engine_on_witnesses(pattern: str) -> None:
    assert analysis.crosscheck(pattern, "CWL-012") == []


@pytest.mark.parametrize("rule_id", sorted(SPEC_RULES))
def test_spec_variants_agree_with_the_engine(rule_id: str) -> None:
    rule = cwfilter.find_rule(rule_id)
    records = [e["record"] for e in SPEC_RULES[rule_id]["required_events"]]
    for variant in SPEC_RULES[rule_id]["filter_pattern_variants"]:
        try:
            cwfilter.compile(variant["pattern"])
        except cwfilter.PatternError:
            continue
        assert analysis.crosscheck(variant["pattern"], rule, records) == [], variant["source"]


CT_SELECTORS = ["eventSource", "eventName", "errorCode", "userIdentity.type", "userIdentity.invokedBy",
                "readOnly", "eventname", "requestParameters.bucketName", "awsRegion", "eventVersion"]  # fmt: skip
CT_VALUES = ["s3.amazonaws.com", "PutBucketAcl", "PutBucketACL", "DeleteBucketCors", "PutBucket*", "*Bucket*",
             "Root", "AccessDenied*", "*", "s3.*", "b", "us-*", "1.0*"]  # fmt: skip


@st.composite
def ct_atom(draw: Any) -> ast.JsonExpr:
    sel = ast.Selector(tuple(ast.Member(n) for n in draw(st.sampled_from(CT_SELECTORS)).split(".")))
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return ast.Check(sel, draw(st.sampled_from(["IS NULL", "IS TRUE", "IS FALSE", "NOT EXISTS"])))
    if kind == 1:
        return ast.Comparison(
            sel, draw(st.sampled_from(["<", ">", "=", "!="])), ast.NumberValue(draw(st.sampled_from(["1.05", "3"])))
        )
    return ast.Comparison(
        sel, draw(st.sampled_from(["=", "=", "!="])), ast.StringValue(draw(st.sampled_from(CT_VALUES)))
    )


def cloudtrail_expr(depth: int) -> st.SearchStrategy[ast.JsonExpr]:
    if depth == 0:
        return ct_atom()
    inner = cloudtrail_expr(depth - 1)
    return st.one_of(
        ct_atom(),
        st.lists(st.one_of(ct_atom(), inner.filter(lambda e: isinstance(e, ast.Or))), min_size=2, max_size=3).map(
            lambda xs: ast.And(tuple(xs))
        ),
        st.lists(st.one_of(ct_atom(), inner.filter(lambda e: isinstance(e, ast.And))), min_size=2, max_size=3).map(
            lambda xs: ast.Or(tuple(xs))
        ),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(cloudtrail_expr(2), st.sampled_from(["CWL-012", "CloudWatch.2", "CloudWatch.1"]))
def test_generated_patterns_agree_with_the_engine(expr: ast.JsonExpr, rule: str) -> None:
    text = cwfilter.render(ast.JsonPattern(expr))
    assert analysis.crosscheck(text, rule) == []


@pytest.mark.real_data
def test_verdicts_agree_with_the_engine_on_real_records() -> None:
    if not CLOUDTRAIL.is_dir():
        pytest.skip(f"real CloudTrail records not present at {CLOUDTRAIL}")
    from .cloudtrail_data import records

    real = [rec for _, _, _, rec in records() if isinstance(rec, dict)]
    checked = 0
    for pattern in VARIANTS[:8]:
        fp = cwfilter.compile(pattern)
        cov = analysis.coverage(fp, "CWL-012")
        by_name = {v.event.fields["eventName"]: v for v in cov.events}
        for rec in real:
            verdict = by_name.get(rec.get("eventName")) if rec.get("eventSource") == "s3.amazonaws.com" else None
            if verdict is not None and analysis.witness.applies(verdict, rec):
                checked += 1
                assert fp.matches(orjson.dumps(rec)) == analysis.witness.predicted(verdict, rec), (
                    pattern,
                    rec["eventID"],
                )
    assert checked > 0


@pytest.mark.real_data
def test_every_rule_and_spec_variant_agrees_with_the_engine_on_real_records() -> None:
    """For every catalogue rule, its canonical pattern and the spec's variants: on each real record
    that satisfies a required event, the verdict predicts matches()."""
    if not CLOUDTRAIL.is_dir():
        pytest.skip(f"real CloudTrail records not present at {CLOUDTRAIL}")
    from cwfilter.analysis.normal_form import as_pattern

    from .cloudtrail_data import records

    real = [rec for _, _, _, rec in records() if isinstance(rec, dict)]
    checked = 0
    for rule_id, spec in SPEC_RULES.items():
        patterns = [spec["filter_pattern"]] + [v["pattern"] for v in spec["filter_pattern_variants"]]
        events = analysis.required_events(rule_id)
        tests = [cwfilter.compile(cwfilter.render(as_pattern(e.atoms))).matches_object for e in events]
        holding = [[rec for rec in real if test(rec)] for test in tests]
        for text in patterns:
            try:
                fp = cwfilter.compile(text)
            except cwfilter.PatternError:
                continue
            cov = analysis.coverage(fp, rule_id)
            for verdict, recs in zip(cov.events, holding):
                for rec in recs:
                    if not analysis.witness.applies(verdict, rec):
                        continue  # another source's event of that name, or outside the catalogue's record format
                    checked += 1
                    assert fp.matches_object(rec) == analysis.witness.predicted(verdict, rec), (
                        rule_id,
                        text,
                        rec.get("eventID"),
                    )
    assert checked > 1000
