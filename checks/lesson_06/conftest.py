"""Lesson 06 contract: alembic.ini in the lesson folder; migrations/env.py takes the database URL
from the app's settings (DATABASE_URL) and the models' metadata; `app.main` defines `app`, which
no longer creates tables. Every check gets a fresh, empty database (a SQLite file, or a PostgreSQL
schema with `--database postgresql`) and runs Alembic in this process, on the lesson's own
migrations, the way `alembic upgrade head` would."""

import io
import logging
import sys
from contextlib import contextmanager

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from workbook import expect


@contextmanager
def alembic_kept_in_its_box():
    """Run Alembic without leaving traces: no __pycache__ in the lesson folder, and the logging
    set-up exactly as it was (an env.py that calls fileConfig would otherwise replace pytest's
    log handlers and silence the app's loggers)."""
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
                logger.handlers.clear()  # created by the logging config: leave it inert
                logger.disabled = False


class Migrations:
    """`alembic upgrade`, `downgrade` and `check` on the lesson's migrations and the check's database."""

    def __init__(self, lesson, url):
        self.url = url
        ini = lesson.path / "alembic.ini"
        expect.prerequisite(ini.is_file(), "alembic.ini in the lesson folder (it is part of the starter).", where="alembic.ini")
        # env.py imports the app (`from app.models import Base`): make `app` the code under check.
        lesson.import_fresh("app.models")
        self.config = Config(str(ini), stdout=io.StringIO())
        self.config.attributes["configure_logger"] = False

    def _run(self, function, *args, **kwargs):
        with alembic_kept_in_its_box():
            return function(self.config, *args, **kwargs)

    def upgrade(self, revision="head"):
        self._run(command.upgrade, revision)

    def downgrade(self, revision):
        self._run(command.downgrade, revision)

    def check(self):
        """`alembic check`: raises when the models and the migrated database differ."""
        self._run(command.check)

    def scripts(self):
        with alembic_kept_in_its_box():
            return ScriptDirectory.from_config(self.config)


@pytest.fixture
def database(database_url, monkeypatch):
    """The check's own database (from the plugin's `database_url`); the app finds it in DATABASE_URL."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


@pytest.fixture
def alembic(database, lesson):
    return Migrations(lesson, database)
