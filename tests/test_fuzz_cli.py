"""Fuzzing the ``cwfilter`` command (issue 13): generated patterns, text, undecodable bytes,
messages and small damaged files, through ``cwfilter.cli.main(argv)`` in-process and through
the installed console script. Whatever the input, the command ends with a documented exit
code and prints no traceback: any other exception is a bug.

An ordinary run uses a fixed seed and a few examples per command (a few seconds);
``make fuzz`` sets ``CWFILTER_FUZZ_EXAMPLES`` for a long random run.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cwfilter.cli import main
from cwfilter.pattern import render

from .shared import fuzz_settings
from .strategies import json_objects, patterns

# The exit codes each command documents (--help and README): 0 match / ok, 1 no match (match
# only), 2 bad input or usage (argparse included).
CODES = {"check": {0, 2}, "match": {0, 1, 2}, "test": {0, 2}, "replay": {0, 2, 3}, "explain": {0, 1, 2}, "lint": {0, 1, 2},
         "compare": {0, 1, 2}}  # fmt: skip

ISSUE_PATTERNS = [
    "%a*a*a*a*a*a*b%", "%a*a*b%", "{ $.userAgent = %.*.*.*.*.*zzz% }", '"\udcff"', "\udcff", "%\udcff%",
    "%a{5000000000}%", "%a*+%", "{ $.a = 1e400 }", "[a, b = %\\x%]", "{ $.a[99999999999999999999] = 1 }",
]  # fmt: skip

FAR_TIMES = [
    "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00+01:00",
    1e300,
    253402300800000,
    -62135596801,
    "2024-02-30T00:00:00Z",
]
undecodable = st.binary(min_size=1, max_size=12).map(os.fsdecode)  # as Python hands argv bytes over
pattern_texts = st.one_of(patterns.map(render), st.text(max_size=30), undecodable, st.sampled_from(ISSUE_PATTERNS))
messages = st.one_of(st.text(max_size=40), undecodable, json_objects.map(json.dumps))


@st.composite
def damaged_file(draw: Any, leave_out: frozenset[str] = frozenset()) -> tuple[str, bytes]:
    """(file name suffix, content) of one input a user might hand over, intact or not; kinds in
    ``leave_out`` are not drawn (a known crash outside this test's areas, tested on its own)."""
    lines = [json.dumps(o).encode() for o in draw(st.lists(json_objects, max_size=4))]
    record = {"eventTime": "2024-03-04T09:01:13Z", "eventSource": "s3.amazonaws.com", "eventName": "PutBucketAcl"}
    body = b"\n".join(lines)
    kinds = {
        "lines": (".jsonl", body),
        "text": (
            ".log",
            "\n".join(draw(st.lists(st.text(max_size=30), max_size=4))).encode("utf-8", "surrogateescape"),
        ),
        "bytes": (".json", draw(st.binary(max_size=200))),
        "bad utf-8": (".jsonl", body + b'\n{"eventName": "a\xff\xfe"}\nplain \xc3(\n'),
        "records": (".json", json.dumps({"Records": [record, *draw(st.lists(json_objects, max_size=3))]}).encode()),
        "far time records": (
            ".json",
            json.dumps({"Records": [record, {**record, "eventTime": draw(st.sampled_from(FAR_TIMES))}]}).encode(),
        ),
        "gzip": (".json.gz", gzip.compress(json.dumps({"Records": [record]}).encode())),
        "truncated gzip": (".json.gz", gzip.compress(body + b"\n" + json.dumps(record).encode())[:-9]),
        "bom": (".json", b"\xef\xbb\xbf" + json.dumps({"Records": [record]}).encode()),
        "nul": (".jsonl", body.replace(b"}", b"}\x00", 1) + b"\x00\x00"),
        "deep": (".json", b"[" * 5000 + b"]" * 5000),
        "empty": (".jsonl", b""),
        "far time": (".jsonl", json.dumps({**record, "eventTime": draw(st.sampled_from(FAR_TIMES))}).encode()),
        "huge number": (".jsonl", b'{"eventTime": "2024-03-04T09:01:13Z", "a": 1e400, "n": ' + b"9" * 320 + b"}"),
    }
    return kinds[draw(st.sampled_from(sorted(set(kinds) - leave_out)))]


def run(argv: list[str], stdin: bytes = b"") -> tuple[int, bytes, str]:
    """``main(argv)`` with a strict UTF-8 standard output (as under a UTF-8 locale) and a
    backslash-escaping standard error (as Python's): (exit code, stdout bytes, stderr text)."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace", write_through=True)
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"), out, err
    try:
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: usage errors (2), --help (0)
            assert exc.code is None or isinstance(exc.code, int), exc.code
            code = exc.code or 0
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    return code, out.buffer.getvalue(), err.buffer.getvalue().decode("utf-8", "replace")  # type: ignore[attr-defined]


def check_outcome(command: str, argv: list[str], stdin: bytes = b"") -> tuple[int, bytes, str]:
    code, out, err = run([command, *argv], stdin)
    assert code in CODES[command], (code, err)
    assert "Traceback" not in err, err
    return code, out, err


def _write(folder: str, name: str, content: bytes) -> str:
    path = os.path.join(folder, name)
    Path(path).write_bytes(content)
    return path


_flags = st.lists(st.sampled_from(["--strict", "--api=PutSubscriptionFilter"]), max_size=2, unique=True)
_outputs = st.sampled_from(["--output=table", "--output=json", "--output=text"])


@fuzz_settings(60)
@given(pattern_texts, _flags, _outputs)
def test_check(pattern: str, flags: list[str], output: str) -> None:
    code, out, _ = check_outcome("check", [*flags, output, "--", pattern])
    if output == "--output=json":
        assert json.loads(out)["valid"] is (code == 0)


@fuzz_settings(60)
@given(
    pattern_texts,
    damaged_file(),
    st.lists(st.sampled_from(["-c", "--extract", "--json-prefix-scan", "--strict"]), max_size=2, unique=True),
    st.booleans(),
)
def test_match(pattern: str, file: tuple[str, bytes], flags: list[str], from_stdin: bool) -> None:
    suffix, content = file
    with tempfile.TemporaryDirectory() as folder:
        target = "-" if from_stdin else _write(folder, "in" + suffix, content)
        check_outcome("match", [*flags, "--", pattern, target], stdin=content)


@st.composite
def cli_test_arguments(draw: Any) -> tuple[list[str], tuple[str, bytes] | None]:
    argv = ["--filter-pattern", draw(pattern_texts)]
    if draw(st.booleans()):
        argv += ["--log-event-messages", *draw(st.lists(messages, min_size=1, max_size=3))]
    file = draw(damaged_file()) if draw(st.booleans()) else None
    if draw(st.booleans()):
        spec = "metricName=m,metricNamespace=n,metricValue=" + draw(st.sampled_from(["1", "$.a", "$x", "", "$.n"]))
        argv += ["--metric-transformation", draw(st.one_of(st.just(spec), st.text(max_size=20), undecodable))]
    if draw(st.booleans()):
        argv += ["--cli-input-json", draw(st.one_of(st.text(max_size=30), undecodable,
                                                    st.builds(lambda p, m: json.dumps({"filterPattern": p, "logEventMessages": m}),
                                                              pattern_texts, st.lists(messages, max_size=3))))]  # fmt: skip
    argv += draw(st.lists(st.sampled_from(["--output=table", "--output=text", "--no-limits", "--event-number-base=0",
                                           "--json-prefix-scan", "--query=matches[].eventNumber"]), max_size=2, unique=True))  # fmt: skip
    return argv, file


@fuzz_settings(60)
@given(cli_test_arguments())
def test_test(arguments: tuple[list[str], tuple[str, bytes] | None]) -> None:
    argv, file = arguments
    with tempfile.TemporaryDirectory() as folder:
        if file is not None:
            argv = [*argv, "--messages-file", _write(folder, "m" + file[0], file[1])]
        check_outcome("test", [*argv, "-o", os.path.join(folder, os.fsdecode(b"out\xff.json"))])


@fuzz_settings(40)
@given(pattern_texts, pattern_texts, messages, _outputs)
def test_review_commands(pattern: str, other: str, message: str, output: str) -> None:
    """explain, lint and compare: the analysis reads every pattern, valid or not."""
    check_outcome("explain", [output, "--", pattern, message])
    check_outcome("lint", [output, "--", pattern])
    check_outcome("compare", [output, "--", pattern, other])


@fuzz_settings(25)
@given(
    st.one_of(st.sampled_from(["eventTime", "{ $.eventName = PutBucketAcl }"]), pattern_texts),
    st.lists(damaged_file(), min_size=1, max_size=3),
    st.sampled_from(["json", "table", "text", "csv"]),
    st.booleans(),
)
def test_replay(pattern: str, files: list[tuple[str, bytes]], output: str, strict: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for i, (suffix, content) in enumerate(files):
            _write(folder, os.fsdecode(b"f%d\xff" % i) + suffix, content)
        argv = [folder, "--filter-pattern", pattern, "--metric-name", "m", "--namespace", "n", "--jobs", "1",
                "--no-progress", "--output", output, "-o", os.path.join(folder, "report")]  # fmt: skip
        check_outcome("replay", argv + (["--strict"] if strict else []))


# ------------------------------------------------------------------ the issue's commands, as typed


@pytest.mark.parametrize(
    ("argv", "code", "error"),
    [
        (["check", "\udcff"], 2, "byte 0xff is not valid UTF-8 text"),
        (["check", '"\udcff"'], 2, "byte 0xff is not valid UTF-8 text"),
        (["check", "--output=json", '"\udcff"'], 2, ""),
        (["match", '"\udcff"', "-"], 2, "byte 0xff is not valid UTF-8 text"),
        (["test", "--filter-pattern", '"\udcff"', "--log-event-messages", "a"], 2, "byte 0xff is not valid UTF-8 text"),
        (["check", "%a{5000000000}%"], 2, "Regular expression evaluation time exceeded allowed limit"),
        (["check", "%a*+%"], 2, "multiple repeat"),  # Python 3.10 says only that
    ],
)
def test_issue_commands(argv: list[str], code: int, error: str) -> None:
    got, _out, err = run(argv)
    assert (got, "Traceback" in err) == (code, False), err
    assert error in err


def test_undecodable_message_argument_reads_as_a_file_line_does() -> None:
    code, out, _ = run(["test", "--filter-pattern", "[a]", "--log-event-messages", "x\udcff"])
    assert code == 0
    assert json.loads(out)["matches"][0]["extractedValues"] == {"$a": "x\ufffd"}


def test_outfile_with_an_undecodable_name_and_content(tmp_path: Path) -> None:
    """-o FILE: written whole (never left empty), whatever bytes its name and text hold."""
    target = tmp_path / os.fsdecode(b"out\xfe.json")
    code, _, err = run(["check", "--output=json", "-o", str(target), '"\udcff"'])
    assert code == 2 and "Traceback" not in err
    assert json.loads(target.read_text(encoding="utf-8"))["valid"] is False


def _console_script() -> str:
    script = Path(sys.executable).with_name("cwfilter")
    if not script.exists():
        pytest.skip(f"no installed cwfilter console script beside {sys.executable}")
    return str(script)


@pytest.mark.parametrize(
    ("argv", "codes"),
    [
        ([b"check", b"\xff"], {2}),
        ([b"match", b'"\xff"', b"-"], {2}),
        ([b"match", b"%a*a*a*a*a*a*b%", b"-"], {1}),
        ([b"test", b"--filter-pattern", b"x", b"--log-event-messages", b"x\xff", b"-o", b"out\xfe.json"], {0}),
        ([b"check", b"--output", b"json", b"\xc3("], {2}),
    ],
)
def test_console_script(argv: list[bytes], codes: set[int], tmp_path: Path) -> None:
    """The installed entry point, with real undecodable bytes in argv and a strict UTF-8 stdout."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict", "LC_ALL": "C.UTF-8"}
    proc = subprocess.run(
        [_console_script(), *argv], input=b"a" * 100_000, capture_output=True, cwd=tmp_path, env=env, timeout=60
    )
    assert proc.returncode in codes, proc.stderr
    assert b"Traceback" not in proc.stderr, proc.stderr


@pytest.mark.parametrize("output", ["json", "table"])
def test_replay_far_event_time(output: str, tmp_path: Path) -> None:
    """cwfilter replay far.jsonl --filter-pattern eventTime --metric-name m --namespace n --output json,
    far.jsonl holding {"eventTime": "9999-12-31T23:59:59-05:00"}: the record is rejected (it crashed the
    output with 'ValueError: year 10000 is out of range'), and the file was read in full."""
    record = {"eventTime": "9999-12-31T23:59:59-05:00", "eventName": "PutBucketAcl"}
    path = _write(str(tmp_path), "far.jsonl", json.dumps(record).encode())
    code, out, _ = check_outcome("replay", [path, "--filter-pattern", "eventTime", "--metric-name", "m", "--namespace",
                                            "n", "--jobs", "1", "--no-progress", "--output", output])  # fmt: skip
    assert code == 0 and b"eventTime out of range" in out
