"""The replay's two decoders against each other, and what workers are sent.

The fast decoder (``replay/plan.py``) and the plain readers feed one accounting
(``replay/counting.py``); generated trees, damaged in the ways real ones are, must give the
same full result through both: datapoints, every count, every problem and skip, the span."""

from __future__ import annotations

import gzip
import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cwfilter
from cwfilter.replayer import replay
from cwfilter.rules import find_rule

from .synth import generate_tree

FILTERS = {
    "CWL-012": lambda: find_rule("CWL-012").metric_filter(via="CWL-012"),
    "default value": lambda: cwfilter.MetricFilter(
        '{ $.eventSource = "s3.amazonaws.com" }', metric_name="S3", namespace="T", default_value=0
    ),
    "value and dimension": lambda: cwfilter.MetricFilter(
        '{ $.readOnly IS FALSE && $.userIdentity.type = "*" }',
        metric_name="W",
        namespace="T",
        value="$.eventVersion",
        dimensions={"Type": "$.userIdentity.type"},
    ),
    "per minute": lambda: cwfilter.MetricFilter(
        '{ $.errorCode = "AccessDenied" }',
        metric_name="D",
        namespace="T",
        default_value=0,
        default_value_mode="per_minute",
    ),
}


def _damage(root: Path, damage: list[tuple[str, int]]) -> list[str]:
    """Damage generated files the way real trees are damaged, each at most once; what was done."""
    files = sorted(p for p in root.rglob("*.json.gz") if "Digest" not in str(p))
    done: dict[Path, str] = {}
    for how, which in damage:
        path = files[which % len(files)]
        if path not in done:
            _damage_one(path, how)
            done[path] = how
    return list(done.values())


def _damage_one(path: Path, how: str) -> None:
    data = gzip.decompress(path.read_bytes())
    if how == "truncated":
        path.write_bytes(gzip.compress(data)[:-20])
    elif how == "no eventTime":  # the fast decoder declines; the plain readers reject the record
        doc = json.loads(data)
        doc["Records"][0].pop("eventTime", None)
        path.write_bytes(gzip.compress(json.dumps(doc).encode()))
    elif how == "odd eventTime":
        doc = json.loads(data)
        doc["Records"][-1]["eventTime"] = "2024-03-04 08:00:01"
        path.write_bytes(gzip.compress(json.dumps(doc).encode()))
    elif how == "not JSON":
        path.write_bytes(gzip.compress(b"this is not a CloudTrail file\n"))
    elif how == "copied":  # the same events twice: de-duplication counts them once
        path.with_name("copy_" + path.name).write_bytes(path.read_bytes())
    elif how == "empty":
        path.write_bytes(gzip.compress(b'{"Records": []}'))


def _both(inputs: list[str], mf: cwfilter.MetricFilter, **kwargs: Any) -> tuple[dict, dict]:
    out = []
    for fast in (True, False):
        result = replay(inputs, mf, fast=fast, **kwargs)
        out.append(result.to_json() | {"span": result.span})
    return out[0], out[1]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 10_000),
    damage=st.lists(
        st.tuples(
            st.sampled_from(["truncated", "no eventTime", "odd eventTime", "not JSON", "copied", "empty"]),
            st.integers(0, 100),
        ),
        max_size=3,
    ),
    name=st.sampled_from(sorted(FILTERS)),
    timestamp=st.sampled_from(["event", "delivery"]),
    dedupe=st.booleans(),
)
def test_both_decoders_give_the_same_full_result(
    tmp_path_factory: pytest.TempPathFactory, seed: int, damage: list, name: str, timestamp: str, dedupe: bool
) -> None:
    root = tmp_path_factory.mktemp("tree")
    generate_tree(root, seed=seed, hours=0.5, per_minute=8, episodes=2)
    applied = _damage(root, damage)
    fast, plain = _both([str(root)], FILTERS[name](), timestamp=timestamp, dedupe=dedupe)
    assert fast == plain
    acc = fast["accounting"]
    assert acc["records"] == acc["matched"] + acc["unmatched"] + acc["rejected"] + acc["duplicates"]
    problems = {"truncated", "not JSON"} | ({"no eventTime"} if timestamp == "event" else set())
    assert bool(acc["problems"]) == bool(problems & set(applied))
    assert bool(acc["duplicates"]) == (dedupe and "copied" in applied)


def test_a_metric_filter_pickles_with_every_option_and_once_per_process() -> None:
    """What a worker is sent: the filter itself, every option kept (a PutMetricFilter request
    cannot say ``json_prefix_scan``, ``strict`` or the default-value mode); the same definition
    unpickles to one filter in a process, so a worker builds it once, not once per batch."""
    mf = cwfilter.MetricFilter(
        cwfilter.compile('{ $.a = "x" }', json_prefix_scan=True, strict=True), metric_name="M", namespace="N",
        default_value=0, default_value_mode="per_minute", unit="Count", name="f", log_group_name="g",
    )  # fmt: skip
    built = pickle.loads(pickle.dumps(mf))
    assert built.pattern.json_prefix_scan and built.pattern.strict and built.default_value_mode == "per_minute"
    assert built.as_put_metric_filter() == mf.as_put_metric_filter() and built.definition == mf.definition
    assert pickle.loads(pickle.dumps(mf)) is built
    assert built.observe('x {"a": "x"}') == mf.observe('x {"a": "x"}') == cwfilter.Observation(True, 1.0)
    plain = cwfilter.MetricFilter('{ $.a = "x" }', metric_name="M", namespace="N", default_value=0)
    assert not pickle.loads(pickle.dumps(plain)).pattern.json_prefix_scan  # equal patterns, other options


def test_json_prefix_scan_matches_in_replayed_files_as_in_observe(tmp_path: Path) -> None:
    """A filter compiled with ``json_prefix_scan=True`` reads the object after a text prefix in
    ``observe()``, in ``replay(events)`` and, with the options sent to workers, in ``replay(files)``."""
    mf = cwfilter.MetricFilter(
        cwfilter.compile('{ $.eventName = "ConsoleLogin" }', json_prefix_scan=True), metric_name="M", namespace="N"
    )
    messages = [
        'START RequestId: 1 INFO {"eventName": "ConsoleLogin"}',
        '{"eventName": "ConsoleLogin"}',
        'INFO {"eventName": "GetObject"}',
        "no object here",
    ]
    lines = [f"2024-01-01T00:0{i}:00.000Z {m}" for i, m in enumerate(messages)]
    (tmp_path / "export.log").write_text("\n".join(lines) + "\n")
    expected = sum(mf.observe(m).matched for m in messages)
    assert expected == 2
    events = [(1704067200000 + i * 60_000, m) for i, m in enumerate(messages)]
    assert replay(events, mf).accounting.matched == expected
    for jobs in (1, 2):
        result = replay([str(tmp_path / "export.log")], mf, jobs=jobs)
        assert result.accounting.matched == expected, jobs
        assert result.to_json()["datapoints"] == replay(events, mf).to_json()["datapoints"]
