"""The replay's HTML page (``replay --output html``), without a browser: what data it carries,
that it is self-contained, and that text from the logs cannot break out of it. The browser
test (``test_browser.py``) checks what Chromium draws from it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cwfilter import MetricFilter, replay
from cwfilter.cli import main
from cwfilter.report.html import encode_periods, encode_states, lanes, replay_html

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def _data(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="cwf-data">(.*?)</script>', page, re.S)
    assert found
    return json.loads(found.group(1))


def _decode(t0: int | None, text: str, step: int) -> list[tuple[int, float]]:
    """The page script's decoding of ``encode_periods``, in Python."""
    out, i = [], 0
    for tok in text.split(",") if text else []:
        if tok.startswith("~"):
            i += int(tok[1:])
            continue
        assert t0 is not None
        out.append((t0 + i * step, float(tok)))
        i += 1
    return out


@given(
    st.lists(st.tuples(st.integers(0, 5000), st.floats(-1e6, 1e6, allow_nan=False) | st.integers(0, 9)), max_size=60)
)
def test_periods_round_trip(raw: list[tuple[int, float]]) -> None:
    step = 300_000
    periods = sorted({i * step: float(v) for i, v in raw}.items())
    t0, text = encode_periods(periods, step)
    assert _decode(t0, text, step) == periods


def test_replay_writes_a_self_contained_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    args = ["replay", str(SAMPLES / "cloudtrail"), "--rule", "CWL-012", "--matches", str(tmp_path / "m.jsonl")]
    assert main([*args, "--output", "html", "-o", str(out)]) == 0
    page = out.read_text()
    assert main([*args, "--output", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    # Nothing fetched: no external script, stylesheet, image or font.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(http" not in page
    data = _data(page)
    (lane,) = data["lanes"]
    assert lane["title"] == doc["alarm"]["name"]
    assert lane["periods"] == len(doc["periods"]) == 6
    step = lane["stepMs"]
    assert [v for _, v in _decode(lane["t0"], lane["values"], step)] == [p["value"] for p in doc["periods"]]
    assert [n["subject"] for n in lane["notes"]] == [n["subject"] for n in doc["alarm"]["notifications"]]
    assert lane["threshold"] == 1.0 and lane["operator"] == "≥"
    # The states: one change per transition, in minutes from the creation.
    assert len(lane["states"].split(",")) == len(doc["alarm"]["transitions"]) + 1
    # Under the chart: every episode with its reason and the events behind it, and the accounting.
    assert page.count("<b>ALARM at ") == 5
    assert "08:13:06 DeleteBucketPolicy bucket=reports-prod" in page
    assert "1,117 read: 13 matched" in page


def test_query_does_not_go_with_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["replay", str(SAMPLES / "cloudtrail"), "--rule", "CWL-012", "--output", "html", "--query", "alarm"])
    assert code == 2
    assert "--query goes with" in capsys.readouterr().err


def test_text_from_the_logs_cannot_close_the_script() -> None:
    events = [(1_700_000_000_000, '{"eventName": "</script><script>alert(1)</script>"}')]
    result = replay(events, MetricFilter('{ $.eventName = "*script*" }', metric_name="M</script>", namespace="N"))
    page = replay_html(result, title="t</script><b>")
    assert page.count("</script>") == 2  # the data's and the code's own
    assert _data(page)["lanes"][0]["title"] == "N/M</script>"


def test_without_an_alarm_one_lane_per_series() -> None:
    events = [(1_700_000_000_000 + i * 60_000, json.dumps({"b": "x" if i % 2 else "y"})) for i in range(10)]
    mf = MetricFilter("{ $.b = * }", metric_name="M", namespace="N", dimensions={"B": "$.b"})
    result = replay(events, mf, period=60)
    got = lanes(result, [])
    assert [lane["title"] for lane in got] == ["N/M [B=x]", "N/M [B=y]"]
    assert [lane["periods"] for lane in got] == [5, 5]
    assert all(lane["threshold"] is None and lane["notes"] == [] for lane in got)


def test_states_are_minutes_from_creation() -> None:
    from cwfilter import Alarm, evaluate
    from cwfilter.metric import Datapoints, MetricKey

    dp = Datapoints()
    dp.add(MetricKey("N", "M"), 600_000, 5.0)
    alarm = Alarm(
        "a", "N", "M", period=60, evaluation_periods=1, threshold=1, comparison_operator="GreaterThanThreshold"
    )
    timeline = evaluate(alarm, dp, 0, 1_200_000)
    text = encode_states(timeline)
    assert text.startswith("0I,")
    minutes = 0
    for tok, tr in zip(text.split(",")[1:], timeline.transitions):
        minutes += int(tok[:-1])
        assert minutes * 60_000 == tr.timestamp and tok[-1] == tr.new_state[0]
