"""Databases for the checks: a fresh one per check, on SQLite (default) or PostgreSQL.

`--database postgresql` (or WORKBOOK_DATABASE=postgresql) runs a lesson's checks against the real
server; each check gets its own schema there (selected with `search_path` in the URL), dropped
afterwards, so checks never see each other's rows and never touch a learner's own database.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbook import services

DATABASE_ENV = "WORKBOOK_DATABASE"
KINDS = ("sqlite", "postgresql")


@dataclass
class QueryLog:
    """The SQL statements run while counting (see `count_queries`)."""

    statements: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.statements)

    def summary(self, limit: int = 8) -> str:
        shown = [" ".join(s.split())[:160] for s in self.statements[:limit]]
        more = f"\n  ... and {len(self.statements) - limit} more" if len(self.statements) > limit else ""
        return "\n".join(f"  {s}" for s in shown) + more


@contextmanager
def count_queries() -> Iterator[QueryLog]:
    """Count every statement any SQLAlchemy engine runs (sync, or async through its sync_engine)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    log = QueryLog()

    def listener(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        log.statements.append(statement)

    event.listen(Engine, "before_cursor_execute", listener)
    try:
        yield log
    finally:
        event.remove(Engine, "before_cursor_execute", listener)


def sqlite_url(folder: Path, name: str = "check.db") -> str:
    return f"sqlite:///{folder / name}"


_admin: Any = None


def _admin_engine() -> Any:
    """One autocommit pool for creating and dropping the checks' schemas, kept for the whole run."""
    global _admin
    if _admin is None:
        from sqlalchemy import create_engine

        _admin = create_engine(services.postgres_url(), isolation_level="AUTOCOMMIT")
    return _admin


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL whose connections use a new, empty schema; the schema is dropped afterwards.

    The URL tags its connections (`application_name`), so any the code under check left open - a
    session never closed keeps its transaction and its locks - are ended before the drop instead
    of blocking it forever."""
    from sqlalchemy import text

    url = services.postgres_url()
    schema = f"wb_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}&application_name={schema}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql("SET lock_timeout = '10s'")
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": schema},
            )
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """A database URL for one check: a new SQLite file, or a new PostgreSQL schema.

    SQLite files go to memory-backed /dev/shm where there is one: a commit there costs no fsync,
    which halves the database lessons' check runs on an ordinary disk."""
    if kind == "sqlite":
        shm = Path("/dev/shm")
        parent = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
        with tempfile.TemporaryDirectory(prefix="workbook-", dir=parent) as folder:
            yield sqlite_url(Path(folder))
    elif kind == "postgresql":
        with postgres_schema() as url:
            yield url
    else:
        raise ValueError(f"unknown database kind {kind!r}; use one of {KINDS}")
