"""The tables, as typed SQLAlchemy models, and how they relate.

The models say what the schema should be; the migrations (migrations/versions/) are how a
database gets there. Change a model, then write the migration that makes the same change: `alembic
check` (and the checks) compare the two and report any difference. The metadata's naming
convention gives every constraint and index the name a migration refers to it by.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Enum, ForeignKey, Index, MetaData, String, Text, text, true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app.schemas import Role, TaskKind, TaskStatus

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    # The password's hash (argon2id; bcrypt and pbkdf2_sha256 from older versions of the app are
    # upgraded at the next login) - never the password. NULL: no password set, cannot log in.
    hashed_password: Mapped[str | None] = mapped_column(String(255))
    # A disabled account cannot log in, and its tokens stop working at once.
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    # What the user may do (app/auth.py): stored as text, like a task's status.
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20), default=Role.member, server_default=Role.member.value
    )


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # Who created the project: members see and change only their own projects and their tasks.
    # NULL for projects from before owners existed: only admins (and viewers) see those.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[int] = mapped_column(default=3)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    start_date: Mapped[date | None]
    created_by_ip: Mapped[str | None] = mapped_column(String(45))  # never shown to clients
    # Stored as text ("todo", "in_progress", "done"), not as a PostgreSQL ENUM type: a text column
    # is the same on every database, and a migration never has to create or drop a type.
    status: Mapped[TaskStatus] = mapped_column(
        Enum(TaskStatus, native_enum=False, length=20), default=TaskStatus.todo, index=True
    )
    due_date: Mapped[date | None] = mapped_column(index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    kind: Mapped[TaskKind] = mapped_column(
        Enum(TaskKind, native_enum=False, length=20),
        default=TaskKind.task,
        server_default=TaskKind.task.value,
        index=True,
    )

    project: Mapped[Project] = relationship()
    assignee: Mapped[User | None] = relationship()

    # The title rule, kept by the database: no two open tasks (status other than done) may have
    # the same title - a unique index that covers only the open tasks.
    __table_args__ = (
        Index(
            "uq_tasks_open_title",
            "title",
            unique=True,
            # A partial index: only rows matching WHERE are in it, so only they must be unique.
            sqlite_where=text("status != 'done'"),
            postgresql_where=text("status != 'done'"),
        ),
    )
