"""Alarm evaluation at scale (issue 24): metric, math and composite alarms over a year of per-minute
datapoints, reported as seconds per alarm-year, with a baseline measured in the same run: a plain
Python loop that reads every minute of the same metric once (a 5-minute sliding sum).

``make bench`` runs the issue's size: 1,000 alarms (600 metric, 200 math, 200 composite) over 365
days of dense per-minute datapoints on 20 metrics; ``CWFILTER_BENCH_ALARMS`` and
``CWFILTER_BENCH_DAYS`` choose another size. Under ``make test`` it runs once, as a smoke test,
on 10 alarms over 2 days."""

from __future__ import annotations

import os
import random
import time
from typing import Any

import pytest

from cwfilter.alarm import Alarm, CompositeAlarm, evaluate_all
from cwfilter.metric import Datapoints, MetricKey

MINUTE = 60_000
START = 1_704_067_200_000  # 2024-01-01T00:00:00Z
METRICS = 20


def _datapoints(days: int) -> Datapoints:
    rng = random.Random(24)
    dp = Datapoints()
    for i in range(METRICS):
        key = MetricKey("Bench", f"m{i}", (), None)
        for minute in range(days * 1440):
            dp.add(key, START + minute * MINUTE, float(rng.randrange(0, 6)))
    return dp


def _alarms(count: int) -> tuple[list[Alarm], list[CompositeAlarm]]:
    """60 % metric alarms, 20 % math alarms, 20 % composites over two metric alarms each."""
    metric = max(1, count * 6 // 10)
    math_count = count * 2 // 10
    topic = ["arn:aws:sns:us-east-1:111122223333:bench"]
    alarms = [Alarm(name=f"a{i}", namespace="Bench", metric_name=f"m{i % METRICS}", period=300 if i % 2 else 60,
                    evaluation_periods=1 + i % 3, threshold=10.0 + i % 7, comparison_operator="GreaterThanThreshold",
                    alarm_actions=topic) for i in range(metric)]  # fmt: skip
    for i in range(math_count):
        a, b = f"m{i % METRICS}", f"m{(i + 1) % METRICS}"
        alarms.append(Alarm.from_put_metric_alarm({
            "AlarmName": f"x{i}", "EvaluationPeriods": 2, "Threshold": 1.5, "ComparisonOperator": "GreaterThanThreshold",
            "AlarmActions": topic, "Metrics": [
                {"Id": "e1", "Expression": "FILL(a, 0) / FILL(b, 1)"},
                {"Id": "a", "ReturnData": False, "MetricStat": {"Metric": {"Namespace": "Bench", "MetricName": a},
                                                               "Period": 300, "Stat": "Sum"}},
                {"Id": "b", "ReturnData": False, "MetricStat": {"Metric": {"Namespace": "Bench", "MetricName": b},
                                                               "Period": 300, "Stat": "Sum"}}]}))  # fmt: skip
    composites = [CompositeAlarm(name=f"c{i}", alarm_rule=f"ALARM(a{i % metric}) AND NOT ALARM(a{(i + 1) % metric})",
                                 alarm_actions=topic) for i in range(count - len(alarms))]  # fmt: skip
    return alarms, composites


def _baseline(dp: Datapoints, days: int) -> float:
    """Seconds a plain loop takes to read one metric's year of minutes once (sliding 5-minute sum)."""
    values = [s.sum for _, s in dp.minutes(MetricKey("Bench", "m0", (), None))]
    start = time.perf_counter()
    window = 0.0
    crossed = 0
    for i, v in enumerate(values):
        window += v - (values[i - 5] if i >= 5 else 0.0)
        crossed += window > 10.0
    return (time.perf_counter() - start) * 365 / days


def test_alarms_per_alarm_year(request: pytest.FixtureRequest, benchmark: Any) -> None:
    timing = bool(request.config.getoption("benchmark_enable", False))
    count = int(os.environ.get("CWFILTER_BENCH_ALARMS", 1000 if timing else 10))
    days = int(os.environ.get("CWFILTER_BENCH_DAYS", 365 if timing else 2))
    dp = _datapoints(days)
    alarms, composites = _alarms(count)
    end = START + days * 1440 * MINUTE

    took: list[float] = []

    def run() -> dict[str, Any]:
        began = time.perf_counter()
        out = evaluate_all(alarms, composites, dp, START, end)
        took.append(time.perf_counter() - began)
        return out

    timelines = benchmark.pedantic(run, rounds=1, iterations=1)
    assert len(timelines) == count
    assert all(t.transitions for t in timelines.values())
    seconds = min(took)
    per_alarm_year = seconds / count * 365 / days
    baseline = _baseline(dp, days)
    request.config._cwfilter_alarms = (count, days, seconds, per_alarm_year, baseline)  # type: ignore[attr-defined]
    print(f"\n{count} alarms over {days} days: {seconds:.1f} s, {per_alarm_year:.3f} s per alarm-year; plain loop over "
          f"one metric-year {baseline:.3f} s; ratio {per_alarm_year / baseline if baseline else 0:.0f}x")  # fmt: skip
