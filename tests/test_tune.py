"""``cwfilter tune``: a grid of alarm settings on one replay. The property: for every setting, its
numbers equal those of a separate ``cwfilter replay`` with that setting (the alarm given as a
PutMetricAlarm file), computed here from the replay's own JSON and ``--matches`` records."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cwfilter.alarm import default_evaluation_range
from cwfilter.cli import main
from cwfilter.times import parse_time

from .synth import generate_tree

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _ms(text: str) -> int:
    ms = parse_time(text)
    assert ms is not None
    return ms


def _expected(doc: dict[str, Any], matches: list[dict[str, Any]], alarm: dict[str, Any]) -> dict[str, Any]:
    """The tune numbers of one setting, from a separate replay's JSON (its own arithmetic)."""
    tl = doc["alarm"]
    start, end = _ms(tl["createdAt"]), _ms(tl["evaluatedUntil"])
    changes = [(start, tl["initialState"])] + [(_ms(t["timestamp"]), t["newState"]) for t in tl["transitions"]]
    spans = [(a, changes[i + 1][0] if i + 1 < len(changes) else end, s) for i, (a, s) in enumerate(changes)]
    in_alarm = [(a, b) for a, b, s in spans if s == "ALARM"]
    merged_quiet, run = [], 0  # consecutive stretches not in ALARM are one quiet time
    for a, b, s in spans:
        run = run + (b - a) if s != "ALARM" else 0
        merged_quiet.append(run)
    r = default_evaluation_range(alarm["Period"], alarm["EvaluationPeriods"])
    missed = []
    for m in matches:
        minute = _ms(m["timestamp"]) // 60_000 * 60_000
        evaluations = range(minute + 60_000, minute + r * alarm["Period"] * 1000 + 1, 60_000)
        if not any(tl_state(changes, t) == "ALARM" for t in evaluations if t <= end):
            missed.append((m["timestamp"], m["index"]))
    to_alarm = [t for t in tl["transitions"] if t["newState"] == "ALARM"]
    return {
        "alarms": len(to_alarm),
        "notifications": sum(1 for n in tl["notifications"] if n["message"]["NewStateValue"] == "ALARM"),
        "timeInAlarmSeconds": sum(b - a for a, b in in_alarm) // 1000,
        "firstAlarm": to_alarm[0]["timestamp"] if to_alarm else None,
        "longestQuietSeconds": max(merged_quiet, default=0) // 1000,
        "unnoticed": sorted(missed),
    }


def tl_state(changes: list[tuple[int, str]], t: int) -> str:
    """The state after the evaluation at ``t``."""
    state = changes[0][1]
    for when, new in changes:
        if when > t:
            break
        state = new
    return state


grids = st.fixed_dictionaries(
    {
        "threshold": st.lists(st.sampled_from(["1", "2", "3", "0.5"]), min_size=1, max_size=2, unique=True),
        "period": st.lists(st.sampled_from(["60", "120", "300"]), min_size=1, max_size=2, unique=True),
        "evaluation-periods": st.lists(st.sampled_from(["1", "2", "3"]), min_size=1, max_size=1),
        "datapoints-to-alarm": st.lists(st.sampled_from(["unset", "1"]), min_size=1, max_size=1),
        "statistic": st.lists(st.sampled_from(["Sum", "Maximum", "SampleCount", "p90"]), min_size=1, max_size=1),
        "treat-missing-data": st.lists(st.sampled_from(["unset", "notBreaching", "breaching", "ignore"]), max_size=1),
    }
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), hours=st.sampled_from([0.5, 1.0, 1.5]), episodes=st.integers(1, 6), grid=grids)
def test_each_setting_equals_a_separate_replay(
    capsys: pytest.CaptureFixture[str], seed: int, hours: float, episodes: int, grid: dict[str, list[str]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        start = datetime(2024, 5, 1, 10, seed % 60, tzinfo=timezone.utc)
        generate_tree(root / "tree", seed=seed, start=start, hours=hours, per_minute=2, episodes=episodes)
        args = ["tune", str(root / "tree"), "--rule", "CWL-012", "--output", "json"]
        for name, values in grid.items():
            args += [f"--{name}", *values] if values else []
        code, out, err = _run(capsys, *args)
        assert code == 0, err
        doc = json.loads(out)
        assert doc["settings"] and sum(s["own"] for s in doc["settings"]) == 1
        for row in doc["settings"]:
            alarm = {k: v for k, v in doc["alarm"].items() if k not in ("Statistic", "ExtendedStatistic",
                                                                        "DatapointsToAlarm", "TreatMissingData")}  # fmt: skip
            alarm.update(row["setting"])
            (root / "alarm.json").write_text(json.dumps(alarm))
            code, out, err = _run(capsys, "replay", str(root / "tree"), "--rule", "CWL-012", "--alarm",
                                  str(root / "alarm.json"), "--matches", str(root / "m.jsonl"), "--output", "json")  # fmt: skip
            assert code == 0, err
            matches = [json.loads(line) for line in (root / "m.jsonl").read_text().splitlines()]
            want = _expected(json.loads(out), matches, alarm)
            got = {k: row[k] for k in want if k != "unnoticed"}
            got["firstAlarm"] = row["firstAlarm"] and row["firstAlarm"].replace("Z", ".000+0000")
            got["unnoticed"] = sorted((u["timestamp"], u["index"]) for u in row["unnoticed"])
            want["firstAlarm"] = want["firstAlarm"] and _aws(want["firstAlarm"])
            assert got == want, row["label"]


def _aws(iso: str) -> str:
    return iso.replace("Z", ".000+0000") if iso.endswith("Z") else iso


def test_tune_on_the_samples(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = _run(capsys, "tune", str(SAMPLES / "cloudtrail"), "--rule", "CWL-012",
                          "--threshold", "1,2,3", "--period", "60", "300")  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("alarm           S3BucketEventCount-alarm: 6 settings compared")
    own = [line for line in lines if line.startswith(" * ")]
    assert own == [own[0]] and "Sum ≥ 1 per 300 s, 1 of 1, missing" in own[0]
    assert "unnoticed events (the alarm never in ALARM" in out
    assert "1,117 read: 13 matched" in out
    # CSV: one row per setting, the same order; JSON through --query.
    code, out, _ = _run(capsys, "tune", str(SAMPLES / "cloudtrail"), "--rule", "CWL-012", "--threshold", "1", "3",
                        "--output", "csv")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["threshold"] for r in rows] == ["1", "3"] and rows[0]["own"] == "*"
    assert rows[1]["unnoticedEvents"] == "4"
    code, out, _ = _run(capsys, "tune", str(SAMPLES / "cloudtrail"), "--rule", "CWL-012", "--threshold", "1", "3",
                        "--query", "settings[].notifications", "--output", "json")  # fmt: skip
    assert json.loads(out) == [5, 9]
    # HTML: one row per setting, with its band.
    page = tmp_path / "tune.html"
    code, _, _ = _run(capsys, "tune", str(SAMPLES / "cloudtrail"), "--rule", "CWL-012", "--threshold", "1", "3",
                      "--output", "html", "-o", str(page))  # fmt: skip
    text = page.read_text()
    assert code == 0 and text.count('<tr class="') == 2 and "band-A" in text and "<script" not in text


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        (["--period", "90"], "Period must be 10, 20, 30 or a multiple of 60"),
        (["--evaluation-periods", "2", "--datapoints-to-alarm", "3"],
         "DatapointsToAlarm must be less than or equal to EvaluationPeriods"),
        (["--treat-missing-data", "sometimes"], "The value sometimes is not supported for TreatMissingData parameter"),
        (["--statistic", "Median"], "Value 'Median' at 'statistic' failed to satisfy constraint"),
        (["--period", "3600", "--evaluation-periods", "200"], "Metrics cannot be checked across more than a week"),
        (["--period", "30"], "high-resolution alarms need 1-second metrics"),
    ],
)  # fmt: skip
def test_settings_aws_would_refuse(capsys: pytest.CaptureFixture[str], grid: list[str], message: str) -> None:
    code, out, err = _run(capsys, "tune", str(SAMPLES / "cloudtrail"), "--rule", "CWL-012", *grid)
    assert code == 2 and out == ""
    assert message in err and "setting " in err and "Traceback" not in err


def test_tune_needs_an_alarm(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "tune", str(SAMPLES / "cloudtrail"), "--filter-pattern", "{ $.a = 1 }")
    assert code == 2 and "tune needs an alarm" in err


def test_grid_keeps_the_alarm_own_setting_first_and_once() -> None:
    from cwfilter.alarm import Alarm
    from cwfilter.alarm.tuning import Setting, grid

    base = Alarm("a", "N", "M", period=300, evaluation_periods=1, threshold=1,
                 comparison_operator="GreaterThanOrEqualToThreshold")  # fmt: skip
    got = grid(base, thresholds=[2, 1], periods=[60, 300])
    assert got[0] == Setting.of(base) and len(got) == 4 == len(set(got))
    assert [(s.threshold, s.period) for s in got] == [(1, 300), (2, 60), (2, 300), (1, 60)]
    assert grid(base) == [Setting.of(base)]
    p90 = grid(base, statistics=["p90"])[1].alarm(base)
    assert (p90.statistic, p90.extended_statistic) == (None, "p90")


def test_an_event_is_noticed_up_to_r_periods_later() -> None:
    """One event at 10:00:30; the alarm (1 of 1 per 60 s, R = 1 + 7 = 8) goes to ALARM at 10:01 and
    back at 10:02. Seen at 10:01 to 10:08: noticed; an alarm in ALARM only from 10:09 misses it."""
    from cwfilter.alarm import AlarmTimeline, Transition
    from cwfilter.alarm.model import Alarm
    from cwfilter.alarm.tuning import unnoticed_events
    from cwfilter.replayer import Match

    alarm = Alarm("a", "N", "M", period=60, evaluation_periods=1, threshold=1,
                  comparison_operator="GreaterThanOrEqualToThreshold")  # fmt: skip
    t = 1_709_546_400_000  # 2024-03-04T10:00Z
    event = Match(t + 30_000, "f", 0, {})

    def timeline(at: int) -> AlarmTimeline:
        tl = AlarmTimeline(alarm, t - 600_000, t + 3_600_000, "OK")
        tl.transitions = [Transition(at, "OK", "ALARM", "", {}, []), Transition(at + 60_000, "ALARM", "OK", "", {}, [])]
        return tl

    assert unnoticed_events(timeline(t + 60_000), [event]) == []
    assert unnoticed_events(timeline(t + 8 * 60_000), [event]) == []
    assert unnoticed_events(timeline(t + 9 * 60_000), [event]) == [event]
    assert unnoticed_events(timeline(t), [event]) == [event]  # ALARM before the event's minute was read
