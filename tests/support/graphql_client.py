"""A tiny GraphQL client over the test app."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.auth import auth


class GraphQL:
    def __init__(self, http: httpx.AsyncClient, user_id: str | None) -> None:
        self.http = http
        self.headers = auth(user_id) if user_id is not None else {}

    async def execute(self, query: str, **variables: Any) -> dict[str, Any]:
        """The full response body (data and errors)."""
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, **variables: Any) -> dict[str, Any]:
        """The data of a query that must succeed."""
        body = await self.execute(query, **variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def error_code(self, query: str, **variables: Any) -> str:
        """The code of the first error of a query that must fail."""
        body = await self.execute(query, **variables)
        assert body.get("errors"), body
        code: str = body["errors"][0]["extensions"]["code"]
        return code


TASK_FIELDS = (
    "id title description completed priority dueDate createdAt updatedAt version"
    " recurrence timeZone recurrenceStart occurrence recursFrom"
    " tags { id name color }"
)
CREATE = f"mutation($input: CreateTaskInput!) {{ createTask(input: $input) {{ {TASK_FIELDS} }} }}"
GET = f"query($id: ID!) {{ task(id: $id) {{ {TASK_FIELDS} }} }}"
# The writes take an optional $expectedVersion (left out: any version will do).
UPDATE = (
    f"mutation($id: ID!, $input: UpdateTaskInput!, $expectedVersion: Int) "
    f"{{ updateTask(id: $id, input: $input, expectedVersion: $expectedVersion) "
    f"{{ {TASK_FIELDS} }} }}"
)
TOGGLE = (
    f"mutation($id: ID!, $completed: Boolean, $expectedVersion: Int) "
    f"{{ toggleTask(id: $id, completed: $completed, expectedVersion: $expectedVersion) "
    f"{{ {TASK_FIELDS} }} }}"
)
DELETE = (
    "mutation($id: ID!, $expectedVersion: Int) "
    "{ deleteTask(id: $id, expectedVersion: $expectedVersion) }"
)
LIST = f"""
query($filter: TaskFilter, $orderBy: TaskOrder, $first: Int, $after: String) {{
  tasks(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ cursor node {{ {TASK_FIELDS} }} }}
  }}
}}
"""

TAG_FIELDS = "id name color createdAt taskCount"
TAGS = f"{{ tags {{ {TAG_FIELDS} }} }}"
CREATE_TAG = f"mutation($input: CreateTagInput!) {{ createTag(input: $input) {{ {TAG_FIELDS} }} }}"
UPDATE_TAG = (
    f"mutation($id: ID!, $input: UpdateTagInput!) "
    f"{{ updateTag(id: $id, input: $input) {{ {TAG_FIELDS} }} }}"
)
DELETE_TAG = "mutation($id: ID!) { deleteTag(id: $id) }"
SET_TASK_TAGS = (
    f"mutation($id: ID!, $tagIds: [ID!]!, $expectedVersion: Int) "
    f"{{ setTaskTags(id: $id, tagIds: $tagIds, expectedVersion: $expectedVersion) "
    f"{{ {TASK_FIELDS} }} }}"
)
