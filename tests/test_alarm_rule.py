"""The AlarmRule grammar (``grammar/alarm_rule.lark``) through the table-driven parser: the
committed tables are what lark builds, both parsers agree on every text tried, and
PutCompositeAlarm's validation errors are AWS's (alarms.md §12.1)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cwfilter.alarm import AlarmValidationError, parse_rule, rule_tables, satisfying_states
from cwfilter.alarm.rule import And, Constant, Not, Or, StateOf, children, evaluate_rule, render_rule

from .grammar_parity import Twins
from .shared import fuzz_settings

_TWINS = Twins("alarm_rule", rule_tables)


def test_the_committed_tables_are_what_lark_builds_from_the_grammar() -> None:
    assert _TWINS.tables_are_current(), "stale parser tables: run `make parser`"


_PIECES = st.sampled_from(
    ["ALARM", "OK", "INSUFFICIENT_DATA", "TRUE", "FALSE", "AND", "OR", "NOT", "(", ")", " ", '"', '"a b"', "x",
     "arn:aws:cloudwatch:us-east-1:1:alarm:y", "AT_LEAST(2, ALARM, (a, b))", ",", "\n", "alarm", "-", "%"]
)  # fmt: skip


@given(st.lists(_PIECES, max_size=14).map("".join))
@fuzz_settings(600)
def test_arbitrary_rule_text_parses_or_fails_alike_and_never_crashes(text: str) -> None:
    assert _TWINS.agree(text), text
    try:
        parse_rule(text)
    except AlarmValidationError as exc:  # the only error a rule gives: AWS's wording or E_UNSUPPORTED
        assert exc.message.startswith(("Error in AlarmRule [", "1 validation error", "AlarmRule")), exc.message


def test_a_bare_name_ends_at_white_space_as_aws_reports_it() -> None:
    # [OBS] aws/aws-cdk#13953: "Error in AlarmRule [Unsupported token 'Oldest' at char 67, must be: ')']"
    rule = "ALARM(SampleQueue Visible Messages Alarm) OR ALARM(SampleQueue Oldest Age Alarm)"
    with pytest.raises(AlarmValidationError) as err:
        parse_rule(rule)
    assert err.value.message == "Error in AlarmRule [Unsupported token 'Visible' at char 18, must be: ')']"
    assert err.value.aws_exception == "ValidationError"


def test_an_empty_group_is_refused_at_char_1() -> None:
    # [OBS] aws/aws-cdk#34662: "Error in AlarmRule [Unsupported token ')' at char 1]" for the rule "()";
    # the list of what may come there follows AWS's own wording of it (a rule checker quoting AWS).
    with pytest.raises(AlarmValidationError) as err:
        parse_rule("()")
    assert err.value.message.startswith("Error in AlarmRule [Unsupported token ')' at char 1")
    assert err.value.message.endswith("must be: '(', 'NOT', AT_LEAST, TRUE or FALSE, ALARM, OK, or INSUFFICIENT_DATA]")


def test_rule_length_and_children_limits() -> None:
    # [DOC] PutCompositeAlarm: AlarmRule is at most 10,240 characters; at most 100 underlying alarms.
    long = " OR ".join(f"ALARM(a{i:05d})" for i in range(800))
    assert len(long) > 10_240
    with pytest.raises(AlarmValidationError, match="Member must have length less than or equal to 10240"):
        parse_rule(long)
    hundred = " OR ".join(f"ALARM(a{i})" for i in range(100))
    assert len(children(parse_rule(hundred))) == 100
    with pytest.raises(AlarmValidationError, match="at most 100 underlying alarms"):
        parse_rule(hundred + " OR ALARM(one_more)")


def test_names_bare_or_quoted_or_arns_and_precedence() -> None:
    # [DOC] names or ARNs, bare or in double quotes; NOT binds tightest, then AND, then OR.
    node = parse_rule('ALARM("a b") OR NOT OK(x) AND INSUFFICIENT_DATA(arn:aws:cloudwatch:us-east-1:1:alarm:y)')
    arn = "arn:aws:cloudwatch:us-east-1:1:alarm:y"
    assert node == Or((StateOf("ALARM", "a b"), And((Not(StateOf("OK", "x")), StateOf("INSUFFICIENT_DATA", arn)))))
    assert parse_rule("TRUE") == Constant(True) and parse_rule("FALSE") == Constant(False)
    assert parse_rule("ALARM(OK)") == StateOf("ALARM", "OK")  # a name is a name inside the parentheses


def test_at_least_is_refused_by_name() -> None:
    with pytest.raises(AlarmValidationError) as err:
        parse_rule("AT_LEAST(2, ALARM, (a, b, c))")
    assert err.value.code == "E_UNSUPPORTED" and "AT_LEAST" in err.value.message


def test_a_rule_that_can_never_be_true() -> None:
    assert satisfying_states(parse_rule("ALARM(x) AND OK(x)")) is None
    assert satisfying_states(parse_rule("FALSE")) is None
    assert satisfying_states(parse_rule("ALARM(x) AND NOT ALARM(x) OR FALSE")) is None
    found = satisfying_states(parse_rule("ALARM(x) AND NOT OK(y)"))
    assert found is not None and found["x"] == "ALARM" and found["y"] != "OK"


_NAMES = st.sampled_from(["a", "b", "c", "d e"])
_RULES = st.recursive(
    st.one_of(st.builds(StateOf, st.sampled_from(["ALARM", "OK", "INSUFFICIENT_DATA"]), _NAMES),
              st.builds(Constant, st.booleans())),
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: And(tuple(xs))),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: Or(tuple(xs))),
    ),
    max_leaves=8,
)  # fmt: skip


@given(_RULES)
@settings(max_examples=300, deadline=None)
def test_rendered_rules_parse_back_to_themselves(node: Any) -> None:
    assert parse_rule(render_rule(node)) == node


def _brute_force(node: Any) -> bool:
    names = children(node)

    for states in itertools.product(["ALARM", "OK", "INSUFFICIENT_DATA"], repeat=len(names)):
        known = dict(zip(names, states))
        if evaluate_rule(node, known.__getitem__):
            return True
    return False


@given(_RULES)
@settings(max_examples=300, deadline=None)
def test_satisfiability_agrees_with_brute_force(node: Any) -> None:
    found = satisfying_states(node)
    assert (found is not None) == _brute_force(node)
    if found is not None:
        assert evaluate_rule(node, found.__getitem__)


def test_which_composites_notify_for_a_child() -> None:
    from cwfilter.alarm.rule import notifies_for

    def is_x(name: str) -> bool:
        return name in ("x", "arn:aws:cloudwatch:us-east-1:1:alarm:x")

    assert notifies_for(parse_rule("ALARM(x) AND NOT ALARM(maintenance)"), is_x)
    assert notifies_for(parse_rule("ALARM(a) OR ALARM(arn:aws:cloudwatch:us-east-1:1:alarm:x)"), is_x)
    assert not notifies_for(parse_rule("ALARM(x) AND ALARM(other)"), is_x)  # needs another alarm in ALARM too
    assert not notifies_for(parse_rule("ALARM(x) AND OK(x)"), is_x)  # never true
    assert not notifies_for(parse_rule("OK(x) OR ALARM(a)"), is_x)  # x's ALARM can only make it false
    assert not notifies_for(parse_rule("ALARM(a)"), is_x)  # does not name x
