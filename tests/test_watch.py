"""``cwfilter watch`` (issue 27): the live engine against replay (the same events give the same
transitions and notifications), late data, bounded memory, ``tail -F`` and the state file."""

from __future__ import annotations

import gzip
import io
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import cwfilter
from cwfilter.alarm import Alarm, evaluate
from cwfilter.live import LineEvents, ManualClock, Watch
from cwfilter.live.follow import Batch, FileFollower

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TOPIC = "arn:aws:sns:us-east-1:111122223333:security"
RULE = cwfilter.find_rule("CWL-012")
T0 = int(datetime(2024, 3, 4, 8, 0, tzinfo=timezone.utc).timestamp() * 1000)


def _cli(*args: str, stdin: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "cwfilter", *args], input=stdin, capture_output=True,
                          timeout=timeout, check=False)  # fmt: skip


def _watched_notifications(out: bytes) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in out.decode().splitlines()]
    return [{k: v for k, v in d.items() if k != "type"} for d in lines if d["type"] == "notification"]


def _replayed_notifications(*inputs: str) -> list[dict[str, Any]]:
    done = _cli("replay", *inputs, "--rule", "CWL-012", "--topic-arn", TOPIC, "--output", "json", "--query",
                "alarm.notifications")  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _delivery_order(tree: Path) -> bytes:
    """The tree's CloudTrail files as they were delivered (by the stamp in their names), one
    document a line: what a live feed of the trail sees."""
    files = [p for p in tree.rglob("*.json.gz") if "Digest" not in p.name]
    files.sort(key=lambda p: (re.search(r"_(\d{8}T\d{4}Z)_", p.name).group(1), p.name))  # type: ignore[union-attr]
    return b"".join(gzip.decompress(p.read_bytes()).strip() + b"\n" for p in files)


def test_watch_replay_clock_prints_what_replay_notifies_on_the_sample_events() -> None:
    data = (SAMPLES / "cloudtrail-events.jsonl").read_bytes()
    done = _cli("watch", "--rule", "CWL-012", "--clock", "replay", "--topic-arn", TOPIC, "--output", "json", stdin=data)
    assert done.returncode == 0, done.stderr
    watched = _watched_notifications(done.stdout)
    assert watched and watched == _replayed_notifications(str(SAMPLES / "cloudtrail-events.jsonl"))


def test_watch_replay_clock_on_the_sample_tree_in_delivery_order_matches_replay() -> None:
    done = _cli("watch", "--rule", "CWL-012", "--clock", "replay", "--topic-arn", TOPIC, "--output", "json",
                stdin=_delivery_order(SAMPLES / "cloudtrail"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    watched = _watched_notifications(done.stdout)
    assert len(watched) == 5
    assert watched == _replayed_notifications(str(SAMPLES / "cloudtrail"))
    assert b"1,117 records: 13 matched" in done.stderr


def test_watch_reads_a_file_with_the_replay_clock_and_prints_transitions_for_people() -> None:
    done = _cli("watch", str(SAMPLES / "cloudtrail-events.jsonl"), "--rule", "CWL-012", "--clock", "replay")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode().splitlines()
    assert lines[0].startswith("2024-03-04T09:03:00Z  S3BucketEventCount-alarm  INSUFFICIENT_DATA -> ALARM  Threshold")
    assert "notification to arn:aws:sns:" in lines[1]
    assert lines[2].startswith("2024-03-04T09:36:00Z  S3BucketEventCount-alarm  ALARM -> INSUFFICIENT_DATA")


def _record(ms: int, name: str, index: int) -> bytes:
    when = datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps({"eventVersion": "1.08", "eventTime": when, "eventSource": "s3.amazonaws.com",
                       "eventName": name, "eventID": f"id-{index}", "awsRegion": "us-east-1"}).encode()  # fmt: skip


def _alarm(period: int, n: int, m: int | None, missing: str | None) -> Alarm:
    return Alarm(name="live", namespace="CloudTrailMetrics", metric_name="S3BucketEventCount", statistic="Sum",
                 period=period, evaluation_periods=n, datapoints_to_alarm=m, threshold=1,
                 comparison_operator="GreaterThanOrEqualToThreshold", treat_missing_data=missing,
                 alarm_actions=[TOPIC], ok_actions=[TOPIC], region="us-east-1", account_id="111122223333")  # fmt: skip


NAMES = st.sampled_from(["PutBucketPolicy", "GetObject", "PutBucketAcl"])
events = st.lists(st.tuples(st.integers(0, 180 * 60_000), NAMES, st.integers(0, 50_000)), min_size=1, max_size=40)


@settings(max_examples=40, deadline=None)
@given(
    events=events,
    period=st.sampled_from([60, 120, 300]),
    n=st.integers(1, 3),
    m=st.sampled_from([None, 1]),
    missing=st.sampled_from([None, "notBreaching", "breaching", "ignore"]),
)
def test_watch_on_an_injected_clock_gives_replays_transitions_and_notifications(
    events: list[tuple[int, str, int]], period: int, n: int, m: int | None, missing: str | None
) -> None:
    """Events arrive at their time plus a lag of up to 50 s, in arrival order, on a clock the
    test moves; with an evaluation delay of 50 s the watch sees at each minute what replay sees."""
    mf = RULE.metric_filter(via="CWL-012")
    alarm = _alarm(period, n, m, missing)
    stamped = [(T0 + at, name, lag) for at, name, lag in events]
    created = min(t for t, _, _ in stamped) // 60_000 * 60_000
    clock = ManualClock(T0)
    watch = Watch(mf, alarm, delay_ms=50_000, created_at=created)
    feed = LineEvents(watch)
    arrivals = sorted((t + lag, i, t, name) for i, (t, name, lag) in enumerate(stamped))
    for arrival, i, t, name in arrivals:
        clock.set(arrival)
        watch.advance(clock.now())
        feed.lines("gen", [_record(t, name, i)], clock.now())
    end = watch.settled()
    assert end is not None
    clock.set(end + watch.delay)
    watch.advance(clock.now())
    changes = [e for e in watch.take() if hasattr(e, "transition")]

    replayed = cwfilter.replay([(t, _record(t, name, i)) for i, (t, name, _) in enumerate(stamped)], mf)
    timeline = evaluate(alarm, replayed.datapoints, created, end)
    assert [c.transition for c in changes] == timeline.transitions  # type: ignore[attr-defined]
    assert [n for c in changes for n in c.notifications] == timeline.notifications  # type: ignore[attr-defined]
    assert watch.counts.late == 0 and watch.counts.matched == replayed.accounting.matched


@settings(max_examples=40, deadline=None)
@given(events=events, period=st.sampled_from([60, 300]), n=st.integers(1, 3),
       missing=st.sampled_from([None, "breaching", "notBreaching"]))  # fmt: skip
def test_watch_on_the_replay_clock_gives_replays_transitions_when_disorder_is_within_the_delay(
    events: list[tuple[int, str, int]], period: int, n: int, missing: str | None
) -> None:
    """Events read in the order they arrive (each up to 50 s after its time), the newest event
    time as the clock, an evaluation delay of 50 s: replay's timeline, the alarm created at the
    first event's minute as replay creates it."""
    mf = RULE.metric_filter(via="CWL-012")
    alarm = _alarm(period, n, None, missing)
    stamped = [(T0 + at, name, lag) for at, name, lag in events]
    watch = Watch(mf, alarm, delay_ms=50_000, event_clock=True)
    feed = LineEvents(watch)
    for _, i, t, name in sorted((t + lag, i, t, name) for i, (t, name, lag) in enumerate(stamped)):
        feed.lines("gen", [_record(t, name, i)], None)
    end = watch.settled()
    assert end is not None
    watch.advance(end + watch.delay)
    changes = [e for e in watch.take() if hasattr(e, "transition")]
    replayed = cwfilter.replay([(t, _record(t, name, i)) for i, (t, name, _) in enumerate(stamped)], mf)
    created = min(t for t, _, _ in stamped) // 60_000 * 60_000
    timeline = evaluate(alarm, replayed.datapoints, created, end)
    assert watch.created_at == created
    assert [c.transition for c in changes] == timeline.transitions  # type: ignore[attr-defined]
    assert [n for c in changes for n in c.notifications] == timeline.notifications  # type: ignore[attr-defined]


def test_late_data_counts_from_the_next_evaluation_and_never_rewrites_one_made() -> None:
    mf = RULE.metric_filter(via="CWL-012")
    watch = Watch(mf, _alarm(60, 1, None, None), created_at=T0)
    feed = LineEvents(watch)
    watch.advance(T0 + 5 * 60_000)  # 08:00 ... 08:05 evaluated: no data
    feed.lines("x", [_record(T0 + 4 * 60_000 + 1, "PutBucketPolicy", 1)], T0 + 5 * 60_000 + 10)  # 08:04, late
    assert watch.counts.late == 1
    watch.advance(T0 + 6 * 60_000)
    changes = [e for e in watch.take() if hasattr(e, "transition")]
    assert [c.transition.timestamp for c in changes] == [T0 + 6 * 60_000]  # type: ignore[attr-defined]
    assert changes[0].transition.new_state == "ALARM"  # type: ignore[attr-defined]
    feed.lines("x", [_record(T0 - 60 * 60_000, "PutBucketPolicy", 2)], T0 + 6 * 60_000 + 10)  # an hour old
    assert watch.counts.expired == 1


def test_memory_is_bounded_by_the_alarms_window() -> None:
    mf = RULE.metric_filter(via="CWL-012")
    watch = Watch(mf, _alarm(300, 1, None, None), event_clock=True)
    feed = LineEvents(watch)
    for minute in range(600):
        feed.lines("x", [_record(T0 + minute * 60_000 + 5, "PutBucketPolicy", minute)], None)
    minutes = {m for series in watch.acc.points.series.values() for m in series}
    assert len(minutes) <= watch.window_ms // 60_000 + 1
    assert watch.counts.records == 600


def _drain(q: queue.Queue[Batch], until: float = 3.0) -> list[Batch]:
    out, deadline = [], time.monotonic() + until
    while time.monotonic() < deadline:
        try:
            out.append(q.get(timeout=0.1))
        except queue.Empty:
            if out and not any(b.lines or b.note for b in out[-1:]):
                break
    return out


def test_follow_survives_rotation_and_truncation(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(b"old line\n")
    q: queue.Queue[Batch] = queue.Queue()
    stop = threading.Event()
    follower = FileFollower(str(log), follow=True, from_start=False)
    thread = threading.Thread(target=follower.run, args=(q, stop), daemon=True)
    thread.start()
    try:
        time.sleep(0.5)
        with open(log, "ab") as f:
            f.write(b"one\ntwo")  # "two" is not finished yet
        time.sleep(0.6)
        with open(log, "ab") as f:
            f.write(b"\n")
        time.sleep(0.6)
        os.rename(log, tmp_path / "app.log.1")  # rotation: a new file under the name
        with open(tmp_path / "app.log.1", "ab") as f:
            f.write(b"three\n")  # written to the old file before the writer reopens
        log.write_bytes(b"four\n")
        time.sleep(1.0)
        log.write_bytes(b"")  # truncation
        time.sleep(0.6)
        with open(log, "ab") as f:
            f.write(b"five\n")
        time.sleep(1.0)
    finally:
        stop.set()
        thread.join(timeout=5)
    batches = []
    while not q.empty():
        batches.append(q.get())
    lines = [line for b in batches for line in b.lines]
    notes = [b.note for b in batches if b.note]
    assert lines == [b"one", b"two", b"three", b"four", b"five"]
    assert any("rotated" in n for n in notes) and any("truncated" in n for n in notes)


def test_state_file_restores_the_window_and_the_alarm(tmp_path: Path) -> None:
    from cwfilter.live import load, restore, save, snapshot

    mf = RULE.metric_filter(via="CWL-012")
    alarm = _alarm(300, 1, None, None)
    whole = Watch(mf, alarm, event_clock=True)
    first = Watch(mf, alarm, event_clock=True)
    lines = [_record(T0 + k * 97_000, "PutBucketPolicy" if k % 23 == 0 else "GetObject", k) for k in range(120)]
    LineEvents(whole).lines("x", lines, None)
    LineEvents(first).lines("x", lines[:50], None)
    state = tmp_path / "state.json"
    save(str(state), snapshot(first, {}, []))
    second = Watch(mf, alarm, event_clock=True)
    assert restore(second, load(str(state)), str(state)) == []  # type: ignore[arg-type]
    LineEvents(second).lines("x", lines[50:], None)
    changes = [e.transition for w in (first, second) for e in w.take() if hasattr(e, "transition")]
    expected = [e.transition for e in whole.take() if hasattr(e, "transition")]
    assert changes == expected and len(expected) >= 4
    assert second.counts.records == 120


class _FakeLogs:
    """A CloudWatch Logs client: one live session (results, then a sampled update), then polling."""

    def __init__(self, old: list[dict[str, Any]], live: list[dict[str, Any]]) -> None:
        self.old, self.live = old, live
        self.polls: list[dict[str, Any]] = []
        self.tails: list[dict[str, Any]] = []

    def describe_log_groups(self, logGroupNamePrefix: str) -> dict[str, Any]:
        return {"logGroups": [{"logGroupName": "trail", "arn": "arn:aws:logs:us-east-1:1:log-group:trail:*"}]}

    def filter_log_events(self, **request: Any) -> dict[str, Any]:
        self.polls.append(request)
        return {"events": self.old}

    def start_live_tail(self, **request: Any) -> dict[str, Any]:
        self.tails.append(request)
        updates = [{"sessionStart": {}}, {"sessionUpdate": {"sessionMetadata": {"sampled": False},
                                                             "sessionResults": self.live}},
                   {"sessionUpdate": {"sessionMetadata": {"sampled": True}, "sessionResults": []}}]  # fmt: skip
        return {"responseStream": iter(updates)}


def test_log_group_live_tail_then_polling_each_event_once() -> None:
    from cwfilter.live.logs import LogGroupReader

    now = int(time.time() * 1000)
    old = [{"logStreamName": "s", "timestamp": now - 1000, "message": "ERROR one", "eventId": "1"}]
    live = [{"logStreamName": "s", "timestamp": now - 1000, "message": "ERROR one"},  # the same event again
            {"logStreamName": "s", "timestamp": now, "message": "ERROR two"}]  # fmt: skip
    client = _FakeLogs(old, live)
    reader = LogGroupReader(client, "trail", "ERROR", 0.05, None, False)
    q: queue.Queue[Batch] = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(target=reader.run, args=(q, stop), daemon=True)
    thread.start()
    time.sleep(0.5)
    stop.set()
    thread.join(timeout=5)
    batches = list(q.queue)
    events = [e for b in batches if b.items for e in b.lines]
    assert events == [(now - 1000, b"ERROR one"), (now, b"ERROR two")]
    assert any(b.note and "sampled" in b.note for b in batches) and not reader.live
    assert client.tails[0] == {"logGroupIdentifiers": ["arn:aws:logs:us-east-1:1:log-group:trail"],
                               "logEventFilterPattern": "ERROR"}  # fmt: skip
    assert len(client.polls) >= 2 and client.polls[0]["filterPattern"] == "ERROR"
    assert any(b.caught_up for b in batches)


def test_exec_gets_each_notification_on_its_standard_input(tmp_path: Path) -> None:
    out = tmp_path / "got.jsonl"
    done = _cli("watch", str(SAMPLES / "cloudtrail-events.jsonl"), "--rule", "CWL-012", "--clock", "replay",
                "--exec", f"cat >> {out}", "--output", "json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert got == _watched_notifications(done.stdout)


def test_a_bad_line_is_reported_and_counted_not_dropped() -> None:
    lines = (
        SAMPLES / "cloudtrail-events.jsonl"
    ).read_bytes() + b'{"eventTime": "yesterday", "eventName": "X"}\n{oops\n'
    done = _cli("watch", "--rule", "CWL-012", "--clock", "replay", "--output", "json", stdin=lines)
    assert done.returncode == 0
    err = done.stderr.decode()
    assert "rejected: -: unparseable eventTime 'yesterday'" in err and "rejected: -: invalid JSON" in err
    assert "14 records: 4 matched, 8 not matched, 2 rejected" in err


def test_a_state_file_for_another_alarm_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    first = _cli("watch", str(SAMPLES / "cloudtrail-events.jsonl"), "--rule", "CWL-012", "--clock", "replay",
                 "--state", str(state))  # fmt: skip
    assert first.returncode == 0, first.stderr
    other = _cli("watch", str(SAMPLES / "cloudtrail-events.jsonl"), "--rule", "CWL-012", "--clock", "replay",
                 "--state", str(state), "--evaluation-range", "5")  # fmt: skip
    assert other.returncode == 2 and b"was written for another filter, alarm" in other.stderr


def test_the_loop_on_an_injected_wall_clock_reads_the_backlog_before_the_minutes_due() -> None:
    """An alarm created half an hour ago (a restart): the minutes already due are evaluated once
    the input has read what it holds, so its events are on time, not late."""
    from cwfilter.live import Delivery, Runner

    mf = RULE.metric_filter(via="CWL-012")
    watch = Watch(mf, _alarm(300, 1, None, None), created_at=T0, until=T0 + 30 * 60_000)
    clock = ManualClock(T0 + 30 * 60_000 + 5)
    lines = [_record(T0 + k * 60_000 + 7, "PutBucketPolicy" if k == 12 else "GetObject", k) for k in range(25)]

    def source(out: queue.Queue[Batch], stop: threading.Event) -> None:
        time.sleep(0.3)  # the backlog comes a little after the loop started
        out.put(Batch("backlog", lines, clock.now()))
        out.put(Batch("backlog", [], clock.now(), caught_up=True))
        stop.wait()

    printed = io.StringIO()
    runner = Runner(watch, LineEvents(watch), Delivery("live", output="json", out=printed), {"backlog": source}, clock)
    runner.run()
    transitions = [json.loads(line) for line in printed.getvalue().splitlines() if '"transition"' in line]
    assert [(t["timestamp"], t["newState"]) for t in transitions] == [
        ("2024-03-04T08:13:00Z", "ALARM"), ("2024-03-04T08:28:00Z", "INSUFFICIENT_DATA")]  # fmt: skip
    assert watch.counts.late == 0 and watch.counts.records == 25


def test_query_selects_of_each_line_and_outfile_appends(tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    args = [str(SAMPLES / "cloudtrail-events.jsonl"), "--rule", "CWL-012", "--clock", "replay", "--output", "json"]
    done = _cli("watch", *args, "--query", "message.NewStateValue")
    assert done.returncode == 0, done.stderr
    assert done.stdout == b'"ALARM"\n'  # only notifications have a message
    for _ in range(2):
        assert _cli("watch", *args, "-o", str(out)).returncode == 0
    assert len(out.read_text().splitlines()) == 6  # two runs, three lines each
