"""What a CloudTrail record can hold: the field names CloudTrail writes, which of them it
always writes, and how one atom evaluates on a record that holds one known value.

Field names follow the CloudTrail record contents reference (userguide
``cloudtrail-event-reference-record-contents``). Below the free-form members
(``requestParameters``, ``responseElements``, ``additionalEventData``,
``serviceEventDetails``, ``userIdentity.sessionContext``, ...) any key may occur.
"""

from __future__ import annotations

from typing import Any

from ..pattern import ast
from ..pattern import compile as compile_pattern
from ..pattern.canonical import render
from .normal_form import Atom, field_path

# Top-level record fields → None (scalar or closed object described below) or "free" (any keys below).
TOP_LEVEL: dict[str, str | None] = {
    "eventVersion": None, "userIdentity": None, "eventTime": None, "eventSource": None, "eventName": None,
    "awsRegion": None, "sourceIPAddress": None, "userAgent": None, "errorCode": None, "errorMessage": None,
    "requestParameters": "free", "responseElements": "free", "additionalEventData": "free", "requestID": None,
    "eventID": None, "readOnly": None, "resources": "free", "eventType": None, "apiVersion": None,
    "managementEvent": None, "recipientAccountId": None, "serviceEventDetails": "free", "sharedEventID": None,
    "vpcEndpointId": None, "vpcEndpointAccountId": None, "eventCategory": None, "addendum": "free",
    "sessionCredentialFromConsole": None, "edgeDeviceDetails": "free", "tlsDetails": "free",
    "insightDetails": "free", "errorDetails": None,
}  # fmt: skip
USER_IDENTITY: frozenset[str] = frozenset({
    "type", "principalId", "arn", "accountId", "accessKeyId", "userName", "sessionContext", "invokedBy",
    "identityProvider", "credentialId", "onBehalfOf", "inScopeOf", "identityStoreArn", "userId",
})  # fmt: skip
# Scalar fields CloudTrail writes in every record (management and data events alike).
ALWAYS_WRITTEN: frozenset[str] = frozenset(
    {"eventVersion", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "eventID", "eventType"}
)
# Fields CloudTrail writes only in some records: a ``!=`` on them excludes the records without them.
SOMETIMES_WRITTEN: frozenset[str] = frozenset(
    {"errorCode", "errorMessage", "userAgent", "readOnly", "requestID", "managementEvent", "recipientAccountId",
     "apiVersion", "sharedEventID", "vpcEndpointId", "eventCategory", "sessionCredentialFromConsole",
     "userIdentity.invokedBy", "userIdentity.userName", "userIdentity.accessKeyId", "userIdentity.arn",
     "userIdentity.accountId", "userIdentity.principalId"}
)  # fmt: skip


def in_schema(path: tuple[str, ...]) -> bool:
    """Whether CloudTrail can write a field at this path (case-sensitive, as selectors are)."""
    kind = TOP_LEVEL.get(path[0], "missing")
    if kind == "missing":
        return False
    if kind == "free" or len(path) == 1:
        return True
    if path[0] == "userIdentity":
        return path[1] in USER_IDENTITY
    return False  # a scalar field has no members


def requires_field(atom: Atom) -> bool:
    """Whether the atom can only hold when its field exists (every comparison and check but ``NOT EXISTS``)."""
    return not (isinstance(atom, ast.Check) and atom.kind == "NOT EXISTS")


def schema_verdict(atom: Atom) -> bool | None:
    """An atom decided by the record schema alone: False for a field CloudTrail never writes
    (True for ``NOT EXISTS``), True/False for ``= *`` / ``NOT EXISTS`` on a field it always
    writes; None when the schema does not decide it."""
    path = field_path(atom.selector)
    if path is None:
        return None
    if not in_schema(path):
        return not requires_field(atom)
    if len(path) == 1 and path[0] in ALWAYS_WRITTEN:
        if isinstance(atom, ast.Check) and atom.kind == "NOT EXISTS":
            return False
        if isinstance(atom, ast.Comparison) and atom.op == "=" and _wildcard_only(atom.value):
            return True
    return None


def _wildcard_only(value: ast.Value) -> bool:
    return isinstance(value, ast.StringValue) and value.text != "" and set(value.text) == {"*"}


def record_with(path: tuple[str, ...], value: Any, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """A copy of ``base`` (or an empty record) with ``value`` at ``path``."""
    record: dict[str, Any] = _copy(base or {})
    node = record
    for name in path[:-1]:
        child = node.get(name)
        if not isinstance(child, dict):
            child = node[name] = {}
        node = child
    node[path[-1]] = value
    return record


def _copy(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: _copy(v) if isinstance(v, dict) else v for k, v in doc.items()}


def atom_holds(atom: Atom, record: dict[str, Any]) -> bool:
    """The engine's own verdict on one atom for a parsed record."""
    return compile_pattern(render(ast.JsonPattern(atom))).matches_object(record)


def atom_on_value(atom: Atom, path: tuple[str, ...], value: Any) -> bool:
    """The atom's verdict on a minimal record holding ``value`` at ``path`` (its own selector's field)."""
    return atom_holds(atom, record_with(path, value))
