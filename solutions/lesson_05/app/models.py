"""The tables, as typed SQLAlchemy models, and how they relate.

`Mapped[...]` gives each column its Python type (and nullability: `str | None` may be NULL);
`mapped_column(...)` adds what the type cannot say - lengths, keys, defaults, uniqueness, an index.
`relationship()` turns a foreign key into an attribute holding the related object: `task.project`
is a Project, `task.assignee` a User or None. The metadata's naming convention gives every
constraint and index a predictable name, which the migrations of lesson 06 rely on.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Enum, ForeignKey, Index, MetaData, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app.schemas import TaskStatus

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


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[int] = mapped_column(default=3)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    start_date: Mapped[date | None]
    created_by_ip: Mapped[str | None] = mapped_column(String(45))  # never shown to clients

    # TODO(indexes): the columns GET /tasks filters and sorts on - status, due_date, project_id
    #   and assignee_id - each get an index (mapped_column(..., index=True)), so the database can
    #   find the matching rows without reading the whole table. PostgreSQL does not index a
    #   foreign key column by itself.
    ### BEGIN SOLUTION
    # Stored as text ("todo", "in_progress", "done"), not as a PostgreSQL ENUM type: a text column
    # is the same on every database and easy to migrate.
    status: Mapped[TaskStatus] = mapped_column(
        Enum(TaskStatus, native_enum=False, length=20), default=TaskStatus.todo, index=True
    )
    due_date: Mapped[date | None] = mapped_column(index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    ### STARTER
    # # Stored as text ("todo", "in_progress", "done"), not as a PostgreSQL ENUM type: a text column
    # # is the same on every database and easy to migrate.
    # status: Mapped[TaskStatus] = mapped_column(
    #     Enum(TaskStatus, native_enum=False, length=20), default=TaskStatus.todo
    # )
    # due_date: Mapped[date | None]
    # project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    # assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ### END SOLUTION

    # TODO(relationships): `project`, the task's Project, and `assignee`, its User or None - each
    #   a relationship() over the foreign key above (and in app/schemas.py, TaskPublic shows them).
    ### BEGIN SOLUTION
    project: Mapped[Project] = relationship()
    assignee: Mapped[User | None] = relationship()
    ### END SOLUTION

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
