"""The pytest plugin behind `pytest checks/lesson_NN`.

It picks the code under check (`--against`), gives each check a fresh import of it, runs each check
with a time limit, and turns every failure into a short report a beginner can act on: the
requirement, the request sent, the response received, what was expected and where to look.
Items outside checks/ are left alone, so the workbook's own tests and the notebooks run as usual.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from workbook.client import CheckClient, Exchange, Recorder
from workbook.layout import LESSON_PREFIX
from workbook.targets import LearnerCodeError, Target

DEFAULT_TIMEOUT = 10.0
OUTPUT_LIMIT = 2000
TARGET_ENV = "WORKBOOK_TARGET"

NOT_STARTED = "not started"
STATUS_WORDS = {"passed": "pass", "failed": "fail", "error": "error", NOT_STARTED: "not_started", "skipped": "skip"}


class CheckTimeout(AssertionError):
    """A check that did not finish within the time limit."""


class _Interrupted(BaseException):
    """Raised inside learner code that is still running after the time limit."""


# --------------------------------------------------------------------------- options and targets


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("workbook", "FastAPI Backend Workbook checks")
    group.addoption(
        "--against",
        metavar="PATH",
        default=None,
        help="Folder laid out like lessons/ whose code the checks test: lessons (default), solutions, "
        f"or any learner's folder. ${TARGET_ENV} does the same.",
    )
    group.addoption(
        "--only",
        metavar="NAMES",
        default=None,
        help="Run only the checks with these names (comma-separated, e.g. test_a,test_b[x]).",
    )
    group.addoption("--results-json", metavar="FILE", default=None, help="Write each check's status to FILE (JSON).")
    group.addoption(
        "--database",
        choices=("sqlite", "postgresql"),
        default=None,
        help="Database the database lessons' checks use (default sqlite; $WORKBOOK_DATABASE does the same).",
    )
    group.addoption(
        "--check-timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"Fail a check that runs longer than this (default {DEFAULT_TIMEOUT:g} s).",
    )


@dataclass
class CheckInfo:
    lesson: str
    repo: Path


def check_info(item: pytest.Item) -> CheckInfo | None:
    """checks/lesson_NN/... items are checks; everything else is not the plugin's business."""
    path = Path(str(item.path)).resolve()
    for parent in path.parents:
        if parent.name.startswith(LESSON_PREFIX) and parent.parent.name == "checks":
            return CheckInfo(lesson=parent.name, repo=parent.parent.parent)
    return None


def target_root(config: pytest.Config, repo: Path) -> Path:
    """The folder laid out like lessons/ that the checks run against."""
    chosen = config.getoption("against") or os.environ.get(TARGET_ENV) or "lessons"
    path = Path(chosen).expanduser()
    if not path.is_absolute():
        from_cwd = Path(config.invocation_params.dir) / path
        path = from_cwd if from_cwd.exists() else repo / path
    return path.resolve()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "where(text): where the learner should look when this check fails")
    config.addinivalue_line(
        "markers", "slow_check(seconds): this check needs more time than --check-timeout (it starts a process)"
    )
    config.stash[_STATE] = SessionState()
    if any("checks" in Path(arg).parts for arg in config.args):
        # One line per check with its status (unless -q), and the workbook summary instead of
        # pytest's short summary, which would repeat each failure's first line.
        if config.option.verbose == 0:
            config.option.verbose = 1
        if getattr(config.option, "reportchars", None) == "fE":
            config.option.reportchars = "N"
        # Each failure's report is replaced by the plugin's explanation; pytest's long traceback
        # would be built (seconds on a starter full of failures) and then thrown away.
        if config.option.tbstyle == "auto" and not config.option.fulltrace:
            config.option.tbstyle = "native"
        # Hypothesis keeps its example database here, not in the checkout.
        os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "workbook-hypothesis"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    only = config.getoption("only")
    if not only:
        return
    wanted = {name.strip() for name in only.split(",") if name.strip()}
    keep = [item for item in items if check_info(item) is None or item.name in wanted]
    config.hook.pytest_deselected(items=[item for item in items if item not in keep])
    items[:] = keep


@dataclass
class Outcome:
    nodeid: str
    name: str
    lesson: str
    requirement: str
    status: str = "passed"
    message: str = ""
    duration: float = 0.0
    where: str | None = None


@dataclass
class SessionState:
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    targets: dict[str, Path] = field(default_factory=dict)
    import_errors: dict[str, str] = field(default_factory=dict)
    hung: bool = False
    exitstatus: int = 0


_STATE = pytest.StashKey[SessionState]()


# --------------------------------------------------------------------------- fixtures for checks


class LessonUnderCheck:
    """What a check sees of the code it checks: fresh imports and recording HTTP clients."""

    def __init__(self, target: Target, number: int, timeout: float) -> None:
        self.target = target
        self.number = number
        self.path = target.path
        self.timeout = timeout
        self._clients: list[CheckClient] = []
        self.hung = False

    def _bounded(self, what: str, function: Any) -> Any:
        """Run a step that executes learner code (an import, the lifespan) within the time limit."""
        try:
            return run_bounded(function, self.timeout, self.target)
        except Hung as hung:
            self.hung = True
            stuck = f"; your code was still running at {hung.where}" if hung.where else ""
            raise LearnerCodeError(f"{what} did not finish within {self.timeout:g} seconds{stuck}.") from None

    def import_fresh(self, module: str) -> Any:
        """Import `module` (for example `app.main`) from the code under check, re-running all its code."""
        return self._bounded(f"Importing {module}", lambda: self.target.import_fresh(module))

    def app(self, spec: str = "app.main:app") -> Any:
        module_name, _, attribute = spec.partition(":")
        module = self.import_fresh(module_name)
        try:
            return getattr(module, attribute or "app")
        except AttributeError:
            where = self.target.relative(str(module.__file__))
            raise LearnerCodeError(f"{where} has no `{attribute}`: the checks need it to exist.") from None

    def client(self, app: Any = "app.main:app", *, raise_server_exceptions: bool = True, **kwargs: Any) -> CheckClient:
        """A started client (lifespan run) for `app` or for the app at "module:attribute"."""
        if isinstance(app, str):
            app = self.app(app)
        client = CheckClient(app, raise_server_exceptions=raise_server_exceptions, **kwargs)
        self._bounded("Starting the app (its lifespan)", client.__enter__)
        self._clients.append(client)
        return client

    def close(self) -> None:
        if self.hung:
            return  # a client whose handler never returned cannot shut down cleanly; leave it
        for client in reversed(self._clients):
            client.__exit__(None, None, None)
        self._clients.clear()


@pytest.fixture
def lesson(request: pytest.FixtureRequest) -> Iterator[LessonUnderCheck]:
    """The lesson under check, imported afresh for this check."""
    info = check_info(request.node)
    if info is None:
        pytest.fail("the `lesson` fixture is for checks under checks/lesson_NN/")
    root = target_root(request.config, info.repo)
    request.config.stash[_STATE].targets[info.lesson] = root
    under_check = LessonUnderCheck(
        Target(root / info.lesson),
        int(info.lesson.removeprefix(LESSON_PREFIX)),
        request.config.getoption("check_timeout"),
    )
    request.node.stash[_LESSON] = under_check
    yield under_check
    if under_check.hung:
        request.config.stash[_STATE].hung = True
    under_check.close()


_LESSON = pytest.StashKey[LessonUnderCheck]()


@pytest.fixture
def database_kind(request: pytest.FixtureRequest) -> str:
    """"sqlite" (the default) or "postgresql" (`--database postgresql`)."""
    from workbook.db import DATABASE_ENV

    return request.config.getoption("database") or os.environ.get(DATABASE_ENV) or "sqlite"


@pytest.fixture
def database_url(database_kind: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty database for this check (a SQLite file, or a PostgreSQL schema)."""
    from workbook.db import fresh_database

    with fresh_database(database_kind) as url:
        yield url
        # Whatever the fixtures' order, the app shuts down before its database goes away.
        under_check = request.node.stash.get(_LESSON, None)
        if under_check is not None:
            under_check.close()


# --------------------------------------------------------------------------- running a check


class Hung(Exception):
    def __init__(self, where: str | None) -> None:
        super().__init__(where)
        self.where = where


def run_bounded(function: Any, limit: float, target: Target | None) -> Any:
    """Run `function` in a worker thread; past `limit` seconds, stop the learner code it is stuck
    in (best effort) and raise Hung, so one hung handler fails one check and the run goes on."""
    result: list[Any] = []
    raised: list[BaseException] = []

    def run() -> None:
        try:
            result.append(function())
        except BaseException as exc:  # noqa: BLE001 - handed back to the calling thread
            raised.append(exc)

    worker = threading.Thread(target=run, name="workbook check", daemon=True)
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        where = _interrupt_learner_code(target) if target else None
        worker.join(1.0)
        raise Hung(where)
    if raised:
        raise raised[0]
    return result[0] if result else None


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run the check within the time limit (see run_bounded)."""
    if check_info(pyfuncitem) is None:
        return None
    Recorder.reset()
    kwargs = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    limit = pyfuncitem.config.getoption("check_timeout")
    slow = pyfuncitem.get_closest_marker("slow_check")
    if slow is not None:
        limit = max(limit, float(slow.args[0]))
    under_check = pyfuncitem.stash.get(_LESSON, None)
    try:
        run_bounded(lambda: pyfuncitem.obj(**kwargs), limit, under_check.target if under_check else None)
    except Hung as hung:
        if under_check:
            under_check.hung = True
        last = Recorder.exchanges[-1] if Recorder.exchanges else None
        what = f"{last.method} {last.path} did not answer" if last else "The check did not finish"
        sentence = f"{what} within {limit:g} seconds."
        if hung.where:
            sentence += f" Your code was still running at {hung.where}: is there a loop that never ends, or a call that waits forever?"
        raise CheckTimeout(sentence) from None
    return True


def _interrupt_learner_code(target: Target) -> str | None:
    """Stop threads stuck in the target's code (best effort) and say where they were."""
    where = None
    for thread_id, frame in sys._current_frames().items():
        if thread_id == threading.main_thread().ident:
            continue
        innermost = None
        walker = frame
        while walker is not None:
            if target.owns(walker.f_code.co_filename):
                innermost = innermost or walker
            walker = walker.f_back
        if innermost is None:
            continue
        where = where or f"{target.relative(innermost.f_code.co_filename)}:{innermost.f_lineno} (in {innermost.f_code.co_name})"
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(_Interrupted))
    return where


# --------------------------------------------------------------------------- reporting


def _requirement(item: pytest.Item) -> str:
    doc = getattr(getattr(item, "obj", None), "__doc__", None) or ""
    return " ".join(doc.strip().split("\n\n")[0].split())


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _learner_exception(excinfo: pytest.ExceptionInfo[BaseException], exchanges: list[Exchange]) -> BaseException | None:
    candidates = [*(_chain(excinfo.value)), *(e.error for e in exchanges if e.error is not None)]
    for exc in candidates:
        if isinstance(exc, NotImplementedError):
            return exc
    return None


def _assertion_text(exc: BaseException) -> str:
    text = str(exc).strip()
    # Keep the check's own sentence; drop pytest's introspection ("assert 200 == 201 ...").
    text = re.split(r"\n\s*assert ", "\n" + text, maxsplit=1)[0].strip() if "\nassert " in "\n" + text else text
    return text


def classify(item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException]) -> tuple[str, str]:
    """(status, explanation) for a check that did not pass."""
    under_check = item.stash.get(_LESSON, None)
    target = under_check.target if under_check else None
    exchanges = list(Recorder.exchanges)
    exc = excinfo.value
    if isinstance(exc, LearnerCodeError):
        return "error", f"Your code could not be loaded: {exc}"
    if isinstance(exc, CheckTimeout):
        return "failed", str(exc)
    todo = _learner_exception(excinfo, exchanges)
    if todo is not None:
        frame = target.innermost_frame(todo.__traceback__) if target else None
        where = f"{target.relative(frame.filename)}:{frame.lineno}" if frame and target else "your code"
        return NOT_STARTED, f"Not started yet: {where} still raises NotImplementedError."
    missing = next((e for e in exchanges if not e.route_matched), None)
    if missing is not None:
        return NOT_STARTED, f"Not started yet: your app has no route for {missing.method} {missing.path.split('?')[0]}."
    if isinstance(exc, AssertionError):
        return "failed", _assertion_text(exc)
    if type(exc).__name__ == "ResponseValidationError":
        if "NotImplementedError" in str(exc):  # pydantic read an attribute that is still a TODO
            return NOT_STARTED, "Not started yet: a value the response needs still raises NotImplementedError."
        return "error", _response_validation(exc, exchanges)
    frame = target.innermost_frame(excinfo.tb) if target else None
    if frame is None and target:
        errors = [e.error for e in exchanges if e.error is not None]
        if errors:
            exc = errors[-1]
            frame = target.innermost_frame(exc.__traceback__)
    if frame is not None and target is not None:
        return "error", (
            f"Your code raised {type(exc).__name__}: {exc}\n"
            f"  at {target.relative(frame.filename)}:{frame.lineno} (in {frame.name}): {frame.line}"
            + _about(exc)
        )
    return "failed", f"The check could not use the response: {type(exc).__name__}: {exc}"


def _about(exc: BaseException) -> str:
    """A sentence for exceptions whose way to a 500 surprises learners."""
    if type(exc).__name__ == "ValidationError" and type(exc).__module__.startswith("pydantic"):
        return (
            "\n  FastAPI answers 422 only for what it validates itself (the request); a pydantic "
            "ValidationError raised in your own code is a 500. To answer 422, raise "
            "fastapi.exceptions.RequestValidationError(...) with its errors instead."
        )
    return ""


def _response_validation(exc: BaseException, exchanges: list[Exchange]) -> str:
    errors = exc.errors() if hasattr(exc, "errors") else []
    first = errors[0] if errors else {}
    endpoint = getattr(exc, "endpoint_ctx", None) or {}
    function = endpoint.get("function") if isinstance(endpoint, dict) else None
    who = f"`{function}`" if function else "Your endpoint"
    got = repr(first.get("input"))
    got = got if len(got) <= 120 else got[:120] + "..."
    return (
        f"{who} returned a value that does not fit its declared response model: "
        f"{first.get('msg', 'invalid')} (it returned {got}). "
        "Return what the return type (or response_model) promises - or raise an HTTPException for errors."
    )


def _where(item: pytest.Item, target: Path | None, override: str | None = None) -> str | None:
    marker = item.get_closest_marker("where")
    text = override or (str(marker.args[0]) if marker and marker.args else None)
    if text is None:
        return None
    info = check_info(item)
    return f"{_display(target / info.lesson)}/{text}" if target and info else text


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    info = check_info(item)
    if info is None:
        return report
    state = item.config.stash[_STATE]
    outcome = state.outcomes.setdefault(
        item.nodeid, Outcome(item.nodeid, item.name, info.lesson, _requirement(item))
    )
    for i, (title, content) in enumerate(report.sections):
        if len(content) > OUTPUT_LIMIT:
            report.sections[i] = (title, content[:OUTPUT_LIMIT] + f"\n... (output cut: {len(content) - OUTPUT_LIMIT} more characters)\n")
    if report.when == "call":
        outcome.duration = report.duration
    if report.skipped and outcome.status == "passed":
        outcome.status = "skipped"
        reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""
        outcome.message = reason.removeprefix("Skipped: ")
    if not report.failed or call.excinfo is None:
        return report
    if report.when == "teardown" and outcome.status != "passed":
        return report  # the check already failed; its teardown adds nothing a learner needs
    status, message = classify(item, call.excinfo)
    if status == "error" and message.startswith("Your code could not be loaded"):
        seen = state.import_errors.get(info.lesson)
        state.import_errors.setdefault(info.lesson, message)
        if seen == message:
            message = "Your code could not be loaded (the same problem as above)."
    outcome.status, outcome.message = status, message
    outcome.where = _where(item, state.targets.get(info.lesson), getattr(call.excinfo.value, "where", None))
    report.workbook_status = status  # type: ignore[attr-defined]
    if item.config.option.fulltrace:
        return report
    report.longrepr = _explain(item, message, outcome.where)
    return report


def _explain(item: pytest.Item, message: str, where: str | None) -> str:
    lines = []
    if requirement := _requirement(item):
        lines.append(f"Requirement: {requirement}")
    exchanges = Recorder.exchanges
    if exchanges and "could not be loaded" not in message:
        lines.append(exchanges[-1].describe())
    label = "Problem:  " if not message.startswith(("Not started", "Your code")) else ""
    lines.append(f"{label} {message}".strip() if label else message)
    if where:
        lines.append(f"Look at:   {where}")
    info = check_info(item)
    if info:
        lines.append(f"Stuck?     workbook hint {int(info.lesson.removeprefix(LESSON_PREFIX))}   (more detail: --full-trace)")
    return "\n".join(lines)


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, Any] | None:
    status = getattr(report, "workbook_status", None)
    if status == NOT_STARTED:
        return NOT_STARTED, "n", ("NOT STARTED", {"yellow": True})
    if status == "error" and report.when == "call":
        return "error", "E", ("ERROR", {"red": True})
    return None


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash[_STATE]
    if not state.outcomes:
        return
    by_lesson: dict[str, list[Outcome]] = {}
    for outcome in state.outcomes.values():
        by_lesson.setdefault(outcome.lesson, []).append(outcome)
    not_started = [o for o in state.outcomes.values() if o.status == NOT_STARTED]
    if not_started:
        terminalreporter.section("not started", sep="-", yellow=True)
        for outcome in not_started:
            where = f" -> {outcome.where}" if outcome.where else ""
            terminalreporter.write_line(f"{outcome.name}: {outcome.message.removeprefix('Not started yet: ')}{where}")
    terminalreporter.section("workbook", sep="-")
    for lesson_name, outcomes in by_lesson.items():
        passed = sum(o.status == "passed" for o in outcomes)
        target = state.targets.get(lesson_name)
        where = f" ({_display(target)})" if target else ""
        line = f"{lesson_name}{where}: {passed}/{len(outcomes)} checks pass"
        todo = next((o for o in outcomes if o.status not in ("passed", "skipped")), None)
        skipped = [o for o in outcomes if o.status == "skipped"]
        if todo is None and skipped:
            line += f"; {len(skipped)} skipped ({skipped[0].message}) - the rest is done"
        elif todo is None:
            line += " - lesson complete!"
        else:
            line += f". Next: {todo.name} - {todo.requirement or todo.message}"
        terminalreporter.write_line(line, green=todo is None)


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    state = config.stash[_STATE]
    state.exitstatus = int(exitstatus)
    destination = config.getoption("results_json")
    if destination:
        tests = [
            {
                "name": o.name,
                "nodeid": o.nodeid,
                "lesson": o.lesson,
                "requirement": o.requirement,
                "status": STATUS_WORDS.get(o.status, o.status),
                "message": o.message,
                "where": o.where,
                "duration": round(o.duration, 4),
            }
            for o in state.outcomes.values()
        ]
        statuses = {t["status"] for t in tests}
        overall = "pass" if statuses <= {"pass", "skip"} and tests else ("error" if not tests else "fail")
        document = {
            "version": 3,
            "status": overall,
            "targets": {lesson: str(path) for lesson, path in state.targets.items()},
            "tests": tests,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        Path(destination).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is not None and state.hung:
        # A thread stuck in learner code (a sleep, a blocking call) would keep the interpreter
        # alive after the report; everything is written by now, so leave at once.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(state.exitstatus)
