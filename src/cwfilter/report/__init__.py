"""Presentation of results: returns text, never prints. ``replay`` (the replay's table, CSV,
the alarm's episodes, the progress line), ``html`` (the replay as one self-contained HTML
page) and ``html_tune`` (the tuning grid's page)."""

from __future__ import annotations

from .replay import (
    EVENTS_SHOWN,
    SHOWN_ROWS,
    ProgressBar,
    accounting_lines,
    alarm_table,
    csv_text,
    describe_match,
    events_behind,
    plural,
    table,
)

__all__ = [
    "EVENTS_SHOWN",
    "SHOWN_ROWS",
    "ProgressBar",
    "accounting_lines",
    "alarm_table",
    "csv_text",
    "describe_match",
    "events_behind",
    "plural",
    "table",
]
