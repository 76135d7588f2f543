"""What the connected PostgreSQL role is subject to, and what it may do with the tables."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from db.models import Base

_SUBJECT_TO_ROW_LEVEL_SECURITY = text(
    """
    SELECT NOT (r.rolsuper OR r.rolbypassrls) AND c.relrowsecurity
    FROM pg_roles r, pg_class c
    WHERE r.rolname = current_user AND c.oid = to_regclass('tasks')
    """
)

# What the README's GRANTs give: these on every table the service uses, USAGE on their
# sequences (a new task's id). A missing table or sequence has NULL, not false, for `granted`.
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")
_GRANTS = text(
    """
    SELECT t.name, p.name, has_table_privilege(to_regclass(t.name), p.name)
    FROM unnest(CAST(:tables AS text[])) AS t(name), unnest(CAST(:privileges AS text[])) AS p(name)
    UNION ALL
    SELECT s.oid::regclass::text, 'USAGE', has_sequence_privilege(s.oid, 'USAGE')
    FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
    WHERE d.deptype IN ('a', 'i')
      AND d.refobjid IN (SELECT to_regclass(name) FROM unnest(CAST(:tables AS text[])) AS name)
    """
)


async def subject_to_row_level_security(connection: AsyncConnection) -> bool:
    """Whether the tasks table's policy applies to the connected role (PostgreSQL only)."""
    if connection.dialect.name != "postgresql":
        return False
    return bool((await connection.execute(_SUBJECT_TO_ROW_LEVEL_SECURITY)).scalar())


async def missing_grants(connection: AsyncConnection) -> str | None:
    """What the role lacks to use the service's tables, as a sentence; None when nothing.

    PostgreSQL only (SQLite has no roles). Without these every request fails with
    "permission denied": typically the GRANTs ran before `todo-api migrate` created the tables.
    """
    if connection.dialect.name != "postgresql":
        return None
    tables = [table.name for table in Base.metadata.sorted_tables]
    result = await connection.execute(
        _GRANTS, {"tables": tables, "privileges": list(TABLE_PRIVILEGES)}
    )
    rows = sorted(result.all(), key=lambda row: _position(tables, row[0], row[1]))
    absent = list(dict.fromkeys(name for name, _, granted in rows if granted is None))
    lacking: dict[str, list[str]] = {}
    for name, privilege, granted in rows:
        if granted is False:
            lacking.setdefault(name, []).append(privilege)
    if not absent and not lacking:
        return None
    role = (await connection.execute(text("SELECT current_user"))).scalar()
    return _sentence(str(role), absent, lacking)


def _position(tables: list[str], name: str, privilege: str) -> tuple[int, str, int]:
    """Tables in the models' order, then sequences; privileges in TABLE_PRIVILEGES' order."""
    order = (*TABLE_PRIVILEGES, "USAGE")
    table = tables.index(name) if name in tables else len(tables)
    return table, name, order.index(privilege) if privilege in order else len(order)


def _sentence(role: str, absent: list[str], lacking: dict[str, list[str]]) -> str:
    if absent:
        return (
            f"the role {role} finds no table {', '.join(absent)}: run `todo-api migrate`, "
            "or GRANT USAGE ON SCHEMA public to it"
        )
    on: dict[str, list[str]] = {}  # the same privileges lacking on several tables: one clause
    for name, privileges in lacking.items():
        on.setdefault(", ".join(privileges), []).append(name)
    what = "; ".join(f"{privileges} on {', '.join(names)}" for privileges, names in on.items())
    return (
        f"the role {role} lacks {what}: GRANT them (after `todo-api migrate`, which creates "
        "the tables; see the README's row level security steps)"
    )
