"""The watch soak (issue 27): ``cwfilter watch --clock replay`` reading events from standard
input at full speed, against ``cwfilter replay -`` on the same events in the same run (the
replay path's records per second: target ratio >= 0.8), and the watch's resident memory
sampled through the run (flat after the first minute: bounded by the alarm's window).

``CWFILTER_WATCH_EVENTS`` events (``make bench``: 5,000,000; under ``make test`` a few
thousand, as a smoke test); the events are written once to a file in ``.benchmarks/``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

TARGET = 0.8
NAMES = ["GetObject", "PutObject", "ListBuckets", "HeadObject", "GetBucketAcl", "PutBucketPolicy"]


def _timing(config: pytest.Config) -> bool:
    return bool(config.getoption("benchmark_enable")) or not config.getoption("benchmark_disable")


def _events_file(count: int) -> Path:
    """``count`` CloudTrail-shaped records, one a line, 200 a second of event time; every 40
    minutes of it a burst of 3 CWL-012 changes (the alarm goes off and comes back)."""
    folder = Path(".benchmarks")
    folder.mkdir(exist_ok=True)
    path = folder / f"watch-events-v2-{count}.jsonl"
    if path.exists():
        return path
    start = 1_709_539_200  # 2024-03-04T08:00:00Z
    line = ('{"eventVersion": "1.08", "eventTime": "%s", "eventSource": "s3.amazonaws.com", "eventName": "%s", '
            '"awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.7", "requestParameters": {"bucketName": '
            '"bucket-%d"}, "eventID": "%08d-0000-4000-8000-000000000000"}\n')  # fmt: skip
    with open(path.with_suffix(".tmp"), "w") as out:
        for second in range(-(-count // 200)):
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + second))
            first = second * 200
            out.write("".join(line % (stamp, "PutBucketPolicy" if i % 480_000 < 3 else NAMES[i % 5], i % 17, i)
                              for i in range(first, min(count, first + 200))))  # fmt: skip
    path.with_suffix(".tmp").rename(path)
    return path


def _command() -> list[str]:
    script = Path(sys.executable).with_name("cwfilter")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cwfilter"]


def _run(args: list[str], events: Path) -> tuple[float, list[tuple[float, int]], bytes]:
    """Wall seconds, (seconds, RSS kB) samples every 0.5 s, and the standard output."""
    samples: list[tuple[float, int]] = []
    with open(events, "rb") as stdin:
        start = time.perf_counter()
        child = subprocess.Popen(args, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        out_parts: list[bytes] = []
        assert child.stdout is not None
        os.set_blocking(child.stdout.fileno(), False)
        while child.poll() is None:
            samples.append((time.perf_counter() - start, _rss_kb(child.pid)))
            _read_some(child.stdout, out_parts)
            time.sleep(0.5)
        wall = time.perf_counter() - start
        _read_some(child.stdout, out_parts)
    assert child.returncode == 0, args
    return wall, samples, b"".join(out_parts)


def _read_some(stream: Any, parts: list[bytes]) -> None:
    try:
        while chunk := stream.read(1 << 16):
            parts.append(chunk)
    except (BlockingIOError, TypeError):
        pass


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def test_watch_soak_against_replay(request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]) -> None:
    timing = _timing(request.config)
    count = int(os.environ.get("CWFILTER_WATCH_EVENTS", "5000000" if timing else "6000"))
    events = _events_file(count)
    # replay reads standard input as one input, of at most --max-file-size (1G by default)
    replay = [
        *_command(),
        "replay",
        "-",
        "--rule",
        "CWL-012",
        "--no-alarm",
        "--output",
        "json",
        "--max-file-size",
        "64G",
    ]
    replay_s, _, _ = _run(replay, events)
    watch_s, rss, out = _run([*_command(), "watch", "--rule", "CWL-012", "--clock", "replay", "--output", "json"],
                             events)  # fmt: skip
    notes = [line for line in out.splitlines() if b'"notification"' in line]
    ratio = replay_s / watch_s
    later = [kb for s, kb in rss if s >= 60] or [kb for _, kb in rss[len(rss) // 2 :]] or [0]
    line = (f"watch soak: {count:,} events: replay - {count / replay_s:,.0f} records/s, watch {count / watch_s:,.0f} "
            f"events/s = {ratio:.2f} x replay (target {TARGET}); {len(notes)} notifications; watch RSS after the "
            f"first minute: {later[0] / 1024:.0f} MB, then {min(later) / 1024:.0f}-{max(later) / 1024:.0f} MB, "
            f"{later[-1] / 1024:.0f} MB at the end ({len(rss)} samples every 0.5 s)")  # fmt: skip
    with capsys.disabled():
        print("\n" + line)
    assert notes  # the alarm went off: the events were counted, not only read
