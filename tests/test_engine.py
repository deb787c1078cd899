"""The engine under broken learner code: one clear message per problem, hung handlers fail only
their own check, output is capped, results are machine-readable, targets never collide."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from workbook.runner import run_checks
from workbook.targets import LearnerCodeError, Target

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "lesson_01"


def solved_copy(tmp_path: Path) -> Path:
    """A copy of the lesson 01 solution laid out like lessons/; returns its app/tasks.py."""
    shutil.copytree(SOLUTION, tmp_path / "lesson_01", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "lesson_01" / "app" / "tasks.py"


def break_handler(tasks: Path, function: str, body: str) -> None:
    """Put `body` first in the endpoint `function` (sync or async)."""
    text = tasks.read_text()
    head = f"def {function}("
    start = text.index(head)
    colon = text.index(":\n", start) + 2
    tasks.write_text(text[:colon] + "".join(f"    {line}\n" for line in body.splitlines()) + text[colon:])


def test_syntax_error_gives_one_clear_line_with_file_and_line(tmp_path: Path) -> None:
    tasks = solved_copy(tmp_path)
    tasks.write_text(tasks.read_text().replace("def get_task(task_id: int) -> Task:", "def get_task(task_id: int) -> Task"))
    run = run_checks(ROOT, "lesson_01", tmp_path)
    messages = {t["message"] for t in run.tests}
    assert set(run.statuses.values()) == {"error"}
    first = run.tests[0]["message"]
    assert "app/tasks.py:" in first and "SyntaxError" in first, first
    assert messages == {first, "Your code could not be loaded (the same problem as above)."}
    assert "Traceback" not in run.output and "_pytest" not in run.output


def test_name_error_at_import_names_file_and_line(tmp_path: Path) -> None:
    tasks = solved_copy(tmp_path)
    tasks.write_text(tasks.read_text().replace("store = TaskStore()", "store = TaskStorage()"))
    run = run_checks(ROOT, "lesson_01", tmp_path)
    first = run.tests[0]["message"]
    assert "app/tasks.py:" in first and "NameError" in first and "TaskStorage" in first, first
    assert "Traceback" not in run.output


def test_missing_file_is_reported_as_missing(tmp_path: Path) -> None:
    solved_copy(tmp_path)
    (tmp_path / "lesson_01" / "app" / "main.py").unlink()
    run = run_checks(ROOT, "lesson_01", tmp_path)
    first = run.tests[0]["message"]
    assert "app/main.py is missing" in first and "workbook reset 1" in first, first


def test_missing_lesson_folder_is_reported(tmp_path: Path) -> None:
    run = run_checks(ROOT, "lesson_01", tmp_path)
    assert set(run.statuses.values()) == {"error"}
    assert "is missing" in run.tests[0]["message"]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_hung_handler_fails_its_check_and_the_others_still_report(tmp_path: Path, kind: str) -> None:
    tasks = solved_copy(tmp_path)
    if kind == "async":
        tasks.write_text(tasks.read_text().replace("def get_task(", "async def get_task("))
    break_handler(tasks, "get_task", "while True:\n    pass")
    chosen = "test_list_starts_empty or test_get_answers_the_task or test_delete_twice_is_404"
    run = run_checks(ROOT, "lesson_01", tmp_path, "--check-timeout", "4", "-k", chosen, timeout=120)
    by_name = {t["name"]: t for t in run.tests}
    assert len(by_name) == 3, f"every check must still report:\n{run.output[-5000:]}"
    stuck = by_name["test_get_answers_the_task"]
    assert stuck["status"] == "fail"
    assert "did not answer within 4 seconds" in stuck["message"], stuck["message"]
    assert "app/tasks.py:" in stuck["message"] and "get_task" in stuck["message"]
    assert by_name["test_list_starts_empty"]["status"] == "pass"
    assert by_name["test_delete_twice_is_404"]["status"] == "pass"
    assert run.returncode == 1


def test_blocking_sleep_fails_its_check_and_the_run_still_ends(tmp_path: Path) -> None:
    tasks = solved_copy(tmp_path)
    break_handler(tasks, "delete_task", "import time\ntime.sleep(3600)")
    chosen = "test_delete_twice_is_404 or test_put_is_idempotent"
    run = run_checks(ROOT, "lesson_01", tmp_path, "--check-timeout", "4", "-k", chosen, timeout=120)
    by_name = {t["name"]: t for t in run.tests}
    assert by_name["test_delete_twice_is_404"]["status"] == "fail"
    assert "DELETE /tasks/1 did not answer within 4 seconds" in by_name["test_delete_twice_is_404"]["message"]
    assert by_name["test_put_is_idempotent"]["status"] == "pass"
    assert "lesson_01" in run.output and "checks pass" in run.output  # the summary was printed


def test_endless_loop_at_import_is_reported_with_its_line(tmp_path: Path) -> None:
    tasks = solved_copy(tmp_path)
    tasks.write_text(tasks.read_text().replace("store = TaskStore()", "store = TaskStore()\nwhile True:\n    pass"))
    run = run_checks(ROOT, "lesson_01", tmp_path, "--check-timeout", "4", "-k", "test_list_starts_empty", timeout=120)
    assert set(run.statuses.values()) == {"error"}, run.output[-3000:]
    first = run.tests[0]["message"]
    assert "Importing app.main did not finish within 4 seconds" in first and "app/tasks.py:" in first, first


def test_printed_output_is_capped(tmp_path: Path) -> None:
    tasks = solved_copy(tmp_path)
    break_handler(tasks, "get_task", 'print("x" * 100_000)\nraise RuntimeError("boom")')
    run = run_checks(ROOT, "lesson_01", tmp_path, "-k", "test_get_answers_the_task")
    assert "output cut" in run.output
    assert len(run.output) < 20_000


def test_learner_exception_names_the_line(tmp_path: Path) -> None:
    tasks = solved_copy(tmp_path)
    break_handler(tasks, "get_task", "{}['missing']")
    run = run_checks(ROOT, "lesson_01", tmp_path, "-k", "test_get_answers_the_task")
    (test,) = run.tests
    assert test["status"] == "error"
    assert "KeyError" in test["message"] and "app/tasks.py:" in test["message"] and "get_task" in test["message"]


def test_results_json_has_a_status_per_check(tmp_path: Path) -> None:
    run = run_checks(ROOT, "lesson_01", ROOT / "solutions")
    assert run.results["version"] == 3 and run.results["status"] == "pass"
    assert run.results["targets"]["lesson_01"] == str(ROOT / "solutions")
    for test in run.tests:
        assert {"name", "lesson", "status", "message", "requirement", "where"} <= set(test)
        assert test["requirement"], f"{test['name']} has no docstring requirement"


def test_checks_leave_no_files_in_the_target(tmp_path: Path) -> None:
    solved_copy(tmp_path)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    run = run_checks(ROOT, "lesson_01", tmp_path)
    assert run.returncode == 0
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_environment_variable_selects_the_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    env = {"WORKBOOK_TARGET": "solutions", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "pytest", "checks/lesson_01", "-q"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:]


def _target(tmp_path: Path, name: str, value: str) -> Target:
    folder = tmp_path / name / "lesson_01" / "app"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    (folder / "main.py").write_text("from app.settings import VALUE\nWHO = VALUE\n")
    (folder / "settings.py").write_text(f"VALUE = {value!r}\n")
    return Target(folder.parent.resolve())


def test_targets_never_collide_in_sys_modules(tmp_path: Path) -> None:
    first, second = _target(tmp_path, "alice", "alice"), _target(tmp_path, "bob", "bob")
    try:
        assert first.import_fresh("app.main").WHO == "alice"
        assert second.import_fresh("app.main").WHO == "bob"
        assert sys.modules["app.settings"].VALUE == "bob"
        assert all(not first.owns(getattr(m, "__file__", None)) for m in list(sys.modules.values()))
        assert first.import_fresh("app.main").WHO == "alice"
    finally:
        first._purge()
        second._purge()
        for target in (first, second):
            while str(target.path) in sys.path:
                sys.path.remove(str(target.path))


def test_import_error_is_a_learner_code_error(tmp_path: Path) -> None:
    target = _target(tmp_path, "carol", "carol")
    (target.path / "app" / "settings.py").write_text("VALUE = undefined_name\n")
    try:
        with pytest.raises(LearnerCodeError, match=r"settings.py:1: NameError"):
            target.import_fresh("app.main")
    finally:
        target._purge()
        sys.path.remove(str(target.path))


def test_scratch_redis_databases_are_lent_empty_and_leave_others_data_alone() -> None:
    """Checks borrow Redis databases 1-15: never one holding someone else's keys (nor database 0),
    never one another check holds; each is emptied before and after."""
    redis = pytest.importorskip("redis")
    from workbook import services

    base = services.redis_url()
    occupied = []
    try:
        # Someone's data in two free scratch databases (taken under the workbook's lock, so no
        # check running meanwhile holds them): they must not be lent nor emptied.
        for number in services.SCRATCH_DATABASES:
            client = redis.Redis.from_url(services._database_url(base, number))
            if len(occupied) < 2 and client.set(services.LOCK_KEY, "test", nx=True, ex=60):
                client.delete(services.OWNER_KEY)
                client.set("someone:else", "keep me")
                client.delete(services.LOCK_KEY)
                occupied.append(client)
            else:
                client.close()
        with services.scratch_redis_database() as first, services.scratch_redis_database() as second:
            assert first != second
            lent = [int(url.rsplit("/", 1)[1]) for url in (first, second)]
            assert 0 not in lent
            for url in (first, second):
                client = redis.Redis.from_url(url)
                assert [k for k in client.keys() if not services.is_workbook_key(k)] == []
                client.set("check:key", "1")
                client.close()
            assert all(int(c.connection_pool.connection_kwargs["db"]) not in lent for c in occupied)
        for url in (first, second):
            client = redis.Redis.from_url(url)
            assert [k for k in client.keys() if not services.is_workbook_key(k)] == [], "emptied afterwards"
            client.close()
        assert all(client.get("someone:else") == b"keep me" for client in occupied)
    finally:
        for client in occupied:
            client.delete("someone:else")
            client.close()


def test_a_pydantic_validation_error_in_a_route_is_explained(tmp_path: Path) -> None:
    """A ValidationError raised in the learner's route (a 500, to FastAPI's surprise) says how to answer 422."""
    shutil.copytree(ROOT / "solutions" / "lesson_02", tmp_path / "lesson_02", ignore=shutil.ignore_patterns("__pycache__"))
    tasks = tmp_path / "lesson_02" / "app" / "tasks.py"
    tasks.write_text(tasks.read_text().replace("        raise invalid_body(exc) from None", "        raise"))
    run = run_checks(ROOT, "lesson_02", tmp_path, "--only", "test_patch_keeps_due_date_after_the_stored_start_date")
    [test] = run.tests
    assert test["status"] == "error"
    assert "Your code raised ValidationError" in test["message"]
    assert "RequestValidationError" in test["message"]
