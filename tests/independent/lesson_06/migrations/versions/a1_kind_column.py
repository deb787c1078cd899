"""kind column, without batch mode: plain ADD/DROP COLUMN"""

import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = "0001"


def upgrade():
    op.add_column("tasks", sa.Column("kind", sa.String(10), nullable=False, server_default="task"))
    op.create_index("by_kind", "tasks", ["kind"])


def downgrade():
    op.drop_index("by_kind", table_name="tasks")
    op.drop_column("tasks", "kind")
