"""Databases for the checks: a fresh one per check, on SQLite (default) or PostgreSQL.

`--database postgresql` (or WORKBOOK_DATABASE=postgresql) runs a lesson's checks against the real
server; each check gets its own schema there (selected with `search_path` in the URL), dropped
afterwards, so checks never see each other's rows and never touch a learner's own database.
"""

from __future__ import annotations

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

    def selects(self) -> list[str]:
        return [s for s in self.statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]

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


def sqlite_url(folder: Path, name: str = "check.db", driver: str = "sqlite") -> str:
    return f"{driver}:///{folder / name}"


@contextmanager
def postgres_schema(driver: str = "postgresql+psycopg") -> Iterator[str]:
    """A URL whose connections use a new, empty schema; the schema is dropped afterwards."""
    from sqlalchemy import create_engine

    base = services.postgres_url().replace("postgresql+psycopg", driver, 1)
    admin_url = services.postgres_url()
    schema = f"wb_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        separator = "&" if "?" in base else "?"
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


@contextmanager
def fresh_database(kind: str, folder: Path, *, asynchronous: bool = False) -> Iterator[str]:
    """A database URL for one check: a new SQLite file in `folder`, or a new PostgreSQL schema."""
    if kind == "sqlite":
        yield sqlite_url(folder, driver="sqlite+aiosqlite" if asynchronous else "sqlite")
    elif kind == "postgresql":
        with postgres_schema() as url:  # psycopg 3 serves sync and async engines alike
            yield url
    else:
        raise ValueError(f"unknown database kind {kind!r}; use one of {KINDS}")
