"""``cwfilter tune`` over 100 settings against one ``cwfilter replay`` of the same tree, paired in
one run (alternating, best of each): issue 25 asks for at most 2x. Three pairs, each tune
against the replay that reads the tree the same way:

- CWL-012 with the rule's alarm, events kept (tune lists unnoticed events; ``replay --matches``);
- the same with ``tune --no-events`` against a plain ``replay`` (the fast path);
- a dense metric (every S3 call, a datapoint nearly every minute) with an alarm on it, events
  not kept: where the 100 evaluations, not the reading, are the cost.

Every pair runs in the smoke run too (2 MB); ``make bench`` times them on the benchmark corpus
(``CWFILTER_BENCH_MB``, 100 MB) and prints the ratios.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from cwfilter.cli import main

from . import corpus as C
from .summary import add_summary

# 5 thresholds x 2 periods x 5 evaluation periods x 2 statistics = 100 settings (the rule's own among them).
GRID = ["--threshold", "1", "2", "3", "4", "5", "--period", "60", "300", "--evaluation-periods", "1", "2", "3", "4",
        "5", "--statistic", "Sum", "Maximum"]  # fmt: skip
SMOKE_GRID = ["--threshold", "1", "2", "--period", "60", "300"]  # the smoke run: 4 settings, to stay fast
DENSE_ALARM = {"AlarmName": "S3Calls", "Namespace": "CloudTrailMetrics", "MetricName": "S3CallCount",
               "Statistic": "Sum", "Period": 300, "EvaluationPeriods": 1, "Threshold": 40,
               "ComparisonOperator": "GreaterThanOrEqualToThreshold",
               "AlarmActions": ["arn:aws:sns:us-east-1:111122223333:security"]}  # fmt: skip
DENSE_FILTER = ["--filter-pattern", "{ $.eventSource = s3.amazonaws.com }", "--metric-name", "S3CallCount",
                "--namespace", "CloudTrailMetrics"]  # fmt: skip


def _timing(request: pytest.FixtureRequest) -> bool:
    options = request.config.getoption
    return bool(options("benchmark_enable")) or not options("benchmark_disable")


def _cli(args: list[str]) -> float:
    start = time.perf_counter()
    code = main([*args, "--jobs", "1", "--no-progress", "-o", "/dev/null"])
    assert code == 0, args
    return time.perf_counter() - start


def _paired(tune: list[str], replay: list[str], rounds: int) -> tuple[float, float]:
    """Best-of-``rounds`` seconds of tune and of replay, run alternately."""
    best_tune = best_replay = float("inf")
    for _ in range(rounds):
        best_replay = min(best_replay, _cli(replay))
        best_tune = min(best_tune, _cli(tune))
    return best_tune, best_replay


def test_tune_100_settings_against_one_replay(
    request: pytest.FixtureRequest, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    timed = _timing(request)
    corpus = C.build(C.corpus_mb(timed), "quiet")
    tree = str(corpus.root)
    matches = str(tmp_path / "m.jsonl")
    alarm = tmp_path / "dense.json"
    alarm.write_text(json.dumps(DENSE_ALARM))
    grid = GRID if timed else SMOKE_GRID
    assert main(["tune", tree, "--rule", "CWL-012", *grid, "--output", "json", "--query", "length(settings)"]) == 0
    settings = json.loads(capsys.readouterr().out)
    assert settings == (100 if timed else 4)
    pairs: dict[str, tuple[list[str], list[str]]] = {
        "CWL-012, events kept": (["tune", tree, "--rule", "CWL-012", *grid],
                                 ["replay", tree, "--rule", "CWL-012", "--matches", matches]),
        "CWL-012, --no-events": (["tune", tree, "--rule", "CWL-012", "--no-events", *grid],
                                 ["replay", tree, "--rule", "CWL-012"]),
        "dense metric, --no-events": (["tune", tree, *DENSE_FILTER, "--alarm", str(alarm), "--no-events", *grid],
                                      ["replay", tree, *DENSE_FILTER, "--alarm", str(alarm)]),
    }  # fmt: skip
    lines = []
    for name, (tune, replay) in pairs.items():
        t, r = _paired(tune, replay, 3 if timed else 1)
        lines.append(f"  {name:27s} tune {t:7.2f} s, replay {r:7.2f} s: {t / r:5.2f} x (target 2)")
    capsys.readouterr()
    smoke = "" if timed else " (smoke run: not a measurement)"
    head = f"tune over {settings} settings / one replay of the same tree, best of paired rounds{smoke}"
    add_summary(request.config, head, [f"{corpus.mb:.1f} MB in {len(corpus.files)} files, one process", *lines])
