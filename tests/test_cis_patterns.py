"""The CIS / Security Hub metric filter patterns of ../shared/spec/cis-metric-filters.json,
on their own example events and on the real CloudTrail records of ../shared/data."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import orjson
import pytest

import cwfilter
from cwfilter.pattern import reference

from .cloudtrail_data import message, records
from .shared import CLOUDTRAIL, SPEC

RULES = {r["id"]: r for r in json.loads((SPEC / "cis-metric-filters.json").read_text(encoding="utf-8"))}
CWL012 = RULES["s3_bucket_policy_changes"]

# Variants the spec marks as broken transcriptions: a tool must reject them, not guess.
INVALID_VARIANT_MARKERS = ("invokedByNOT EXISTS", '= AcceptHandshake")')


def _all_patterns() -> list[tuple[str, str]]:
    out = []
    for rule_id, rule in RULES.items():
        out.append((rule_id, rule["filter_pattern"]))
        out.extend((rule_id, v["pattern"]) for v in rule["filter_pattern_variants"])
    return out


@pytest.mark.parametrize(("rule_id", "text"), _all_patterns(), ids=lambda x: x[:40])
def test_every_cis_pattern_compiles_unless_marked_broken(rule_id: str, text: str) -> None:
    if any(marker in text for marker in INVALID_VARIANT_MARKERS):
        with pytest.raises(cwfilter.PatternError):
            cwfilter.compile(text)
        return
    p = cwfilter.compile(text)
    assert p.family == "json"
    assert not p.warnings
    assert cwfilter.parse(str(p)) == p.ast


@pytest.mark.parametrize("rule_id", list(RULES))
def test_required_events_match_the_canonical_pattern(rule_id: str) -> None:
    """Events every CIS version requires match the canonical pattern; events only later versions
    require (``cis_versions``) match at least one of the published variants."""
    rule = RULES[rule_id]
    canonical = cwfilter.compile(rule["filter_pattern"])
    variants = [
        cwfilter.compile(v["pattern"])
        for v in rule["filter_pattern_variants"]
        if not any(marker in v["pattern"] for marker in INVALID_VARIANT_MARKERS)
    ]
    for event in rule["required_events"]:
        msg = orjson.dumps(event["record"])
        if "cis_versions" in event:
            assert any(v.matches(msg) for v in variants), event
        else:
            assert canonical.matches(msg), event


@pytest.mark.parametrize("rule_id", list(RULES))
def test_must_not_match_events(rule_id: str) -> None:
    rule = RULES[rule_id]
    for event in rule["must_not_match"]:
        applies = event.get("applies_to", "all variants")
        candidates = [rule["filter_pattern"]] + [v["pattern"] for v in rule["filter_pattern_variants"]]
        if applies.startswith("CIS >= 1.3.0"):
            # Only the variants with the CIS >= 1.3 exclusions, and not the all-OR mis-transcription.
            candidates = [c for c in candidates if "delivery.logs" in c and "|| ($.sourceIPAddress" not in c]
        for text in candidates:
            if any(marker in text for marker in INVALID_VARIANT_MARKERS):
                continue
            assert not cwfilter.compile(text).matches(orjson.dumps(event["record"])), (text, event)


def test_precedence_of_the_mixed_unauthorized_api_calls_variant() -> None:
    """`A || B && C && D` is `A || (B && C && D)` (spec §4.7): an AccessDenied HeadBucket from
    delivery.logs is excluded, but an UnauthorizedOperation from it is not."""
    text = next(
        v["pattern"] for v in RULES["unauthorized_api_calls"]["filter_pattern_variants"] if "v3.0.0" in v["source"]
    )
    p = cwfilter.compile(text)
    assert isinstance(p.ast.expr, cwfilter.pattern.ast.Or)
    assert not p.matches(
        b'{"errorCode":"AccessDenied","sourceIPAddress":"delivery.logs.amazonaws.com","eventName":"X"}'
    )
    assert p.matches(b'{"errorCode":"Client.UnauthorizedOperation","sourceIPAddress":"delivery.logs.amazonaws.com"}')


@lru_cache(maxsize=1)
def _messages() -> list[tuple[str, int, bytes]]:
    return [(file, index, message(rec)) for _, file, index, rec in records()]


def _index() -> list[dict]:
    lines = (CLOUDTRAIL / "s3_bucket_config_events.index.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


CWL012_PATTERNS = [CWL012["filter_pattern"]] + [v["pattern"] for v in CWL012["filter_pattern_variants"]]
# ScoutSuite's string is documented (in the spec) to omit two of the nine event names.
SCOUTSUITE_OMITS = {"DeleteBucketCors", "DeleteBucketLifecycle"}


@pytest.mark.real_data
@pytest.mark.parametrize("text", CWL012_PATTERNS, ids=["canonical", "security-hub", "quoted-source", "scoutsuite"])
def test_cwl012_matches_exactly_the_indexed_records(text: str) -> None:
    expected = {
        (row["file"], row["record_index"])
        for row in _index()
        if row["cwl012_match"] and not ("ScoutSuite" in _variant_source(text) and row["eventName"] in SCOUTSUITE_OMITS)
    }
    p = cwfilter.compile(text)
    matched = {(file, index) for file, index, msg in _messages() if p.matches(msg)}
    assert matched == expected
    assert len(_messages()) == 34_687  # every record of every source was evaluated


@pytest.mark.real_data
def test_cwl012_reference_interpreter_agrees_on_s3_records() -> None:
    p = cwfilter.compile(CWL012["filter_pattern"])
    s3 = [(f, i, m) for f, i, m in _messages() if b"s3.amazonaws.com" in m]
    assert len(s3) > 20_000
    assert all(p.matches(m) is reference.matches(p.ast, m) for _, _, m in s3)


def _variant_source(text: str) -> str:
    return next((v["source"] for v in CWL012["filter_pattern_variants"] if v["pattern"] == text), "canonical")


def test_rule_catalogue_is_generated_from_the_spec() -> None:
    import importlib.util

    from cwfilter.rules import catalogue, find_rule

    script = Path(__file__).resolve().parents[1] / "scripts" / "generate_rules.py"
    spec = importlib.util.spec_from_file_location("generate_rules", script)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    built = module.build(json.loads((SPEC / "cis-metric-filters.json").read_text(encoding="utf-8")))
    assert [r.id for r in catalogue()] == [r["id"] for r in built["rules"]]
    assert all(
        r.filter_pattern == b["filter_pattern"] and r.alarm_spec == b["alarm"]
        for r, b in zip(catalogue(), built["rules"])
    )
    rule = find_rule("cwl-012")
    assert (
        rule.id == "s3_bucket_policy_changes"
        and find_rule("CloudWatch.8") is rule
        and find_rule("CIS-1.4.0-4.8") is rule
    )
    mf = rule.metric_filter(via="CWL-012")
    assert (mf.namespace, mf.metric_name) == ("CloudTrailMetrics", "S3BucketEventCount")
    assert (rule.metric_filter().namespace, rule.metric_filter().metric_name) == (
        "CISBenchmark",
        "s3_bucket_policy_changes_metric",
    )
