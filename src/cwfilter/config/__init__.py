"""Metric filters and alarms from the shapes users already have: API requests, AWS CLI
``describe-*`` outputs, CloudFormation templates and Terraform; one ``ConfigError``."""

from typing import TYPE_CHECKING, Any

from ..lazy import load_name
from .errors import ConfigError

# Where each name lives, imported on first use (PEP 562): ``from ..config import ConfigError``
# does not load YAML, CloudFormation and Terraform support (a replay's start-up).
_WHERE = {
    "alarms_from_cloudformation": "alarms", "alarms_from_describe": "alarms", "load_alarms": "alarms",
    "TemplateResolver": "cloudformation", "from_cloudformation": "cloudformation", "load_template": "cloudformation",
    "resources_of_type": "cloudformation",
    "config_json": "files", "load_metric_filters": "files", "read_config_text": "files",
    "from_describe_metric_filters": "requests", "from_put_metric_filter": "requests",
    "TerraformResource": "terraform", "from_terraform": "terraform", "load_terraform": "terraform",
}  # fmt: skip

if TYPE_CHECKING:
    from .alarms import alarms_from_cloudformation, alarms_from_describe, load_alarms
    from .cloudformation import TemplateResolver, from_cloudformation, load_template, resources_of_type
    from .files import config_json, load_metric_filters, read_config_text
    from .requests import from_describe_metric_filters, from_put_metric_filter
    from .terraform import TerraformResource, from_terraform, load_terraform


def __getattr__(name: str) -> Any:
    return load_name(__name__, _WHERE, globals(), name)


__all__ = [
    "ConfigError",
    "TemplateResolver",
    "TerraformResource",
    "alarms_from_cloudformation",
    "alarms_from_describe",
    "config_json",
    "from_cloudformation",
    "from_describe_metric_filters",
    "from_put_metric_filter",
    "from_terraform",
    "load_alarms",
    "load_metric_filters",
    "load_template",
    "load_terraform",
    "read_config_text",
    "resources_of_type",
]
