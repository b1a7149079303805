"""The fast decoder's side of a replay: files ``plan.py`` decodes are matched in bulk, and
what they hold is handed to the one accounting (``counting.Counter``) as the plain readers'
items are: the same time rule, the same per-record count. One shortcut, where it changes
nothing: without a default value or de-duplication, the records that do not match are
counted at once through the two ends of their time span (all ``record`` would do with them).

Where the decoder cannot be exact it declines (``False``, nothing counted) and the caller
takes the plain path: a record without ``eventTime`` (the plain path may unwrap it), or with
one outside the times replay counts (the plain path rejects that record with the reason)."""

from __future__ import annotations

from typing import Any

from ..times import epoch_ms, in_range
from .counting import Counter
from .plan import MISSING, RecordPlan


def count_decoded(records: list[Any], files: int, delivered_ms: int | None, counter: Counter, plan: RecordPlan) -> bool:
    """Count the records of ``files`` decoded files (all delivered at ``delivered_ms``, if known);
    False (nothing counted) when the plain path must read them."""
    if not records:
        counter.files(files)
        return True
    keep_all = counter.by_event_id is not None or counter.mf.default_value is not None
    by_delivery = counter.by_delivery and delivered_ms is not None
    found = None if keep_all or by_delivery else _matches_and_span(records, plan)
    if found is None or not counter.within(found[1], found[2]):  # each record on its own
        if _span(records) is None:
            return False
        counter.files(files)
        counter.read(len(records))
        stamp = counter.delivery_stamp(delivered_ms, len(records))
        match = plan.match
        for r in records:
            _count_one(counter, plan, stamp if stamp is not None else epoch_ms(r.event_time), r, match(r))
        return True
    hits, first, last = found
    counter.files(files)
    counter.read(len(records))
    counter.delivery_stamp(delivered_ms, len(records))  # each takes its event time (a fallback if asked)
    for r in hits:
        _count_one(counter, plan, epoch_ms(r.event_time), r, True)
    if len(hits) < len(records):
        counter.unmatched(len(records) - len(hits), first, last)
    return True


def _count_one(counter: Counter, plan: RecordPlan, ms: int, record: Any, matched: bool) -> None:
    obs = plan.observe(record) if matched else counter.no_match  # type: ignore[misc]  # a filter's plan
    counter.record(ms, obs, record.event_id if counter.by_event_id is not None else None)


def _span(records: list[Any]) -> tuple[int, int] | None:
    """The first and last epoch ms of the records (the times compared as datetimes in C,
    converted only for the two ends); ``None`` when a record has no ``eventTime`` or one
    outside the times replay counts."""
    times = [r.event_time for r in records]  # one pass: a quarter less than two passes of an attrgetter
    try:
        first, last = min(times), max(times)
    except TypeError:  # ``MISSING`` beside a datetime
        return None
    if first is MISSING:  # the only record
        return None
    first_ms, last_ms = epoch_ms(first), epoch_ms(last)
    return (first_ms, last_ms) if in_range(first_ms) and in_range(last_ms) else None


def _matches_and_span(records: list[Any], plan: RecordPlan) -> tuple[list[Any], int, int] | None:
    """The matching records, and the first and last epoch ms of all of them; ``None`` as
    ``_span`` says."""
    span = _span(records)
    if span is None:
        return None
    return plan.select(records), span[0], span[1]
