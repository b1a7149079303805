"""Perform remediation plans with boto3 (``cwfilter.aws``). Idempotent: plans are made from a
fresh audit, so once a rule passes there is nothing left to do; CreateTopic returns the
existing topic of that name, and PutMetricFilter/PutMetricAlarm replace what has their name.
The topic one plan creates serves the later plans of its region."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..aws import AwsCallError, ClientFactory, call
from .planner import TOPIC_REF, Plan, RemediationError


@dataclass
class Applied:
    """One call made: what and the identifier AWS returned (topic or subscription ARN)."""

    region: str
    operation: str
    target: str


def apply(
    plans: list[Plan], client: ClientFactory, on_call: Callable[[Applied], None] | None = None, *,
    replace_existing: bool = False,
) -> list[Applied]:  # fmt: skip
    """Make the plans' calls, in order (``on_call`` hears of each as it is made); the created
    topic's ARN replaces the placeholder. Nothing is done when a plan would replace what it did
    not make (``Plan.conflicts``) unless ``replace_existing``. A failed call stops the run with
    a ``RemediationError`` that names it, the calls already made and those not made."""
    clashes = [f"{p.rule.id} {p.region}: {c}" for p in plans for c in p.conflicts]
    if clashes and not replace_existing:
        raise RemediationError("nothing applied: " + "; ".join(clashes) + " (--replace-existing to replace them)")
    done: list[Applied] = []
    topics: dict[str, str] = {}
    for p in plans:
        for step in p.steps:
            params = {k: _topic(v, topics.get(p.region)) for k, v in step.params.items()}
            try:
                result = call(client, step.service, p.region, step.operation, **params)
            except AwsCallError as exc:
                made = "; ".join(f"{d.operation} {d.target}" for d in done) or "none"
                raise RemediationError(
                    f"remediation stopped at {p.rule.id}: {exc} (calls already made: {made})"
                ) from None
            if step.operation == "CreateTopic":
                topics[p.region] = result["TopicArn"]
            target = (
                result.get("TopicArn")
                or result.get("SubscriptionArn")
                or params.get("filterName")
                or params.get("AlarmName", "")
            )
            done.append(Applied(p.region, step.operation, str(target)))
            if on_call is not None:
                on_call(done[-1])
    return done


def _topic(value: Any, topic: str | None) -> Any:
    if value == TOPIC_REF:
        if topic is None:
            raise RemediationError("the plan refers to a topic it did not create")
        return topic
    if isinstance(value, list):
        return [_topic(v, topic) for v in value]
    return str(value) if isinstance(value, str) else value
