"""The alarm side of ``cwfilter replay``: which alarm to evaluate (from --alarm FILE or the rule),
over which span, with which SNS topic, and where its notifications are written."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from ..alarm import Alarm, AlarmTimeline, Notification, evaluate
from ..alarm.tuning import evaluation_span
from ..config import ConfigError
from ..metric import MetricFilter
from ..replayer import ReplayResult
from ..rules import DEFAULT_TOPIC, Rule
from ..sources.scope import relative_ms
from ..times import iso_utc, parse_time
from .common import InputError, integer, plain_text_file, region


def add_alarm_arguments(rp: argparse.ArgumentParser, *, tuning: bool = False, several: bool = False) -> None:
    """The alarm's options; ``tuning`` (``cwfilter tune``): without those that do not apply there;
    ``several`` (``replay``): ``--alarm`` is repeatable, its files may hold metric, math and
    composite alarms, and ``--history`` prints the alarms' history items."""
    al = rp.add_argument_group("alarm emulation")
    if several:
        al.add_argument("--alarm", metavar="FILE", action="append",
                        help="PutMetricAlarm (also metric math) or PutCompositeAlarm JSON, describe-alarms output, "
                        "Terraform, or a CloudFormation template with AWS::Logs::MetricFilter + AWS::CloudWatch::Alarm "
                        "/ CompositeAlarm (+ AWS::SNS::Topic); repeatable: every alarm is evaluated, composites over "
                        "the alarms they name")  # fmt: skip
        al.add_argument("--history", action="store_true",
                        help="print the alarms' DescribeAlarmHistory items (newest first) instead of the report")  # fmt: skip
    else:
        al.add_argument("--alarm", metavar="FILE", help="PutMetricAlarm JSON, or a CloudFormation template with "
                        "AWS::Logs::MetricFilter + AWS::CloudWatch::Alarm (+ AWS::SNS::Topic)")  # fmt: skip
    al.add_argument("--alarm-name", help="which alarm of --alarm FILE, when it holds several")
    if not tuning:
        al.add_argument("--no-alarm", action="store_true", help="with --rule: do not evaluate the rule's alarm")
    al.add_argument("--topic-arn", help="with --rule: the SNS topic of the rule's alarm action")
    al.add_argument(
        "--region", type=region, help="region of the alarm (ARN, SNS Region name); default from its action ARNs"
    )
    al.add_argument("--account-id", help="account of the alarm; default from its action ARNs")
    al.add_argument("--alarm-created-at", metavar="TIME", help="ISO 8601; default: the first record's minute")
    al.add_argument(
        "--alarm-until", metavar="TIME", help="ISO 8601; default: until the alarm has settled after the last record"
    )
    al.add_argument("--evaluation-range", type=integer(1, 10_000), metavar="R",
                    help="periods looked back, 1 to 10000 (default N + max(2, ceil(420/P)))")  # fmt: skip
    if not tuning:
        al.add_argument("--notifications-dir", metavar="DIR", help="write each SNS notification as a JSON file here")
        al.add_argument("--notifications-jsonl", metavar="FILE", help="write the SNS notifications as JSON lines")


def replay_alarm(
    args: argparse.Namespace, mf: MetricFilter, rule: Rule | None, origin: tuple[str, str] | None = None
) -> Alarm | None:
    """The alarm to evaluate: from --alarm FILE, or the rule's own alarm (unless --no-alarm),
    its default topic in ``origin``'s account and region (the replay's first CloudTrail file)."""
    if args.alarm:
        from ..config import load_alarms  # here: a replay without --alarm does not load YAML

        try:
            plain_text_file("--alarm", args.alarm)
        except InputError as exc:
            raise ConfigError(str(exc)) from None
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
        alarm = rule.alarm(mf, topic_arn=args.topic_arn or default_topic(args, origin))
        if args.region or args.account_id:
            alarm.region = args.region or alarm.region
            alarm.account_id = args.account_id or alarm.account_id
        return alarm
    return None


def default_topic(args: argparse.Namespace, origin: tuple[str, str] | None = None) -> str:
    """The SNS topic of a rule's alarm when --topic-arn is not given: ``cwfilter-alarms`` in the
    trail's own account and region (from --account-id/--region, a single --account or
    --trail-region, else ``origin``: the first CloudTrail file the replay read), not a made-up account."""
    account = args.account_id or (args.account[0] if len(args.account) == 1 else None)
    region = args.region or (args.trail_region[0] if len(args.trail_region) == 1 else None)
    if origin is not None:
        account, region = account or origin[0], region or origin[1]
    topic = DEFAULT_TOPIC.split(":")
    return ":".join([*topic[:3], region or topic[3], account or topic[4], topic[5]])


_SHORT_TIME = re.compile(r"(\d{4}-\d\d-\d\d)(?:[T ](\d\d):(\d\d))?(Z|[+-]\d\d:?\d\d)?", re.ASCII)


def time_option(text: str | None, name: str) -> int | None:
    """Epoch ms of a time given on the command line: full ISO 8601, or shortened to the minute
    (``2024-03-04T12:10Z``) or the day (``2024-03-04``); no zone means UTC."""
    if text is None:
        return None
    ms = parse_time(text)
    m = _SHORT_TIME.fullmatch(text.strip()) if ms is None else None
    if m:
        zone = m.group(4) or "Z"
        ms = parse_time(f"{m.group(1)}T{m.group(2) or '00'}:{m.group(3) or '00'}:00{zone}")
    if ms is None:
        hint = " (a date is needed too)" if re.fullmatch(r"\d\d:\d\d(:\d\d)?Z?", text.strip()) else ""
        raise ValueError(
            f"{name} {text!r}: expected an ISO 8601 time such as 2024-03-04T08:00:00Z or 2024-03-04T08:00Z{hint}"
        )
    return ms


def bound_option(text: str | None, name: str) -> int | None:
    """Epoch ms of ``--since``/``--until``: a time ago (``90d``) or as ``time_option``."""
    if text is None:
        return None
    ago = relative_ms(text)
    return ago if ago is not None else time_option(text, name)


def evaluate_alarm(
    args: argparse.Namespace, alarm: Alarm, result: ReplayResult, since: int | None
) -> AlarmTimeline | None:
    """The alarm's timeline over the replay; ``None`` when no time was read to start it at
    (no record had a timestamp, and neither --since nor --alarm-created-at says when)."""
    created = time_option(args.alarm_created_at, "--alarm-created-at")
    if created is None and since is not None:  # the alarm starts where the range does
        created = since - since % 60_000
    until = time_option(args.alarm_until, "--alarm-until")
    span = evaluation_span(alarm, result, created_at=created, until=until, evaluation_range=args.evaluation_range)
    if span is None:
        return None
    created, until = span
    return evaluate(alarm, result.datapoints, created, until, evaluation_range=args.evaluation_range)


def write_notifications(args: argparse.Namespace, notifications: Sequence[Notification]) -> str | None:
    """Write the notifications where ``--notifications-dir``/``--notifications-jsonl`` say; an
    error message when they cannot be written."""
    try:
        if args.notifications_dir:
            folder = Path(args.notifications_dir)
            folder.mkdir(parents=True, exist_ok=True)
            for i, note in enumerate(notifications, 1):
                name = f"{i:04d}-{note.message['NewStateValue']}-{iso_utc(note.timestamp).replace(':', '')}.json"
                (folder / name).write_text(json.dumps(note.sns_envelope(), indent=4, ensure_ascii=False) + "\n")
        if args.notifications_jsonl:
            with open(args.notifications_jsonl, "w", encoding="utf-8") as out:
                for note in notifications:
                    out.write(json.dumps(note.as_dict(), ensure_ascii=False) + "\n")
    except OSError as exc:
        return f"cannot write notifications: {exc}"
    return None
