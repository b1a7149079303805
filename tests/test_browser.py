"""The replay's HTML page in a real browser (headless Chromium): it loads without errors, draws
one bar per (aggregated) period and one marker per notification, a marker's tooltip shows the
notification's subject (on hover and on keyboard focus), and zooming changes the range in
view. Each test saves a screenshot beside the page it opened (in its ``tmp_path``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cwfilter import Alarm, MetricFilter, evaluate, replay
from cwfilter.cli import main
from cwfilter.report.html import replay_html

from .browser import browser_page

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _open(page: object, path: Path) -> None:
    page.goto(path.as_uri())  # type: ignore[attr-defined]
    page.wait_for_selector("#cwf-lanes .lane svg")  # type: ignore[attr-defined]


def test_sample_replay_in_chromium(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    args = ["replay", str(SAMPLES / "cloudtrail"), "--rule", "CWL-012", "--matches", str(tmp_path / "m.jsonl")]
    assert main([*args, "--output", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert main([*args, "--output", "html", "-o", str(out)]) == 0
    with browser_page() as (page, errors):
        _open(page, out)
        bars = page.locator("#cwf-lanes rect.bar")
        markers = page.locator("#cwf-lanes .marker")
        assert bars.count() == len(doc["periods"]) == 6  # one per 5-minute period with data
        assert markers.count() == len(doc["alarm"]["notifications"]) == 5
        # Each bar is one period: its start is the period's.
        starts = [int(bars.nth(i).get_attribute("data-t")) for i in range(bars.count())]
        assert [p["start"] for p in doc["periods"]] == [_iso(s) for s in starts]
        # Hover: the tooltip shows the subject and the reason.
        first = doc["alarm"]["notifications"][0]
        markers.first.hover()
        tip = page.locator("#cwf-tip")
        assert tip.is_visible()
        assert first["subject"] in tip.inner_text()
        assert first["message"]["NewStateReason"][:60] in tip.inner_text()
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        # The keyboard reaches the markers: focus shows the same tooltip.
        page.mouse.move(0, 0)
        markers.nth(1).focus()
        assert page.evaluate("document.activeElement.classList.contains('marker')")
        assert doc["alarm"]["notifications"][1]["subject"] in tip.inner_text()
        # Zoom: the inputs (UTC) narrow the view to one hour; fewer bars and markers are drawn.
        before = page.inner_text("#cwf-view")
        page.fill("#cwf-from", "2024-03-04T08:45")
        page.fill("#cwf-to", "2024-03-04T09:45")
        page.dispatch_event("#cwf-to", "change")
        assert page.inner_text("#cwf-view") != before
        assert "2024-03-04 08:45 to 2024-03-04 09:45 UTC" in page.inner_text("#cwf-view")
        assert bars.count() == 2 and markers.count() == 2
        page.click("#cwf-reset")
        assert page.inner_text("#cwf-view") == before
        page.click("#cwf-in")
        assert page.inner_text("#cwf-view") != before
        assert not errors, errors
    assert (tmp_path / "report.png").stat().st_size > 10_000


def _iso(ms: int) -> str:
    from cwfilter.times import iso_utc

    return iso_utc(ms)


def test_aggregated_bars_and_the_brush(tmp_path: Path) -> None:
    """Three days of one-minute periods (4,320, more than pixel columns): one bar per pixel
    column with data, the periods of all bars adding up to the periods in view; dragging the
    brush over the overview zooms in until one bar is one period."""
    t0 = 1_709_539_200_000  # 2024-03-04T08:00Z
    events = [(t0 + i * 60_000 + 5_000, json.dumps({"n": i % 7})) for i in range(3 * 1440) if i % 11]
    mf = MetricFilter("{ $.n = * }", metric_name="M", namespace="N", value="$.n")
    result = replay(events, mf, period=60, statistic="Maximum")
    alarm = Alarm("busy", "N", "M", period=60, evaluation_periods=3, datapoints_to_alarm=2, threshold=5,
                  comparison_operator="GreaterThanOrEqualToThreshold", statistic="Maximum",
                  alarm_actions=["arn:aws:sns:us-east-1:111122223333:t"], ok_actions=["arn:aws:sns:us-east-1:111122223333:t"])  # fmt: skip
    timeline = evaluate(alarm, result.datapoints, t0, t0 + 3 * 86_400_000)
    path = tmp_path / "days.html"
    path.write_text(replay_html(result, [timeline]))
    periods = len(result.periods())
    with browser_page() as (page, errors):
        _open(page, path)
        drawn = page.evaluate("[...document.querySelectorAll('#cwf-lanes rect.bar')].map(b => +b.dataset.n)")
        assert 100 < len(drawn) < 1300 and sum(drawn) == periods  # one per column, every period in one
        assert page.locator("#cwf-lanes .marker").count() == len(timeline.notifications) > 0
        box = page.locator("#cwf-overview").bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.40, box["y"] + 20)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.42, box["y"] + 20, steps=4)
        page.mouse.up()
        lo, hi = (int(page.evaluate(f"document.body.dataset.{k}")) for k in ("lo", "hi"))
        assert hi - lo < 86_400_000 / 4
        drawn = page.evaluate("[...document.querySelectorAll('#cwf-lanes rect.bar')].map(b => +b.dataset.n)")
        assert drawn and set(drawn) == {1}
        page.screenshot(path=str(tmp_path / "days.png"), full_page=True)
        page.screenshot(path=str(tmp_path / "days-chart.png"))
        assert not errors, errors
