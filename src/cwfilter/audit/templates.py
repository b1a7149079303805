"""Which IaC reader a file needs: Terraform (``.tf``, ``.tf.json``, ``terraform show -json``)
or CloudFormation (JSON or YAML)."""

from __future__ import annotations

from pathlib import Path

from ..config import ConfigError, config_json
from .cloudformation import read_cloudformation
from .iac import DEFAULT_ACCOUNT, DEFAULT_REGION, Declared, IacError, read_text
from .model import Account
from .terraform import read_terraform


def read_template(path: str | Path, region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT) -> Account:
    """The account model a template declares (one region of a notional account)."""
    return declared(path, region, account).account


def declared(path: str | Path, region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT) -> Declared:
    p, text = read_text(path)
    if p.suffix == ".tf" or p.name.endswith(".tf.json"):
        return read_terraform(p, region, account)
    if p.suffix == ".json":
        try:
            doc = config_json(p, text)
        except ConfigError as exc:
            raise IacError(str(exc)) from None
        if isinstance(doc, dict) and "Resources" not in doc and {"resource", "values", "planned_values"} & set(doc):
            return read_terraform(p, region, account)
    return read_cloudformation(p, region, account)
