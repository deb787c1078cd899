"""Independent solutions, written without looking at the reference, must pass the checks: the
checks test the lesson's contract, not the reference's internals."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbook.runner import run_checks

ROOT = Path(__file__).resolve().parent.parent
INDEPENDENT = ROOT / "tests" / "independent"
LESSONS = sorted(p.name for p in INDEPENDENT.glob("lesson_*") if p.is_dir())


@pytest.mark.parametrize("lesson", LESSONS)
def test_independent_solution_passes(lesson: str) -> None:
    run = run_checks(ROOT, lesson, INDEPENDENT)
    assert run.statuses, run.output[-3000:]
    failing = {n: s for n, s in run.statuses.items() if s != "pass"}
    assert not failing, f"{lesson}: the independent solution fails {failing}\n{run.output[-4000:]}"
