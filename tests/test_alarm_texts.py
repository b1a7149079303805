"""Alarm texts as AWS writes them (alarms.md §11): the long reason wording for five or more
supporting datapoints, StateReasonData of transitions to OK, SNS subjects, the alarm history
items that carry them, and the replay table that shows them.

§11 gives templates and the captures' shapes (N = 5, 24, 30; "greater than", "greater than or
equal to", "less than"; `Inicio de Sesión`; a name cut at 63 characters in US East (N. Virginia)),
not the captured values: the values and timestamps below are chosen here, the wording is §11's."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cwfilter.alarm import Alarm, AlarmTimeline, evaluate, text
from cwfilter.alarm.notify import region_name, subject
from cwfilter.alarm.text import threshold_reason
from cwfilter.cli import main
from cwfilter.metric import Datapoints, MetricKey
from cwfilter.times import parse_time

from .synth import generate_tree

T0: int = parse_time("2024-03-04T08:00:00Z")  # type: ignore[assignment]
MINUTE = 60_000
TOPIC = "arn:aws:sns:eu-west-1:111122223333:security-alerts"
BASE = dict(AlarmName="a", Namespace="N", MetricName="M", Statistic="Sum", Period=60, EvaluationPeriods=1,
            Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold")  # fmt: skip


def _timeline(request: dict, values: dict[int, float], *, at: int, until: int | None = None,
              initial: str = "INSUFFICIENT_DATA") -> AlarmTimeline:  # fmt: skip
    """The alarm ``BASE | request`` over one datapoint per minute (minute after 08:00 → value),
    created at minute ``at`` (after its data, as an alarm put on an existing metric) and
    evaluated until minute ``until`` (default: only at its creation)."""
    alarm = Alarm.from_put_metric_alarm(BASE | request)
    points = Datapoints()
    for minute, value in values.items():
        points.add(MetricKey("N", "M"), T0 + minute * MINUTE + 5_000, value)
    end = T0 + (at if until is None else until) * MINUTE
    return evaluate(alarm, points, T0 + at * MINUTE, end, initial_state=initial)


def _stamp(minute: int) -> str:
    return f"2024-03-04T{8 + minute // 60:02d}:{minute % 60:02d}:00.000+0000"


# One row per combination of §11.1: M unset/set × without/with fills, transitions to ALARM and to OK.
LONG_WORDING = [
    pytest.param(
        dict(EvaluationPeriods=24, ComparisonOperator="GreaterThanThreshold"),
        {i: float(i + 2) for i in range(24)},
        24,
        "INSUFFICIENT_DATA",
        "ALARM",
        "Threshold Crossed: 24 datapoints were greater than the threshold (1.0). The most recent datapoints which "
        "crossed the threshold: [25.0 (04/03/24 08:23:00), 24.0 (04/03/24 08:22:00), 23.0 (04/03/24 08:21:00), "
        "22.0 (04/03/24 08:20:00), 21.0 (04/03/24 08:19:00)].",
        id="M-unset-N24-greater-than",
    ),
    pytest.param(
        dict(Period=300, EvaluationPeriods=5, Threshold=10, ComparisonOperator="LessThanThreshold"),
        {0: 1.0, 5: 2.0, 10: 3.0, 15: 4.0, 20: 5.0},
        25,
        "INSUFFICIENT_DATA",
        "ALARM",
        "Threshold Crossed: 5 datapoints were less than the threshold (10.0). The most recent datapoints which "
        "crossed the threshold: [5.0 (04/03/24 08:20:00), 4.0 (04/03/24 08:15:00), 3.0 (04/03/24 08:10:00), "
        "2.0 (04/03/24 08:05:00), 1.0 (04/03/24 08:00:00)].",
        id="M-unset-N5-less-than",
    ),
    pytest.param(
        dict(EvaluationPeriods=30, DatapointsToAlarm=25, Threshold=3),
        {i: float(i) for i in range(30)},
        30,
        "INSUFFICIENT_DATA",
        "ALARM",
        "Threshold Crossed: 27 out of the last 30 datapoints were greater than or equal to the threshold (3.0). "
        "The most recent datapoints which crossed the threshold: [29.0 (04/03/24 08:29:00), 28.0 (04/03/24 08:28:00), "
        "27.0 (04/03/24 08:27:00), 26.0 (04/03/24 08:26:00), 25.0 (04/03/24 08:25:00)] "
        "(minimum 25 datapoints for OK -> ALARM transition).",
        id="M-set-N30-greater-than-or-equal-to",
    ),
    pytest.param(
        dict(EvaluationPeriods=8, DatapointsToAlarm=2, Threshold=10),
        {i: float(i) for i in range(8)},
        8,
        "ALARM",
        "OK",
        "Threshold Crossed: 8 out of the last 8 datapoints were not greater than or equal to the threshold (10.0). "
        "The most recent datapoints which crossed the threshold: [7.0 (04/03/24 08:07:00), 6.0 (04/03/24 08:06:00), "
        "5.0 (04/03/24 08:05:00), 4.0 (04/03/24 08:04:00), 3.0 (04/03/24 08:03:00)] "
        "(minimum 7 datapoints for ALARM -> OK transition).",
        id="M-set-to-OK",
    ),
    pytest.param(
        dict(EvaluationPeriods=8, TreatMissingData="breaching"),
        {i: float(i + 1) for i in range(5)},
        5,
        "INSUFFICIENT_DATA",
        "ALARM",
        "Threshold Crossed: 5 datapoints were greater than or equal to the threshold (1.0). The most recent "
        "datapoints which crossed the threshold: [5.0 (04/03/24 08:04:00), 4.0 (04/03/24 08:03:00), "
        "3.0 (04/03/24 08:02:00), 2.0 (04/03/24 08:01:00), 1.0 (04/03/24 08:00:00)] and 3 missing datapoints were "
        "treated as [Breaching].",
        id="M-unset-fills-breaching",
    ),
    pytest.param(
        dict(EvaluationPeriods=8, TreatMissingData="notBreaching"),
        {i: (i + 1) / 10 for i in range(5)},
        5,
        "ALARM",
        "OK",
        "Threshold Crossed: 5 datapoints were not greater than or equal to the threshold (1.0). The most recent "
        "datapoints which crossed the threshold: [0.5 (04/03/24 08:04:00), 0.4 (04/03/24 08:03:00), "
        "0.3 (04/03/24 08:02:00), 0.2 (04/03/24 08:01:00), 0.1 (04/03/24 08:00:00)] and 3 missing datapoints were "
        "treated as [NonBreaching].",
        id="M-unset-fills-to-OK",
    ),
    pytest.param(
        dict(EvaluationPeriods=8, DatapointsToAlarm=5, TreatMissingData="breaching"),
        dict.fromkeys(range(5), 1.0),
        5,
        "INSUFFICIENT_DATA",
        "ALARM",
        "Threshold Crossed: 5 out of the last 8 datapoints were greater than or equal to the threshold (1.0). "
        "The most recent datapoints which crossed the threshold: [1.0 (04/03/24 08:04:00), 1.0 (04/03/24 08:03:00), "
        "1.0 (04/03/24 08:02:00), 1.0 (04/03/24 08:01:00), 1.0 (04/03/24 08:00:00)] and 3 missing datapoints were "
        "treated as [Breaching] (minimum 5 datapoints for OK -> ALARM transition).",
        id="M-set-fills-breaching",
    ),
    pytest.param(
        dict(EvaluationPeriods=8, DatapointsToAlarm=3, TreatMissingData="notBreaching"),
        {i: (i + 1) / 10 for i in range(6)},
        6,
        "ALARM",
        "OK",
        "Threshold Crossed: 6 out of the last 8 datapoints were not greater than or equal to the threshold (1.0). "
        "The most recent datapoints which crossed the threshold: [0.6 (04/03/24 08:05:00), 0.5 (04/03/24 08:04:00), "
        "0.4 (04/03/24 08:03:00), 0.3 (04/03/24 08:02:00), 0.2 (04/03/24 08:01:00)] and 2 missing datapoints were "
        "treated as [NonBreaching] (minimum 6 datapoints for ALARM -> OK transition).",
        id="M-set-fills-to-OK",
    ),
]


@pytest.mark.parametrize(("request_", "values", "at", "initial", "new_state", "reason"), LONG_WORDING)
def test_five_or_more_supporting_datapoints_use_the_long_wording(
    request_: dict, values: dict[int, float], at: int, initial: str, new_state: str, reason: str
) -> None:
    timeline = _timeline(request_, values, at=at, initial=initial)
    (tr,) = timeline.transitions
    assert (tr.old_state, tr.new_state) == (initial, new_state)
    assert tr.reason == reason
    data = tr.reason_data
    real = sorted(values.items())
    n = request_["EvaluationPeriods"]
    assert data["recentDatapoints"] == [v for _, v in real][-n:]  # every real evaluated value, oldest first
    assert data["startDate"] == _stamp(real[-n:][0][0])
    newest = {"timestamp": _stamp(real[-1][0]), "sampleCount": 1.0, "value": real[-1][1]}
    if new_state == "OK":  # §11.2: only the deciding (newest) datapoint
        assert data["evaluatedDatapoints"] == [newest]
    else:  # all N entries, filled ones with a timestamp only
        assert len(data["evaluatedDatapoints"]) == n and data["evaluatedDatapoints"][0] == newest
        fills = [e for e in data["evaluatedDatapoints"] if "value" not in e]
        assert len(fills) == n - min(n, len(values))


def test_four_supporting_datapoints_stay_inline() -> None:
    """§11.1: K = 4 is unresolved; the inline form of §4.3 stays."""
    timeline = _timeline(dict(EvaluationPeriods=4), dict.fromkeys(range(4), 1.0), at=4)
    assert timeline.transitions[0].reason == (
        "Threshold Crossed: 4 datapoints [1.0 (04/03/24 08:03:00), 1.0 (04/03/24 08:02:00), 1.0 (04/03/24 08:01:00), "
        "1.0 (04/03/24 08:00:00)] were greater than or equal to the threshold (1.0)."
    )


def test_where_the_long_wording_starts_is_one_constant(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should evidence settle K = 4 as long, changing ``LONG_REASON_FROM`` is the whole change."""
    monkeypatch.setattr(text, "LONG_REASON_FROM", 4)
    timeline = _timeline(dict(EvaluationPeriods=4, DatapointsToAlarm=4), dict.fromkeys(range(4), 1.0), at=4)
    assert timeline.transitions[0].reason == (
        "Threshold Crossed: 4 out of the last 4 datapoints were greater than or equal to the threshold (1.0). "
        "The most recent datapoints which crossed the threshold: [1.0 (04/03/24 08:03:00), 1.0 (04/03/24 08:02:00), "
        "1.0 (04/03/24 08:01:00), 1.0 (04/03/24 08:00:00)] (minimum 4 datapoints for OK -> ALARM transition)."
    )


@given(
    st.lists(st.floats(0, 1e9, allow_nan=False), min_size=1, max_size=40),
    st.booleans(),
    st.sampled_from(["ALARM", "OK"]),
    st.integers(0, 3),
)
def test_a_reason_lists_its_supporting_datapoints_inline_or_only_the_newest_in_a_second_sentence(
    values: list[float], m_explicit: bool, new_state: str, fills: int
) -> None:
    supporting = [(T0 - i * MINUTE, v) for i, v in enumerate(values)]  # newest first
    n = len(values) + fills
    reason = threshold_reason(new_state=new_state, supporting=supporting, real_count=len(values), fills=fills,
                              fill_kind="Breaching", n=n, m=1, m_explicit=m_explicit,
                              operator="GreaterThanThreshold", threshold=1.0)  # fmt: skip
    k = len(values)
    long = k >= text.LONG_REASON_FROM
    listed = supporting[: text.LONG_REASON_LISTED] if long else supporting
    entries = ", ".join(f"{text.java_double(v)} ({text.reason_date(t)})" for t, v in listed)
    assert reason.count(" (04/03/24 ") == len(listed)  # the datapoints fall between 07:21 and 08:00
    assert f"[{entries}]" in reason
    assert ("The most recent datapoints which crossed the threshold: [" in reason) == long
    counted = f"{k} out of the last {n} datapoints" if m_explicit else f"{k} datapoint{'s' * (k != 1)}"
    assert reason.startswith(f"Threshold Crossed: {counted} ")
    assert (f"] and {fills} missing datapoint" in reason) == (fills > 0 and long)  # after the list when long,
    assert (f"(1.0) and {fills} missing datapoint" in reason) == (fills > 0 and not long)  # else the threshold
    assert reason.endswith("transition)." if m_explicit else ".")
    assert len(reason) < 1023  # fits DescribeAlarms' StateReason, whatever K is


# ------------------------------------------------------------------ history items


def test_history_items_carry_the_long_reasons_and_the_ok_reason_data() -> None:
    """An alarm that goes to ALARM on eight breaching minutes and back to OK on eight calm ones:
    both reasons are long; the StateUpdate and Action items carry them and the reason data."""
    request = dict(AlarmName="Inicio de Sesión", EvaluationPeriods=8, DatapointsToAlarm=1,
                   AlarmActions=[TOPIC], OKActions=[TOPIC])  # fmt: skip
    values = dict.fromkeys(range(8), 2.0) | dict.fromkeys(range(8, 16), 0.0)
    timeline = _timeline(request, values, at=8, until=20)
    to_alarm, to_ok = timeline.transitions
    assert (to_alarm.timestamp, to_ok.timestamp) == (T0 + 8 * MINUTE, T0 + 16 * MINUTE)
    assert to_ok.reason == (
        "Threshold Crossed: 8 out of the last 8 datapoints were not greater than or equal to the threshold (1.0). "
        "The most recent datapoints which crossed the threshold: [0.0 (04/03/24 08:15:00), 0.0 (04/03/24 08:14:00), "
        "0.0 (04/03/24 08:13:00), 0.0 (04/03/24 08:12:00), 0.0 (04/03/24 08:11:00)] "
        "(minimum 8 datapoints for ALARM -> OK transition)."
    )
    assert to_alarm.reason.startswith("Threshold Crossed: 8 out of the last 8 datapoints were greater than")
    assert len(to_alarm.reason_data["evaluatedDatapoints"]) == 8
    assert to_ok.reason_data["evaluatedDatapoints"] == [{"timestamp": _stamp(15), "sampleCount": 1.0, "value": 0.0}]
    assert to_ok.reason_data["recentDatapoints"] == [0.0] * 8 and to_ok.reason_data["startDate"] == _stamp(8)

    kinds = [(h["HistoryItemType"], h["HistorySummary"]) for h in timeline.history]
    assert kinds == [
        ("StateUpdate", "Alarm updated from INSUFFICIENT_DATA to ALARM"),
        ("Action", f"Successfully executed action {TOPIC}"),
        ("StateUpdate", "Alarm updated from ALARM to OK"),
        ("Action", f"Successfully executed action {TOPIC}"),
    ]
    update = json.loads(timeline.history[2]["HistoryData"])
    # §12.3 [OBS]: oldState carries the old state's StateReasonData as an object.
    assert update["oldState"] == {
        "stateValue": "ALARM",
        "stateReason": to_alarm.reason,
        "stateReasonData": to_alarm.reason_data,
    }
    assert update["newState"] == {"stateValue": "OK", "stateReason": to_ok.reason, "stateReasonData": to_ok.reason_data}
    published = json.loads(json.loads(timeline.history[3]["HistoryData"])["publishedMessage"])
    assert published["sms"] == 'OK: "Inicio de Sesi_n" in EU (Ireland)'
    message = json.loads(published["default"])
    assert message["AlarmName"] == "Inicio de Sesión" and message["NewStateReason"] == to_ok.reason
    assert f'because "{to_ok.reason}"' in published["email"]
    assert [n.subject for n in timeline.notifications] == [
        'ALARM: "Inicio de Sesi_n" in EU (Ireland)',
        'OK: "Inicio de Sesi_n" in EU (Ireland)',
    ]


# ------------------------------------------------------------------ subjects


def _subject(name: str, state: str = "ALARM", region: str = "us-east-1") -> str:
    alarm = Alarm.from_put_metric_alarm(BASE | {"AlarmName": name})
    alarm.region = region
    return subject(alarm, state)


def test_non_ascii_characters_of_the_name_become_underscores_in_the_subject() -> None:
    assert _subject("Inicio de Sesión") == 'ALARM: "Inicio de Sesi_n" in US East (N. Virginia)'
    assert _subject("Zugriff – Größe 🚨", "OK") == 'OK: "Zugriff _ Gr__e _" in US East (N. Virginia)'


def test_a_long_name_is_cut_with_three_dots_to_a_subject_of_exactly_100_characters() -> None:
    name = "CIS-4.8-S3BucketConfigurationChanges-production-account-eu-central-and-us-east"
    cut = _subject(name)
    assert cut == f'ALARM: "{name[:63]}..." in US East (N. Virginia)'  # the capture: 63 characters kept
    assert len(cut) == 100
    assert len(_subject(name, "INSUFFICIENT_DATA")) == 100
    assert _subject(name, "INSUFFICIENT_DATA") == f'INSUFFICIENT_DATA: "{name[:51]}..." in US East (N. Virginia)'


def test_the_cut_starts_where_the_subject_would_reach_100_characters() -> None:
    fits = "x" * 65  # 'ALARM: "' and '" in US East (N. Virginia)' are 34 characters: 99 in all
    assert _subject(fits) == f'ALARM: "{fits}" in US East (N. Virginia)'
    assert _subject(fits + "y") == f'ALARM: "{"x" * 63}..." in US East (N. Virginia)'


@given(st.text(min_size=1, max_size=255).filter(lambda s: all(ord(c) >= 32 for c in s)),
       st.sampled_from(["ALARM", "OK", "INSUFFICIENT_DATA"]),
       st.sampled_from(["us-east-1", "sa-east-1", "ap-southeast-2", "eu-north-1"]))  # fmt: skip
def test_subjects_are_ascii_and_at_most_100_characters(name: str, state: str, region: str) -> None:
    got = _subject(name, state, region)
    assert got.isascii() and len(got) <= 100
    sanitised = "".join(c if c.isascii() else "_" for c in name)
    head, tail = f'{state}: "', f'" in {region_name(region)}'
    if len(head + sanitised + tail) < 100:
        assert got == head + sanitised + tail
    else:
        kept = 100 - len(head) - len(tail) - 3
        assert got == head + sanitised[:kept] + "..." + tail


# ------------------------------------------------------------------ the replay table

# Six S3 bucket configuration changes in the 5-minute period 08:10-08:15 (two in minute 08:12).
BURST = [("08:10:05", "PutBucketPolicy"), ("08:11:10", "PutBucketAcl"), ("08:12:20", "PutBucketCors"),
         ("08:12:50", "DeleteBucketCors"), ("08:13:30", "PutBucketLifecycle"),
         ("08:14:40", "PutBucketReplication")]  # fmt: skip
ACCOUNT = "111122223333"


def _burst_tree(root: Path) -> Path:
    """Half an hour of generated CloudTrail traffic without bucket changes (synth.generate_tree,
    episodes=0) plus one delivered file holding the burst."""
    generate_tree(root, seed=11, hours=0.5, episodes=0)
    records = [
        {"eventVersion": "1.09", "eventTime": f"2024-03-04T{hms}Z", "eventSource": "s3.amazonaws.com",
         "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7",
         "userIdentity": {"type": "IAMUser", "accountId": ACCOUNT, "userName": "alice"},
         "requestParameters": {"bucketName": "reports-prod"}, "responseElements": None,
         "eventID": f"00000000-0000-4000-8000-{i:012d}", "readOnly": False, "eventType": "AwsApiCall",
         "managementEvent": True, "recipientAccountId": ACCOUNT, "eventCategory": "Management"}
        for i, (hms, name) in enumerate(BURST)
    ]  # fmt: skip
    folder = root / "AWSLogs" / ACCOUNT / "CloudTrail" / "us-east-1" / "2024" / "03" / "04"
    path = folder / f"{ACCOUNT}_CloudTrail_us-east-1_20240304T0820Z_burstburstburst0.json.gz"
    path.write_bytes(gzip.compress(json.dumps({"Records": records}).encode(), mtime=0))
    return root


def test_replay_of_cwl012_over_a_burst_names_one_datapoint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CWL-012's own alarm evaluates one 5-minute period (N = 1): a burst of six changes is one
    datapoint, so its reason can never reach five supporting datapoints, and it goes to ALARM on
    the first change (sliding window 08:06-08:11)."""
    tree = _burst_tree(tmp_path / "tree")
    assert main(["replay", str(tree), "--rule", "CWL-012", "--jobs", "1", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert (
        "  #1   ALARM at 2024-03-04T08:11:00Z, left at 2024-03-04T08:30:00Z for INSUFFICIENT_DATA; 1 notification\n"
        "        why: Threshold Crossed: 1 datapoint [1.0 (04/03/24 08:06:00)] was greater than or equal to the "
        "threshold (1.0).\n"
    ) in out
    assert "#2 " not in out and "The most recent datapoints" not in out


PER_MINUTE = [
    pytest.param(
        {"EvaluationPeriods": 5},
        "08:27",
        "Threshold Crossed: 5 datapoints were greater than or equal to the threshold (1.0). The most recent "
        "datapoints which crossed the threshold: [1.0 (04/03/24 08:14:00), 1.0 (04/03/24 08:13:00), "
        "2.0 (04/03/24 08:12:00), 1.0 (04/03/24 08:11:00), 1.0 (04/03/24 08:10:00)].",
        id="M-unset",
    ),
    pytest.param(
        {"EvaluationPeriods": 10, "DatapointsToAlarm": 5},
        "08:32",
        "Threshold Crossed: 5 out of the last 10 datapoints were greater than or equal to the threshold (1.0). "
        "The most recent datapoints which crossed the threshold: [1.0 (04/03/24 08:14:00), 1.0 (04/03/24 08:13:00), "
        "2.0 (04/03/24 08:12:00), 1.0 (04/03/24 08:11:00), 1.0 (04/03/24 08:10:00)] "
        "(minimum 5 datapoints for OK -> ALARM transition).",
        id="M-set",
    ),
]


@pytest.mark.parametrize(("shape", "left", "reason"), PER_MINUTE)
def test_replay_of_cwl012_with_a_per_minute_alarm_prints_the_long_wording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], shape: dict, left: str, reason: str
) -> None:
    """The same burst under a per-minute alarm on CWL-012's metric: five supporting datapoints,
    so the replay table's ALARM episode shows the long wording of §11.1, as the SNS message does.
    It leaves ALARM when the last change (08:14) drops out of the R = N + 7 minutes looked back."""
    tree = _burst_tree(tmp_path / "tree")
    alarm = tmp_path / "alarm.json"
    request = {"AlarmName": "S3BucketChangesPerMinute", "Namespace": "CloudTrailMetrics",
               "MetricName": "S3BucketEventCount", "Statistic": "Sum", "Period": 60, "Threshold": 1,
               "ComparisonOperator": "GreaterThanOrEqualToThreshold", "AlarmActions": [TOPIC]}  # fmt: skip
    alarm.write_text(json.dumps(request | shape))
    notes = tmp_path / "notes.jsonl"
    assert main(["replay", str(tree), "--rule", "CWL-012", "--alarm", str(alarm), "--jobs", "1", "--no-progress",
                 "--notifications-jsonl", str(notes)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert (
        f"  #1   ALARM at 2024-03-04T08:15:00Z, left at 2024-03-04T{left}:00Z for INSUFFICIENT_DATA; "
        f"1 notification\n        why: {reason}\n"
    ) in out
    (note,) = [json.loads(line) for line in notes.read_text().splitlines()]
    assert note["message"]["NewStateReason"] == reason
    assert note["subject"] == 'ALARM: "S3BucketChangesPerMinute" in EU (Ireland)'
