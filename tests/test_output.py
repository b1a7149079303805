"""AWS CLI conventions on every command: ``--output``, ``--query``, ``-o/--outfile``,
``--cli-input-json``; the rule catalogue; the hints a newcomer meets first."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cwfilter.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_TREE = ROOT / "samples" / "cloudtrail"


def _cwfilter(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed entry point (the console script beside this Python)."""
    script = Path(sys.executable).with_name("cwfilter")
    command = [str(script)] if script.exists() else [shutil.which("cwfilter") or "cwfilter"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=120)


def test_check_output_json_for_valid_and_invalid_patterns() -> None:
    ok = _cwfilter("check", "{ $.a = x*y }", "--output", "json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == {
        "valid": True, "pattern": "{ $.a = x*y }", "family": "json", "canonical": '{ $.a = "x*y" }', "warnings": [],
    }  # fmt: skip
    bad = _cwfilter("check", "{ $.a = }", "--output", "json")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    doc = json.loads(bad.stdout)
    assert doc["valid"] is False
    assert doc["error"] == {"message": "Invalid metric filter pattern", "detail": doc["error"]["detail"], "offset": 8,
                            "code": "E_SYNTAX", "exception": "InvalidParameterException"}  # fmt: skip


def test_output_json_is_a_format_not_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--output json`` used to write the table to a file named ``json``."""
    with pytest.raises(SystemExit) as info:
        main(["replay", str(SAMPLE_TREE), "--rule", "CWL-012", "--output", str(tmp_path / "out.json")])
    assert info.value.code == 2
    assert "use -o/--outfile FILE" in capsys.readouterr().err
    assert main(["replay", str(SAMPLE_TREE), "--rule", "CWL-012", "--output", "json", "--no-progress"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["accounting"]["matched"] == 13 and doc["alarm"]["notifications"]


def test_format_is_kept_as_an_alias(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(SAMPLE_TREE), "--rule", "CWL-012", "--format", "csv", "--no-alarm"]) == 0
    assert capsys.readouterr().out.startswith("kind,timestamp,")


def test_query_selects_from_the_json_result(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["replay", str(SAMPLE_TREE), "--rule", "CWL-012", "--query", "alarm.notifications[].message.NewStateValue"]
    assert main([*args, "--output", "json"]) == 0
    states = json.loads(capsys.readouterr().out)
    assert states and set(states) == {"ALARM"}
    assert main([*args, "--output", "text"]) == 0
    assert capsys.readouterr().out == "\t".join(states) + "\n"


def test_a_bad_query_is_refused_before_any_work() -> None:
    run = _cwfilter("replay", "/nonexistent", "--rule", "CWL-012", "--query", "a[")
    assert run.returncode == 2
    assert "invalid JMESPath expression 'a['" in run.stderr and "Traceback" not in run.stderr


def test_outfile_is_written_whole(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    run = _cwfilter("replay", str(SAMPLE_TREE), "--rule", "CWL-012", "--output", "json", "-o", str(out))
    assert run.returncode == 0, run.stderr
    assert json.loads(out.read_text())["accounting"]["matched"] == 13
    assert "13 matched" in run.stderr  # the accounting still reaches the terminal
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # no temporary file left behind
    missing = _cwfilter("rules", "-o", str(tmp_path / "no" / "such" / "dir" / "x"))
    assert missing.returncode == 2 and "cannot write" in missing.stderr and "Traceback" not in missing.stderr


def test_test_takes_the_cli_input_json_request(tmp_path: Path) -> None:
    request = tmp_path / "req.json"
    request.write_text(json.dumps({"filterPattern": "[ip, user, rest = *404*]",
                                   "logEventMessages": ["1.2.3.4 bob GET /x 404 12", "1.2.3.4 bob GET / 200 1"]}))  # fmt: skip
    run = _cwfilter("test", "--cli-input-json", f"file://{request}")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["matches"] == [{"eventNumber": 1, "eventMessage": "1.2.3.4 bob GET /x 404 12",
        "extractedValues": {"$ip": "1.2.3.4", "$user": "bob", "$rest": "GET /x 404 12"}}]  # fmt: skip
    table = _cwfilter("test", "--cli-input-json", f"file://{request}", "--output", "table")
    assert table.stdout.splitlines() == ["1 of 2 events matched",
        "  event 1: match  $ip=1.2.3.4, $user=bob, $rest=GET /x 404 12", "  event 2: no match"]  # fmt: skip
    # The command line takes precedence over the request, as in the AWS CLI.
    override = _cwfilter("test", "--cli-input-json", f"file://{request}", "--filter-pattern", "bob",
                         "--query", "length(matches)")  # fmt: skip
    assert override.stdout == "2\n"
    bad = _cwfilter("test", "--cli-input-json", '{"filterPattern": "x", "logEvents": []}')
    assert bad.returncode == 2 and "unknown parameter(s) logEvents" in bad.stderr


def test_rules_is_a_catalogue_with_a_header_names_and_json() -> None:
    listing = _cwfilter("rules")
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["RULE", "NAMES", "CIS", "METRIC"]
    s3 = next(line for line in lines if line.startswith("s3_bucket_policy_changes"))
    assert "CWL-012, CloudWatch.8" in s3 and "4.8 (v1.3.0-v5.0.0)" in s3
    assert "(CWL-012: CloudTrailMetrics/S3BucketEventCount)" in s3
    shown = _cwfilter("rules", "show", "CIS-1.4.0-4.8")
    assert "metric          CISBenchmark/s3_bucket_policy_changes_metric  value=1\n" in shown.stdout
    as_cwl = json.loads(_cwfilter("rules", "show", "CWL-012", "--output", "json").stdout)
    assert as_cwl["metric"] == {
        "namespace": "CloudTrailMetrics",
        "metricName": "S3BucketEventCount",
        "metricValue": "1",
    }
    every = json.loads(_cwfilter("rules", "--output", "json").stdout)["rules"]
    assert len(every) == 15 and all(r["alarm"]["period"] == 300 for r in every)
    unknown = _cwfilter("rules", "show", "CWL-999")
    assert unknown.returncode == 2 and "no rule named 'CWL-999'" in unknown.stderr
    assert "List the built-in rules" in _cwfilter("rules", "--help").stdout


def test_the_metric_of_a_rule_is_the_same_in_rules_and_replay(capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("CWL-012", "CloudWatch.8"):
        assert main(["rules", "show", name, "--output", "json"]) == 0
        metric = json.loads(capsys.readouterr().out)["metric"]
        assert main(["replay", str(SAMPLE_TREE), "--rule", name, "--output", "json", "--no-alarm"]) == 0
        replayed = json.loads(capsys.readouterr().out)["metric"]
        assert (replayed["namespace"], replayed["name"]) == (metric["namespace"], metric["metricName"])


def test_single_quotes_hint_at_double_quotes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "{ $.userIdentity.type = 'Root' }"]) == 2
    err = capsys.readouterr().err
    assert 'write "Root"' in err and "\"'Root'\"" not in err


def _long_trail(tmp_path: Path, periods: int) -> Path:
    """One S3 bucket change every 30 minutes: ``periods`` five-minute periods with data, each
    its own alarm episode."""
    start = datetime(2024, 3, 1, tzinfo=timezone.utc)
    lines = [
        json.dumps(
            {
                "eventTime": (start + timedelta(minutes=30 * i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "eventSource": "s3.amazonaws.com",
                "eventName": "PutBucketAcl",
            }
        )
        for i in range(periods)
    ]
    path = tmp_path / "trail.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_long_series_are_summarised_unless_all(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trail = _long_trail(tmp_path, 300)
    assert main(["replay", str(trail), "--rule", "CWL-012", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "300 periods with data, 300 minutes with datapoints" in out
    assert "... 280 more periods with data: shown are the first, the last and the busiest" in out
    assert "2024-03-01T00:00:00Z" in out and "2024-03-07T05:30:00Z" in out  # first and last periods
    assert "... 280 more episodes (--all lists every one)" in out
    assert out.count("\n  #") == 20
    assert main(["replay", str(trail), "--rule", "CWL-012", "--no-progress", "--all"]) == 0
    everything = capsys.readouterr().out
    assert "more periods" not in everything and everything.count("\n  #") == 300


def test_counts_are_formatted_and_plurals_agree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(_long_trail(tmp_path, 1)), "--rule", "CWL-012", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "1 period with data, 1 minute with datapoints" in out
    assert "1 of 1 period GreaterThanOrEqualToThreshold" in out and "1 notification\n" in out
    assert main(["replay", str(_long_trail(tmp_path, 1500)), "--rule", "CWL-012", "--no-progress", "--no-alarm"]) == 0
    assert "records         1,500 read: 1,500 matched" in capsys.readouterr().out


def test_csv_carries_the_accounting_and_the_alarm(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(SAMPLE_TREE), "--rule", "CWL-012", "--output", "csv"]) == 0
    rows = [line.split(",") for line in capsys.readouterr().out.splitlines()]
    assert rows[0][-1] == "detail"
    accounting = {r[-1]: int(r[8]) for r in rows if r[0] == "accounting"}
    assert accounting["files read"] == 76 and accounting["records matched"] == 13
    assert [r[8] for r in rows if r[0] == "alarm"][:2] == ["ALARM", "INSUFFICIENT_DATA"]


def test_alarm_times_are_checked_before_the_replay_and_may_be_short(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "/nonexistent", "--rule", "CWL-012", "--alarm-created-at", "12:10Z"]) == 2
    assert "a date is needed too" in capsys.readouterr().err
    args = ["replay", str(SAMPLE_TREE), "--rule", "CWL-012", "--alarm-created-at", "2024-03-04T08:10Z"]
    assert main(args) == 0
    assert "2024-03-04T08:10:00Z (created, INSUFFICIENT_DATA)" in capsys.readouterr().out


def test_replay_lists_the_matched_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "m.jsonl"
    assert main(["replay", str(SAMPLE_TREE), "--rule", "CWL-012", "--matches", str(out), "--jobs", "2"]) == 0
    table = capsys.readouterr().out
    matches = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(matches) == 13  # the accounting's matched count
    assert all(m["record"]["eventSource"] == "s3.amazonaws.com" and m["source"].endswith(".json.gz") for m in matches)
    assert [m["timestamp"] for m in matches] == [m["record"]["eventTime"] for m in matches]
    # Each ALARM episode names the events behind it: those of its evaluated datapoints' periods.
    assert "        event: 08:13:" in table and "DeleteBucketReplication bucket=logs-archive by" in table
    # Windows [08:09,08:14) [08:54,08:59) [09:25,09:30) [10:04,10:09) [10:39,10:44) hold 1+2+2+2+1 of the
    # matches; those at 08:14, 08:59 and 10:45 came after the evaluation that raised the alarm.
    assert table.count("        event: ") == 8
    assert main(["replay", str(SAMPLE_TREE), "--rule", "CWL-012", "--matches", "-", "--no-alarm"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 13 and "records         1,117 read" in captured.err


def test_library_matches_follow_dedupe_and_events() -> None:
    import cwfilter

    mf = cwfilter.find_rule("CWL-012").metric_filter()
    rec = {"eventTime": "2024-01-01T00:00:00Z", "eventSource": "s3.amazonaws.com", "eventName": "PutBucketAcl"}
    result = cwfilter.replay([(1_704_067_200_000, json.dumps(rec)), (1_704_067_260_000, "{}")], mf, matches=True)
    assert [(m.index, m.message) for m in result.matches or []] == [(0, json.dumps(rec))]
    assert cwfilter.replay([(1_704_067_200_000, "{}")], mf).matches is None


def test_match_reads_cloudtrail_files_as_replay_does(tmp_path: Path) -> None:
    """``match`` on a .json.gz tree used to read gzip bytes as text and print nothing."""
    pattern = "{ $.eventName = DeleteBucketPolicy }"
    tree = _cwfilter("match", pattern, str(SAMPLE_TREE))
    assert tree.returncode == 0, tree.stderr
    records = [json.loads(line) for line in tree.stdout.splitlines()]
    assert len(records) == 4 and {r["eventName"] for r in records} == {"DeleteBucketPolicy"}
    one = next(SAMPLE_TREE.rglob("*_CloudTrail_*.json.gz"))
    gz = _cwfilter("match", "{ $.eventSource = s3.amazonaws.com }", str(one), "--extract")
    assert gz.returncode in (0, 1) and all(json.loads(x)["file"] == str(one) for x in gz.stdout.splitlines())
    # A {"Records": [...]} document on one line: JSON patterns see its records, not the line.
    doc = tmp_path / "trail.json"
    doc.write_text(json.dumps({"Records": records}))
    assert _cwfilter("match", pattern, str(doc), "--count").stdout == "4\n"
    piped = subprocess.run([str(Path(sys.executable).with_name("cwfilter")), "match", pattern, "--count"],
                           input=doc.read_bytes(), capture_output=True, timeout=60)  # fmt: skip
    assert piped.stdout == b"4\n"
    missing = _cwfilter("match", pattern, str(doc), "/nonexistent")
    assert (
        missing.returncode == 2
        and "cannot read /nonexistent" in missing.stderr
        and len(missing.stdout.splitlines()) == 4
    )


@pytest.mark.parametrize(
    ("command", "content", "says"),
    [
        ("filter", {"Resources": []}, "Resources must be a mapping of resources, not a JSON array"),
        ("filter", {"foo": 1}, "not a metric filter file (a PutMetricFilter request"),
        (
            "filter",
            {"MetricAlarms": []},
            "this looks like `aws cloudwatch describe-alarms` output (give it to --alarm)",
        ),
        ("filter", [1, 2], "this looks like a JSON array"),
        ("alarm", {"metricFilters": []}, "not an alarm file"),
        ("alarm", {"foo": 1}, "this looks like a JSON object with keys foo"),
    ],
)
def test_config_files_of_the_wrong_kind_say_what_they_look_like(
    tmp_path: Path, command: str, content: object, says: str
) -> None:
    path = tmp_path / "given.json"
    path.write_text(json.dumps(content))
    filters = tmp_path / "filters.json"
    filters.write_text(json.dumps({"metricFilters": [{"filterName": "f", "logGroupName": "g", "filterPattern": "x",
        "metricTransformations": [{"metricName": "M", "metricNamespace": "N", "metricValue": "1"}]}]}))  # fmt: skip
    if command == "filter":
        run = _cwfilter("test", "--metric-filter", str(path), "--log-event-messages", "x")
    else:
        run = _cwfilter("replay", str(SAMPLE_TREE), "--metric-filter", str(filters), "--alarm", str(path))
    assert run.returncode == 2 and says in run.stderr and "Traceback" not in run.stderr
    assert str(path) in run.stderr


def test_describe_outputs_are_read(tmp_path: Path) -> None:
    filters = tmp_path / "filters.json"
    filters.write_text(json.dumps({"metricFilters": [{"filterName": "f", "logGroupName": "g",
        "filterPattern": "{ $.a = 1 }", "metricTransformations": [{"metricName": "M", "metricNamespace": "N",
        "metricValue": "1"}]}]}))  # fmt: skip
    alarms = tmp_path / "alarms.json"
    alarms.write_text(json.dumps({"MetricAlarms": [{"AlarmName": "a", "Namespace": "N", "MetricName": "M",
        "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 1,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold", "AlarmActions": []}], "CompositeAlarms": []}))  # fmt: skip
    run = _cwfilter("test", "--metric-filter", str(filters), "--log-event-messages", '{"a":1}', "--output", "table")
    assert run.stdout.splitlines() == ["1 of 1 event matched", "  event 1: match  value=1"]
    replayed = _cwfilter("replay", str(SAMPLE_TREE), "--metric-filter", str(filters), "--alarm", str(alarms))
    assert replayed.returncode == 0 and "alarm           a: Sum of N/M over 60 s" in replayed.stdout


def test_outfile_gets_the_usual_file_mode(tmp_path: Path) -> None:
    """mkstemp makes 0600 files; an output file gets what open() would give it."""
    import os
    import stat

    out = tmp_path / "rules.txt"
    assert main(["rules", "-o", str(out)]) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    out.chmod(0o640)
    assert main(["rules", "-o", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640  # an existing file keeps its mode


def test_an_empty_filter_pattern_matches_everything(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(SAMPLE_TREE), "--filter-pattern", "", "--output", "json", "--query", "accounting"]) == 0
    accounting = json.loads(capsys.readouterr().out)
    assert accounting["matched"] == accounting["records"] == 1117


def test_the_default_topic_is_in_the_trails_account(capsys: pytest.CaptureFixture[str]) -> None:
    """Not a made-up 123456789012: the first CloudTrail file's account and region, or those given."""
    query = ["--output", "json", "--query", "alarm.notifications[0].topicArn"]
    assert main(["replay", str(SAMPLE_TREE), "--rule", "CWL-012", *query]) == 0
    topic = json.loads(capsys.readouterr().out)
    assert topic.startswith("arn:aws:sns:") and topic.endswith(":111122223333:cwfilter-alarms")
    assert main(["replay", str(SAMPLE_TREE), "--rule", "CWL-012", "--trail-region", "us-east-1", *query]) == 0
    assert json.loads(capsys.readouterr().out) == "arn:aws:sns:us-east-1:111122223333:cwfilter-alarms"
    args = ["--region", "eu-central-1", "--account-id", "444455556666"]
    assert main(["replay", str(SAMPLE_TREE), "--rule", "CWL-012", *args, *query]) == 0
    assert json.loads(capsys.readouterr().out) == "arn:aws:sns:eu-central-1:444455556666:cwfilter-alarms"


def test_benchmark_smoke_output_cannot_be_mistaken_for_a_failure() -> None:
    """Under `make test` the benchmarks run once on small inputs: the summary says so and shows no targets."""
    run = subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "benchmarks" / "test_bench_replay.py"), "-q", "-p", "no:cacheprovider",
         "-k", "ratios", "--benchmark-disable"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-2000:]
    assert "benchmark smoke run: every benchmark ran once on small inputs (not a measurement)" in run.stdout
    assert "(target" not in run.stdout


def test_outfile_never_replaces_a_device_fifo_or_link(tmp_path: Path) -> None:
    """`-o /dev/null` used to rename a temporary file over the device (as root, /dev/null became a
    regular file). A non-regular target is written in place; a link's target file is replaced,
    not the link. Tested on a FIFO, never on /dev/null itself."""
    import os
    import stat
    import threading

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    assert main(["rules", "-o", str(fifo)]) == 0
    reader.join(timeout=30)
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and got and got[0].startswith(b"RULE")
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    assert main(["rules", "-o", str(link)]) == 0
    assert link.is_symlink() and real.read_text().startswith("RULE")
