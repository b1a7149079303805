"""One time module: one rule for datetimes (aware: exact; naive: refused), text read as UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cwfilter.times import epoch_ms, iso_utc, parse_time


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(timezone.utc)))
def test_an_aware_datetime_is_exact_and_floored(when: datetime) -> None:
    ms = epoch_ms(when)
    back = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=ms)
    assert back <= when < back + timedelta(milliseconds=1)


def test_a_naive_datetime_is_refused_everywhere() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        epoch_ms(datetime(2024, 1, 1))


def test_numbers_are_epoch_ms_and_text_without_offset_is_utc() -> None:
    assert epoch_ms(1704067200123) == 1704067200123 and epoch_ms(1704067200123.9) == 1704067200123
    assert parse_time("2024-01-01T00:00:00") == parse_time("2024-01-01T00:00:00Z") == 1704067200000
    assert iso_utc(1704067200999) == "2024-01-01T00:00:00Z"


@given(
    st.datetimes(
        min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59), timezones=st.just(timezone.utc)
    )
)
def test_iso_utc_is_the_datetime_text_to_the_second(when: datetime) -> None:
    expected = f"{when.year:04d}-{when.month:02d}-{when.day:02d}T{when.hour:02d}:{when.minute:02d}:{when.second:02d}Z"
    assert iso_utc(epoch_ms(when)) == expected


def test_iso_utc_writes_times_past_year_9999() -> None:
    """A record may say ``9999-12-31T23:59:59-05:00``: its report is written, not a crash."""
    ms = parse_time("9999-12-31T23:59:59-05:00")
    assert ms is not None and iso_utc(ms) == "10000-01-01T04:59:59Z"
    assert iso_utc(-1) == "1969-12-31T23:59:59Z"
