"""Import the code under check (a learner's lesson, a solution, a graded folder) without collisions.

Every lesson uses ordinary absolute imports (`from app.models import Task`), as real FastAPI
projects do. Only one target is *active* at a time: activating one removes the other targets'
modules from `sys.modules` and puts its folder first on `sys.path`. Checks import the code afresh
for every check, so module-level state (an in-memory store, settings read at import) starts clean.
"""

from __future__ import annotations

import importlib
import linecache
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, TracebackType

_active: Target | None = None


class LearnerCodeError(Exception):
    """The code under check could not be imported (missing file, syntax error, failing import)."""


@dataclass(frozen=True)
class Target:
    """One lesson folder of one implementation: `lessons/lesson_01`, `solutions/lesson_01`, ..."""

    path: Path

    def owns(self, filename: str | None) -> bool:
        """True for a file inside this target (module files and frames carry absolute paths)."""
        return bool(filename) and filename.startswith(self._prefix) and os.path.abspath(filename).startswith(self._prefix)

    @property
    def _prefix(self) -> str:
        return f"{self.path}{os.sep}"

    def _top_level_names(self) -> set[str]:
        if not self.path.is_dir():
            return set()
        names = set()
        for entry in self.path.iterdir():
            if entry.is_dir() and entry.name.isidentifier():
                names.add(entry.name)
            elif entry.suffix == ".py" and entry.stem.isidentifier():
                names.add(entry.stem)
        return names

    def _purge(self) -> None:
        tops = self._top_level_names()
        for name in list(sys.modules):
            if name.partition(".")[0] in tops or self.owns(getattr(sys.modules[name], "__file__", None)):
                del sys.modules[name]

    def activate(self) -> None:
        global _active
        if _active is not None and _active != self:
            _active._purge()
            while str(_active.path) in sys.path:
                sys.path.remove(str(_active.path))
        if str(self.path) not in sys.path:
            sys.path.insert(0, str(self.path))
        _active = self

    def relative(self, filename: str) -> str:
        """A path a learner recognises and can click: relative to the working directory if inside it."""
        path = Path(os.path.abspath(filename))
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    def import_fresh(self, module: str) -> ModuleType:
        """Import `module` from this target, re-executing all of the target's code."""
        if not self.path.is_dir():
            raise LearnerCodeError(f"{self.relative(str(self.path))}/ is missing: there is no lesson folder to check.")
        self.activate()
        self._purge()
        importlib.invalidate_caches()
        linecache.clearcache()
        with _no_bytecode():
            try:
                return importlib.import_module(module)
            except ModuleNotFoundError as exc:
                missing = exc.name or module
                if missing.split(".")[0] in self._top_level_names() or missing == module:
                    expected = self.path / (missing.replace(".", "/") + ".py")
                    suffix = self.path.name.removeprefix("lesson_")
                    lesson = str(int(suffix)) if suffix.isdigit() else suffix
                    raise LearnerCodeError(
                        f"{self.relative(str(expected))} is missing (the code imports `{missing}`). "
                        f"`workbook reset {lesson}` restores the starter."
                    ) from None
                raise LearnerCodeError(self.describe_import_failure(exc)) from None
            except SyntaxError as exc:
                where = f"{self.relative(exc.filename)}:{exc.lineno}" if exc.filename else "?"
                raise LearnerCodeError(f"{where}: SyntaxError: {exc.msg}") from None
            except Exception as exc:  # noqa: BLE001 - any failure at import time is the learner's to see
                raise LearnerCodeError(self.describe_import_failure(exc)) from None

    def describe_import_failure(self, exc: BaseException) -> str:
        frame = self.innermost_frame(exc.__traceback__)
        where = f"{self.relative(frame.filename)}:{frame.lineno}: " if frame else ""
        return f"{where}{type(exc).__name__}: {exc} (while importing the lesson's code)"

    def innermost_frame(self, tb: TracebackType | None) -> traceback.FrameSummary | None:
        """The deepest frame of a traceback that is in this target's code."""
        frames = [f for f in traceback.extract_tb(tb) if self.owns(f.filename)]
        return frames[-1] if frames else None


@contextmanager
def _no_bytecode() -> Iterator[None]:
    """Checks never write into lessons/ or solutions/: no __pycache__ next to the learner's code."""
    before = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        yield
    finally:
        sys.dont_write_bytecode = before
