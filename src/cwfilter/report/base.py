"""The ``Report`` base class and the formats every result shares: JSON (four-space indents,
as the AWS CLI prints), ``text`` (tab-separated, as ``aws ... --output text``), CSV and an
aligned table built from rows, and ``--query`` (JMESPath, the AWS CLI's library) over the
JSON form."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any, ClassVar

FORMATS = ("table", "json", "text", "csv")


class RenderError(Exception):
    """A result cannot be rendered as asked (a format it lacks, a query that fails)."""


class Report:
    """One result, presented. Subclasses give ``data()`` (the JSON form, what ``--query``
    reads) and usually ``table()``; ``rows()`` (header row first) where the result is
    tabular, which gives ``csv``; a format of their own is a method named after it and
    listed in ``formats``."""

    formats: ClassVar[tuple[str, ...]] = ("table", "json", "text")

    def data(self) -> Any:
        """The JSON-ready form of the result."""
        raise NotImplementedError

    def rows(self) -> list[Sequence[Any]] | None:
        """The result as a table of values, header first; ``None`` when it is not tabular."""
        return None

    def table(self) -> str:
        """Text for people; by default the rows aligned, else the tab-separated data."""
        rows = self.rows()
        return as_table(rows) if rows is not None else self.text()

    def json(self) -> str:
        return as_json(self.data())

    def text(self) -> str:
        return as_text(self.data())

    def csv(self) -> str:
        rows = self.rows()
        if rows is None:
            raise RenderError("this result is not a table: no --output csv")
        return as_csv(rows)


def render(report: Report, output: str, query: str | None = None) -> str:
    """The text of ``report`` in the format ``output``. With ``query``, the JMESPath result over
    ``data()``: as JSON for ``json``, tab-separated for ``table``/``text`` (as ``aws ... --query``
    does), as CSV for ``csv`` when it is a list of objects or of lists."""
    if output not in report.formats:
        raise RenderError(f"--output {output}: this command gives {', '.join(report.formats)}")
    if query is None:
        text: str = getattr(report, output)()
        return text
    doc = search(query, report.data())
    if output == "json":
        return as_json(doc)
    if output in ("table", "text"):
        return as_text(doc)
    if output == "csv":
        return as_csv(_records_as_rows(doc))
    raise RenderError(f"--query goes with --output json, table, text or csv, not {output}")


def search(query: str, doc: Any) -> Any:
    """``jmespath.search``, its errors as ``RenderError``."""
    import jmespath  # only for --query: not on every start of the command
    from jmespath.exceptions import JMESPathError

    try:
        return jmespath.search(query, doc)
    except JMESPathError as exc:
        raise RenderError(f"--query {query!r}: {exc}") from None


def _records_as_rows(doc: Any) -> list[Sequence[Any]]:
    if isinstance(doc, list) and doc and all(isinstance(x, dict) for x in doc):
        header = list(dict.fromkeys(k for x in doc for k in x))
        return [header, *([x.get(k) for k in header] for x in doc)]
    if isinstance(doc, list) and all(isinstance(x, list) for x in doc):
        return list(doc)
    raise RenderError("--output csv with --query needs a list of objects (or of lists), e.g. 'items[].{a: a, b: b}'")


def as_json(doc: Any) -> str:
    """JSON as the AWS CLI prints it: four-space indents, non-ASCII characters as they are."""
    return json.dumps(doc, indent=4, ensure_ascii=False, default=str) + "\n"


def _scalar(v: Any) -> str:
    if v is None:
        return "None"
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, default=str)
    return str(v)


def as_text(doc: Any) -> str:
    """AWS CLI ``text`` style: a scalar per line, a list of scalars or an object's values on one
    tab-separated line, a list of objects one line each."""
    lines: list[str] = []

    def walk(v: Any) -> None:
        if isinstance(v, list):
            if all(not isinstance(x, (dict, list)) for x in v):
                lines.append("\t".join(_scalar(x) for x in v))
            else:
                for x in v:
                    walk(x)
        elif isinstance(v, dict):
            lines.append("\t".join(_scalar(x) for x in v.values()))
        else:
            lines.append(_scalar(v))

    walk(doc)
    return "\n".join(lines) + "\n"


def _cell(v: Any) -> Any:
    return "" if v is None else json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, (dict, list)) else v


def as_csv(rows: Sequence[Sequence[Any]]) -> str:
    """RFC 4180 CSV (``\\n`` line ends); nested values as JSON, ``None`` as an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def as_table(rows: Sequence[Sequence[Any]]) -> str:
    """Columns aligned two spaces apart; the last column is not padded."""
    cells = [[str(_cell(v)) for v in row] for row in rows]
    if not cells:
        return ""
    widths = [max(len(r[i]) for r in cells if i < len(r)) for i in range(max(map(len, cells)))]
    lines = ["  ".join([*(c.ljust(widths[i]) for i, c in enumerate(r[:-1])), r[-1]]) if r else "" for r in cells]
    return "\n".join(lines) + "\n"
