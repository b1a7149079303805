"""``cwfilter watch --state`` survives ``kill -9`` (issue 27): a watch following a file that is
still being written is killed mid-stream, restarted with the same state file, and the
notifications of both runs are exactly replay's on the whole file: none twice, none missing.
SIGTERM stops a watch cleanly, its state saved."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="kill -9")
TOPIC = "arn:aws:sns:us-east-1:111122223333:security"
T0 = int(datetime(2024, 3, 4, 8, 0, tzinfo=timezone.utc).timestamp() * 1000)


def _line(ms: int, name: str, i: int) -> str:
    when = datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps({"eventVersion": "1.08", "eventTime": when, "eventSource": "s3.amazonaws.com",
                       "eventName": name, "eventID": f"e{i}"}) + "\n"  # fmt: skip


def _events() -> list[str]:
    """Four hours, an event every 20 s; a CWL-012 change every 37 minutes or so (episodes)."""
    return [_line(T0 + i * 20_000, "PutBucketPolicy" if i % 111 == 0 else "GetObject", i) for i in range(720)]


class _Watch:
    """A ``cwfilter watch`` process whose output lines are collected as they come."""

    def __init__(self, args: list[str]) -> None:
        self.err = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed with the process, in finish()
        self.proc = subprocess.Popen([sys.executable, "-m", "cwfilter", "watch", *args], stdout=subprocess.PIPE,
                                     stderr=self.err, text=True)  # fmt: skip
        self.lines: list[dict[str, Any]] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(json.loads(line))

    def notes(self) -> list[dict[str, Any]]:
        return [{k: v for k, v in d.items() if k != "type"} for d in self.lines if d["type"] == "notification"]

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.notes()) < count:
            assert time.monotonic() < deadline, f"{len(self.notes())} notifications after {timeout} s"
            assert self.proc.poll() is None, self.stderr()
            time.sleep(0.1)

    def stderr(self) -> str:
        self.err.seek(0)
        return self.err.read()

    def finish(self, timeout: float = 60) -> str:
        self.proc.wait(timeout=timeout)
        self.reader.join(timeout=10)
        text = self.stderr()
        self.err.close()
        return text


def _expected(path: Path, until: str) -> list[dict[str, Any]]:
    done = subprocess.run([sys.executable, "-m", "cwfilter", "replay", str(path), "--rule", "CWL-012", "--topic-arn",
                           TOPIC, "--alarm-until", until, "--output", "json", "--query", "alarm.notifications"],
                          capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_kill_9_mid_stream_then_restart_gives_each_notification_once(tmp_path: Path) -> None:
    events = _events()
    until = "2024-03-04T11:30:00Z"
    log, state = tmp_path / "trail.jsonl", tmp_path / "state.json"
    args = [str(log), "--rule", "CWL-012", "--topic-arn", TOPIC, "--clock", "replay", "--follow",
            "--evaluation-delay", "0", "--alarm-until", until, "--state", str(state), "--output", "json"]  # fmt: skip
    log.write_text("".join(events[:300]))
    first = _Watch(args)
    first.wait_for(2)
    with open(log, "a") as f:  # more arrives while it runs; then it dies without warning
        f.write("".join(events[300:420]))
    time.sleep(1.5)
    first.proc.send_signal(signal.SIGKILL)
    first.finish()
    assert state.exists()
    with open(log, "a") as f:
        f.write("".join(events[420:]))
    second = _Watch(args)
    err = second.finish(timeout=120)
    assert second.proc.returncode == 0, err
    got = first.notes() + second.notes()
    expected = _expected(log, until)
    assert len(expected) >= 6
    assert got == expected
    assert len(first.notes()) >= 2 and second.notes()  # killed mid-stream: each run sent some
    assert "not the file the state file saw" not in err


def test_sigterm_stops_after_the_minute_is_flushed_and_saves_the_state(tmp_path: Path) -> None:
    log, state = tmp_path / "app.log", tmp_path / "state.json"
    log.write_text("".join(_events()[:200]))
    watch = _Watch([str(log), "--rule", "CWL-012", "--clock", "replay", "--follow", "--evaluation-delay", "0",
                    "--state", str(state), "--output", "json"])  # fmt: skip
    watch.wait_for(1)
    time.sleep(1.5)
    os.kill(watch.proc.pid, signal.SIGTERM)
    err = watch.finish()
    assert watch.proc.returncode == 0, err
    saved = json.loads(state.read_text())
    assert saved["positions"][str(log)][2] == log.stat().st_size
    assert saved["state"] == "ALARM" or saved["lastTransition"] is not None
    assert "watched 200 records" in err
