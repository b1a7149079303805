"""Bounded resources (issue 13): only regular files are read (a FIFO, a socket or ``/dev/zero``
behind a link is skipped with the reason, never blocks, never reads forever), decompression
stops at ``--max-file-size`` and at a bomb's ratio, and configuration readers refuse YAML alias
bombs, deep nesting, huge files and values of the wrong shape with a ``ConfigError`` naming the
file."""

from __future__ import annotations

import gzip
import io
import os
import socket
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import orjson
import pytest

import cwfilter
from cwfilter.config import ConfigError, limits, load_alarms, load_metric_filters
from cwfilter.replayer import replay
from cwfilter.sources import inflate, large

CWL012 = cwfilter.find_rule("CWL-012").metric_filter(via="CWL-012")
RECORD = {"eventTime": "2024-01-01T00:00:10Z", "eventSource": "s3.amazonaws.com", "eventName": "PutBucketAcl"}


def _cwfilter(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cwfilter", *args, "--no-progress"], capture_output=True, text=True,
                          timeout=timeout)  # fmt: skip


# ------------------------------------------------------------------ special files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifos_sockets_and_devices_are_skipped_never_read(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "ok.json").write_bytes(orjson.dumps({"Records": [RECORD]}))
    os.mkfifo(tree / "fifo.json")
    (tree / "zero.json").symlink_to("/dev/zero")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tree / "sock.json"))
        (tmp_path / "direct.json").symlink_to("/dev/zero")
        # Each would block or read forever: a timeout here is the failure.
        done = _cwfilter("replay", str(tree), str(tree / "fifo.json"), str(tmp_path / "direct.json"), "--rule", "CWL-012",
                         "--output", "json", timeout=60)  # fmt: skip
    finally:
        sock.close()
    assert done.returncode == 0, done.stderr
    a = orjson.loads(done.stdout)["accounting"]
    assert (a["files"], a["matched"], a["filesSkipped"], a["filesSeen"]) == (1, 1, 5, 6)
    reasons = sorted(s["reason"] for s in a["skipped"])
    assert reasons == ["not a regular file (a FIFO)"] * 2 + ["not a regular file (a character device)"] * 2 + [
        "not a regular file (a socket)"]  # fmt: skip


def test_a_config_file_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "filter.json")
    with pytest.raises(ConfigError, match="not a regular file"):
        load_metric_filters(tmp_path / "filter.json")


# ------------------------------------------------------------------ decompression bombs


def _zeros_gzip(members: int, member_mb: int = 1) -> bytes:
    """``members`` gzip members of ``member_mb`` MB of zeros each (about 1 KB per MB)."""
    one = gzip.compress(bytes(member_mb << 20), compresslevel=9)
    return one * members


def test_a_gzip_of_zeros_stops_at_the_ratio_not_at_memory(tmp_path: Path) -> None:
    """~100 KB expanding to 100 MB: stopped at 64 MB (300x past the floor), reported."""
    (tmp_path / "bomb.json.gz").write_bytes(_zeros_gzip(100))
    result = replay([str(tmp_path)], CWL012)
    a = result.accounting
    assert (a.files, a.files_failed, a.records) == (0, 1, 0)
    assert "a decompression bomb?" in a.problems[0]["reason"]


def test_max_file_size_bounds_every_reader(tmp_path: Path) -> None:
    lines = b"".join(orjson.dumps(RECORD) + b"\n" for _ in range(20000))  # ~2 MB
    (tmp_path / "lines.jsonl.gz").write_bytes(gzip.compress(lines))  # whole: small on disk
    (tmp_path / "plain.jsonl").write_bytes(lines)  # in pieces: above 1 MB on disk
    (tmp_path / "doc.json").write_bytes(orjson.dumps({"Records": [RECORD] * 20000}))  # in pieces, a document
    result = replay([str(tmp_path)], CWL012, max_file_size=1 << 20)
    a = result.accounting
    assert a.files_seen == 3 and a.files + a.files_failed == 3
    assert all("--max-file-size" in p["reason"] for p in a.problems)
    assert len(a.problems) == 3 and not a.complete
    assert replay([str(tmp_path)], CWL012).accounting.complete  # the default (1 GiB) reads them all


def test_the_cli_reports_a_bomb_with_exit_3_and_takes_max_file_size(tmp_path: Path) -> None:
    (tmp_path / "ok.json").write_bytes(orjson.dumps({"Records": [RECORD]}))
    (tmp_path / "bomb.json.gz").write_bytes(_zeros_gzip(8))
    done = _cwfilter("replay", str(tmp_path), "--rule", "CWL-012", "--max-file-size", "4M", "--no-alarm")
    assert done.returncode == 3 and "Traceback" not in done.stderr, done.stderr
    assert "larger than --max-file-size (4,194,304 bytes decompressed)" in done.stdout
    assert _cwfilter("replay", str(tmp_path), "--rule", "CWL-012", "--max-file-size", "lots").returncode == 2


def test_inflate_limits_are_exact() -> None:
    data = gzip.compress(b"x" * 1000)
    assert inflate.inflate_members(data, inflate.ZLIB_INFLATER, max_size=1000) == (b"x" * 1000, None, -1)
    cut = inflate.inflate_members(data, inflate.ZLIB_INFLATER, max_size=999)
    assert cut.trouble == "larger than --max-file-size (999 bytes decompressed)" and len(cut.data) >= 999
    assert inflate.output_limit(1 << 30) == inflate.MAX_FILE_SIZE
    assert inflate.output_limit(1000) == inflate.RATIO_FLOOR
    assert zlib.decompress(zlib.compress(b"")) == b""  # zlib itself is fine with nothing


class _Counting:
    """A zlib decompressor that counts the compressed bytes it is given and hands back."""

    fed = 0

    def __init__(self) -> None:
        self.d = zlib.decompressobj(wbits=31)

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        _Counting.fed += len(data)
        return self.d.decompress(data, max_length)

    @property
    def eof(self) -> bool:
        return self.d.eof

    @property
    def unused_data(self) -> bytes:
        _Counting.fed += len(self.d.unused_data)
        return self.d.unused_data


@pytest.mark.parametrize("members", [1_000, 20_000])
def test_many_gzip_members_cost_linear_work(members: int) -> None:
    """Issue 28 item 8: 200,000 empty members took 30 s (each member's end copied the rest of
    the file). The bytes given to the inflater and copied back stay within a few times the
    file's size, whole or streamed, however many members it has."""
    data = gzip.compress(b"") * members + gzip.compress(b'{"a":1}\n') + b"\x00" * 100
    _Counting.fed = 0
    assert inflate.inflate_members(data, _Counting) == (b'{"a":1}\n', None, -1)
    assert _Counting.fed <= 8 * len(data)
    trouble: list[str] = []
    streamed = large._Inflating(io.BytesIO(data), trouble)
    streamed.inflater = _Counting
    _Counting.fed = 0
    assert (streamed.read(1 << 20), trouble) == (b'{"a":1}\n', [])
    assert _Counting.fed <= 8 * len(data)


# ------------------------------------------------------------------ configuration files


_LOLS = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
_LOLS += [f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 9)]
_TEMPLATE = [
    "Resources:",
    "  F:",
    "    Type: AWS::Logs::MetricFilter",
    "    Properties:",
    "      FilterPattern: !Sub [x, {v: *l8}]",
    "      MetricTransformations: [{MetricName: m, MetricNamespace: n, MetricValue: '1'}]",
]
LAUGHS = "\n".join(_LOLS + _TEMPLATE)


def test_billion_laughs_fails_fast_with_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS)
    assert len(LAUGHS) < 800
    with pytest.raises(
        ConfigError, match=r"laughs\.yaml: more than 1,000,000 values once its YAML aliases are expanded"
    ):
        load_metric_filters(path)
    with pytest.raises(ConfigError, match=r"laughs\.yaml"):
        load_alarms(path)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("deep.json", '{"filterPattern": ' + "[" * 100000 + "]" * 100000 + "}", "deep.json: values nested too deeply"),
        ("shallow.json", '{"filterPattern": ' + "[" * 100 + "]" * 100 + "}", "shallow.json: values nested more than 64 deep"),
        ("deep.yaml", "Resources: " + "[" * 5000 + "]" * 5000, "deep.yaml: values nested too deeply"),
        ("nested.yaml", "Resources: " + "[" * 80 + "]" * 80, "nested.yaml: line 1: values nested more than 64 deep"),
        ("deep.tf", "a = " + "[" * 5000 + "]" * 5000, "deep.tf: "),
        ("deep.tf.json", '{"resource": ' + "[" * 100000 + "]" * 100000 + "}", "deep.tf.json: values nested too deeply"),
        ("shape.tf.json", '{"resource": [{"aws_cloudwatch_log_metric_filter": {"x": 5}}]}',
         "shape.tf.json: aws_cloudwatch_log_metric_filter.x: expected an object with 'metric_transformation', found a number"),
        ("block.tf", 'resource "aws_cloudwatch_log_metric_filter" "x" {\n pattern = "x"\n metric_transformation = "oops"\n}\n',
         "block.tf: aws_cloudwatch_log_metric_filter.x: metric_transformation must be a block"),
        ("template.json", '{"Resources": {"F": {"Type": "AWS::Logs::MetricFilter", "Properties": {"FilterPattern": "x", '
         '"MetricTransformations": [{"MetricName": "m", "MetricNamespace": "n", "MetricValue": "1", "Dimensions": 5}]}}}}',
         "template.json: not a valid metric filter configuration"),
    ],
)  # fmt: skip
def test_config_readers_refuse_what_would_crash_them(tmp_path: Path, name: str, text: str, message: str) -> None:
    if name.endswith(".tf"):
        pytest.importorskip("hcl2")
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_metric_filters(path)
    assert str(info.value).startswith(f"{tmp_path}/{message}"), str(info.value)


def test_alarm_files_of_the_wrong_shape_are_config_errors(tmp_path: Path) -> None:
    path = tmp_path / "alarm.json"
    path.write_text('{"AlarmName": "a", "MetricName": "m", "Namespace": "n", "Dimensions": 5}')
    with pytest.raises(ConfigError, match=r"alarm\.json: not a valid alarm configuration"):
        load_alarms(path)


def test_a_huge_config_file_is_refused_before_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_CONFIG_BYTES", 1000)
    path = tmp_path / "big.json"
    path.write_text('{"filterPattern": "' + "x" * 2000 + '"}')
    with pytest.raises(ConfigError, match=r"big\.json: 2,0.. bytes, more than the 1,000"):
        load_metric_filters(path)


# ------------------------------------------------------------------ what other commands read


def _bounded_cwfilter(*args: str, stdin: Any = None) -> subprocess.CompletedProcess[str]:
    """The command under a 3 GB address-space limit: a read without bounds fails fast here
    instead of taking the machine."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    return subprocess.run([sys.executable, "-m", "cwfilter", *args], capture_output=True, text=True, timeout=60,
                          stdin=stdin, preexec_fn=limit)  # fmt: skip


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("special", ["fifo", "zero"])
@pytest.mark.parametrize(
    "command",
    [["match", "x", "{}"], ["test", "--filter-pattern", "x", "--messages-file", "{}"],
     ["test", "--cli-input-json", "file://{}"]],
)  # fmt: skip
def test_commands_refuse_fifos_and_devices_without_blocking(tmp_path: Path, special: str, command: list[str]) -> None:
    """Issue 28 item 1: ``match x fifo.json`` blocked, ``match PATTERN z.json`` (a link to
    ``/dev/zero``) grew to 6.6 GB, ``test --messages-file``/``--cli-input-json file://`` to 11 GB."""
    path = tmp_path / "input.json"
    if special == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    done = _bounded_cwfilter(*(a.replace("{}", str(path)) for a in command))
    kind = "a FIFO" if special == "fifo" else "a character device"
    assert done.returncode == 2 and f"not a regular file ({kind})" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_standard_input_is_read_within_a_log_event_s_size(tmp_path: Path) -> None:
    """``explain PATTERN - </dev/zero`` grew to 11.8 GB; an endless line to ``match -`` is one
    overlong line, reported by number, and the lines around it are still read."""
    with open("/dev/zero", "rb") as zero:
        done = _bounded_cwfilter("explain", "x", "-", stdin=zero)
    assert done.returncode == 2 and "more than 1,048,576 bytes, the most a log event may have" in done.stderr
    lines = tmp_path / "lines.txt"
    lines.write_bytes(b"x one\n" + b"y" * (3 << 20) + b"\nx two\n")
    with open(lines, "rb") as stream:
        done = _bounded_cwfilter("match", "x", "-", stdin=stream)
    assert done.stdout == "x one\nx two\n"
    assert "-: line 2: more than 1,048,576 bytes, the most a CloudWatch Logs event may have" in done.stderr
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_a_deeply_nested_request_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    """Issue 28 item 7: ``test --cli-input-json`` with 100k brackets raised RecursionError."""
    (tmp_path / "deep.json").write_text("[" * 100_000)
    for request in (f"file://{tmp_path / 'deep.json'}", "[" * 100_000):
        done = _bounded_cwfilter("test", "--cli-input-json", request)
        assert done.returncode == 2 and "nested too deeply" in done.stderr and "Traceback" not in done.stderr
