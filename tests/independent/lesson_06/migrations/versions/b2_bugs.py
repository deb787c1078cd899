"""data: titles starting with bug: are bugs"""

from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.execute("UPDATE tasks SET kind = 'bug' WHERE lower(title) LIKE 'bug:%'")


def downgrade():
    pass
