"""Fix what the audit found: the rule's SNS topic, e-mail subscription, metric filter and alarm,
printed as AWS CLI commands, CloudFormation or Terraform, or applied with boto3."""

from .applier import Applied, apply
from .planner import Plan, Reference, RemediationError, Step, plan
from .render import as_cli, as_cloudformation, as_terraform

__all__ = [
    "Applied",
    "Plan",
    "Reference",
    "RemediationError",
    "Step",
    "apply",
    "as_cli",
    "as_cloudformation",
    "as_terraform",
    "plan",
]
