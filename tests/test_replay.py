"""Replay: readers on the real CloudTrail data, accounting of bad inputs, parallel runs,
s3:// against a local S3 API server, and the CLI."""

from __future__ import annotations

import functools
import gzip
import importlib
import io
import json
import os
import subprocess
import sys
from collections import Counter
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import orjson
import pytest

import cwfilter
from cwfilter.cli import main, replaying
from cwfilter.replayer import ReplayError
from cwfilter.replayer import replay as _replay
from cwfilter.rules import find_rule
from cwfilter.times import iso_utc, parse_time

from .shared import CLOUDTRAIL
from .synth import generate_tree

replay = _replay  # each test's path: the replay_path fixture binds fast= here

replay_module = importlib.import_module("cwfilter.replayer.driver")  # batches and workers

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_TREE = ROOT / "samples" / "cloudtrail"
CWL012 = find_rule("CWL-012")

# Records per folder as each SOURCE.md states them (rejected records are still read).
SOURCE_COUNTS = {
    "sans504-s3-ransomware-lab": (3872, 30477),
    "invictus-ir-aws-dataset": (55, 2900),
    "panther-analysis-test-events": (1, 537),
    "traildiscover-log-examples": (314, 314),
    "stratus-red-team-detonation-logs": (35, 310),
    "otrf-security-datasets": (1, 103),
    "flaws2-cloud": (8, 37),
    "plaso-lookup-events": (1, 6),
    "elastic-integrations-samples": (2, 2),
    "otel-cwl-subscription-sample": (1, 1),
}


@pytest.fixture(autouse=True, params=["fast", "plain"])
def replay_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every replay test runs on the fast path (replayer/plan.py) and on the plain path: this
    module's ``replay`` and the command's are given ``fast=`` the path."""
    chosen = functools.partial(_replay, fast=request.param == "fast")
    monkeypatch.setitem(globals(), "replay", chosen)
    monkeypatch.setattr(replaying, "replay", chosen)
    return request.param  # type: ignore[no-any-return]


def _mf() -> cwfilter.MetricFilter:
    return CWL012.metric_filter(via="CWL-012")


@pytest.mark.real_data
@pytest.mark.parametrize("folder", sorted(SOURCE_COUNTS))
def test_every_source_format_is_read_with_its_stated_counts(folder: str) -> None:
    result = replay([CLOUDTRAIL / folder], _mf())
    a = result.accounting
    assert (a.files, a.records) == SOURCE_COUNTS[folder]
    assert a.files_failed == 0
    assert a.records == a.matched + a.unmatched + a.rejected
    assert {s["reason"] for s in a.skipped} <= {
        "CloudTrail digest file",
        "not a log file name (.json, .json.gz, .jsonl, .log, .gz ...)",
    }


@pytest.mark.real_data
def test_records_without_a_usable_event_time_are_rejected_with_reasons() -> None:
    otrf = replay([CLOUDTRAIL / "otrf-security-datasets"], _mf()).accounting
    assert otrf.rejected == 103 and {p["reason"] for p in otrf.problems} == {"missing eventTime"}
    panther = replay([CLOUDTRAIL / "panther-analysis-test-events"], _mf()).accounting
    reasons = Counter(p["reason"].split(" '")[0] for p in panther.problems)
    assert reasons["missing eventTime"] == 90 and reasons["unparseable eventTime"] >= 1


@pytest.mark.real_data
def test_digest_bodies_and_digest_paths_are_skipped() -> None:
    a = replay([CLOUDTRAIL / "elastic-integrations-samples" / "test-cloudtrail-digest-json.log"], _mf()).accounting
    assert (a.files, a.files_skipped, a.records) == (0, 1, 0)


def _index_minutes() -> Counter[str]:
    minutes: Counter[str] = Counter()
    for line in (CLOUDTRAIL / "s3_bucket_config_events.index.jsonl").read_text().splitlines():
        row = json.loads(line)
        if row["cwl012_match"]:
            minutes[iso_utc(parse_time(row["eventTime"]))[:16]] += 1
    return minutes


@pytest.mark.real_data
def test_cwl012_over_all_real_data_equals_the_index() -> None:
    result = replay(sorted(p for p in CLOUDTRAIL.iterdir() if p.is_dir()), _mf(), jobs=2)
    assert result.accounting.records == 34_687
    assert result.accounting.matched == sum(_index_minutes().values()) == 26
    got = {iso_utc(m)[:16]: int(s.sum) for m, s in result.datapoints.minutes(result.metric)}
    assert got == dict(_index_minutes())


@pytest.mark.real_data
def test_dedupe_by_event_id_on_the_real_duplicates() -> None:
    sans = CLOUDTRAIL / "sans504-s3-ransomware-lab"
    plain = replay([sans], _mf(), jobs=2)
    deduped = replay([sans], _mf(), jobs=2, dedupe=True)
    assert deduped.accounting.duplicates == 6496
    assert deduped.accounting.records == plain.accounting.records == 30477
    assert deduped.accounting.matched + deduped.accounting.unmatched + deduped.accounting.duplicates == 30477
    assert deduped.datapoints == plain.datapoints  # the one PutBucketPolicy is not duplicated


@pytest.mark.real_data
def test_delivery_time_uses_the_file_name_stamp() -> None:
    sans = CLOUDTRAIL / "sans504-s3-ransomware-lab"
    by_event = replay([sans], _mf(), period=60)
    by_delivery = replay([sans], _mf(), period=60, timestamp="delivery")
    ((event_minute, _),) = by_event.periods()
    ((delivery_minute, _),) = by_delivery.periods()
    assert iso_utc(event_minute) == "2021-07-29T23:53:00Z"
    assert 0 < delivery_minute - event_minute <= 15 * 60_000
    assert by_delivery.accounting.delivery_time_fallbacks == 0


def test_generated_tree_matches_its_ground_truth_with_one_and_two_jobs(tmp_path: Path) -> None:
    truth = generate_tree(tmp_path, seed=11, hours=2, per_minute=8, episodes=6)
    one = replay([tmp_path], _mf(), jobs=1)
    two = replay([tmp_path], _mf(), jobs=2)
    assert one.datapoints == two.datapoints
    assert one.to_json() == two.to_json()
    assert one.accounting.records == truth.records and one.accounting.files == truth.files
    assert one.accounting.files_skipped == truth.digests
    expected = Counter(e["eventTime"][:16] for e in truth.cwl012)
    got = {iso_utc(m)[:16]: int(s.sum) for m, s in one.datapoints.minutes(one.metric)}
    assert got == dict(expected)


class _CountingExecutor(Executor):
    """Runs each task at once in this process, recording the batches and how many results
    were submitted but not yet collected: what a distributed executor would see."""

    def __init__(self) -> None:
        self.batches: list[list[tuple[str, int]]] = []
        self.futures: list[Future[Any]] = []
        self.most_outstanding = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        self.batches.append(args[0])
        self.futures.append(future)
        outstanding = sum(1 for f in self.futures if not getattr(f, "collected", False))
        self.most_outstanding = max(self.most_outstanding, outstanding)
        original = future.result

        def result(timeout: float | None = None) -> Any:
            future.collected = True  # type: ignore[attr-defined]
            return original(timeout)

        future.result = result  # type: ignore[method-assign]
        return future


def test_any_executor_gives_the_one_process_result_with_a_bounded_number_in_flight(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The replay driver only needs ``concurrent.futures.Executor``; it keeps at most
    ``_IN_FLIGHT`` batches per worker submitted (the parent's memory does not grow with the
    tree), and sizes batches from the decompressed bytes of those done (no ``stat`` per file)."""
    generate_tree(tmp_path, seed=5, hours=6, per_minute=30, episodes=4)
    monkeypatch.setattr(replay_module, "BATCH_BYTES", 256 << 10)
    one = replay([tmp_path], _mf(), jobs=1)
    executor = _CountingExecutor()
    other = replay([tmp_path], _mf(), jobs=1, executor=executor)  # jobs: how many it runs at once
    assert other.to_json() == one.to_json()
    assert executor.most_outstanding == replay_module.IN_FLIGHT
    sizes = [len(b) for b in executor.batches]
    assert sum(sizes) == one.accounting.files
    assert sizes[:4] == [4, 8, 16, 32]  # nothing learnt yet: small first batches, so every worker starts at once
    inflated = {f: len(gzip.decompress(Path(f).read_bytes())) for b in executor.batches for f, _ in b}
    window = replay_module.IN_FLIGHT
    per_file = None  # bytes per file, the newest batch weighing half
    for i in range(window, len(sizes) - 1):  # the last one takes what is left
        done = executor.batches[i - window]  # collected just before batch i began
        seen = sum(inflated[f] for f, _ in done) / len(done)
        per_file = seen if per_file is None else (per_file + seen) / 2
        assert sizes[i] == max(1, min(replay_module.MAX_BATCH_FILES, int((256 << 10) / per_file)))
    assert len(sizes) > 2 * window
    files = {str(p) for p in tmp_path.rglob("*.json.gz") if "CloudTrail-Digest" not in str(p)}
    assert {f for b in executor.batches for f, _ in b} == files


def test_committed_sample_tree_is_what_the_generator_writes(tmp_path: Path) -> None:
    truth = generate_tree(tmp_path)
    committed = sorted(p.relative_to(SAMPLE_TREE) for p in SAMPLE_TREE.rglob("*") if p.is_file())
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert committed == fresh
    assert all((SAMPLE_TREE / p).read_bytes() == (tmp_path / p).read_bytes() for p in committed)
    assert json.loads((ROOT / "samples" / "cloudtrail.truth.json").read_text()) == truth.as_dict()


# ------------------------------------------------------------------ bad inputs


@pytest.fixture()
def bad_inputs(tmp_path: Path) -> Path:
    good = {"Records": [{"eventTime": "2024-01-01T00:00:10Z", "eventSource": "s3.amazonaws.com",
                         "eventName": "PutBucketAcl", "eventID": "a"}]}  # fmt: skip
    body = orjson.dumps(good)
    (tmp_path / "good.json.gz").write_bytes(gzip.compress(body))
    (tmp_path / "truncated.json.gz").write_bytes(gzip.compress(body * 50)[:-30])
    (tmp_path / "invalid.json").write_bytes(b'{"Records": [{"eventTime": ')
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "latin1.jsonl").write_bytes(
        b'{"eventTime":"2024-01-01T00:01:00Z","eventSource":"s3.amazonaws.com","eventName":"PutBucketPolicy"}\n'
        b'{"eventTime":"2024-01-01T00:02:00Z","eventName":"caf\xe9"}\n'
        b"not json at all\n"
    )
    digest_dir = tmp_path / "AWSLogs" / "111122223333" / "CloudTrail-Digest" / "us-east-1" / "2024" / "01" / "01"
    digest_dir.mkdir(parents=True)
    (digest_dir / "x_CloudTrail-Digest_us-east-1.json.gz").write_bytes(
        gzip.compress(b'{"digestStartTime": "x", "logFiles": []}')
    )
    (tmp_path / "notes.md").write_text("not a log")
    return tmp_path


def test_bad_files_and_records_are_counted_and_reported_not_fatal(bad_inputs: Path) -> None:
    result = replay([bad_inputs], _mf())
    a = result.accounting
    reasons = {(Path(p["source"]).name, p["reason"].split(":")[0]) for p in a.problems}
    assert ("truncated.json.gz", "truncated gzip file") in reasons
    assert ("invalid.json", "invalid JSON") in reasons
    assert ("empty.json", "empty file") in reasons
    assert ("latin1.jsonl", "invalid UTF-8") in reasons
    assert ("latin1.jsonl", "invalid JSON") in reasons
    assert a.files_failed == 3  # truncated (nothing recoverable), invalid, empty
    assert {Path(s["source"]).name: s["reason"] for s in a.skipped} == {
        "x_CloudTrail-Digest_us-east-1.json.gz": "CloudTrail digest file",
        "notes.md": "not a log file name (.json, .json.gz, .jsonl, .log, .gz ...)",
    }
    assert a.matched == 2 and a.rejected == 2 and a.records == a.matched + a.unmatched + a.rejected
    assert result.periods() == [(1704067200000, 2.0)]


def test_strict_mode_stops_at_the_first_problem(bad_inputs: Path) -> None:
    with pytest.raises(ReplayError, match=r"empty\.json: empty file"):
        replay([bad_inputs], _mf(), strict=True)


def test_missing_paths_are_reported(tmp_path: Path) -> None:
    a = replay([tmp_path / "nope"], _mf()).accounting
    assert a.files_failed == 1 and a.problems[0]["reason"] == "no such file or directory"


def test_cloudwatch_logs_export_and_subscription_formats(tmp_path: Path) -> None:
    rec = orjson.dumps(
        {"eventTime": "2024-01-01T00:00:59Z", "eventSource": "s3.amazonaws.com", "eventName": "PutBucketCors"}
    )
    (tmp_path / "000000.gz").write_bytes(
        gzip.compress(b"2024-01-01T00:03:00.000Z " + rec + b"\n2024-01-01T00:03:01.000Z plain text\n")
    )
    payload = {"messageType": "DATA_MESSAGE", "logGroup": "trail", "logStream": "x", "subscriptionFilters": ["f"],
               "logEvents": [{"id": "1", "timestamp": 1704067500000, "message": rec.decode()}]}  # fmt: skip
    (tmp_path / "sub.json").write_bytes(orjson.dumps(payload))
    by_event = replay([tmp_path], _mf(), period=60)
    assert by_event.accounting.records == 3 and by_event.accounting.matched == 2
    assert by_event.periods() == [(1704067200000, 2.0)]
    by_delivery = replay([tmp_path], _mf(), period=60, timestamp="delivery")
    assert by_delivery.periods() == [(1704067380000, 1.0), (1704067500000, 1.0)]


def test_events_can_be_replayed_from_the_library() -> None:
    mf = cwfilter.MetricFilter("ERROR", metric_name="E", namespace="N")
    result = replay([(1704067200000, "ERROR x"), (1704067260000, "ok"), ("bad", "ERROR")], mf, period=60)
    assert result.periods() == [(1704067200000, 1.0)]
    assert result.accounting.rejected == 1


def test_json_contract_keys() -> None:
    doc = replay([SAMPLE_TREE], _mf()).to_json()
    assert doc["metric"] == {
        "namespace": "CloudTrailMetrics",
        "name": "S3BucketEventCount",
        "dimensions": {},
        "unit": None,
    }
    assert set(doc["datapoints"][0]) >= {"timestamp", "sampleCount", "sum", "minimum", "maximum"}
    assert doc["datapoints"][0]["timestamp"].endswith(":00Z")
    assert set(doc["periods"][0]) == {"start", "period", "statistic", "value"}
    assert doc["periods"][0]["start"].endswith(("0:00Z", "5:00Z"))
    assert set(doc["accounting"]) >= {"files", "records", "matched", "unmatched", "rejected", "problems"}


# ------------------------------------------------------------------ s3://


@pytest.fixture()
def s3_server(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://{host}:{port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    from cwfilter.sources import s3

    s3._client.cache_clear()
    yield
    s3._client.cache_clear()
    server.stop()


def test_s3_prefix_replay_against_a_local_s3_server(s3_server: None) -> None:
    import boto3

    client = boto3.client("s3")
    client.create_bucket(Bucket="trail-bucket")
    for path in SAMPLE_TREE.rglob("*"):
        if path.is_file():
            client.put_object(
                Bucket="trail-bucket", Key=path.relative_to(SAMPLE_TREE).as_posix(), Body=path.read_bytes()
            )
    local = replay([SAMPLE_TREE], _mf())
    remote = replay(["s3://trail-bucket/AWSLogs/"], _mf())
    assert remote.datapoints == local.datapoints
    assert (remote.accounting.files, remote.accounting.records, remote.accounting.files_skipped) == (
        local.accounting.files, local.accounting.records, local.accounting.files_skipped)  # fmt: skip
    missing = replay(["s3://no-such-bucket/x"], _mf())
    assert missing.accounting.files_failed == 1 and "cannot list" in missing.accounting.problems[0]["reason"]


def test_large_s3_objects_are_streamed_when_they_hold_lines(
    s3_server: None, small_pieces: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An S3 object above ``STREAM_ABOVE`` (its size comes with the listing) is read like
    standard input: lines in pieces, one document whole; the same result as the local file."""
    import boto3

    from cwfilter.sources import large

    client = boto3.client("s3")
    client.create_bucket(Bucket="big")
    records = [orjson.loads(line) for line in _large_lines(300) if line.endswith(b"}")]
    bodies = {"lines.jsonl.gz": gzip.compress(b"\n".join(_large_lines(1200)) + b"\n"),
              "doc.json": orjson.dumps({"Records": records})}  # fmt: skip
    taken = []
    real = large.stream_or_read
    monkeypatch.setattr(sys.modules["cwfilter.sources.inputs"], "stream_or_read",
                        lambda name, raw, *limit: taken.append(name) or real(name, raw, *limit))  # fmt: skip
    for name, body in bodies.items():
        assert len(body) > 4096
        client.put_object(Bucket="big", Key=name, Body=body)
        (tmp_path / name).write_bytes(body)
        local = replay([str(tmp_path / name)], _mf()).to_json()
        remote = replay([f"s3://big/{name}"], _mf()).to_json()
        text = orjson.dumps(remote).replace(f"s3://big/{name}".encode(), str(tmp_path / name).encode())
        assert orjson.loads(text) == local and local["accounting"]["records"] >= 300
    assert taken == ["s3://big/lines.jsonl.gz", "s3://big/doc.json"]


# ------------------------------------------------------------------ CLI


def test_cli_replay_table_json_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["replay", str(SAMPLE_TREE), "--rule", "CWL-012", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "CloudTrailMetrics/S3BucketEventCount" in out and "Sum per 300 s: 6 periods with data" in out
    assert "8 × CloudTrail digest file" in out
    assert (
        main(["replay", str(SAMPLE_TREE), "--rule", "CWL-012", "--format", "json", "-o", str(tmp_path / "r.json")]) == 0
    )
    doc = json.loads((tmp_path / "r.json").read_text())
    assert sum(p["value"] for p in doc["periods"]) == 13
    assert main(["replay", str(SAMPLE_TREE), "--rule", "cloudwatch.8", "--format", "csv", "--period", "3600"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].startswith("kind,timestamp,namespace,metric")
    assert [r.split(",")[1] for r in rows if r.startswith("period")] == [
        "2024-03-04T08:00:00Z", "2024-03-04T09:00:00Z", "2024-03-04T10:00:00Z"]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--rule", "CWL-999"], "no rule named 'CWL-999'"),
        ([], "exactly one of"),  # several together are replayed together (issue 24: tests/test_replay_alarms.py)
        (["--filter-pattern", "{ $.a = }"], "Invalid metric filter pattern"),
        (["--rule", "CWL-012", "--period", "90"], "multiple of 60"),
        (["--rule", "CWL-012", "--statistic", "Median"], "unsupported statistic"),
    ],
)
def test_cli_replay_errors(args: list[str], error: str, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        status = main(["replay", str(SAMPLE_TREE), *args])
    except SystemExit as stop:  # refused by the argument's type, with the command's usage
        status = int(stop.code or 0)
    assert status == 2
    err = capsys.readouterr().err
    assert error in err and "Traceback" not in err


def test_cli_replay_reads_stdin_with_a_custom_filter() -> None:
    lines = b"".join(
        orjson.dumps({"eventTime": f"2024-01-01T00:0{i}:00Z", "eventName": n, "requestParameters": {"bucketName": b}})
        + b"\n"
        for i, (n, b) in enumerate([("PutBucketAcl", "x"), ("PutBucketAcl", "y"), ("GetObject", "x")])
    )
    proc = subprocess.run(
        [sys.executable, "-m", "cwfilter", "replay", "-", "--filter-pattern", "{ $.eventName = PutBucketAcl }",
         "--dimension", "Bucket=$.requestParameters.bucketName", "--format", "json", "--period", "60"],
        input=lines, capture_output=True, check=False, env=dict(os.environ),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [s["metric"]["dimensions"] for s in doc["series"]] == [{"Bucket": "x"}, {"Bucket": "y"}]
    assert doc["accounting"]["records"] == 3 and doc["accounting"]["matched"] == 2


def test_organization_trail_layout(tmp_path: Path) -> None:
    """Organization trails add the organization ID: AWSLogs/<org-id>/<account>/CloudTrail/..."""
    generate_tree(tmp_path / "plain", seed=3, hours=0.5, episodes=1)
    org = tmp_path / "bucket" / "AWSLogs" / "o-a1b2c3d4e5"
    org.parent.mkdir(parents=True)
    (tmp_path / "plain" / "AWSLogs").rename(org)  # o-a1b2c3d4e5/<account>/CloudTrail/<region>/...
    a = replay([tmp_path / "bucket"], _mf()).accounting
    direct = replay([org], _mf()).accounting
    assert a.records == direct.records > 0 and a.files_skipped == direct.files_skipped > 0
    assert all(s["reason"] == "CloudTrail digest file" for s in a.skipped)


# ------------------------------------------------------------------ large files, read in pieces


def _large_lines(n: int) -> list[bytes]:
    names = ["PutBucketPolicy", "GetObject", "PutBucketAcl", "ListBuckets"]
    lines = []
    for i in range(n):
        rec = {"eventTime": f"2024-01-01T00:{i % 60:02d}:{i * 7 % 60:02d}Z", "eventSource": "s3.amazonaws.com",
               "eventName": names[i % 4], "eventID": f"e{i}"}  # fmt: skip
        lines.append(orjson.dumps(rec))
        if i % 97 == 5:
            lines.append(b"")  # blank lines are not records
        if i % 211 == 7:
            lines.append(b'{"eventTime": "2024-01-01T00:00:00Z", "eventName": ')  # a broken record
    return lines


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files above 4 KB count as large, are told from their first 512 bytes, and are parsed in
    pieces of 1 KB."""
    import cwfilter.replayer  # noqa: F401 - loads cwfilter.sources.inputs
    from cwfilter.sources import large, local

    monkeypatch.setattr(sys.modules["cwfilter.sources.inputs"], "STREAM_ABOVE", 4096)
    monkeypatch.setattr(large, "PROBE", 512)
    monkeypatch.setattr(large, "PIECE", 1024)
    monkeypatch.setattr(local, "_FIRST_READ", 1024)  # else a file under 64 KB is read whole in one call


def _whole_and_in_pieces(paths: list[Path], monkeypatch: pytest.MonkeyPatch, **kwargs: object) -> tuple[dict, dict]:
    mf = CWL012.metric_filter(via="CWL-012")
    out = []
    for limit in (1 << 40, 4096):  # never large; large above 4 KB
        monkeypatch.setattr(sys.modules["cwfilter.sources.inputs"], "STREAM_ABOVE", limit)
        out.append(replay([str(p) for p in paths], mf, **kwargs).to_json())  # type: ignore[arg-type]
    return out[0], out[1]


@pytest.mark.parametrize("compress", [False, True])
def test_large_json_lines_and_exports_are_read_in_pieces_with_the_same_result(
    tmp_path: Path, small_pieces: None, monkeypatch: pytest.MonkeyPatch, compress: bool
) -> None:
    from cwfilter.sources import large

    lines = _large_lines(1200)
    export = [b"2024-01-01T00:%02d:00.000Z " % (i % 60) + line for i, line in enumerate(lines) if line]
    export.insert(50, b"not a timestamped line")
    paths = []
    for name, body in (("big.jsonl", lines), ("export.log", export)):
        data = b"\n".join(body) + b"\n"
        path = tmp_path / (name + (".gz" if compress else ""))
        path.write_bytes(gzip.compress(data) if compress else data)
        assert path.stat().st_size > 4096
        paths.append(path)
    streamed = []
    real = large.read_in_pieces
    monkeypatch.setattr(
        sys.modules["cwfilter.sources.inputs"],
        "read_in_pieces",
        lambda path, *limit: streamed.append(path) or real(path, *limit),
    )
    whole, pieces = _whole_and_in_pieces(paths, monkeypatch)
    assert streamed == [str(p) for p in paths]  # the second replay read both in pieces
    assert pieces == whole
    # JSON lines: 6 broken records rejected; the export: its broken messages are text (unmatched), one
    # line without a timestamp rejected.
    assert whole["accounting"]["matched"] == 2 * 600 and whole["accounting"]["rejected"] == 6 + 1


def test_a_large_document_that_cannot_be_cut_is_read_whole(tmp_path: Path, small_pieces: None,
                                                           monkeypatch: pytest.MonkeyPatch, replay_path: str) -> None:  # fmt: skip
    """Records that do not start with ``eventVersion`` (not as CloudTrail writes them): no cut
    between records is found, and the document is read whole, through the fast path where it applies."""
    records = [orjson.loads(line) for line in _large_lines(300) if line.endswith(b"}")]
    (tmp_path / "doc.json.gz").write_bytes(gzip.compress(orjson.dumps({"Records": records})))
    (tmp_path / "pretty.json").write_bytes(json.dumps({"Records": records}, indent=2).encode())
    from cwfilter.replayer import plan as fastpath

    decoded = []
    real = fastpath.RecordPlan.decode
    monkeypatch.setattr(fastpath.RecordPlan, "decode", lambda self, data: decoded.append(len(data)) or real(self, data))
    whole, pieces = _whole_and_in_pieces([tmp_path / "doc.json.gz", tmp_path / "pretty.json"], monkeypatch)
    assert pieces == whole and whole["accounting"]["records"] == 2 * 300
    if replay_path == "fast":  # read whole, the large ones still take the fast path
        assert len(decoded) == 4 and decoded[:2] == decoded[2:]


def _sample_records() -> list[dict]:
    files = sorted(p for p in SAMPLE_TREE.rglob("*.json.gz") if "Digest" not in str(p))
    return [r for p in files for r in orjson.loads(gzip.decompress(p.read_bytes()))["Records"]]


def _document_variants() -> dict[str, bytes]:
    """Large ``{"Records": [...]}`` documents: as CloudTrail writes them, and ways to break a cut."""
    records = _sample_records()
    doc = orjson.dumps({"Records": records})
    nested = [dict(r) for r in records]
    for r in nested[::7]:  # an object keyed eventVersion in an array inside a record: a false cut
        r["resources"] = [{"ARN": "x"}, {"eventVersion": "1.0", "n": 1}]
    middle = doc.index(b'},{"eventVersion"', len(doc) // 2)
    broken = doc[:middle] + b"},@" + doc[middle + 2 :]  # invalid JSON halfway: pieces before it parse
    return {
        "cloudtrail.json.gz": gzip.compress(doc),
        "cloudtrail.json": doc,
        "spaced.json": b'  {  "Records" : [' + doc[len(b'{"Records":[') : -2] + b"] }\n",
        "nested.json.gz": gzip.compress(orjson.dumps({"Records": nested})),
        "truncated.json.gz": gzip.compress(doc)[:-2000],
        "broken.json": broken,
        "other-key-after.json": doc[:-1] + b',"x":1}',
        "garbage-after.json": doc + b"]",
        "no-end.json": doc[:-2],
        "empty-records.json": b'{"Records":[' + b" " * 5000 + b"]}",
    }


@pytest.mark.parametrize("name", sorted(_document_variants()))
def test_large_documents_are_read_in_pieces_with_the_result_of_a_whole_reading(
    tmp_path: Path, small_pieces: None, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A large CloudTrail document is cut between records and counted piece by piece; where a
    piece does not parse (a cut inside a record, a damaged document) or the end is not ``]}``,
    nothing of it is counted and it is read whole: either way the result of a whole reading."""
    from cwfilter.sources import large

    path = tmp_path / name
    path.write_bytes(_document_variants()[name])
    cut = []
    real = large.DocumentPieces.__iter__
    monkeypatch.setattr(large.DocumentPieces, "__iter__", lambda self: (cut.append(p) or p for p in real(self)))
    for kwargs in ({}, {"dedupe": True, "timestamp": "delivery"}):
        cut.clear()
        whole, pieces = _whole_and_in_pieces([path], monkeypatch, **kwargs)
        assert pieces == whole
        if not name.startswith("empty"):
            assert len(cut) > 10  # pieces were made (and, for the damaged documents, not counted)
        if name.startswith(("cloudtrail", "spaced", "nested")):
            assert whole["accounting"]["records"] == 1117


@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_counts_every_file_record_and_decompressed_byte(tmp_path: Path, small_pieces: None, jobs: int) -> None:
    """The last progress report: every file, record and match, and the decompressed bytes of
    small files, of large files of lines read in pieces and of large documents cut in pieces."""
    generate_tree(tmp_path / "tree", seed=3, hours=1, per_minute=6, episodes=2)
    (tmp_path / "lines.jsonl.gz").write_bytes(gzip.compress(b"\n".join(_large_lines(3000)) + b"\n"))
    (tmp_path / "doc.json").write_bytes(orjson.dumps({"Records": _sample_records()}))
    assert min((tmp_path / name).stat().st_size for name in ("lines.jsonl.gz", "doc.json")) > 4096  # large
    reports: list[Any] = []
    result = replay([tmp_path], _mf(), jobs=jobs, progress=reports.append)
    last = reports[-1]
    accounting = result.accounting
    assert (last.files_done, last.files_total) == (accounting.files, accounting.files)
    assert (last.records, last.matched) == (accounting.records, accounting.matched)
    logs = [p for p in tmp_path.rglob("*") if p.is_file() and "Digest" not in p.name]
    inflated = sum(len(gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()) for p in logs)
    document = len((tmp_path / "doc.json").read_bytes())
    # the cut document is counted as its pieces: its brackets and the commas at the cuts differ
    assert abs(last.bytes_done - inflated) < 0.01 * document


def test_a_truncated_large_file_reports_what_it_lost(
    tmp_path: Path, small_pieces: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read in pieces, a truncated file gives every record decoded before the cut, as read whole."""
    data = gzip.compress(b"\n".join(_large_lines(400)) + b"\n")
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) * 2 // 3])
    whole, pieces = _whole_and_in_pieces([tmp_path / "cut.jsonl.gz"], monkeypatch)
    reasons = [p["reason"] for p in pieces["accounting"]["problems"] if "record" not in p]
    assert reasons == ["truncated gzip file"]
    assert 100 < pieces["accounting"]["records"] < 400 and pieces["accounting"]["files"] == 1
    assert _problem_kinds(pieces) == _problem_kinds(whole)
    assert {**pieces, "accounting": 0} == {**whole, "accounting": 0}


def _replay_stdin(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[dict, list[str]]:
    """Replay ``data`` piped to standard input: the JSON result (sources named as a file would
    be), and how ``stream_or_read`` took it (``pieces`` or ``whole``)."""
    from cwfilter.sources import large

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    taken: list[str] = []
    real = large.stream_or_read

    def spy(name: str, raw: Any, *limit: int) -> Any:
        got = real(name, raw, *limit)
        taken.append("whole" if isinstance(got, bytes) else "pieces")
        return got

    monkeypatch.setattr(sys.modules["cwfilter.sources.inputs"], "stream_or_read", spy)
    out = replay(["-"], CWL012.metric_filter(via="CWL-012")).to_json()
    return orjson.loads(orjson.dumps(out).replace(b'"source":"-"', b'"source":"FILE"')), taken


def _problem_kinds(result: dict) -> tuple[dict, list[tuple[int, str]]]:
    accounting = dict(result["accounting"])
    problems = accounting.pop("problems")
    return accounting, sorted((p.get("record", -1), p["reason"].split(":")[0]) for p in problems)


@pytest.mark.parametrize("compress", [False, True])
def test_standard_input_is_read_in_pieces_when_it_holds_lines_and_whole_when_one_document(
    tmp_path: Path, small_pieces: None, monkeypatch: pytest.MonkeyPatch, compress: bool
) -> None:
    """A pipe cannot be read twice: the bytes read to tell its format are kept until it is known
    (``large.stream_or_read``). Lines then go in pieces, one document whole; either way the
    result is the file's, also for a gzip stream cut short."""
    lines = b"\n".join(_large_lines(1200)) + b"\n"
    records = [orjson.loads(line) for line in _large_lines(300) if line.endswith(b"}")]
    document = orjson.dumps({"Records": records})
    for body, way in ((lines, "pieces"), (document, "whole")):
        data = gzip.compress(body) if compress else body
        for cut in (len(data), len(data) * 2 // 3) if compress else (len(data),):
            path = tmp_path / "FILE"
            path.write_bytes(data[:cut])
            from_file = replay([str(path)], CWL012.metric_filter(via="CWL-012")).to_json()
            from_file = orjson.loads(orjson.dumps(from_file).replace(str(path).encode(), b"FILE"))
            piped, taken = _replay_stdin(data[:cut], monkeypatch)
            assert taken == [way]
            if cut == len(data):
                assert piped == from_file
            else:  # the stream learns of the truncation at its end, and ISA-L (the stream) and zlib (a
                # damaged file read whole) may decode a byte more or less of the broken last line
                assert _problem_kinds(piped) == _problem_kinds(from_file)
                assert {**piped, "accounting": 0} == {**from_file, "accounting": 0}
            assert piped["accounting"]["records"] > 100 or (way == "whole" and cut < len(data))  # a cut document: none


@pytest.mark.parametrize("separator", [b"", b"\n"])
def test_a_tree_piped_to_standard_input_gives_the_trees_answer(
    separator: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``zcat`` of every log file (documents back to back, as CloudTrail writes no final newline),
    or one document a line: the same records and datapoints as replaying the tree."""
    files = sorted(p for p in SAMPLE_TREE.rglob("*.json.gz") if "Digest" not in str(p))
    piped, taken = _replay_stdin(separator.join(gzip.decompress(p.read_bytes()) for p in files), monkeypatch)
    tree = replay([SAMPLE_TREE], _mf()).to_json()
    assert taken == ["pieces" if separator else "whole"]
    assert piped["accounting"]["records"] == tree["accounting"]["records"] > 1000
    assert (piped["datapoints"], piped["periods"]) == (tree["datapoints"], tree["periods"])


def test_pieces_end_at_line_ends(small_pieces: None) -> None:
    import io

    from cwfilter.sources import large

    data = b"".join(b"x" * (i % 300) + b"\n" for i in range(200))
    pieces = list(large._pieces(io.BytesIO(data[100:]), data[:100], []))  # type: ignore[arg-type]
    assert b"".join(pieces) == data and all(p.endswith(b"\n") for p in pieces) and len(pieces) > 10
    assert max(map(len, pieces)) <= 2 * 1024
    long_line = b"y" * 5000 + b"\n"  # longer than a piece: never cut
    pieces = list(large._pieces(io.BytesIO(data + long_line + data), b"", []))  # type: ignore[arg-type]
    assert b"".join(pieces) == data + long_line + data and all(p.endswith(b"\n") for p in pieces)


def test_the_command_walks_its_inputs_once(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The alarm's default topic is in the account and region of the first CloudTrail file the
    replay read (``ReplayResult.origin``): no second walk of the inputs to find one."""
    from cwfilter.sources import discovery

    walks = []
    real = replay_module.iter_discover

    def spy(*args: Any, **kwargs: Any) -> Any:
        walks.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(replay_module, "iter_discover", spy)
    monkeypatch.setattr(discovery, "iter_discover", spy)
    query = ["--output", "json", "--query", "alarm.notifications[0].topicArn"]
    assert main(["replay", str(SAMPLE_TREE), "--rule", "CWL-012", "--no-progress", *query]) == 0
    assert json.loads(capsys.readouterr().out) == "arn:aws:sns:eu-west-1:111122223333:cwfilter-alarms"
    assert len(walks) == 1
    assert _replay([SAMPLE_TREE], _mf()).origin == ("111122223333", "eu-west-1")  # the first in walk order
