"""Spec §11 (revisions from real AWS output): wildcards anywhere in string operands, matched
without backtracking; the last space-delimited slot takes the rest; CR/LF separate fields;
the generic error text follows the API. Each example is the spec's, through the compiled
matcher, the reference interpreter and (JSON) the fast path."""

from __future__ import annotations

import orjson
import pytest

import cwfilter
from cwfilter.cli import main
from cwfilter.pattern import ast, reference
from cwfilter.replayer import plan as fastpath

# ------------------------------------------------------------------ §11.1 wildcards


def _json_verdicts(pattern: str, value: object) -> set[bool | None]:
    """Verdicts of every path on ``{"v": value}`` (the fast path may decline: None)."""
    p = cwfilter.compile(pattern)
    message = orjson.dumps({"v": value}).decode()
    assert isinstance(p.ast, ast.JsonPattern)
    verdicts = {p.matches(message), p.matches(message.encode()), reference.matches(p.ast, message)}
    fast = fastpath.matches_message(p.ast, message)
    return verdicts | ({fast} if fast is not None else set())


@pytest.mark.parametrize(
    ("pattern", "value", "match"),
    [
        # The e2e suite that called TestMetricFilter (cfchou/metric_filter_parser).
        ('{ $.v != "1*3" }', 123, False),
        ('{ $.v != "1*4" }', 12.34, False),
        ('{ $.v = "111*111" }', "111.111.111.111", False),
        ('{ $.v = "*111.111.111" }', "111.111.111.111", False),
        ('{ $.v = "*.111.111.111" }', "111.111.111.111", True),
        # DataBiosphere/azul#8228: a bucket of the excluded shape is excluded.
        ('{ $.v != "azul-*.us-east-1" }', "azul-logs-dev.us-east-1", False),
        ('{ $.v != "azul-*.us-east-1" }', "other-logs.us-east-1", True),
        # Unchanged: no * is equality, "*" alone any scalar, globs on a number's text.
        ('{ $.v = "1*3" }', "1*3", True),
        ('{ $.v = "*" }', "anything", True),
        ('{ $.v = "*23" }', 123, True),
        ('{ $.v = "12.*" }', 12.34, True),
        ("{ $.v = Ev*ent }", "Event", True),
        ("{ $.v = Ev*ent }", "Evxxent", True),
        ("{ $.v = Ev*ent }", "Eventxent", False),  # "ent" first placed at 2: not at the end
        ('{ $.v = "a*b*c" }', "aXbYc", True),
        ('{ $.v = "a*b*c" }', "acb", False),
        ('{ $.v = "a**c" }', "abc", True),
        ('{ $.v = "*ab" }', "abab", False),  # the first "ab" ends early; no retry
        ('{ $.v = "ab*" }', "abab", True),
        ('{ $.v = "*b*" }', "abab", True),
    ],
)
def test_glob_examples(pattern: str, value: object, match: bool) -> None:
    assert _json_verdicts(pattern, value) == {match}


@pytest.mark.parametrize(
    ("pattern", "message", "match"),
    [
        ('[ip = "111*111", user]', "111.111.111.111 frank", False),
        ('[ip = "*.111.111.111", user]', "111.111.111.111 frank", True),
        ("[ip, status = 4*4, bytes]", "1.2.3.4 404 10", True),
        ("[ip, status = 4*4, bytes]", "1.2.3.4 4044 10", False),
    ],
)
def test_glob_in_space_delimited_fields(pattern: str, message: str, match: bool) -> None:
    p = cwfilter.compile(pattern)
    assert p.matches(message) is match
    assert reference.matches(p.ast, message) is match


def test_wildcards_never_make_prefilter_needles() -> None:
    """The raw-text pre-filter only uses exact string values: a wildcard operand gives none, so
    it cannot reject a message the glob would match."""
    p = cwfilter.compile('{ $.eventName = "Put*Acl" && $.eventSource = "s3.amazonaws.com" }')
    assert p._matcher.prefilter == (("s3.amazonaws.com",),)
    assert p.matches('{"eventName": "PutBucketAcl", "eventSource": "s3.amazonaws.com"}')


# ------------------------------------------------------------------ §11.2 space-delimited


@pytest.mark.parametrize(
    ("pattern", "message", "extracted"),
    [
        # The archived user guide: the first word is ERROR, w2 takes the rest.
        ("[w1=ERROR, w2]", "ERROR WARN message", {"$w1": "ERROR", "$w2": "WARN message"}),
        # davidbowland/log-subscriber: a captured payload, the trailing newline is no field.
        (
            '[timestamp, uuid, level="ERROR", message]',
            "2024-01-01T00:00:00.000Z\t6a5e5f1c-0000-4000-8000-000000000000\tERROR\ttesting!\n",
            {
                "$timestamp": "2024-01-01T00:00:00.000Z",
                "$uuid": "6a5e5f1c-0000-4000-8000-000000000000",
                "$level": "ERROR",
                "$message": "testing!",
            },
        ),
        # AWS's Lambda-log pattern: the event takes every remaining word, tabs kept inside.
        (
            '[timestamp=*Z, request_id="*-*", event]',
            "2024-01-01T00:00:00.000Z\tuuid-1\tINFO\tsome words\r\n",
            {"$timestamp": "2024-01-01T00:00:00.000Z", "$request_id": "uuid-1", "$event": "INFO\tsome words"},
        ),
        # Raw remainder: quotes and brackets are kept when the slot absorbs several fields.
        ("[ip, rest]", '1.2.3.4 "GET /" [x]  ', {"$ip": "1.2.3.4", "$rest": '"GET /" [x]'}),
        # Exactly as many fields: delimiters removed as before.
        ("[ip, rest]", '1.2.3.4 "GET /"', {"$ip": "1.2.3.4", "$rest": "GET /"}),
        # Line breaks separate fields like spaces.
        ("[a, b, c]", "x\ny\r\nz\n", {"$a": "x", "$b": "y", "$c": "z"}),
        # With an ellipsis, §5.3 is unchanged: the ellipsis absorbs the surplus.
        ("[a, ..., c]", "x y z w", {"$a": "x", "$2": "y", "$3": "z", "$c": "w"}),
        # Fewer fields than slots: still no match.
        ("[a, b, c]", "x y\n", None),
        # The last slot's condition applies to the whole remainder.
        ("[a, b = WARN]", "ERROR WARN message", None),
        ("[a, b = WARN*]", "ERROR WARN message", {"$a": "ERROR", "$b": "WARN message"}),
    ],
)
def test_last_slot_takes_the_rest(pattern: str, message: str, extracted: dict[str, str] | None) -> None:
    p = cwfilter.compile(pattern)
    assert p.extract(message) == extracted
    assert p.extract(message.encode()) == extracted
    assert reference.extract(p.ast, message) == extracted
    assert p.matches(message) is (extracted is not None)


def _lambda_report_line() -> str:
    fields = [
        "REPORT", "RequestId:", "5f0c1a2b-0000-4000-8000-000000000000", "Duration:", "12.34", "ms",
        "Billed", "Duration:", "13", "ms", "Memory", "Size:", "128", "MB", "Max", "Memory", "Used:", "64", "MB",
    ]  # fmt: skip
    return " ".join(fields[:3]) + "\t" + " ".join(fields[3:6]) + "\t" + " ".join(fields[6:10]) + "\t" + \
        " ".join(fields[10:14]) + "\t" + " ".join(fields[14:]) + "\t\n"  # fmt: skip


def test_lambda_report_lines_match_the_deployed_report_patterns() -> None:
    """Lambda REPORT lines end in a tab and a newline; the widely deployed 19-slot pattern
    (and an 18-slot one whose last slot takes "MB") match them."""
    line = _lambda_report_line()
    nineteen = (
        "[type=REPORT, request_id_label, request_id, duration_label, duration, duration_unit, billed_label1, "
        "billed_label2, billed_duration, billed_unit, memory_label1, memory_label2, memory_size, memory_unit, "
        "max_label1, max_label2, max_label3, max_memory_used, max_unit]"
    )
    p = cwfilter.compile(nineteen)
    values = p.extract(line)
    assert values is not None and values["$max_unit"] == "MB" and values["$duration"] == "12.34"
    eighteen = nineteen.replace(", max_unit]", "]")
    assert cwfilter.compile(eighteen).extract(line)["$max_memory_used"] == "64 MB"  # type: ignore[index]


# ------------------------------------------------------------------ §11.3 error texts by API


@pytest.mark.parametrize(
    ("api", "message"),
    [
        ("FilterLogEvents", "Invalid filter pattern"),
        ("StartLiveTail", "Invalid filter pattern"),
        ("TestMetricFilter", "Invalid metric filter pattern"),
        ("PutMetricFilter", "Invalid metric filter pattern"),
        ("PutSubscriptionFilter", "Invalid subscription filter pattern"),
    ],
)
def test_generic_error_text_follows_the_api(api: str, message: str) -> None:
    with pytest.raises(cwfilter.PatternError) as info:
        cwfilter.compile("{ $.a = }", api=api)
    assert info.value.message == message
    assert info.value.offset == 8


def test_specific_error_texts_do_not_depend_on_the_api() -> None:
    with pytest.raises(cwfilter.PatternError) as info:
        cwfilter.compile("{ $.userIdentity.type = 'Root' }", api="TestMetricFilter")
    assert info.value.message == "Invalid character(s) in term ''Root''"


def test_default_wording_and_unknown_api() -> None:
    with pytest.raises(cwfilter.PatternError, match="Invalid filter pattern"):
        cwfilter.compile("{ $.a = }")
    with pytest.raises(ValueError, match="unknown API 'PutLogEvents'"):
        cwfilter.compile("x", api="PutLogEvents")


def test_metric_filter_and_test_use_the_metric_filter_wording(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(cwfilter.PatternError, match="Invalid metric filter pattern"):
        cwfilter.MetricFilter("{ $.a = }", metric_name="M", namespace="N")
    with pytest.raises(cwfilter.PatternError, match="Invalid metric filter pattern"):
        cwfilter.test_metric_filter("{ $.a = }", ["x"])
    assert main(["test", "--filter-pattern", "{ $.a = }", "--log-event-messages", "x"]) == 2
    assert "Invalid metric filter pattern" in capsys.readouterr().err
    assert main(["match", "{ $.a = }", "-"]) == 2
    assert "Invalid filter pattern" in capsys.readouterr().err
    assert main(["check", "{ $.a = }", "--api", "PutSubscriptionFilter"]) == 2
    assert "Invalid subscription filter pattern" in capsys.readouterr().err
