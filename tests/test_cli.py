"""The ``cwfilter`` command: check and match."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cwfilter.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
CWL012 = (
    "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || "
    "($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || "
    "($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) "
    "|| ($.eventName = DeleteBucketReplication)) }"
)


def test_check_prints_family_and_canonical_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "{($.a=1)&&($.b=x)}"]) == 0
    assert capsys.readouterr().out == 'family: json\ncanonical: { $.a = 1 && $.b = "x" }\n'


def test_check_shows_the_error_with_a_caret(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "{ $.userIdentity.type = 'Root' }"]) == 2
    err = capsys.readouterr().err
    assert "Invalid character(s) in term ''Root''" in err
    assert "  { $.userIdentity.type = 'Root' }\n  " + " " * 24 + "^" in err
    assert "Traceback" not in err


def test_check_prints_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "foo.bar"]) == 0
    assert "warning at character 1" in capsys.readouterr().err
    assert main(["check", "--strict", "foo.bar"]) == 2


def test_match_prints_matching_lines_and_exits_like_grep(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", CWL012, str(SAMPLES / "cloudtrail-events.jsonl")]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split('"eventName":"')[1].split('"')[0] for line in lines]
    assert names == ["PutBucketPolicy", "PutBucketAcl", "DeleteBucketCors", "PutBucketLifecycle"]
    assert main(["match", "NoSuchThing", str(SAMPLES / "access.log")]) == 1
    assert capsys.readouterr().out == ""


def test_match_count_and_extract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", "-c", "[..., status = 4*, bytes]", str(SAMPLES / "access.log")]) == 0
    assert capsys.readouterr().out == "2\n"
    assert main(["match", "--extract", "[..., status = 404, bytes]", str(SAMPLES / "access.log")]) == 0
    out = capsys.readouterr().out
    assert out.startswith('{"line":2,"message":"127.0.0.1 - frank')
    assert '"$status":"404","$bytes":"287"' in out


def test_match_reports_a_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", "x", "/no/such/file"]) == 2
    assert "cannot read /no/such/file" in capsys.readouterr().err


def test_match_reads_stdin_through_the_installed_entry_point() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cwfilter", "match", "ERROR -WARN"],
        input=b"ERROR one\nWARN two\nERROR WARN three\nbad \xff ERROR\n",
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0
    assert proc.stdout == b"ERROR one\nbad \xff ERROR\n"


def test_test_command_prints_the_test_metric_filter_response(capsys: pytest.CaptureFixture[str]) -> None:
    lines = (SAMPLES / "cloudtrail-events.jsonl").read_text().splitlines()[:3]
    assert main(["test", "--filter-pattern", CWL012, "--log-event-messages", *lines]) == 0
    out = capsys.readouterr().out
    response = json.loads(out)
    assert [m["eventNumber"] for m in response["matches"]] == [2]
    assert response["matches"][0] == {"eventNumber": 2, "eventMessage": lines[1], "extractedValues": {}}
    assert out.startswith('{\n    "matches": [\n        {\n            "eventNumber": 2,')  # AWS CLI layout


def test_test_command_with_a_metric_transformation_and_stdin() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cwfilter", "test", "--filter-pattern", "[..., status = 4*, bytes]", "--event-number-base",
         "0", "--metric-transformation", "metricName=Bytes,metricNamespace=Web,metricValue=$bytes,unit=Bytes"],
        input=(SAMPLES / "access.log").read_bytes(),
        capture_output=True,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    response = json.loads(proc.stdout)
    assert [m["eventNumber"] for m in response["matches"]] == [1, 3]
    assert [v["value"] for v in response["metricValues"]] == [None, 287.0, None, 310.0, None]
    assert response["metric"] == {"metricName": "Bytes", "metricNamespace": "Web", "unit": "Bytes"}


def test_test_command_with_a_metric_filter_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = {
        "logGroupName": "trail",
        "filterName": "CWL-012",
        "filterPattern": CWL012,
        "metricTransformations": [
            {"metricName": "S3BucketEventCount", "metricNamespace": "CloudTrailMetrics", "metricValue": "1"}
        ],
    }
    path = tmp_path / "filter.json"
    path.write_text(json.dumps(request))
    messages = tmp_path / "messages.txt"
    messages.write_text((SAMPLES / "cloudtrail-events.jsonl").read_text())
    assert main(["test", "--metric-filter", str(path), "--messages-file", str(messages)]) == 0
    response = json.loads(capsys.readouterr().out)
    assert [v["eventNumber"] for v in response["metricValues"] if v["value"] == 1.0] == [2, 5, 7, 10]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--filter-pattern", "{ $.a = 1"], "If a filter pattern starts with '{' it must end with '}'"),
        (["--filter-pattern", "x", "--log-event-messages", *["m"] * 51], "less than or equal to 50"),
        (["--filter-pattern", "ERROR", "--log-event-messages", "x", "--metric-transformation", "metricName=M"],
         "lacks metricNamespace, metricValue"),
        (["--filter-pattern", "ERROR", "--log-event-messages", "x", "--metric-transformation",
          "metricName=M,metricNamespace=N,metricValue=1,dimensions={a=$.b}"],
         "does not support dimensions"),
        (["--log-event-messages", "x"], "give --filter-pattern"),
        (["--metric-filter", "/no/such.json", "--log-event-messages", "x"], "cannot read /no/such.json"),
    ],
)  # fmt: skip
def test_test_command_errors(args: list[str], error: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", *args]) == 2
    err = capsys.readouterr().err
    assert error in err and "Traceback" not in err


def test_a_number_beyond_a_double_has_one_verdict_in_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 28 item 9: ``1e400`` matched ``{ $.n > 5 }`` in match (printed back as null), did
    not in test, and was "not a JSON object" in explain. It reads as an infinity (an IEEE 754
    double, spec §4.6, as replay reads it) everywhere, and is printed back as ``1e400``."""
    message = '{"n": 1e400, "m": -1e400}'
    (tmp_path / "n.json").write_text(message)
    assert main(["match", "{ $.n > 5 && $.m < 0 }", str(tmp_path / "n.json")]) == 0
    assert capsys.readouterr().out == '{"n":1e400,"m":-1e400}\n'
    assert main(["test", "--filter-pattern", "{ $.n > 5 }", "--log-event-messages", message, "--output", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["matches"][0]["eventMessage"] == message
    assert main(["explain", "{ $.n > 5 }", message]) == 0
    assert "found: 1e400" in capsys.readouterr().out
    assert main(["explain", "{ $.n < 5 }", message]) == 1
