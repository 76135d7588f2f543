"""The benchmark's databases: made by the project's migrations, filled in SQL, not via the API."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]

from api.auth.tokens import mint_token
from db.migrate import upgrade_async

USER_PREFIX = "bench-user-"
TOKEN_LIFETIME = timedelta(hours=12)

# Tasks are inserted round-robin over the users (ORDER BY t, u), as if they had been created over
# time: one user's tasks are spread over the table's pages rather than packed together, which
# is the realistic (and costlier) layout for a per-user list.
SEED_TASKS = """
INSERT INTO tasks (user_id, title, description, completed, priority, due_date,
                   created_at, updated_at, version)
SELECT $1 || lpad(u::text, 6, '0'),
       'Task ' || t || ' of user ' || u,
       CASE WHEN t % 3 = 0 THEN 'Notes for task ' || t END,
       t % 4 = 0,
       (ARRAY['low', 'medium', 'high'])[1 + t % 3],
       CASE WHEN t % 5 = 0 THEN now() + t * interval '1 day' END,
       now() - interval '30 days' + (t * $3::bigint + u) * interval '1 millisecond',
       now() - interval '30 days' + (t * $3::bigint + u) * interval '1 millisecond',
       1
FROM generate_series(1, $4::int) AS t, generate_series($2::int, $2::int + $3::int - 1) AS u
ORDER BY t, u
"""
# Every user who has written has a list revision (the service bumps it on each write).
SEED_REVISIONS = """
INSERT INTO task_list_revisions (user_id, revision)
SELECT $1 || lpad(u::text, 6, '0'), 1 FROM generate_series($2::int, $2::int + $3::int - 1) AS u
ON CONFLICT (user_id) DO NOTHING
"""


def user_id(number: int, prefix: str = USER_PREFIX) -> str:
    return f"{prefix}{number:06d}"


def database_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


async def recreate_database(admin_url: str, name: str) -> str:
    """An empty database `name` (dropped first if it exists), migrated to the newest revision."""
    admin = await asyncpg.connect(admin_url, timeout=10)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = database_url(admin_url, name)
    await upgrade_async(url)
    return url


async def drop_database(admin_url: str, name: str) -> None:
    admin = await asyncpg.connect(admin_url, timeout=10)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def seed_tasks(
    url: str, users: int, tasks: int, *, first_user: int = 1, prefix: str = USER_PREFIX
) -> None:
    """`tasks` tasks for each of `users` users numbered from `first_user`; then VACUUM ANALYZE.

    The vacuum sets the visibility map, so counts can be index-only scans as in a settled table.
    """
    connection = await asyncpg.connect(url, timeout=10)
    try:
        await connection.execute(SEED_TASKS, prefix, first_user, users, tasks)
        await connection.execute(SEED_REVISIONS, prefix, first_user, users)
        await connection.execute("VACUUM (ANALYZE) tasks, task_list_revisions")
    finally:
        await connection.close()


async def write_data_file(
    url: str, users: Sequence[str], secret: str, path: Path, *, with_task_ids: bool = True
) -> None:
    """The file load.lua reads: each user, a token of theirs and their task ids."""
    ids: dict[str, list[int]] = {}
    if with_task_ids:
        connection = await asyncpg.connect(url, timeout=10)
        try:
            rows = await connection.fetch(
                "SELECT user_id, array_agg(id ORDER BY id) AS ids FROM tasks"
                " WHERE user_id = ANY($1::text[]) GROUP BY user_id",
                list(users),
            )
        finally:
            await connection.close()
        ids = {row["user_id"]: row["ids"] for row in rows}
    with path.open("w") as file:
        for user in users:
            token = mint_token(secret, user, lifetime=TOKEN_LIFETIME)
            file.write(f"{user}\t{token}\t{' '.join(map(str, ids.get(user, [])))}\n")
