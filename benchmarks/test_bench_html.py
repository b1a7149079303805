"""The replay page for a year of one-minute datapoints (issue 25: at most 2 MB, rendered in
headless Chromium within 2 s). The year is generated: CloudTrail S3 records, 1-3 a minute for
365 days with a burst now and then, replayed through a metric filter counting them, with an
alarm (Sum >= 10 per minute, OK and ALARM actions) evaluated over it. The page's size and the
time from opening the file to the lanes drawn are printed; nothing is asserted on time.

Smoke run: 2 days. ``make bench`` (or ``CWFILTER_BENCH_DAYS``): 365 days."""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cwfilter import Alarm, MetricFilter, evaluate, replay
from cwfilter.report.html import replay_html
from cwfilter.times import iso_utc
from tests.browser import browser_page

from .summary import add_summary

START = 1_704_067_200_000  # 2024-01-01T00:00Z


def _days(request: pytest.FixtureRequest) -> int:
    env = os.environ.get("CWFILTER_BENCH_DAYS")
    if env:
        return int(env)
    options = request.config.getoption
    return 365 if options("benchmark_enable") or not options("benchmark_disable") else 2


def cloudtrail_year(days: int, seed: int = 25) -> Iterator[tuple[int, str]]:
    """``(epoch ms, record)``: 1-3 S3 calls every minute, 12 in a burst minute (about 5 a month)."""
    rng = random.Random(seed)
    for minute in range(days * 1440):
        count = 12 if rng.random() < 1 / 8640 else rng.randint(1, 3)
        for _ in range(count):
            ms = START + minute * 60_000 + rng.randrange(60_000)
            yield ms, json.dumps({"eventVersion": "1.09", "eventTime": iso_utc(ms - ms % 1000)[:19] + "Z",
                                  "eventSource": "s3.amazonaws.com", "eventName": rng.choice(["PutObject", "GetObject"]),
                                  "awsRegion": "us-east-1", "recipientAccountId": "111122223333"})  # fmt: skip


def test_a_year_of_minutes_in_chromium(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    days = _days(request)
    t0 = time.perf_counter()
    mf = MetricFilter("{ $.eventSource = s3.amazonaws.com }", metric_name="S3Calls", namespace="CloudTrailMetrics")
    result = replay(cloudtrail_year(days), mf, period=60)
    t1 = time.perf_counter()
    topic = ["arn:aws:sns:us-east-1:111122223333:security"]
    alarm = Alarm("S3CallBurst", "CloudTrailMetrics", "S3Calls", period=60, evaluation_periods=1, threshold=10,
                  comparison_operator="GreaterThanOrEqualToThreshold", alarm_actions=topic, ok_actions=topic)  # fmt: skip
    timeline = evaluate(alarm, result.datapoints, START, START + days * 86_400_000)
    t2 = time.perf_counter()
    page = replay_html(result, [timeline])
    t3 = time.perf_counter()
    path = tmp_path / "year.html"
    path.write_text(page)
    size = path.stat().st_size
    periods = len(result.periods())
    assert periods == days * 1440
    with browser_page() as (browser, errors):
        start = time.perf_counter()
        browser.goto(path.as_uri())
        browser.wait_for_selector("#cwf-lanes .lane svg")
        shown = time.perf_counter() - start
        drawn = browser.evaluate("[...document.querySelectorAll('#cwf-lanes rect.bar')].map(b => +b.dataset.n)")
        assert sum(drawn) == periods
        assert browser.locator("#cwf-lanes .marker").count() == len(timeline.notifications)
        browser.screenshot(path=str(tmp_path / "year.png"))
        assert not errors, errors
    smoke = "" if days == 365 else f" (smoke run, {days} days: not a measurement)"
    add_summary(request.config, f"the replay page for a year of one-minute datapoints{smoke}", [
        f"{days} days, {periods:,} one-minute periods, {len(timeline.notifications):,} notifications: "
        f"page {size / 1e6:.2f} MB (target 2 MB), opened and drawn in Chromium in {shown:.2f} s (target 2 s), "
        f"{len(drawn):,} bars drawn",
        f"  (building it: replay {t1 - t0:.1f} s, alarm evaluation {t2 - t1:.1f} s, page {t3 - t2:.1f} s)",
    ])  # fmt: skip
