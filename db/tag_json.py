"""A task's tags as one JSON array, computed by the statement that reads or writes the task.

Every statement that answers with tasks (a list's page, a read, a write's RETURNING) carries each
task's tags in a correlated subquery: no second round trip, no query per task. Both backends
build the same array, `[{"id", "name", "color"}, ...]` by name ignoring case (the name's key,
compared in code point order on both), then id; `parse_tags` reads it back.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    ScalarSelect,
    SQLColumnExpression,
    Text,
    bindparam,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement as _ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

from db.models import Tag, TagRef, TaskTag

EMPTY = "[]"


class _TagArray(FunctionElement[str]):
    """The aggregated rows' (id, name, color) as a JSON array, in (key, id) order."""

    type = Text()
    name = "tag_array"
    inherit_cache = True


def _arguments(element: _TagArray, compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(clause, **kw) for clause in element.clauses]


@compiles(_TagArray, "postgresql")
def _postgresql(element: _TagArray, compiler: SQLCompiler, **kw: Any) -> str:
    id_, name, color, key = _arguments(element, compiler, **kw)
    item = f"json_build_object('id', {id_}, 'name', {name}, 'color', {color})"
    return f"coalesce(json_agg({item} ORDER BY {key}, {id_}), '{EMPTY}')"


@compiles(_TagArray, "sqlite")
def _sqlite(element: _TagArray, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite before 3.44 has no ORDER BY in an aggregate: it aggregates the rows in the order
    # of the subquery it reads (tags_of orders it); an empty array for no rows.
    id_, name, color, _ = _arguments(element, compiler, **kw)
    return f"json_group_array(json_object('id', {id_}, 'name', {name}, 'color', {color}))"


class _Qualified(_ColumnElement[Any]):
    """A subquery whose columns keep their tables' names, even in SQLite's RETURNING.

    SQLAlchemy writes SQLite's RETURNING columns without their table (`id`, not `tasks.id`),
    and so everything inside them: in a subquery joining two tables, ambiguous names.
    """

    inherit_cache = True
    _traverse_internals = [("element", InternalTraversal.dp_clauseelement)]  # noqa: RUF012

    def __init__(self, element: ScalarSelect[Any]) -> None:
        self.element = element
        self.type = element.type


@compiles(_Qualified)
def _qualified(element: _Qualified, compiler: SQLCompiler, **kw: Any) -> str:
    kw.pop("include_table", None)
    return compiler.process(element.element, **kw)


def qualified(subquery: ScalarSelect[Any]) -> ColumnElement[Any]:
    """A scalar subquery that a write's RETURNING may carry on SQLite too."""
    return _Qualified(subquery)


def tags_of(task_id: SQLColumnExpression[int]) -> ColumnElement[str]:
    """The tags of the task whose id is `task_id` (a column of the enclosing statement), as JSON.

    Scoped by the owner like every statement: links and tags of the `owner_id` parameter only.
    """
    owner: BindParameter[str] = bindparam("owner_id")
    linked = (
        select(Tag.id, Tag.name, Tag.color, Tag.name_key)
        .join(TaskTag, TaskTag.tag_id == Tag.id)
        .where(TaskTag.task_id == task_id, TaskTag.user_id == owner, Tag.user_id == owner)
        .order_by(Tag.name_key, Tag.id)
        .correlate_except(Tag, TaskTag)
        .subquery("task_tag")
    )
    array = _TagArray(linked.c.id, linked.c.name, linked.c.color, linked.c.name_key)
    return _Qualified(select(array).scalar_subquery())


def parse_tags(text: str | None) -> tuple[TagRef, ...]:
    """The tags of `tags_of`'s array (text on both backends: PostgreSQL's json comes as text)."""
    if text is None or text == EMPTY:
        return ()
    return tuple(TagRef(tag["id"], tag["name"], tag["color"]) for tag in orjson.loads(text))
