"""The issue's "Done when" over the shipped samples: the CWL-012 alarm and the composite
``ALARM(S3BucketConfigChangesAlarm) AND NOT ALARM(Maintenance)`` of ``samples/alarms/s3-changes.yaml``
replayed over ``samples/cloudtrail``."""

from __future__ import annotations

from pathlib import Path

from cwfilter.alarm import evaluate_all
from cwfilter.config import load_metric_filters
from cwfilter.config.composites import load_alarm_set
from cwfilter.metric import Datapoints
from cwfilter.replayer import replay
from cwfilter.times import parse_time

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "samples" / "alarms" / "s3-changes.yaml"


def _timelines() -> dict:
    datapoints = Datapoints()
    for mf in load_metric_filters(TEMPLATE).values():
        datapoints.merge(replay([str(ROOT / "samples" / "cloudtrail")], mf).datapoints)
    s = load_alarm_set(TEMPLATE, region="us-east-1", account_id="111122223333")
    start, end = parse_time("2024-03-04T08:00:00Z"), parse_time("2024-03-04T11:20:00Z")
    return evaluate_all(s.alarms.values(), s.composites.values(), datapoints, start, end)


def test_the_composite_follows_its_children_and_stays_silent_during_maintenance() -> None:
    timelines = _timelines()
    s3, maintenance = timelines["S3BucketConfigChangesAlarm"], timelines["Maintenance"]
    composite = timelines["S3ChangesOutsideMaintenance"]
    child_times = {t.timestamp for t in s3.transitions} | {t.timestamp for t in maintenance.transitions}
    assert all(t.timestamp in child_times for t in composite.transitions[1:])  # at the children's times
    (enter, leave), = [(e.timestamp, x.timestamp) for e, x in maintenance.episodes()]  # fmt: skip
    notes = composite.notifications
    assert notes and not [n for n in notes if enter <= n.timestamp < leave]  # none while Maintenance is in ALARM
    # S3 went to ALARM at 08:59 during maintenance: the composite pages when maintenance ends, at its time.
    late = [n for n in notes if n.timestamp == leave]
    assert late and late[0].message["NewStateReason"] == (
        "arn:aws:cloudwatch:us-east-1:111122223333:alarm:Maintenance transitioned to INSUFFICIENT_DATA at "
        "Monday 4 March, 2024 09:04:00 UTC"
    )
    first = notes[0].message
    assert first["NewStateReason"] == (
        "arn:aws:cloudwatch:us-east-1:111122223333:alarm:S3BucketConfigChangesAlarm transitioned to ALARM at "
        "Monday 4 March, 2024 08:14:00 UTC"
    )
    assert first["AlarmRule"] == "ALARM(S3BucketConfigChangesAlarm) AND NOT ALARM(Maintenance)"
    assert first["TriggeringChildren"] == [{"Arn": "arn:aws:cloudwatch:us-east-1:111122223333:alarm:"
                                            "S3BucketConfigChangesAlarm",
                                            "State": {"Value": "ALARM", "Timestamp": "2024-03-04T08:14:00.000+0000"}}]  # fmt: skip
    assert len(notes) == 5  # five S3 episodes, the second one paged late
