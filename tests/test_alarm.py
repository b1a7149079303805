"""Alarm model, configuration loaders, text formats, properties of the evaluator, and the
end-to-end CWL-012 path: generated CloudTrail tree → replay → alarm episodes → SNS messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cwfilter
from cwfilter.alarm import Alarm, AlarmValidationError, default_evaluation_range, evaluate
from cwfilter.alarm.text import java_double, reason_date
from cwfilter.cli import main
from cwfilter.config import alarms_from_cloudformation, load_alarms
from cwfilter.metric import Datapoints, MetricKey
from cwfilter.replayer import replay
from cwfilter.rules import find_rule
from cwfilter.times import parse_time

from .synth import generate_tree

ROOT = Path(__file__).resolve().parents[1]
TOPIC = "arn:aws:sns:eu-west-1:111122223333:security-alerts"
BASE = dict(AlarmName="a", Namespace="N", MetricName="M", Statistic="Sum", Period=300, EvaluationPeriods=1,
            Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold")  # fmt: skip


@pytest.mark.parametrize(
    ("value", "text"),
    [(1, "1.0"), (0.5, "0.5"), (110, "110.0"), (9999999, "9999999.0"), (1e7, "1.0E7"), (860604416, "8.60604416E8"),
     (0.001, "0.001"), (0.0009, "9.0E-4"), (-2.25, "-2.25"), (0.05164275070031484, "0.05164275070031484")],
)  # fmt: skip
def test_java_double_formatting(value: float, text: str) -> None:
    assert java_double(value) == text


def test_reason_date_is_the_slot_start_in_utc() -> None:
    assert reason_date(parse_time("2024-01-02T09:58:00Z")) == "02/01/24 09:58:00"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        (dict(ComparisonOperator="GreaterThanUpperThreshold"), "E_UNSUPPORTED", "anomaly detection band"),
        (
            dict(Statistic=None, ExtendedStatistic="p99.9x"),
            "InvalidParameterValue",
            "ExtendedStatistic is not supported",
        ),
        (dict(Statistic="Median"), "ValidationError", "enum value set"),
        (dict(EvaluationPeriods=0), "ValidationError", "greater than or equal to 1"),
        (dict(AlarmActions=[TOPIC] * 6), "ValidationError", "less than or equal to 5"),
        # Metrics are emulated now (issue 24); with a metric of the alarm's own they are a parameter combination error.
        (dict(Metrics=[{"Id": "m1"}]), "InvalidParameterCombination", "Metrics cannot be set together with"),
        (dict(Unit="Widgets"), "ValidationError", "enum value set"),
    ],
)
def test_invalid_alarms(change: dict, code: str, message: str) -> None:
    request = {k: v for k, v in (BASE | change).items() if v is not None}
    with pytest.raises(AlarmValidationError) as info:
        Alarm.from_put_metric_alarm(request)
    assert (info.value.aws_exception or info.value.code) == code and message in info.value.message


def test_region_and_account_come_from_the_action_arns() -> None:
    alarm = Alarm.from_put_metric_alarm(BASE | {"AlarmActions": [TOPIC]})
    assert alarm.arn == "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:a"
    assert Alarm.from_put_metric_alarm(BASE).region == "us-east-1"


def test_default_evaluation_range_fits_the_spec_evidence() -> None:
    assert [default_evaluation_range(p, n) for p, n in [(300, 3), (60, 1), (1800, 8), (86400, 1), (300, 1)]] == [
        5,
        8,
        10,
        3,
        3,
    ]


def test_percentile_alarms_and_high_resolution_periods() -> None:
    alarm = Alarm.from_put_metric_alarm(
        {k: v for k, v in BASE.items() if k != "Statistic"} | {"ExtendedStatistic": "p90", "Threshold": 50}
    )
    points = Datapoints()
    for i, v in enumerate([1, 2, 3, 4, 100]):
        points.add(MetricKey("N", "M"), 1_000 * i, float(v))
    timeline = evaluate(alarm, points, 0, 300_000)
    assert (
        timeline.transitions[0].new_state == "ALARM"
        and timeline.transitions[0].reason_data["extendedStatistic"] == "p90"
    )
    fast = Alarm.from_put_metric_alarm(BASE | {"Period": 20})
    with pytest.raises(ValueError, match="high-resolution"):
        evaluate(fast, points, 0, 60_000)


CFN = """
Parameters:
  Email: {Type: String, Default: sec@example.com}
Resources:
  AlertTopic:
    Type: AWS::SNS::Topic
    Properties: {TopicName: security-alerts}
  S3ChangesFilter:
    Type: AWS::Logs::MetricFilter
    Properties:
      LogGroupName: trail
      FilterPattern: '{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy)) }'
      MetricTransformations: [{MetricName: S3BucketEventCount, MetricNamespace: CloudTrailMetrics, MetricValue: '1'}]
  S3ChangesAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmName: S3BucketChanges
      AlarmDescription: !Sub 'notify ${Email}'
      MetricName: S3BucketEventCount
      Namespace: CloudTrailMetrics
      Statistic: Sum
      Period: '300'
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
      AlarmActions: [!Ref AlertTopic]
"""


def test_alarms_from_cloudformation_resolve_topics_and_parameters() -> None:
    (alarm,) = alarms_from_cloudformation(CFN, region="eu-west-1", account_id="111122223333").values()
    assert alarm.name == "S3BucketChanges" and alarm.period == 300 and alarm.description == "notify sec@example.com"
    assert alarm.alarm_actions == [TOPIC]
    assert alarm.arn == "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:S3BucketChanges"
    with pytest.raises(cwfilter.ConfigError, match="cannot resolve Fn::ImportValue"):
        alarms_from_cloudformation(CFN.replace("!Ref AlertTopic", "!ImportValue Shared"))


def test_load_alarms_from_put_metric_alarm_json(tmp_path: Path) -> None:
    path = tmp_path / "alarm.json"
    path.write_text(json.dumps(BASE | {"AlarmActions": [TOPIC]}))
    assert list(load_alarms(path)) == ["a"]
    path.write_text(json.dumps(BASE | {"Period": 45}))
    with pytest.raises(cwfilter.ConfigError, match="Period must be 10, 20, 30 or a multiple of 60"):
        load_alarms(path)


# ------------------------------------------------------------------ properties

samples = st.lists(st.tuples(st.integers(0, 120), st.sampled_from([0.0, 1.0, 2.0, 5.0])), max_size=25)
configs = st.fixed_dictionaries({
    "Period": st.sampled_from([60, 120, 300]),
    "EvaluationPeriods": st.integers(1, 4),
    "m": st.integers(1, 4),
    "explicit": st.booleans(),
    "TreatMissingData": st.sampled_from([None, "missing", "notBreaching", "breaching", "ignore"]),
    "ComparisonOperator": st.sampled_from(["GreaterThanOrEqualToThreshold", "LessThanThreshold", "GreaterThanThreshold"]),
    "Statistic": st.sampled_from(["Sum", "Maximum", "SampleCount", "Average"]),
    "Threshold": st.sampled_from([1.0, 2.0]),
    "initial": st.sampled_from(["INSUFFICIENT_DATA", "OK", "ALARM"]),
})  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(samples, configs)
def test_states_change_only_through_transitions_and_actions_only_on_transitions(events: list, cfg: dict) -> None:
    request = BASE | {k: v for k, v in cfg.items() if k in BASE or k == "TreatMissingData"}
    if cfg["explicit"]:
        request["DatapointsToAlarm"] = min(cfg["m"], cfg["EvaluationPeriods"])
    if request.get("TreatMissingData") is None:
        request.pop("TreatMissingData", None)
    request |= {
        "AlarmActions": [TOPIC],
        "OKActions": [TOPIC + "-ok"],
        "InsufficientDataActions": ["arn:aws:automate:x"],
    }
    alarm = Alarm.from_put_metric_alarm(request)
    points = Datapoints()
    for minute, value in events:
        points.add(MetricKey("N", "M"), minute * 60_000 + 7_000, value)
    end = 150 * 60_000
    full = evaluate(alarm, points, 0, end, initial_state=cfg["initial"], record_states=True)
    fast = evaluate(alarm, points, 0, end, initial_state=cfg["initial"])
    assert [t.as_dict() for t in fast.transitions] == [t.as_dict() for t in full.transitions]  # skipping is exact
    previous = cfg["initial"]
    transitions = {t.timestamp: t for t in full.transitions}
    for minute, state in full.states or []:
        if state != previous:
            t = transitions[minute]
            assert (t.old_state, t.new_state) == (previous, state)
        else:
            assert minute not in transitions
        assert fast.state_at(minute) == state
        previous = state
    assert all(t.old_state != t.new_state for t in full.transitions)
    expected_notes = [
        (t.timestamp, arn) for t in full.transitions for arn in t.actions if arn.startswith("arn:aws:sns:")
    ]
    assert [(n.timestamp, n.topic_arn) for n in full.notifications] == expected_notes
    for t in full.transitions:
        assert t.actions == alarm.actions_for(t.new_state)


# ------------------------------------------------------------------ end to end


def _expected_episodes(event_times: list[str], created: int, end: int) -> list[tuple[int, int | None]]:
    """CWL-012's alarm (Sum, 300 s, 1 period, >= 1, missing data: missing, R = 3): ALARM at
    minute T exactly when some event's minute lies in [T - 15 min, T); derived here directly."""
    minutes = sorted({parse_time(e) // 60_000 * 60_000 for e in event_times})  # type: ignore[operator]
    episodes: list[tuple[int, int | None]] = []
    in_alarm = False
    t = created
    while t <= end:
        alarm_now = any(t - 900_000 <= m < t for m in minutes)
        if alarm_now and not in_alarm:
            episodes.append((t, None))
        elif in_alarm and not alarm_now:
            episodes[-1] = (episodes[-1][0], t)
        in_alarm = alarm_now
        t += 60_000
    return episodes


def test_generated_tree_replay_alarm_episodes_and_sns_messages(tmp_path: Path) -> None:
    truth = generate_tree(tmp_path / "tree", seed=5, hours=4, episodes=6)
    out = tmp_path / "result.json"
    notes_dir = tmp_path / "notes"
    assert main(["replay", str(tmp_path / "tree"), "--rule", "CWL-012", "--format", "json", "-o", str(out),
                 "--topic-arn", TOPIC, "--notifications-dir", str(notes_dir),
                 "--notifications-jsonl", str(tmp_path / "notes.jsonl"), "--jobs", "2"]) == 0  # fmt: skip
    doc = json.loads(out.read_text())
    alarm = doc["alarm"]
    created = parse_time(alarm["createdAt"])
    end = parse_time(alarm["evaluatedUntil"])
    expected = _expected_episodes([e["eventTime"] for e in truth.cwl012], created, end)  # type: ignore[arg-type]
    entries = [parse_time(t["timestamp"]) for t in alarm["transitions"] if t["newState"] == "ALARM"]
    exits = [parse_time(t["timestamp"]) for t in alarm["transitions"] if t["oldState"] == "ALARM"]
    assert list(zip(entries, exits)) == expected
    assert all(t["newState"] == "INSUFFICIENT_DATA" for t in alarm["transitions"] if t["oldState"] == "ALARM")
    assert alarm["finalState"] == "INSUFFICIENT_DATA"
    assert len(alarm["notifications"]) == len(expected)
    first = alarm["notifications"][0]
    assert first["topicArn"] == TOPIC
    assert first["subject"] == 'ALARM: "S3BucketEventCount-alarm" in EU (Ireland)'
    message = first["message"]
    assert list(message)[:4] == ["AlarmName", "AlarmDescription", "AWSAccountId", "AlarmConfigurationUpdatedTimestamp"]
    assert message["AlarmArn"] == "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:S3BucketEventCount-alarm"
    assert message["NewStateReason"].startswith("Threshold Crossed: 1 datapoint [")
    assert message["Trigger"] == {
        "MetricName": "S3BucketEventCount", "Namespace": "CloudTrailMetrics", "StatisticType": "Statistic",
        "Statistic": "SUM", "Unit": None, "Dimensions": [], "Period": 300, "EvaluationPeriods": 1,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold", "Threshold": 1.0, "TreatMissingData": "",
        "EvaluateLowSampleCountPercentile": "",
    }  # fmt: skip
    files = sorted(notes_dir.iterdir())
    assert len(files) == len(expected)
    envelope = json.loads(files[0].read_text())
    assert envelope["Type"] == "Notification" and json.loads(envelope["Message"]) == message
    assert len((tmp_path / "notes.jsonl").read_text().splitlines()) == len(expected)


def test_cli_alarm_from_a_cloudformation_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = tmp_path / "stack.yaml"
    template.write_text(CFN)
    assert main(["replay", str(ROOT / "samples" / "cloudtrail"), "--alarm", str(template), "--region", "eu-west-1",
                 "--account-id", "111122223333", "--jobs", "1"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "alarm           S3BucketChanges: Sum of CloudTrailMetrics/S3BucketEventCount" in out
    assert "never went to ALARM" in out  # the sample tree has no PutBucketAcl/PutBucketPolicy
    mf = find_rule("CWL-012").metric_filter(via="CWL-012")
    result = replay([ROOT / "samples" / "cloudtrail"], mf)
    assert sum(v for _, v in result.periods()) == 13
