"""alarms.md §12.2–12.3 rules not covered by the composite and math tests, each quoting its source."""

from __future__ import annotations

import json

from cwfilter.alarm import Alarm, evaluate
from cwfilter.alarm.notify import trigger
from cwfilter.alarm.series import MetricSeries
from cwfilter.metric import Datapoints
from cwfilter.times import parse_time


def test_periods_that_do_not_divide_an_hour_slide() -> None:
    # §12.3 [OBS]: "P = 2,700 s: slots 11:44, 12:29, 13:14 evaluated at 13:59" — the newest slot starts one
    # period before the evaluation minute.
    series = MetricSeries(Datapoints(), "n", "m", {}, None, "Sum")
    slots = series.slots(parse_time("2024-03-04T13:59:00Z"), 3, 2_700_000)
    assert [s for s, _, _ in slots][::-1] == [parse_time(f"2024-03-04T{t}:00Z") for t in ("11:44", "12:29", "13:14")]


def test_an_ok_reached_from_fills_only_has_no_recent_datapoints_nor_start_date() -> None:
    # §12.3 [OBS]: "an OK reached from fills only has recentDatapoints: [] and no startDate".
    alarm = Alarm(name="a", namespace="n", metric_name="m", period=300, evaluation_periods=2, threshold=1,
                  comparison_operator="GreaterThanOrEqualToThreshold", treat_missing_data="notBreaching")  # fmt: skip
    start = parse_time("2024-03-04T10:00:00Z")
    (tr,) = evaluate(alarm, Datapoints(), start, start + 600_000).transitions
    assert tr.new_state == "OK" and tr.reason_data["recentDatapoints"] == [] and "startDate" not in tr.reason_data
    assert tr.reason == "Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were " \
        "treated as [NonBreaching]."  # fmt: skip


def test_a_one_query_metrics_alarm_reports_an_extended_statistic() -> None:
    # §12.2 [OBS, one signed 2022 capture]: {"MetricName":"CPUUtilization","Namespace":"AWS/EC2",
    # "StatisticType":"ExtendedStatistic","ExtendedStatistic":"Average","Unit":null,"Dimensions":[{"value":...,
    # "name":"InstanceId"}],"Period":300,"EvaluationPeriods":3,"ComparisonOperator":"GreaterThanThreshold",
    # "Threshold":60.0,"TreatMissingData":"","EvaluateLowSampleCountPercentile":""}
    alarm = Alarm.from_put_metric_alarm({
        "AlarmName": "cpu", "EvaluationPeriods": 3, "Threshold": 60, "ComparisonOperator": "GreaterThanThreshold",
        "Metrics": [{"Id": "m1", "ReturnData": True, "MetricStat": {"Period": 300, "Stat": "Average", "Metric": {
            "Namespace": "AWS/EC2", "MetricName": "CPUUtilization",
            "Dimensions": [{"Name": "InstanceId", "Value": "i-0b8582b3ccdd2c421"}]}}}]})  # fmt: skip
    expected = ('{"MetricName":"CPUUtilization","Namespace":"AWS/EC2","StatisticType":"ExtendedStatistic",'
                '"ExtendedStatistic":"Average","Unit":null,"Dimensions":[{"value":"i-0b8582b3ccdd2c421","name":'
                '"InstanceId"}],"Period":300,"EvaluationPeriods":3,"ComparisonOperator":"GreaterThanThreshold",'
                '"Threshold":60.0,"TreatMissingData":"","EvaluateLowSampleCountPercentile":""}')  # fmt: skip
    assert json.dumps(trigger(alarm), separators=(",", ":")) == expected
