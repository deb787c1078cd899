"""Lesson 06 contract: alembic.ini in the lesson folder; migrations/env.py takes the database URL
from the app's settings (DATABASE_URL) and the models' metadata; `app.main` defines `app`, which
no longer creates tables. Every check gets a fresh, empty database (a SQLite file, or a PostgreSQL
schema with `--database postgresql`) and runs Alembic in this process, on the lesson's own
migrations, the way `alembic upgrade head` would."""

import io

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from workbook import expect
from workbook.migrations import alembic_quietly


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
        with alembic_quietly():
            return function(self.config, *args, **kwargs)

    def upgrade(self, revision="head"):
        self._run(command.upgrade, revision)

    def downgrade(self, revision):
        self._run(command.downgrade, revision)

    def check(self):
        """`alembic check`: raises when the models and the migrated database differ."""
        self._run(command.check)

    def scripts(self):
        with alembic_quietly():
            return ScriptDirectory.from_config(self.config)


@pytest.fixture
def database(database_url, monkeypatch):
    """The check's own database (from the plugin's `database_url`); the app finds it in DATABASE_URL."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


@pytest.fixture
def alembic(database, lesson):
    return Migrations(lesson, database)
