"""Alembic for the checks: run a lesson's own migrations in this process, leaving no trace.

Used from lesson 06 on, where the schema comes from `alembic upgrade head`.
"""

from __future__ import annotations

import io
import logging
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from workbook import expect


@contextmanager
def alembic_quietly() -> Iterator[None]:
    """Run Alembic without leaving traces: no __pycache__ in the lesson folder, and the logging
    set-up as it was (an env.py that calls fileConfig would replace pytest's log handlers and
    silence the app's loggers)."""
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


def upgrade_head(lesson: Any, url: str, monkeypatch: Any) -> None:
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
        with alembic_quietly():
            command.upgrade(config, "head")
    except Exception as exc:  # noqa: BLE001 - reported as a failed set-up step
        raise expect.CheckFailure(
            f"Before testing this, the check needs: `alembic upgrade head` to build the schema; it failed with "
            f"{type(exc).__name__}: {exc}",
            where="migrations/versions/",
        ) from None


# Migrating a SQLite file takes a while; the code under check does not change during a run, so
# each run migrates one template file per lesson folder and copies it for every check.
_templates: dict[str, Path] = {}


def migrated_database(lesson: Any, kind: str, url: str, monkeypatch: Any, tmp_path_factory: Any) -> str:
    """Bring the check's fresh database (`url`, from the `database_url` fixture) to head."""
    if kind == "sqlite":
        key = str(lesson.path)
        if key not in _templates:
            folder = tmp_path_factory.mktemp("template")
            upgrade_head(lesson, f"sqlite:///{folder / 'template.db'}", monkeypatch)
            _templates[key] = folder / "template.db"
        shutil.copyfile(_templates[key], url.removeprefix("sqlite:///"))
    else:
        upgrade_head(lesson, url, monkeypatch)
    monkeypatch.setenv("DATABASE_URL", url)
    return url
