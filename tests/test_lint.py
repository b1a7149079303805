"""cwfilter.lint: quiet on the CIS patterns, and each mistake of issue 11 flagged with a span and a fix."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cwfilter
from cwfilter.analysis import exit_status
from cwfilter.pattern import ast

from . import strategies as S
from .shared import SPEC

SPEC_RULES = json.loads((SPEC / "cis-metric-filters.json").read_text(encoding="utf-8"))
CIS_S3 = next(r for r in SPEC_RULES if r["id"] == "s3_bucket_policy_changes")["filter_pattern"]


def _codes(pattern: str, rule: str | None = None) -> list[str]:
    return [f.code for f in cwfilter.lint(pattern, rule)]


@pytest.mark.parametrize("rule", SPEC_RULES, ids=[r["id"] for r in SPEC_RULES])
def test_quiet_on_every_cis_canonical_pattern(rule: dict) -> None:
    findings = cwfilter.lint(rule["filter_pattern"], rule["id"])
    assert [f for f in findings if f.severity != "note"] == []
    assert exit_status(findings) == 0


def test_operation_typo_with_the_closest_name() -> None:
    pattern = CIS_S3.replace("PutBucketAcl", "PutBucketACL")
    (finding,) = cwfilter.lint(pattern)
    assert finding.code == "unknown-operation" and finding.fix == "PutBucketAcl"
    assert pattern[finding.start : finding.end] == "PutBucketACL"
    assert finding.caret.splitlines()[1].strip() == "^" * len("PutBucketACL")
    assert exit_status([finding]) == 1


def test_selector_case_mistake() -> None:
    (finding,) = cwfilter.lint("{ $.eventname = PutBucketAcl }")
    assert finding.code == "selector-case"
    assert finding.fix == "{ $.eventName = PutBucketAcl }"
    assert "$.eventName" in finding.message
    assert "userIdentity.type" in cwfilter.lint("{ $.useridentity.Type = Root }")[0].fix  # type: ignore[operator]


def test_all_anded_event_names_never_match() -> None:
    findings = cwfilter.lint(CIS_S3.replace("||", "&&"))
    assert [f.code for f in findings] == ["never-matches"]
    assert "contradicts" in findings[0].message and findings[0].fix


def test_negated_event_source_used_as_equals() -> None:
    pattern = CIS_S3.replace("$.eventSource = s3", "$.eventSource != s3")
    (finding,) = cwfilter.lint(pattern)
    assert finding.code == "negated-source"
    assert finding.fix == CIS_S3
    assert pattern[finding.start : finding.end] == "$.eventSource != s3.amazonaws.com"


def test_not_equal_on_a_field_cloudtrail_omits() -> None:
    (finding,) = cwfilter.lint('{ $.errorCode != "AccessDenied" }')
    assert finding.code == "missing-field-excluded"
    assert finding.fix == '($.errorCode NOT EXISTS || $.errorCode != "AccessDenied")'
    fixed = cwfilter.compile("{ " + finding.fix + " }")
    assert fixed.matches('{"eventName": "x"}') and not cwfilter.compile('{ $.errorCode != "AccessDenied" }').matches(
        '{"eventName": "x"}'
    )


def test_quoted_number_with_an_ordering_operator() -> None:
    (finding,) = cwfilter.lint('{ $.a > "5" }')
    assert finding.code == "invalid-pattern" and finding.severity == "error"
    assert finding.fix == "{ $.a > 5 }"
    assert exit_status([finding]) == 2


def test_invalid_pattern_is_one_error() -> None:
    (finding,) = cwfilter.lint("{ $.a = ")
    assert finding.severity == "error" and finding.code == "invalid-pattern"


def test_mid_value_wildcard_and_regex_like_value() -> None:
    assert _codes('{ $.eventName = "Put*Acl" }') == ["mid-value-wildcard"]
    assert _codes('{ $.eventName = "PutBucket.*" }') == ["mid-value-wildcard"]
    assert _codes('{ $.eventName = "PutBucket*" }') == []


def test_unknown_event_source_and_glob_matching_no_operation() -> None:
    findings = cwfilter.lint("{ $.eventSource = s4.amazonaws.com }")
    assert [(f.code, f.fix) for f in findings] == [("unknown-event-source", "s3.amazonaws.com")]
    assert _codes("{ $.eventSource = s3.amazonaws.com && $.eventName = PutBukket* }") == ["unknown-operation"]
    assert _codes("{ $.eventSource = signin.amazonaws.com && $.eventName = ConsoleLogin }") == []


def test_always_and_almost_always() -> None:
    assert "always-matches" in _codes("{ $.eventName = * }")
    steampipe = next(v["pattern"] for v in SPEC_RULES[0]["filter_pattern_variants"] if "Steampipe" in v["source"])
    assert "matches-almost-all" in _codes(steampipe)


def test_dead_alternative() -> None:
    assert _codes("{ ($.eventName = CreateTrail && $.eventName = DeleteTrail) || $.eventName = StopLogging }") == [
        "dead-alternative"
    ]


def test_quotas_approached() -> None:
    assert "quota-regex" in _codes("{ $.a = %x% && $.b = %y% }")
    assert "quota-wildcards" in _codes("{ $.a[*] = 1 && $.b[*] = 1 && $.c.* = 1 }")
    long = "{ " + " || ".join(f"$.eventName = Name{i:04}" for i in range(38)) + " }"
    assert 900 < len(long) <= 1024
    assert "quota-length" in _codes(long)


def test_rule_coverage_findings() -> None:
    pattern = CIS_S3.replace(" || ($.eventName = DeleteBucketReplication)", "")
    findings = cwfilter.lint(pattern, "CWL-012")
    missed = [f for f in findings if f.code == "rule-missed"]
    assert len(missed) == 1 and "DeleteBucketReplication" in missed[0].message
    broad = cwfilter.lint("{ $.eventSource = s3.amazonaws.com && $.eventName = PutBucket* }", "CWL-012")
    assert [f.code for f in broad] == ["rule-missed"] * 4 + ["rule-breadth"]
    narrowed = cwfilter.lint(CIS_S3[:-2] + " && $.userIdentity.type = Root }", "CWL-012")
    assert [f.code for f in narrowed] == ["rule-conditional"] * 9


def test_names_are_checked_without_botocore() -> None:
    """The catalogue ships with the package: `cwfilter lint` flags PutBucketACL where botocore
    cannot be imported (a plain install), and never says "names not checked"."""
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['botocore'] = None; sys.modules['boto3'] = None\n"
        "from cwfilter.cli import main\n"
        "sys.exit(main(['lint', sys.argv[1]]))"
    )
    pattern = CIS_S3.replace("PutBucketAcl", "PutBucketACL")
    done = subprocess.run([sys.executable, "-c", code, pattern], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "warning[unknown-operation]: 'PutBucketACL' is not an operation of s3.amazonaws.com" in done.stdout
    assert "did you mean PutBucketAcl?" in done.stdout and "not checked" not in done.stdout


# ------------------------------------------------------------------ the command


def test_lint_command_exit_status_and_output(capsys: pytest.CaptureFixture[str]) -> None:
    from cwfilter.cli import main

    assert main(["lint", CIS_S3, "--rule", "CWL-012"]) == 0
    assert capsys.readouterr().out == "no findings\n"
    assert main(["lint", '{ $.errorCode != "AccessDenied" }']) == 1
    out = capsys.readouterr().out
    assert out.startswith("warning[missing-field-excluded]: ")
    assert '\n  { $.errorCode != "AccessDenied" }\n    ' + "^" * 29 + "\n" in out
    assert main(["lint", '{ $.a > "5" }', "--output", "json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["exitStatus"] == 2 and doc["findings"][0]["fix"] == "{ $.a > 5 }"
    assert main(["lint", CIS_S3, "--rule", "NO-SUCH-RULE"]) == 2
    assert "no rule named" in capsys.readouterr().err


def test_lint_command_cuts_long_patterns_around_the_span(capsys: pytest.CaptureFixture[str]) -> None:
    from cwfilter.cli import main

    assert main(["lint", CIS_S3.replace("DeleteBucketCors", "DeleteBucketCORS")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("  ...") and lines[1].endswith("...")
    assert lines[1][lines[2].index("^") : lines[2].rindex("^") + 1] == "DeleteBucketCORS"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(S.patterns)
def test_lint_never_raises_and_spans_are_inside_the_pattern(pattern: ast.Pattern) -> None:
    text = cwfilter.render(pattern)
    for finding in cwfilter.lint(text):
        assert 0 <= finding.start <= finding.end <= len(text)
        assert finding.severity in ("error", "warning", "note") and finding.message


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40))
def test_lint_of_any_text_is_findings_not_a_traceback(text: str) -> None:
    findings = cwfilter.lint(text)
    assert all(0 <= f.start <= f.end <= len(text) for f in findings)
