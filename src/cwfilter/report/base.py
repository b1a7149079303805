"""The ``Report`` base class and the formats every result shares: JSON (four-space indents,
as the AWS CLI prints), ``text`` (tab-separated, as ``aws ... --output text``), CSV and an
aligned table built from rows, and ``--query`` (JMESPath, the AWS CLI's library) over the
JSON form."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar

from ..errors import CwfilterError

FORMATS = ("table", "json", "text", "csv")


class RenderError(CwfilterError, ValueError):
    """A result cannot be rendered as asked (a format it lacks, a query that fails)."""

    code = "E_RENDER"


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
    except RecursionError:
        raise RenderError("--query: the expression or the data is nested too deeply") from None


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
    return str(v)  # None, True: as the AWS CLI prints them


def as_text(doc: Any) -> str:
    """The AWS CLI's ``text`` output: an object's scalar values on one tab-separated line (keys
    sorted), led by the upper-cased key it sits under; then its nested values, each under
    its key; a list of objects one line each (the scalar keys of all of them, in order); a
    list of scalars on one line (under a key: one line each)."""
    lines: list[str] = []

    def walk(v: Any, key: str | None, keys: list[str] | None = None) -> None:
        if isinstance(v, dict):
            chosen = keys if keys is not None else sorted(k for k, x in v.items() if not isinstance(x, (dict, list)))
            scalars = [_scalar(v.get(k, "")) for k in chosen]
            if scalars:
                lines.append("\t".join(([key.upper()] if key is not None else []) + scalars))
            for k in sorted(set(v) - set(chosen)):
                walk(v[k], k)
        elif isinstance(v, list):
            if any(isinstance(x, dict) for x in v):
                shared = sorted({k for x in v if isinstance(x, dict) for k, y in x.items()
                                 if not isinstance(y, (dict, list))})  # fmt: skip
                for x in v:
                    walk(x, key, shared if isinstance(x, dict) else None)
                return
            scalars = [_scalar(x) for x in v if not isinstance(x, list)]
            if scalars and key is not None:
                lines.extend(f"{key.upper()}\t{x}" for x in scalars)
            elif scalars:
                lines.append("\t".join(scalars))
            for x in v:
                if isinstance(x, list):
                    walk(x, key)
        else:
            lines.append(_scalar(v))

    walk(doc, None)
    return "".join(line + "\n" for line in lines)


def _cell(v: Any) -> Any:
    return "" if v is None else json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, (dict, list)) else v


def as_csv(rows: Sequence[Sequence[Any]]) -> str:
    """RFC 4180 CSV (``\\n`` line ends); nested values as JSON, ``None`` as an empty cell."""
    import csv  # only for --output csv
    import io

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
