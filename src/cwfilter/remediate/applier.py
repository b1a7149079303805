"""Perform a remediation plan with boto3. Idempotent: the plan is made from a fresh read of
the account, so once the rule passes there is nothing left to do; CreateTopic returns the
existing topic of that name, and PutMetricFilter/PutMetricAlarm replace what has their name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..audit.live import method_name
from .planner import TOPIC_REF, Plan


@dataclass
class Applied:
    """One call made: what and the identifier AWS returned (topic or subscription ARN)."""

    region: str
    operation: str
    target: str


def apply(plans: list[Plan], client: Callable[[str, str], Any]) -> list[Applied]:
    """Make the plans' calls, in order; the created topic's ARN replaces the placeholder."""
    done: list[Applied] = []
    for p in plans:
        topic: str | None = None
        for step in p.steps:
            params = {k: _topic(v, topic) for k, v in step.params.items()}
            method = getattr(client(step.service, p.region), method_name(step.operation))
            result = method(**params)
            if step.operation == "CreateTopic":
                topic = result["TopicArn"]
            target = (
                result.get("TopicArn")
                or result.get("SubscriptionArn")
                or params.get("filterName")
                or params.get("AlarmName", "")
            )
            done.append(Applied(p.region, step.operation, str(target)))  # fmt: skip
    return done


def _topic(value: Any, topic: str | None) -> Any:
    if value == TOPIC_REF:
        if topic is None:
            raise ValueError("the plan refers to a topic it did not create")
        return topic
    if isinstance(value, list):
        return [_topic(v, topic) for v in value]
    return value
