"""Timestamps are timezone-aware UTC everywhere: the one conversion to it."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(value: datetime) -> datetime:
    """Read a naive timestamp as UTC; convert an aware one to UTC.

    ValueError when the instant is outside years 1 to 9999 once in UTC
    (e.g. 9999-12-31T23:59-23:00), so callers can report it as bad input.
    """
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range once converted to UTC") from None
