"""Lesson 03 contract: `app.main` defines `app`; the tasks live in memory, so every check
imports the app afresh and starts with no tasks."""

import pytest


@pytest.fixture
def client(lesson):
    return lesson.client("app.main:app")
