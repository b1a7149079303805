"""Presentation of every result cwfilter computes: one place that turns each result into
``json``, ``table``, ``text`` (tab-separated, as the AWS CLI), ``csv`` where it is tabular and
its own formats where it has more (``sarif`` for the audit's findings).

One formatter class per result type (as python-jsonschema's CLI has one formatter per output
style), each a ``Report`` (``report.base``): ``data()`` is the JSON form (what ``--query``
reads), ``table()`` the text for people, ``rows()`` the table as data where the result is
tabular; every other format is derived, or a method named after it (``sarif()``, next
``asff()``, ``ocsf()``, ``html()``). ``render(report, output, query)`` picks the one asked for.
Modules, by result type: ``replay`` (datapoints, accounting, the alarm's episodes, the
progress line), ``findings`` (the audit: table, JSON, SARIF), ``patterns`` (check, match, test,
lint, compare, explain), ``catalogue`` (the rules), ``remediation`` and ``snapshot``.
Nothing here prints: each returns text."""

from __future__ import annotations

from .base import FORMATS, RenderError, Report, as_csv, as_json, as_text, render

__all__ = ["FORMATS", "RenderError", "Report", "as_csv", "as_json", "as_text", "render"]
