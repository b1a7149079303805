"""Metric filters and alarms from the shapes users already have: API requests, AWS CLI
``describe-*`` outputs, CloudFormation templates and Terraform; one ``ConfigError``."""

from .alarms import alarms_from_cloudformation, alarms_from_describe, load_alarms
from .cloudformation import TemplateResolver, from_cloudformation, load_template, resources_of_type
from .errors import ConfigError
from .files import config_json, load_metric_filters, read_config_text
from .requests import from_describe_metric_filters, from_put_metric_filter
from .terraform import TerraformResource, from_terraform, load_terraform

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
