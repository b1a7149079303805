"""The CloudTrail catalogue (issue 22): the time to read the shipped file (gzip + JSON) and to
index it, beside reading the rule catalogue, and one coverage call that consults it; the file's
size is printed. ``pytest benchmarks/test_bench_catalogue.py --benchmark-enable`` times them;
the test suite runs each once as a smoke test. ``cwfilter check`` never loads it
(tests/test_cloudtrail_catalogue.py checks that, benchmarks/test_bench_startup.py times it)."""

from __future__ import annotations

import gzip
import json
from importlib import resources
from typing import Any

import cwfilter
from cwfilter import analysis, cloudtrail

RAW = resources.files("cwfilter.cloudtrail").joinpath("catalogue.json.gz").read_bytes()
RULES = resources.files("cwfilter.rules").joinpath("catalogue.json").read_text(encoding="utf-8")


def test_read_the_catalogue(benchmark: Any) -> None:
    benchmark.group = "cloudtrail catalogue"
    benchmark.extra_info.update(gzipped=len(RAW), json=len(gzip.decompress(RAW)))
    data = benchmark(lambda: json.loads(gzip.decompress(RAW)))
    assert data["format"] == 1 and len(data["sources"]) > 300


def test_read_the_rule_catalogue_for_scale(benchmark: Any) -> None:
    benchmark.group = "cloudtrail catalogue"
    assert len(benchmark(json.loads, RULES)["rules"]) == 15


def test_index_names(benchmark: Any) -> None:
    benchmark.group = "cloudtrail catalogue"

    def index() -> int:
        cloudtrail._index.cache_clear()
        cloudtrail._by_name.cache_clear()
        return len(cloudtrail.sources_of("PutBucketPolicy"))

    assert benchmark(index) == 2


def test_coverage_of_a_scoped_rule(benchmark: Any) -> None:
    benchmark.group = "cloudtrail catalogue"
    body = cwfilter.find_rule("CloudWatch.13").filter_pattern.strip()[1:-1]
    pattern = cwfilter.compile("{ $.eventSource = ec2.amazonaws.com && (" + body + ") }")
    assert benchmark(analysis.coverage, pattern, "CloudWatch.13").covers_all
