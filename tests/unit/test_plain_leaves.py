"""schema.execution answers exactly as graphql-core's own execution does, errors included.

The same documents run on a small schema twice, once with PlainLeavesExecutionContext and once
with Strawberry's own context, and the answers (data with its key order, and errors) compare
equal, for values it reads itself and values it leaves to graphql-core.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, NewType

import orjson
import pytest
import strawberry
from graphql import GraphQLObjectType
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig

from schema.build import build_schema
from schema.execution import PlainLeavesExecutionContext, _plan

WHEN = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


# A scalar whose serializer may answer null: graphql-core refuses that for any field.
Tag = NewType("Tag", str)
CONFIG = StrawberryConfig(
    scalar_map={
        Tag: strawberry.scalar(
            name="Tag", serialize=lambda value: None if value == "none" else value
        )
    }
)


@strawberry.type
class Item:
    id: strawberry.ID
    name: str
    note: str | None
    colour: Colour
    count: int
    when: datetime | None
    tag: Tag | None

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


@strawberry.type
class Holder:
    label: str
    item: Item
    items: list[Item]


def item(**changes: Any) -> Item:
    values: dict[str, Any] = {
        "id": strawberry.ID("1"),
        "name": "one",
        "note": None,
        "colour": Colour.BLUE,
        "count": 3,
        "when": WHEN,
        "tag": "t",
    }
    return Item(**(values | changes))


ITEMS: list[Item] = []


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return ITEMS

    @strawberry.field
    def holder(self) -> Holder:
        return Holder(label="h", item=ITEMS[0], items=ITEMS)


def schemas(
    extensions: list[Callable[[], SchemaExtension]] | None = None,
) -> tuple[strawberry.Schema, strawberry.Schema]:
    fast = strawberry.Schema(
        Query,
        extensions=extensions or [],
        config=CONFIG,
        execution_context_class=PlainLeavesExecutionContext,
    )
    return fast, strawberry.Schema(Query, extensions=extensions or [], config=CONFIG)


def answer(schema: strawberry.Schema, document: str, variables: Any = None) -> bytes:
    result = schema.execute_sync(document, variable_values=variables)
    errors = [error.formatted for error in result.errors or []]
    return orjson.dumps({"data": result.data, "errors": errors})


DOCUMENTS = {
    "every leaf": "{ items { id name note colour count when tag } }",
    "aliases, repeats, typename": "{ items { b: name name __typename n: name id id } }",
    "leaves and a resolver": "{ items { shout name colour } }",
    "fragments": (
        "{ items { ...f ... on Item { count } } } fragment f on Item { colour note name }"
    ),
    "directives": (
        "query($yes: Boolean!) { items { name @skip(if: $yes) colour @include(if: $yes) "
        "count @include(if: false) } }"
    ),
    "nested": "{ holder { label item { name colour } items { when id } } }",
}
# Values graphql-core coerces too, though not the ones the fields declare.
ODD = {
    "an enum member's value": {"colour": "red"},
    "an Int as a float": {"count": 4.0},
}
BAD = {
    "null for a non-null leaf": {"name": None},
    "an Int that does not fit": {"count": 2**40},
    "not an enum member": {"colour": "green"},
    "a wrong type": {"when": "yesterday"},
    "an object for a scalar": {"id": object()},
    "a serializer answering null": {"tag": "none"},
}


@pytest.mark.parametrize("document", DOCUMENTS.values(), ids=DOCUMENTS.keys())
@pytest.mark.parametrize(
    "odd", [{}, *ODD.values(), *BAD.values()], ids=["good", *ODD.keys(), *BAD.keys()]
)
def test_answers_match_graphql_core(document: str, odd: dict[str, Any]) -> None:
    ITEMS[:] = [item(), item(id=strawberry.ID("2"), note="n", colour=Colour.RED, when=None)]
    ITEMS.append(item(**odd))
    fast, plain = schemas()
    expected = answer(plain, document, {"yes": True})
    assert answer(fast, document, {"yes": True}) == expected
    if document == DOCUMENTS["every leaf"]:  # the bad value is selected: graphql-core's error
        assert (b'"errors":[]' in expected) == (odd not in BAD.values())


class CountResolves(SchemaExtension):
    """A middleware: every field it sees."""

    seen: ClassVar[list[str]] = []

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        CountResolves.seen.append(info.field_name)
        return _next(root, info, *args, **kwargs)


def test_an_extension_that_resolves_still_sees_every_field() -> None:
    ITEMS[:] = [item(), item()]
    fast, plain = schemas([CountResolves])
    document = DOCUMENTS["every leaf"]
    assert answer(fast, document) == answer(plain, document)
    assert len(CountResolves.seen) == 2 * (1 + 2 * 7)


# Fields that are objects, resolved for a whole page at once (a DataLoader batch): a selection
# without them is still read in place.
RESOLVED = {"Task": {"nextOccurrence", "tags"}, "PageInfo": set(), "TaskTag": set(), "Tag": set()}


def test_every_task_field_is_read_in_place() -> None:
    """A field extension or resolver on a Task field would send every task back the slow way.

    Task.tags is a list of objects, not a leaf: its items' fields are leaves."""
    schema = build_schema()
    graphql_schema = schema._schema
    for name, resolved in RESOLVED.items():
        type_ = graphql_schema.get_type(name)
        assert isinstance(type_, GraphQLObjectType)
        assert set(_plan(graphql_schema)[type_]) == set(type_.fields) - resolved, name
