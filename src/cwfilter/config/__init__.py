"""The one reader of every input form, and the one model they produce: metric filters and
alarms from API requests, AWS CLI ``describe-*`` outputs, CloudFormation templates and
Terraform (``.tf``, ``.tf.json``, ``terraform show -json``); whole accounts from templates and
snapshot folders (``model.Account``: trails, log groups, filters, alarms, topics,
subscriptions); one ``ConfigError``."""

from typing import TYPE_CHECKING, Any

from ..lazy import exports, load_name
from .errors import ConfigError, IacError, SnapshotError

# Each name is imported from its module on first use (PEP 562, ``lazy.exports`` reads the block
# below): ``from ..config import ConfigError`` does not load YAML, CloudFormation and Terraform
# support (a replay's start-up).
if TYPE_CHECKING:
    from .alarms import alarms_from_cloudformation, alarms_from_describe, load_alarms
    from .cloudformation import TemplateResolver, dump_template, load_template, resources_of_type
    from .cloudformation_resources import from_cloudformation
    from .declared import read_template
    from .files import config_json, load_metric_filters, read_config_text
    from .requests import from_describe_metric_filters, from_put_metric_filter
    from .snapshot import read_snapshot, write_snapshot
    from .terraform import TerraformResource, load_terraform
    from .terraform_resources import from_terraform


def __getattr__(name: str) -> Any:
    return load_name(__name__, exports(__name__), globals(), name)


__all__ = [
    "ConfigError",
    "IacError",
    "SnapshotError",
    "TemplateResolver",
    "TerraformResource",
    "alarms_from_cloudformation",
    "alarms_from_describe",
    "config_json",
    "dump_template",
    "from_cloudformation",
    "from_describe_metric_filters",
    "from_put_metric_filter",
    "from_terraform",
    "load_alarms",
    "load_metric_filters",
    "load_template",
    "load_terraform",
    "read_config_text",
    "read_snapshot",
    "read_template",
    "resources_of_type",
    "write_snapshot",
]
