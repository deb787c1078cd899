"""start"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.UniqueConstraint("name", name="projects_name_key"),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("status", sa.String(11), nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("start_date", sa.Date),
        sa.Column("due_date", sa.Date),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("assignee_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("created_by_ip", sa.String(64)),
    )
    where = sa.text("status != 'done'")
    op.create_index("open_titles", "tasks", ["title"], unique=True, sqlite_where=where, postgresql_where=where)
    op.create_index("by_status_due", "tasks", ["status", "due_date"])
    op.create_index("by_due", "tasks", ["due_date"])
    op.create_index("by_project", "tasks", ["project_id"])
    op.create_index("by_assignee", "tasks", ["assignee_id", "status"])


def downgrade():
    op.drop_table("tasks")
    op.drop_table("projects")
    op.drop_table("users")
