"""The command and its workers keep freed memory for the next file (``replay/allocator.py``):
glibc takes both thresholds, a user's own ``MALLOC_*`` settings win, and a replay in such a
process counts as before (the timings are in ``benchmarks/README.md``, never asserted)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from cwfilter.cli import main

_CODE = "from cwfilter.replayer.allocator import keep_freed_memory; print(keep_freed_memory())"
glibc_only = pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="glibc's mallopt only"
)


def _taken(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    done = subprocess.run(
        [sys.executable, "-c", _CODE], capture_output=True, text=True, check=True, env={**clean, **env}
    )
    return done.stdout.strip()


@glibc_only
def test_glibc_takes_both_thresholds() -> None:
    assert _taken() == "True"


@glibc_only
def test_the_users_own_malloc_settings_are_left_alone() -> None:
    assert _taken(MALLOC_TRIM_THRESHOLD_="1048576") == "False"
    assert _taken(MALLOC_MMAP_THRESHOLD_="1048576") == "False"


def test_a_replay_after_the_change_counts_as_before(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = '{"eventTime":"2024-03-04T08:13:27Z","eventSource":"s3.amazonaws.com","eventName":"PutBucketAcl"}'
    trail = tmp_path / "trail.json"
    trail.write_text('{"Records":[' + ",".join([record] * 3) + "]}")
    for jobs in ("1", "2"):  # the command's process, and worker processes
        assert main(["replay", str(trail), "--rule", "CWL-012", "--no-alarm", "--jobs", jobs, "--output", "json"]) == 0
        result = json.loads(capsys.readouterr().out)
        assert [(d["timestamp"], d["sum"]) for d in result["datapoints"]] == [("2024-03-04T08:13:00Z", 3.0)]
