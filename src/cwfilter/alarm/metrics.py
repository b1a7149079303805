"""The ``Metrics`` of a metric-math alarm (PutMetricAlarm with ``Metrics``; alarms.md §12.2): its
``MetricDataQuery`` list, validated as AWS validates it, and what the alarm watches — the one
query that returns data, evaluated per period over the metric-filter datapoints."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .expression import Context, Expr, evaluate_expression, expression_error, ids, parse_expression
from .model import AlarmValidationError, constraint_error

_ID = re.compile(r"[a-z][a-zA-Z0-9_]*")
_INSIGHTS = re.compile(r"\s*SELECT\b", re.IGNORECASE)
STATS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
_PERCENTILE = re.compile(r"p(\d{1,2}(\.\d{1,10})?|100)")


def _unsupported(what: str) -> AlarmValidationError:
    return AlarmValidationError(f"{what} is not emulated by cwfilter", aws_exception=None, code="E_UNSUPPORTED")


@dataclass
class MetricQuery:
    """One ``MetricDataQuery``: an ``Id`` and either a ``MetricStat`` (namespace, metric name,
    dimensions, period, stat, optional unit) or an ``Expression``; ``ReturnData`` defaults to true."""

    id: str
    expression: str | None = None
    namespace: str | None = None
    metric_name: str | None = None
    dimensions: dict[str, str] = field(default_factory=dict)
    period: int | None = None
    stat: str | None = None
    unit: str | None = None
    label: str | None = None
    return_data: bool = True
    tree: Expr | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_request(cls, q: Mapping[str, Any], i: int) -> MetricQuery:
        """A ``Metrics`` entry of a PutMetricAlarm request (``i``: its index, for errors)."""
        if not isinstance(q, Mapping):
            raise AlarmValidationError(f"Metrics[{i}] is not an object")
        for key, what in (("AccountId", "a cross-account metric query (AccountId)"),):
            if q.get(key):
                raise _unsupported(what)
        stat = q.get("MetricStat")
        expression = q.get("Expression")
        if (stat is None) == (expression is None):
            raise AlarmValidationError(
                f"Metrics[{i}]: exactly one of MetricStat and Expression must be set", "InvalidParameterCombination"
            )
        out = cls(id=str(q.get("Id", "")), expression=expression, label=q.get("Label"),
                  return_data=q.get("ReturnData", True) is not False)  # fmt: skip
        if stat is not None:
            metric = stat.get("Metric") or {}
            out.namespace, out.metric_name = metric.get("Namespace"), metric.get("MetricName")
            out.dimensions = {d["Name"]: d["Value"] for d in metric.get("Dimensions") or []}
            out.period, out.stat, out.unit = _period(stat.get("Period")), stat.get("Stat"), stat.get("Unit")
        return out

    def as_request(self) -> dict[str, Any]:
        """The query as a PutMetricAlarm ``Metrics`` entry."""
        out: dict[str, Any] = {"Id": self.id}
        if self.expression is not None:
            out["Expression"] = self.expression
        else:
            metric: dict[str, Any] = {"Namespace": self.namespace, "MetricName": self.metric_name}
            metric["Dimensions"] = [{"Name": k, "Value": v} for k, v in self.dimensions.items()]
            out["MetricStat"] = {"Metric": metric, "Period": self.period, "Stat": self.stat}
            if self.unit:
                out["MetricStat"]["Unit"] = self.unit
        if self.label is not None:
            out["Label"] = self.label
        out["ReturnData"] = self.return_data
        return out

    def trigger(self) -> dict[str, Any]:
        """The query as the SNS Trigger echoes it (§12.2 [OBS]): ``Expression, Id, Label,
        ReturnData`` / ``Id, MetricStat{Metric{Dimensions[{value, name}], MetricName, Namespace},
        Period, Stat}, ReturnData``."""
        if self.expression is not None:
            out: dict[str, Any] = {"Expression": self.expression, "Id": self.id}
            if self.label is not None:
                out["Label"] = self.label
            out["ReturnData"] = self.return_data
            return out
        dims = [{"value": v, "name": k} for k, v in self.dimensions.items()]
        metric = {"Dimensions": dims, "MetricName": self.metric_name, "Namespace": self.namespace}
        out = {"Id": self.id, "MetricStat": {"Metric": metric, "Period": self.period, "Stat": self.stat}}
        if self.label is not None:
            out["Label"] = self.label
        out["ReturnData"] = self.return_data
        return out


def _period(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise AlarmValidationError(f"MetricStat Period must be a whole number of seconds, not {value!r}")
    return int(value)


def validate_queries(queries: Sequence[MetricQuery]) -> MetricQuery:
    """AWS's checks of an alarm's ``Metrics`` (§6, §12.2); returns the query that returns data.
    Expressions are parsed (their trees kept on the queries), ids checked, cycles refused."""
    if not queries:
        raise AlarmValidationError("Exactly one element of the metrics list should return data.")
    seen: set[str] = set()
    for i, q in enumerate(queries):
        if not _ID.fullmatch(q.id):
            raise constraint_error(q.id, f"metrics.{i + 1}.member.id",
                                   "Member must start with a lowercase letter and hold only letters, digits and _")  # fmt: skip
        if q.id in seen:
            raise AlarmValidationError(f"Invalid metrics list: the Id {q.id} is used more than once")
        seen.add(q.id)
        _check_query(q)
    returned = [q for q in queries if q.return_data]
    if len(returned) != 1:
        raise AlarmValidationError("Exactly one element of the metrics list should return data.")
    by_id = {q.id: q for q in queries}
    for q in queries:
        for ref in ids(q.tree) if q.tree else []:
            if ref not in by_id:
                raise expression_error(q.expression or "", f"unknown Id {ref}")
    _refuse_cycles(by_id)
    periods = {q.period for q in queries if q.period is not None}
    if len(periods) > 1:
        raise _unsupported(f"metric queries with different periods ({', '.join(map(str, sorted(periods)))})")
    return returned[0]


def _check_query(q: MetricQuery) -> None:
    if q.expression is not None:
        if _INSIGHTS.match(q.expression):
            raise _unsupported("a Metrics Insights query (SELECT ...)")
        if re.match(r"\s*SEARCH\s*\(", q.expression):
            raise _unsupported("SEARCH")
        q.tree = parse_expression(q.expression)
        return
    if not q.namespace or not q.metric_name:
        raise AlarmValidationError(f"Metrics {q.id}: MetricStat.Metric needs a Namespace and a MetricName")
    if q.period is None or q.period < 60 or q.period % 60:
        raise AlarmValidationError(
            f"Metrics {q.id}: Period must be a multiple of 60 (metric filters publish per minute)"
        )
    if q.stat not in STATS and not (isinstance(q.stat, str) and _PERCENTILE.fullmatch(q.stat)):
        raise AlarmValidationError(
            f"Metrics {q.id}: the statistic {q.stat!r} is not supported", "InvalidParameterValue"
        )


def _refuse_cycles(by_id: Mapping[str, MetricQuery]) -> None:
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise AlarmValidationError(f"Invalid metrics list: the expressions refer to each other in a cycle "
                                       f"({' -> '.join([*path, name])})")  # fmt: skip
        state[name] = 1
        tree = by_id[name].tree
        for ref in ids(tree) if tree else []:
            visit(ref, [*path, name])
        state[name] = 2

    for name in by_id:
        visit(name, [])


def query_period(queries: Sequence[MetricQuery]) -> int:
    """The alarm's period: its metrics' (all the same)."""
    return next((q.period for q in queries if q.period is not None), 60)


def series_values(
    queries: Sequence[MetricQuery],
    returned: MetricQuery,
    windows: Mapping[str, Sequence[tuple[float, float] | None]],
    times: Sequence[int],
) -> list[float | None]:
    """The returned query's value per slot (oldest first), given each metric query's (statistic,
    sample count) per slot (``windows``, oldest first; None where it has no data) and the slots'
    start times."""
    series: dict[str, list[float | None]] = {}
    for q in queries:
        if q.expression is None:
            series[q.id] = [None if w is None else w[0] for w in windows[q.id]]
    periods = {q.id: q.period or 60 for q in queries if q.expression is None}
    ctx = Context(series, periods, times)
    done: set[str] = set()

    def compute(q: MetricQuery) -> None:
        if q.id in done or q.tree is None:
            return
        for ref in ids(q.tree):
            compute(by_id[ref])
        value = evaluate_expression(q.tree, ctx)
        if isinstance(value, list) and value and isinstance(value[0], list):
            raise AlarmValidationError(f"the expression {q.expression!r} returns several time series; an alarm "
                                       "watches one")  # fmt: skip
        if not isinstance(value, list) and q is returned:
            raise AlarmValidationError(f"the expression {q.expression!r} returns a single number; an alarm watches "
                                       "a time series")  # fmt: skip
        series[q.id] = value if isinstance(value, list) else [value for _ in times]
        done.add(q.id)

    by_id = {q.id: q for q in queries}
    compute(returned)
    return series[returned.id]


_NOT_WITH_METRICS = ("MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit")


def math_alarm_request(r: Mapping[str, Any]) -> dict[str, Any]:
    """A PutMetricAlarm request with ``Metrics``, its queries read (``Metrics`` → ``MetricQuery``
    list) and ``Period`` taken from them; what AWS refuses with ``Metrics`` is refused."""
    if r.get("ThresholdMetricId"):
        raise _unsupported("an anomaly detection alarm (ThresholdMetricId)")
    given = [k for k in _NOT_WITH_METRICS if r.get(k) not in (None, [], "")]
    if given:
        raise AlarmValidationError(f"Metrics cannot be set together with {', '.join(given)}",
                                   "InvalidParameterCombination")  # fmt: skip
    if not isinstance(r["Metrics"], list):
        raise AlarmValidationError("Metrics must be a list of MetricDataQuery objects")
    queries = [MetricQuery.from_request(q, i) for i, q in enumerate(r["Metrics"])]
    for q in queries:
        if q.expression is not None and "ANOMALY_DETECTION_BAND" in q.expression:
            raise _unsupported("ANOMALY_DETECTION_BAND")
    return {**r, "Metrics": queries, "Period": query_period(queries)}
