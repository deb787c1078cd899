"""The `workbook` command line, driven as a learner and an instructor would."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from workbook.cli import app

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def workbook_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the workbook (lesson 01 only), so the CLI can write its state and reset lessons."""
    copy = tmp_path / "wb"
    for folder in ("solutions", "lessons", "checks"):
        (copy / folder).mkdir(parents=True)
        shutil.copytree(ROOT / folder / "lesson_01", copy / folder / "lesson_01", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    monkeypatch.setenv("WORKBOOK_ROOT", str(copy))
    monkeypatch.chdir(copy)
    return copy


runner = CliRunner()


def test_list_shows_lessons_and_progress(workbook_copy: Path) -> None:
    result = runner.invoke(app, [], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Endpoints" in result.output and "not started" in result.output and "0/21" in result.output
    assert "lessons/lesson_01/README.md" in result.output
    state = json.loads((workbook_copy / ".workbook" / "state.json").read_text())
    assert state["progress"]["lesson_01"]["total"] == 21


def test_list_rechecks_a_lesson_after_it_changes(workbook_copy: Path) -> None:
    runner.invoke(app, ["list"], catch_exceptions=False)
    shutil.rmtree(workbook_copy / "lessons" / "lesson_01")
    shutil.copytree(workbook_copy / "solutions" / "lesson_01", workbook_copy / "lessons" / "lesson_01")
    result = runner.invoke(app, ["list"], catch_exceptions=False)
    assert "done" in result.output and "21/21" in result.output, result.output


def test_check_summarises_and_points_at_the_first_thing_to_fix(workbook_copy: Path) -> None:
    result = runner.invoke(app, ["check", "1"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "0/21 checks pass" in result.output
    assert "first to fix" in result.output and "TODO(list)" in result.output
    assert "workbook hint 1" in result.output


def test_check_against_the_solution_passes(workbook_copy: Path, tmp_path: Path) -> None:
    results = tmp_path / "r.json"
    result = runner.invoke(app, ["check", "01", "--against", "solutions", "--results-json", str(results)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "lesson_01 is complete" in result.output
    assert json.loads(results.read_text())["status"] == "pass"


def test_unknown_lesson_is_a_clear_error(workbook_copy: Path) -> None:
    result = runner.invoke(app, ["check", "42"])
    assert result.exit_code == 2 and "there is no lesson_42" in result.output


def test_hints_are_revealed_one_at_a_time(workbook_copy: Path) -> None:
    first = runner.invoke(app, ["hint", "1"], catch_exceptions=False).output
    second = runner.invoke(app, ["hint", "1"], catch_exceptions=False).output
    assert "hint 1/4" in first and "hint 2/4" not in first and "3 left" in first
    assert "hint 1/4" in second and "hint 2/4" in second and "2 left" in second
    for _ in range(5):
        last = runner.invoke(app, ["hint", "1"], catch_exceptions=False).output
    assert "hint 4/4" in last and "last hint" in last
    assert "hint 2/4" not in runner.invoke(app, ["hint", "1", "--again"], catch_exceptions=False).output


def test_reset_restores_the_starter_and_backs_up_the_work(workbook_copy: Path) -> None:
    tasks = workbook_copy / "lessons" / "lesson_01" / "app" / "tasks.py"
    tasks.write_text(tasks.read_text() + "\n# my work\n")
    result = runner.invoke(app, ["reset", "1", "--yes"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "# my work" not in tasks.read_text()
    backups = list((workbook_copy / ".workbook" / "backups").glob("lesson_01-*/app/tasks.py"))
    assert len(backups) == 1 and "# my work" in backups[0].read_text()


def test_build_keeps_a_learners_edit_unless_forced(workbook_copy: Path) -> None:
    tasks = workbook_copy / "lessons" / "lesson_01" / "app" / "tasks.py"
    tasks.write_text(tasks.read_text() + "\n# my work\n")
    result = runner.invoke(app, ["build"], catch_exceptions=False)
    assert result.exit_code == 1 and "kept lessons/lesson_01/app/tasks.py" in result.output
    assert "# my work" in tasks.read_text()
    assert runner.invoke(app, ["build", "--force"], catch_exceptions=False).exit_code == 0
    assert "# my work" not in tasks.read_text()
    assert runner.invoke(app, ["build", "--check"], catch_exceptions=False).exit_code == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("number", [1, 9])
def test_serve_runs_the_lesson_app(workbook_copy: Path, number: int) -> None:
    """`workbook serve N` answers on /docs; from lesson 06 on it migrates the database first, so a
    learner can register and use the app at once."""
    name = f"lesson_{number:02d}"
    for folder in ("solutions", "lessons", "checks"):
        if not (workbook_copy / folder / name).exists():
            shutil.copytree(ROOT / folder / name, workbook_copy / folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    port = _free_port()
    command = [sys.executable, "-m", "workbook.cli", "serve", str(number), "--solution", "--port", str(port), "--no-reload"]
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "ENVIRONMENT", "SECRET_KEY"}}
    server = subprocess.Popen(command, cwd=workbook_copy, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/openapi.json", timeout=2) as response:
                    assert "/tasks" in json.load(response)["paths"]
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "workbook serve did not start: " + (server.stdout.read().decode()[-2000:] if server.poll() is not None else "")
                time.sleep(0.2)
        if number >= 6:
            user = {"name": "Ann", "email": "ann@example.com", "password": "correct horse battery"}
            assert httpx.post(f"{base}/users", json=user).status_code == 201, "the database was not migrated"
            assert (workbook_copy / "solutions" / name / "tasks.db").is_file(), "the database lives in the lesson folder"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_watch_rechecks_on_save_and_moves_on_when_the_lesson_passes(workbook_copy: Path) -> None:
    """Start on the untouched starter, 'save' a solved file, and watch re-checks and finishes."""
    watcher = subprocess.Popen(
        [sys.executable, "-m", "workbook.cli", "watch", "1"],
        cwd=workbook_copy, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []
    done = threading.Event()

    def save_until_rechecked() -> None:
        # watchfiles starts watching just after the prompt: save until a re-check happens.
        solved = (workbook_copy / "solutions" / "lesson_01" / "app" / "tasks.py").read_text()
        learner = workbook_copy / "lessons" / "lesson_01" / "app" / "tasks.py"
        while not done.wait(1.0):
            learner.write_text(solved + f"\n# saved at {time.monotonic()}\n")

    saver = threading.Thread(target=save_until_rechecked, daemon=True)
    try:
        assert watcher.stdout is not None
        for line in watcher.stdout:
            lines.append(line)
            if "Watching lessons/lesson_01" in line and not saver.is_alive():
                saver.start()
            if "complete" in line:
                done.set()
        watcher.wait(timeout=120)
    finally:
        done.set()
        watcher.kill()
    output = "".join(lines)
    assert "0/21 checks pass" in output
    assert "lesson_01 is complete" in output and "Every lesson passes" in output, output[-3000:]
    assert watcher.returncode == 0
