"""The reference's SQL, written by hand: what a minimal tasks backend on asyncpg would send."""

from __future__ import annotations

from collections.abc import Sequence

COLUMNS = (
    "id, user_id, title, description, completed, priority, due_date, created_at, updated_at,"
    " version"
)
PAGE = f"""
SELECT {COLUMNS} FROM tasks WHERE user_id = $1
ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3
"""
COUNT = "SELECT count(*) FROM tasks WHERE user_id = $1"
# bench/minimal.py: the page and the count in one statement. The count is the first column of
# every row; a page past the end is one row of NULLs, so the count is there even then.
PAGE_AND_COUNT = f"""
SELECT c.total, p.* FROM (SELECT count(*) AS total FROM tasks WHERE user_id = $1) AS c
LEFT JOIN LATERAL ({PAGE}) AS p ON true
ORDER BY p.created_at DESC, p.id DESC
"""
INSERT = f"""
INSERT INTO tasks (user_id, title, description, priority, due_date, completed,
                   created_at, updated_at, version)
VALUES ($1, $2, $3, $4, $5, false, $6, $6, 1)
RETURNING {COLUMNS}
"""
TOGGLE = f"""
UPDATE tasks SET completed = NOT completed, version = version + 1, updated_at = $3
WHERE user_id = $1 AND id = $2
RETURNING {COLUMNS}
"""
UPDATABLE = frozenset({"title", "description", "priority"})


def update_statement(fields: Sequence[str]) -> str:
    """UPDATE of `fields` (parameters $4 on, after owner, id and updated_at) RETURNING the task."""
    assert set(fields) <= UPDATABLE  # column names are never taken from the request as text
    changes = "".join(f"{name} = ${number}, " for number, name in enumerate(fields, start=4))
    return f"""
UPDATE tasks SET {changes}version = version + 1, updated_at = $3
WHERE user_id = $1 AND id = $2
RETURNING {COLUMNS}
"""
