"""References to metric filters resolve offline in both IaC formats (issue 22 item 4), and an
alarm whose metric is a reference that cannot be resolved is NO_DATA UNRESOLVED_REFERENCE,
never a FAIL."""

from __future__ import annotations

from pathlib import Path

import pytest

import cwfilter
from cwfilter.audit import audit, read_template

from .shared import ROOT

TF = (ROOT / "samples" / "audit" / "cwl012.tf").read_text(encoding="utf-8")
CFN = (ROOT / "samples" / "audit" / "cwl012.yaml").read_text(encoding="utf-8")
METRIC_TF = 'metric_name = "S3BucketEventCount"'
METRIC_CFN = "      MetricName: S3BucketEventCount\n      Namespace"


def _finding(tmp_path: Path, name: str, text: str) -> tuple[str, str, str]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    (finding,) = audit(read_template(tmp_path / name), [cwfilter.find_rule("CWL-012")])
    return finding.status, finding.reason, finding.message


@pytest.mark.parametrize(
    ("old", "new"),
    [(METRIC_TF, "metric_name = aws_cloudwatch_log_metric_filter.f0.metric_transformation[0].name"),
     (METRIC_TF, 'metric_name = "${aws_cloudwatch_log_metric_filter.f0.metric_transformation[0].name}"'),
     ('namespace = "CloudTrailMetrics"\n  statistic',
      "namespace = aws_cloudwatch_log_metric_filter.f0.metric_transformation[0].namespace\n  statistic")],
)  # fmt: skip
def test_terraform_metric_transformation_references_pass(tmp_path: Path, old: str, new: str) -> None:
    assert old in TF
    status, reason, message = _finding(tmp_path, "main.tf", TF.replace(old, new))
    assert (status, reason) == ("PASS", "COMPLIANT"), message


def test_terraform_filter_id_is_its_name(tmp_path: Path) -> None:
    text = TF.replace('name = "audit-filter-0"', 'name = "S3BucketEventCount"')
    status, reason, message = _finding(
        tmp_path, "main.tf", text.replace(METRIC_TF, "metric_name = aws_cloudwatch_log_metric_filter.f0.id")
    )
    assert (status, reason) == ("PASS", "COMPLIANT"), message


@pytest.mark.parametrize(
    ("name", "text", "expression"),
    [("main.tf", TF.replace(METRIC_TF, "metric_name = aws_cloudwatch_log_metric_filter.nope.id"), "nope.id"),
     ("t.yaml", CFN.replace(METRIC_CFN, "      MetricName: !Ref Nope\n      Namespace"), "Nope")],
)  # fmt: skip
def test_an_unresolvable_alarm_metric_is_no_data(tmp_path: Path, name: str, text: str, expression: str) -> None:
    status, reason, message = _finding(tmp_path, name, text)
    assert (status, reason) == ("NO_DATA", "UNRESOLVED_REFERENCE"), message
    assert expression in message


@pytest.mark.parametrize(
    "new",
    ["      MetricName: !Join ['', [S3Bucket, EventCount]]\n      Namespace",
     "      MetricName: !Sub 'S3Bucket${Suffix}'\n      Namespace"],
)  # fmt: skip
def test_cloudformation_join_and_sub_resolve(tmp_path: Path, new: str) -> None:
    text = CFN.replace("Parameters:\n", "Parameters:\n  Suffix:\n    Type: String\n    Default: EventCount\n")
    status, reason, message = _finding(tmp_path, "t.yaml", text.replace(METRIC_CFN, new))
    assert (status, reason) == ("PASS", "COMPLIANT"), message
