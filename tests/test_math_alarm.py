"""Metric-math alarms (alarms.md §12.2): the expression grammar through the table-driven parser,
each function against the User Guide's examples, AWS's validation, the reason text and Trigger,
and the evaluator against a plain point-by-point reference."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cwfilter.alarm import Alarm, AlarmValidationError, evaluate, math_tables
from cwfilter.alarm.expression import Context, evaluate_expression, parse_expression
from cwfilter.metric import Datapoints, MetricKey
from cwfilter.replayer import replay
from cwfilter.rules import find_rule
from cwfilter.times import parse_time

from .grammar_parity import Twins
from .shared import fuzz_settings

ROOT = Path(__file__).resolve().parent.parent
_TWINS = Twins("metric_math", math_tables)


def test_the_committed_tables_are_what_lark_builds_from_the_grammar() -> None:
    assert _TWINS.tables_are_current(), "stale parser tables: run `make parser`"


_PIECES = st.sampled_from(["m1", "e2", "1", "2.5", "+", "-", "*", "/", "^", "(", ")", "[", "]", ",", " ", "FILL",
                           "REPEAT", "LINEAR", "SUM", "IF", "METRICS", '"a"', ">=", "==", "AND", "||", "SEARCH",
                           "M1", "%", "1e3", "."])  # fmt: skip


@given(st.lists(_PIECES, max_size=12).map("".join))
@fuzz_settings(600)
def test_arbitrary_expressions_parse_alike_and_never_crash(text: str) -> None:
    assert _TWINS.agree(text), text
    try:
        parse_expression(text)
    except AlarmValidationError as exc:
        assert exc.code == "E_UNSUPPORTED" or exc.message.startswith("Invalid metrics list: error in expression")


def _ctx(**series: list[float | None]) -> Context:
    n = len(next(iter(series.values())))
    return Context(series, dict.fromkeys(series, 60), [i * 60_000 for i in range(n)])


def _eval(text: str, **series: list[float | None]) -> Any:
    return evaluate_expression(parse_expression(text), _ctx(**series))


M1, M2, M3 = [1.0, 1.0, 0.0, 0.0, None], [30.0, None, 0.0, 0.0, 30.0], [0.0, 0.0, 20.0, None, 20.0]


def test_comparison_and_logic_as_the_user_guide_tables() -> None:
    # [DOC] "metric1 has values of [30, 20, 0, 0] and metric2 has values of [20, -, 20, -]": a missing value of
    # one series is 0 where the other has one.
    a, b = [30.0, 20.0, 0.0, 0.0], [20.0, None, 20.0, None]
    assert _eval("metric1 < metric2", metric1=a, metric2=b) == [0.0, 0.0, 1.0, 0.0]
    assert _eval("metric1 >= 30", metric1=a, metric2=b) == [1.0, 0.0, 0.0, 0.0]
    assert _eval("metric1 > 15 AND metric2 > 15", metric1=a, metric2=b) == [1.0, 0.0, 0.0, 0.0]


def test_if_as_the_user_guide_tables() -> None:
    # [DOC] "Using IF expressions": the three tables.
    assert _eval("IF(metric1, metric2, metric3)", metric1=M1, metric2=M2, metric3=M3) == [30.0, 0.0, 20.0, None, None]
    assert _eval("IF(metric1, 5, metric3)", metric1=M1, metric3=M3) == [5.0, 5.0, 20.0, None, None]
    assert _eval("IF(metric1, metric2, 5)", metric1=M1, metric2=M2) == [30.0, 0.0, 5.0, 5.0, None]


def test_fill_rate_diff_and_aggregates() -> None:
    s = [None, 2.0, None, None, 8.0, None]
    assert _eval("FILL(m1, 0)", m1=s) == [0.0, 2.0, 0.0, 0.0, 8.0, 0.0]
    assert _eval("FILL(m1, REPEAT)", m1=s) == [None, 2.0, 2.0, 2.0, 8.0, 8.0]
    assert _eval("FILL(m1, LINEAR)", m1=s) == [None, 2.0, 4.0, 6.0, 8.0, None]
    assert _eval("FILL(m1, m2)", m1=s, m2=[9.0] * 6) == [9.0, 2.0, 9.0, 9.0, 8.0, 9.0]
    assert _eval("DIFF(m1)", m1=s) == [None, None, None, None, 6.0, None]
    assert _eval("RATE(m1)", m1=s) == [None, None, None, None, 6.0 / 180, None]
    assert _eval("m1 - AVG(m1)", m1=s) == [None, -3.0, None, None, 3.0, None]
    assert _eval("SUM([m1, m2])", m1=[1.0, None, None], m2=[2.0, 3.0, None]) == [3.0, 3.0, None]
    assert _eval("AVG([m1, m2])", m1=[1.0, None, None], m2=[2.0, 3.0, None]) == [1.5, 1.5, None]
    assert _eval("MAX(METRICS())", m1=[1.0, None], m2=[2.0, 3.0]) == [2.0, 3.0]
    assert _eval('SUM(METRICS("m2"))', m1=[1.0, None], m2=[2.0, 3.0]) == [2.0, 3.0]
    assert _eval("m1 / PERIOD(m1)", m1=[60.0, 120.0]) == [1.0, 2.0]
    assert _eval("m1 / m2", m1=[1.0, 1.0], m2=[0.0, 2.0]) == [None, 0.5]  # [DOC] division by zero drops the point
    assert _eval("ABS(-m1) + CEIL(m1) * FLOOR(m1) ^ 2", m1=[1.5]) == [1.5 + 2.0 * 1.0]


_ALARM = {"AlarmName": "ratio", "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanThreshold"}


def _metric(i: str, name: str = "m", return_data: bool = False) -> dict[str, Any]:
    return {"Id": i, "ReturnData": return_data, "MetricStat": {"Metric": {"Namespace": "n", "MetricName": name},
                                                                 "Period": 60, "Stat": "Sum"}}  # fmt: skip


@pytest.mark.parametrize(
    ("metrics", "message", "code"),
    [
        ([_metric("m1")], "Exactly one element of the metrics list should return data.", "E_ALARM"),
        ([_metric("m1", return_data=True), {"Id": "e1", "Expression": "m1"}],
         "Exactly one element of the metrics list should return data.", "E_ALARM"),  # ReturnData defaults to true
        ([_metric("M1", return_data=True)], "Member must start with a lowercase letter", "E_ALARM"),
        ([_metric("m1"), {"Id": "e1", "Expression": "m1 + m9"}], "unknown Id m9", "E_ALARM"),
        ([{"Id": "e1", "Expression": "e2"}, {"Id": "e2", "Expression": "e1", "ReturnData": False}], "cycle", "E_ALARM"),
        ([{"Id": "e1", "Expression": "SEARCH('{AWS/EC2} CPU', 'Average', 300)"}], "SEARCH", "E_UNSUPPORTED"),
        ([_metric("m1"), {"Id": "e1", "Expression": "ANOMALY_DETECTION_BAND(m1)"}], "ANOMALY_DETECTION_BAND",
         "E_UNSUPPORTED"),
        ([{"Id": "q1", "Expression": "SELECT AVG(CPUUtilization) FROM SCHEMA(\"AWS/EC2\")", "Period": 60}],
         "Metrics Insights", "E_UNSUPPORTED"),
        ([{**_metric("m1", return_data=True), "AccountId": "444455556666"}], "cross-account", "E_UNSUPPORTED"),
        ([_metric("m1"), {"Id": "e1", "Expression": "STDDEV(m1)"}], "STDDEV", "E_UNSUPPORTED"),
    ],
)  # fmt: skip
def test_aws_validation_and_refusals(metrics: list[dict[str, Any]], message: str, code: str) -> None:
    # [DOC/§6] "Exactly one element of the metrics list should return data." (user reports); ids start with a
    # lower-case letter [DOC]; what cwfilter cannot evaluate exactly is refused by name (E_UNSUPPORTED).
    with pytest.raises(AlarmValidationError) as err:
        Alarm.from_put_metric_alarm({**_ALARM, "Metrics": metrics})
    assert message in err.value.message and err.value.code == code


def test_metrics_with_a_metric_name_is_a_parameter_combination_error() -> None:
    with pytest.raises(AlarmValidationError) as err:
        Alarm.from_put_metric_alarm({**_ALARM, "MetricName": "m", "Metrics": [_metric("m1", return_data=True)]})
    assert err.value.aws_exception == "InvalidParameterCombination"
    with pytest.raises(AlarmValidationError) as err:
        Alarm.from_put_metric_alarm(
            {**_ALARM, "ThresholdMetricId": "ad1", "Metrics": [_metric("m1", return_data=True)]}
        )
    assert err.value.code == "E_UNSUPPORTED"


def test_fill_over_the_cwl012_metric_gives_the_reason_and_trigger_of_12_2() -> None:
    # [OBS] §12.2: the reason grammar is the single-metric one over the returned expression's values ("FILL(m1, 0)
    # turns a gap into 0.0, which is then a datapoint"); the Trigger has no metric keys but Metrics, keys in the
    # order Expression, Id, Label, ReturnData / Id, MetricStat{Metric{Dimensions, MetricName, Namespace}, Period,
    # Stat}, ReturnData (signed 2020 and 2022 captures).
    datapoints = replay([str(ROOT / "samples" / "cloudtrail")], find_rule("CWL-012").metric_filter(via="CWL-012"))
    alarm = Alarm.from_put_metric_alarm((ROOT / "samples" / "alarms" / "math.json").read_text())
    timeline = evaluate(alarm, datapoints.datapoints, parse_time("2024-03-04T08:00:00Z"),
                        parse_time("2024-03-04T11:20:00Z"))  # fmt: skip
    (tr,) = timeline.transitions
    assert tr.reason == "Threshold Crossed: 1 datapoint [0.0 (04/03/24 07:55:00)] was greater than or equal to the " \
        "threshold (0.0)."  # fmt: skip
    trigger = timeline.notifications[0].message["Trigger"]
    assert list(trigger) == ["Period", "EvaluationPeriods", "ComparisonOperator", "Threshold", "TreatMissingData",
                             "EvaluateLowSampleCountPercentile", "Metrics"]  # fmt: skip
    assert trigger["Metrics"] == [
        {"Expression": "FILL(m1, 0)", "Id": "e1", "Label": "S3 changes (gaps as 0)", "ReturnData": True},
        {"Id": "m1", "MetricStat": {"Metric": {"Dimensions": [], "MetricName": "S3BucketEventCount",
                                               "Namespace": "CloudTrailMetrics"}, "Period": 300, "Stat": "Sum"},
         "ReturnData": False},
    ]  # fmt: skip
    assert json.loads(json.dumps(alarm.as_put_metric_alarm()))["Metrics"][0]["Expression"] == "FILL(m1, 0)"
    again = Alarm.from_put_metric_alarm(alarm.as_put_metric_alarm())
    assert again.as_put_metric_alarm() == alarm.as_put_metric_alarm()


def test_a_ratio_of_two_filters() -> None:
    dp = Datapoints()
    t0 = parse_time("2024-03-04T08:00:00Z")
    for minute, (errors, calls) in enumerate([(0, 4), (3, 4), (0, 0), (1, 1)]):
        for _ in range(errors):
            dp.add(MetricKey("n", "errors", (), None), t0 + minute * 60_000, 1.0)
        for _ in range(calls):
            dp.add(MetricKey("n", "calls", (), None), t0 + minute * 60_000, 1.0)
    alarm = Alarm.from_put_metric_alarm({**_ALARM, "Threshold": 0.5, "Metrics": [
        _metric("errors", "errors"), _metric("calls", "calls"),
        {"Id": "rate", "Expression": "FILL(errors, 0) / calls"}]})  # fmt: skip
    timeline = evaluate(alarm, dp, t0, t0 + 10 * 60_000, record_states=True)
    assert [s for _, s in timeline.states or []][:5] == ["INSUFFICIENT_DATA", "OK", "ALARM", "ALARM", "ALARM"]


# -- the evaluator against a plain point-by-point reference
_LEAF = st.one_of(st.sampled_from(["a", "b"]), st.integers(-3, 3).map(str))
_OPS = st.sampled_from(["+", "-", "*", "/", "<", ">=", "==", "AND", "OR"])
_EXPR = st.recursive(
    _LEAF,
    lambda inner: st.one_of(
        st.tuples(inner, _OPS, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda x: f"ABS({x})"),
        inner.map(lambda x: f"-{x}"),
        st.tuples(inner, inner, inner).map(lambda t: f"IF({t[0]}, {t[1]}, {t[2]})"),
        st.tuples(inner, st.integers(0, 2)).map(lambda t: f"FILL({t[0]}, {t[1]})"),
    ),
    max_leaves=6,
)
_SERIES = st.lists(st.one_of(st.none(), st.integers(-4, 4).map(float)), min_size=4, max_size=4)


def _point(text: str, a: float | None, b: float | None) -> tuple[bool, float | None]:
    """(is a series, value) of the expression at one point, written out rule by rule."""
    node = parse_expression(text)

    def ev(n: Any) -> tuple[bool, float | None]:
        if n.kind == "number":
            return False, n.value
        if n.kind == "id":
            return True, {"a": a, "b": b}[n.value]
        if n.kind == "neg":
            s, v = ev(n.args[0])
            return s, None if v is None else -v
        if n.kind == "call" and n.value == "ABS":
            s, v = ev(n.args[0])
            return s, None if v is None else abs(v)
        if n.kind == "call" and n.value == "FILL":
            s, v = ev(n.args[0])
            return True, v if v is not None else ev(n.args[1])[1]
        if n.kind == "call" and n.value == "IF":
            (cs, c), (_, y), (_, no) = ev(n.args[0]), ev(n.args[1]), ev(n.args[2])
            if not cs:
                return True, y if c else no
            return True, None if c is None else ((0.0 if y is None else y) if c else no)
        (ls, lv), (rs, rv) = ev(n.args[0]), ev(n.args[1])
        if ls and rs:
            if lv is None and rv is None:
                return True, None
            lv, rv = lv or 0.0, rv or 0.0
        if lv is None or rv is None:
            return ls or rs, None
        ops = {"+": lambda: lv + rv, "-": lambda: lv - rv, "*": lambda: lv * rv,
               "/": lambda: lv / rv if rv else None, "<": lambda: float(lv < rv), ">=": lambda: float(lv >= rv),
               "==": lambda: float(lv == rv), "AND": lambda: float(bool(lv) and bool(rv)),
               "OR": lambda: float(bool(lv) or bool(rv))}  # fmt: skip
        out = ops[n.value]()
        return ls or rs, out if out is None or math.isfinite(out) else None

    return ev(node)


@given(_EXPR, _SERIES, _SERIES)
@settings(max_examples=400, deadline=None)
def test_the_expression_evaluator_agrees_with_a_point_by_point_reference(text: str, a: Any, b: Any) -> None:
    got = evaluate_expression(parse_expression(text), _ctx(a=a, b=b))
    expected = [_point(text, x, y) for x, y in zip(a, b)]
    if not expected[0][0]:
        assert got == expected[0][1]
    else:
        assert got == [v for _, v in expected]


def test_an_empty_metrics_list_is_a_single_metric_alarm() -> None:
    # describe-alarms (moto, and AWS's model) lists "Metrics": [] for a single-metric alarm.
    request = {**_ALARM, "MetricName": "m", "Namespace": "n", "Statistic": "Sum", "Period": 60, "Metrics": []}
    assert Alarm.from_put_metric_alarm(request).metrics is None
