"""tags

Per-user tags and the tags of each task. The foreign keys of `task_tags` include the user, so a
link can only join a user's task to a tag of the same user; deleting a task or a tag deletes its
links, never the other side.

Triggers, like the tasks' list revision trigger, keep the answers' validators truthful whatever
statement changes a tag: every insert, update and delete of a tag bumps its owner's list
revision, and a tag's rename, recolor or delete bumps the version of every task that carries it
(their `tags` change in every answer); their `updated_at` stays, as the tasks themselves were not
edited. Row level security on PostgreSQL scopes both tables as it scopes tasks.

Revision ID: 0005_tags
Revises: 0004
Create Date: 2026-11-27 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.models import TagNameKey, TaskId, UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "user_id = current_setting('app.user_id', true)"
TABLES = ("tags", "task_tags")

BUMP_TASKS = """
UPDATE tasks SET version = version + 1
WHERE user_id = {row}.user_id
  AND id IN (SELECT task_id FROM task_tags WHERE tag_id = {row}.id AND user_id = {row}.user_id)
"""
POSTGRESQL_FUNCTION = f"""
CREATE FUNCTION bump_tagged_task_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {BUMP_TASKS.format(row="OLD")};
    RETURN OLD;
END
$$
"""
POSTGRESQL_TRIGGERS = [
    # The function of the list_revision_triggers migration: it reads the row's user_id.
    """CREATE TRIGGER tags_bump_list_revision AFTER INSERT OR UPDATE OR DELETE ON tags
    FOR EACH ROW EXECUTE FUNCTION bump_task_list_revision()""",
    """CREATE TRIGGER tags_bump_task_versions_on_update AFTER UPDATE OF name, color ON tags
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.color IS DISTINCT FROM NEW.color)
    EXECUTE FUNCTION bump_tagged_task_versions()""",
    # Before the delete: its links are gone after it (ON DELETE CASCADE).
    """CREATE TRIGGER tags_bump_task_versions_on_delete BEFORE DELETE ON tags
    FOR EACH ROW EXECUTE FUNCTION bump_tagged_task_versions()""",
]
SQLITE_REVISION_TRIGGER = """
CREATE TRIGGER tags_bump_list_revision_{event} AFTER {event} ON tags BEGIN
    INSERT INTO task_list_revisions (user_id, revision) VALUES ({row}.user_id, 1)
    ON CONFLICT (user_id) DO UPDATE SET revision = revision + 1;
END
"""
SQLITE_EVENTS = {"insert": "NEW", "update": "NEW", "delete": "OLD"}
SQLITE_TASK_TRIGGERS = [
    f"""CREATE TRIGGER tags_bump_task_versions_on_update AFTER UPDATE OF name, color ON tags
    WHEN OLD.name IS NOT NEW.name OR OLD.color IS NOT NEW.color
    BEGIN {BUMP_TASKS.format(row="OLD")}; END""",
    f"""CREATE TRIGGER tags_bump_task_versions_on_delete BEFORE DELETE ON tags
    BEGIN {BUMP_TASKS.format(row="OLD")}; END""",
]


def upgrade() -> None:
    _create_tables()
    if op.get_bind().dialect.name != "postgresql":
        for event, row in SQLITE_EVENTS.items():
            op.execute(SQLITE_REVISION_TRIGGER.format(event=event, row=row))
        for trigger in SQLITE_TASK_TRIGGERS:
            op.execute(trigger)
        return
    op.execute(POSTGRESQL_FUNCTION)
    for trigger in POSTGRESQL_TRIGGERS:
        op.execute(trigger)
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {table}_owner ON {table} USING ({OWNER}) WITH CHECK ({OWNER})")


def _create_tables() -> None:
    # The target of task_tags' foreign key to tasks: a task's id with its user.
    op.create_index("uq_tasks_id_user_id", "tasks", ["id", "user_id"], unique=True)
    op.create_table(
        "tags",
        sa.Column("id", TaskId, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("name_key", TagNameKey, nullable=False),
        sa.Column("color", sa.String(7), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("user_id", "name_key", name="uq_tags_user_id_name_key"),
        sa.UniqueConstraint("id", "user_id", name="uq_tags_id_user_id"),
        sa.CheckConstraint("length(color) = 7", name=op.f("ck_tags_color_length")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "task_tags",
        sa.Column("task_id", TaskId, nullable=False),
        sa.Column("tag_id", TaskId, nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("task_id", "tag_id", name=op.f("pk_task_tags")),
        sa.ForeignKeyConstraint(
            ["task_id", "user_id"],
            ["tasks.id", "tasks.user_id"],
            name="fk_task_tags_task_id_tasks",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id", "user_id"],
            ["tags.id", "tags.user_id"],
            name="fk_task_tags_tag_id_tags",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_task_tags_tag_id_task_id", "task_tags", ["tag_id", "task_id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP POLICY {table}_owner ON {table}")
        op.execute("DROP TRIGGER tags_bump_list_revision ON tags")
        op.execute("DROP TRIGGER tags_bump_task_versions_on_update ON tags")
        op.execute("DROP TRIGGER tags_bump_task_versions_on_delete ON tags")
        op.execute("DROP FUNCTION bump_tagged_task_versions()")
    else:
        for event in SQLITE_EVENTS:
            op.execute(f"DROP TRIGGER tags_bump_list_revision_{event}")
        op.execute("DROP TRIGGER tags_bump_task_versions_on_update")
        op.execute("DROP TRIGGER tags_bump_task_versions_on_delete")
    op.drop_index("ix_task_tags_tag_id_task_id", table_name="task_tags")
    op.drop_table("task_tags")
    op.drop_table("tags")
    op.drop_index("uq_tasks_id_user_id", table_name="tasks")
