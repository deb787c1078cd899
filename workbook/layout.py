"""Where things live: the repository, its lessons and each lesson's metadata (checks/lesson_NN/lesson.toml)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

LESSON_PREFIX = "lesson_"


def find_root(start: Path | None = None) -> Path:
    """The workbook checkout: $WORKBOOK_ROOT, else the nearest folder above `start` holding checks/ and solutions/."""
    if env := os.environ.get("WORKBOOK_ROOT"):
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "checks").is_dir() and (folder / "solutions").is_dir():
            return folder
    return Path(__file__).resolve().parent.parent


def lesson_name(number: int | str) -> str:
    """`1`, `"01"` and `"lesson_01"` all name `lesson_01`."""
    text = str(number)
    if text.startswith(LESSON_PREFIX):
        text = text[len(LESSON_PREFIX):]
    if not text.isdigit():
        raise ValueError(f"not a lesson number: {number!r}")
    return f"{LESSON_PREFIX}{int(text):02d}"


@dataclass(frozen=True)
class Hint:
    text: str


@dataclass(frozen=True)
class Mutant:
    """A realistic learner mistake, applied to a copy of the solution, and the checks that must catch it."""

    name: str
    file: str
    find: str
    replace: str
    caught_by: tuple[str, ...]
    why: str = ""


@dataclass(frozen=True)
class Lesson:
    """One lesson of the workbook, described by checks/lesson_NN/lesson.toml."""

    root: Path
    name: str
    meta: dict[str, Any] = field(repr=False, compare=False)

    @property
    def number(self) -> int:
        return int(self.name.removeprefix(LESSON_PREFIX))

    @property
    def title(self) -> str:
        return str(self.meta.get("title", self.name))

    @property
    def minutes(self) -> int | None:
        return self.meta.get("minutes")

    @property
    def databases(self) -> tuple[str, ...]:
        """The databases the lesson's checks run on (lesson.toml `databases`; default SQLite only)."""
        return tuple(self.meta.get("databases", ["sqlite"]))

    @property
    def checks_dir(self) -> Path:
        return self.root / "checks" / self.name

    @property
    def starter_dir(self) -> Path:
        return self.root / "lessons" / self.name

    @property
    def solution_dir(self) -> Path:
        return self.root / "solutions" / self.name

    @cached_property
    def hints(self) -> tuple[Hint, ...]:
        return tuple(Hint(h["text"].strip()) for h in self.meta.get("hints", []))

    @cached_property
    def mutants(self) -> tuple[Mutant, ...]:
        return tuple(
            Mutant(
                name=m["name"],
                file=m["file"],
                find=m["find"],
                replace=m["replace"],
                caught_by=tuple(m["caught_by"]),
                why=m.get("why", ""),
            )
            for m in self.meta.get("mutants", [])
        )


def load_lesson(root: Path, name: str) -> Lesson:
    meta_file = root / "checks" / name / "lesson.toml"
    meta = tomllib.loads(meta_file.read_text(encoding="utf-8")) if meta_file.is_file() else {}
    return Lesson(root=root, name=name, meta=meta)


def lessons(root: Path | None = None) -> list[Lesson]:
    """Every lesson that has checks, in order."""
    root = root or find_root()
    folders = sorted((root / "checks").glob(f"{LESSON_PREFIX}[0-9][0-9]"))
    return [load_lesson(root, folder.name) for folder in folders if folder.is_dir()]


def get_lesson(number: int | str, root: Path | None = None) -> Lesson:
    root = root or find_root()
    name = lesson_name(number)
    if not (root / "checks" / name).is_dir():
        known = ", ".join(lesson.name for lesson in lessons(root)) or "none"
        raise LookupError(f"there is no {name} (lessons: {known})")
    return load_lesson(root, name)
