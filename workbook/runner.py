"""Run a lesson's checks in a separate pytest process and read back the JSON results.

Used by the CLI (`workbook check`, `workbook list`, `workbook watch`) and by the workbook's own tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class CheckRun:
    returncode: int
    output: str
    results: dict = field(default_factory=dict)

    @property
    def tests(self) -> list[dict]:
        return list(self.results.get("tests", []))

    @property
    def statuses(self) -> dict[str, str]:
        return {t["name"]: t["status"] for t in self.tests}

    def failed(self) -> set[str]:
        return {name for name, status in self.statuses.items() if status not in {"pass", "skip"}}

    @property
    def passed(self) -> int:
        return sum(status == "pass" for status in self.statuses.values())


def pytest_command(lessons: list[str], against: Path | str | None, results: Path, *extra: str) -> list[str]:
    command = [sys.executable, "-m", "pytest", *(f"checks/{name}" for name in lessons), "--results-json", str(results)]
    if against is not None:
        command += ["--against", str(against)]
    return [*command, "-p", "no:xdist", *extra]


def run_checks(
    root: Path,
    lessons: list[str] | str,
    against: Path | str | None = None,
    *extra: str,
    timeout: float | None = 600,
    capture: bool = True,
) -> CheckRun:
    """`pytest checks/lesson_NN [--against PATH]` in a fresh interpreter, as a learner runs it."""
    names = [lessons] if isinstance(lessons, str) else list(lessons)
    env = {k: v for k, v in os.environ.items() if k not in {"WORKBOOK_TARGET", "PYTEST_ADDOPTS"}}
    with tempfile.TemporaryDirectory(prefix="workbook-results-") as scratch:
        results = Path(scratch) / "results.json"
        command = pytest_command(names, against, results, *extra)
        done = subprocess.run(command, cwd=root, env=env, capture_output=capture, text=True, timeout=timeout)
        output = (done.stdout or "") + (done.stderr or "")
        data = json.loads(results.read_text(encoding="utf-8")) if results.exists() else {}
    return CheckRun(done.returncode, output, data)
