"""Prints the replay benchmarks as MB/s of uncompressed JSON and as ratios to the ISA-L
decompression limit measured in the same run (``make bench``)."""

from __future__ import annotations

from typing import Any

import pytest


def _rows(config: pytest.Config) -> list[tuple[str, str, float, Any]]:
    session = getattr(config, "_benchmarksession", None)
    rows = []
    for bench in getattr(session, "benchmarks", []):
        mb = bench.extra_info.get("mb")
        if mb and bench.stats and bench.stats.min:
            rows.append((bench.group, bench.name, mb / bench.stats.min, bench.extra_info))
    return rows


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    rows = _rows(config)
    memory = getattr(config, "_cwfilter_memory", None)
    if not rows and not memory:
        return
    write = terminalreporter.write_line
    terminalreporter.section("replay throughput (MB/s of uncompressed JSON, best of 3-5 rounds)")
    groups: dict[str, list[tuple[str, float, Any]]] = {}
    for group, name, rate, info in rows:
        groups.setdefault(group, []).append((name, rate, info))
    for group, items in groups.items():
        limit = next((rate for name, rate, _ in items if name.startswith("test_limit_isal")), None)
        one_process = {name.replace("-1]", "]"): rate for name, rate, info in items if info.get("jobs") == 1}
        write(f"{group}  ({items[0][2]['mb']:.1f} MB in {items[0][2]['files']} files)")
        for name, rate, info in items:
            ratio = f"{rate / limit:5.2f} x limit" if limit else ""
            scaling = ""
            if info.get("jobs") == 2:
                base = one_process.get(name.replace("-2]", "]"))
                scaling = f"  {rate / base:4.2f} x one process" if base else ""
            write(f"  {name:45s} {rate:8.0f} MB/s  {ratio}{scaling}")
    if memory:
        write("peak RSS of a one-process replay: " + ", ".join(f"{f} files: {mb:.0f} MB" for f, mb in memory.values()))
