"""Times at the edges: datetimes and text → epoch milliseconds, epoch milliseconds → ISO 8601.

One rule for datetimes everywhere: an aware ``datetime`` is converted exactly (integer
arithmetic, floored to the millisecond); a naive one is refused with ``ValueError``, since
cwfilter cannot know its zone. Text without an offset is a different matter: AWS writes its
times in UTC, so ``parse_time`` reads such text as UTC (it never hands a naive datetime on).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import msgspec

Timestamp = datetime | int | float

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ONE_MS = timedelta(milliseconds=1)
_LENIENT = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d:?\d\d)?", re.ASCII)


def epoch_ms(when: Timestamp) -> int:
    """Milliseconds since the epoch from an aware ``datetime`` (floored, exact) or from epoch
    milliseconds (an ``int`` or ``float``, truncated); ``ValueError`` for a naive ``datetime``."""
    if isinstance(when, datetime):
        if when.tzinfo is None:
            raise ValueError(f"timestamp {when.isoformat()} has no time zone; use UTC")
        return (when - _EPOCH) // _ONE_MS
    return int(when)


def iso_utc(ms: int) -> str:
    """``2023-07-10T11:57:00Z`` (seconds precision, UTC)."""
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: Any) -> int | None:
    """Epoch ms from an RFC 3339 / ISO 8601 time (``Z`` or offset; none is read as UTC), or the
    space-separated ``YYYY-MM-DD hh:mm:ss[.fff]`` form some tools normalise ``eventTime`` to;
    ``None`` for anything else.

    RFC 3339 is read by msgspec's parser, the one the fast replay path decodes ``eventTime``
    with (``replay/plan.py``), so both paths give every record the same time by construction;
    only what it refuses (surrounding blanks, more than 6 fractional digits in the space
    form...) goes through the lenient reading below."""
    if not isinstance(value, str) or len(value) < 19:
        return None
    try:
        when = msgspec.convert(value, datetime)
    except msgspec.ValidationError:
        return _lenient(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return (when - _EPOCH) // _ONE_MS  # ``epoch_ms`` of an aware datetime, inline: once per record


def _lenient(value: str) -> int | None:
    text = value.strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    m = _LENIENT.fullmatch(text)
    if not m:
        return None
    frac = (m.group(2) or "")[:7]  # fromisoformat takes at most microseconds
    try:
        return epoch_ms(datetime.fromisoformat(m.group(1) + frac + (m.group(3) or "+00:00")))
    except ValueError:
        return None
