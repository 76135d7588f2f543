"""Keyset pagination of `tasks` through /graphql: order, page info, stability, cursors."""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import insert

from db import tasks
from db.inputs import TaskCreate
from db.models import Priority, Task
from db.store import Owner
from tests.support.databases import services_of
from tests.support.graphql_client import CREATE, DELETE, LIST, GraphQL

OWNER = "alice"
BASE = datetime(2030, 1, 1, tzinfo=UTC)
PRIORITY_RANK = {"LOW": 0, "MEDIUM": 1, "HIGH": 2}

# Letters only, so a database collation and Python agree on the order of lower-cased titles;
# "APPLE"/"apple" and "Banana"/"banana" tie case-insensitively, and the id breaks the tie.
SEED: list[tuple[str, Priority, int | None]] = [
    ("apple", Priority.LOW, 5),
    ("Banana", Priority.HIGH, None),
    ("cherry", Priority.MEDIUM, 2),
    ("APPLE", Priority.HIGH, 9),
    ("date", Priority.LOW, None),
    ("Elder", Priority.MEDIUM, 2),
    ("fig", Priority.HIGH, 7),
    ("banana", Priority.LOW, 1),
    ("grape", Priority.MEDIUM, None),
    ("Hazel", Priority.HIGH, 12),
    ("iris", Priority.LOW, 3),
    ("Juniper", Priority.MEDIUM, None),
    ("kiwi", Priority.HIGH, 11),
]


def _minute(minutes: int) -> datetime:
    return BASE + timedelta(minutes=minutes)


async def _seed(app: FastAPI) -> None:
    """SEED in one commit, with tied timestamps so that the id has ties to break."""
    # Created in groups of three at the same instant; every third task updated later,
    # two of them at a time.
    rows = []
    for index, (title, priority, due_day) in enumerate(SEED):
        created = _minute(index // 3)
        updated = _minute(100 + index // 6) if index % 3 == 0 else created
        rows.append(
            {
                "user_id": OWNER,
                "title": title,
                "priority": priority.value,
                "due_date": None if due_day is None else BASE + timedelta(days=due_day),
                "completed": False,
                "created_at": created,
                "updated_at": updated,
                "version": 1,
            }
        )
    async with services_of(app).engine.begin() as connection:
        await connection.execute(insert(Task), rows)


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _expected(nodes: list[dict[str, Any]], field: str, direction: str) -> list[str]:
    """The ids in the documented order, computed independently of the database."""

    def key(node: dict[str, Any]) -> tuple[Any, int]:
        if field == "TITLE":
            value: Any = node["title"].lower()
        elif field == "PRIORITY":
            value = PRIORITY_RANK[node["priority"]]
        else:
            name = {"CREATED_AT": "createdAt", "UPDATED_AT": "updatedAt", "DUE_DATE": "dueDate"}
            value = _time(node[name[field]])
        return value, int(node["id"])

    descending = direction == "DESC"
    if field != "DUE_DATE":
        return [node["id"] for node in sorted(nodes, key=key, reverse=descending)]
    dated = [node for node in nodes if node["dueDate"] is not None]
    undated = [node for node in nodes if node["dueDate"] is None]
    # Tasks without a due date come last in both directions, among themselves by id.
    ordered = sorted(dated, key=key, reverse=descending)
    ordered += sorted(undated, key=lambda node: int(node["id"]), reverse=descending)
    return [node["id"] for node in ordered]


async def _walk(
    gql: GraphQL, page_size: int, after: str | None = None, **variables: Any
) -> list[dict[str, Any]]:
    """Every page of a list in turn; checks the page info of each page on the way."""
    pages: list[dict[str, Any]] = []
    while True:
        page = (await gql.data(LIST, first=page_size, after=after, **variables))["tasks"]
        pages.append(page)
        edges = page["edges"]
        info = page["pageInfo"]
        assert len(edges) <= page_size
        assert info["endCursor"] == (edges[-1]["cursor"] if edges else None)
        if not info["hasNextPage"]:
            return pages
        assert len(edges) == page_size
        after = info["endCursor"]
        assert len(pages) < 50, "pagination does not terminate"


def _ids(pages: list[dict[str, Any]]) -> list[str]:
    return [edge["node"]["id"] for page in pages for edge in page["edges"]]


def _cursor(raw: Any) -> str:
    """A cursor in the service's format (base64url JSON), for tampering."""
    text = raw if isinstance(raw, str) else json.dumps(raw)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("field", ["CREATED_AT", "UPDATED_AT", "TITLE", "DUE_DATE", "PRIORITY"])
async def test_walking_all_pages_yields_every_task_once_in_order(
    client: httpx.AsyncClient, app: FastAPI, field: str
) -> None:
    await _seed(app)
    gql = GraphQL(client, OWNER)
    everything = (await gql.data(LIST, first=100))["tasks"]["edges"]
    nodes = [edge["node"] for edge in everything]
    assert len(nodes) == len(SEED)
    for direction in ("ASC", "DESC"):
        order = {"field": field, "direction": direction}
        expected = _expected(nodes, field, direction)
        pages = await _walk(gql, 4, orderBy=order)
        assert _ids(pages) == expected, direction
        assert len(set(_ids(pages))) == len(SEED)
        assert [len(page["edges"]) for page in pages] == [4, 4, 4, 1]
        assert {page["totalCount"] for page in pages} == {len(SEED)}
        whole = (await gql.data(LIST, first=100, orderBy=order))["tasks"]["edges"]
        assert [edge["node"]["id"] for edge in whole] == expected, direction


async def test_the_documented_orders_on_a_small_list(client: httpx.AsyncClient) -> None:
    """Spelled out once without a reference implementation: rank, nulls last, case."""
    gql = GraphQL(client, OWNER)
    specs = [
        ("beta", "HIGH", None),
        ("Alpha", "LOW", "2030-01-03T00:00:00Z"),
        ("gamma", "MEDIUM", "2030-01-01T00:00:00Z"),
    ]
    for title, priority, due in specs:
        await gql.data(CREATE, input={"title": title, "priority": priority, "dueDate": due})

    async def titles(field: str, direction: str) -> list[str]:
        order = {"field": field, "direction": direction}
        page = (await gql.data(LIST, orderBy=order))["tasks"]
        return [edge["node"]["title"] for edge in page["edges"]]

    assert await titles("PRIORITY", "ASC") == ["Alpha", "gamma", "beta"]
    assert await titles("PRIORITY", "DESC") == ["beta", "gamma", "Alpha"]
    assert await titles("DUE_DATE", "ASC") == ["gamma", "Alpha", "beta"]
    assert await titles("DUE_DATE", "DESC") == ["Alpha", "gamma", "beta"]
    assert await titles("TITLE", "ASC") == ["Alpha", "beta", "gamma"]
    assert await titles("TITLE", "DESC") == ["gamma", "beta", "Alpha"]
    assert await titles("CREATED_AT", "ASC") == ["beta", "Alpha", "gamma"]
    # The default order is newest first.
    default = (await gql.data(LIST))["tasks"]["edges"]
    assert [edge["node"]["title"] for edge in default] == ["gamma", "Alpha", "beta"]


async def test_an_empty_list(client: httpx.AsyncClient) -> None:
    page = (await GraphQL(client, OWNER).data(LIST))["tasks"]
    assert page == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "edges": [],
    }


async def test_first_zero_returns_no_edges_but_counts_and_says_more_exist(
    client: httpx.AsyncClient,
) -> None:
    gql = GraphQL(client, OWNER)
    assert (await gql.data(LIST, first=0))["tasks"]["pageInfo"]["hasNextPage"] is False
    for title in ("a", "b", "c"):
        await gql.data(CREATE, input={"title": title})
    page = (await gql.data(LIST, first=0))["tasks"]
    assert page == {
        "totalCount": 3,
        "pageInfo": {"hasNextPage": True, "endCursor": None},
        "edges": [],
    }


async def test_last_page_has_no_next_page_and_after_it_nothing_remains(
    client: httpx.AsyncClient,
) -> None:
    gql = GraphQL(client, OWNER)
    for index in range(4):
        await gql.data(CREATE, input={"title": f"task {index}"})
    first = (await gql.data(LIST, first=2))["tasks"]
    assert first["pageInfo"]["hasNextPage"] is True
    last = (await gql.data(LIST, first=2, after=first["pageInfo"]["endCursor"]))["tasks"]
    # Exactly two left: this page is full, and still the last.
    assert len(last["edges"]) == 2
    assert last["pageInfo"] == {"hasNextPage": False, "endCursor": last["edges"][-1]["cursor"]}
    assert last["totalCount"] == 4
    beyond = (await gql.data(LIST, first=2, after=last["pageInfo"]["endCursor"]))["tasks"]
    assert beyond == {
        "totalCount": 4,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "edges": [],
    }


async def test_first_defaults_to_20_and_allows_up_to_100(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    owner = Owner(services_of(app).store, OWNER)
    # One by one through the service: created_at differs, ids break any tie.
    for index in range(101):
        await tasks.create_task(owner, TaskCreate(title=f"task {index}"))
    gql = GraphQL(client, OWNER)
    default = (await gql.data(LIST))["tasks"]
    assert len(default["edges"]) == 20
    assert default["pageInfo"]["hasNextPage"] is True
    assert default["totalCount"] == 101
    most = (await gql.data(LIST, first=100))["tasks"]
    assert len(most["edges"]) == 100
    assert most["pageInfo"]["hasNextPage"] is True


async def test_first_out_of_range_is_bad_user_input(client: httpx.AsyncClient) -> None:
    gql = GraphQL(client, OWNER)
    # Beyond 32 bits the GraphQL Int itself rejects the variable; same answer.
    for first in (-1, 101, 10_000, 2**31 - 1, 2**31, -(2**40)):
        body = await gql.execute(LIST, first=first)
        assert body["data"] is None, first
        error = body["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (first, error)
        assert error["extensions"]["field"] == "first", (first, error)


async def test_first_out_of_range_inline_is_bad_user_input(client: httpx.AsyncClient) -> None:
    gql = GraphQL(client, OWNER)
    for literal in ("-1", "101", "99999999999"):
        body = await gql.execute(f"{{ tasks(first: {literal}) {{ totalCount }} }}")
        assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_tasks_created_between_pages_cause_no_duplicates_or_skips(
    client: httpx.AsyncClient, direction: str
) -> None:
    gql = GraphQL(client, OWNER)
    older = [(await gql.data(CREATE, input={"title": f"old {i}"}))["createTask"] for i in range(7)]
    order = {"field": "CREATED_AT", "direction": direction}
    page = (await gql.data(LIST, first=3, orderBy=order))["tasks"]
    seen = [edge["node"]["id"] for edge in page["edges"]]
    newer = [(await gql.data(CREATE, input={"title": f"new {i}"}))["createTask"] for i in range(4)]

    after = page["pageInfo"]["endCursor"]
    while page["pageInfo"]["hasNextPage"]:
        page = (await gql.data(LIST, first=3, after=after, orderBy=order))["tasks"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        after = page["pageInfo"]["endCursor"]

    older_ids = [task["id"] for task in older]
    newer_ids = [task["id"] for task in newer]
    assert len(seen) == len(set(seen))
    if direction == "DESC":
        # The new tasks sort before the cursor: never shown, and nothing older is lost.
        assert seen == older_ids[::-1]
    else:
        assert seen == older_ids + newer_ids
    assert page["totalCount"] == len(older) + len(newer)


async def test_tasks_inserted_around_the_cursor_by_title(client: httpx.AsyncClient) -> None:
    gql = GraphQL(client, OWNER)
    for title in ("b", "d", "f", "h"):
        await gql.data(CREATE, input={"title": title})
    order = {"field": "TITLE", "direction": "ASC"}
    first = (await gql.data(LIST, first=2, orderBy=order))["tasks"]
    assert [edge["node"]["title"] for edge in first["edges"]] == ["b", "d"]
    for title in ("a", "c", "e", "D"):
        await gql.data(CREATE, input={"title": title})
    rest = await _walk(gql, 2, orderBy=order, after=first["pageInfo"]["endCursor"])
    titles = [edge["node"]["title"] for page in rest for edge in page["edges"]]
    # "D" ties with "d" on the title and has the larger id, so it sorts after the cursor.
    assert titles == ["D", "e", "f", "h"]


async def test_deleting_the_cursor_task_does_not_break_the_next_page(
    client: httpx.AsyncClient,
) -> None:
    gql = GraphQL(client, OWNER)
    ids = [(await gql.data(CREATE, input={"title": f"t{i}"}))["createTask"]["id"] for i in range(5)]
    page = (await gql.data(LIST, first=2))["tasks"]
    assert [edge["node"]["id"] for edge in page["edges"]] == [ids[4], ids[3]]
    await gql.data(DELETE, id=ids[3])
    rest = (await gql.data(LIST, first=10, after=page["pageInfo"]["endCursor"]))["tasks"]
    assert [edge["node"]["id"] for edge in rest["edges"]] == [ids[2], ids[1], ids[0]]


async def _assert_bad_cursor(gql: GraphQL, case: str, cursor: str, **variables: Any) -> None:
    body = await gql.execute(LIST, after=cursor, **variables)
    assert body["data"] is None, (case, body)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", (case, error)
    assert error["extensions"]["field"] == "after", (case, error)
    assert error["message"] == "after: is not a cursor from this list and order", (case, error)


NOW = "2030-01-01T00:00:00+00:00"
TAMPERED_DEFAULT_ORDER = {
    "empty": "",
    "garbage": "not a cursor!",
    "base64 of plain text": _cursor("hello"),
    "JSON but not a list": _cursor({"a": 1, "b": 2, "c": 3}),
    "a number": _cursor("42"),
    "too few values": _cursor(["created_at", "desc", [NOW]]),
    "too many values": _cursor(["created_at", "desc", [NOW, 1, 2]]),
    "string where the id goes": _cursor(["created_at", "desc", [NOW, "1"]]),
    "float where the id goes": _cursor(["created_at", "desc", [NOW, 1.0]]),
    "bool where the id goes": _cursor(["created_at", "desc", [NOW, True]]),
    "null where the id goes": _cursor(["created_at", "desc", [NOW, None]]),
    "null timestamp": _cursor(["created_at", "desc", [None, 1]]),
    "id of 2**63": _cursor(["created_at", "desc", [NOW, 2**63]]),
    "id of 10**30": _cursor(["created_at", "desc", [NOW, 10**30]]),
    "number where the timestamp goes": _cursor(["created_at", "desc", [12345, 1]]),
    "not a timestamp": _cursor(["created_at", "desc", ["yesterday", 1]]),
    "timestamp past year 9999 in UTC": _cursor(
        ["created_at", "desc", ["9999-12-31T23:59:59-23:00", 1]]
    ),
    "timestamp before year 1 in UTC": _cursor(
        ["created_at", "desc", ["0001-01-01T00:00:00+05:00", 1]]
    ),
    "deeply nested JSON": _cursor("[" * 5000 + "]" * 5000),
    "another direction": _cursor(["created_at", "asc", [NOW, 1]]),
    "unknown order": _cursor(["nope", "desc", [NOW, 1]]),
}


async def test_a_bad_cursor_is_bad_user_input(client: httpx.AsyncClient) -> None:
    gql = GraphQL(client, OWNER)
    await gql.data(CREATE, input={"title": "there is something to page through"})
    for case, cursor in TAMPERED_DEFAULT_ORDER.items():
        await _assert_bad_cursor(gql, case, cursor)


TAMPERED_OTHER_ORDERS = {
    "TITLE with a NUL character": ("TITLE", ["title", "asc", ["a\x00", 1]]),
    "TITLE with a lone surrogate": ("TITLE", ["title", "asc", ["a\ud800", 1]]),
    "TITLE with a number": ("TITLE", ["title", "asc", [7, 1]]),
    "PRIORITY rank as a string": ("PRIORITY", ["priority", "asc", ["2", 1]]),
    "PRIORITY rank of 2**64": ("PRIORITY", ["priority", "asc", [2**64, 1]]),
    "DUE_DATE null flag": ("DUE_DATE", ["due_date", "asc", [None, NOW, 1]]),
    "DUE_DATE flag as a string": ("DUE_DATE", ["due_date", "asc", ["0", NOW, 1]]),
}


async def test_a_tampered_cursor_of_another_order_is_bad_user_input(
    client: httpx.AsyncClient,
) -> None:
    gql = GraphQL(client, OWNER)
    await gql.data(CREATE, input={"title": "something", "dueDate": NOW})
    for case, (field, raw) in TAMPERED_OTHER_ORDERS.items():
        order = {"field": field, "direction": "ASC"}
        await _assert_bad_cursor(gql, case, _cursor(raw), orderBy=order)


# Values of the right type that no row can have; beyond 32 bits PostgreSQL's driver used to fail
# on the bound parameter (INTERNAL_SERVER_ERROR and an ERROR log line per request).
OUT_OF_RANGE: dict[str, tuple[str, list[Any]]] = {
    "PRIORITY rank of 2**31": ("PRIORITY", [2**31, 1]),
    "PRIORITY rank of -(2**31) - 1": ("PRIORITY", [-(2**31) - 1, 1]),
    "PRIORITY rank of 3": ("PRIORITY", [3, 1]),
    "PRIORITY rank of -1": ("PRIORITY", [-1, 1]),
    "DUE_DATE flag of 2**31": ("DUE_DATE", [2**31, NOW, 1]),
    "DUE_DATE flag of 2": ("DUE_DATE", [2, NOW, 1]),
    "DUE_DATE flag of -1": ("DUE_DATE", [-1, NOW, 1]),
    "DUE_DATE flag 0 without a date": ("DUE_DATE", [0, None, 1]),
    "DUE_DATE flag 1 with a date": ("DUE_DATE", [1, NOW, 1]),
    "id of 0": ("CREATED_AT", [NOW, 0]),
    "negative id": ("CREATED_AT", [NOW, -1]),
    "id of -(2**63)": ("CREATED_AT", [NOW, -(2**63)]),
    "TITLE longer than any title lower-cased": ("TITLE", ["a" * 401, 1]),
}


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_a_cursor_value_out_of_its_range_is_bad_user_input(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, direction: str
) -> None:
    gql = GraphQL(client, OWNER)
    await gql.data(CREATE, input={"title": "something", "dueDate": NOW})
    for case, (field, values) in OUT_OF_RANGE.items():
        raw = [field.lower(), direction.lower(), values]
        order = {"field": field, "direction": direction}
        await _assert_bad_cursor(gql, case, _cursor(raw), orderBy=order)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_a_cursor_after_the_longest_lower_cased_title_works(
    client: httpx.AsyncClient,
) -> None:
    # "İ" lower-cases to two characters: the title cursor's bound is twice the title's.
    gql = GraphQL(client, OWNER)
    for title in ("İ" * 200, "z"):
        await gql.data(CREATE, input={"title": title})
    order = {"field": "TITLE", "direction": "ASC"}
    first = (await gql.data(LIST, first=1, orderBy=order))["tasks"]
    assert [edge["node"]["title"] for edge in first["edges"]] == ["İ" * 200]
    rest = (await gql.data(LIST, after=first["pageInfo"]["endCursor"], orderBy=order))["tasks"]
    assert [edge["node"]["title"] for edge in rest["edges"]] == ["z"]


async def test_a_cursor_from_another_order_is_bad_user_input(client: httpx.AsyncClient) -> None:
    gql = GraphQL(client, OWNER)
    for title in ("a", "b", "c"):
        await gql.data(CREATE, input={"title": title})
    by_title = {"field": "TITLE", "direction": "ASC"}
    cursor = (await gql.data(LIST, first=1, orderBy=by_title))["tasks"]["pageInfo"]["endCursor"]
    await _assert_bad_cursor(gql, "default order", cursor)
    await _assert_bad_cursor(
        gql, "TITLE DESC", cursor, orderBy={"field": "TITLE", "direction": "DESC"}
    )
    await _assert_bad_cursor(
        gql, "PRIORITY ASC", cursor, orderBy={"field": "PRIORITY", "direction": "ASC"}
    )
    # The same cursor is fine with the order it came from.
    page = (await gql.data(LIST, after=cursor, orderBy=by_title))["tasks"]
    assert [edge["node"]["title"] for edge in page["edges"]] == ["b", "c"]


async def test_a_null_due_date_cursor_continues_among_the_undated(
    client: httpx.AsyncClient,
) -> None:
    gql = GraphQL(client, OWNER)
    for title, due in (("x", None), ("y", NOW), ("z", None)):
        await gql.data(CREATE, input={"title": title, "dueDate": due})
    order = {"field": "DUE_DATE", "direction": "DESC"}
    first = (await gql.data(LIST, first=2, orderBy=order))["tasks"]
    assert [edge["node"]["title"] for edge in first["edges"]] == ["y", "z"]
    rest = (await gql.data(LIST, after=first["pageInfo"]["endCursor"], orderBy=order))["tasks"]
    assert [edge["node"]["title"] for edge in rest["edges"]] == ["x"]
