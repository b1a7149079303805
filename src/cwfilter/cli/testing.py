"""``cwfilter test``: the offline twin of ``aws logs test-metric-filter``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, BinaryIO

import orjson

from ..config import ConfigError
from ..config.limits import load_json
from ..metric import MetricFilter, MetricFilterError
from ..pattern import PatternError, compile
from ..report.patterns import TestReport
from ..sources.bounded import MAX_REQUEST_BYTES, bounded_lines, open_regular, read_limited, too_long_line
from ..tester import test_metric_filter
from .common import EXIT_ERROR, InputError, add_command, add_output_options, emit, plain_text_file
from .console import argument_text, compile_or_report, fail


def add_commands(sub: Any) -> None:
    test = add_command(
        sub, "test", help="the offline twin of `aws logs test-metric-filter`: print the TestMetricFilter response",
        description="Print the TestMetricFilter response JSON for log event messages given as arguments, "
        "in a file, or on standard input (one message per line).",
        exits={0: "a response (whether or not anything matched)",
               2: "an invalid pattern, transformation or input, or bad usage"},
    )  # fmt: skip
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
    test.add_argument("--json-prefix-scan", action="store_true",
                      help="JSON patterns also read an object after a text prefix (see `cwfilter match --help`)")  # fmt: skip
    test.add_argument(
        "--cli-input-json",
        metavar="JSON",
        help='the TestMetricFilter request as JSON, or file://PATH: {"filterPattern": ..., "logEventMessages": [...]}; '
        "options given on the command line take precedence, as in the AWS CLI",
    )
    add_output_options(test, TestReport.formats, "json")
    test.set_defaults(handler=test_command)


def _messages(stream: BinaryIO) -> list[str]:
    """The log event messages of a file, one a line; an ``OSError`` for a line no log event
    could hold."""
    messages = []
    for number, line in bounded_lines(stream):
        if line is None:
            raise OSError(too_long_line(number))
        messages.append(line.decode("utf-8", "replace"))
    return messages


def _apply_cli_input_json(args: argparse.Namespace) -> None:
    """Fill ``--filter-pattern`` and ``--log-event-messages`` from ``--cli-input-json`` where the
    command line left them out. Raises ``ConfigError`` naming what is wrong."""
    text = args.cli_input_json
    if text.startswith("file://"):
        path = text[len("file://") :]
        try:
            plain_text_file("--cli-input-json file://", path)
            with open_regular(path) as f:
                text = read_limited(f, MAX_REQUEST_BYTES, "a TestMetricFilter request").decode("utf-8")
        except InputError as exc:
            raise ConfigError(str(exc)) from None
        except OSError as exc:
            raise ConfigError(f"--cli-input-json: cannot read {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise ConfigError(f"--cli-input-json: cannot read {path}: {exc}") from None
    request = load_json(text, "--cli-input-json: ", "JSON")  # nesting and size bounded
    if not isinstance(request, dict):
        raise ConfigError("--cli-input-json: a TestMetricFilter request is a JSON object")
    unknown = sorted(set(request) - {"filterPattern", "logEventMessages"})
    if unknown:
        raise ConfigError(f"--cli-input-json: unknown parameter(s) {', '.join(unknown)} "
                          "(TestMetricFilter takes filterPattern and logEventMessages)")  # fmt: skip
    messages = request.get("logEventMessages", [])
    if not isinstance(messages, list):
        raise ConfigError(f"--cli-input-json: logEventMessages: expected a list of strings, got {_json_type(messages)}")
    for i, m in enumerate(messages):
        if not isinstance(m, str):
            raise ConfigError(f"--cli-input-json: logEventMessages[{i}]: expected a string, got {_json_type(m)}")
    pattern = request.get("filterPattern")
    if pattern is not None and not isinstance(pattern, str):
        raise ConfigError(f"--cli-input-json: filterPattern: expected a string, got {_json_type(pattern)}")
    if args.filter_pattern is None:
        args.filter_pattern = pattern
    if not args.log_event_messages:
        args.log_event_messages = messages


def _json_type(value: Any) -> str:
    """How JSON names the type of ``value``, with the value: ``a number (5)``."""
    kinds = ((bool, "a boolean"), (int, "a number"), (float, "a number"), (str, "a string"), (list, "a list"),
             (dict, "an object"))  # fmt: skip
    kind = "null" if value is None else next(name for t, name in kinds if isinstance(value, t))
    shown = json.dumps(value, ensure_ascii=False)
    return kind if value is None else f"{kind} ({shown if len(shown) <= 40 else shown[:37] + '...'})"


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for c in text:
        if c == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += {"{": 1, "}": -1}.get(c, 0)
        current += c
    return [*parts, current] if current else parts


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


def filter_from_file(path: str, name: str | None) -> MetricFilter:
    """The metric filter of a file, or the one named ``name`` when it holds several."""
    from ..config import load_metric_filters  # here: a replay with --rule does not load YAML

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
        plain_text_file("--metric-filter", args.metric_filter)
        chosen = filter_from_file(args.metric_filter, args.filter_name)
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
        compile(args.filter_pattern, json_prefix_scan=args.json_prefix_scan, api="TestMetricFilter"),
        metric_name=str(t["metricName"]),
        namespace=str(t["metricNamespace"]),
        value=str(t["metricValue"]),
        default_value=None if default in (None, "") else float(default),  # type: ignore[arg-type]
        dimensions=t.get("dimensions"),  # type: ignore[arg-type]
        unit=t.get("unit"),  # type: ignore[arg-type]
    )


def test_command(args: argparse.Namespace) -> int:
    if args.cli_input_json:
        try:
            _apply_cli_input_json(args)
        except ConfigError as exc:
            return fail(str(exc))
    if (
        args.filter_pattern is not None
        and compile_or_report(args.filter_pattern, False, api="TestMetricFilter") is None
    ):
        return EXIT_ERROR
    try:
        pattern_text, metric_filter = _metric_filter_for_test(args)
    except PatternError as exc:  # the pattern inside a --metric-filter file
        compile_or_report(exc.pattern, False, api="TestMetricFilter")
        return EXIT_ERROR
    except (ConfigError, MetricFilterError, ValueError, InputError) as exc:
        return fail(str(exc))
    messages = [argument_text(m) for m in args.log_event_messages or []]
    try:
        if args.messages_file:
            with sys.stdin.buffer if args.messages_file == "-" else open_regular(args.messages_file) as stream:
                messages += _messages(stream)
        elif not messages and not sys.stdin.isatty():
            messages = _messages(sys.stdin.buffer)
    except OSError as exc:
        return fail(f"cannot read {args.messages_file or '-'}: {exc.strerror or exc}")
    try:
        response = test_metric_filter(
            pattern_text,
            messages,
            event_number_base=args.event_number_base,
            metric_filter=metric_filter,
            enforce_limits=not args.no_limits,
            json_prefix_scan=args.json_prefix_scan,
        )
    except MetricFilterError as exc:
        return fail(str(exc))
    return emit(args, TestReport(response, len(messages), args.event_number_base))
