"""cwfilter.compare: proofs of equivalence, and examples of records matched by one pattern only."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings

import cwfilter
from cwfilter import cloudtrail
from cwfilter.cli import main
from cwfilter.pattern import ast

from .shared import SPEC
from .test_analysis import cloudtrail_expr

SPEC_RULES = json.loads((SPEC / "cis-metric-filters.json").read_text(encoding="utf-8"))
CIS_S3 = next(r for r in SPEC_RULES if r["id"] == "s3_bucket_policy_changes")["filter_pattern"]
NAMES = ["PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
         "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication"]  # fmt: skip


def _check_examples(result: cwfilter.PatternComparison) -> None:
    old, new = cwfilter.compile(result.old), cwfilter.compile(result.new)
    for e in result.only_old:
        assert old.matches(e.message) and not new.matches(e.message)
    for e in result.only_new:
        assert new.matches(e.message) and not old.matches(e.message)


def test_cis_and_its_reordered_quoted_form_are_equivalent() -> None:
    reordered = (
        "{ (" + " || ".join(f'$.eventName = "{n}"' for n in NAMES[::-1]) + ') && $.eventSource = "s3.amazonaws.com" }'
    )
    result = cwfilter.compare(CIS_S3, reordered)
    assert result.verdict == "equivalent" and result.proof.startswith("proven")
    assert result.only_old == result.only_new == ()


def test_one_event_removed_is_found() -> None:
    smaller = CIS_S3.replace(" || ($.eventName = DeleteBucketReplication)", "")
    result = cwfilter.compare(CIS_S3, smaller)
    assert result.verdict == "different" and result.proof.startswith("proven")
    assert [orjson.loads(e.message) for e in result.only_old] == [
        {"eventSource": "s3.amazonaws.com", "eventName": "DeleteBucketReplication"}
    ]
    assert result.only_new == ()
    _check_examples(result)


def test_wildcards_differ_by_example() -> None:
    result = cwfilter.compare(
        CIS_S3, "{ $.eventSource = s3.amazonaws.com && ($.eventName = PutBucket* || $.eventName = DeleteBucket*) }"
    )
    assert result.verdict == "different" and result.only_new and not result.only_old
    _check_examples(result)
    names = [orjson.loads(e.message)["eventName"] for e in result.only_new if "a real operation" in e.origin]
    assert names and all(n in cloudtrail.operations("s3.amazonaws.com") for n in names)  # real names the glob admits


def test_glob_implication_proves_containment_both_ways() -> None:
    result = cwfilter.compare(
        '{ $.errorCode = "Access*" || $.errorCode = "AccessDenied*" }', '{ $.errorCode = "Access*" }'
    )
    assert result.verdict == "equivalent"


def test_spec_variants_examples_are_real() -> None:
    for rule in SPEC_RULES:
        for variant in rule["filter_pattern_variants"]:
            try:
                result = cwfilter.compare(rule["filter_pattern"], variant["pattern"])
            except cwfilter.PatternError:
                continue
            _check_examples(result)
            assert result.verdict in ("equivalent", "different", "no difference found")


def test_across_families_and_given_events() -> None:
    result = cwfilter.compare("PutBucketAcl", '{ $.eventName = "PutBucketAcl" }')
    assert result.verdict == "different"
    _check_examples(result)
    same = cwfilter.compare("ERROR", '"ERROR"')
    assert same.verdict == "equivalent"
    given = cwfilter.compare("%a+%", "%aa*%", [("file.log:1", b"xyz"), ("file.log:2", b"xaz")])
    assert given.verdict == "no difference found" and given.events_checked >= 2


def test_space_delimited_difference() -> None:
    result = cwfilter.compare("[ip, status = 404]", "[ip, status = 4*]")
    assert result.verdict == "different"
    _check_examples(result)


def test_to_json() -> None:
    doc = cwfilter.compare(CIS_S3, CIS_S3.replace("PutBucketAcl", "PutBucketACL")).to_json()
    assert doc["verdict"] == "different" and doc["onlyOld"] and doc["onlyNew"]
    assert orjson.loads(orjson.dumps(doc)) == doc


# ------------------------------------------------------------------ the command


def test_compare_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from cwfilter.cli import main

    smaller = CIS_S3.replace(" || ($.eventName = DeleteBucketReplication)", "")
    assert main(["compare", CIS_S3, smaller]) == 1
    out = capsys.readouterr().out
    assert (
        out.startswith("different: proven")
        and '{"eventSource":"s3.amazonaws.com","eventName":"DeleteBucketReplication"}' in out
    )
    assert main(["compare", CIS_S3, CIS_S3.replace("(", "").replace(")", ""), "--output", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["verdict"] == "different"  # precedence: && binds tighter
    log = tmp_path / "events.jsonl"
    log.write_text('{"eventSource": "s3.amazonaws.com", "eventName": "GetObject"}\nnot json\n', encoding="utf-8")
    assert main(["compare", "s3", "amazonaws", "--events", str(log), "--output", "json"]) == 1
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["eventsChecked"] >= 2
    assert any("events.jsonl" in p for p in doc["problems"]) and "events.jsonl" in captured.err
    # an --events input that cannot be read is an error, never "equivalent" (issue 21)
    assert main(["compare", "s3", "s3", "--events", str(tmp_path / "missing.log")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and f"--events {tmp_path / 'missing.log'}: no such file or directory" in captured.err
    assert main(["compare", "{ $.a = ", "x"]) == 2


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(cloudtrail_expr(2), cloudtrail_expr(2))
def test_a_proof_of_equivalence_is_never_contradicted_by_an_example(a: ast.JsonExpr, b: ast.JsonExpr) -> None:
    result = cwfilter.compare(cwfilter.render(ast.JsonPattern(a)), cwfilter.render(ast.JsonPattern(b)))
    _check_examples(result)
    if result.verdict == "equivalent":
        assert result.only_old == result.only_new == ()
    assert (result.verdict == "different") == bool(result.only_old or result.only_new)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(cloudtrail_expr(2))
def test_a_pattern_and_its_rendering_are_proven_equivalent(a: ast.JsonExpr) -> None:
    text = cwfilter.render(ast.JsonPattern(a))
    spaced = text.replace(" && ", "&&").replace(" || ", "||")
    assert cwfilter.compare(text, spaced).verdict == "equivalent"


def test_compare_exits_2_when_it_cannot_decide(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 28 item 3: with ten ANDed OR-pairs the analysis reads neither pattern and no event
    is generated; compare said "no difference found", exit 0, for different patterns. It is no
    verdict: exit 2, never a pass."""
    pairs = " && ".join(f"($.a{i} = x || $.b{i} = y)" for i in range(10))
    old, new = "{ " + pairs + " }", "{ " + pairs.replace("$.b9 = y", "$.b9 = z") + " }"
    assert cwfilter.compare(old, new).verdict == "no difference found"
    assert main(["compare", old, new]) == 2
    assert capsys.readouterr().out.endswith("cannot decide: neither proven equivalent nor shown different\n")
    assert main(["compare", "%a+%", "%aa*%"]) == 2  # the same events, but not proven: still no verdict
    assert main(["compare", "ERROR", '"ERROR"']) == 0
