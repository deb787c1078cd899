"""Users get a role; projects get an owner.

Revision ID: 0004
Revises: 0003
Create Date: 2026-03-22 09:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = sa.Enum("admin", "member", "viewer", name="role", native_enum=False, length=20)


def upgrade() -> None:
    # Every existing user becomes a member; make the first admin with SQL (README).
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("role", ROLE, server_default="member", nullable=False))
    # Existing projects have no owner: only admins and viewers see them until one is set.
    with op.batch_alter_table("projects") as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_projects_owner_id_users"), "users", ["owner_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_projects_owner_id"), ["owner_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch_op:
        batch_op.drop_index(batch_op.f("ix_projects_owner_id"))
        batch_op.drop_constraint(batch_op.f("fk_projects_owner_id_users"), type_="foreignkey")
        batch_op.drop_column("owner_id")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("role")
