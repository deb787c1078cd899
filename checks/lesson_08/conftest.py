"""Lesson 08 contract: `app.main` defines `app`; the settings come from the environment
(DATABASE_URL, ENVIRONMENT, SECRET_KEY and the hashing cost); the schema is made by the lesson's
Alembic migrations (alembic.ini in the lesson folder). Every check gets a fresh database migrated to
head, a strong SECRET_KEY with ENVIRONMENT=production, and cheap password hashing. Roles are given
with SQL (`UPDATE users SET role = ...`): the first admin has to come from somewhere."""

import io
import logging
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from workbook import expect

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


@contextmanager
def alembic_kept_in_its_box():
    """Run Alembic without leaving traces: no __pycache__ in the lesson folder, and the logging
    set-up as it was (an env.py that calls fileConfig would replace pytest's log handlers)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    loggers = {
        name: (logger.level, logger.propagate, logger.disabled, logger.handlers[:])
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        yield
    finally:
        sys.dont_write_bytecode = bytecode
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        for handler in handlers:
            if handler not in root.handlers:
                root.addHandler(handler)
        root.setLevel(level)
        for name, logger in logging.Logger.manager.loggerDict.items():
            if not isinstance(logger, logging.Logger):
                continue
            if name in loggers:
                logger.level, logger.propagate, logger.disabled, logger.handlers[:] = loggers[name]
            else:
                logger.handlers.clear()
                logger.disabled = False


def upgrade_head(lesson, url, monkeypatch):
    """`alembic upgrade head` with the lesson's own migrations on the database at `url`."""
    from alembic import command
    from alembic.config import Config

    ini = lesson.path / "alembic.ini"
    expect.prerequisite(ini.is_file(), "alembic.ini in the lesson folder (it is part of the starter).", where="alembic.ini")
    monkeypatch.setenv("DATABASE_URL", url)
    lesson.import_fresh("app")  # env.py imports the app: make it the code under check, afresh
    config = Config(str(ini), stdout=io.StringIO())
    config.attributes["configure_logger"] = False
    try:
        with alembic_kept_in_its_box():
            command.upgrade(config, "head")
    except Exception as exc:  # noqa: BLE001 - reported as a failed set-up step
        raise expect.CheckFailure(
            f"Before testing this, the check needs: `alembic upgrade head` to build the schema; it failed with "
            f"{type(exc).__name__}: {exc}",
            where="migrations/versions/",
        ) from None


# Migrating a SQLite file takes a while; the code under check does not change during a run, so
# each run migrates one template file and copies it for every check.
_templates: dict[str, Path] = {}


@pytest.fixture
def hashing_env(monkeypatch):
    for name, value in CHEAP_HASHING.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", SECRET_KEY)


@pytest.fixture
def database(database_url, database_kind, lesson, hashing_env, monkeypatch, tmp_path_factory):
    """The check's own database, migrated to head; the app finds it in DATABASE_URL."""
    if database_kind == "sqlite":
        key = str(lesson.path)
        if key not in _templates:
            folder = tmp_path_factory.mktemp("template")
            upgrade_head(lesson, f"sqlite:///{folder / 'template.db'}", monkeypatch)
            _templates[key] = folder / "template.db"
        shutil.copyfile(_templates[key], database_url.removeprefix("sqlite:///"))
    else:
        upgrade_head(lesson, database_url, monkeypatch)
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


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
