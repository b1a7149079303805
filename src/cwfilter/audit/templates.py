"""Which IaC reader a file needs: Terraform (``.tf``, ``.tf.json``, ``terraform show -json``)
or CloudFormation (JSON or YAML)."""

from __future__ import annotations

import json
from pathlib import Path

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
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise IacError(f"{p}: not valid JSON: {exc}") from None
        if isinstance(doc, dict) and "Resources" not in doc and {"resource", "values", "planned_values"} & set(doc):
            return read_terraform(p, region, account)
    return read_cloudformation(p, region, account)
