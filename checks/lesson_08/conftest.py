"""Lesson 08 contract: `app.main` defines `app`; the settings come from the environment
(DATABASE_URL, ENVIRONMENT, SECRET_KEY and the hashing cost); the schema is made by the lesson's
Alembic migrations (alembic.ini in the lesson folder). Every check gets a fresh database migrated to
head, a strong SECRET_KEY with ENVIRONMENT=production, and cheap password hashing. Roles are given
with SQL (`UPDATE users SET role = ...`): the first admin has to come from somewhere."""

import pytest
from sqlalchemy import create_engine, text

from workbook.migrations import migrated_database

# The key the checks sign their own tokens with (the app must sign and verify with it): the app must sign
# and verify with SECRET_KEY.
SECRET_KEY = "checks-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz"

# Cheap hashing for the checks: each setting is read by the scheme that uses it.
CHEAP_HASHING = {
    "ARGON2_MEMORY_COST": "8",
    "ARGON2_TIME_COST": "1",
    "ARGON2_PARALLELISM": "1",
    "BCRYPT_ROUNDS": "4",
    "PBKDF2_ROUNDS": "1000",
}


@pytest.fixture
def hashing_env(monkeypatch):
    for name, value in CHEAP_HASHING.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", SECRET_KEY)


@pytest.fixture
def database(database_url, database_kind, lesson, hashing_env, monkeypatch, tmp_path_factory):
    """The check's own database, migrated to head; the app finds it in DATABASE_URL."""
    return migrated_database(lesson, database_kind, database_url, monkeypatch, tmp_path_factory)


@pytest.fixture
def client(database, lesson):
    # `database` comes first, so the app is shut down before its database is dropped.
    return lesson.client("app.main:app")


@pytest.fixture
def sql(database):
    """Run SQL on the check's database directly (to read a stored hash, or disable an account)."""
    engine = create_engine(database)

    def run(statement, **params):
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return result.all() if result.returns_rows else None

    yield run
    engine.dispose()
