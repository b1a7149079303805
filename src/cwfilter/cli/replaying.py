"""``cwfilter replay`` (logs → datapoints → alarm timeline → notifications) and ``cwfilter rules``."""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import orjson

from ..alarm import AlarmTimeline, AlarmValidationError
from ..config import ConfigError
from ..metric import MetricFilter, MetricFilterError, StatisticSet
from ..pattern import PatternError
from ..replayer import ReplayError, ReplayResult, replay
from ..replayer.allocator import keep_freed_memory
from ..replayer.cluster import ClusterError, dask_client
from ..report import RenderError, render
from ..report.replay import SHOWN_ROWS, ProgressBar, ReplayReport, accounting_lines
from ..rules import Rule, find_rule
from ..sources.inflate import MAX_FILE_SIZE, MAX_RATIO
from ..sources.scope import Scope
from .alarm_sets import replay_alarm_set, wants_alarm_set
from .alarming import add_alarm_arguments, bound_option, evaluate_alarm, replay_alarm, time_option, write_notifications
from .common import (
    EXIT_ERROR,
    EXIT_MATCH,
    EXIT_PARTIAL,
    InputError,
    OutputError,
    add_command,
    add_output_options,
    integer,
    plain_text_file,
    write,
)
from .console import Reported, compile_or_report, fail
from .testing import filter_from_file


def add_commands(sub: Any) -> None:
    rp = add_command(
        sub, "replay",
        help="replay CloudTrail logs through a metric filter: per-minute datapoints and per-period statistics",
        description='Read CloudTrail logs as delivered (S3 trees of .json.gz, {"Records": [...]} files, JSON arrays, '
        "JSON lines, lookup-events output, CloudWatch Logs exports and subscription payloads, stdin, s3://bucket/prefix) "
        "and compute what a metric filter would have published.",
        exits={0: "every input found was read in full (rejected records are counted, not errors)",
               2: "nothing could be read (no input found, every input failed), invalid arguments, or --strict "
               "stopped at a problem",
               3: "the result is printed but some inputs failed or were read only in part (truncated, corrupt, "
               "beyond --max-file-size)"},
    )  # fmt: skip
    add_replay_arguments(rp)
    rp.set_defaults(handler=replay_command)


def add_replay_arguments(rp: argparse.ArgumentParser, *, tuning: bool = False) -> None:
    """replay's arguments; ``tuning``: less those ``cwfilter tune`` replaces (``--period`` and
    ``--statistic`` are its grid) or has its own of (output, ``--matches``, ``--all``)."""
    rp.add_argument("paths", metavar="PATH", nargs="+", help="files, directories, - (stdin) or s3://bucket/prefix")
    add_filter_arguments(rp, several=not tuning)
    rp.add_argument("--default-value-mode", choices=("per_event", "per_minute"), default="per_event")
    if not tuning:
        rp.add_argument("--period", type=integer(60, 604_800, multiple=60), default=None,
                        help="seconds, a multiple of 60 up to 604800, a week (default: the rule's, else 300)")  # fmt: skip
        rp.add_argument(
            "--statistic", default=None, help="Sum, SampleCount, Average, Minimum, Maximum or pNN (default Sum)"
        )
        add_output_options(rp, ReplayReport.formats, "table")
        rp.add_argument("--matches", metavar="FILE",
                        help="write every matched record as JSON lines (timestamp, source file, record number, record); "
                        "- for standard output (the report then goes to standard error unless -o is given). The table's "
                        "ALARM episodes then name the events behind them. Reads every record whole (no fast path)")  # fmt: skip
        rp.add_argument("--all", action="store_true",
                        help=f"the table lists every period and alarm episode (default: the first, last and busiest, "
                        f"{SHOWN_ROWS} at most)")  # fmt: skip
    rp.add_argument("--timestamp", choices=("event", "delivery"), default="event",
                    help="stamp records with eventTime (default) or their delivery time where the input has it")  # fmt: skip
    rp.add_argument("--dedupe", action="store_true", help="count each eventID once (trails can deliver duplicates)")
    rp.add_argument("--strict", action="store_true", help="stop at the first bad file or record")
    rp.add_argument("--max-file-size", type=_size, default=MAX_FILE_SIZE, metavar="SIZE",
                    help="the most one input may give, decompressed: bytes, or with K, M, G (default 1G); an input "
                    f"expanding more than {MAX_RATIO}x its size past 64M is also refused (a decompression bomb)")  # fmt: skip
    rp.add_argument("--jobs", "-j", type=integer(1, 1024), default=None,
                    help="worker processes, 1 to 1024 (default: all cores)")  # fmt: skip
    _add_range_arguments(rp)
    rp.add_argument("--dask", metavar="ADDRESS", help="run the batches on a Dask cluster: tcp://scheduler:8786, or "
                    "local:N for N worker processes here (needs cwfilter[dask])")  # fmt: skip
    rp.add_argument("--no-progress", action="store_true", help="no progress line on the terminal")
    add_alarm_arguments(rp, tuning=tuning, several=not tuning)


def add_filter_arguments(rp: argparse.ArgumentParser, *, several: bool = False) -> None:
    """The metric filter's options (``replay`` and ``watch``): ``--rule``, ``--filter-pattern``
    with the metric options, or ``--metric-filter FILE``; with ``several`` (``replay``) ``--rule``
    and ``--metric-filter`` are repeatable and all the filters are replayed together."""
    which = rp.add_argument_group("the metric filter (one or more)" if several else "the metric filter (one of)")
    action = "append" if several else "store"
    which.add_argument(
        "--rule",
        action=action,
        help="a built-in rule: CWL-012, CloudWatch.8, CIS-1.4.0-4.8, ... (see `cwfilter rules`)",
    )
    which.add_argument("--filter-pattern", metavar="PATTERN")
    which.add_argument(
        "--metric-filter",
        "--filter",
        metavar="FILE",
        action=action,
        help="PutMetricFilter JSON, CloudFormation or Terraform",
    )
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


def _add_range_arguments(rp: argparse.ArgumentParser) -> None:
    rng = rp.add_argument_group("range: what is left out before anything is read (by the CloudTrail layout and names)")
    rng.add_argument("--since", metavar="TIME", help="ISO 8601 (2024-03-04, 2024-03-04T08:00Z) or a time ago "
                     "(90d, 12h, 30m, 2w); records before it are counted out of range; the alarm starts here")  # fmt: skip
    rng.add_argument("--until", metavar="TIME", help="as --since; records at or after it are counted out of range")
    rng.add_argument(
        "--account", action="append", default=[], metavar="ID", help="only this account's files (repeatable)"
    )
    rng.add_argument("--trail-region", action="append", default=[], metavar="REGION",
                     help="only this region's files (repeatable; --region is the alarm's)")  # fmt: skip


def replay_filter(args: argparse.Namespace) -> tuple[MetricFilter, Rule | None]:
    """The metric filter the options name (and its rule, if one was named)."""
    # An empty --filter-pattern is a pattern (it matches every event), not a missing option.
    chosen = [n for n in ("rule", "filter_pattern", "metric_filter") if getattr(args, n) not in (None, False)]
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
        plain_text_file("--metric-filter", args.metric_filter)
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


def filter_or_report(args: argparse.Namespace) -> tuple[MetricFilter, Rule | None] | int:
    """``replay_filter``, its warnings shown; or the exit status after showing why there is none."""
    try:
        mf, rule = replay_filter(args)
    except Reported:
        return EXIT_ERROR
    except PatternError as exc:
        compile_or_report(exc.pattern, False)
        return EXIT_ERROR
    except (ConfigError, MetricFilterError, InputError) as exc:
        return fail(str(exc))
    for warning in mf.warnings:
        print(f"cwfilter: warning: {warning}", file=sys.stderr)
    return mf, rule


def replay_command(args: argparse.Namespace) -> int:
    keep_freed_memory()  # this process is ours: a file's inflated text reuses the last one's memory
    if wants_alarm_set(args):
        return replay_alarm_set(args, _run_replay, _exit_status)
    for name in ("rule", "metric_filter", "alarm"):  # one of each from here on
        setattr(args, name, getattr(args, name)[0] if getattr(args, name) else None)
    chosen = filter_or_report(args)
    if isinstance(chosen, int):
        return chosen
    mf, rule = chosen
    period = args.period if args.period is not None else (rule.alarm_spec["period"] if rule else 300)
    statistic = args.statistic or (rule.alarm_spec["statistic"] if rule else "Sum")
    try:
        alarm = replay_alarm(args, mf, rule)
        time_option(args.alarm_created_at, "--alarm-created-at")  # checked before the replay, not after
        time_option(args.alarm_until, "--alarm-until")
        scope = Scope.of(bound_option(args.since, "--since"), bound_option(args.until, "--until"), args.account,
                         args.trail_region)  # fmt: skip
    except (ConfigError, AlarmValidationError, ValueError) as exc:
        return fail(str(exc))
    try:
        _check_statistic(statistic)
    except ValueError as exc:
        return fail(str(exc))
    result = _run_replay(args, mf, period, statistic, scope)
    if isinstance(result, int):
        return result
    timeline = None
    if alarm is not None and not result.accounting.files:
        return _exit_status(result)  # nothing was read: say so, not what the alarm lacks
    if alarm is not None and rule is not None and not args.alarm and not args.topic_arn:
        alarm = replay_alarm(args, mf, rule, result.origin)  # its topic where the replay found the trail
    if alarm is not None:
        try:
            timeline = evaluate_alarm(args, alarm, result, scope.since_ms)
        except ValueError as exc:
            print("\n".join(accounting_lines(result)), file=sys.stderr)  # what was read, and what went wrong
            return fail(str(exc))
        if timeline is None:
            print("cwfilter: no record with a timestamp was read: the alarm was not evaluated "
                  "(--alarm-created-at and --alarm-until evaluate it over a span)", file=sys.stderr)  # fmt: skip
        else:
            written = write_notifications(args, timeline.notifications)
            if written:
                return fail(written)

    try:
        _emit(args, result, timeline)
    except (OutputError, RenderError) as exc:
        return fail(str(exc))
    if args.outfile and args.output != "table":
        print("\n".join(accounting_lines(result)), file=sys.stderr)
    return _exit_status(result)


def _run_replay(
    args: argparse.Namespace, mf: MetricFilter, period: int, statistic: str, scope: Scope
) -> ReplayResult | int:
    """The replay the arguments ask for, or the exit status after reporting why it stopped
    (``--strict``, a cluster that would not start, a signal: 128 + its number)."""
    bar = ProgressBar(sys.stderr) if sys.stderr.isatty() and not args.no_progress else None
    try:
        with ExitStack() as stack:
            stack.enter_context(_stopped_by_signals())
            client = stack.enter_context(dask_client(args.dask)) if args.dask else None
            result = replay(
                args.paths, mf, period=period, statistic=statistic, timestamp=args.timestamp, dedupe=args.dedupe,
                strict=args.strict, jobs=args.jobs, executor=client, progress=bar, scope=scope,
                matches=bool(args.matches), max_file_size=args.max_file_size,
            )  # fmt: skip
    except (ReplayError, ClusterError) as exc:
        return fail(f"stopped (--strict): {exc}" if isinstance(exc, ReplayError) else str(exc))
    except KeyboardInterrupt as exc:  # the workers are already ended; nothing was written
        signum = exc.args[0] if exc.args and isinstance(exc.args[0], int) else signal.SIGINT
        print(f"cwfilter: stopped by {signal.Signals(signum).name}: no output written", file=sys.stderr)
        return 128 + signum
    finally:
        if bar:
            bar.close()
    return result


@contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP stop the replay as Ctrl-C does (``KeyboardInterrupt``, carrying the
    signal's number): the driver then ends its worker processes before the command exits."""

    owner = os.getpid()

    def stop(signum: int, frame: Any) -> None:
        if os.getpid() != owner:  # a worker forked before it reset the handler: end quietly
            os._exit(128 + signum)
        raise KeyboardInterrupt(signum)

    wanted = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {s: signal.signal(s, stop) for s in wanted}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _exit_status(result: ReplayResult) -> int:
    """0: every input read in full; 3: some failed or were read in part; 2: none was read."""
    a = result.accounting
    if not a.files:
        if not a.files_failed:
            return fail("no log file found in the inputs")
        causes = "; ".join(f"{where[0]}: {reason}" for reason, _, where in a.problem_summary()[:3])
        return fail(f"no input could be read ({a.files_failed:,} failed): {causes}")
    if not a.complete:
        what = [f"{a.files_failed:,} failed"] if a.files_failed else []
        what += [f"{a.files_partial:,} read only in part"] if a.files_partial else []
        found = f"{a.files_seen:,} found: {', '.join(what)}"
        print(f"cwfilter: not every input was read in full ({found})", file=sys.stderr)
        return EXIT_PARTIAL
    return EXIT_MATCH


_SIZE = re.compile(r"(\d+)\s*([KMG]?)i?B?", re.IGNORECASE)


def _size(text: str) -> int:
    """``--max-file-size``: bytes, or a number with K, M or G (powers of 1024)."""
    m = _SIZE.fullmatch(text.strip())
    if not m or int(m.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a size such as 1G, 512M or 1000000")
    return int(m.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30}[m.group(2).upper()]


def _emit(args: argparse.Namespace, result: ReplayResult, timeline: AlarmTimeline | None) -> None:
    """The matched records (``--matches``) and the report, as ``--output`` says; ``OutputError``
    when one cannot be written."""

    if args.matches:
        write("".join(_json_line(m.as_dict()) for m in result.matches or ()),
              None if args.matches == "-" else args.matches)  # fmt: skip
    text = render(ReplayReport(result, timeline, show_all=args.all), args.output, args.query)
    if args.matches == "-" and not args.outfile:
        sys.stderr.write(text)  # standard output holds the matched records
    else:
        write(text, args.outfile)


def _json_line(doc: Any) -> str:
    """One line of JSON; a file name with undecodable bytes (lone surrogates, which orjson
    refuses) is kept, and written as ``\\udcff`` escapes by ``write``."""
    try:
        return orjson.dumps(doc).decode() + "\n"
    except TypeError:
        return json.dumps(doc, ensure_ascii=False) + "\n"


def _check_statistic(statistic: str) -> None:
    probe = StatisticSet()
    probe.add(1.0)
    probe.statistic(statistic)
