"""Tasks and projects, kept in the database through the request's Session.

The methods are the ones lesson 03's in-memory store had, so the routes hardly change. What
changes is who keeps the rules: the database refuses what breaks a constraint (a taken project
name, a second open task with the same title), and `refused_as` turns that refusal into the
domain's own error, which app/problems.py answers as a 409.

Nothing is stored until the session commits: each method that writes commits before it returns,
once, after its last change - so a change either happens whole or not at all.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import SessionDep
from app.errors import ProjectNameTaken, TitleTaken
from app.models import Project, Task
from app.schemas import ProjectCreate, TaskCreate, TaskStatus


# TODO(conflicts): `with refused_as(session, error): ...` runs the block - a flush or a commit -
#   and when the database refuses it because a constraint is broken (SQLAlchemy raises
#   IntegrityError), undoes the session's uncommitted work and raises `error` instead.
@contextmanager
def refused_as(session: Session, error: Exception) -> Iterator[None]:
    yield


class TaskStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    # TODO(read): list(...) answers the tasks oldest first (by id), only those with `status` when
    #   it is given, at most `limit` of them - one SELECT, filtered and limited by the database.
    #   get(...) answers the task with this id, or None.
    def list(self, *, status: TaskStatus | None = None, limit: int) -> list[Task]:
        raise NotImplementedError("TODO(read)")

    def get(self, task_id: int) -> Task | None:
        raise NotImplementedError("TODO(read)")

    # TODO(write): add, replace and delete change the database and commit before they return.
    #   add stores a new task (with created_by_ip); replace sets every field of an existing task
    #   from `data` (None when there is no such task); delete removes it (False when there was
    #   none). When the title rule refuses the change, raise TitleTaken(data.title) - see
    #   refused_as - and nothing is changed.
    def add(self, data: TaskCreate, *, created_by_ip: str | None) -> Task:
        raise NotImplementedError("TODO(write)")

    def replace(self, task_id: int, data: TaskCreate) -> Task | None:
        raise NotImplementedError("TODO(write)")

    def delete(self, task_id: int) -> bool:
        raise NotImplementedError("TODO(write)")


class ProjectStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def list(self, *, limit: int) -> list[Project]:
        """Projects oldest first, at most `limit` of them."""
        return list(self.session.scalars(select(Project).order_by(Project.id).limit(limit)))

    def get(self, project_id: int) -> Project | None:
        return self.session.get(Project, project_id)

    # TODO(projects): create(...) stores the project and each of its initial tasks (their
    #   project_id is the new project's id) in ONE transaction: when anything is refused - the
    #   name is taken (raise ProjectNameTaken(data.name)) or a task breaks the title rule (raise
    #   TitleTaken with that task's title) - nothing at all is stored, not even the project.
    def create(self, data: ProjectCreate, *, created_by_ip: str | None) -> Project:
        raise NotImplementedError("TODO(projects)")


def get_task_store(session: SessionDep) -> TaskStore:
    return TaskStore(session)


def get_project_store(session: SessionDep) -> ProjectStore:
    return ProjectStore(session)


TaskStoreDep = Annotated[TaskStore, Depends(get_task_store)]
ProjectStoreDep = Annotated[ProjectStore, Depends(get_project_store)]
