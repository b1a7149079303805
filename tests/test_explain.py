"""FilterPattern.explain: the verdict and evaluation tree agree with matches() everywhere."""

from __future__ import annotations

import json

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cwfilter
from cwfilter.pattern import ast

from . import strategies as S
from .shared import SPEC

CASES = [c for c in json.loads((SPEC / "conformance-cases.json").read_text(encoding="utf-8")) if not c["error"]]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_explain_agrees_with_matches_on_every_conformance_case(case: dict) -> None:
    p = cwfilter.compile(case["pattern"])
    e = p.explain(case["message"])
    assert e.matched is case["match"] is p.matches(case["message"])
    assert e.tree.result is e.matched
    assert e.decisive is not None
    assert orjson.loads(orjson.dumps(e.to_json())) == e.to_json()


def _agrees(pattern: ast.Pattern, message: str) -> None:
    p = cwfilter.compile(cwfilter.render(pattern))
    e = p.explain(message)
    assert e.matched is p.matches(message)
    assert e.decisive is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(S.patterns, S.messages)
def test_explain_agrees_with_matches_on_generated_patterns(pattern: ast.Pattern, message: str) -> None:
    _agrees(pattern, message)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(S.json_pattern, st.data())
def test_explain_agrees_on_messages_built_for_json_patterns(pattern: ast.JsonPattern, data: st.DataObject) -> None:
    _agrees(pattern, data.draw(S.json_message_for(pattern)))


@settings(max_examples=200, deadline=None)
@given(S.space, S.space_messages)
def test_explain_agrees_on_space_delimited_messages(pattern: ast.SpacePattern, message: str) -> None:
    _agrees(pattern, message)


def test_json_tree_shows_selector_value_operator_and_decisive_clause() -> None:
    p = cwfilter.compile(
        "{ ($.eventSource = s3.amazonaws.com) && ($.eventName = PutBucketAcl || $.eventName = PutBucketPolicy) }"
    )
    e = p.explain('{"eventSource": "s3.amazonaws.com", "eventName": "PutBucketPolicy"}')
    assert e.matched and e.tree.kind == "and"
    source, names = e.tree.children
    assert (source.subject, source.found, source.operator, source.operand, source.result) == (
        "$.eventSource", '"s3.amazonaws.com"', "=", '"s3.amazonaws.com"', True)  # fmt: skip
    assert [c.result for c in names.children] == [False, True]
    assert e.decisive is names.children[1]


def test_missing_field_is_shown_and_decides() -> None:
    e = cwfilter.compile('{ $.eventName = ConsoleLogin && $.errorCode != "AccessDenied" }').explain(
        '{"eventName": "ConsoleLogin"}'
    )
    assert not e.matched
    assert e.decisive is not None and e.decisive.subject == "$.errorCode" and e.decisive.found == "missing"
    assert "missing" in e.decisive.note


def test_first_false_clause_of_an_and_decides() -> None:
    e = cwfilter.compile("{ $.a = 1 && $.b = 2 && $.c = 3 }").explain('{"a": 1, "b": 5, "c": 4}')
    assert e.decisive is e.tree.children[1]


def test_non_json_message() -> None:
    e = cwfilter.compile("{ $.a = 1 }").explain("plain text")
    assert not e.matched and "not a JSON object" in e.tree.note


def test_space_delimited_fields_and_last_slot_takes_the_rest() -> None:
    e = cwfilter.compile("[ip, user, request]").explain("1.2.3.4 alice GET /index.html 200\r\n")
    assert e.matched
    assert e.fields == (("$ip", "1.2.3.4"), ("$user", "alice"), ("$request", "GET /index.html 200"))
    assert "§11.2" in e.tree.note


def test_space_delimited_ellipsis_and_conditions() -> None:
    e = cwfilter.compile("[ip, ..., status = 4* || status = 5*, size > 100]").explain("1.2.3.4 x y 404 99")
    assert not e.matched
    assert e.fields[-2:] == (("$status", "404"), ("$size", "99"))
    assert e.decisive is not None and e.decisive.text == "size > 100" and e.decisive.found == "99"


def test_space_delimited_too_few_fields() -> None:
    e = cwfilter.compile("[a, b, c]").explain("one two")
    assert not e.matched and "2 fields" in e.tree.note


def test_terms_show_which_term_was_found() -> None:
    e = cwfilter.compile('ERROR -DEBUG ?"maybe"').explain("ERROR at DEBUG level")
    assert not e.matched
    found = {c.subject: c.found for c in e.tree.children}
    assert found == {"ERROR": "in the message", "DEBUG": "in the message", "maybe": "not in the message"}
    assert e.decisive is not None and e.decisive.subject == "DEBUG"
    assert "ignored" in e.tree.children[2].note
    optional = cwfilter.compile("?a ?b").explain("xbx")
    assert optional.matched and optional.decisive is not None and optional.decisive.subject == "b"


def test_regex_and_match_all() -> None:
    e = cwfilter.compile("%ab+c%").explain("xxabbbcx")
    assert e.matched and e.tree.found == "abbbc"
    assert cwfilter.compile("").explain("anything").matched


# ------------------------------------------------------------------ the command


def test_explain_command(capsys: pytest.CaptureFixture[str]) -> None:
    from cwfilter.cli import main

    assert main(["explain", "{ $.a = 1 && $.b = x }", '{"a": 1, "b": "y"}']) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "NO MATCH  (json pattern)"
    assert '  false $.b = "x"  found: "y"   <- decided here' in out
    assert main(["explain", "[a, b]", "one two three", "--output", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["matched"] is True and doc["fields"] == [
        {"slot": "$a", "field": "one"},
        {"slot": "$b", "field": "two three"},
    ]
    assert main(["explain", "{ $.a = ", "x"]) == 2
