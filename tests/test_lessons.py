"""The checks prove themselves: all pass on the reference, all fail on the untouched starter,
every mutant is caught by the checks it names, and lessons/ is generated from solutions/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbook.layout import Lesson, Mutant, lessons
from workbook.runner import run_checks
from workbook.starter import build_lesson, write_fresh_starter

ROOT = Path(__file__).resolve().parent.parent
LESSONS = lessons(ROOT)


def test_every_check_passes_on_the_solution(each_lesson: Lesson, tmp_path: Path) -> None:
    run = run_checks(ROOT, each_lesson.name, ROOT / "solutions")
    assert run.statuses, f"no checks ran for {each_lesson.name}:\n{run.output[-3000:]}"
    not_passing = {n: s for n, s in run.statuses.items() if s not in {"pass"}}
    assert not not_passing, f"{each_lesson.name}: checks that do not pass on the solution: {not_passing}\n{run.output[-4000:]}"
    assert run.returncode == 0


POSTGRES_LESSONS = [lesson for lesson in LESSONS if "postgresql" in lesson.databases]


@pytest.mark.parametrize("lesson", POSTGRES_LESSONS, ids=[lesson.name for lesson in POSTGRES_LESSONS])
def test_every_check_passes_on_the_solution_with_postgresql(lesson: Lesson) -> None:
    from workbook import services

    services.postgres_url()  # skips with the reason, or fails under WORKBOOK_REQUIRE_SERVICES=1
    run = run_checks(ROOT, lesson.name, ROOT / "solutions", "--database", "postgresql")
    assert run.statuses, run.output[-3000:]
    not_passing = {n: s for n, s in run.statuses.items() if s != "pass"}
    assert not not_passing, f"{lesson.name} on PostgreSQL: {not_passing}\n{run.output[-4000:]}"


def test_every_check_fails_on_the_untouched_starter(each_lesson: Lesson, tmp_path: Path) -> None:
    write_fresh_starter(each_lesson.solution_dir, tmp_path / "starter" / each_lesson.name)
    run = run_checks(ROOT, each_lesson.name, tmp_path / "starter")
    assert run.statuses, f"no checks ran for {each_lesson.name}:\n{run.output[-3000:]}"
    passing = sorted(n for n, s in run.statuses.items() if s in {"pass", "skip"})
    assert not passing, f"{each_lesson.name}: checks that pass (or skip) on the untouched starter: {passing}"
    assert run.returncode == 1


def test_lessons_folder_is_generated_from_solutions(each_lesson: Lesson) -> None:
    report = build_lesson(each_lesson.solution_dir, each_lesson.starter_dir, dry_run=True)
    stale = [str(p) for p in report.written + report.kept]
    assert not stale, f"lessons/{each_lesson.name} is out of date with solutions/ (run `workbook build`): {stale}"
    assert not report.extra, f"lessons/{each_lesson.name} has files the solution does not generate: {report.extra}"


MUTANTS = [(lesson, mutant) for lesson in LESSONS for mutant in lesson.mutants]


def test_each_lesson_has_at_least_four_mutants(each_lesson: Lesson) -> None:
    assert len(each_lesson.mutants) >= 4, f"{each_lesson.name} keeps {len(each_lesson.mutants)} mutants; at least 4 are needed"


def apply_mutant(lesson: Lesson, mutant: Mutant, destination: Path) -> None:
    shutil.copytree(lesson.solution_dir, destination, ignore=shutil.ignore_patterns("__pycache__"))
    path = destination / mutant.file
    text = path.read_text(encoding="utf-8")
    occurrences = text.count(mutant.find)
    assert occurrences == 1, f"mutant {mutant.name!r}: its `find` text occurs {occurrences} times in {mutant.file}, expected once"
    path.write_text(text.replace(mutant.find, mutant.replace), encoding="utf-8")


@pytest.mark.parametrize(("lesson", "mutant"), MUTANTS, ids=[f"{l.name}-{m.name}" for l, m in MUTANTS])
def test_mutant_is_caught_by_the_checks_it_names(lesson: Lesson, mutant: Mutant, tmp_path: Path) -> None:
    assert mutant.caught_by, f"mutant {mutant.name!r} names no check that catches it"
    apply_mutant(lesson, mutant, tmp_path / "mutant" / lesson.name)
    # Only the named checks need to run to prove they catch it (the full set runs on the solution).
    run = run_checks(ROOT, lesson.name, tmp_path / "mutant", "--only", ",".join(mutant.caught_by))
    unknown = set(mutant.caught_by) - set(run.statuses)
    assert not unknown, f"mutant {mutant.name!r} names checks that do not exist: {sorted(unknown)}"
    missed = set(mutant.caught_by) - run.failed()
    assert not missed, (
        f"mutant {mutant.name!r} ({mutant.why}) was not caught by {sorted(missed)}; "
        f"the checks that failed: {sorted(run.failed())}"
    )
