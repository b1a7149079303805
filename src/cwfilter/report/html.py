"""A replay as one self-contained HTML page: per alarm a lane with the metric per period as
bars, the threshold as a line, the alarm's states as bands and each SNS notification as a
marker; under the chart the ALARM episodes with the matched events behind them, and the
accounting. Inline SVG, CSS and JavaScript only: nothing is fetched, the file opens from disk.

The page carries the data compactly (periods as one run-length string, states as minute
offsets) and draws what is in view: where a view holds more periods than pixel columns, each
column's bar spans its periods' minimum (dark) and maximum (light), so a year of one-minute
periods stays a few thousand SVG elements. Built from the public data of the replay result and
the alarm timelines only; returns text, never prints."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

from ..alarm import AlarmTimeline, Notification
from ..alarm.text import java_double
from ..metric import Datapoints, MetricKey
from ..replayer import ReplayResult
from ..times import iso_utc
from .replay import accounting_lines, describe_match, events_behind, plural

# The ALARM episodes listed under the chart, and the events listed per episode: the page of a
# noisy year stays small; the rest are counted (``--matches`` has every event).
EPISODES_LISTED = 200
EVENTS_LISTED = 20
OPERATOR_SYMBOLS = {"GreaterThanOrEqualToThreshold": "≥", "GreaterThanThreshold": ">", "LessThanThreshold": "<",
              "LessThanOrEqualToThreshold": "≤"}  # fmt: skip
_STATE_CODES = {"OK": "O", "ALARM": "A", "INSUFFICIENT_DATA": "I"}


def number_text(value: float) -> str:
    """The shortest text that reads back as ``value`` (``3`` for 3.0)."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def encode_periods(periods: Sequence[tuple[int, float]], step_ms: int) -> tuple[int | None, str]:
    """``(first period start, text)``: one comma-separated token per period from the first to
    the last with data, a value or ``~N`` for a run of N periods without data (CloudWatch has
    no zero datapoints: a missing period is not 0)."""
    if not periods:
        return None, ""
    t0 = periods[0][0]
    tokens: list[str] = []
    expected = t0
    for start, value in periods:
        gap = (start - expected) // step_ms
        if gap:
            tokens.append(f"~{gap}")
        tokens.append(number_text(value))
        expected = start + step_ms
    return t0, ",".join(tokens)


def encode_states(timeline: AlarmTimeline) -> str:
    """The states from creation: ``<minutes since the previous change><O|A|I>`` per change,
    the first at the creation time."""
    tokens = [f"0{_STATE_CODES[timeline.initial_state]}"]
    last = timeline.created_at
    for t in timeline.transitions:
        tokens.append(f"{(t.timestamp - last) // 60_000}{_STATE_CODES[t.new_state]}")
        last = t.timestamp
    return ",".join(tokens)


def _alarm_lane(result: ReplayResult, timeline: AlarmTimeline) -> dict[str, Any]:
    a = timeline.alarm
    key = MetricKey(a.namespace, a.metric_name, tuple(sorted(a.dimensions.items())), a.unit)
    view = Datapoints()
    view.series[key] = result.datapoints.matching(key.namespace, key.name, key.dimensions, key.unit)
    periods = view.periods(key, a.period, a.stat)
    t0, values = encode_periods(periods, a.period * 1000)
    op = OPERATOR_SYMBOLS.get(a.comparison_operator, a.comparison_operator)
    dims = ", ".join(f"{k}={v}" for k, v in sorted(a.dimensions.items()))
    return {
        "title": a.name,
        "subtitle": f"{a.stat} of {a.namespace}/{a.metric_name}{f' [{dims}]' if dims else ''} per {a.period} s; "
        f"ALARM when {a.m} of {plural(a.evaluation_periods, 'period')} {op} {java_double(a.threshold)}; "
        f"TreatMissingData={a.treat_missing_data or 'missing (unset)'}",
        "statistic": a.stat,
        "stepMs": a.period * 1000,
        "t0": t0,
        "values": values,
        "periods": len(periods),
        "threshold": a.threshold,
        "operator": op,
        "start": timeline.created_at,
        "end": timeline.end,
        "states": encode_states(timeline),
        "notes": [_note(n) for n in timeline.notifications],
    }


def _note(n: Notification) -> dict[str, Any]:
    return {"t": n.timestamp, "state": n.message.get("NewStateValue", ""), "subject": n.subject,
            "reason": n.message.get("NewStateReason", ""), "topic": n.topic_arn}  # fmt: skip


def _metric_lane(result: ReplayResult, key: MetricKey) -> dict[str, Any]:
    periods = result.datapoints.periods(key, result.period, result.statistic)
    t0, values = encode_periods(periods, result.period * 1000)
    dims = ", ".join(f"{k}={v}" for k, v in key.dimensions)
    end = periods[-1][0] + result.period * 1000 if periods else None
    return {
        "title": f"{key.namespace}/{key.name}" + (f" [{dims}]" if dims else ""),
        "subtitle": f"{result.statistic} per {result.period} s (no alarm evaluated)",
        "statistic": result.statistic,
        "stepMs": result.period * 1000,
        "t0": t0,
        "values": values,
        "periods": len(periods),
        "threshold": None,
        "operator": None,
        "start": t0,
        "end": end,
        "states": "",
        "notes": [],
    }


def lanes(result: ReplayResult, timelines: Sequence[AlarmTimeline]) -> list[dict[str, Any]]:
    """The chart's lanes as the page's script reads them: one per alarm timeline, or without
    any, one per metric series the filter published (at least the filter's own metric)."""
    if timelines:
        return [_alarm_lane(result, t) for t in timelines]
    return [_metric_lane(result, key) for key in (result.datapoints.metrics() or [result.metric])]


def _asset(name: str) -> str:
    return resources.files(__package__ or "cwfilter.report").joinpath(name).read_text(encoding="utf-8")


def _script_json(data: Any) -> str:
    """JSON safe inside ``<script>``: ``<``, ``>`` and ``&`` escaped so no text closes the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page(title: str, body: str, data: Any, *, script: bool = True) -> str:
    """A self-contained page: the shared stylesheet inline and, with ``script``, the chart's
    script and ``data`` (as JSON) for it."""
    code = (
        f'<script type="application/json" id="cwf-data">{_script_json(data)}</script>\n'
        f"<script>\n{_asset('html.js')}</script>\n"
        if script
        else ""
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{_asset('html.css')}</style>\n</head>\n<body>\n{body}\n"
        f"{code}</body>\n</html>\n"
    )


def _episodes_section(result: ReplayResult, timeline: AlarmTimeline) -> str:
    esc = html.escape
    episodes = timeline.episodes("ALARM")
    out = [f"<h3>{esc(timeline.alarm.name)}: {plural(len(episodes), 'ALARM episode')}, "
           f"{plural(len(timeline.notifications), 'SNS notification')}</h3>"]  # fmt: skip
    if not episodes:
        return out[0] + "<p>The alarm never went to ALARM.</p>"
    if result.matches is None:
        out.append("<p>Replay with <code>--matches FILE</code> to list the events behind each ALARM.</p>")
    out.append(f'<details{" open" if len(episodes) <= 10 else ""}><summary>the episodes</summary><ol class="episodes">')
    for entry, exit_ in episodes[:EPISODES_LISTED]:
        left = f"left at {iso_utc(exit_.timestamp)} for {exit_.new_state}" if exit_ else "still in ALARM at the end"
        out.append(f"<li><p><b>ALARM at {iso_utc(entry.timestamp)}</b>, {esc(left)}</p>"
                   f"<p class=\"why\">{esc(entry.reason)}</p>")  # fmt: skip
        if result.matches is not None:
            behind = events_behind(entry, result.matches)
            items = "".join(
                f'<li><code>{esc(describe_match(m))}</code> <span class="src">'
                f"{esc(m.source.rsplit('/', 1)[-1])}#{m.index}</span></li>"
                for m in behind[:EVENTS_LISTED]
            )
            more = f"<li>… {plural(len(behind) - EVENTS_LISTED, 'more event')} (all in --matches)</li>"
            out.append(f'<ul class="events">{items}{more if len(behind) > EVENTS_LISTED else ""}</ul>')
        out.append("</li>")
    out.append("</ol></details>")
    if len(episodes) > EPISODES_LISTED:
        out.append(
            f"<p>… {plural(len(episodes) - EPISODES_LISTED, 'more episode')} (the JSON output has every one)</p>"
        )
    return "".join(out)


def replay_html(result: ReplayResult, timelines: Sequence[AlarmTimeline] = (), *, title: str | None = None) -> str:
    """The replay (and the alarms evaluated over it) as one self-contained HTML page."""
    esc = html.escape
    mf = result.metric_filter
    title = title or f"cwfilter replay: {mf.name or mf.metric_name}"
    data = {"title": title, "lanes": lanes(result, timelines)}
    episodes = "".join(_episodes_section(result, t) for t in timelines)
    body = (
        f"<header><h1>{esc(title)}</h1>"
        f'<p class="sub">metric filter <code>{esc(mf.pattern.text)}</code> → '
        f"<code>{esc(mf.namespace)}/{esc(mf.metric_name)}</code> value {esc(str(mf.value))}. All times UTC.</p></header>\n"
        f'{_controls()}\n<main id="cwf-lanes" aria-label="chart"></main>\n{_legend()}\n'
        + (f"<section><h2>ALARM episodes and the events behind them</h2>{episodes}</section>\n" if timelines else "")
        + f"<section><h2>Accounting</h2><pre>{esc(chr(10).join(accounting_lines(result)))}</pre></section>"
    )
    return page(title, body, data)


def _controls() -> str:
    return (
        '<nav class="controls" aria-label="zoom">'
        '<label>From (UTC) <input type="datetime-local" id="cwf-from" step="60"></label> '
        '<label>To (UTC) <input type="datetime-local" id="cwf-to" step="60"></label> '
        '<button type="button" id="cwf-in">Zoom in</button> <button type="button" id="cwf-out">Zoom out</button> '
        '<button type="button" id="cwf-left" aria-label="earlier">◀</button> '
        '<button type="button" id="cwf-right" aria-label="later">▶</button> '
        '<button type="button" id="cwf-reset">Whole range</button>'
        '<p id="cwf-view" aria-live="polite"></p>'
        '<svg id="cwf-overview" role="img" aria-label="the whole range: drag to zoom"></svg></nav>'
    )


def _legend() -> str:
    swatch = '<svg width="28" height="14" aria-hidden="true"><rect width="28" height="14" class="{}"/></svg>'
    items = [
        (swatch.format("band-O"), "OK (plain green)"),
        (swatch.format("band-A"), "ALARM (red, hatched)"),
        (swatch.format("band-I"), "INSUFFICIENT_DATA (grey, dotted)"),
        ('<svg width="28" height="14" aria-hidden="true"><rect x="8" y="1" width="12" height="13" class="bar"/></svg>',
         "value per period; zoomed out, one bar per pixel column: dark to the periods' minimum, light to their maximum"),
        ('<svg width="28" height="14" aria-hidden="true"><line x1="0" y1="7" x2="28" y2="7" class="threshold"/></svg>',
         "threshold (dashed)"),
        ('<svg width="28" height="14" aria-hidden="true"><path d="M14 2 L20 13 L8 13 Z" class="m-A"/></svg>',
         "SNS notification (▲ ALARM, ● OK, ■ INSUFFICIENT_DATA): hover or Tab to it for subject and reason"),
    ]  # fmt: skip
    return '<ul class="legend">' + "".join(f"<li>{s} {html.escape(t)}</li>" for s, t in items) + "</ul>"
