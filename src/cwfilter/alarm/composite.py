"""A CloudWatch composite alarm (PutCompositeAlarm), validated as AWS validates it (alarms.md §12.1)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import AlarmActions, AlarmValidationError, constraint_error, validate_identity
from .rule import Node, children, parse_rule


@dataclass
class CompositeAlarm(AlarmActions):
    """A composite alarm: its state is ``alarm_rule`` over its children's states. With
    ``actions_suppressor`` (an alarm name or ARN) its actions are held while the suppressor is
    in ALARM, for ``actions_suppressor_wait_period`` seconds after entering ALARM while waiting
    for the suppressor, and ``actions_suppressor_extension_period`` seconds after the
    suppressor leaves ALARM. ``rule`` is the parsed AlarmRule (``alarm.rule`` nodes)."""

    name: str
    alarm_rule: str
    description: str | None = None
    actions_enabled: bool = True
    alarm_actions: list[str] = field(default_factory=list)
    ok_actions: list[str] = field(default_factory=list)
    insufficient_data_actions: list[str] = field(default_factory=list)
    actions_suppressor: str | None = None
    actions_suppressor_wait_period: int | None = None
    actions_suppressor_extension_period: int | None = None
    region: str | None = None
    account_id: str | None = None
    rule: Node = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        validate_identity(self.name, self.description, self.action_lists())
        self.rule = parse_rule(self.alarm_rule)
        self._validate_suppressor()
        self.place_from_actions()

    def _validate_suppressor(self) -> None:
        periods = (self.actions_suppressor_wait_period, self.actions_suppressor_extension_period)
        if self.actions_suppressor is None:
            if any(p is not None for p in periods):
                raise AlarmValidationError(
                    "ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod are only valid with ActionsSuppressor"
                )
            return
        if not 1 <= len(self.actions_suppressor) <= 1600:
            raise constraint_error(
                self.actions_suppressor, "actionsSuppressor", "Member must have length between 1 and 1600"
            )
        if any(p is None for p in periods):
            raise AlarmValidationError(
                "ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod are required when ActionsSuppressor is set"
            )
        for label, value in zip(("actionsSuppressorWaitPeriod", "actionsSuppressorExtensionPeriod"), periods):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise constraint_error(value, label, "Member must have value greater than or equal to 0")

    @property
    def children(self) -> list[str]:
        """The alarms the rule names (names or ARNs, as written), in first-mention order."""
        return children(self.rule)

    @classmethod
    def from_put_composite_alarm(cls, request: Mapping[str, Any] | str, **overrides: Any) -> CompositeAlarm:
        """A PutCompositeAlarm request (``aws cloudwatch put-composite-alarm --cli-input-json``),
        or a ``CompositeAlarms`` entry of ``describe-alarms`` (its state fields are ignored)."""
        r: Mapping[str, Any] = json.loads(request) if isinstance(request, str) else request
        if not isinstance(r, Mapping):
            raise AlarmValidationError("a PutCompositeAlarm request is a JSON object")
        if not isinstance(r.get("AlarmRule"), str):
            raise AlarmValidationError("AlarmRule is required (a string)")
        kwargs: dict[str, Any] = dict(
            name=r.get("AlarmName", ""),
            alarm_rule=r["AlarmRule"],
            description=r.get("AlarmDescription"),
            actions_enabled=_boolean(r.get("ActionsEnabled", True)),
            alarm_actions=list(r.get("AlarmActions") or []),
            ok_actions=list(r.get("OKActions") or []),
            insufficient_data_actions=list(r.get("InsufficientDataActions") or []),
            actions_suppressor=r.get("ActionsSuppressor"),
            actions_suppressor_wait_period=_seconds(r.get("ActionsSuppressorWaitPeriod")),
            actions_suppressor_extension_period=_seconds(r.get("ActionsSuppressorExtensionPeriod")),
        )
        kwargs.update(overrides)
        return cls(**kwargs)

    def as_put_composite_alarm(self) -> dict[str, Any]:
        """The alarm as a PutCompositeAlarm request (what ``from_put_composite_alarm`` reads back)."""
        out: dict[str, Any] = {"AlarmName": self.name, "AlarmRule": self.alarm_rule}
        if self.description is not None:
            out["AlarmDescription"] = self.description
        out.update(ActionsEnabled=self.actions_enabled, OKActions=self.ok_actions, AlarmActions=self.alarm_actions,
                   InsufficientDataActions=self.insufficient_data_actions)  # fmt: skip
        if self.actions_suppressor is not None:
            out.update(ActionsSuppressor=self.actions_suppressor,
                       ActionsSuppressorWaitPeriod=self.actions_suppressor_wait_period,
                       ActionsSuppressorExtensionPeriod=self.actions_suppressor_extension_period)  # fmt: skip
        return out

    def configuration(self) -> dict[str, Any]:
        """The request that configures the alarm (as ``AlarmTimeline.as_dict`` reports it)."""
        return self.as_put_composite_alarm()


def _boolean(value: Any) -> bool:
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if not isinstance(value, bool):
        raise AlarmValidationError(f"ActionsEnabled must be true or false, not {value!r}")
    return value


def _seconds(value: Any) -> int | None:
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise AlarmValidationError(f"a suppressor period must be a number of seconds, not {value!r}") from None
    if f != int(f):
        raise AlarmValidationError(f"a suppressor period must be a whole number of seconds, not {value!r}")
    return int(f)
