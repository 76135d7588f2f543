"""db.pagination's cursors without a database: round trips, and errors that name no transport."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from db.errors import InvalidCursor
from db.inputs import SortDirection, SortField
from db.pagination import LOWERED_TITLE_MAX, decode_cursor, encode_cursor

WHEN = datetime(2030, 1, 1, 12, tzinfo=UTC)
ROUND_TRIPS: list[tuple[SortField, list[Any]]] = [
    (SortField.CREATED_AT, [WHEN, 1]),
    (SortField.UPDATED_AT, [WHEN, 2**63 - 1]),
    (SortField.TITLE, ["i̇" * (LOWERED_TITLE_MAX // 2), 7]),
    (SortField.DUE_DATE, [0, WHEN, 3]),
    (SortField.DUE_DATE, [1, None, 3]),
    (SortField.PRIORITY, [0, 4]),
    (SortField.PRIORITY, [2, 4]),
]


@pytest.mark.parametrize(("field", "values"), ROUND_TRIPS)
@pytest.mark.parametrize("direction", list(SortDirection))
def test_a_cursor_decodes_to_the_values_it_was_made_from(
    field: SortField, values: list[Any], direction: SortDirection
) -> None:
    cursor = encode_cursor(field, direction, values)
    assert decode_cursor(cursor, field, direction) == values


def test_a_bad_cursor_is_an_invalid_cursor_named_by_no_transport() -> None:
    cursor = encode_cursor(SortField.PRIORITY, SortDirection.ASC, [2**31, 1])
    with pytest.raises(InvalidCursor) as raised:
        decode_cursor(cursor, SortField.PRIORITY, SortDirection.ASC)
    assert raised.value.field == "cursor"
    assert raised.value.reason == "is not a cursor from this list and order"


def test_a_naive_cursor_timestamp_is_read_as_utc() -> None:
    cursor = encode_cursor(SortField.CREATED_AT, SortDirection.DESC, ["2030-01-01T12:00:00", 1])
    assert decode_cursor(cursor, SortField.CREATED_AT, SortDirection.DESC) == [WHEN, 1]
