"""``cwfilter remediate``'s result: the plans (JSON), and for people the plan in the form
asked for with ``--plan-format`` (AWS CLI commands, CloudFormation, Terraform)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from ..remediate import Plan
from .base import Report

PLAN_FORMATS = ("cli", "cloudformation", "terraform")


class PlanReport(Report):
    """The fix of each rule and region: steps (API calls), what is reused, notes."""

    formats: ClassVar[tuple[str, ...]] = ("table", "json", "text", "csv")

    def __init__(self, plans: list[Plan], plan_format: str = "cli") -> None:
        self.plans, self.plan_format = plans, plan_format

    def data(self) -> dict[str, Any]:
        return {"plans": [_plan(p) for p in self.plans]}

    def rows(self) -> list[Sequence[Any]]:
        header = ["rule", "region", "status", "reason", "service", "operation", "why"]
        return [header, *([p.rule.id, p.region, p.verdict.status, p.verdict.reason, s.service, s.operation, s.why]
                          for p in self.plans for s in p.steps)]  # fmt: skip

    def table(self) -> str:
        """The plan in ``plan_format``: a shell script, a CloudFormation or Terraform template."""
        from ..remediate import as_cli, as_cloudformation, as_terraform

        render = {"cli": as_cli, "cloudformation": as_cloudformation, "terraform": as_terraform}[self.plan_format]
        fixing = [p for p in self.plans if p.steps]
        return render(fixing) if fixing else ""


def _plan(p: Plan) -> dict[str, Any]:
    return {
        "rule": p.rule.id, "region": p.region, "logGroup": p.log_group,
        "verdict": {"status": p.verdict.status, "reason": p.verdict.reason, "message": p.verdict.message},
        "steps": [{"service": s.service, "operation": s.operation, "parameters": s.params, "why": s.why}
                  for s in p.steps],
        "reused": dict(p.reused), "notes": list(p.notes),
    }  # fmt: skip
