"""tasks row level security

Defense in depth on PostgreSQL: a role subject to row level security sees and writes only the
tasks of the user named by the transaction's `app.user_id` (set by db.session when
DATABASE_ROW_LEVEL_SECURITY is on), even through a query that forgot its owner filter.
FORCE applies the policy to the table's owner too; superusers and BYPASSRLS roles (Neon's
default roles among them) still bypass it: connect as a role like the README's `todo_app`.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 10:05:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "user_id = current_setting('app.user_id', true)"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE tasks ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE tasks FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tasks_owner ON tasks USING ({OWNER}) WITH CHECK ({OWNER})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP POLICY tasks_owner ON tasks")
    op.execute("ALTER TABLE tasks NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE tasks DISABLE ROW LEVEL SECURITY")
