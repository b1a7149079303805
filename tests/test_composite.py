"""Composite alarms (alarms.md §12.1): state changes at the child's StateChangeTime, StateReason
and StateReasonData, the SNS message, actions suppression, PutCompositeAlarm validation, and
the evaluator against a plain reference over random rules and child timelines."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cwfilter.alarm import Alarm, AlarmTimeline, AlarmValidationError, CompositeAlarm, Transition, evaluate_composites
from cwfilter.alarm.rule import evaluate_rule
from cwfilter.times import parse_time

TOPIC = "arn:aws:sns:eu-west-1:111122223333:ops"
T0 = parse_time("2021-03-03T10:00:00Z")


def _child(name: str, changes: list[tuple[int, str]], created: int = T0) -> AlarmTimeline:
    """A child alarm's timeline: (ms after T0, new state) transitions from INSUFFICIENT_DATA."""
    alarm = Alarm(name=name, namespace="ns", metric_name=name, period=60, evaluation_periods=1, threshold=1,
                  comparison_operator="GreaterThanOrEqualToThreshold", region="eu-west-1", account_id="111122223333")  # fmt: skip
    timeline = AlarmTimeline(alarm, created, T0 + 86_400_000, "INSUFFICIENT_DATA")
    state = "INSUFFICIENT_DATA"
    for ms, new in changes:
        timeline.transitions.append(Transition(T0 + ms, state, new, "r", {}, []))
        state = new
    return timeline


def _composite(rule: str, **kw: Any) -> CompositeAlarm:
    return CompositeAlarm(name=kw.pop("name", "Paging"), alarm_rule=rule, alarm_actions=[TOPIC], ok_actions=[TOPIC],
                          region="eu-west-1", account_id="111122223333", **kw)  # fmt: skip


def test_the_composite_changes_at_the_childs_time_to_the_millisecond() -> None:
    # [DOC, OBS] §12.1: StateUpdatedTimestamp = StateTransitionedTimestamp = the child's timestamp.
    children = {"a": _child("a", [(183_123, "ALARM"), (600_456, "OK")])}
    out = evaluate_composites([_composite("ALARM(a)")], children, created_at=T0)["Paging"]
    assert [(t.timestamp - T0, t.old_state, t.new_state) for t in out.transitions] == [
        (0, "INSUFFICIENT_DATA", "OK"), (183_123, "OK", "ALARM"), (600_456, "ALARM", "OK")]  # fmt: skip
    assert out.history[2]["Timestamp"] == "2021-03-03T10:03:03.123+0000"


def test_the_reason_names_the_triggering_child_only() -> None:
    # [OBS, 3 captures 2021-2022] "{child ARN} transitioned to {STATE} at {Weekday} {D} {Month}, {YYYY}
    # {HH:mm:ss} UTC", naming only the child whose transition triggered the evaluation.
    children = {"a": _child("a", [(60_000, "ALARM")]), "b": _child("b", [(183_123, "ALARM")])}
    out = evaluate_composites([_composite("ALARM(a) AND ALARM(b)")], children, created_at=T0)["Paging"]
    tr = out.transitions[-1]
    assert tr.reason == ("arn:aws:cloudwatch:eu-west-1:111122223333:alarm:b transitioned to ALARM at "
                         "Wednesday 3 March, 2021 10:03:03 UTC")  # fmt: skip
    assert tr.reason_data == {"triggeringAlarms": [{"arn": "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:b",
                              "state": {"value": "ALARM", "timestamp": "2021-03-03T10:03:03.123+0000"}}]}  # fmt: skip


def test_creation_reason_and_data_list_every_child_with_its_own_time() -> None:
    # [DOC] "{composite ARN} was created and its alarm rule evaluates to {STATE}"; [OBS] at creation the
    # StateReasonData lists every child with its own (older) state timestamp.
    children = {"a": _child("a", [(60_000, "ALARM")]), "b": _child("b", [])}
    out = evaluate_composites([_composite("ALARM(a) OR ALARM(b)")], children, created_at=T0 + 120_000)["Paging"]
    first = out.transitions[0]
    assert first.reason == ("arn:aws:cloudwatch:eu-west-1:111122223333:alarm:Paging was created and its alarm rule "
                            "evaluates to ALARM")  # fmt: skip
    assert [(c["arn"][-1], c["state"]) for c in first.reason_data["triggeringAlarms"]] == [
        ("a", {"value": "ALARM", "timestamp": "2021-03-03T10:01:00.000+0000"}),
        ("b", {"value": "INSUFFICIENT_DATA", "timestamp": "2021-03-03T10:00:00.000+0000"})]  # fmt: skip


def test_the_sns_message_keys_in_aws_order_without_trigger() -> None:
    # [OBS, signed 2021 capture] AlarmName, AlarmDescription ("" when unset), AWSAccountId, NewStateValue,
    # NewStateReason, StateChangeTime, Region, AlarmArn, OldStateValue, AlarmRule, TriggeringChildren
    # ({"Arn", "State": {"Value", "Timestamp"}}); no Trigger. The subject follows §5.3/§11.3.
    children = {"a": _child("a", [(183_123, "ALARM")])}
    out = evaluate_composites([_composite("ALARM(a)")], children, created_at=T0)["Paging"]
    note = out.notifications[-1]
    assert list(note.message) == ["AlarmName", "AlarmDescription", "AWSAccountId", "NewStateValue", "NewStateReason",
                                  "StateChangeTime", "Region", "AlarmArn", "OldStateValue", "AlarmRule",
                                  "TriggeringChildren"]  # fmt: skip
    assert note.message["AlarmDescription"] == "" and "Trigger" not in note.message
    assert note.message["TriggeringChildren"] == [{"Arn": "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:a",
                                                   "State": {"Value": "ALARM",
                                                             "Timestamp": "2021-03-03T10:03:03.123+0000"}}]  # fmt: skip
    assert note.subject == 'ALARM: "Paging" in EU (Ireland)'
    assert json.loads(note.published_message()["default"]) == note.message


def test_history_items_are_composite_alarm_items() -> None:
    children = {"a": _child("a", [(60_000, "ALARM")])}
    out = evaluate_composites([_composite("ALARM(a)")], children, created_at=T0)["Paging"]
    assert {h["AlarmType"] for h in out.history} == {"CompositeAlarm"}
    data = json.loads(out.history[2]["HistoryData"])
    # §12.3 [OBS]: oldState carries the old state's stateReasonData as an object.
    assert data["oldState"]["stateReasonData"] == out.transitions[0].reason_data


def test_a_child_that_does_not_exist_is_refused_as_aws_does() -> None:
    # [OBS] "Could not save the composite alarm as alarms [gone] in the alarm rule do not exist" (ValidationError,
    # quoted from real deployments in public repositories and their CREATE_FAILED logs).
    with pytest.raises(AlarmValidationError) as err:
        evaluate_composites([_composite("ALARM(a) OR ALARM(gone)")], {"a": _child("a", [])})
    assert err.value.message == "Could not save the composite alarm as alarms [gone] in the alarm rule do not exist"


def test_composites_of_composites_and_arns() -> None:
    children = {"a": _child("a", [(60_000, "ALARM")])}
    inner = _composite("ALARM(arn:aws:cloudwatch:eu-west-1:111122223333:alarm:a)", name="inner")
    outer = _composite("ALARM(inner)", name="outer")
    out = evaluate_composites([outer, inner], children, created_at=T0)
    assert out["outer"].transitions[-1].timestamp == T0 + 60_000
    with pytest.raises(AlarmValidationError, match="cycle"):
        evaluate_composites([_composite("ALARM(y)", name="x"), _composite("ALARM(x)", name="y")], children)


def _suppressed(sup: list[tuple[int, str]], child: list[tuple[int, str]], wait: int, extension: int) -> Any:
    children = {"a": _child("a", child), "sup": _child("sup", sup)}
    c = _composite("ALARM(a)", actions_suppressor="sup", actions_suppressor_wait_period=wait,
                   actions_suppressor_extension_period=extension)  # fmt: skip
    return evaluate_composites([c], children, created_at=T0)["Paging"].transitions[-1]


def test_actions_suppression_periods() -> None:
    # [DOC] API CompositeAlarm ActionsSuppressedBy: Alarm (the suppressor is in ALARM), WaitPeriod (waiting for the
    # suppressor to go into ALARM, at most ActionsSuppressorWaitPeriod), ExtensionPeriod (after the suppressor left
    # ALARM, at most ActionsSuppressorExtensionPeriod); "After this time, the composite alarm performs its actions."
    held = _suppressed([(0, "OK")], [(60_000, "ALARM")], wait=120, extension=180)
    assert (held.suppressed_by, held.actions, held.actions_at - T0) == ("WaitPeriod", [TOPIC], 180_000)
    during = _suppressed([(30_000, "ALARM"), (600_000, "OK")], [(60_000, "ALARM")], wait=120, extension=180)
    assert (during.suppressed_by, during.actions_at - T0) == ("Alarm", 780_000)
    caught = _suppressed([(0, "OK"), (90_000, "ALARM"), (300_000, "OK")], [(60_000, "ALARM")], wait=120, extension=60)
    assert (caught.suppressed_by, caught.actions_at - T0) == ("WaitPeriod", 360_000)
    after = _suppressed([(0, "ALARM"), (30_000, "OK")], [(60_000, "ALARM")], wait=0, extension=180)
    assert (after.suppressed_by, after.actions_at - T0) == ("ExtensionPeriod", 210_000)
    free = _suppressed([(0, "OK")], [(60_000, "ALARM")], wait=0, extension=0)
    assert (free.suppressed_by, free.actions, free.actions_at) == (None, [TOPIC], None)
    never = _suppressed([(30_000, "ALARM")], [(60_000, "ALARM")], wait=0, extension=0)
    assert (never.suppressed_by, never.actions) == ("Alarm", [])


def test_held_actions_are_dropped_when_the_composite_moved_on() -> None:
    tr = _suppressed([(0, "OK")], [(60_000, "ALARM"), (120_000, "OK")], wait=300, extension=0)
    assert tr.new_state == "OK"  # the ALARM's actions were held until 06:00, but the composite left ALARM at 02:00


def test_put_composite_alarm_validation() -> None:
    with pytest.raises(AlarmValidationError, match="required when ActionsSuppressor"):
        _composite("ALARM(a)", actions_suppressor="sup")
    with pytest.raises(AlarmValidationError, match="alarmName"):
        _composite("ALARM(a)", name="")
    request = {"AlarmName": "c", "AlarmRule": 'ALARM("a")', "ActionsSuppressor": "s",
               "ActionsSuppressorWaitPeriod": 60, "ActionsSuppressorExtensionPeriod": 60}  # fmt: skip
    c = CompositeAlarm.from_put_composite_alarm(request)
    assert CompositeAlarm.from_put_composite_alarm(c.as_put_composite_alarm()).as_put_composite_alarm() == (
        c.as_put_composite_alarm()
    )


# -- the evaluator against a plain reference: at every child event, the rule over the states then
_STATE = st.sampled_from(["ALARM", "OK", "INSUFFICIENT_DATA"])
_CHANGES = st.lists(st.tuples(st.integers(1, 50), _STATE), max_size=8).map(
    lambda xs: [(i * 1000 * 60 + ms, s) for i, (ms, s) in enumerate(xs, 1)]
)
_RULE = st.sampled_from(["ALARM(a)", "ALARM(a) AND NOT ALARM(b)", "OK(a) OR INSUFFICIENT_DATA(b)",
                         "NOT (ALARM(a) OR ALARM(b)) AND TRUE", "ALARM(a) AND ALARM(b) OR OK(c)"])  # fmt: skip


def _reference(rule: str, children: dict[str, list[tuple[int, str]]]) -> list[tuple[int, str]]:
    """(ms, state) of each change of the composite, by re-evaluating the rule at every instant."""
    node = CompositeAlarm(name="ref", alarm_rule=rule).rule
    instants = sorted({0, *(ms for changes in children.values() for ms, _ in changes)})
    out: list[tuple[int, str]] = []
    state = "INSUFFICIENT_DATA"
    for at in instants:
        now = {n: ([s for ms, s in ch if ms <= at] or ["INSUFFICIENT_DATA"])[-1] for n, ch in children.items()}
        value = "ALARM" if evaluate_rule(node, now.__getitem__) else "OK"
        if value != state:
            out.append((at, value))
            state = value
    return out


@given(_RULE, _CHANGES, _CHANGES, _CHANGES)
@settings(max_examples=300, deadline=None)
def test_the_evaluator_agrees_with_a_plain_reference(rule: str, a: Any, b: Any, c: Any) -> None:
    children = {"a": a, "b": b, "c": c}
    timelines = {n: _child(n, ch) for n, ch in children.items()}
    out = evaluate_composites([_composite(rule)], timelines, created_at=T0)["Paging"]
    assert [(t.timestamp - T0, t.new_state) for t in out.transitions] == _reference(rule, children)
