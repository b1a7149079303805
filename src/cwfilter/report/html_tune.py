"""``cwfilter tune --output html``: small multiples, one row per setting: its numbers and its
alarm's states over the replay as a band (OK plain green, ALARM hatched red, INSUFFICIENT_DATA
dotted grey) on one shared UTC time axis, with a tick per SNS notification to ALARM. Static
SVG in one self-contained page (the replay page's stylesheet; no script)."""

from __future__ import annotations

import html
from collections.abc import Sequence

from ..alarm import Alarm, AlarmTimeline
from ..alarm.tuning import Outcome
from ..replayer import ReplayResult
from ..times import iso_utc
from .html import page
from .replay import accounting_lines, describe_match, plural
from .tuning import duration, setting_text

BAND_WIDTH = 420  # px of each row's band
_RANK = {"ALARM": 3, "INSUFFICIENT_DATA": 2, "OK": 1}
_CODE = {"ALARM": "A", "INSUFFICIENT_DATA": "I", "OK": "O"}
_DEFS = (
    '<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>'
    '<pattern id="cwf-hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    '<rect width="8" height="8" fill="#f9dede"/><rect width="3" height="8" fill="#e8a0a0"/></pattern>'
    '<pattern id="cwf-dots" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="#ededed"/>'
    '<circle cx="4" cy="4" r="1.4" fill="#9a9a9a"/></pattern></defs></svg>'
)


def state_columns(timeline: AlarmTimeline, lo: int, hi: int, width: int) -> list[tuple[int, int, str]]:
    """``(first pixel, last pixel + 1, state)`` runs over ``[lo, hi)`` in ``width`` pixels; a
    pixel holding several states shows the one that matters most (ALARM, INSUFFICIENT_DATA, OK)."""
    cols: list[str | None] = [None] * width
    per_px = (hi - lo) / width
    changes = [(timeline.created_at, timeline.initial_state)] + [
        (t.timestamp, t.new_state) for t in timeline.transitions
    ]
    for k, (start, state) in enumerate(changes):
        end = changes[k + 1][0] if k + 1 < len(changes) else timeline.end
        if end <= start and k + 1 < len(changes):
            continue
        first = max(0, int((start - lo) / per_px))
        last = min(width - 1, int((max(start, end - 1) - lo) / per_px))
        for p in range(first, last + 1):
            held = cols[p]
            if held is None or _RANK[state] > _RANK[held]:
                cols[p] = state
    runs: list[tuple[int, int, str]] = []
    for p, held in enumerate(cols):
        if held is None:
            continue
        state = held
        if runs and runs[-1][2] == state and runs[-1][1] == p:
            runs[-1] = (runs[-1][0], p + 1, state)
        else:
            runs.append((p, p + 1, state))
    return runs


def _band(o: Outcome, lo: int, hi: int, label: str) -> str:
    esc = html.escape
    per_px = (hi - lo) / BAND_WIDTH
    parts = [f'<svg viewBox="0 0 {BAND_WIDTH} 14" role="img" aria-label="states of {esc(label)}">']
    for a, b, state in state_columns(o.timeline, lo, hi, BAND_WIDTH):
        parts.append(f'<rect class="band-{_CODE[state]}" x="{a}" y="0" width="{b - a}" height="14">'
                     f"<title>{state}</title></rect>")  # fmt: skip
    for n in o.timeline.notifications:
        if n.message.get("NewStateValue") == "ALARM":
            x = (n.timestamp - lo) / per_px
            parts.append(f'<rect x="{x:.1f}" y="0" width="1.5" height="14" fill="#000">'
                         f"<title>{esc(n.subject)} at {iso_utc(n.timestamp)}</title></rect>")  # fmt: skip
    return "".join(parts) + "</svg>"


def _axis(lo: int, hi: int) -> str:
    ticks = []
    day = iso_utc(lo)[:10]
    for i in range(5):
        t = lo + (hi - lo) * i // 4
        text = iso_utc(t)[:16].replace("T", " ")
        text = text if i == 0 else text[11:] if text[:10] == day else text[5:]  # the date once, unless it changes
        anchor = "start" if i == 0 else "end" if i == 4 else "middle"
        ticks.append(f'<text x="{BAND_WIDTH * i / 4:.0f}" y="11" text-anchor="{anchor}" class="tick">{text}</text>')
    return f'<svg viewBox="0 0 {BAND_WIDTH} 14" aria-label="time (UTC)">{"".join(ticks)}</svg>'


def tune_html(result: ReplayResult, base: Alarm, outcomes: Sequence[Outcome]) -> str:
    """The settings compared, as one self-contained HTML page."""
    esc = html.escape
    title = f"cwfilter tune: {base.name}"
    lo = min(o.timeline.created_at for o in outcomes)
    hi = max(max(o.timeline.end for o in outcomes), lo + 60_000)
    rows = []
    for o in outcomes:
        label = setting_text(o.setting, base)
        first = iso_utc(o.first_alarm) if o.first_alarm is not None else "never"
        missed = "–" if o.unnoticed is None else f"{len(o.unnoticed):,}"
        names = "" if not o.unnoticed else "; ".join(esc(describe_match(m)) for m in o.unnoticed[:3])
        rows.append(
            f'<tr class="{"own" if o.own else ""}"><td class="setting">{"★ " if o.own else ""}{esc(label)}</td>'
            f"<td>{o.alarms:,}</td><td>{o.notifications:,}</td><td>{duration(o.time_in_alarm)}</td><td>{first}</td>"
            f'<td>{duration(o.longest_quiet)}</td><td title="{names}">{missed}</td><td>{_band(o, lo, hi, label)}</td></tr>'
        )
    events = "not kept (--no-events)" if result.matches is None else plural(len(result.matches), "matched event")
    body = (
        f'{_DEFS}<header><h1>{esc(title)}</h1><p class="sub">{plural(len(outcomes), "setting")} of '
        f"<code>{esc(base.namespace)}/{esc(base.metric_name)}</code> on one replay; {events}. ★ marks the alarm's own "
        "setting. Sorted by unnoticed events, then SNS notifications to ALARM, then time in ALARM. All times UTC.</p>"
        '</header><table class="grid-table"><thead><tr><th class="setting">setting</th><th>ALARMs</th><th>notified</th>'
        "<th>in ALARM</th><th>first ALARM</th><th>longest quiet</th><th>unnoticed events</th>"
        f"<th>{_axis(lo, hi)}</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        '<ul class="legend"><li><svg width="28" height="14" aria-hidden="true"><rect width="28" height="14" '
        'class="band-O"/></svg> OK (plain green)</li><li><svg width="28" height="14" aria-hidden="true"><rect '
        'width="28" height="14" class="band-A"/></svg> ALARM (red, hatched)</li><li><svg width="28" height="14" '
        'aria-hidden="true"><rect width="28" height="14" class="band-I"/></svg> INSUFFICIENT_DATA (grey, dotted)</li>'
        "<li>▮ a black tick: an SNS notification to ALARM</li></ul>"
        f"<section><h2>Accounting</h2><pre>{esc(chr(10).join(accounting_lines(result)))}</pre></section>"
    )
    return page(title, body, None, script=False)
