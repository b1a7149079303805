"""Issue 28's command-line findings, each reproduced: ``-o`` naming an input, ``-o -``, a
``.tf.json`` read as HCL, duplicate YAML keys, ``{"Records": []}`` with the rule's alarm,
``--query`` and ``--cli-input-json`` nested beyond Python's recursion, undecodable bytes in
name arguments and file names, and credentials echoed in messages."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from cwfilter.cli import main
from cwfilter.cli.redact import redact

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as stop:
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_outfile_naming_an_input_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    template = tmp_path / "main.tf"
    shutil.copy(SAMPLES / "audit" / "cwl012-typo.tf", template)
    before = template.read_bytes()
    code, out, err = _run(capsys, "audit", "--template", str(template), "-o", str(template))
    assert code == 2 and out == "" and f"-o {template} is also an input of this command" in err
    assert template.read_bytes() == before
    log = tmp_path / "access.log"
    shutil.copy(SAMPLES / "access.log", log)
    code, _, err = _run(capsys, "match", "404", str(log), "--output", "json", "-o", str(log))
    assert code == 2 and "is also an input" in err and log.read_bytes() == (SAMPLES / "access.log").read_bytes()
    request = tmp_path / "request.json"
    request.write_text('{"filterPattern": "x", "logEventMessages": ["x"]}')
    code, _, err = _run(capsys, "test", "--cli-input-json", f"file://{request}", "-o", str(request))
    assert code == 2 and "is also an input" in err


def test_outfile_dash_is_standard_output(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run(capsys, "rules", "--output", "json", "-o", "-")
    assert code == 0 and json.loads(out)["rules"] and not (tmp_path / "-").exists()


def test_tf_json_is_read_as_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "main.tf.json"
    config.write_text('// a comment is not JSON\n{"resource": {}}')
    code, _, err = _run(capsys, "test", "--metric-filter", str(config), "--log-event-messages", "x")
    assert code == 2 and f"{config}: invalid Terraform JSON" in err and "HCL" not in err


def test_duplicate_yaml_keys_are_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    template = tmp_path / "t.yaml"
    template.write_text("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n  Topic:\n    Type: AWS::SNS::Topic\n")
    for argv in (["audit", "--template", str(template)],
                 ["test", "--metric-filter", str(template), "--log-event-messages", "x"]):  # fmt: skip
        code, _, err = _run(capsys, *argv)
        assert code == 2 and f"{template}: line 4: duplicate key 'Topic'" in err


def test_no_records_with_the_rules_alarm_is_no_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text('{"Records": []}')
    code, out, err = _run(capsys, "replay", str(empty), "--rule", "CWL-012", "--no-progress")
    assert code == 0 and "1 seen: 1 read" in out and "0 read: 0 matched" in out
    assert "no record with a timestamp was read: the alarm was not evaluated" in err


@pytest.mark.parametrize(
    "query", ["[" * 3000 + "]" * 3000, "a|" * 4000 + "b", "x" * 20_000], ids=["deep", "pipes", "long"]
)
def test_query_beyond_the_parsers_limits_is_an_error(query: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "rules", "--output", "json", "--query", query)
    assert code == 2 and "Traceback" not in err and "RecursionError" not in err
    assert "--query" in err or "JMESPath" in err


def test_cli_input_json_nested_too_deeply(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "test", "--cli-input-json", "[" * 100_000)
    assert code == 2 and "--cli-input-json: values nested too deeply to read" in err


@pytest.mark.parametrize("option", ["--metric-name", "--namespace", "--topic-arn", "--unit", "--dimension"])
def test_undecodable_bytes_in_a_name_argument_are_usage_errors(option: str, capsys: pytest.CaptureFixture[str]) -> None:
    value = os.fsdecode(b"M\xff")
    code, _, err = _run(capsys, "replay", str(SAMPLES / "cloudtrail"), "--rule", "CWL-012", option, value)
    assert code == 2 and f"argument {option}: byte 0xff is not valid UTF-8 text" in err


def test_matches_of_a_file_with_an_undecodable_name(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "cloudtrail-events.jsonl", os.fsdecode(bytes(folder) + b"/ev\xff.jsonl"))
    matches = tmp_path / "m.jsonl"
    code, _, err = _run(capsys, "replay", str(folder), "--rule", "CWL-012", "--no-alarm", "--matches", str(matches))
    assert code == 0 and "Traceback" not in err
    lines = matches.read_text().splitlines()
    assert lines and all(json.loads(line)["source"].endswith("ev\udcff.jsonl") for line in lines)


def test_credentials_are_masked_in_messages(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "replay", "http://user:TOPSECRET123@127.0.0.1:1/x.json", "--rule", "CWL-012")
    assert code == 2 and "TOPSECRET123" not in err and "http://***@127.0.0.1:1/x.json" in err
    assert redact("AKIAIOSFODNN7EXAMPLE aws_secret_access_key=wJalrXUtnFEMI/K7MDENG") == (
        "AKIA**************** aws_secret_access_key=***"
    )
    assert redact('"SessionToken": "IQoJb3JpZ2luX2Vj"') == '"SessionToken": "***"'
    assert redact("X-Amz-Signature=abc&X-Amz-Security-Token=zz") == "X-Amz-Signature=***&X-Amz-Security-Token=***"
    assert redact('{ $.password = "x" }') == '{ $.password = "x" }'  # a pattern's selector is no secret
