"""Filters of `tasks` through /graphql: status, priority, search, and their combinations."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.graphql_client import CREATE, LIST, TOGGLE, GraphQL

OWNER = "alice"


async def _create(gql: GraphQL, title: str, **fields: Any) -> str:
    task_id: str = (await gql.data(CREATE, input={"title": title, **fields}))["createTask"]["id"]
    return task_id


async def _titles(gql: GraphQL, **variables: Any) -> set[str]:
    """The titles of every match (on one page) after checking totalCount agrees."""
    page = (await gql.data(LIST, first=100, **variables))["tasks"]
    titles = [edge["node"]["title"] for edge in page["edges"]]
    assert page["totalCount"] == len(titles)
    assert len(set(titles)) == len(titles)
    return set(titles)


@pytest.fixture
async def board(client: httpx.AsyncClient) -> GraphQL:
    """Six tasks over every status and priority; plus one of another user that never shows."""
    gql = GraphQL(client, OWNER)
    specs = [
        ("Pay rent", "HIGH", "due on the first", True),
        ("Water plants", "LOW", None, False),
        ("Write report", "HIGH", "for the quarterly MEETING", False),
        ("Book dentist", "MEDIUM", None, True),
        ("Call Mom", "MEDIUM", "about the meeting on sunday", False),
        ("Read a book", "LOW", "anything but reports", True),
    ]
    for title, priority, description, completed in specs:
        task_id = await _create(gql, title, priority=priority, description=description)
        if completed:
            await gql.data(TOGGLE, id=task_id)
    await _create(GraphQL(client, "bob"), "Bob's report meeting", priority="HIGH")
    return gql


async def test_status_filter(board: GraphQL) -> None:
    everything = {
        "Pay rent",
        "Water plants",
        "Write report",
        "Book dentist",
        "Call Mom",
        "Read a book",
    }
    assert await _titles(board) == everything
    assert await _titles(board, filter={"status": "ALL"}) == everything
    assert await _titles(board, filter={"status": "PENDING"}) == {
        "Water plants",
        "Write report",
        "Call Mom",
    }
    assert await _titles(board, filter={"status": "COMPLETED"}) == {
        "Pay rent",
        "Book dentist",
        "Read a book",
    }


async def test_priority_filter(board: GraphQL) -> None:
    assert await _titles(board, filter={"priority": "HIGH"}) == {"Pay rent", "Write report"}
    assert await _titles(board, filter={"priority": "MEDIUM"}) == {"Book dentist", "Call Mom"}
    assert await _titles(board, filter={"priority": "LOW"}) == {"Water plants", "Read a book"}
    assert await _titles(board, filter={"priority": None}) == await _titles(board)


async def test_search_is_case_insensitive_on_title_and_description(board: GraphQL) -> None:
    for search in ("report", "REPORT", "RePoRt"):
        # "Write report" by its title, "Read a book" by its description ("reports").
        found = await _titles(board, filter={"search": search})
        assert found == {"Write report", "Read a book"}, search


async def test_search_matches_description_text_in_any_case(board: GraphQL) -> None:
    assert await _titles(board, filter={"search": "meeting"}) == {"Write report", "Call Mom"}
    assert await _titles(board, filter={"search": "Book"}) == {"Book dentist", "Read a book"}
    assert await _titles(board, filter={"search": "nothing like this"}) == set()


async def test_filters_combine(board: GraphQL) -> None:
    assert await _titles(board, filter={"status": "PENDING", "search": "meeting"}) == {
        "Write report",
        "Call Mom",
    }
    assert await _titles(
        board, filter={"status": "PENDING", "priority": "HIGH", "search": "meeting"}
    ) == {"Write report"}
    assert await _titles(board, filter={"status": "COMPLETED", "priority": "HIGH"}) == {"Pay rent"}
    assert await _titles(board, filter={"status": "COMPLETED", "search": "meeting"}) == set()
    assert await _titles(board, filter={"priority": "LOW", "search": "book"}) == {"Read a book"}


async def test_total_count_follows_the_filter_on_every_page(board: GraphQL) -> None:
    seen: list[str] = []
    after = None
    while True:
        page = (
            await board.data(
                LIST, first=1, after=after, filter={"search": "A", "status": "PENDING"}
            )
        )["tasks"]
        # Pending with an "a": Water plants, Call Mom, Write report (in its description).
        assert page["totalCount"] == 3
        seen += [edge["node"]["title"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == ["Call Mom", "Water plants", "Write report"]


async def test_filters_and_order_together(board: GraphQL) -> None:
    order = {"field": "TITLE", "direction": "ASC"}
    page = (await board.data(LIST, filter={"status": "COMPLETED"}, orderBy=order))["tasks"]
    titles = [edge["node"]["title"] for edge in page["edges"]]
    assert titles == ["Book dentist", "Pay rent", "Read a book"]


@pytest.fixture
async def wildcards(client: httpx.AsyncClient) -> GraphQL:
    gql = GraphQL(client, OWNER)
    for title in ("50% off", "500 items", "a_b", "axb", "ab", "back\\slash", "backslash"):
        await _create(gql, title)
    await _create(gql, "plain", description="100% sure, snake_case")
    return gql


LITERAL_SEARCHES: dict[str, set[str]] = {
    "50%": {"50% off"},
    "%": {"50% off", "plain"},
    "0%": {"50% off", "plain"},
    "a_b": {"a_b"},
    "_": {"a_b", "plain"},
    "e_c": {"plain"},
    "\\": {"back\\slash"},
    "k\\s": {"back\\slash"},
    "%%": set(),
    "__": set(),
    "\\%": set(),
}


async def test_like_wildcards_in_the_search_are_literal(wildcards: GraphQL) -> None:
    for search, expected in LITERAL_SEARCHES.items():
        assert await _titles(wildcards, filter={"search": search}) == expected, search


async def test_search_does_not_show_other_users_tasks(board: GraphQL) -> None:
    assert await _titles(board, filter={"search": "Bob"}) == set()
    assert await _titles(board, filter={"priority": "HIGH", "search": "report"}) == {"Write report"}


async def test_search_and_title_order_fold_non_ascii_case(client: httpx.AsyncClient) -> None:
    gql = GraphQL(client, "unicode-user")
    for title in ["Äpfel kaufen", "ÉCOLE", "zebra", "Ølbrød"]:
        await gql.data(CREATE, input={"title": title})
    found = (await gql.data(LIST, filter={"search": "äpfel"}))["tasks"]
    assert [edge["node"]["title"] for edge in found["edges"]] == ["Äpfel kaufen"]
    found = (await gql.data(LIST, filter={"search": "école"}))["tasks"]
    assert [edge["node"]["title"] for edge in found["edges"]] == ["ÉCOLE"]
