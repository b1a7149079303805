"""``cwfilter replay`` (logs → datapoints → alarm timeline → notifications) and ``cwfilter rules``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..alarm import Alarm, AlarmTimeline, AlarmValidationError, default_evaluation_range, evaluate
from ..config import ConfigError, load_alarms
from ..metric import MetricFilter, MetricFilterError, StatisticSet
from ..pattern import PatternError
from ..replay import ReplayError, ReplayResult, replay
from ..report import ProgressBar, accounting_lines, alarm_table, csv_text, table
from ..rules import DEFAULT_TOPIC, Rule, catalogue, find_rule
from ..times import iso_utc, parse_time
from .console import EXIT_ERROR, EXIT_MATCH, Reported, compile_or_report, fail
from .testing import filter_from_file


def add_commands(sub: Any) -> None:
    rp = sub.add_parser(
        "replay",
        help="replay CloudTrail logs through a metric filter: per-minute datapoints and per-period statistics",
        description='Read CloudTrail logs as delivered (S3 trees of .json.gz, {"Records": [...]} files, JSON arrays, '
        "JSON lines, lookup-events output, CloudWatch Logs exports and subscription payloads, stdin, s3://bucket/prefix) "
        "and compute what a metric filter would have published.",
    )
    rp.add_argument("paths", metavar="PATH", nargs="+", help="files, directories, - (stdin) or s3://bucket/prefix")
    which = rp.add_argument_group("the metric filter (one of)")
    which.add_argument(
        "--rule", help="a built-in rule: CWL-012, CloudWatch.8, CIS-1.4.0-4.8, ... (see `cwfilter rules`)"
    )
    which.add_argument("--filter-pattern", metavar="PATTERN")
    which.add_argument("--metric-filter", metavar="FILE", help="PutMetricFilter JSON, CloudFormation or Terraform")
    which.add_argument("--filter-name", help="which filter of --metric-filter FILE, when it holds several")
    metric = rp.add_argument_group("metric options for --filter-pattern")
    metric.add_argument("--metric-name", default="MatchCount")
    metric.add_argument("--namespace", default="cwfilter")
    metric.add_argument("--metric-value", default="1")
    metric.add_argument("--default-value", type=float)
    metric.add_argument(
        "--dimension",
        action="append",
        default=[],
        metavar="NAME=REF",
        help="e.g. Bucket=$.requestParameters.bucketName",
    )
    metric.add_argument("--unit")
    rp.add_argument("--default-value-mode", choices=("per_event", "per_minute"), default="per_event")
    rp.add_argument(
        "--period", type=int, default=None, help="seconds, a multiple of 60 (default: the rule's, else 300)"
    )
    rp.add_argument(
        "--statistic", default=None, help="Sum, SampleCount, Average, Minimum, Maximum or pNN (default Sum)"
    )
    rp.add_argument("--format", choices=("table", "json", "csv"), default="table")
    rp.add_argument("--output", "-o", metavar="FILE", help="write the result here instead of standard output")
    rp.add_argument("--timestamp", choices=("event", "delivery"), default="event",
                    help="stamp records with eventTime (default) or their delivery time where the input has it")  # fmt: skip
    rp.add_argument("--dedupe", action="store_true", help="count each eventID once (trails can deliver duplicates)")
    rp.add_argument("--strict", action="store_true", help="stop at the first bad file or record")
    rp.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: all cores)")
    rp.add_argument("--no-progress", action="store_true", help="no progress line on the terminal")
    _add_alarm_arguments(rp)
    rp.set_defaults(handler=replay_command)
    sub.add_parser("rules", help="list the built-in rules").set_defaults(handler=rules_command)


def _add_alarm_arguments(rp: argparse.ArgumentParser) -> None:
    al = rp.add_argument_group("alarm emulation")
    al.add_argument("--alarm", metavar="FILE", help="PutMetricAlarm JSON, or a CloudFormation template with "
                    "AWS::Logs::MetricFilter + AWS::CloudWatch::Alarm (+ AWS::SNS::Topic)")  # fmt: skip
    al.add_argument("--alarm-name", help="which alarm of --alarm FILE, when it holds several")
    al.add_argument("--no-alarm", action="store_true", help="with --rule: do not evaluate the rule's alarm")
    al.add_argument("--topic-arn", help="with --rule: the SNS topic of the rule's alarm action")
    al.add_argument("--region", help="region of the alarm (ARN, SNS Region name); default from its action ARNs")
    al.add_argument("--account-id", help="account of the alarm; default from its action ARNs")
    al.add_argument("--alarm-created-at", metavar="TIME", help="ISO 8601; default: the first record's minute")
    al.add_argument(
        "--alarm-until", metavar="TIME", help="ISO 8601; default: until the alarm has settled after the last record"
    )
    al.add_argument(
        "--evaluation-range", type=int, metavar="R", help="periods looked back (default N + max(2, ceil(420/P)))"
    )
    al.add_argument("--notifications-dir", metavar="DIR", help="write each SNS notification as a JSON file here")
    al.add_argument("--notifications-jsonl", metavar="FILE", help="write the SNS notifications as JSON lines")


def _replay_filter(args: argparse.Namespace) -> tuple[MetricFilter, Rule | None]:
    chosen = [n for n in ("rule", "filter_pattern", "metric_filter") if getattr(args, n)]
    if not chosen and args.alarm:
        args.metric_filter = args.alarm  # a CloudFormation template holding the filter and the alarm
        chosen = ["metric_filter"]
    if len(chosen) != 1:
        raise ConfigError("give exactly one of --rule, --filter-pattern, --metric-filter (or a template with --alarm)")
    if args.rule:
        try:
            rule = find_rule(args.rule)
        except KeyError as exc:
            raise ConfigError(str(exc.args[0])) from None
        mf = rule.metric_filter(via=args.rule)
        mf.default_value_mode = args.default_value_mode
        return mf, rule
    if args.metric_filter:
        mf = filter_from_file(args.metric_filter, args.filter_name)
        mf.default_value_mode = args.default_value_mode
        return mf, None
    if compile_or_report(args.filter_pattern, False) is None:
        raise Reported()
    dims = {}
    for d in args.dimension:
        name, sep, ref = d.partition("=")
        if not sep:
            raise ConfigError(f"--dimension {d!r}: expected NAME=$.field")
        dims[name] = ref
    return (
        MetricFilter(
            args.filter_pattern,
            metric_name=args.metric_name,
            namespace=args.namespace,
            value=args.metric_value,
            default_value=args.default_value,
            dimensions=dims or None,
            unit=args.unit,
            default_value_mode=args.default_value_mode,
        ),
        None,
    )


def replay_command(args: argparse.Namespace) -> int:
    try:
        mf, rule = _replay_filter(args)
    except Reported:
        return EXIT_ERROR
    except PatternError as exc:
        compile_or_report(exc.pattern, False)
        return EXIT_ERROR
    except (ConfigError, MetricFilterError) as exc:
        return fail(str(exc))
    for warning in mf.warnings:
        print(f"cwfilter: warning: {warning}", file=sys.stderr)
    period = args.period or (rule.alarm_spec["period"] if rule else 300)
    statistic = args.statistic or (rule.alarm_spec["statistic"] if rule else "Sum")
    try:
        alarm = _replay_alarm(args, mf, rule)
    except (ConfigError, AlarmValidationError, ValueError) as exc:
        return fail(str(exc))
    if period <= 0 or period % 60:
        return fail(f"--period {period}: a positive multiple of 60 seconds")
    try:
        _check_statistic(statistic)
    except ValueError as exc:
        return fail(str(exc))
    try:
        result = _run_replay(args, mf, period, statistic)
    except ReplayError as exc:
        return fail(f"stopped (--strict): {exc}")
    timeline = None
    if alarm is not None:
        try:
            timeline = _evaluate_alarm(args, alarm, result)
        except ValueError as exc:
            print("\n".join(accounting_lines(result)), file=sys.stderr)  # what was read, and what went wrong
            return fail(str(exc))
        written = _write_notifications(args, timeline)
        if written:
            return fail(written)
    text = _render(args.format, result, timeline)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            return fail(f"cannot write {args.output}: {exc.strerror}")
        if args.format != "table":
            print("\n".join(accounting_lines(result)), file=sys.stderr)
    else:
        sys.stdout.write(text)
    failed = result.accounting.files_failed and not result.accounting.files
    return EXIT_ERROR if failed else EXIT_MATCH


def _render(form: str, result: ReplayResult, timeline: AlarmTimeline | None) -> str:
    """The replay (and alarm) result as ``--format`` says: json, csv or the table."""
    if form == "json":
        doc = result.to_json()
        if timeline is not None:
            doc["alarm"] = timeline.as_dict()
        return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    if form == "csv":
        return csv_text(result)
    return table(result) + (alarm_table(timeline) if timeline is not None else "")


def _run_replay(args: argparse.Namespace, mf: MetricFilter, period: int, statistic: str) -> ReplayResult:
    """The replay, with a progress line on a terminal (closed however it ends)."""
    bar = ProgressBar(sys.stderr) if sys.stderr.isatty() and not args.no_progress else None
    try:
        return replay(
            args.paths, mf, period=period, statistic=statistic, timestamp=args.timestamp, dedupe=args.dedupe,
            strict=args.strict, jobs=args.jobs, progress=bar,
        )  # fmt: skip
    finally:
        if bar:
            bar.close()


def _replay_alarm(args: argparse.Namespace, mf: MetricFilter, rule: Rule | None) -> Alarm | None:
    """The alarm to evaluate: from --alarm FILE, or the rule's own alarm (unless --no-alarm)."""
    if args.alarm:
        alarms = load_alarms(args.alarm, region=args.region, account_id=args.account_id)
        if args.alarm_name:
            found = [a for k, a in alarms.items() if args.alarm_name in (k, a.name)]
            if not found:
                raise ConfigError(
                    f"no alarm {args.alarm_name!r}; the file has: {', '.join(a.name for a in alarms.values())}"
                )
            alarm = found[0]
        else:
            watching = [a for a in alarms.values() if (a.namespace, a.metric_name) == (mf.namespace, mf.metric_name)]
            candidates = watching or list(alarms.values())
            if not candidates:
                raise ConfigError(f"{args.alarm}: no alarm found")
            if len(candidates) > 1:
                raise ConfigError(f"several alarms ({', '.join(a.name for a in candidates)}); choose with --alarm-name")
            alarm = candidates[0]
        if (alarm.namespace, alarm.metric_name) != (mf.namespace, mf.metric_name):
            print(f"cwfilter: warning: alarm {alarm.name} watches {alarm.namespace}/{alarm.metric_name}, not the "
                  f"filter's {mf.namespace}/{mf.metric_name}: it will see no data", file=sys.stderr)  # fmt: skip
        return alarm
    if rule is not None and not args.no_alarm:
        alarm = rule.alarm(mf, topic_arn=args.topic_arn or DEFAULT_TOPIC)
        if args.region or args.account_id:
            alarm.region = args.region or alarm.region
            alarm.account_id = args.account_id or alarm.account_id
        return alarm
    return None


def _time_option(text: str | None, name: str) -> int | None:
    if text is None:
        return None
    ms = parse_time(text)
    if ms is None:
        raise ValueError(f"{name} {text!r}: expected an ISO 8601 time such as 2024-03-04T08:00:00Z")
    return ms


def _evaluate_alarm(args: argparse.Namespace, alarm: Alarm, result: ReplayResult) -> AlarmTimeline:
    created = _time_option(args.alarm_created_at, "--alarm-created-at")
    until = _time_option(args.alarm_until, "--alarm-until")
    span = result.span
    minutes = [m for key in result.datapoints.metrics() for m, _ in result.datapoints.minutes(key)]
    first = span[0] if span else (min(minutes) if minutes else None)
    last = span[1] if span else (max(minutes) if minutes else None)
    if created is None:
        if first is None:
            raise ValueError("no records with a timestamp: give --alarm-created-at and --alarm-until")
        created = first - first % 60_000
    r = args.evaluation_range or default_evaluation_range(alarm.period, alarm.evaluation_periods)
    if until is None:
        until = max(created, last or created) + (r + 1) * alarm.period * 1000
        until -= until % 60_000
    return evaluate(alarm, result.datapoints, created, until, evaluation_range=args.evaluation_range)


def _write_notifications(args: argparse.Namespace, timeline: AlarmTimeline) -> str | None:
    try:
        if args.notifications_dir:
            folder = Path(args.notifications_dir)
            folder.mkdir(parents=True, exist_ok=True)
            for i, note in enumerate(timeline.notifications, 1):
                name = f"{i:04d}-{note.message['NewStateValue']}-{iso_utc(note.timestamp).replace(':', '')}.json"
                (folder / name).write_text(json.dumps(note.sns_envelope(), indent=2, ensure_ascii=False) + "\n")
        if args.notifications_jsonl:
            with open(args.notifications_jsonl, "w", encoding="utf-8") as out:
                for note in timeline.notifications:
                    out.write(json.dumps(note.as_dict(), ensure_ascii=False) + "\n")
    except OSError as exc:
        return f"cannot write notifications: {exc}"
    return None


def _check_statistic(statistic: str) -> None:
    probe = StatisticSet()
    probe.add(1.0)
    probe.statistic(statistic)


def rules_command(args: argparse.Namespace) -> int:
    for rule in catalogue():
        names = ", ".join(a for a in rule.aliases[1:] if not a.startswith(("cloudwatch_", "AWS-", "CIS-")))
        print(f"{rule.id:<36} {names:<26} {rule.namespace}/{rule.metric_name}")
    return EXIT_MATCH
