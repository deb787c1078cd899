"""a task's description and status (what the dashboard counts)

Revision ID: a3
Revises: a2
"""
import sqlalchemy as sa
from alembic import op

revision = "a3"
down_revision = "a2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tasks") as b:
        b.add_column(sa.Column("description", sa.Text, nullable=False, server_default=""))
        b.add_column(sa.Column("status", sa.String(20), nullable=False, server_default="todo"))
        b.create_index("ix_tasks_status", ["status"])


def downgrade():
    with op.batch_alter_table("tasks") as b:
        b.drop_index("ix_tasks_status")
        b.drop_column("status")
        b.drop_column("description")
