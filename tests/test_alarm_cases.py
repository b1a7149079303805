"""Every case of ../shared/spec/alarm-cases.json: states, transitions, reasons, notifications,
validation errors (alarms.md §8)."""

from __future__ import annotations

import json

import pytest

from cwfilter.alarm import Alarm, AlarmValidationError, evaluate
from cwfilter.metric import Datapoints, MetricKey, StatisticSet
from cwfilter.times import parse_time

from .shared import SPEC

CASES = json.loads((SPEC / "alarm-cases.json").read_text(encoding="utf-8"))
EVALUATION = [c for c in CASES if c["kind"] == "evaluation"]
VALIDATION = [c for c in CASES if c["kind"] == "validation"]


def test_all_cases_loaded() -> None:
    assert len(CASES) == 86 and len(EVALUATION) == 76 and len(VALIDATION) == 10


def _datapoints(case: dict) -> Datapoints:
    points = Datapoints()
    for dp in case["datapoints"]:
        dims = tuple(sorted((dp.get("dimensions") or {}).items()))
        key = MetricKey(case["alarm"]["Namespace"], case["alarm"]["MetricName"], dims, dp.get("unit"))
        points.add(key, parse_time(dp["timestamp"]), float(dp["value"]))  # type: ignore[arg-type]
    return points


def _marks(case: dict) -> list:
    uncertain = case.get("confidence") in ("inferred", "documented-partial")
    return [pytest.mark.uncertain] if uncertain else []


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"], marks=_marks(c)) for c in EVALUATION])
def test_evaluation_case(case: dict) -> None:
    alarm = Alarm.from_put_metric_alarm(case["alarm"])
    last = max(parse_time(t) for t in case["evaluate_at"])  # type: ignore[type-var]
    timeline = evaluate(
        alarm,
        _datapoints(case),
        case["created_at"] and parse_time(case["created_at"]),  # type: ignore[arg-type]
        last,  # type: ignore[arg-type]
        initial_state=case.get("initial_state") or "INSUFFICIENT_DATA",
        evaluation_range=case.get("evaluation_range_periods"),
    )
    states = [timeline.state_at(parse_time(t)) for t in case["evaluate_at"]]  # type: ignore[arg-type]
    assert states == case["expected_states"]
    got = [
        {
            "at": t.timestamp,
            "from_state": t.old_state,
            "to_state": t.new_state,
            "reason": t.reason,
            "actions": t.actions,
        }
        for t in timeline.transitions
    ]
    want = case["expected_transitions"]
    assert len(got) == len(want), got
    for g, w in zip(got, want):
        assert g["at"] == parse_time(w["at"])
        assert (g["from_state"], g["to_state"]) == (w["from_state"], w["to_state"])
        assert g["actions"] == w["actions"]
        if "reason" in w:
            assert g["reason"] == w["reason"]
    if "expected_notifications" in case:
        notes = [{"topic": n.topic_arn, "subject": n.subject, "message": n.message} for n in timeline.notifications]
        want_notes = case["expected_notifications"]
        assert notes[: len(want_notes)] == want_notes
        for n, w in zip(timeline.notifications, want_notes):
            assert list(n.message) == list(w["message"])  # AWS's key order
            assert list(n.message["Trigger"]) == list(w["message"]["Trigger"])
    if "expected_statistic_value" in case:
        stats = StatisticSet()
        for dp in case["datapoints"]:
            stats.add(float(dp["value"]))
        expected = case["expected_statistic_value"]
        if isinstance(expected, dict):  # percentiles: nearest rank is cwfilter's estimator (alarms.md Q5)
            expected = expected["nearest_rank"]
        assert stats.statistic(alarm.stat) == expected


@pytest.mark.parametrize("case", VALIDATION, ids=[c["id"] for c in VALIDATION])
def test_validation_case(case: dict) -> None:
    if case["expected_error"] is None:
        Alarm.from_put_metric_alarm(case["alarm"])
        return
    with pytest.raises(AlarmValidationError) as info:
        Alarm.from_put_metric_alarm(case["alarm"])
    assert info.value.aws_exception == case["expected_error"]["code"]
    assert info.value.message == case["expected_error"]["message"]
