"""Start-up of the command (the scale issue's item 5): ``cwfilter check PATTERN`` against
``python -c "import orjson"`` (target: within 2x), each run as a new process, in rounds that
pair the two back to back; the summary prints the median of the per-round ratios, of wall
time and of CPU time (this VM's speed drifts within a minute, so ratios are what compare).
Under ``make test`` one round runs, as a smoke test."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

PATTERN = "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy)) }"
TARGET = 2.0


def _command() -> list[str]:
    script = Path(sys.executable).with_name("cwfilter")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cwfilter"]


def _run(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one process (CPU from its resource usage: user + system)."""
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    assert os.waitstatus_to_exitcode(status) == 0, args
    return wall, usage.ru_utime + usage.ru_stime


def test_check_start_up_against_import_orjson(request: pytest.FixtureRequest) -> None:
    timing = bool(request.config.getoption("benchmark_enable", False))
    rounds = 21 if timing else 1
    check = [*_command(), "check", PATTERN]
    baselines = {"python -c pass": [sys.executable, "-c", "pass"],
                 'python -c "import orjson"': [sys.executable, "-c", "import orjson"]}  # fmt: skip
    for args in (check, *baselines.values()):  # warm the page cache and the bytecode
        _run(args)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in (*baselines, "cwfilter check")}
    for _ in range(rounds):
        for name, args in baselines.items():
            samples[name].append(_run(args))
        samples["cwfilter check"].append(_run(check))
    orjson_runs, check_runs = samples['python -c "import orjson"'], samples["cwfilter check"]
    summary: dict[str, Any] = {
        "rounds": rounds,
        "ms": {
            name: tuple(1000 * statistics.median(s[i] for s in runs) for i in (0, 1)) for name, runs in samples.items()
        },
        "ratio": tuple(statistics.median(c[i] / o[i] for c, o in zip(check_runs, orjson_runs)) for i in (0, 1)),
    }
    request.config._cwfilter_startup = summary  # type: ignore[attr-defined]
    assert all(r > 0 for r in summary["ratio"])
