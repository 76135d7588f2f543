"""If-Match naming many versions: a client's header never makes a statement per request, a 503
or a 500 (the versions become a few statement shapes; more than 100 tags is a 422)."""

from __future__ import annotations

import httpx

from api.rest.conditional import IF_MATCH_TAGS_MAX
from db.tasks import _toggle_statement
from tests.support.auth import auth
from tests.support.rest_client import create, tasks_url


def _if_match(count: int, start: int = 1000) -> str:
    return ",".join(f'"{version}"' for version in range(start, start + count))


async def test_more_than_a_hundred_tags_is_a_422_naming_the_header(
    client: httpx.AsyncClient,
) -> None:
    task = await create(client, "alice")
    response = await client.patch(
        tasks_url("alice", task["id"], "toggle"),
        headers={**auth("alice"), "If-Match": _if_match(IF_MATCH_TAGS_MAX + 1)},
    )
    assert response.status_code == 422, response.text
    assert (
        response.json()["message"] == f"if-match: names more than {IF_MATCH_TAGS_MAX} entity tags"
    )
    after = await client.get(tasks_url("alice", task["id"]), headers=auth("alice"))
    assert after.json()["version"] == 1  # nothing changed


async def test_any_count_of_versions_reuses_a_handful_of_statements(
    client: httpx.AsyncClient,
) -> None:
    task = await create(client, "alice")
    url = tasks_url("alice", task["id"], "toggle")
    _toggle_statement.cache_clear()
    for count in range(1, IF_MATCH_TAGS_MAX + 1):
        response = await client.patch(url, headers={**auth("alice"), "If-Match": _if_match(count)})
        assert response.status_code == 412
    # Counts padded to powers of two: 1, 2, 4, ... 128.
    assert _toggle_statement.cache_info().currsize <= 8, _toggle_statement.cache_info()
    matching = _if_match(IF_MATCH_TAGS_MAX - 1) + ', "1"'  # the current version, last of 100
    response = await client.patch(url, headers={**auth("alice"), "If-Match": matching})
    assert (response.status_code, response.json()["version"]) == (200, 2)
