"""Metric filters: transformations (spec §6), datapoints, TestMetricFilter (§7)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cwfilter
from cwfilter import Datapoints, MetricFilter, MetricFilterError, MetricKey, test_metric_filter

from .shared import SPEC

CASES = json.loads((SPEC / "conformance-cases.json").read_text(encoding="utf-8"))
METRIC_CASES = [c for c in CASES if "metric" in c]
EXTRACTED_CASES = [c for c in CASES if c["error"] is None and c["extracted"] is not None]
APACHE = '127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'


def _filter_for(case: dict) -> MetricFilter:
    m = case["metric"]
    return MetricFilter(
        case["pattern"],
        metric_name="M",
        namespace="NS",
        value=m["metricValue"],
        default_value=m.get("defaultValue"),
        dimensions=m.get("dimensions"),
        unit=m.get("unit"),
    )


@pytest.mark.parametrize("case", METRIC_CASES, ids=[c["id"] for c in METRIC_CASES])
def test_conformance_metric_cases(case: dict) -> None:
    expect = case["metric"]["expect"]
    mf = _filter_for(case)
    response = test_metric_filter(case["pattern"], [case["message"]], metric_filter=mf)
    (obs,) = response["metricValues"]
    assert (obs["value"] is not None) is expect["datapoint"]
    if expect["datapoint"]:
        assert obs["value"] == expect["value"]
        assert obs["dimensions"] == expect.get("dimensions", {})
        assert obs["reason"] == expect.get("reason", "matched")
    assert bool(response["matches"]) is case["match"]
    # and as a datapoint in its minute
    points = mf.apply([(datetime(2024, 1, 1, 0, 0, 30, tzinfo=timezone.utc), case["message"])])
    if expect["datapoint"]:
        key = MetricKey("NS", "M", tuple(sorted(expect.get("dimensions", {}).items())), case["metric"].get("unit"))
        ((minute, stats),) = points.minutes(key)
        assert minute == 1704067200000 and stats.sum == expect["value"] and stats.sample_count == 1
    else:
        assert points.metrics() == []


@pytest.mark.parametrize("case", EXTRACTED_CASES, ids=[c["id"] for c in EXTRACTED_CASES])
def test_conformance_extracted_values_through_test_metric_filter(case: dict) -> None:
    response = test_metric_filter(case["pattern"], [case["message"]])
    if case["match"]:
        assert response == {
            "matches": [{"eventNumber": 1, "eventMessage": case["message"], "extractedValues": case["extracted"]}]
        }
    else:
        assert response == {"matches": []}


def test_api_reference_example_with_both_numberings() -> None:
    messages = [
        '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
        '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324',
        '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355',
    ]
    one = test_metric_filter("[..., status_code=200, size]", messages)
    assert [m["eventNumber"] for m in one["matches"]] == [1, 3]
    assert one["matches"][1]["extractedValues"]["$size"] == "4355"
    zero = test_metric_filter("[..., status_code=200, size]", messages, event_number_base=0)
    assert [m["eventNumber"] for m in zero["matches"]] == [0, 2]


def test_request_limits_are_awss() -> None:
    with pytest.raises(MetricFilterError, match="less than or equal to 50"):
        test_metric_filter("x", ["x"] * 51)
    with pytest.raises(MetricFilterError, match="greater than or equal to 1"):
        test_metric_filter("x", [])
    with pytest.raises(MetricFilterError, match=r"logEventMessages\.2\.member"):
        test_metric_filter("x", ["a", ""])
    assert len(test_metric_filter("x", ["x"] * 51, enforce_limits=False)["matches"]) == 51
    with pytest.raises(cwfilter.PatternError):
        test_metric_filter("{ $.a = ", ["x"])


# ------------------------------------------------------------------ transformation rules (§6)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(pattern="ERROR", dimensions={"d": "$.x"}), "The specified filter pattern does not support dimensions"),
        (dict(pattern="%ERR%", dimensions={"d": "$.x"}), "The specified filter pattern does not support dimensions"),
        (
            dict(pattern="{ $.a = 1 }", dimensions={"d": "$.a"}, default_value=0),
            "Invalid metric transformation: dimensions and default value are mutually exclusive properties",
        ),
        (dict(pattern="{ $.a = 1 }", dimensions={f"d{i}": "$.a" for i in range(4)}), "less than or equal to 3"),
        (dict(pattern="[a, length]", value="length"), "Invalid metric value 'length'"),
        (dict(pattern="ERROR", value="$.x"), "need a JSON filter pattern"),
        (dict(pattern="{ $.a = 1 }", value="$a"), "need a space-delimited filter pattern"),
        (dict(pattern="{ $.a = 1 }", metric_name="a:b"), "regular expression pattern: [^:*$]*"),
        (dict(pattern="{ $.a = 1 }", namespace="x" * 256), "length between 1 and 255"),
        (dict(pattern="{ $.a = 1 }", value="1" * 101), "less than or equal to 100"),
        (dict(pattern="{ $.a = 1 }", unit="Widgets"), "enum value set"),
        (dict(pattern="{ $.a = 1 }", dimensions={":d": "$.a"}), "Invalid dimension name"),
        (dict(pattern="{ $.a = 1 }", dimensions={"d": "Prod"}), "a dimension value is a field reference"),
    ],
)
def test_invalid_transformations(kwargs: dict, message: str) -> None:
    params = dict(metric_name="M", namespace="NS", value="1") | kwargs
    with pytest.raises(MetricFilterError) as info:
        MetricFilter(params.pop("pattern"), **params)
    assert message in str(info.value)
    assert info.value.aws_exception == "InvalidParameterException"


def test_value_references() -> None:
    sd = "[ip, server, username, timestamp, request, status_code, bytes]"
    assert MetricFilter(sd, metric_name="M", namespace="N", value="$bytes").observe(APACHE).value == 1534
    assert MetricFilter(sd, metric_name="M", namespace="N", value="$7").observe(APACHE).value == 1534  # Q13
    assert MetricFilter(sd, metric_name="M", namespace="N", value="$6").observe(APACHE).value == 404
    assert MetricFilter(sd, metric_name="M", namespace="N", value="$9").observe(APACHE).reason == "value not numeric"
    assert MetricFilter(sd, metric_name="M", namespace="N", value="$ip").observe(APACHE).reason == "value not numeric"
    js = MetricFilter("{ $.a.b[0] = * }", metric_name="M", namespace="N", value="$.a.b[0]")
    assert js.observe('{"a": {"b": [2.5]}}').value == 2.5
    assert js.observe('{"a": {"b": ["50"]}}').value == 50  # numeric strings are parsed
    assert js.observe('{"a": {"b": [true]}}').value is None
    assert MetricFilter("{ $.a = * }", metric_name="M", namespace="N", value="-0.5").observe('{"a": 1}').value == -0.5


def test_warnings_for_values_the_pattern_does_not_test() -> None:
    mf = MetricFilter("{ $.a = 1 }", metric_name="M", namespace="N", value="$.latency")
    assert any("not tested by the pattern" in w for w in mf.warnings)
    assert not MetricFilter("{ $.latency = * }", metric_name="M", namespace="N", value="$.latency").warnings


def test_dimensions_are_published_only_when_found() -> None:
    mf = MetricFilter(
        "{ $.eventName = * }", metric_name="M", namespace="N", dimensions={"Name": "$.eventName", "User": "$.user"}
    )
    assert mf.observe('{"eventName": "X", "user": "bob"}').dimensions == (("Name", "X"), ("User", "bob"))
    assert mf.observe('{"eventName": "X"}').dimensions == (("Name", "X"),)  # Q15
    assert mf.observe('{"eventName": "X", "user": {"o": 1}}').dimensions == (("Name", "X"),)


def test_per_minute_datapoints_and_periods() -> None:
    mf = MetricFilter("ERROR", metric_name="Errors", namespace="App", default_value=0)
    t0 = datetime(2024, 3, 4, 9, 0, tzinfo=timezone.utc)
    events = [
        (t0.replace(second=1), "ERROR a"),
        (t0.replace(second=59), "ok"),
        (t0.replace(minute=1, second=0), "ERROR b"),
        (t0.replace(minute=1, second=1), "ERROR c"),
        (t0.replace(minute=7), "ok"),
    ]
    points = mf.apply(events)
    key = MetricKey("App", "Errors")
    got = [(m, s.sample_count, s.sum) for m, s in points.minutes(key)]
    base = int(t0.timestamp() * 1000)
    assert got == [(base, 2, 1.0), (base + 60_000, 2, 2.0), (base + 420_000, 1, 0.0)]
    assert points.periods(key, 300, "Sum") == [(base, 3.0), (base + 300_000, 0.0)]
    assert points.periods(key, 300, "SampleCount") == [(base, 4.0), (base + 300_000, 1.0)]
    assert points.periods(key, 300, "Average") == [(base, 0.75), (base + 300_000, 0.0)]
    per_minute = MetricFilter(
        "ERROR", metric_name="Errors", namespace="App", default_value=0, default_value_mode="per_minute"
    )
    got = [(m, s.sample_count, s.sum) for m, s in per_minute.apply(events).minutes(key)]
    assert got == [(base, 1, 1.0), (base + 60_000, 2, 2.0), (base + 420_000, 1, 0.0)]


def test_statistics_and_percentiles() -> None:
    points = Datapoints()
    key = MetricKey("N", "M")
    for i, v in enumerate([5, 1, 3, 2, 4, 10, 7, 8, 9, 6]):
        points.add(key, 1_000 * i, float(v))
    ((_, stats),) = points.minutes(key)
    assert (stats.minimum, stats.maximum, stats.sum, stats.sample_count) == (1, 10, 55, 10)
    assert stats.statistic("p50") == 5 and stats.statistic("p90") == 9 and stats.statistic("p99") == 10
    with pytest.raises(ValueError, match="unsupported statistic"):
        stats.statistic("Median")


def test_naive_timestamps_are_refused() -> None:
    mf = MetricFilter("x", metric_name="M", namespace="N")
    with pytest.raises(ValueError, match="no time zone"):
        mf.apply([(datetime(2024, 1, 1), "x")])


events_strategy = st.lists(
    st.tuples(st.integers(0, 10 * 60_000), st.sampled_from(["ERROR one", "ok", "ERROR", "fine ERRORS", "warn"])),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(events_strategy, st.sampled_from([None, 0.0, 2.5]), st.sampled_from(["1", "3", "0.5"]))
def test_sum_is_matches_times_value_plus_defaults(events: list, default: float | None, value: str) -> None:
    mf = MetricFilter("ERROR", metric_name="M", namespace="N", value=value, default_value=default)
    points = mf.apply(events)
    key = MetricKey("N", "M")
    by_minute: dict[int, list[str]] = {}
    for ts, msg in events:
        by_minute.setdefault(ts - ts % 60_000, []).append(msg)
    expected = {}
    for minute, msgs in by_minute.items():
        hits = sum("ERROR" in m for m in msgs)
        misses = len(msgs) - hits
        count = hits + (misses if default is not None else 0)
        if count:
            expected[minute] = (count, hits * float(value) + misses * (default or 0.0))
    got = {m: (s.sample_count, s.sum) for m, s in points.minutes(key)}
    assert got.keys() == expected.keys()
    for minute, (count, total) in expected.items():
        assert got[minute][0] == count and got[minute][1] == pytest.approx(total)
    # Splitting the stream and merging the parts gives the same datapoints, in any order.
    half = len(events) // 2
    a, b = mf.apply(events[:half]), mf.apply(events[half:])
    b.merge(a)
    assert b == points
