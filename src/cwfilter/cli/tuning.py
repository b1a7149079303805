"""``cwfilter tune``: replay once, then compare a grid of alarm settings on the same datapoints
(``cwfilter.alarm.tuning``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from ..alarm import Alarm, AlarmValidationError, evaluate
from ..alarm.tuning import Setting, grid, tune
from ..config import ConfigError
from ..metric import Datapoints
from ..replayer.allocator import keep_freed_memory
from ..report import RenderError, render
from ..report.replay import accounting_lines
from ..report.tuning import TuneReport, setting_text
from ..sources.scope import Scope
from .alarming import bound_option, replay_alarm, time_option
from .common import OutputError, add_command, add_output_options, write
from .console import fail
from .replaying import _exit_status, _run_replay, add_replay_arguments, filter_or_report

T = TypeVar("T")


def _listed(kind: Callable[[str], T]) -> Callable[[str], list[T]]:
    """One value or several separated by commas (``--threshold 1,2,5`` as ``--threshold 1 2 5``)."""

    def parse(text: str) -> list[T]:
        try:
            return [kind(part.strip()) for part in text.split(",") if part.strip()]
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r}: expected {kind.__name__} values") from None

    return parse


def _unset_or_int(text: str) -> int | None:
    return None if text.lower() in ("unset", "none", "-") else int(text)


def _unset_or_text(text: str) -> str | None:
    return None if text.lower() in ("unset", "none", "-") else text


def add_commands(sub: Any) -> None:
    tp = add_command(
        sub, "tune",
        help="compare alarm settings side by side on one replay: notifications, time in ALARM, missed events",
        description="Replay the logs once (as `cwfilter replay`), then evaluate the alarm (the rule's, or --alarm "
        "FILE) with every combination of the settings given, on the same datapoints. Per setting: transitions to "
        "ALARM and SNS notifications, time in ALARM, the first ALARM, the longest time not in ALARM, and the "
        "matched events that would have gone unnoticed (the alarm never in ALARM while the event was within its "
        "evaluation range). Sorted by unnoticed events, then notifications, then time in ALARM; * marks the "
        "alarm's own setting.",
        exits={0: "every input found was read in full", 2: "nothing could be read, invalid arguments, or a setting "
               "AWS would refuse (with AWS's message)", 3: "the result is printed but some inputs failed or were "
               "read only in part"},
    )  # fmt: skip
    add_replay_arguments(tp, tuning=True)
    g = tp.add_argument_group(
        "the grid (each takes one or more values, or a comma-separated list; default: the alarm's)"
    )
    g.add_argument("--threshold", nargs="+", type=_listed(float), default=[], metavar="X")
    g.add_argument("--period", nargs="+", type=_listed(int), default=[], metavar="SECONDS")
    g.add_argument("--evaluation-periods", nargs="+", type=_listed(int), default=[], metavar="N")
    g.add_argument("--datapoints-to-alarm", nargs="+", type=_listed(_unset_or_int), default=[], metavar="M",
                   help="M of N; 'unset' for not set (M = N)")  # fmt: skip
    g.add_argument("--statistic", nargs="+", type=_listed(str), default=[], metavar="STAT",
                   help="Sum, SampleCount, Average, Minimum, Maximum or pNN")  # fmt: skip
    g.add_argument("--treat-missing-data", nargs="+", type=_listed(_unset_or_text), default=[], metavar="HOW",
                   help="missing, notBreaching, breaching, ignore, or 'unset'")  # fmt: skip
    tp.add_argument("--no-events", action="store_true", help="do not keep the matched events (the replay's fast "
                    "path): no unnoticed events are listed")  # fmt: skip
    add_output_options(tp, TuneReport.formats, "table")
    tp.set_defaults(handler=tune_command, matches=None, no_alarm=False)


def _flat(values: list[list[T]]) -> list[T]:
    return list(dict.fromkeys(v for group in values for v in group))


def settings_of(args: argparse.Namespace, base: Alarm) -> list[Setting]:
    """The grid the arguments ask for, each setting checked as PutMetricAlarm and the evaluator
    would check it (``AlarmValidationError``/``ValueError`` with their messages)."""
    settings = grid(base, thresholds=_flat(args.threshold), periods=_flat(args.period),
                    evaluation_periods=_flat(args.evaluation_periods),
                    datapoints_to_alarm=_flat(args.datapoints_to_alarm), statistics=_flat(args.statistic),
                    treat_missing_data=_flat(args.treat_missing_data))  # fmt: skip
    for s in settings:
        try:
            evaluate(s.alarm(base), Datapoints(), 0, 0)  # the evaluator's own checks, on nothing
        except (AlarmValidationError, ValueError) as exc:
            raise type(exc)(f"setting {setting_text(s, base)}: {exc}") from None
    return settings


def tune_command(args: argparse.Namespace) -> int:
    keep_freed_memory()
    chosen = filter_or_report(args)
    if isinstance(chosen, int):
        return chosen
    mf, rule = chosen
    try:
        base = replay_alarm(args, mf, rule)
        if base is None:
            raise ConfigError("tune needs an alarm: a --rule (its own alarm) or --alarm FILE")
        settings = settings_of(args, base)
        created = time_option(args.alarm_created_at, "--alarm-created-at")
        until = time_option(args.alarm_until, "--alarm-until")
        scope = Scope.of(bound_option(args.since, "--since"), bound_option(args.until, "--until"), args.account,
                         args.trail_region)  # fmt: skip
    except (ConfigError, AlarmValidationError, ValueError) as exc:
        return fail(str(exc))
    if created is None and scope.since_ms is not None:  # the alarm starts where the range does, as in replay
        created = scope.since_ms - scope.since_ms % 60_000
    args.matches = not args.no_events
    result = _run_replay(args, mf, base.period, base.stat, scope)
    if isinstance(result, int):
        return result
    if not result.accounting.files:
        return _exit_status(result)  # nothing was read: say so, not what the alarm lacks
    try:
        outcomes = tune(result, base, settings, created_at=created, until=until,
                        evaluation_range=args.evaluation_range)  # fmt: skip
    except ValueError as exc:
        print("\n".join(accounting_lines(result)), file=sys.stderr)
        return fail(str(exc))
    try:
        write(render(TuneReport(result, base, outcomes), args.output, args.query), args.outfile)
    except (OutputError, RenderError) as exc:
        return fail(str(exc))
    if args.outfile and args.output != "table":
        print("\n".join(accounting_lines(result)), file=sys.stderr)
    return _exit_status(result)
