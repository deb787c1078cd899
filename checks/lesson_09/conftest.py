"""Lesson 09 contract: lesson 08's, plus the settings CACHE_URL and CACHE_TTL_SECONDS and the
cached GET /dashboard. Every check gets a fresh database migrated to head, a strong SECRET_KEY,
cheap password hashing, CACHE_TTL_SECONDS=30 and a cache back end: `memory://`, a Redis database of
its own (emptied before and after; skipped when Redis is unreachable, unless
WORKBOOK_REQUIRE_SERVICES=1), or a Redis URL nobody listens on.

The checks build their world through the API: Ann and Bob are members with projects and tasks of
their own; Cy is an admin (made with SQL, as in lesson 08)."""

from __future__ import annotations

import socket
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text

from workbook import services
from workbook.migrations import migrated_database

SECRET_KEY = "checks-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz"
TTL_SECONDS = "30"
SETTINGS = {
    "ENVIRONMENT": "production",
    "SECRET_KEY": SECRET_KEY,
    "CACHE_TTL_SECONDS": TTL_SECONDS,
    # Cheap hashing for the checks: each setting is read by the scheme that uses it.
    "ARGON2_MEMORY_COST": "8",
    "ARGON2_TIME_COST": "1",
    "ARGON2_PARALLELISM": "1",
    "BCRYPT_ROUNDS": "4",
    "PBKDF2_ROUNDS": "1000",
}


@pytest.fixture
def settings_env(monkeypatch):
    for name, value in SETTINGS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def database(database_url, database_kind, lesson, settings_env, monkeypatch, tmp_path_factory):
    """The check's own database, migrated to head; the app finds it in DATABASE_URL."""
    return migrated_database(lesson, database_kind, database_url, monkeypatch, tmp_path_factory)


def closed_port() -> int:
    """A local TCP port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Backend:
    kind: str  # "memory", "redis" or "redis down"
    url: str
    redis: object | None = None  # a client on the check's own Redis database


@pytest.fixture(params=["memory", "redis"])
def backend(request, monkeypatch):
    """The cache the app is given in CACHE_URL. Checks about one back end only parametrize it
    (indirect): ["memory"], ["redis"] or ["redis down"]."""
    if request.param == "memory":
        monkeypatch.setenv("CACHE_URL", "memory://")
        yield Backend("memory", "memory://")
    elif request.param == "redis down":
        url = f"redis://127.0.0.1:{closed_port()}/0"
        monkeypatch.setenv("CACHE_URL", url)
        yield Backend("redis down", url)
    else:
        import redis

        with services.scratch_redis_database() as url:
            monkeypatch.setenv("CACHE_URL", url)
            client = redis.Redis.from_url(url)
            try:
                yield Backend("redis", url, client)
            finally:
                client.close()


@pytest.fixture
def client(database, backend, lesson):
    # `database` comes first, so the app is shut down before its database is dropped.
    return lesson.client("app.main:app")


@pytest.fixture
def sql(database):
    engine = create_engine(database)

    def run(statement, **params):
        with engine.begin() as connection:
            connection.execute(text(statement), params)

    yield run
    engine.dispose()
