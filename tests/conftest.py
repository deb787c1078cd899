"""Shared fixtures of the workbook's own tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbook.layout import Lesson, lessons

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=lessons(ROOT), ids=lambda lesson: lesson.name)
def each_lesson(request: pytest.FixtureRequest) -> Lesson:
    return request.param
