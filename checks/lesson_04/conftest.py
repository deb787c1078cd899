"""Lesson 04 contract: `app.main` defines `app`, and app/config.py reads the database URL from the
environment variable DATABASE_URL. Every check gets a fresh, empty database of its own (a SQLite
file, or a PostgreSQL schema with `--database postgresql`) and imports the app afresh."""


import pytest


@pytest.fixture
def database(database_url, monkeypatch):
    """The check's own database (from the plugin's `database_url`); the app finds it in DATABASE_URL."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


@pytest.fixture
def client(database, lesson):
    # `database` comes first, so the app is shut down before its database is dropped.
    return lesson.client("app.main:app")


@pytest.fixture
def restart(database, lesson):
    """Start another instance of the app on the same database: what it sees, the database holds."""
    return lambda: lesson.client("app.main:app")
