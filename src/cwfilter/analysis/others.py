"""Witness records of the real events *outside* a rule, built from the CloudTrail catalogue,
for the breadth of patterns the symbolic analysis does not read (terms, regex,
space-delimited): a terms pattern such as ``?PutBucketAcl ?PutBucketPolicy`` matches any
record whose text holds those words, and real records hold them in more places than
``eventName``:

- the events of other sources with a name that holds a pattern's word (S3 on Outposts'
  ``PutBucketPolicy`` from ``s3-outposts.amazonaws.com``);
- free text: an IAM policy document that grants the action (``s3:PutBucketPolicy`` in
  ``requestParameters.policyDocument`` of ``PutRolePolicy``), and an ``AccessDenied``
  message that names it (``... is not authorized to perform: s3:PutBucketPolicy ...``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import orjson

from ..cloudtrail import Event, events, facts
from ..pattern import FilterPattern, ast

MAX_NAMED = 200  # catalogue events tried per pattern (those whose name or source holds a word)
_ACCOUNT = "123456789012"
_USER = {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": f"arn:aws:iam::{_ACCOUNT}:user/alice",
         "accountId": _ACCOUNT, "accessKeyId": "AKIAEXAMPLE", "userName": "alice"}  # fmt: skip


def words(fp: FilterPattern) -> list[str]:
    """The literal words of a pattern that a record's text may hold (terms, space-delimited
    field values, and the literal runs of a regex)."""
    tree = fp.ast
    out: list[str] = []
    if isinstance(tree, ast.TermsPattern):
        out = [t.text for t in tree.terms if t.kind != "excluded"]
    elif isinstance(tree, ast.SpacePattern):
        fields = [slot for slot in tree.slots if isinstance(slot, ast.Field) and slot.condition is not None]
        out = [v for slot in fields for v in _values(slot.condition)]
    elif isinstance(tree, ast.RegexPattern):
        out = _literal_runs(tree.regex.source)
    return [w.strip("*") for w in dict.fromkeys(out) if len(w.strip("*")) >= 3]


def _values(expr: Any) -> Iterator[str]:
    if isinstance(expr, (ast.FieldAnd, ast.FieldOr)):
        for item in expr.items:
            yield from _values(item)
    elif isinstance(expr.value, ast.StringValue):
        yield expr.value.text


def _literal_runs(regex: str) -> list[str]:
    runs, current = [], []
    for ch in regex:
        if ch.isalnum() or ch in "_-:":
            current.append(ch)
        else:
            runs.append("".join(current))
            current = []
    runs.append("".join(current))
    return [r for r in runs if r]


def record_of(e: Event, **changes: Any) -> dict[str, Any]:
    """A record of ``e`` as CloudTrail writes it (its catalogue facts, placeholder values)."""
    known = facts(e)
    record: dict[str, Any] = {
        "eventVersion": "1.09", "userIdentity": dict(_USER), "eventTime": "2024-05-01T12:00:00Z",
        "eventSource": e.source, "eventName": e.name, "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.10",
        "userAgent": "aws-cli/2.15.0", "requestParameters": dict.fromkeys(e.request_fields, "example") or None,
        "responseElements": None, "requestID": "R1", "eventID": "E1", "eventType": e.kind,
        "recipientAccountId": _ACCOUNT,
    }  # fmt: skip
    for key in ("readOnly", "managementEvent", "eventCategory"):
        if (key,) in known:
            record[key] = known[(key,)]
    return {**record, **changes}


def other_records(fp: FilterPattern, wanted: set[tuple[str, str]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Labelled records of real events outside ``wanted`` ((source, name) pairs) that hold the
    pattern's words: other events' names first, then policy documents and error messages."""
    texts = words(fp)
    lowered = [t.lower() for t in texts]
    named = (
        e for e in events()
        if (e.source, e.name) not in wanted and any(t in e.name.lower() or t in e.source for t in lowered)
    )  # fmt: skip
    for e in itertools.islice(named, MAX_NAMED):
        yield e.label, record_of(e)
    for action in _actions(texts, wanted):
        document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}
        policy = Event("iam.amazonaws.com", "PutRolePolicy", False, False, "AwsApiCall")
        params = {"roleName": "r", "policyName": "p", "policyDocument": orjson.dumps(document).decode()}
        yield (f"iam.amazonaws.com PutRolePolicy (a policy document granting {action})",
               record_of(policy, requestParameters=params))  # fmt: skip
        denied = Event("sts.amazonaws.com", "GetCallerIdentity", True, False, "AwsApiCall")
        message = f"User: arn:aws:iam::{_ACCOUNT}:user/alice is not authorized to perform: {action} on resource: *"
        yield (f"an AccessDenied error whose message names {action}",
               record_of(denied, errorCode="AccessDenied", errorMessage=message))  # fmt: skip


def _actions(texts: list[str], wanted: set[tuple[str, str]]) -> list[str]:
    """IAM actions (``s3:PutBucketAcl``) for the required events whose name holds a word."""
    out = []
    for source, name in sorted(wanted):
        if any(t.lower() in name.lower() for t in texts):
            out.append(f"{source.split('.')[0]}:{name}")
    return list(dict.fromkeys(out))
