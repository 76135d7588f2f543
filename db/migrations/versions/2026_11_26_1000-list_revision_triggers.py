"""list revision triggers

The list revision is bumped by the database on every insert, update and delete of a task, in
the same statement: writes stay single statements, and no write path can forget it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTGRESQL_FUNCTION = """
CREATE FUNCTION bump_task_list_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_list_revisions (user_id, revision)
    VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END, 1)
    ON CONFLICT (user_id) DO UPDATE SET revision = task_list_revisions.revision + 1;
    RETURN NULL;
END
$$
"""
POSTGRESQL_TRIGGER = """
CREATE TRIGGER tasks_bump_list_revision AFTER INSERT OR UPDATE OR DELETE ON tasks
FOR EACH ROW EXECUTE FUNCTION bump_task_list_revision()
"""
SQLITE_TRIGGER = """
CREATE TRIGGER tasks_bump_list_revision_{event} AFTER {event} ON tasks BEGIN
    INSERT INTO task_list_revisions (user_id, revision) VALUES ({row}.user_id, 1)
    ON CONFLICT (user_id) DO UPDATE SET revision = revision + 1;
END
"""
SQLITE_EVENTS = {"insert": "NEW", "update": "NEW", "delete": "OLD"}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
        return
    for event, row in SQLITE_EVENTS.items():
        op.execute(SQLITE_TRIGGER.format(event=event, row=row))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER tasks_bump_list_revision ON tasks")
        op.execute("DROP FUNCTION bump_task_list_revision()")
        return
    for event in SQLITE_EVENTS:
        op.execute(f"DROP TRIGGER tasks_bump_list_revision_{event}")
