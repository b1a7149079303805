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
# The times a record may carry: those ``datetime`` can write in UTC, a year inside each end so
# that a period or an alarm's evaluation range around them can be written too.
MIN_MS = (datetime(2, 1, 1, tzinfo=timezone.utc) - _EPOCH) // _ONE_MS
MAX_MS = (datetime(9999, 1, 1, tzinfo=timezone.utc) - _EPOCH) // _ONE_MS
_LENIENT = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d:?\d\d)?", re.ASCII)


def epoch_ms(when: Timestamp) -> int:
    """Milliseconds since the epoch from an aware ``datetime`` (floored, exact) or from epoch
    milliseconds (an ``int`` or ``float``, truncated); ``ValueError`` for a naive ``datetime``."""
    if isinstance(when, datetime):
        if when.tzinfo is None:
            raise ValueError(f"timestamp {when.isoformat()} has no time zone; use UTC")
        return (when - _EPOCH) // _ONE_MS
    return int(when)


def in_range(ms: int) -> bool:
    """Whether epoch ms ``ms`` is a time replay counts (years 2 to 9998, ``MIN_MS``/``MAX_MS``)."""
    return MIN_MS <= ms < MAX_MS


def iso_utc(ms: int) -> str:
    """``2023-07-10T11:57:00Z`` (seconds precision, floored, UTC), for any epoch ms: a record's
    time may lie past year 9999 (``datetime``'s limit), and its report must still be written."""
    days, second = divmod(ms // 1000, 86_400)
    year, month, day = _civil_from_days(days)
    hour, rest = divmod(second, 3600)
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{rest // 60:02d}:{rest % 60:02d}Z"


def _civil_from_days(days: int) -> tuple[int, int, int]:
    """The proleptic Gregorian (year, month, day) ``days`` after 1970-01-01 (H. Hinnant's
    ``civil_from_days``, with Python's floor division)."""
    era, day_of_era = divmod(days + 719_468, 146_097)
    year_of_era = (day_of_era - day_of_era // 1460 + day_of_era // 36_524 - day_of_era // 146_096) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153  # March = 0
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = shifted_month + 3 if shifted_month < 10 else shifted_month - 9
    return year_of_era + era * 400 + (month <= 2), month, day


def parse_time(value: Any) -> int | None:
    """Epoch ms from an RFC 3339 / ISO 8601 time (``Z`` or offset; none is read as UTC), or the
    space-separated ``YYYY-MM-DD hh:mm:ss[.fff]`` form some tools normalise ``eventTime`` to;
    ``None`` for anything else.

    RFC 3339 is read by msgspec's parser, the one the fast replay path decodes ``eventTime``
    with (``replayer/plan.py``), so both paths give every record the same time by construction;
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
