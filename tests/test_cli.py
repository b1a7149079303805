"""The ``cwfilter`` command: check and match."""

from __future__ import annotations

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
