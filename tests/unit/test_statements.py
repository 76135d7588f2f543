"""db.statements: Core statements compiled once for asyncpg, parameters in their order."""

from __future__ import annotations

import itertools
import re

import pytest
from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import sqlite

from db import pagination
from db.inputs import SortDirection, SortField, StatusFilter, TagMatch, TaskQuery
from db.listing import _list_statement, _Shape
from db.models import Task
from db.statements import Statement
from db.tasks import (
    _CREATE,
    _GET,
    _delete_statement,
    _Patch,
    _toggle_statement,
    _update_statement,
)


def test_parameters_come_in_the_order_of_the_sql_and_literals_keep_their_value() -> None:
    statement = Statement(
        update(Task)
        .where(Task.user_id == bindparam("owner_id"), Task.id == bindparam("task_id"))
        .values(version=Task.version + 1, title=bindparam("new_title"))
    )
    args = statement.args({"owner_id": "alice", "task_id": 7, "new_title": "T", "unused": 0})
    # Each $N of the SQL gets the value meant for the column it is compared with or set to.
    bound = {
        column: args[int(number) - 1]
        for column, number in re.findall(
            r"(\w+) ?[=+] ?\(?(?:tasks\.version \+ )?\$(\d+)", statement.sql
        )
    }
    assert bound == {"title": "T", "version": 1, "user_id": "alice", "id": 7}, statement.sql


def test_a_missing_parameter_is_an_error_not_a_null() -> None:
    statement = Statement(select(Task.id).where(Task.user_id == bindparam("owner_id")))
    with pytest.raises(KeyError):
        statement.args({})


def test_expanding_parameters_are_refused_when_compiled() -> None:
    statement = Statement(select(Task.id).where(Task.version.in_([])))
    with pytest.raises(ValueError, match="expanding"):
        _ = statement.sql


def test_a_literal_in_the_statement_is_never_a_callers_to_change() -> None:
    statement = Statement(
        update(Task).where(Task.id == bindparam("task_id")).values(version=Task.version + 1)
    )
    [literal] = [name for name, value in statement._order if value == 1]
    assert statement.args({"task_id": 7, literal: 99}) in ([1, 7], [7, 1])


def test_every_list_shape_fits_the_list_statement_cache() -> None:
    """GraphQL reaches every combination of filters, orders and cursor nulls: a client cycling
    through them must not make every list request compile its statement."""
    shapes = []
    for status, priority, search, sort, direction in itertools.product(
        StatusFilter, (False, True), (False, True), SortField, SortDirection
    ):
        keys = len(pagination.sort_keys(sort))
        nulls: list[tuple[bool, ...] | None] = [None, (False,) * keys]
        if sort is SortField.DUE_DATE:
            nulls.append((False, True, False))
        shapes += [_Shape(status, priority, search, sort, direction, n) for n in nulls]
    maxsize = _list_statement.cache_info().maxsize
    assert maxsize is not None and len(shapes) <= maxsize, (len(shapes), maxsize)


def test_every_task_answer_reads_the_tags_of_its_own_task() -> None:
    """The tags subquery is correlated with the task of its row: a FROM of its own with `tasks`
    (SQLAlchemy's choice when it cannot correlate, as in an INSERT's RETURNING) would give
    every task the tags of all of the owner's tasks."""
    statements = [
        _CREATE,
        _GET,
        _update_statement(_Patch.of({"title": "T"}, 1), guarded=True),
        _toggle_statement(None, None, guarded=True),
        _toggle_statement(True, 2, guarded=False),
        _delete_statement(None),
        _list_statement(_Shape.of(TaskQuery(tag_ids=[1, 2], tag_match=TagMatch.ALL))),
    ]
    for statement in statements:
        for sql in (statement.sql, str(statement.core.compile(dialect=sqlite.dialect()))):
            assert "JOIN task_tags ON task_tags.tag_id = tags.id, " not in sql, sql
            assert "FROM tags, " not in sql and "FROM task_tags, " not in sql, sql
