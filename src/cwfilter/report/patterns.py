"""The results of ``cwfilter check``, ``match`` and ``test``: one pattern against events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from .base import Report


class CheckReport(Report):
    """A pattern's verdict: valid (family, canonical text, warnings) or AWS's error. The table
    of an invalid pattern is the error itself (shown with its caret by the command)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc

    def data(self) -> dict[str, Any]:
        return self.doc

    def table(self) -> str:
        if not self.doc["valid"]:
            return f"invalid: {self.doc['error']['message']}\n"
        return f"family: {self.doc['family']}\ncanonical: {self.doc['canonical']}\n"


class MatchReport(Report):
    """The events a pattern matched, as FilterLogEvents lists them: ``events`` (each with its
    file, line or record number, ``message`` and, with ``--extract``, ``extractedValues``)
    and ``matched``, their number (only the number with ``--count``). The default ``lines``
    format is grep's: each matching event as it was read (the command streams it)."""

    formats: ClassVar[tuple[str, ...]] = ("lines", "table", "json", "text", "csv")

    def __init__(self, events: list[dict[str, Any]], matched: int, *, count_only: bool = False) -> None:
        self.events, self.matched, self.count_only = events, matched, count_only

    def data(self) -> dict[str, Any]:
        return {"matched": self.matched} if self.count_only else {"events": self.events, "matched": self.matched}

    def rows(self) -> list[Sequence[Any]]:
        if self.count_only:
            return [["matched"], [self.matched]]
        header = list(dict.fromkeys(k for e in self.events for k in e)) or ["line", "message"]
        return [header, *([e.get(k) for k in header] for e in self.events)]

    def lines(self) -> str:
        if self.count_only:
            return f"{self.matched}\n"
        return "".join(f"{e['message']}\n" for e in self.events)


class TestReport(Report):
    """The TestMetricFilter response (its JSON form), and for people one line per event."""

    __test__ = False  # not a pytest class
    formats: ClassVar[tuple[str, ...]] = ("json", "table", "text", "csv")

    def __init__(self, response: dict[str, Any], total: int, base: int) -> None:
        self.response, self.total, self.base = response, total, base

    def data(self) -> dict[str, Any]:
        return self.response

    def rows(self) -> list[Sequence[Any]]:
        values = {v["eventNumber"]: v for v in self.response.get("metricValues", [])}
        header = ["eventNumber", "eventMessage", "extractedValues"] + (["value", "dimensions"] if values else [])
        rows: list[Sequence[Any]] = [header]
        for m in self.response["matches"]:
            v = values.get(m["eventNumber"], {})
            extra = [v.get("value"), v.get("dimensions")] if values else []
            rows.append([m["eventNumber"], m["eventMessage"], m["extractedValues"], *extra])
        return rows

    def table(self) -> str:
        metric_values = {v["eventNumber"]: v for v in self.response.get("metricValues", [])}
        matched = {m["eventNumber"]: m for m in self.response["matches"]}
        lines = [f"{len(matched)} of {self.total} event{'s' if self.total != 1 else ''} matched"]
        for n in range(self.base, self.base + self.total):
            m = matched.get(n)
            line = f"  event {n}: {'match' if m else 'no match'}"
            if m and m["extractedValues"]:
                line += "  " + ", ".join(f"{k}={v}" for k, v in m["extractedValues"].items())
            v = metric_values.get(n)
            if v is not None and v["value"] is not None:
                line += f"  value={v['value']:g}" + ("".join(f" {k}={d}" for k, d in v["dimensions"].items()))
            lines.append(line)
        return "\n".join(lines) + "\n"
