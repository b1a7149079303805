"""``cwfilter watch``: a metric filter and its alarm on log events as they arrive (stdin, files
followed as ``tail -F`` does, a CloudWatch Logs group, new CloudTrail objects in S3), on the
wall clock as CloudWatch runs them, or with ``--clock replay`` on the events' own time."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import TYPE_CHECKING, Any

from ..alarm import Alarm, AlarmValidationError
from ..config import ConfigError
from ..metric import MetricFilter
from .alarming import add_alarm_arguments, replay_alarm, time_option
from .common import EXIT_OK, EXIT_PARTIAL, add_command, add_output_options
from .console import fail
from .replaying import add_filter_arguments, filter_or_report

if TYPE_CHECKING:
    from ..live import Delivery, Watch

REPLAY_DELAY = 900  # seconds: CloudTrail delivers records up to 15 minutes after they happen


def add_commands(sub: Any) -> None:
    wp = add_command(
        sub, "watch",
        help="run a metric filter and its alarm on log events as they arrive; print state changes and notifications",
        description="Count log events into per-minute datapoints as they arrive and evaluate the alarm once a minute "
        "as CloudWatch does, printing each state change and SNS notification the moment it happens (one line each; "
        "--output json: one JSON object a line, --query applied to each, -o appending to a file).",
        exits={0: "the watch ended: its inputs ended and the alarm settled, --alarm-until, or SIGINT/SIGTERM after "
               "the current minute was flushed",
               2: "invalid arguments, or a state file that cannot be used",
               3: "some input could not be read"},
    )  # fmt: skip
    wp.add_argument("paths", metavar="FILE", nargs="*",
                    help="files followed as tail -F follows them, or - for standard input (the default)")  # fmt: skip
    src = wp.add_argument_group("other inputs (need boto3: pip install 'cwfilter[s3]')")
    src.add_argument("--log-group", metavar="NAME",
                     help="a CloudWatch Logs group: StartLiveTail, else FilterLogEvents polling (region: --region, "
                     "else the usual AWS settings)")  # fmt: skip
    src.add_argument("--s3", metavar="s3://BUCKET/PREFIX", help="new CloudTrail objects under this prefix (a trail's "
                     "region folders, polled with ListObjectsV2)")  # fmt: skip
    src.add_argument("--poll", type=float, default=None, metavar="SECONDS",
                     help="how often --log-group and --s3 are polled (default 5 and 60)")  # fmt: skip
    add_filter_arguments(wp)
    wp.add_argument("--default-value-mode", choices=("per_event", "per_minute"), default="per_event")
    add_alarm_arguments(wp)
    live = wp.add_argument_group("time")
    live.add_argument("--clock", choices=("wall", "replay"), default="wall",
                      help="wall: evaluate on the system clock, as CloudWatch; replay: the newest event time is the "
                      "clock (a file replays deterministically, files are read to their end)")  # fmt: skip
    live.add_argument("--evaluation-delay", type=float, default=None, metavar="SECONDS",
                      help="the evaluation as of minute T runs at T + SECONDS, so data stamped before T that arrives "
                      "that late still counts (default 0 on the wall clock, as CloudWatch; 900 with --clock replay)")  # fmt: skip
    live.add_argument("--line-time", choices=("arrival", "prefix"), default="arrival",
                      help="the time of a line that is not a CloudTrail record: when it was read (default), or a "
                      "leading ISO 8601 timestamp (the rest of the line is the message)")  # fmt: skip
    live.add_argument("--from-start", action="store_true",
                      help="wall clock: read what the files already hold first (default: only new lines)")  # fmt: skip
    live.add_argument("--follow", action=argparse.BooleanOptionalAction, default=None,
                      help="keep following files at their end (default: with the wall clock)")  # fmt: skip
    out = wp.add_argument_group("output and actions")
    add_output_options(wp, ("text", "json"), "text", format_alias=False)
    out.add_argument("--datapoints", action="store_true", help="also print each minute's datapoints once evaluated")
    out.add_argument("--notify-sns", metavar="ARN", help="publish each notification to this SNS topic (boto3)")
    out.add_argument("--exec", dest="command", metavar="CMD", help="run CMD (a shell command) for each notification, "
                     "with the notification as JSON on its standard input")  # fmt: skip
    out.add_argument("--state", metavar="FILE", help="keep the window, the alarm and the input positions here "
                     "(written atomically each minute): a restart goes on where it stopped")  # fmt: skip
    wp.set_defaults(handler=watch_command)


def watch_command(args: argparse.Namespace) -> int:
    chosen = filter_or_report(args)
    if isinstance(chosen, int):
        return chosen
    mf, rule = chosen
    args.account, args.trail_region = [], []  # what replay's default topic looks at
    if args.notify_sns and rule is not None and not args.topic_arn:
        args.topic_arn = args.notify_sns
    try:
        alarm = replay_alarm(args, mf, rule)
        created = time_option(args.alarm_created_at, "--alarm-created-at")
        until = time_option(args.alarm_until, "--alarm-until")
    except (ConfigError, AlarmValidationError, ValueError) as exc:
        return fail(str(exc))
    if args.evaluation_delay is not None and args.evaluation_delay < 0:
        return fail("--evaluation-delay: a number of seconds, 0 or more")
    if not args.paths and not args.log_group and not args.s3:
        args.paths = ["-"]
    if args.poll is not None and args.poll <= 0:
        return fail("--poll: a number of seconds above 0")
    if args.paths.count("-") > 1:
        return fail("standard input (-) can be given once")
    delay = (
        args.evaluation_delay if args.evaluation_delay is not None else (REPLAY_DELAY if args.clock == "replay" else 0)
    )
    stop: list[Any] = []
    previous = {s: signal.signal(s, _stopper(stop)) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        result = _run(args, mf, alarm, created, until, int(delay * 1000), stop)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if isinstance(result, str):
        return fail(result)
    return EXIT_PARTIAL if result else EXIT_OK


def _stopper(runners: list[Any]) -> Any:
    """A signal handler: the watch stops after the current minute; before it runs, at once."""

    def stop(signum: int, frame: Any) -> None:
        if not runners:
            raise KeyboardInterrupt(signum)
        for runner in runners:
            runner.stop()

    return stop


def _run(
    args: argparse.Namespace, mf: MetricFilter, alarm: Alarm | None, created: int | None, until: int | None,
    delay_ms: int, stoppers: list[Any],
) -> int | str:  # fmt: skip
    """The watch the arguments ask for: the number of inputs that failed, or why it could not start."""
    from ..live import Delivery, LineEvents, Runner, StateError, WallClock, Watch, load, restore, sources_for

    wall = args.clock == "wall"
    clock = WallClock() if wall else None
    if created is None and clock is not None:
        created = clock.now()
    watch = Watch(mf, alarm, delay_ms=delay_ms, evaluation_range=args.evaluation_range, created_at=created,
                  event_clock=not wall, until=until)  # fmt: skip
    pending, positions = [], {}
    if args.state:
        try:
            doc = load(args.state)
            if doc is not None:
                pending, positions = restore(watch, doc, args.state), doc["positions"]
        except StateError as exc:
            return str(exc)
    follow = args.follow if args.follow is not None else wall
    try:
        pushed = mf.pattern.text if mf.default_value is None else None  # a default value needs every event
        sources = sources_for(args, positions, follow=follow, from_start=args.from_start or not wall,
                              pushed_pattern=pushed)  # fmt: skip
        sns = _sns_client(args.notify_sns) if args.notify_sns else None
    except ValueError as exc:
        return str(exc)
    try:
        out = open(args.outfile, "a", encoding="utf-8") if args.outfile else None  # noqa: SIM115 - for the whole watch
    except OSError as exc:
        return f"cannot write {args.outfile}: {exc.strerror}"
    delivery = Delivery(alarm.name if alarm else None, output=args.output, out=out, query=args.query,
                        sns_topic=args.notify_sns, sns_client=sns,
                        command=args.command, datapoints=args.datapoints or alarm is None,
                        notifications_dir=args.notifications_dir, notifications_jsonl=args.notifications_jsonl)  # fmt: skip
    runner = Runner(watch, LineEvents(watch, args.line_time), delivery, sources, clock, state_path=args.state,
                    positions=positions)  # fmt: skip
    stoppers.append(runner)
    try:
        runner.run(pending)
    finally:
        if out is not None:
            out.close()
    _summary(watch, delivery)
    return runner.failed


def _sns_client(arn: str) -> Any:
    parts = arn.split(":")
    if len(parts) < 6 or (parts[:3] != ["arn", "aws", "sns"] and not (parts[0] == "arn" and parts[2] == "sns")):
        raise ValueError(f"--notify-sns {arn!r}: expected an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)")
    from ..aws import session_clients

    try:
        clients, _ = session_clients()
    except ImportError:
        raise ValueError("--notify-sns needs boto3: pip install 'cwfilter[s3]'") from None
    return clients("sns", parts[3])


def _summary(watch: Watch, delivery: Delivery) -> None:
    c = watch.counts
    state = f", alarm {watch.state}" if watch.state else ""
    print(f"cwfilter: watched {c.records:,} records: {c.matched:,} matched, {c.unmatched:,} not matched, "
          f"{c.rejected:,} rejected, {c.late:,} late, {c.expired:,} too late for any evaluation; "
          f"{delivery.sent:,} notification{'' if delivery.sent == 1 else 's'}{state}", file=sys.stderr)  # fmt: skip
