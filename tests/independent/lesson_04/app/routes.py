"""Routes on SQLAlchemy Core: insert()/update()/delete()/select() on a per-request Connection."""

from typing import Optional

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError, field_validator
from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.failures import DuplicateProject, DuplicateTitle, Missing, MissingProject
from app.models import NewTask, Status, TaskChanges, TaskOut
from app.tables import db, projects, tasks

router = APIRouter()
FIELDS = list(NewTask.model_fields)


class TaskOutWithProject(TaskOut):
    project_id: Optional[int]


class NewProject(BaseModel):
    model_config = {"extra": "forbid"}
    name: str
    description: str = ""
    tasks: list[NewTask] = []

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = v.strip()
        if not 1 <= len(v) <= 100:
            raise ValueError("name has 1 to 100 characters")
        return v

    @field_validator("tasks")
    @classmethod
    def _few(cls, v: list) -> list:
        if len(v) > 50:
            raise ValueError("at most 50 tasks")
        return v


class ProjectOut(BaseModel):
    id: int
    name: str
    description: str


def row_of(conn: Connection, task_id: int) -> dict:
    row = conn.execute(select(tasks).where(tasks.c.id == task_id)).mappings().first()
    if row is None:
        raise Missing(f"task {task_id} does not exist")
    return dict(row)


def values(body: NewTask) -> dict:
    return body.model_dump()


def write(conn: Connection, statement, title: str):
    try:
        result = conn.execute(statement)
        conn.commit()
        return result
    except IntegrityError:
        conn.rollback()
        raise DuplicateTitle(f"title {title!r} in use by an open task") from None


@router.get("/tasks", response_model=list[TaskOutWithProject])
def all_tasks(status: Optional[Status] = None, limit: int = Query(20, ge=1, le=100), conn: Connection = Depends(db)):
    query = select(tasks).order_by(tasks.c.id).limit(limit)
    if status:
        query = query.where(tasks.c.status == status)
    return [dict(r) for r in conn.execute(query).mappings()]


@router.get("/tasks/{task_id}", response_model=TaskOutWithProject)
def one_task(task_id: int, conn: Connection = Depends(db)):
    return row_of(conn, task_id)


@router.post("/tasks", response_model=TaskOutWithProject, status_code=201)
def new_task(body: NewTask, request: Request, response: Response, conn: Connection = Depends(db)):
    ip = request.client.host if request.client else None
    result = write(conn, insert(tasks).values(**values(body), created_by_ip=ip), body.title)
    new_id = result.inserted_primary_key[0]
    response.headers["location"] = f"/tasks/{new_id}"
    return row_of(conn, new_id)


@router.put("/tasks/{task_id}", response_model=TaskOutWithProject)
def put_task(task_id: int, body: NewTask, conn: Connection = Depends(db)):
    row_of(conn, task_id)
    write(conn, update(tasks).where(tasks.c.id == task_id).values(**values(body)), body.title)
    return row_of(conn, task_id)


@router.patch("/tasks/{task_id}", response_model=TaskOutWithProject)
def patch_task(task_id: int, body: TaskChanges, conn: Connection = Depends(db)):
    old = row_of(conn, task_id)
    merged = {k: old[k] for k in FIELDS} | body.model_dump(exclude_unset=True)
    try:
        checked = NewTask(**merged)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None
    write(conn, update(tasks).where(tasks.c.id == task_id).values(**values(checked)), checked.title)
    return row_of(conn, task_id)


@router.delete("/tasks/{task_id}", status_code=204)
def remove_task(task_id: int, conn: Connection = Depends(db)):
    if conn.execute(delete(tasks).where(tasks.c.id == task_id)).rowcount == 0:
        raise Missing(f"task {task_id} does not exist")
    conn.commit()


@router.get("/projects", response_model=list[ProjectOut])
def all_projects(limit: int = Query(20, ge=1, le=100), conn: Connection = Depends(db)):
    return [dict(r) for r in conn.execute(select(projects).order_by(projects.c.id).limit(limit)).mappings()]


@router.get("/projects/{project_id}", response_model=ProjectOut)
def one_project(project_id: int, conn: Connection = Depends(db)):
    row = conn.execute(select(projects).where(projects.c.id == project_id)).mappings().first()
    if row is None:
        raise MissingProject(f"project {project_id} does not exist")
    return dict(row)


@router.post("/projects", response_model=ProjectOut, status_code=201)
def new_project(body: NewProject, request: Request, response: Response, conn: Connection = Depends(db)):
    ip = request.client.host if request.client else None
    try:
        project_id = conn.execute(
            insert(projects).values(name=body.name, description=body.description)
        ).inserted_primary_key[0]
        if body.tasks:
            conn.execute(insert(tasks), [{**values(t), "project_id": project_id, "created_by_ip": ip} for t in body.tasks])
        conn.commit()
    except IntegrityError:
        conn.rollback()
        taken = conn.execute(select(projects.c.id).where(projects.c.name == body.name)).first()
        conn.rollback()
        if taken:
            raise DuplicateProject(f"project {body.name!r} exists") from None
        raise DuplicateTitle("a task title is in use by an open task") from None
    response.headers["location"] = f"/projects/{project_id}"
    return {"id": project_id, "name": body.name, "description": body.description}
