"""Where the one-core time goes (item 5 of the scale issue): from the hand-written msgspec loop to
``cwfilter.replay(..., jobs=1)``, one step at a time, each step timed in the same rounds as the
pysimdjson loop (the fastest hand-written loop) and reported as the median of the per-round
ratios, as ``test_ratios_to_the_limit`` does. Not a test: run it by hand on a cached corpus,

    CWFILTER_BENCH_MB=100 .venv/bin/python -m benchmarks.one_core_steps quiet busy

Every step gives the same per-5-minute CWL-012 answer (asserted)."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from cwfilter.replayer import replay
from cwfilter.replayer.plan import plan_for_filter
from cwfilter.rules import find_rule
from cwfilter.sources import FileRef, iter_discover, open_input
from cwfilter.times import epoch_ms, iso_utc

from . import corpus as C

_TIME = attrgetter("event_time")


def _step(corpus: C.Corpus, span: bool = False, reading: bool = False, discovery: bool = False) -> Callable[[], Any]:
    """The library's fast path taken apart: its decoder (``eventTime`` as a datetime, the UTF-8
    check) and generated selection always; ``span``: the first and last time of the records;
    ``reading``: the library's reading of a file (``open_input``) instead of the loop's;
    ``discovery``: the tree walked instead of the corpus's list of files."""
    plan = plan_for_filter(find_rule("CWL-012").metric_filter(via="CWL-012"), False)
    assert plan is not None

    def run() -> Counter[str]:
        if discovery:
            names = [r.name for r in iter_discover([str(corpus.root)], sizes=False) if isinstance(r, FileRef)]
        else:
            names = list(corpus.files)
        out: Counter[str] = Counter()
        for name in names:
            data = open_input(FileRef(name)).data if reading else C._inflated(name)  # type: ignore[union-attr]
            records = plan.decode(data)
            assert records is not None
            if span:
                assert min(map(_TIME, records)) <= max(map(_TIME, records))
            for r in plan.select(records):
                out[C.five_minute(iso_utc(epoch_ms(r.event_time)))] += 1
        return out

    return run


def steps(corpus: C.Corpus, rounds: int = 9) -> dict[str, tuple[float, float]]:
    """Median seconds and median ratio to the pysimdjson loop of each step, from paired rounds."""
    mf = find_rule("CWL-012").metric_filter(via="CWL-012")
    variants: dict[str, Callable[[], Any]] = {
        "hand-written isal+simdjson": lambda: C.isal_simdjson_loop(corpus.files),
        "hand-written isal+msgspec": lambda: C.isal_msgspec_loop(corpus.files),
        "1 the plan's decoder + select": _step(corpus),
        "2 + the time span": _step(corpus, span=True),
        "3 + the library's reading": _step(corpus, span=True, reading=True),
        "4 + discovery": _step(corpus, span=True, reading=True, discovery=True),
        "replay(..., jobs=1)": lambda: replay([corpus.root], mf, jobs=1),
    }
    expected = C.isal_simdjson_loop(corpus.files)
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, run in variants.items():
            start = time.perf_counter()
            result = run()
            times[name].append(time.perf_counter() - start)
            if isinstance(result, Counter):
                assert result == expected, name
    loop = times["hand-written isal+simdjson"]
    return {
        name: (statistics.median(t), statistics.median(a / b for a, b in zip(loop, t))) for name, t in times.items()
    }


def main(profiles: list[str]) -> None:
    mb = C.corpus_mb(True)
    for profile in profiles or list(C.PROFILES):
        corpus = C.build(mb, profile)
        sys.stdout.write(f"{profile} account, {corpus.mb:.1f} MB in {len(corpus.files)} files\n")
        for name, (seconds, ratio) in steps(corpus, int(os.environ.get("ROUNDS", "9"))).items():
            sys.stdout.write(f"  {name:32s} {1000 * seconds:8.1f} ms  {ratio:5.2f} x the pysimdjson loop\n")


if __name__ == "__main__":
    main(sys.argv[1:])
