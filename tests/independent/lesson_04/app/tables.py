"""SQLAlchemy Core only: tables, an engine per app, a connection per request."""

import os
from typing import Iterator

from fastapi import Depends
from sqlalchemy import (
    JSON, Column, Connection, Date, ForeignKey, Index, Integer, MetaData, String, Table, Text,
    UniqueConstraint, create_engine,
)

meta = MetaData()

projects = Table(
    "projects", meta,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("description", Text, nullable=False, default=""),
    UniqueConstraint("name", name="projects_name_key"),
)

tasks = Table(
    "tasks", meta,
    Column("id", Integer, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("status", String(11), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("assignee_email", String(254)),
    Column("start_date", Date),
    Column("due_date", Date),
    Column("project_id", ForeignKey("projects.id")),
    Column("created_by_ip", String(64)),
)
Index("open_titles", tasks.c.title, unique=True,
      sqlite_where=tasks.c.status != "done", postgresql_where=tasks.c.status != "done")

url = os.environ.get("DATABASE_URL", "sqlite:///dev.sqlite3")
engine = create_engine(url, connect_args={"check_same_thread": False} if url.startswith("sqlite") else {})


def connection() -> Iterator[Connection]:
    with engine.connect() as conn:
        yield conn


def db(conn: Connection = Depends(connection)) -> Connection:
    return conn
