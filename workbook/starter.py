"""Generate the learner's starter (lessons/) from the reference solution (solutions/).

A solution marks the learner's work with regions, as nbgrader marks a student edition:

    # TODO(get): answer the task with this id, or 404 when there is none.
    ### BEGIN SOLUTION
    task = _tasks.get(task_id)
    ...
    ### STARTER
    # raise NotImplementedError("TODO(get)")
    ### END SOLUTION

The starter keeps everything outside the regions; a region becomes its STARTER lines (each with
one leading "# " removed) or nothing. A file whose first line is `### SOLUTION FILE` is left out
of the starter. Everything else is copied as it is, so starter and solution cannot drift apart.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BEGIN = re.compile(r"^(?P<indent>\s*)### BEGIN SOLUTION\s*$")
STARTER = re.compile(r"^\s*### STARTER\s*$")
END = re.compile(r"^\s*### END SOLUTION\s*$")
SOLUTION_FILE = "### SOLUTION FILE"
IGNORED = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
IGNORED_SUFFIXES = {".pyc", ".db", ".sqlite3"}


class MarkerError(ValueError):
    pass


def strip_solution(text: str, source: str = "<text>") -> str:
    """The starter edition of one file's text."""
    out: list[str] = []
    mode = "keep"
    indent = ""
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if match := BEGIN.match(line):
            if mode != "keep":
                raise MarkerError(f"{source}:{number}: BEGIN SOLUTION inside a region")
            mode, indent = "solution", match["indent"]
        elif STARTER.match(line):
            if mode != "solution":
                raise MarkerError(f"{source}:{number}: STARTER outside a solution region")
            mode = "starter"
        elif END.match(line):
            if mode == "keep":
                raise MarkerError(f"{source}:{number}: END SOLUTION without BEGIN")
            mode = "keep"
        elif mode == "keep":
            out.append(line)
        elif mode == "starter":
            body = line[len(indent):] if line.startswith(indent) else line.lstrip()
            if body.strip() and not body.startswith("#"):
                raise MarkerError(f"{source}:{number}: STARTER lines must be comments ('# code')")
            body = body[2:] if body.startswith("# ") else body[1:] if body.startswith("#") else body
            out.append(indent + body if body.strip() else "\n")
    if mode != "keep":
        raise MarkerError(f"{source}: a solution region is not closed")
    return "".join(out)


@dataclass(frozen=True)
class StarterFile:
    relative: Path
    content: bytes


def starter_files(solution_dir: Path) -> Iterator[StarterFile]:
    """Every file of the starter generated from one solution folder."""
    for path in sorted(solution_dir.rglob("*")):
        if not path.is_file() or IGNORED & set(path.relative_to(solution_dir).parts) or path.suffix in IGNORED_SUFFIXES:
            continue
        relative = path.relative_to(solution_dir)
        data = path.read_bytes()
        if path.suffix in {".py", ".mako", ".ini", ".cfg", ".toml"}:
            text = data.decode("utf-8")
            if text.startswith(SOLUTION_FILE):
                continue
            data = strip_solution(text, str(relative)).encode("utf-8")
        yield StarterFile(relative, data)


@dataclass
class BuildReport:
    written: list[Path]
    unchanged: list[Path]
    kept: list[Path]  # differs from the generated starter: the learner's edits, not overwritten
    extra: list[Path]  # in lessons/ but not generated


def build_lesson(solution_dir: Path, starter_dir: Path, *, force: bool = False, dry_run: bool = False) -> BuildReport:
    """Write the starter for one lesson. An existing file that differs is kept unless `force`."""
    report = BuildReport([], [], [], [])
    generated = {f.relative: f.content for f in starter_files(solution_dir)}
    for relative, content in generated.items():
        destination = starter_dir / relative
        if destination.is_file():
            if destination.read_bytes() == content:
                report.unchanged.append(relative)
                continue
            if not force:
                report.kept.append(relative)
                continue
        report.written.append(relative)
        if not dry_run:
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(content)
    if starter_dir.is_dir():
        for path in sorted(starter_dir.rglob("*")):
            relative = path.relative_to(starter_dir)
            if path.is_file() and relative not in generated and not IGNORED & set(relative.parts) and path.suffix not in IGNORED_SUFFIXES:
                report.extra.append(relative)
    return report


def write_fresh_starter(solution_dir: Path, destination: Path) -> None:
    """A pristine starter in an empty folder (for `workbook reset` and the workbook's tests)."""
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    for file in starter_files(solution_dir):
        target = destination / file.relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.content)
