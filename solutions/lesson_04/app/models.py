"""The tables, as typed SQLAlchemy models.

`Mapped[...]` gives each column its Python type (and nullability: `str | None` may be NULL);
`mapped_column(...)` adds what the type cannot say - lengths, keys, defaults, uniqueness. The
metadata's naming convention gives every constraint and index a predictable name, which the
migrations of lesson 06 rely on.
"""

from datetime import date

from sqlalchemy import JSON, Enum, ForeignKey, Index, MetaData, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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


class Project(Base):
    __tablename__ = "projects"

    # TODO(models): a project has an integer primary key `id`, a `name` of at most 100 characters
    #   that no two projects share - declare it unique, so the database itself refuses a
    #   duplicate - and a `description` (text, "" when not given).
    ### BEGIN SOLUTION
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    ### STARTER
    # id: Mapped[int] = mapped_column(primary_key=True)
    ### END SOLUTION


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Stored as text ("todo", "in_progress", "done"), not as a PostgreSQL ENUM type: a text column
    # is the same on every database and easy to migrate.
    status: Mapped[TaskStatus] = mapped_column(
        Enum(TaskStatus, native_enum=False, length=20), default=TaskStatus.todo
    )
    priority: Mapped[int] = mapped_column(default=3)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    assignee_email: Mapped[str | None] = mapped_column(String(320))
    start_date: Mapped[date | None]
    due_date: Mapped[date | None]
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    created_by_ip: Mapped[str | None] = mapped_column(String(45))  # never shown to clients

    # TODO(title-rule): the title rule, kept by the database: no two open tasks (status other
    #   than done) may have the same title. A unique constraint on the title alone would also
    #   refuse a done task's title; make it a unique index that covers only the open tasks.
    ### BEGIN SOLUTION
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
    ### END SOLUTION
