"""One way through the CLI (issue 21): every command that prints a result takes ``--output``,
``--query`` and ``-o``; exit codes are listed in every ``--help``; a bad flag prints the
command's own usage; JSON is indented alike with camelCase keys; and the commands that used
to fail open now exit non-zero naming the cause (a test per case)."""

from __future__ import annotations

import ast
import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest

from cwfilter import cli
from cwfilter.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
CWL012_RECORD = {"eventVersion": "1.08", "eventTime": "2024-03-04T08:01:00Z", "eventSource": "s3.amazonaws.com",
                 "eventName": "PutBucketAcl", "awsRegion": "us-east-1", "requestParameters": {"bucketName": "b"}}  # fmt: skip


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as stop:  # argparse: --help, or an argument refused with the usage
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _commands() -> dict[str, Any]:
    parser = cli._parser([])
    sub = next(a for a in parser._actions if a.dest == "command")
    return dict(sub.choices)  # type: ignore[union-attr]


# Every command prints a result; none is exempt.
@pytest.mark.parametrize("command", sorted(cli.COMMANDS))
def test_every_command_takes_output_query_outfile_and_lists_exit_codes(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = _commands()[command]
    options = {o for a in parser._actions for o in a.option_strings}
    assert {"--output", "--query", "-o", "--outfile"} <= options, command
    output = next(a for a in parser._actions if "--output" in a.option_strings)
    assert {"json", "text"} <= set(re.findall(r"\w+", output.metavar or "")), command
    code, out, _ = _run(capsys, command, "--help")
    assert code == 0
    codes = out[out.index("exit status:") :]
    assert re.search(r"^\s+0 ", codes, re.M) and re.search(r"^\s+2 usage or input error|^\s+2 ", codes, re.M)
    assert re.search(r"^\s+130 interrupted", codes, re.M), command


@pytest.mark.parametrize("command", ["check x", "match x", "replay samples", "audit", "remediate", "rules", "lint x"])
def test_a_bad_flag_prints_the_commands_own_usage(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, *command.split(), "--no-such-flag")
    name = command.split()[0]
    assert code == 2 and err.startswith(f"usage: cwfilter {name} ") and "unrecognized arguments: --no-such-flag" in err


def test_exit_codes_are_defined_once() -> None:
    """Only ``cli/common.py`` assigns an ``EXIT_`` number; the other modules import it."""
    for module in (ROOT / "src" / "cwfilter" / "cli").glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        assigned = [t.id for node in ast.walk(tree) if isinstance(node, ast.Assign) for t in node.targets
                    if isinstance(t, ast.Name) and t.id.startswith("EXIT_") and isinstance(node.value, ast.Constant)]  # fmt: skip
        assert module.name == "common.py" or not assigned, (module.name, assigned)


def _keys(doc: Any, *, skip: frozenset[str] = frozenset()) -> set[str]:
    """The structural keys of a JSON document (not those under ``skip``: user data)."""
    if isinstance(doc, dict):
        return set(doc) | {k for key, v in doc.items() if key not in skip for k in _keys(v, skip=skip)}
    if isinstance(doc, list):
        return {k for v in doc for k in _keys(v, skip=skip)}
    return set()


_USER_DATA = frozenset({"extractedValues", "record", "evidence", "parameters", "fields", "dimensions", "event",
                        "requestParameters", "failedCalls", "aliases"})  # fmt: skip


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "{ $.a = 1 }"],
        ["lint", "{ $.eventname = PutBucketAcl }"],
        ["compare", "{ $.a = 1 }", "{ $.a = 2 }"],
        ["explain", "{ $.a = 1 }", '{"a": 1}'],
        ["test", "--filter-pattern", "[a, b]", "--log-event-messages", "x y"],
        ["rules"],
        ["match", "404", str(SAMPLES / "access.log")],
        ["audit", "--template", str(SAMPLES / "audit" / "cwl012-typo.tf"), "--rule", "CWL-012"],
        ["remediate", "--template", str(SAMPLES / "audit" / "cwl012-typo.tf"), "--rule", "CWL-012"],
        ["replay", str(SAMPLES / "cloudtrail"), "--rule", "CWL-012", "--no-progress"],
    ],
    ids=lambda argv: argv[0],
)
def test_json_is_indented_alike_with_camel_case_keys(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, *argv, "--output", "json")
    assert code in (0, 1), err
    assert out.startswith('{\n    "'), out[:40]
    snake = {k for k in _keys(json.loads(out), skip=_USER_DATA) if re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", k)}
    assert not snake, snake


def test_match_takes_the_output_options(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    log = str(SAMPLES / "access.log")
    code, lines, _ = _run(capsys, "match", "404", log)
    assert code == 0 and lines.count("\n") == 1 and " 404 " in lines
    code, out, _ = _run(capsys, "match", "404", log, "--output", "json")
    doc = json.loads(out)
    assert doc["matched"] == 1 and doc["events"][0]["message"] + "\n" == lines and doc["events"][0]["line"] == 2
    code, out, _ = _run(capsys, "match", "404", log, "--output", "text")
    assert out == f"1\nEVENTS\t2\t{lines}"  # as the AWS CLI: scalars first, then each list under its key
    code, out, _ = _run(capsys, "match", "404", log, "--output", "csv")
    assert out.splitlines()[0] == "line,message"
    status_4xx = "[ip, id, user, timestamp, request, status_code = 4*, bytes]"
    code, out, _ = _run(capsys, "match", status_4xx, log, "--query", "events[].line", "--output", "text")
    assert code == 0 and out.strip().split("\t") == ["2", "4"]
    code, out, _ = _run(capsys, "match", status_4xx, log, "--count", "--output", "json")
    assert json.loads(out) == {"matched": 2}
    code, out, _ = _run(capsys, "match", status_4xx, log, "-o", str(tmp_path / "m.txt"))
    assert out == "" and (tmp_path / "m.txt").read_text().count("\n") == 2


def test_audit_takes_csv_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    tf = str(SAMPLES / "audit" / "cwl012-typo.tf")
    code, out, _ = _run(capsys, "audit", "--template", tf, "--rule", "CWL-012", "--output", "csv")
    assert code == 1 and out.splitlines()[0] == "rule,account,region,status,reason,message,file,line"
    code, out, _ = _run(capsys, "audit", "--template", tf, "--rule", "CWL-012", "--output", "text",
                        "--query", "findings[].[rule, status]")  # fmt: skip
    assert code == 1 and out == "s3_bucket_policy_changes\tFAIL\n"


def test_remediate_plan_format_has_its_own_name(capsys: pytest.CaptureFixture[str]) -> None:
    tf = str(SAMPLES / "audit" / "cwl012-typo.tf")
    code, plan, _ = _run(capsys, "remediate", "--template", tf, "--rule", "CWL-012", "--email", "a@example.com")
    assert code == 1 and "aws logs put-metric-filter" in plan
    code, template, err = _run(capsys, "remediate", "--template", tf, "--rule", "CWL-012", "--email", "a@example.com",
                               "--plan-format", "terraform")  # fmt: skip
    assert code == 1 and 'resource "aws_cloudwatch_log_metric_filter"' in template and "deprecated" not in err
    code, old, err = _run(capsys, "remediate", "--template", tf, "--rule", "CWL-012", "--email", "a@example.com",
                          "--format", "terraform")  # fmt: skip
    assert code == 1 and old == template and "--format is deprecated: use --plan-format" in err
    code, out, _ = _run(capsys, "remediate", "--template", tf, "--rule", "CWL-012", "--email", "a@example.com",
                        "--output", "json")  # fmt: skip
    (plan_doc,) = json.loads(out)["plans"]
    assert plan_doc["rule"] == "s3_bucket_policy_changes" and "PutMetricFilter" in [
        s["operation"] for s in plan_doc["steps"]
    ]


# ------------------------------------------------------------------ failing closed, naming the cause


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["replay", "x", "--rule", "CWL-012", "--period", "0"], "--period: 0 is out of range; expected a multiple of 60 from 60 to 604,800"),
        (["replay", "x", "--rule", "CWL-012", "--period", "90"], "expected a multiple of 60"),
        (["replay", "x", "--rule", "CWL-012", "--jobs", "0"], "--jobs/-j: 0 is out of range; expected an integer from 1 to 1,024"),
        (["replay", "x", "--rule", "CWL-012", "--jobs", "-3"], "-3 is out of range; expected an integer from 1 to 1,024"),
        (["replay", "x", "--rule", "CWL-012", "--jobs", "two"], "'two' is not an integer; expected an integer from 1"),
        (["replay", "x", "--rule", "CWL-012", "--evaluation-range", "-1"], "--evaluation-range: -1 is out of range; expected an integer from 1 to 10,000"),
        (["audit", "--region", "us-east1"], "'us-east1' is not an AWS Region name"),
    ],
)  # fmt: skip
def test_numeric_options_name_their_range(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, *argv)
    assert code == 2 and message in err and err.startswith(f"usage: cwfilter {argv[0]} ")


def _snapshot(root: Path, trails: str) -> Path:
    (root / "us-east-1").mkdir(parents=True)
    (root / "account.json").write_text('{"Account": "123456789012", "Arn": "arn:aws:iam::123456789012:root"}')
    (root / "regions.json").write_text('{"Regions": [{"RegionName": "us-east-1"}]}')
    (root / "us-east-1" / "describe-trails.json").write_text(trails)
    return root


def test_audit_that_evaluated_nothing_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    snap = _snapshot(tmp_path / "snap", '{"trailList": [{"Name": "t", "HomeRegion": "us-e')  # truncated
    code, out, err = _run(capsys, "audit", "--snapshot", str(snap), "--rule", "CWL-012")
    assert code == 2 and "NO_DATA" in out
    assert "no rule could be evaluated" in err and "describe-trails.json: not valid JSON" in err
    code, out, _ = _run(capsys, "audit", "--snapshot", str(snap), "--rule", "CWL-012", "--output", "sarif")
    (result,) = json.loads(out)["runs"][0]["results"]
    assert code == 2 and result["level"] == "warning"  # not "note": what was not checked is not passed


def test_replay_of_a_missing_input_names_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "replay", "/nonexistent.json", "--rule", "CWL-012", "--no-progress")
    assert code == 2 and out == ""
    assert "no input could be read (1 failed): /nonexistent.json: no such file or directory" in err
    assert "--alarm-created-at" not in err


@pytest.mark.parametrize(("kind", "data"), [("gzip", gzip.compress(b"{}")), ("empty", b"")])
def test_audit_template_compressed_or_empty(kind: str, data: bytes, capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:  # fmt: skip
    template = tmp_path / "x.json.gz"
    template.write_bytes(data)
    code, _, err = _run(capsys, "audit", "--template", str(template))
    assert code == 2 and "codec" not in err and "Traceback" not in err
    assert ("a gzip-compressed file; decompress it first" if kind == "gzip" else "the file is empty") in err


@pytest.mark.parametrize(
    ("option", "argv"),
    [
        ("--metric-filter", ["replay", str(SAMPLES / "cloudtrail"), "--metric-filter", "{f}"]),
        ("--alarm", ["replay", str(SAMPLES / "cloudtrail"), "--rule", "CWL-012", "--alarm", "{f}"]),
        ("--metric-filter", ["test", "--metric-filter", "{f}", "--log-event-messages", "x"]),
        ("--cli-input-json file://", ["test", "--cli-input-json", "file://{f}"]),
    ],
)
@pytest.mark.parametrize(("kind", "data"), [("gzip", gzip.compress(b"{}")), ("empty", b"  \n")])
def test_configuration_files_compressed_or_empty(option: str, argv: list[str], kind: str, data: bytes,
                                                 capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:  # fmt: skip
    config = tmp_path / "config.json"
    config.write_bytes(data)
    code, _, err = _run(capsys, *(a.replace("{f}", str(config)) for a in argv))
    what = "a gzip-compressed file; decompress it first" if kind == "gzip" else "the file is empty"
    assert code == 2 and f"{option} {config}: {what}" in err and "codec" not in err


@pytest.mark.parametrize(
    ("request_json", "message"),
    [
        ('{"filterPattern": 5}', "--cli-input-json: filterPattern: expected a string, got a number (5)"),
        ('{"logEventMessages": "x"}', 'logEventMessages: expected a list of strings, got a string ("x")'),
        ('{"logEventMessages": ["a", null]}', "logEventMessages[1]: expected a string, got null"),
    ],
)
def test_cli_input_json_names_the_field_and_type(request_json: str, message: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    code, _, err = _run(capsys, "test", "--cli-input-json", request_json)
    assert code == 2 and message in err


@pytest.mark.parametrize("damaged_line", [0, 1, 2])
def test_a_damaged_line_of_json_lines_is_charged_to_its_record(
    damaged_line: int, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines = [json.dumps({**CWL012_RECORD, "eventTime": f"2024-03-04T08:0{i}:00Z"}) for i in range(2)]
    lines.insert(damaged_line, '{"eventTime": oops')
    log = tmp_path / "events.jsonl"
    log.write_text("\n".join(lines) + "\n")
    code, out, _ = _run(capsys, "replay", str(log), "--rule", "CWL-012", "--no-alarm", "--no-progress")
    assert code == 0 and "3 read: 2 matched, 0 not matched, 1 rejected" in out
    assert f"events.jsonl #{damaged_line}" in out


@pytest.mark.parametrize("layout", ["pretty", "a record a line"])
def test_a_truncated_document_stays_one_document(layout: str, capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:  # fmt: skip
    """Lines that are not objects alone (or only the last record's) are no JSON lines."""
    doc = tmp_path / "trail.json"
    if layout == "pretty":
        doc.write_text(json.dumps({"Records": [CWL012_RECORD] * 2}, indent=2)[:-40])
    else:
        doc.write_text('{"Records": [\n' + json.dumps(CWL012_RECORD) + ",\n" + json.dumps(CWL012_RECORD) + "\n]")
    code, out, err = _run(capsys, "replay", str(doc), "--rule", "CWL-012", "--no-alarm", "--no-progress")
    assert code == 2 and "1 seen: 0 read, 1 failed" in out and "trail.json: invalid JSON: unexpected end" in err


def test_the_top_level_help_lists_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--help")
    codes = out[out.index("exit status:") :]
    assert code == 0 and all(re.search(rf"^\s+{n} ", codes, re.M) for n in (0, 1, 2, 3, 130))
