"""``--state FILE``: what a watch needs to go on after a restart, written atomically (a
temporary file, flushed to disk, renamed over the old one): the alarm's state and last
transition, the minutes of data its window still needs, the next minute to evaluate, where
each input was read to, and the notifications decided but not yet all delivered.

A restart from this file neither re-alarms (the state and the window go on) nor loses a
minute (every minute from the saved next one is evaluated, late ones at once). Notifications
are written here before they are delivered and cleared after: a process killed between the
two delivers them again on restart (at least once; never lost)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from typing import Any

import orjson

from ..alarm import Notification, Transition
from ..errors import CwfilterError
from ..metric import MetricKey, StatisticSet
from .engine import Watch

VERSION = 1


class StateError(CwfilterError, ValueError):
    """A state file that cannot be used: unreadable, damaged, or for another filter or alarm."""

    code = "E_STATE"


def identity(watch: Watch, delay_ms: int) -> dict[str, Any]:
    """What the saved data means: the filter, the alarm, the look-back and the delay."""
    return {
        "metricFilter": watch.mf.as_put_metric_filter(),
        "alarm": watch.alarm.as_put_metric_alarm() if watch.alarm is not None else None,
        "evaluationRange": watch.evaluation_range,
        "evaluationDelayMs": delay_ms,
    }


def snapshot(watch: Watch, positions: dict[str, Any], pending: list[Notification]) -> dict[str, Any]:
    """The state file's content."""
    acc = watch.acc
    last = (
        watch.evaluator.timeline.transitions[-1] if watch.evaluator and watch.evaluator.timeline.transitions else None
    )
    return {
        "version": VERSION,
        "identity": identity(watch, watch.delay),
        "createdAt": watch.created_at,
        "nextEvaluation": watch.next_t,
        "lastEvaluated": watch.last_evaluated,
        "clock": watch.clock,
        "state": watch.state,
        "lastTransition": _transition(last) if last else None,
        "window": {
            "series": [
                [_key(k), [[m, *_stats(s)] for m, s in sorted(minutes.items())]]
                for k, minutes in acc.points.series.items()
            ],
            "defaultMinutes": sorted(acc.default_minutes),
            "matchedMinutes": sorted(acc.matched_minutes),
            "first": acc.first_ms,
            "last": acc.last_ms,
        },
        "counts": {k: v for k, v in watch.counts.as_dict().items() if k != "problems"},
        "positions": positions,
        "pending": [n.as_dict() | {"timestamp": n.timestamp} for n in pending],
    }


def save(path: str, doc: dict[str, Any]) -> None:
    """Write ``doc`` to ``path`` atomically."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".cwfilter-state-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(orjson.dumps(doc))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def load(path: str) -> dict[str, Any] | None:
    """The saved state, ``None`` when there is no file yet; ``StateError`` when it is unusable."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StateError(f"cannot read the state file {path}: {exc.strerror}") from None
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise StateError(f"the state file {path} is not valid JSON ({exc}); remove it to start afresh") from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        raise StateError(f"the state file {path} is not a cwfilter watch state (version {VERSION})")
    return doc


def restore(watch: Watch, doc: dict[str, Any], path: str) -> list[Notification]:
    """Put the saved state into a new ``watch``; the notifications still to deliver."""
    if doc["identity"] != identity(watch, watch.delay):
        raise StateError(f"the state file {path} was written for another filter, alarm, --evaluation-range or "
                         "--evaluation-delay; use another file, or remove it to start afresh")  # fmt: skip
    try:
        acc = watch.acc
        for key, minutes in doc["window"]["series"]:
            acc.points.series[_unkey(key)] = {m: StatisticSet(c, lo, hi, {float(v): n for v, n in vals})
                                              for m, c, lo, hi, vals in minutes}  # fmt: skip
        acc.default_minutes = set(doc["window"]["defaultMinutes"])
        acc.matched_minutes = set(doc["window"]["matchedMinutes"])
        acc.first_ms, acc.last_ms = doc["window"]["first"], doc["window"]["last"]
        if doc["createdAt"] is not None:
            last = doc["lastTransition"]
            watch.create(doc["createdAt"], doc["state"] or "INSUFFICIENT_DATA", _untransition(last) if last else None)
            watch.next_t = doc["nextEvaluation"]
            watch.due = watch.next_t + watch.delay
        watch.last_evaluated, watch.clock = doc["lastEvaluated"], doc["clock"]
        for name, value in doc["counts"].items():
            setattr(watch.counts, name, value)
        return [Notification(n["topicArn"], n["subject"], n["message"], n["timestamp"]) for n in doc["pending"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise StateError(f"the state file {path} is damaged ({exc!r}); remove it to start afresh") from None


def _key(key: MetricKey) -> list[Any]:
    return [key.namespace, key.name, [list(d) for d in key.dimensions], key.unit]


def _unkey(data: list[Any]) -> MetricKey:
    return MetricKey(data[0], data[1], tuple((k, v) for k, v in data[2]), data[3])


def _stats(s: StatisticSet) -> list[Any]:
    return [s.sample_count, s.minimum, s.maximum, [[v, n] for v, n in s.values.items()]]


def _transition(tr: Transition) -> dict[str, Any]:
    return {"timestamp": tr.timestamp, "oldState": tr.old_state, "newState": tr.new_state, "reason": tr.reason,
            "reasonData": tr.reason_data, "actions": tr.actions}  # fmt: skip


def _untransition(d: dict[str, Any]) -> Transition:
    return Transition(d["timestamp"], d["oldState"], d["newState"], d["reason"], d["reasonData"], d["actions"])


__all__ = ["StateError", "load", "restore", "save", "snapshot"]
