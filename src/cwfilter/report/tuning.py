"""Presentation of ``cwfilter tune``: the settings compared, as a table, JSON and CSV (the HTML
page is ``html_tune``). Returns text; never prints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from ..alarm import Alarm
from ..alarm.tuning import Outcome, Setting
from ..replayer import ReplayResult
from ..times import iso_utc
from .base import Report
from .html import OPERATOR_SYMBOLS
from .replay import accounting_lines, describe_match, plural

EVENTS_PER_SETTING = 3  # unnoticed events the table names per setting (JSON has every one)


def duration(ms: int) -> str:
    """``0m``, ``45m``, ``3h 20m``, ``12d 4h``: minutes, hours and days."""
    minutes = ms // 60_000
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {mins}m" if mins else f"{hours}h"
    return f"{mins}m"


def setting_text(s: Setting, base: Alarm) -> str:
    """``Sum ≥ 1 per 300 s, 1 of 1, missing`` with the alarm's comparison."""
    return s.label(OPERATOR_SYMBOLS.get(base.comparison_operator, base.comparison_operator))


def tune_table(result: ReplayResult, base: Alarm, outcomes: list[Outcome]) -> str:
    """The settings, one a line, then the events each would have missed, then the accounting."""
    events = result.matches
    lines = [
        f"alarm           {base.name}: {plural(len(outcomes), 'setting')} compared on one replay "
        f"({'*' if any(o.own for o in outcomes) else 'no'} marks the alarm's own setting)",
        f"events          {'not kept (--no-events)' if events is None else plural(len(events), 'matched event')}",
        "sorted          by unnoticed events, then SNS notifications to ALARM, then time in ALARM",
        "",
    ]
    labels = [setting_text(o.setting, base) for o in outcomes]
    width = max([len("setting"), *map(len, labels)])
    lines.append(f"   {'setting':<{width}}  ALARMs  notified  in ALARM  first ALARM (UTC)     longest quiet  unnoticed")
    for o, label in zip(outcomes, labels):
        first = iso_utc(o.first_alarm) if o.first_alarm is not None else "never"
        missed = "-" if o.unnoticed is None else f"{len(o.unnoticed):,}"
        lines.append(f" {'*' if o.own else ' '} {label:<{width}}  {o.alarms:>6,}  {o.notifications:>8,}  "
                     f"{duration(o.time_in_alarm):>8}  {first:<20}  {duration(o.longest_quiet):>13}  {missed:>9}")  # fmt: skip
    missed_any = [(o, label) for o, label in zip(outcomes, labels) if o.unnoticed]
    if missed_any:
        lines += ["", "unnoticed events (the alarm never in ALARM while they were in its evaluation range):"]
    for o, label in missed_any:
        assert o.unnoticed is not None
        lines.append(f"  {label}: {plural(len(o.unnoticed), 'event')}")
        for m in o.unnoticed[:EVENTS_PER_SETTING]:
            lines.append(
                f"    {iso_utc(m.timestamp)[:10]} {describe_match(m)}  ({m.source.rsplit('/', 1)[-1]}#{m.index})"
            )
        if len(o.unnoticed) > EVENTS_PER_SETTING:
            lines.append(
                f"    ... {plural(len(o.unnoticed) - EVENTS_PER_SETTING, 'more event')} (--output json lists every one)"
            )
    return "\n".join([*lines, "", *accounting_lines(result)]) + "\n"


class TuneReport(Report):
    """``cwfilter tune``'s result: the settings compared (``outcomes``, in order) on one replay."""

    formats: ClassVar[tuple[str, ...]] = ("table", "json", "text", "csv", "html")

    def __init__(self, result: ReplayResult, base: Alarm, outcomes: list[Outcome]) -> None:
        self.result, self.base, self.outcomes = result, base, outcomes

    def data(self) -> dict[str, Any]:
        """The alarm, the settings in order, the accounting."""
        return {
            "alarm": self.base.as_put_metric_alarm(),
            "matchedEvents": None if self.result.matches is None else len(self.result.matches),
            "settings": [o.as_dict() for o in self.outcomes],
            "accounting": self.result.accounting.as_dict(),
        }

    def table(self) -> str:
        return tune_table(self.result, self.base, self.outcomes)

    def rows(self) -> list[Sequence[Any]]:
        """One row per setting, in the table's order (``--output csv``)."""
        rows: list[Sequence[Any]] = [CSV_FIELDS]
        for o in self.outcomes:
            s, d = o.setting, o.as_dict()
            rows.append([
                "*" if o.own else "", s.label(), f"{s.threshold:g}", s.period, s.evaluation_periods,
                "" if s.datapoints_to_alarm is None else s.datapoints_to_alarm, s.statistic,
                s.treat_missing_data or "", o.alarms, o.notifications, d["timeInAlarmSeconds"], d["firstAlarm"] or "",
                d["longestQuietSeconds"], "" if o.unnoticed is None else len(o.unnoticed),
            ])  # fmt: skip
        return rows

    def html(self) -> str:
        from .html_tune import tune_html  # only for --output html

        return tune_html(self.result, self.base, self.outcomes)


CSV_FIELDS = ("own", "setting", "threshold", "period", "evaluationPeriods", "datapointsToAlarm", "statistic",
              "treatMissingData", "alarms", "notifications", "timeInAlarmSeconds", "firstAlarm",
              "longestQuietSeconds", "unnoticedEvents")  # fmt: skip
