"""The database connection: one engine for the app, one session per request.

The engine (built once, from the settings) owns a pool of connections. Each request gets its own
Session from `get_session`; the session is closed when the request is over, which hands its
connection back to the pool and throws away anything it did not commit.
"""

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

from app.config import settings


def create_db_engine(url: str) -> Engine:
    """An engine for `url`, with the two settings SQLite needs to serve a web app."""
    if not url.startswith("sqlite"):
        return create_engine(url)
    # FastAPI runs sync endpoints in a thread pool, so one connection may be used by several
    # threads over its life (never by two at once): allow it.
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def enforce_foreign_keys(dbapi_connection: Any, connection_record: Any) -> None:
        # SQLite ignores FOREIGN KEY constraints unless each connection turns them on.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


engine = create_db_engine(settings.database_url)


def get_session() -> Iterator[Session]:
    """Each request gets its own Session on `engine`, closed once the request is over - whether
    it succeeded or failed. It commits nothing itself: the code that writes decides when."""
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
