"""Keyset pagination: sort keys, opaque cursors and the "after this row" condition."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    SQLColumnExpression,
    and_,
    bindparam,
    case,
    false,
    func,
    or_,
)
from sqlalchemy.sql.elements import UnaryExpression

from db.errors import InvalidCursor
from db.inputs import TITLE_MAX, SortDirection, SortField, storable_text
from db.models import INT64_MAX, Task
from db.timestamps import as_utc

PRIORITY_RANK = case({"low": 0, "medium": 1, "high": 2}, value=Task.priority)
# lower() can lengthen a title: "İ" becomes "i̇", two characters.
LOWERED_TITLE_MAX = 2 * TITLE_MAX

Parse = Callable[[Any], Any]


def _integer(low: int, high: int) -> Parse:
    def parse(value: Any) -> int:
        # Bound, a value beyond the column's type fails in the driver instead of matching nothing.
        if type(value) is int and low <= value <= high:
            return value
        raise ValueError(f"cursor value is not an integer from {low} to {high}")

    return parse


def _timestamp(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("cursor value is not a timestamp")
    # Converted here, not when bound, so an out-of-range offset is a bad cursor.
    return as_utc(datetime.fromisoformat(value))


def _optional_timestamp(value: Any) -> datetime | None:
    return None if value is None else _timestamp(value)


def _lowered_title(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > LOWERED_TITLE_MAX:
        raise ValueError("cursor value is not a title")
    value.encode()  # lone surrogates: no driver can send them
    return storable_text(value)


@dataclass(frozen=True)
class SortKey:
    """One expression of an order, and how to check a cursor's value for it (clients send them)."""

    expression: SQLColumnExpression[Any]
    parse: Parse


def sort_keys(field: SortField) -> list[SortKey]:
    """The expressions a list is ordered by, most significant first; `id` breaks ties."""
    keys = {
        SortField.CREATED_AT: [SortKey(Task.created_at, _timestamp)],
        SortField.UPDATED_AT: [SortKey(Task.updated_at, _timestamp)],
        SortField.TITLE: [SortKey(func.lower(Task.title), _lowered_title)],
        # Tasks without a due date come last in both directions.
        SortField.DUE_DATE: [
            SortKey(case((Task.due_date.is_(None), 1), else_=0), _integer(0, 1)),
            SortKey(Task.due_date, _optional_timestamp),
        ],
        SortField.PRIORITY: [SortKey(PRIORITY_RANK, _integer(0, 2))],
    }[field]
    return [*keys, SortKey(Task.id, _integer(1, INT64_MAX))]


def ascending(field: SortField, direction: SortDirection) -> list[bool]:
    """Whether each sort key (sort_keys' order) ascends: the due date's null flag always does,
    so that tasks without a due date stay last."""
    count = len(sort_keys(field))
    return [
        direction is SortDirection.ASC or (field is SortField.DUE_DATE and index == 0)
        for index in range(count)
    ]


def order_by(
    field: SortField, direction: SortDirection, expressions: Sequence[Any] | None = None
) -> list[UnaryExpression[Any]]:
    """ORDER BY the sort keys, or `expressions` standing for them (a subquery's columns)."""
    keys = expressions or [key.expression for key in sort_keys(field)]
    return [
        key.asc() if up else key.desc()
        for key, up in zip(keys, ascending(field, direction), strict=True)
    ]


def after(field: SortField, direction: SortDirection, nulls: Sequence[bool]) -> ColumnElement[bool]:
    """Rows strictly after the row whose sort values are the parameters `after_0`, `after_1`...

    `nulls` says which of those values are null (only the due date can be): the condition's
    shape depends on it, not on the values, so one statement serves every cursor of a shape.
    """
    keys = sort_keys(field)
    clauses: list[ColumnElement[bool]] = []
    equal_so_far: list[ColumnElement[bool]] = []
    steps = zip(keys, nulls, ascending(field, direction), strict=True)
    for index, (key, null, up) in enumerate(steps):
        if null:
            # Only due_date can be null, and its null flag (compared just before) is equal.
            continue
        value = bindparam(f"after_{index}", type_=getattr(key.expression, "type", None))
        beyond = key.expression > value if up else key.expression < value
        clauses.append(and_(*equal_so_far, beyond))
        equal_so_far.append(key.expression == value)
    return or_(false(), *clauses)


def after_parameters(values: Sequence[Any]) -> dict[str, Any]:
    """The `after_N` parameters of `after` for a cursor's values."""
    return {f"after_{index}": value for index, value in enumerate(values) if value is not None}


def encode_cursor(field: SortField, direction: SortDirection, values: Sequence[Any]) -> str:
    """An opaque cursor for the row whose sort values (as the database computed them) these are."""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps([field.value, direction.value, plain], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, field: SortField, direction: SortDirection) -> list[Any]:
    """The sort values in a cursor made for this same order, or InvalidCursor."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        sort, order, values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        keys = sort_keys(field)
        if (sort, order) != (field.value, direction.value) or not isinstance(values, list):
            raise ValueError("cursor belongs to another order")
        parsed = [key.parse(value) for key, value in zip(keys, values, strict=True)]
        if field is SortField.DUE_DATE and (parsed[0] == 1) != (parsed[1] is None):
            raise ValueError("the due date's null flag disagrees with the due date")
        return parsed
    except (ValueError, TypeError, OverflowError, RecursionError, binascii.Error) as error:
        raise InvalidCursor("is not a cursor from this list and order") from error
