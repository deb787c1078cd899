"""Users, projects and tasks, kept in the database through the request's Session.

The database refuses what breaks a constraint (a taken project name or email, a second open task
with the same title), and `refused_as` turns that refusal into the domain's own error, which
app/problems.py answers as a 409. Each method that writes commits once, after its last change.

Reading a list is one statement for the page and one for the total: the related project and
assignee of every task come in the same SELECT (joinedload), never one query per task.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.access import visible_projects, writable_projects
from app.db import SessionDep
from app.errors import EmailTaken, ProjectNameTaken, TitleTaken, UnknownReference
from app.models import Project, Task, User
from app.schemas import (
    Dashboard,
    ProjectCreate,
    ProjectProgress,
    TaskCreate,
    TaskQuery,
    TaskStatus,
    UserCreate,
)


@contextmanager
def refused_as(session: Session, error: Exception) -> Iterator[None]:
    """Run the block (a flush or a commit); when the database refuses it because a constraint is
    broken, roll the session back and raise `error` instead."""
    try:
        yield
    except IntegrityError:
        # The failed statement broke the transaction: roll it back so nothing of it is kept
        # (and the session can be used again).
        session.rollback()
        raise error from None


def require(session: Session, model: type[Any], key: int | None, loc: tuple[str | int, ...]) -> None:
    """A body names a row by id: raise UnknownReference (422) when there is no such row."""
    if key is not None and session.get(model, key) is None:
        raise UnknownReference(loc, f"There is no {model.__tablename__.removesuffix('s')} {key}.")


# What GET /tasks may sort on: the names TaskSort allows, each with its column. Only these - a
# client never picks a column by name.
SORT_COLUMNS = {"id": Task.id, "title": Task.title, "priority": Task.priority, "due_date": Task.due_date}


class TaskStore:
    """The tasks `user` may see (and change): every query is filtered by app/access.py."""

    def __init__(self, session: Session, user: User) -> None:
        self.session = session
        self.user = user

    def list(self, query: TaskQuery) -> tuple[list[Task], int]:
        """One page of the tasks matching every filter given, and how many match in all."""
        conditions: list[ColumnElement[bool]] = [Task.project.has(visible_projects(self.user))]
        if query.status is not None:
            conditions.append(Task.status == query.status)
        if query.kind is not None:
            conditions.append(Task.kind == query.kind)
        if query.assignee_id is not None:
            conditions.append(Task.assignee_id == query.assignee_id)
        if query.project_id is not None:
            conditions.append(Task.project_id == query.project_id)
        if query.due_before is not None:
            conditions.append(Task.due_date < query.due_before)
        if query.q:
            # A bound parameter, never SQL text; autoescape makes % and _ match themselves.
            conditions.append(Task.title.icontains(query.q, autoescape=True))

        total = self.session.scalar(select(func.count()).select_from(Task).where(*conditions)) or 0

        column = SORT_COLUMNS[query.sort.removeprefix("-")]
        order = column.desc() if query.sort.startswith("-") else column.asc()
        page = (
            select(Task)
            .where(*conditions)
            # Many-to-one: a LEFT OUTER JOIN brings each task's project and assignee in the same row.
            .options(joinedload(Task.project), joinedload(Task.assignee))
            .order_by(order.nulls_last(), Task.id)
            .offset(query.offset)
            .limit(query.limit)
        )
        return list(self.session.scalars(page)), total

    def get(self, task_id: int) -> Task | None:
        """The task, when it exists and `user` may see it; None otherwise - the same for both."""
        return self.session.scalar(
            select(Task).where(Task.id == task_id, Task.project.has(visible_projects(self.user)))
        )

    def get_writable(self, task_id: int) -> Task | None:
        """The task, when it exists and `user` may change it; None otherwise."""
        return self.session.scalar(
            select(Task).where(Task.id == task_id, Task.project.has(writable_projects(self.user)))
        )

    def add(self, data: TaskCreate, *, created_by_ip: str | None) -> Task:
        self._require_references(data)
        task = Task(**data.model_dump(), created_by_ip=created_by_ip)
        self.session.add(task)
        with refused_as(self.session, TitleTaken(data.title)):
            self.session.commit()
        return task

    def replace(self, task_id: int, data: TaskCreate) -> Task | None:
        task = self.get_writable(task_id)
        if task is None:
            return None
        self._require_references(data)
        for field, value in data.model_dump().items():
            setattr(task, field, value)
        with refused_as(self.session, TitleTaken(data.title)):
            self.session.commit()
        return task

    def delete(self, task_id: int) -> bool:
        task = self.get_writable(task_id)
        if task is None:
            return False
        self.session.delete(task)
        self.session.commit()
        return True

    def _require_references(self, data: TaskCreate) -> None:
        # A project the user may not change is answered like one that does not exist.
        project = self.session.scalar(
            select(Project.id).where(Project.id == data.project_id, writable_projects(self.user))
        )
        if project is None:
            raise UnknownReference(("body", "project_id"), f"There is no project {data.project_id}.")
        require(self.session, User, data.assignee_id, ("body", "assignee_id"))


class ProjectStore:
    """The projects `user` may see; the projects they create are theirs."""

    def __init__(self, session: Session, user: User) -> None:
        self.session = session
        self.user = user

    def list(self, *, limit: int) -> list[Project]:
        """Projects oldest first, at most `limit` of them."""
        visible = select(Project).where(visible_projects(self.user))
        return list(self.session.scalars(visible.order_by(Project.id).limit(limit)))

    def get(self, project_id: int) -> Project | None:
        return self.session.scalar(select(Project).where(Project.id == project_id, visible_projects(self.user)))

    def dashboard(self) -> Dashboard:
        """The visible projects and their tasks, counted by status - one GROUP BY statement, the
        read the dashboard caches (it grows with every task the user may see)."""
        counts = (
            select(Project.id, Project.name, Task.status, func.count(Task.id))
            .outerjoin(Task, Task.project_id == Project.id)  # a project with no task: status NULL, 0
            .where(visible_projects(self.user))
            .group_by(Project.id, Project.name, Task.status)
            .order_by(Project.id)
        )
        by_status = dict.fromkeys(TaskStatus, 0)
        projects: dict[int, ProjectProgress] = {}
        for project_id, name, task_status, count in self.session.execute(counts):
            progress = projects.setdefault(project_id, ProjectProgress(id=project_id, name=name, tasks=0, done=0))
            if task_status is not None:
                by_status[task_status] += count
                progress.tasks += count
                if task_status is TaskStatus.done:
                    progress.done += count
        return Dashboard(tasks=sum(by_status.values()), by_status=by_status, projects=list(projects.values()))

    def create(self, data: ProjectCreate, *, created_by_ip: str | None) -> Project:
        """The project and its initial tasks in one transaction: all of them, or nothing."""
        for number, task_data in enumerate(data.tasks):
            require(self.session, User, task_data.assignee_id, ("body", "tasks", number, "assignee_id"))
        # The owner is who creates it - never a value from the body.
        project = Project(name=data.name, description=data.description, owner_id=self.user.id)
        self.session.add(project)
        # flush() sends the INSERT without committing: a taken name is refused here, and the
        # project gets its id for the tasks. Flushing each task in turn says which one broke the
        # rule. One commit at the end: before it, nothing is visible to anyone else.
        with refused_as(self.session, ProjectNameTaken(data.name)):
            self.session.flush()
        for task_data in data.tasks:
            task = Task(**task_data.model_dump(), project_id=project.id, created_by_ip=created_by_ip)
            self.session.add(task)
            with refused_as(self.session, TitleTaken(task_data.title)):
                self.session.flush()
        self.session.commit()
        return project


class UserStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def list(self, *, limit: int) -> list[User]:
        return list(self.session.scalars(select(User).order_by(User.id).limit(limit)))

    def get(self, user_id: int) -> User | None:
        return self.session.get(User, user_id)

    def get_by_email(self, email: str) -> User | None:
        return self.session.scalar(select(User).where(User.email == email))

    def add(self, data: UserCreate, *, hashed_password: str) -> User:
        """A new user with the password's hash - never the password itself."""
        user = User(**data.model_dump(exclude={"password"}), hashed_password=hashed_password)
        self.session.add(user)
        with refused_as(self.session, EmailTaken(data.email)):
            self.session.commit()
        return user

    def set_password_hash(self, user: User, hashed_password: str) -> None:
        user.hashed_password = hashed_password
        self.session.commit()

    def change(self, user: User, changes: dict[str, Any]) -> User:
        """Set the fields given; which fields a client may send is the schemas' business
        (UserSelfUpdate for oneself, UserAdminUpdate for an admin)."""
        for field, value in changes.items():
            setattr(user, field, value)
        self.session.commit()
        return user


def get_user_store(session: SessionDep) -> UserStore:
    return UserStore(session)


UserStoreDep = Annotated[UserStore, Depends(get_user_store)]
