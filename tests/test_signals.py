"""Signals and dead workers (issue 13): SIGINT, SIGTERM and SIGHUP to the parent of ``replay
--jobs 2`` end it and its workers promptly, with no traceback and without replacing the ``-o``
file; a worker killed by the system (the OOM killer) fails its batch with the reason, after
one retry, and the replay goes on. Real signals are sent to a real process tree."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import cwfilter
from cwfilter.replayer import driver, files
from cwfilter.replayer.workers import WORKER_DIED

from .synth import generate_tree

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the workers")
CWL012 = cwfilter.find_rule("CWL-012").metric_filter(via="CWL-012")


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid``."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def slow_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tree that takes a good while to replay: one generated trail's files copied many times
    (copies, not links: a file reached again through a link is read once)."""
    trail = tmp_path_factory.mktemp("trail")
    generate_tree(trail, hours=1, per_minute=30, regions=("us-east-1",))
    logs = sorted(p for p in trail.rglob("*.json.gz") if "Digest" not in str(p))
    root = tmp_path_factory.mktemp("slow")
    for copy in range(200):
        folder = root / f"c{copy:03d}"
        folder.mkdir()
        for i, log in enumerate(logs):
            shutil.copyfile(log, folder / f"{i:03d}.json.gz")
    return root


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: signal.Signals(s).name)
def test_a_signal_to_the_parent_ends_every_worker_and_keeps_the_outfile(
    slow_tree: Path, tmp_path: Path, signum: int
) -> None:
    out = tmp_path / "result.json"
    out.write_text("the previous result\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "cwfilter", "replay", str(slow_tree), "--filter-pattern", "PutBucketAcl",
         "--jobs", "2", "--no-progress", "--output", "json", "-o", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
            workers = _children(proc.pid)
            time.sleep(0.05)
        assert len(workers) >= 2 and proc.poll() is None, "the replay ended before its workers could be signalled"
        time.sleep(0.5)  # the workers are reading
        sent = time.monotonic()
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=20)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 128 + signum, err
    assert f"stopped by {signal.Signals(signum).name}: no output written" in err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert took < 10  # not the ~30 s of waiting for the running batch
    assert not [w for w in workers if _alive(w)], "workers left running"
    assert out.read_text() == "the previous result\n"
    assert not list(tmp_path.glob(".result.json.*"))  # no temporary file left either


# ------------------------------------------------------------------ a worker killed by the system


def _dies_on_poison(batch: list[tuple[str, int]], spec: Any, options: Any) -> Any:
    """A worker's batch, but the worker is killed outright (as by the OOM killer) when the
    batch holds a file named ``poison``."""
    if any("poison" in name for name, _ in batch):
        os.kill(os.getpid(), signal.SIGKILL)
    return files.replay_batch(batch, spec, options)


def test_a_dead_worker_fails_its_batch_and_the_replay_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trail = tmp_path / "trail"
    truth = generate_tree(trail, hours=1, per_minute=10, regions=("us-east-1",))
    (trail / "poison.json").write_bytes(b'{"Records": []}')
    monkeypatch.setattr(driver, "replay_batch", _dies_on_poison)  # the workers are forked after this
    monkeypatch.setattr(driver, "MAX_BATCH_FILES", 1)  # a batch per file: only the poison's fails
    monkeypatch.setattr(driver._BatchSizer, "next_size", lambda self: 1)
    result = cwfilter.replay([str(trail)], CWL012, jobs=2)
    a = result.accounting
    assert a.files_failed == 1 and a.problems == [{"source": str(trail / "poison.json"), "reason": WORKER_DIED}]
    assert (a.files, a.records) == (truth.files, truth.records)
    assert a.matched == sum(1 for r in truth.cwl012)
    with pytest.raises(cwfilter.ReplayError, match="a worker process died"):
        cwfilter.replay([str(trail)], CWL012, jobs=2, strict=True)


def test_the_cli_reports_a_dead_worker_without_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from cwfilter.cli import main

    generate_tree(tmp_path, hours=0.5, per_minute=5, regions=("us-east-1",))
    (tmp_path / "poison.json").write_bytes(b'{"Records": []}')
    monkeypatch.setattr(driver, "replay_batch", _dies_on_poison)
    assert main(["replay", str(tmp_path), "--rule", "CWL-012", "--no-alarm", "--jobs", "2", "--no-progress"]) == 3
    captured = capsys.readouterr()
    assert "a worker process died reading this file's batch, twice" in captured.out
    assert "not every input was read in full" in captured.err and "Traceback" not in captured.err
