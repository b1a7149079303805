"""Composite alarms over their children's timelines (alarms.md §12.1): the rule is evaluated at
creation and again at every child transition, and the composite changes state at the child's
StateChangeTime, to the millisecond; actions run unless the ActionsSuppressor holds them.

``evaluate_composites(composites, timelines)`` takes the timelines of the metric (and math)
alarms, evaluates the composites in dependency order (a composite may name another) and returns
their timelines, the same ``AlarmTimeline`` shape the metric alarm evaluator gives."""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .composite import CompositeAlarm
from .evaluator import AlarmTimeline, Transition
from .model import AlarmValidationError
from .notify import action_history_item, composite_notification, state_update_history_item
from .rule import evaluate_rule
from .text import child_transition_reason, creation_reason, triggering_alarms

_TYPE = "CompositeAlarm"


@dataclass
class CompositeTimeline(AlarmTimeline):
    """What a composite alarm did: ``AlarmTimeline``'s shape, its ``alarm`` a ``CompositeAlarm``."""

    alarm: CompositeAlarm  # type: ignore[assignment]


def evaluate_composites(
    composites: Sequence[CompositeAlarm],
    timelines: Mapping[str, AlarmTimeline],
    *,
    created_at: int | None = None,
    end: int | None = None,
) -> dict[str, CompositeTimeline]:
    """The timeline of each composite alarm, by name, over ``timelines`` (by alarm name) of the
    alarms they name. A composite is created at ``created_at`` (default: when its last child was)
    and evaluated until ``end`` (default: the children's end). Raises ``AlarmValidationError``
    with AWS's message where PutCompositeAlarm would refuse a composite (a child that does not
    exist), or where the composites name each other in a cycle."""
    known: dict[str, AlarmTimeline] = dict(timelines)
    pending = {c.name: c for c in composites}
    for c in composites:
        missing = [r for r in [*c.children, *([c.actions_suppressor] if c.actions_suppressor else [])]
                   if _find(r, known) is None and _find_composite(r, pending) is None]  # fmt: skip
        if missing:
            raise AlarmValidationError(
                f"Could not save the composite alarm as alarms [{', '.join(missing)}] in the alarm rule do not exist"
            )
    out: dict[str, CompositeTimeline] = {}
    while pending:
        ready = [c for c in pending.values() if all(_find(r, known) is not None for r in _needs(c))]
        if not ready:
            cycle = ", ".join(sorted(pending))
            raise AlarmValidationError(f"The alarm rules of composite alarms [{cycle}] depend on each other in a cycle")
        for c in ready:
            children = {r: _find(r, known) for r in c.children}
            start = created_at if created_at is not None else max((t.created_at for t in children.values() if t),
                                                                  default=0)  # fmt: skip
            stop = end if end is not None else max((t.end for t in children.values() if t), default=start)
            suppressor = _find(c.actions_suppressor, known) if c.actions_suppressor else None
            timeline = _evaluate(c, children, suppressor, start, stop)  # type: ignore[arg-type]
            out[c.name] = known[c.name] = timeline
            del pending[c.name]
    return out


def _needs(c: CompositeAlarm) -> list[str]:
    return [*c.children, *([c.actions_suppressor] if c.actions_suppressor else [])]


def _find(ref: str, known: Mapping[str, AlarmTimeline]) -> AlarmTimeline | None:
    """The timeline a rule's reference (an alarm name or ARN) names."""
    if ref in known:
        return known[ref]
    if ref.startswith("arn:"):
        return next((t for t in known.values() if t.alarm.arn == ref), None)
    return None


def _find_composite(ref: str, pending: Mapping[str, CompositeAlarm]) -> CompositeAlarm | None:
    if ref in pending:
        return pending[ref]
    return next((c for c in pending.values() if c.arn == ref), None)


def state_at(timeline: AlarmTimeline, when: int) -> tuple[str, int]:
    """An alarm's state at ``when`` and the time it entered it (its creation for its first state)."""
    stamps = [t.timestamp for t in timeline.transitions]
    i = bisect.bisect_right(stamps, when)
    if i == 0:
        return timeline.initial_state, timeline.created_at
    t = timeline.transitions[i - 1]
    return t.new_state, t.timestamp


def _evaluate(
    c: CompositeAlarm, children: Mapping[str, AlarmTimeline], suppressor: AlarmTimeline | None, start: int, end: int
) -> CompositeTimeline:
    timeline = CompositeTimeline(c, start, end, "INSUFFICIENT_DATA")
    current = {ref: state_at(t, start) for ref, t in children.items()}

    def rule_state() -> str:
        return "ALARM" if evaluate_rule(c.rule, lambda ref: current[ref][0]) else "OK"

    state = rule_state()
    everyone = [(children[ref].alarm.arn, s, ms) for ref, (s, ms) in current.items()]
    transitions = [Transition(start, "INSUFFICIENT_DATA", state, creation_reason(c.arn, state),
                              triggering_alarms(everyone), [])]  # fmt: skip
    events = sorted(
        (t.timestamp, i, j, ref, t.new_state)
        for i, (ref, child) in enumerate(children.items())
        for j, t in enumerate(child.transitions)
        if start < t.timestamp <= end
    )
    stamps = [e[0] for e in events]
    for k, (ms, _, _, ref, new) in enumerate(events):
        current[ref] = (new, ms)
        if k + 1 < len(events) and events[k + 1][0] == ms:
            continue  # children that changed at the same instant are applied together [INF]
        value = rule_state()
        if value != state:
            first = events[bisect.bisect_left(stamps, ms)]  # the first of them, in rule order, is named
            trigger, arn = first[3], children[first[3]].alarm.arn
            reason = child_transition_reason(arn, current[trigger][0], ms)
            transitions.append(
                Transition(ms, state, value, reason, triggering_alarms([(arn, current[trigger][0], ms)]), [])
            )
            state = value
    for k, tr in enumerate(transitions):
        following = transitions[k + 1].timestamp if k + 1 < len(transitions) else None
        _act(c, timeline, tr, transitions[k - 1] if k else None, suppressor, following)
    return timeline


def _act(
    c: CompositeAlarm,
    timeline: CompositeTimeline,
    tr: Transition,
    previous: Transition | None,
    suppressor: AlarmTimeline | None,
    following: int | None,
) -> None:
    """Record ``tr`` and run its actions: at once, later when the suppressor held them and the
    composite is still in the state they were for, or never."""
    configured = list(c.actions_for(tr.new_state)) if c.actions_enabled else []
    release: int | None = tr.timestamp
    if suppressor is not None:
        by, release = suppression(suppressor, tr.timestamp, tr.new_state, c.actions_suppressor_wait_period or 0,
                                  c.actions_suppressor_extension_period or 0)  # fmt: skip
        if by is not None:
            tr.suppressed_by, tr.suppressed_reason = by, f"Actions suppressed by {by}"
            tr.actions_at = release
    runs = release is not None and release <= timeline.end and (following is None or release < following)
    tr.actions = configured if runs else []
    if not runs:
        tr.actions_at = None
    timeline.transitions.append(tr)
    timeline.history.append(state_update_history_item(c, tr, previous, _TYPE))
    for arn in tr.actions:
        note = composite_notification(c, tr, arn) if arn.startswith("arn:aws:sns:") else None
        if note is not None:
            timeline.notifications.append(note)
        timeline.history.append(action_history_item(c, tr, arn, note, _TYPE))


def suppression(
    sup: AlarmTimeline, at: int, state: str, wait_s: int, extension_s: int
) -> tuple[str | None, int | None]:
    """Why the actions of a transition to ``state`` at ``at`` are held by the suppressor alarm
    ``sup`` (``Alarm``, ``ExtensionPeriod``, ``WaitPeriod``; None: not held) and when they are
    released (None: not within the suppressor's timeline) [DOC: API CompositeAlarm,
    ActionsSuppressedBy]. The wait period applies to transitions into ALARM [INF]."""
    changes = [(sup.created_at, sup.initial_state)] + [(t.timestamp, t.new_state) for t in sup.transitions]
    wait, extension = wait_s * 1000, extension_s * 1000
    now, _ = state_at(sup, at)
    if now == "ALARM":
        return "Alarm", _released_after_alarm(changes, at, extension)
    exits = [
        ms for (ms, s), (_, before) in zip(changes[1:], changes) if before == "ALARM" and s != "ALARM" and ms <= at
    ]
    if exits and at < exits[-1] + extension:
        return "ExtensionPeriod", _released_after_exit(changes, exits[-1], extension)
    if state == "ALARM" and wait > 0:
        entered = next((ms for ms, s in changes if at < ms < at + wait and s == "ALARM"), None)
        return "WaitPeriod", at + wait if entered is None else _released_after_alarm(changes, entered, extension)
    return None, at


def _released_after_alarm(changes: list[tuple[int, str]], at: int, extension: int) -> int | None:
    """The suppressor is in ALARM at ``at``: the end of the extension after it leaves ALARM."""
    exit_ms = next((ms for ms, s in changes if ms > at and s != "ALARM"), None)
    return None if exit_ms is None else _released_after_exit(changes, exit_ms, extension)


def _released_after_exit(changes: list[tuple[int, str]], exit_ms: int, extension: int) -> int | None:
    """The suppressor left ALARM at ``exit_ms``: released when the extension ends, unless it
    re-enters ALARM first (then the same from its next exit)."""
    while True:
        back = next((ms for ms, s in changes if exit_ms < ms < exit_ms + extension and s == "ALARM"), None)
        if back is None:
            return exit_ms + extension
        nxt = next((ms for ms, s in changes if ms > back and s != "ALARM"), None)
        if nxt is None:
            return None
        exit_ms = nxt
