"""``cwfilter replay`` with several metric filters and alarms together: every filter of the
``--rule``/``--metric-filter``/``--filter-pattern`` options (and of an ``--alarm`` template) is
replayed, then every metric, math and composite alarm of the ``--alarm`` files (or the rules' own
alarms) is evaluated on the merged datapoints — composites over the alarms they name — and each
alarm's timeline and notifications are printed (``--history``: DescribeAlarmHistory items)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ..alarm import AlarmValidationError, default_evaluation_range, evaluate_all
from ..config import ConfigError
from ..config.composites import AlarmSet, load_alarm_set
from ..metric import Datapoints, MetricFilter
from ..replayer import ReplayResult
from ..report.alarms import AlarmHistoryReport, AlarmSetReport
from ..rules import find_rule
from ..sources.scope import Scope
from .alarming import bound_option, default_topic, time_option, write_notifications
from .common import EXIT_ERROR, InputError, emit, plain_text_file
from .console import fail

Runner = Callable[[argparse.Namespace, MetricFilter, int, str, Scope], "ReplayResult | int"]


def wants_alarm_set(args: argparse.Namespace) -> bool:
    """Whether the arguments ask for several filters or alarms (else the single-filter replay runs)."""
    if len(args.rule or []) + len(args.metric_filter or []) + (args.filter_pattern is not None) > 1:
        return True
    return len(args.alarm or []) > 1 or bool(args.history) or (bool(args.alarm) and _has_several_or_math(args))


def _has_several_or_math(args: argparse.Namespace) -> bool:
    try:
        found = load_alarm_set(args.alarm[0], region=args.region, account_id=args.account_id)
    except ConfigError:
        return False  # the single-filter path reports it
    several = len(found.names()) > 1 and not args.alarm_name
    return several or bool(found.composites) or any(a.metrics is not None for a in found.alarms.values())


def _filters(args: argparse.Namespace) -> list[MetricFilter]:
    """Every metric filter the options name, in order; an ``--alarm`` template's filters too."""
    from ..config import load_metric_filters
    from .testing import filter_from_file

    for option, paths in (("--alarm", args.alarm), ("--metric-filter", args.metric_filter)):
        for path in paths or []:
            try:
                plain_text_file(option, path)
            except InputError as exc:
                raise ConfigError(str(exc)) from None
    out: list[MetricFilter] = []
    for name in args.rule or []:
        try:
            out.append(find_rule(name).metric_filter(via=name))
        except KeyError as exc:
            raise ConfigError(str(exc.args[0])) from None
    for path in args.metric_filter or []:
        out += (
            list(load_metric_filters(path).values())
            if not args.filter_name
            else [filter_from_file(path, args.filter_name)]
        )
    if args.filter_pattern is not None:
        out.append(MetricFilter(args.filter_pattern, metric_name=args.metric_name, namespace=args.namespace,
                                value=args.metric_value, default_value=args.default_value, unit=args.unit))  # fmt: skip
    for path in args.alarm or []:  # a template holding the filters as well as the alarms
        if any(kind in _text(path) for kind in ("AWS::Logs::MetricFilter", "aws_cloudwatch_log_metric_filter")):
            out += list(load_metric_filters(path).values())
    for mf in out:
        mf.default_value_mode = args.default_value_mode
    return out


def _text(path: str) -> str:
    from ..config import read_config_text

    return read_config_text(path)[1]


def _alarms(
    args: argparse.Namespace, filters: list[MetricFilter], origin: tuple[str, str] | None, *, warn: bool = True
) -> AlarmSet:
    """The ``--alarm`` files' alarms, or the rules' own alarms (unless ``--no-alarm``), in the
    account and region of the options, else of ``origin`` (the trail the replay read)."""
    found = AlarmSet()
    account = args.account_id or (origin[0] if origin else None)
    region = args.region or (origin[1] if origin else None)
    for path in args.alarm or []:
        found.add(load_alarm_set(path, region=region, account_id=account))
    if not args.alarm and not args.no_alarm:
        for name, mf in zip(args.rule or [], filters):
            alarm = find_rule(name).alarm(mf, topic_arn=args.topic_arn or default_topic(args, origin))
            alarm.region, alarm.account_id = args.region or alarm.region, args.account_id or alarm.account_id
            found.alarms[alarm.name] = alarm
    if args.alarm_name:
        found = _named(found, args.alarm_name)
    published = {(mf.namespace, mf.metric_name) for mf in filters}
    for a in found.alarms.values() if warn else ():
        watched = [(q.namespace, q.metric_name) for q in a.metrics or [] if q.expression is None] or [
            (a.namespace, a.metric_name)
        ]
        for ns, name in watched:
            if (ns, name) not in published:
                print(f"cwfilter: warning: alarm {a.name} watches {ns}/{name}, which no filter publishes: it will "
                      "see no data", file=sys.stderr)  # fmt: skip
    return found


def _named(found: AlarmSet, name: str) -> AlarmSet:
    """``--alarm-name``: that alarm, and for a composite the alarms it needs (children, suppressor)."""
    if name not in found.names():
        raise ConfigError(f"no alarm {name!r}; the files have: {', '.join(found.names())}")
    out, wanted = AlarmSet(), [name]
    while wanted:
        n = wanted.pop().rsplit(":alarm:", 1)[-1]
        if n in found.alarms:
            out.alarms[n] = found.alarms[n]
        elif n in found.composites and n not in out.composites:
            c = out.composites[n] = found.composites[n]
            wanted += [*c.children, *([c.actions_suppressor] if c.actions_suppressor else [])]
    return out


def _span(
    args: argparse.Namespace, results: list[ReplayResult], found: AlarmSet, since: int | None
) -> tuple[int, int] | None:
    """When the alarms are created and until when they are evaluated (as the single-alarm replay);
    None when no time was read to start them at and none was given."""
    created = time_option(args.alarm_created_at, "--alarm-created-at")
    if created is None and since is not None:
        created = since - since % 60_000
    stamps = [s for r in results if r.span for s in r.span]
    stamps += [m for r in results for key in r.datapoints.metrics() for m, _ in r.datapoints.minutes(key)]
    if created is None:
        if not stamps:
            return None
        created = min(stamps) - min(stamps) % 60_000
    until = time_option(args.alarm_until, "--alarm-until")
    if until is None:
        longest = max((a.period * ((args.evaluation_range or default_evaluation_range(a.period, a.evaluation_periods))
                                   + 1) for a in found.alarms.values()), default=0)  # fmt: skip
        until = max(created, max(stamps, default=created)) + longest * 1000
        until -= until % 60_000
    return created, until


def replay_alarm_set(args: argparse.Namespace, run: Runner, status: Callable[[ReplayResult], int]) -> int:
    """The replay of several filters and alarms; ``run`` replays one filter (or returns the exit
    status after reporting why it stopped), ``status`` is a finished replay's exit status."""
    try:
        filters = _filters(args)
        _alarms(args, filters, None, warn=False)  # their errors before the replay, not after
        scope = Scope.of(bound_option(args.since, "--since"), bound_option(args.until, "--until"), args.account,
                         args.trail_region)  # fmt: skip
    except (ConfigError, AlarmValidationError, ValueError) as exc:
        return fail(str(exc))
    if not filters:
        return fail("no metric filter: give --rule, --metric-filter, --filter-pattern or an --alarm template with "
                    "AWS::Logs::MetricFilter resources")  # fmt: skip
    results: list[ReplayResult] = []
    for mf in filters:
        result = run(args, mf, args.period or 300, args.statistic or "Sum", scope)
        if isinstance(result, int):
            return result
        results.append(result)
    try:  # again, in the account and region of the trail the replay read
        found = _alarms(args, filters, next((r.origin for r in results if r.origin), None))
    except (ConfigError, AlarmValidationError) as exc:
        return fail(str(exc))
    datapoints = Datapoints()
    for r in results:
        datapoints.merge(r.datapoints)
    try:
        span = _span(args, results, found, scope.since_ms)
        timelines = (
            {}
            if span is None
            else evaluate_all(
                found.alarms.values(),
                found.composites.values(),
                datapoints,
                *span,
                evaluation_range=args.evaluation_range,
            )
        )
    except (AlarmValidationError, ValueError) as exc:
        return fail(str(exc))
    if span is None:
        print("cwfilter: no record with a timestamp was read: the alarms were not evaluated "
              "(--alarm-created-at and --alarm-until evaluate them over a span)", file=sys.stderr)  # fmt: skip
    notes = sorted((n for t in timelines.values() for n in t.notifications), key=lambda n: n.timestamp)
    written = write_notifications(args, notes)
    if written:
        return fail(written)
    if args.history:
        report: AlarmHistoryReport | AlarmSetReport = AlarmHistoryReport(timelines.values())
    else:
        report = AlarmSetReport(results, timelines, show_all=args.all)
    if emit(args, report):
        return EXIT_ERROR
    return max(status(r) for r in results)
