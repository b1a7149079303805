"""The ``cwfilter`` command: argument parsing and presentation only."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import BinaryIO, Sequence

import orjson

from . import __version__
from .alarm import Alarm, AlarmTimeline, AlarmValidationError, default_evaluation_range, evaluate
from .alarm.config import load_alarms
from .metric import MetricFilter, MetricFilterError, StatisticSet, iso_utc
from .metric_config import ConfigError, load_metric_filters
from .pattern import FilterPattern, PatternError, compile
from .replay import ReplayError, ReplayResult, replay
from .report import ProgressBar, accounting_lines, alarm_table, csv_text, table
from .rules import DEFAULT_TOPIC, Rule, catalogue, find_rule
from .sources import parse_time
from .tester import test_metric_filter

EXIT_MATCH, EXIT_NO_MATCH, EXIT_ERROR = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cwfilter", description="Amazon CloudWatch Logs filter patterns, evaluated offline as AWS does."
    )
    parser.add_argument("--version", action="version", version=f"cwfilter {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="validate a pattern; print its family and canonical text")
    check.add_argument("pattern", metavar="PATTERN")
    check.add_argument("--strict", action="store_true", help="reject unquoted characters AWS does not document")

    match = sub.add_parser(
        "match",
        help="print the lines (log event messages) a pattern matches; exit 1 when none does, like grep",
    )
    match.add_argument("pattern", metavar="PATTERN")
    match.add_argument("file", metavar="FILE", nargs="?", default="-", help="text or JSON-lines file; - for stdin")
    match.add_argument("--strict", action="store_true", help="reject unquoted characters AWS does not document")
    match.add_argument("-c", "--count", action="store_true", help="print only the number of matching lines")
    match.add_argument(
        "--extract",
        action="store_true",
        help="print each match as JSON with its line number and extracted values",
    )

    test = sub.add_parser(
        "test",
        help="the offline twin of `aws logs test-metric-filter`: print the TestMetricFilter response",
        description="Print the TestMetricFilter response JSON for log event messages given as arguments, "
        "in a file, or on standard input (one message per line).",
    )
    test.add_argument("--filter-pattern", metavar="PATTERN", help="the pattern (or take it from --metric-filter)")
    test.add_argument("--log-event-messages", metavar="MESSAGE", nargs="+", help="the messages to test")
    test.add_argument("--messages-file", metavar="FILE", help="messages, one per line; - for standard input")
    test.add_argument(
        "--event-number-base",
        type=int,
        choices=(0, 1),
        default=1,
        help="eventNumber of the first message: 1 as the AWS CLI shows (default), 0 as the API Reference examples",
    )
    test.add_argument(
        "--metric-transformation",
        metavar="SPEC",
        help="also show each event's metric value: AWS CLI shorthand "
        "(metricName=N,metricNamespace=NS,metricValue=1,defaultValue=0,dimensions={k=$.f},unit=Count) or JSON",
    )
    test.add_argument("--metric-filter", metavar="FILE", help="PutMetricFilter JSON, CloudFormation or Terraform file")
    test.add_argument("--filter-name", help="which metric filter of --metric-filter FILE, when it holds several")
    test.add_argument("--no-limits", action="store_true", help="allow more than AWS's 50 messages")

    rp = sub.add_parser(
        "replay",
        help="replay CloudTrail logs through a metric filter: per-minute datapoints and per-period statistics",
        description="Read CloudTrail logs as delivered (S3 trees of .json.gz, {\"Records\": [...]} files, JSON arrays, "
        "JSON lines, lookup-events output, CloudWatch Logs exports and subscription payloads, stdin, s3://bucket/prefix) "
        "and compute what a metric filter would have published.",
    )
    rp.add_argument("paths", metavar="PATH", nargs="+", help="files, directories, - (stdin) or s3://bucket/prefix")
    which = rp.add_argument_group("the metric filter (one of)")
    which.add_argument("--rule", help="a built-in rule: CWL-012, CloudWatch.8, CIS-1.4.0-4.8, ... (see `cwfilter rules`)")
    which.add_argument("--filter-pattern", metavar="PATTERN")
    which.add_argument("--metric-filter", metavar="FILE", help="PutMetricFilter JSON, CloudFormation or Terraform")
    which.add_argument("--filter-name", help="which filter of --metric-filter FILE, when it holds several")
    metric = rp.add_argument_group("metric options for --filter-pattern")
    metric.add_argument("--metric-name", default="MatchCount")
    metric.add_argument("--namespace", default="cwfilter")
    metric.add_argument("--metric-value", default="1")
    metric.add_argument("--default-value", type=float)
    metric.add_argument("--dimension", action="append", default=[], metavar="NAME=REF", help="e.g. Bucket=$.requestParameters.bucketName")
    metric.add_argument("--unit")
    rp.add_argument("--default-value-mode", choices=("per_event", "per_minute"), default="per_event")
    rp.add_argument("--period", type=int, default=None, help="seconds, a multiple of 60 (default: the rule's, else 300)")
    rp.add_argument("--statistic", default=None, help="Sum, SampleCount, Average, Minimum, Maximum or pNN (default Sum)")
    rp.add_argument("--format", choices=("table", "json", "csv"), default="table")
    rp.add_argument("--output", "-o", metavar="FILE", help="write the result here instead of standard output")
    rp.add_argument("--timestamp", choices=("event", "delivery"), default="event",
                    help="stamp records with eventTime (default) or their delivery time where the input has it")  # fmt: skip
    rp.add_argument("--dedupe", action="store_true", help="count each eventID once (trails can deliver duplicates)")
    rp.add_argument("--strict", action="store_true", help="stop at the first bad file or record")
    rp.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: all cores)")
    rp.add_argument("--no-progress", action="store_true", help="no progress line on the terminal")
    al = rp.add_argument_group("alarm emulation")
    al.add_argument("--alarm", metavar="FILE", help="PutMetricAlarm JSON, or a CloudFormation template with "
                    "AWS::Logs::MetricFilter + AWS::CloudWatch::Alarm (+ AWS::SNS::Topic)")  # fmt: skip
    al.add_argument("--alarm-name", help="which alarm of --alarm FILE, when it holds several")
    al.add_argument("--no-alarm", action="store_true", help="with --rule: do not evaluate the rule's alarm")
    al.add_argument("--topic-arn", help="with --rule: the SNS topic of the rule's alarm action")
    al.add_argument("--region", help="region of the alarm (ARN, SNS Region name); default from its action ARNs")
    al.add_argument("--account-id", help="account of the alarm; default from its action ARNs")
    al.add_argument("--alarm-created-at", metavar="TIME", help="ISO 8601; default: the first record's minute")
    al.add_argument("--alarm-until", metavar="TIME", help="ISO 8601; default: until the alarm has settled after the last record")
    al.add_argument("--evaluation-range", type=int, metavar="R", help="periods looked back (default N + max(2, ceil(420/P)))")
    al.add_argument("--notifications-dir", metavar="DIR", help="write each SNS notification as a JSON file here")
    al.add_argument("--notifications-jsonl", metavar="FILE", help="write the SNS notifications as JSON lines")

    sub.add_parser("rules", help="list the built-in rules")
    return parser


def _compile(text: str, strict: bool) -> FilterPattern | None:
    try:
        pattern = compile(text, strict=strict)
    except PatternError as exc:
        print(f"cwfilter: invalid filter pattern: {exc.message}", file=sys.stderr)
        if exc.detail:
            print(f"  {exc.detail}", file=sys.stderr)
        print(_indent(exc.caret), file=sys.stderr)
        return None
    for warning in pattern.warnings:
        print(f"cwfilter: {warning}", file=sys.stderr)
    return pattern


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def _check(args: argparse.Namespace) -> int:
    pattern = _compile(args.pattern, args.strict)
    if pattern is None:
        return EXIT_ERROR
    print(f"family: {pattern.family}")
    print(f"canonical: {pattern}")
    return EXIT_MATCH


def _lines(stream: BinaryIO):  # type: ignore[no-untyped-def]
    for number, raw in enumerate(stream, 1):
        yield number, raw.rstrip(b"\r\n")


def _match(args: argparse.Namespace) -> int:
    pattern = _compile(args.pattern, args.strict)
    if pattern is None:
        return EXIT_ERROR
    try:
        stream: BinaryIO = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
    except OSError as exc:
        print(f"cwfilter: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_ERROR
    out = sys.stdout.buffer
    matched = 0
    with stream:
        for number, line in _lines(stream):
            if args.extract:
                values = pattern.extract(line)
                if values is None:
                    continue
                matched += 1
                record = {"line": number, "message": line.decode("utf-8", "replace"), "extractedValues": values}
                out.write(orjson.dumps(record) + b"\n")
            elif pattern.matches(line):
                matched += 1
                if not args.count:
                    out.write(line + b"\n")
    if args.count:
        out.write(f"{matched}\n".encode())
    out.flush()
    return EXIT_MATCH if matched else EXIT_NO_MATCH


def _fail(message: str) -> int:
    print(f"cwfilter: {message}", file=sys.stderr)
    return EXIT_ERROR


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for c in text:
        if c == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += {"{": 1, "}": -1}.get(c, 0)
        current += c
    return parts + [current] if current else parts


def parse_transformation(text: str) -> dict[str, object]:
    """A metric transformation from JSON or AWS CLI shorthand ``k=v,k=v,dimensions={a=$.x}``."""
    if text.lstrip().startswith(("{", "[")):
        value = orjson.loads(text)
        if isinstance(value, list):
            if len(value) != 1:
                raise ValueError("give exactly one metric transformation")
            value = value[0]
        if not isinstance(value, dict):
            raise ValueError("a metric transformation is a JSON object")
        return value
    out: dict[str, object] = {}
    for part in _split_top_level(text):
        key, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"expected key=value in {part!r}")
        key = key.strip()
        if key == "dimensions":
            inner = value.strip()
            if not (inner.startswith("{") and inner.endswith("}")):
                raise ValueError("dimensions={name=$.field,...}")
            out[key] = dict(p.split("=", 1) for p in _split_top_level(inner[1:-1]) if p)
        else:
            out[key] = value.strip()
    return out


def _filter_from_file(path: str, name: str | None) -> MetricFilter:
    """The metric filter of a file, or the one named ``name`` when it holds several."""
    filters = load_metric_filters(path)
    if name:
        if name not in filters:
            raise ConfigError(f"no metric filter {name!r}; the file has: {', '.join(filters)}")
        return filters[name]
    if len(filters) > 1:
        raise ConfigError(f"the file has several metric filters ({', '.join(filters)}); choose with --filter-name")
    return next(iter(filters.values()))


def _metric_filter_for_test(args: argparse.Namespace) -> tuple[str, MetricFilter | None]:
    if args.metric_filter:
        chosen = _filter_from_file(args.metric_filter, args.filter_name)
        return args.filter_pattern if args.filter_pattern is not None else chosen.pattern.text, chosen
    if args.filter_pattern is None:
        raise ConfigError("give --filter-pattern (or --metric-filter FILE)")
    if not args.metric_transformation:
        return args.filter_pattern, None
    t = parse_transformation(args.metric_transformation)
    missing = [k for k in ("metricName", "metricNamespace", "metricValue") if k not in t]
    if missing:
        raise ConfigError(f"the metric transformation lacks {', '.join(missing)}")
    default = t.get("defaultValue")
    return args.filter_pattern, MetricFilter(
        args.filter_pattern,
        metric_name=str(t["metricName"]),
        namespace=str(t["metricNamespace"]),
        value=str(t["metricValue"]),
        default_value=None if default in (None, "") else float(default),  # type: ignore[arg-type]
        dimensions=t.get("dimensions"),  # type: ignore[arg-type]
        unit=t.get("unit"),  # type: ignore[arg-type]
    )


def _test(args: argparse.Namespace) -> int:
    if args.filter_pattern is not None and _compile(args.filter_pattern, False) is None:
        return EXIT_ERROR
    try:
        pattern_text, metric_filter = _metric_filter_for_test(args)
    except PatternError as exc:  # the pattern inside a --metric-filter file
        _compile(exc.pattern, False)
        return EXIT_ERROR
    except (ConfigError, MetricFilterError, ValueError) as exc:
        return _fail(str(exc))
    messages = list(args.log_event_messages or [])
    if args.messages_file:
        try:
            stream = sys.stdin.buffer if args.messages_file == "-" else open(args.messages_file, "rb")  # noqa: SIM115
        except OSError as exc:
            return _fail(f"cannot read {args.messages_file}: {exc.strerror}")
        with stream:
            messages += [line.decode("utf-8", "replace") for _, line in _lines(stream)]
    elif not messages and not sys.stdin.isatty():
        messages = [line.decode("utf-8", "replace") for _, line in _lines(sys.stdin.buffer)]
    try:
        response = test_metric_filter(
            pattern_text,
            messages,
            event_number_base=args.event_number_base,
            metric_filter=metric_filter,
            enforce_limits=not args.no_limits,
        )
    except MetricFilterError as exc:
        return _fail(str(exc))
    # The AWS CLI prints JSON with four-space indents and non-ASCII characters as they are.
    sys.stdout.write(json.dumps(response, indent=4, ensure_ascii=False) + "\n")
    return EXIT_MATCH


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
        mf = _filter_from_file(args.metric_filter, args.filter_name)
        mf.default_value_mode = args.default_value_mode
        return mf, None
    if _compile(args.filter_pattern, False) is None:
        raise _Reported()
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


class _Reported(Exception):
    """An error already shown to the user."""


def _replay(args: argparse.Namespace) -> int:
    try:
        mf, rule = _replay_filter(args)
    except _Reported:
        return EXIT_ERROR
    except PatternError as exc:
        _compile(exc.pattern, False)
        return EXIT_ERROR
    except (ConfigError, MetricFilterError) as exc:
        return _fail(str(exc))
    for warning in mf.warnings:
        print(f"cwfilter: warning: {warning}", file=sys.stderr)
    period = args.period or (rule.alarm_spec["period"] if rule else 300)
    statistic = args.statistic or (rule.alarm_spec["statistic"] if rule else "Sum")
    try:
        alarm = _replay_alarm(args, mf, rule)
    except (ConfigError, AlarmValidationError, ValueError) as exc:
        return _fail(str(exc))
    if period <= 0 or period % 60:
        return _fail(f"--period {period}: a positive multiple of 60 seconds")
    try:
        _check_statistic(statistic)
    except ValueError as exc:
        return _fail(str(exc))
    bar = ProgressBar(sys.stderr) if sys.stderr.isatty() and not args.no_progress else None
    try:
        result = replay(
            args.paths, mf, period=period, statistic=statistic, timestamp=args.timestamp, dedupe=args.dedupe,
            strict=args.strict, jobs=args.jobs, progress=bar,
        )  # fmt: skip
    except ReplayError as exc:
        if bar:
            bar.close()
        return _fail(f"stopped (--strict): {exc}")
    if bar:
        bar.close()
    timeline = None
    if alarm is not None:
        try:
            timeline = _evaluate_alarm(args, alarm, result)
        except ValueError as exc:
            return _fail(str(exc))
        written = _write_notifications(args, timeline)
        if written:
            return _fail(written)
    if args.format == "json":
        doc = result.to_json()
        if timeline is not None:
            doc["alarm"] = timeline.as_dict()
        text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    elif args.format == "csv":
        text = csv_text(result)
    else:
        text = table(result) + (alarm_table(timeline) if timeline is not None else "")
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            return _fail(f"cannot write {args.output}: {exc.strerror}")
        if args.format != "table":
            print("\n".join(accounting_lines(result)), file=sys.stderr)
    else:
        sys.stdout.write(text)
    failed = result.accounting.files_failed and not result.accounting.files
    return EXIT_ERROR if failed else EXIT_MATCH


def _replay_alarm(args: argparse.Namespace, mf: MetricFilter, rule: Rule | None) -> Alarm | None:
    """The alarm to evaluate: from --alarm FILE, or the rule's own alarm (unless --no-alarm)."""
    if args.alarm:
        alarms = load_alarms(args.alarm, region=args.region, account_id=args.account_id)
        if args.alarm_name:
            found = [a for k, a in alarms.items() if args.alarm_name in (k, a.name)]
            if not found:
                raise ConfigError(f"no alarm {args.alarm_name!r}; the file has: {', '.join(a.name for a in alarms.values())}")
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


def _rules(args: argparse.Namespace) -> int:
    for rule in catalogue():
        names = ", ".join(a for a in rule.aliases[1:] if not a.startswith(("cloudwatch_", "AWS-", "CIS-")))
        print(f"{rule.id:<36} {names:<26} {rule.namespace}/{rule.metric_name}")
    return EXIT_MATCH


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cwfilter`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    handlers = {"check": _check, "match": _match, "test": _test, "replay": _replay, "rules": _rules}
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_MATCH


if __name__ == "__main__":
    sys.exit(main())
