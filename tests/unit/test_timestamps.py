"""db.timestamps.as_utc: the one conversion every timestamp goes through."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from db.timestamps import as_utc


def test_a_naive_timestamp_is_read_as_utc() -> None:
    assert as_utc(datetime(2030, 1, 1, 12)) == datetime(2030, 1, 1, 12, tzinfo=UTC)
    assert as_utc(datetime(2030, 1, 1, 12)).tzinfo is UTC


def test_an_aware_timestamp_is_converted_to_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    converted = as_utc(datetime(2030, 1, 1, 12, tzinfo=plus_two))
    assert (converted, converted.tzinfo) == (datetime(2030, 1, 1, 10, tzinfo=UTC), UTC)


@pytest.mark.parametrize(
    "value",
    ["9999-12-31T23:59:59-23:00", "0001-01-01T00:00:00+05:00"],
)
def test_an_instant_outside_the_years_1_to_9999_in_utc_is_a_value_error(value: str) -> None:
    with pytest.raises(ValueError, match="out of range once converted to UTC"):
        as_utc(datetime.fromisoformat(value))
