"""Tasks get a kind: task, bug or feature.

Revision ID: 0002
Revises: 0001
Create Date: 2026-03-08 10:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND = sa.Enum("task", "bug", "feature", name="taskkind", native_enum=False, length=20)

# The table as this migration sees it: only the columns it reads or writes. A migration never
# imports the app's models - they describe the schema of today, not the one at this revision.
tasks = sa.table("tasks", sa.column("title", sa.String), sa.column("kind", sa.String))


def upgrade() -> None:
    # The table already has rows: a NOT NULL column needs a value for each of them. The server
    # default gives every existing row (and every INSERT that leaves kind out) "task".
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.add_column(sa.Column("kind", KIND, server_default="task", nullable=False))
        batch_op.create_index(batch_op.f("ix_tasks_kind"), ["kind"], unique=False)

    # A data migration: the team used to mark bugs in the title ("Bug: login fails"). Those
    # tasks become bugs. One UPDATE, run by the database, whatever the number of rows.
    op.execute(tasks.update().where(sa.func.lower(tasks.c.title).like("bug:%")).values(kind="bug"))


def downgrade() -> None:
    # The kind goes again (bugs keep "Bug:" in their titles, so nothing else is lost).
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasks_kind"))
        batch_op.drop_column("kind")
