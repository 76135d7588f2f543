"""A task's fields are the tasks table's columns and its tags; every other list must agree.

The table is the source: REST shows every column (api.rest.task_json derives its fields from
it) and `tags`, GraphQL every column but the owner (implicit in every request) and `tags`. A
task's tag is `{id, name, color}` everywhere. The lists that cannot be derived (the services'
record, payload and output types, the test clients) are held to it here. Beyond those: an
update's or a toggle's REST answer names the next occurrence (`next_task_id`), and GraphQL's
Task resolves it (`nextOccurrence`).
"""

from __future__ import annotations

import json
import re
import typing
from datetime import UTC, datetime
from pathlib import Path

import graphql
import strawberry
from sqlalchemy.orm import Mapped
from strawberry.utils.str_converters import to_camel_case

from api.rest.models import TaskPublic, TaskWritten
from api.rest.task_json import task_answer, task_fields
from db.models import Priority, TagRef, Task, TaskRow
from db.tasks import WrittenTask
from schema.resolvers import Mutation, Query
from schema.types import Task as TaskType
from schema.types import TaskTag as TaskTagType
from tests.support.graphql_client import TASK_FIELDS
from tests.support.rest_client import TASK_KEYS

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = [column.key for column in Task.__table__.columns]
FIELDS = [*COLUMNS, "tags"]  # what REST answers
GRAPHQL_FIELDS = [to_camel_case(name) for name in FIELDS if name != "user_id"]
TAG_FIELDS = ["id", "name", "color"]
WHEN = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
LATER = datetime(2030, 1, 9, 3, 4, 5, tzinfo=UTC)


def _task() -> TaskRow:
    return TaskRow(
        id=7,
        user_id="alice",
        title="Title",
        description="Words",
        completed=True,
        priority=Priority.HIGH.value,
        due_date=LATER,
        created_at=WHEN,
        updated_at=WHEN,
        version=3,
        recurrence="FREQ=WEEKLY",
        time_zone="Europe/Berlin",
        recurrence_start=WHEN,
        occurrence=2,
        recurs_from=5,
        tags=(
            TagRef(id=4, name="Home", color="#00ff00"),
            TagRef(id=2, name="work", color="#000000"),
        ),
    )


def test_task_row_declares_every_column_with_its_type() -> None:
    mapped = typing.get_type_hints(Task)
    declared = typing.get_type_hints(TaskRow)
    assert list(declared) == FIELDS
    for name in COLUMNS:
        assert typing.get_origin(mapped[name]) is Mapped
        assert declared[name] == typing.get_args(mapped[name])[0], name
    assert declared["tags"] == tuple[TagRef, ...]
    assert list(typing.get_type_hints(TagRef)) == TAG_FIELDS


def test_rest_answers_and_documents_every_column() -> None:
    task = _task()
    assert list(task_fields(task)) == FIELDS
    assert task_fields(task) == {name: getattr(task, name) for name in FIELDS}
    assert list(TaskPublic.model_fields) == FIELDS
    assert TaskPublic.model_validate(task, from_attributes=True).model_dump() == {
        **task_fields(task),
        "tags": [
            {"id": 4, "name": "Home", "color": "#00ff00"},
            {"id": 2, "name": "work", "color": "#000000"},
        ],
    }
    # What the routes send: orjson's encoding of the record itself.
    answered = json.loads(task_answer(task).body)
    assert list(answered) == FIELDS
    assert [list(tag) for tag in answered["tags"]] == [TAG_FIELDS, TAG_FIELDS]
    assert answered == TaskPublic.model_validate(task).model_dump(mode="json") | {
        "due_date": "2030-01-09T03:04:05Z",
        "created_at": "2030-01-02T03:04:05Z",
        "updated_at": "2030-01-02T03:04:05Z",
        "recurrence_start": "2030-01-02T03:04:05Z",
    }


def test_a_writes_rest_answer_adds_the_next_occurrence() -> None:
    written = WrittenTask(*(getattr(_task(), name) for name in FIELDS), next_task_id=8)
    answered = json.loads(task_answer(written).body)
    assert list(answered) == [*FIELDS, "next_task_id"]
    assert list(TaskWritten.model_fields) == [*FIELDS, "next_task_id"]
    assert answered == TaskWritten.model_validate(written).model_dump(mode="json") | {
        "due_date": "2030-01-09T03:04:05Z",
        "created_at": "2030-01-02T03:04:05Z",
        "updated_at": "2030-01-02T03:04:05Z",
        "recurrence_start": "2030-01-02T03:04:05Z",
    }
    assert answered["next_task_id"] == 8


def test_graphql_answers_every_column_but_the_owner() -> None:
    sdl = strawberry.Schema(query=Query, mutation=Mutation).as_str()
    task_type = graphql.build_schema(sdl).type_map["Task"]
    assert isinstance(task_type, graphql.GraphQLObjectType)
    assert list(task_type.fields) == [*GRAPHQL_FIELDS, "nextOccurrence"]
    converted = TaskType.from_model(_task())
    columns = {
        "id": "7",
        "title": "Title",
        "description": "Words",
        "completed": True,
        "priority": Priority.HIGH,
        "due_date": LATER,
        "created_at": WHEN,
        "updated_at": WHEN,
        "version": 3,
        "recurrence": "FREQ=WEEKLY",
        "time_zone": "Europe/Berlin",
        "recurrence_start": WHEN,
        "occurrence": 2,
        "recurs_from": "5",
        "tags": [
            TaskTagType(id="4", name="Home", color="#00ff00"),
            TaskTagType(id="2", name="work", color="#000000"),
        ],
    }
    assert vars(converted) == columns | {"known_without_next": False}
    assert [to_camel_case(name) for name in columns] == GRAPHQL_FIELDS
    tag_type = graphql.build_schema(sdl).type_map["TaskTag"]
    assert isinstance(tag_type, graphql.GraphQLObjectType)
    assert list(tag_type.fields) == TAG_FIELDS


def _selection(fields: str) -> tuple[list[str], list[str]]:
    """The top-level fields of a selection, and the fields selected of `tags { ... }`."""
    tags = re.search(r"tags \{(.*?)\}", fields, re.DOTALL)
    assert tags is not None, fields
    return re.sub(r"\{.*?\}", "", fields, flags=re.DOTALL).split(), tags.group(1).split()


def test_the_test_clients_ask_for_every_field() -> None:
    assert set(FIELDS) == TASK_KEYS
    assert _selection(TASK_FIELDS) == (GRAPHQL_FIELDS, TAG_FIELDS)
    frontend = (ROOT / "tests/e2e/frontend_client.mjs").read_text()
    keys = re.search(r"const TASK_KEYS = \[(.*?)\]", frontend, re.DOTALL)
    assert keys is not None
    assert re.findall(r'"(\w+)"', keys.group(1)) == sorted(FIELDS)
    typed = (ROOT / "tests/typed-client/src/operations.ts").read_text()
    fragment = re.search(r"fragment TaskFields on Task \{(.*?\})\s*\}", typed, re.DOTALL)
    assert fragment is not None
    assert _selection(fragment.group(1)) == (GRAPHQL_FIELDS, TAG_FIELDS)
