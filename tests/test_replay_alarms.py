"""``cwfilter replay`` with several filters and metric, math and composite alarms together, and
``--history`` (alarms.md §12.1–12.3), from the shipped samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cwfilter.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
TRAIL = str(SAMPLES / "cloudtrail")
TEMPLATE = str(SAMPLES / "alarms" / "s3-changes.yaml")


def test_a_template_with_two_filters_and_a_composite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = tmp_path / "notes.jsonl"
    assert main(["replay", TRAIL, "--alarm", TEMPLATE, "--output", "json", "--no-progress",
                 "--notifications-jsonl", str(notes)]) == 0  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    assert [f["metric"]["name"] for f in doc["filters"]] == ["S3BucketEventCount", "MaintenanceStarted"]
    alarms = {a["name"]: a for a in doc["alarms"]}
    composite = alarms["S3ChangesOutsideMaintenance"]
    assert composite["configuration"]["AlarmRule"] == "ALARM(S3BucketConfigChangesAlarm) AND NOT ALARM(Maintenance)"
    maintenance = [(t["timestamp"], t["newState"]) for t in alarms["Maintenance"]["transitions"]]
    assert maintenance == [("2024-03-04T08:49:00Z", "ALARM"), ("2024-03-04T09:04:00Z", "INSUFFICIENT_DATA")]
    sent = [json.loads(line) for line in notes.read_text().splitlines()]
    assert len(sent) == 5 and all("TriggeringChildren" in n["message"] for n in sent)
    assert not [n for n in sent if "2024-03-04T08:49" <= n["timestamp"] < "2024-03-04T09:04"]
    assert sent[1]["message"]["NewStateReason"].endswith("alarm:Maintenance transitioned to INSUFFICIENT_DATA at "
                                                         "Monday 4 March, 2024 09:04:00 UTC")  # fmt: skip


def test_history_items(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", TRAIL, "--alarm", TEMPLATE, "--history", "--output", "json", "--no-progress"]) == 0
    items = json.loads(capsys.readouterr().out)["AlarmHistoryItems"]
    assert items == sorted(items, key=lambda h: h["Timestamp"], reverse=True)
    composite = [h for h in items if h["AlarmName"] == "S3ChangesOutsideMaintenance"]
    assert {h["AlarmType"] for h in composite} == {"CompositeAlarm"}
    update = next(json.loads(h["HistoryData"]) for h in composite if h["HistoryItemType"] == "StateUpdate")
    assert set(update["oldState"]) == {"stateValue", "stateReason", "stateReasonData"}  # §12.3


def test_a_rule_with_a_math_alarm_and_a_composite_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", TRAIL, "--rule", "CWL-012", "--alarm", str(SAMPLES / "alarms" / "math.json"),
                 "--no-progress"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "S3BucketChangesFilled: FILL(m1, 0) (metric math) over 300 s" in out
    assert "why: Threshold Crossed: 1 datapoint [0.0 (04/03/24 07:55:00)] was greater than or equal to the " in out
    assert main(["replay", TRAIL, "--rule", "CWL-012", "--alarm", str(SAMPLES / "alarms" / "composite.json"),
                 "--no-progress"]) == 2  # fmt: skip
    assert ("Could not save the composite alarm as alarms [S3BucketConfigChangesAlarm, Maintenance] in the alarm "
            "rule do not exist") in capsys.readouterr().err  # fmt: skip


def test_two_rules_and_their_own_alarms(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["replay", TRAIL, "--rule", "CWL-012", "--rule", "CloudWatch.9", "--output", "csv", "--no-progress"]) == 0
    )
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].startswith("alarm,timestamp,old_state,new_state")
    assert any(r.startswith("S3BucketEventCount-alarm,") for r in rows)


def test_alarm_name_picks_a_composite_and_what_it_needs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", TRAIL, "--alarm", TEMPLATE, "--alarm-name", "S3ChangesOutsideMaintenance", "--output",
                 "json", "--no-progress"]) == 0  # fmt: skip
    names = [a["name"] for a in json.loads(capsys.readouterr().out)["alarms"]]
    assert sorted(names) == ["Maintenance", "S3BucketConfigChangesAlarm", "S3ChangesOutsideMaintenance"]
    assert main(["replay", TRAIL, "--alarm", TEMPLATE, "--alarm-name", "Maintenance", "--output", "json",
                 "--no-progress"]) == 0  # fmt: skip
    assert [a["name"] for a in json.loads(capsys.readouterr().out)["alarms"]] == ["Maintenance"]
