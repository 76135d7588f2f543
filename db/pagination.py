"""Keyset pagination: sort keys, opaque cursors and the "after this row" condition."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, case, false, func, or_
from sqlalchemy.sql.elements import UnaryExpression

from db.errors import InvalidInput
from db.inputs import SortDirection, SortField, storable_text
from db.models import INT64_MAX, Task

PRIORITY_RANK = case({"low": 0, "medium": 1, "high": 2}, value=Task.priority)


@dataclass(frozen=True)
class SortKey:
    expression: SQLColumnExpression[Any]
    kind: type = int
    nullable: bool = False

    def parse(self, value: Any) -> Any:
        """A cursor value checked against this key's type (cursors come from clients)."""
        if value is None and self.nullable:
            return None
        if self.kind is datetime and isinstance(value, str):
            # Converted here, not when bound, so an out-of-range offset is a bad cursor.
            parsed = datetime.fromisoformat(value)
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        if self.kind is int and type(value) is int and abs(value) <= INT64_MAX:
            return value
        if self.kind is str and isinstance(value, str):
            value.encode()  # lone surrogates: no driver can send them
            return storable_text(value)
        raise ValueError("cursor value has an unexpected type")


def sort_keys(field: SortField) -> list[SortKey]:
    """The expressions a list is ordered by, most significant first; `id` breaks ties."""
    keys = {
        SortField.CREATED_AT: [SortKey(Task.created_at, kind=datetime)],
        SortField.UPDATED_AT: [SortKey(Task.updated_at, kind=datetime)],
        SortField.TITLE: [SortKey(func.lower(Task.title), kind=str)],
        # Tasks without a due date come last in both directions.
        SortField.DUE_DATE: [
            SortKey(case((Task.due_date.is_(None), 1), else_=0)),
            SortKey(Task.due_date, kind=datetime, nullable=True),
        ],
        SortField.PRIORITY: [SortKey(PRIORITY_RANK)],
    }[field]
    return [*keys, SortKey(Task.id)]


def order_by(field: SortField, direction: SortDirection) -> list[UnaryExpression[Any]]:
    keys = sort_keys(field)
    ordered = []
    for index, key in enumerate(keys):
        # The null flag of due_date always sorts ascending so that nulls stay last.
        ascending = direction is SortDirection.ASC or (field is SortField.DUE_DATE and index == 0)
        ordered.append(key.expression.asc() if ascending else key.expression.desc())
    return ordered


def after(field: SortField, direction: SortDirection, values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows strictly after the row whose sort values are `values`, in this order."""
    keys = sort_keys(field)
    clauses: list[ColumnElement[bool]] = []
    equal_so_far: list[ColumnElement[bool]] = []
    for index, (key, value) in enumerate(zip(keys, values, strict=True)):
        if value is None:
            # Only due_date can be null, and its null flag (compared just before) is equal.
            continue
        ascending = direction is SortDirection.ASC or (field is SortField.DUE_DATE and index == 0)
        beyond = key.expression > value if ascending else key.expression < value
        clauses.append(and_(*equal_so_far, beyond))
        equal_so_far.append(key.expression == value)
    return or_(false(), *clauses)


def encode_cursor(field: SortField, direction: SortDirection, values: Sequence[Any]) -> str:
    """An opaque cursor for the row whose sort values (as the database computed them) these are."""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps([field.value, direction.value, plain], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, field: SortField, direction: SortDirection) -> list[Any]:
    """The sort values in a cursor made for this same order, or InvalidInput."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        sort, order, values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        keys = sort_keys(field)
        if (sort, order) != (field.value, direction.value) or len(values) != len(keys):
            raise ValueError("cursor belongs to another order")
        return [key.parse(value) for key, value in zip(keys, values, strict=True)]
    except (ValueError, TypeError, OverflowError, RecursionError, binascii.Error) as error:
        raise InvalidInput("after", "is not a cursor from this list and order") from error
