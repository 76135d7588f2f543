"""recurring tasks

A task may recur: its rule (an RRULE of db.recurrence's subset), the IANA time zone the rule is
evaluated in, the series' first due date, the task's place in the series, and the task whose
completion created it. `recurs_from` is unique: completing a task creates at most one next
occurrence, however often and however concurrently it is completed. Existing tasks do not
recur (time zone UTC). The row level security policy on tasks covers the new columns.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.models import TaskId, UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OCCURRENCE_CHECK = "occurrence >= 1"


def upgrade() -> None:
    op.add_column("tasks", sa.Column("recurrence", sa.String(500), nullable=True))
    op.add_column(
        "tasks",
        sa.Column("time_zone", sa.String(64), nullable=False, server_default="UTC"),
    )
    op.add_column("tasks", sa.Column("recurrence_start", UTCDateTime(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("tasks", sa.Column("occurrence", sa.Integer(), nullable=True))
        op.create_check_constraint(
            op.f("ck_tasks_occurrence_positive"), "tasks", OCCURRENCE_CHECK
        )
    else:  # SQLite adds a constraint only with its column
        op.execute(
            "ALTER TABLE tasks ADD COLUMN occurrence INTEGER "
            f"CONSTRAINT ck_tasks_occurrence_positive CHECK ({OCCURRENCE_CHECK})"
        )
    op.add_column("tasks", sa.Column("recurs_from", TaskId, nullable=True))
    op.create_index("uq_tasks_recurs_from", "tasks", ["recurs_from"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_tasks_recurs_from", table_name="tasks")
    # Plain DROP COLUMN on both (SQLite 3.35+): a batch copy of the table would lose its triggers.
    for column in ("recurs_from", "occurrence", "recurrence_start", "time_zone", "recurrence"):
        op.execute(f"ALTER TABLE tasks DROP COLUMN {column}")
