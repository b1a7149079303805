"""The ``audit``, ``snapshot`` and ``remediate`` commands end to end against moto_server, found
through ``AWS_ENDPOINT_URL`` as a user would point them at moto or LocalStack."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cwfilter.cli import main

from .audit_scenarios import SCENARIOS, build_in_moto, to_terraform
from .moto_aws import account_session, moto_endpoint  # noqa: F401 - fixture

TYPO = next(s for s in SCENARIOS if s.name == "typo PutBucketACL")


@pytest.fixture(scope="module")
def moto_default_account(moto_endpoint: str) -> str:  # noqa: F811
    """The typo scenario in moto's default account (the one a client without the account header uses)."""
    build_in_moto(account_session(moto_endpoint, "123456789012"), moto_endpoint, TYPO, "123456789012")
    return moto_endpoint


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, moto_default_account: str) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_default_account)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def _run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_audit_snapshot_remediate_end_to_end(aws_env: None, capsys: Any, tmp_path: Path) -> None:
    code, out, _ = _run(capsys, "audit", "--rule", "CWL-012", "--region", "us-east-1")
    assert code == 1 and "CWL-012 us-east-1 FAIL CLOUDTRAIL_METRIC_FILTER_NOT_VALID" in " ".join(out.split())
    assert "missed PutBucketAcl (s3.amazonaws.com)" in out
    code, live_json, _ = _run(capsys, "audit", "--region", "us-east-1", "--output", "json")
    code, out, _ = _run(capsys, "snapshot", str(tmp_path / "snap"), "--region", "us-east-1")
    assert code == 0 and "wrote" in out
    code, snap_json, _ = _run(capsys, "audit", "--snapshot", str(tmp_path / "snap"), "--output", "json")
    assert json.loads(snap_json) == json.loads(live_json) and len(json.loads(live_json)["findings"]) == 15
    code, plan, _ = _run(capsys, "remediate", "--rule", "CWL-012", "--region", "us-east-1")
    assert code == 1 and "aws logs put-metric-filter" in plan
    code, out, _ = _run(capsys, "remediate", "--rule", "CWL-012", "--region", "us-east-1", "--apply")
    assert code == 0 and "PutMetricFilter" in out and "PutMetricAlarm" in out and "CreateTopic" not in out
    code, out, _ = _run(capsys, "audit", "--rule", "CWL-012", "--region", "us-east-1")
    assert code == 0 and "PASS" in out
    code, out, err = _run(capsys, "remediate", "--rule", "CWL-012", "--region", "us-east-1", "--apply")
    assert code == 0 and out == "" and "nothing to do" in err


def test_sarif_for_a_template_has_file_and_line(capsys: Any, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(to_terraform(TYPO), encoding="utf-8")
    code, out, _ = _run(
        capsys, "audit", "--template", str(tmp_path / "main.tf"), "--rule", "CWL-012", "--output", "sarif"
    )
    doc = json.loads(out)
    assert code == 1 and doc["version"] == "2.1.0"
    (result,) = doc["runs"][0]["results"]
    assert result["ruleId"] == "CWL-012" and result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == (tmp_path / "main.tf").as_uri()  # outside the working folder
    line = (tmp_path / "main.tf").read_text().splitlines()[location["region"]["startLine"] - 1]
    assert line.startswith('resource "aws_cloudwatch_log_metric_filter"')


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["audit", "--rule", "CWL-999", "--template", "x.tf"], "no rule named 'CWL-999'"),
        (["audit", "--template", "/nonexistent/x.yaml"], "cannot read /nonexistent/x.yaml"),
        (["audit", "--snapshot", "/nonexistent"], "/nonexistent: not a directory"),
        (["remediate", "--apply", "--template", "x.tf"], "--apply changes a live account"),
    ],
)
def test_input_errors_exit_2(capsys: Any, argv: list[str], message: str) -> None:
    code, _, err = _run(capsys, *argv)
    assert code == 2 and message in err and "Traceback" not in err


def test_help_states_exit_codes(capsys: Any) -> None:
    with pytest.raises(SystemExit):
        main(["audit", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "0 no FAIL" in out and "1 any FAIL" in out and "2 usage or input error" in out
