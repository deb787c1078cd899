"""`workbook`: the learner's and instructor's command line.

    workbook [list]          lessons with status and progress
    workbook check N         run lesson N's checks, summarised
    workbook watch [N]       re-check on every save; move on when a lesson passes
    workbook hint N          reveal the next hint of lesson N
    workbook reset N         restore lesson N's starter (your work is backed up first)
    workbook serve N         run lesson N's app at http://127.0.0.1:8000/docs
    workbook verify          the workbook's own tests (instructors)
    workbook build           regenerate lessons/ from solutions/ (authors)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table

from workbook.layout import Lesson, find_root, get_lesson, lessons
from workbook.runner import CheckRun, run_checks
from workbook.starter import build_lesson, write_fresh_starter

app = typer.Typer(
    help="The FastAPI Backend Workbook: lessons that check themselves.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode="rich",
)
console = Console(highlight=False)

STATUS_STYLE = {
    "pass": ("✔", "green", "passed"),
    "fail": ("✘", "red", "failed"),
    "error": ("✘", "red", "error"),
    "not_started": ("·", "yellow", "not started"),
    "skip": ("-", "dim", "skipped"),
}

LessonArg = Annotated[str, typer.Argument(help="Lesson number, e.g. 3 or 03.")]
AgainstOpt = Annotated[
    Optional[str],  # noqa: UP045 - typer reads the annotation at run time on Python 3.10 too
    typer.Option("--against", help="Folder laid out like lessons/ to check (default: lessons).", show_default=False),
]


# --------------------------------------------------------------------------- state


def state_dir(root: Path) -> Path:
    path = root / ".workbook"
    path.mkdir(exist_ok=True)
    return path


def load_state(root: Path) -> dict:
    file = state_dir(root) / "state.json"
    return json.loads(file.read_text(encoding="utf-8")) if file.exists() else {}


def save_state(root: Path, state: dict) -> None:
    (state_dir(root) / "state.json").write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")


def fingerprint(*folders: Path) -> str:
    """A digest of the files' contents: cached results stay valid until something changes."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _lesson(number: str) -> Lesson:
    try:
        return get_lesson(number, find_root())
    except (LookupError, ValueError) as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from None


# --------------------------------------------------------------------------- progress


def progress(root: Path, refresh: bool = False) -> dict[str, dict]:
    """Each lesson's last results against lessons/, re-checked where the code changed since."""
    state = load_state(root)
    cache: dict[str, dict] = state.setdefault("progress", {})
    all_lessons = lessons(root)
    prints = {lesson.name: fingerprint(lesson.starter_dir, lesson.checks_dir) for lesson in all_lessons}
    stale = [
        lesson.name
        for lesson in all_lessons
        if refresh or cache.get(lesson.name, {}).get("fingerprint") != prints[lesson.name]
    ]
    if stale:
        with console.status(f"Checking {len(stale)} lesson(s)..."):
            run = run_checks(root, stale, None, "-q")
        for name in stale:
            tests = [t for t in run.tests if t["lesson"] == name]
            cache[name] = summary(tests, prints[name])
        save_state(root, state)
    return cache


def lesson_status(entry: dict | None) -> tuple[str, str]:
    if not entry or not entry.get("total"):
        return "unknown", "dim"
    if entry["passed"] == entry["total"]:
        return "done", "green"
    if entry["passed"] == 0:
        return "not started", "yellow"
    return "in progress", "cyan"


@app.command("list")
def list_lessons(refresh: Annotated[bool, typer.Option(help="Re-run every lesson's checks.")] = False) -> None:
    """Lessons with their status and a progress bar."""
    root = find_root()
    cache = progress(root, refresh)
    table = Table(title="FastAPI Backend Workbook", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("lesson")
    table.add_column("status")
    table.add_column("checks", justify="right")
    table.add_column("progress", min_width=22)
    next_lesson = None
    done_total = checks_total = 0
    for lesson in lessons(root):
        entry = cache.get(lesson.name, {})
        word, style = lesson_status(entry)
        passed, total = entry.get("passed", 0), entry.get("total", 0)
        done_total, checks_total = done_total + passed, checks_total + total
        if next_lesson is None and word != "done":
            next_lesson = lesson
        table.add_row(
            f"{lesson.number:02d}", lesson.title, f"[{style}]{word}[/{style}]", f"{passed}/{total}",
            ProgressBar(total=max(total, 1), completed=passed, width=20),
        )
    console.print(table)
    console.print(f"{done_total}/{checks_total} checks pass overall.")
    if next_lesson is not None:
        console.print(
            f"Next: read [bold]lessons/{next_lesson.name}/README.md[/bold], then run "
            f"[bold]workbook check {next_lesson.number}[/bold] (or [bold]workbook watch[/bold])."
        )
    else:
        console.print("[green]Every lesson passes. Well done![/green]")


@app.callback(invoke_without_command=True)
def default(ctx: typer.Context) -> None:
    """With no command: the lesson list."""
    if ctx.invoked_subcommand is None:
        list_lessons(refresh=False)


# --------------------------------------------------------------------------- checking


def show_run(lesson: Lesson, run: CheckRun, against: str | None) -> bool:
    """Print one line per check and the first failure's explanation; True when all pass."""
    if not run.tests:
        console.print(f"[red]No check ran for {lesson.name}.[/red]")
        console.print(escape(run.output[-3000:]))
        return False
    where = against or "lessons"
    console.rule(f"{lesson.name} - {lesson.title}  [dim]({where})[/dim]")
    for test in run.tests:
        mark, style, word = STATUS_STYLE.get(test["status"], ("?", "red", test["status"]))
        console.print(f"[{style}]{mark} {word:<11}[/{style}] {escape(test['requirement'] or test['name'])}")
    failing = [t for t in run.tests if t["status"] not in {"pass", "skip"}]
    console.print(f"\n{run.passed}/{len(run.tests)} checks pass.")
    if failing:
        first = failing[0]
        body = escape(first["message"])
        if first.get("where"):
            body += f"\nLook at: {escape(first['where'])}"
        console.print(Panel(body, title=f"first to fix: {first['name']}", title_align="left", border_style="yellow"))
        console.print(
            f"Details: [bold]pytest checks/{lesson.name}[/bold]   Stuck? [bold]workbook hint {lesson.number}[/bold]"
        )
        return False
    skipped = [t for t in run.tests if t["status"] == "skip"]
    if skipped:
        console.print(f"[yellow]{len(skipped)} checks skipped: {escape(skipped[0]['message'])}. Everything else passes.[/yellow]")
        return True
    console.print(f"[green bold]{lesson.name} is complete![/green bold]")
    return True


def summary(tests: list[dict], fingerprint_: str) -> dict:
    return {
        "fingerprint": fingerprint_,
        "passed": sum(t["status"] == "pass" for t in tests),
        "total": len(tests),
        "not_started": sum(t["status"] == "not_started" for t in tests),
    }


def record(root: Path, lesson: Lesson, run: CheckRun) -> None:
    state = load_state(root)
    state.setdefault("progress", {})[lesson.name] = summary(run.tests, fingerprint(lesson.starter_dir, lesson.checks_dir))
    save_state(root, state)


@app.command()
def check(
    lesson_number: LessonArg,
    against: AgainstOpt = None,
    results_json: Annotated[Optional[Path], typer.Option(help="Also write the results to this JSON file.")] = None,  # noqa: UP045
) -> None:
    """Run a lesson's checks and summarise them."""
    root = find_root()
    lesson = _lesson(lesson_number)
    run = run_checks(root, lesson.name, against, "-q")
    ok = show_run(lesson, run, against)
    if against is None:
        record(root, lesson, run)
    if results_json:
        results_json.write_text(json.dumps(run.results, indent=2) + "\n", encoding="utf-8")
    raise typer.Exit(0 if ok else 1)


@app.command()
def watch(lesson_number: Annotated[Optional[str], typer.Argument(help="Lesson to start with (default: the first unfinished).")] = None) -> None:  # noqa: UP045
    """Re-check on every save; when a lesson passes, move on to the next."""
    from watchfiles import watch as watch_files

    root = find_root()
    all_lessons = lessons(root)
    if lesson_number is None:
        cache = progress(root)
        current = next((l for l in all_lessons if lesson_status(cache.get(l.name))[0] != "done"), None)
        if current is None:
            console.print("[green]Every lesson passes.[/green]")
            return
    else:
        current = _lesson(lesson_number)
    while current is not None:
        run = run_checks(root, current.name, None, "-q")
        record(root, current, run)
        if show_run(current, run, None):
            later = [l for l in all_lessons if l.number > current.number]
            current = later[0] if later else None
            if current is not None:
                console.print(f"Moving on to [bold]{current.name}[/bold]: read lessons/{current.name}/README.md")
            continue
        console.print(f"[dim]Watching lessons/{current.name} - save a file to re-check, Ctrl-C to stop.[/dim]")
        try:
            for _ in watch_files(current.starter_dir, watch_filter=lambda _c, p: p.endswith((".py", ".toml", ".ini"))):
                break
        except KeyboardInterrupt:
            return
    console.print("[green]Every lesson passes. Well done![/green]")


# --------------------------------------------------------------------------- hints, reset, serve


@app.command()
def hint(lesson_number: LessonArg, again: Annotated[bool, typer.Option(help="Start the hints over.")] = False) -> None:
    """Reveal the next hint of a lesson (each call shows one more)."""
    root = find_root()
    lesson = _lesson(lesson_number)
    if not lesson.hints:
        console.print(f"{lesson.name} has no hints.")
        return
    state = load_state(root)
    shown = state.setdefault("hints", {})
    count = 1 if again else min(shown.get(lesson.name, 0) + 1, len(lesson.hints))
    shown[lesson.name] = count
    save_state(root, state)
    for index, item in enumerate(lesson.hints[:count], start=1):
        console.print(Panel(escape(reflow(item.text)), title=f"hint {index}/{len(lesson.hints)}", title_align="left"))
    if count < len(lesson.hints):
        console.print(f"[dim]Run it again for the next hint ({len(lesson.hints) - count} left).[/dim]")
    else:
        console.print("[dim]That was the last hint. The reference solution is in solutions/ if you need it.[/dim]")


def reflow(text: str) -> str:
    """Hints are written wrapped at 100 columns; join each paragraph's lines so the terminal wraps them."""
    return "\n\n".join(" ".join(p.split()) for p in text.strip().split("\n\n"))


@app.command()
def reset(
    lesson_number: LessonArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Restore a lesson's starter; your current work is kept in .workbook/backups/."""
    root = find_root()
    lesson = _lesson(lesson_number)
    if not yes and not typer.confirm(f"Replace lessons/{lesson.name} with a fresh starter (your work is backed up)?"):
        raise typer.Exit(1)
    backup = None
    if lesson.starter_dir.exists():
        backup = state_dir(root) / "backups" / f"{lesson.name}-{time.strftime('%Y%m%d-%H%M%S')}"
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(lesson.starter_dir, backup, ignore=shutil.ignore_patterns("__pycache__"))
    write_fresh_starter(lesson.solution_dir, lesson.starter_dir)
    if backup:
        console.print(f"Your work is saved in {backup.relative_to(root)}")
    console.print(f"lessons/{lesson.name} is a fresh starter again.")


@app.command()
def serve(
    lesson_number: LessonArg,
    solution: Annotated[bool, typer.Option("--solution", help="Serve the reference solution instead of your code.")] = False,
    host: str = "127.0.0.1",
    port: int = 8000,
    reload: Annotated[bool, typer.Option(help="Restart when a file changes.")] = True,
) -> None:
    """Run a lesson's app under uvicorn; try it at /docs."""
    import uvicorn

    lesson = _lesson(lesson_number)
    folder = lesson.solution_dir if solution else lesson.starter_dir
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    # From lesson 07 on, the app refuses to start outside development without a strong SECRET_KEY.
    os.environ.setdefault("ENVIRONMENT", "development")
    # The app's default database (sqlite:///./tasks.db) lives in the lesson folder, like the one
    # `alembic upgrade head` makes there; from lesson 06 on, the schema is brought up to date first.
    shown = folder.relative_to(find_root())
    os.chdir(folder)
    if (folder / "alembic.ini").is_file():
        migrated = subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], capture_output=True, text=True)
        if migrated.returncode != 0:
            console.print(f"[red]alembic upgrade head failed in {shown}:[/red]")
            console.print(escape(migrated.stderr[-3000:]))
            raise typer.Exit(1)
    console.print(f"Serving {shown} (ENVIRONMENT={os.environ['ENVIRONMENT']}) - open http://{host}:{port}/docs")
    uvicorn.run("app.main:app", app_dir=str(folder), host=host, port=port, reload=reload, reload_dirs=[str(folder)] if reload else None)


# --------------------------------------------------------------------------- instructors and authors


@app.command()
def verify(workers: Annotated[str, typer.Option("-n", help="pytest-xdist workers.")] = "auto") -> None:
    """Prove the workbook: every check passes on solutions/, fails on the starters, catches every
    mutant; lessons/ is in sync; every notebook passes nbval."""
    root = find_root()
    done = subprocess.run([sys.executable, "-m", "pytest", "tests", "-n", workers], cwd=root)
    raise typer.Exit(done.returncode)


@app.command()
def build(
    force: Annotated[bool, typer.Option(help="Overwrite starter files that differ (learners' edits too).")] = False,
    check_only: Annotated[bool, typer.Option("--check", help="Only report what is out of date.")] = False,
) -> None:
    """Regenerate lessons/ from solutions/ (solution regions become TODOs)."""
    root = find_root()
    stale = False
    for lesson in lessons(root):
        report = build_lesson(lesson.solution_dir, lesson.starter_dir, force=force, dry_run=check_only)
        for path in report.written:
            console.print(f"{'would write' if check_only else 'wrote'} lessons/{lesson.name}/{path}")
        for path in report.kept:
            console.print(f"[yellow]kept lessons/{lesson.name}/{path}: it differs from the generated starter (use --force)[/yellow]")
        for path in report.extra:
            console.print(f"[yellow]lessons/{lesson.name}/{path} is not generated by the solution[/yellow]")
        stale = stale or bool(report.written and check_only) or bool(report.kept) or bool(report.extra)
    raise typer.Exit(1 if stale else 0)


@app.command()
def notebooks(paths: Annotated[Optional[list[Path]], typer.Argument(help="Notebooks (default: all).")] = None) -> None:  # noqa: UP045
    """Re-execute the walkthrough notebooks in place (after changing a lesson)."""
    import nbformat
    from nbclient import NotebookClient

    root = find_root()
    for path in [p.resolve() for p in paths] if paths else sorted((root / "notebooks").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
        for cell in notebook.cells:
            cell.get("metadata", {}).pop("execution", None)
        nbformat.write(notebook, path)
        console.print(f"executed {path.relative_to(root)}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
