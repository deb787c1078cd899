"""Lesson 05 contract: `app.main` defines `app`, and app/config.py reads the database URL from the
environment variable DATABASE_URL. Every check gets a fresh, empty database of its own (a SQLite
file, or a PostgreSQL schema with `--database postgresql`), imports the app afresh, and creates
the users, projects and tasks it needs through the API."""


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
