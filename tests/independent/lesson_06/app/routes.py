"""Routes on SQLAlchemy Core: explicit LEFT JOINs build each task with its project and assignee,
and a window function counts the matches in the same statement as the page."""

from typing import Annotated, Optional

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.failures import DuplicateProject, DuplicateTitle, Failure, Missing, MissingProject
from app.models import Listing, NewProject, NewTask, NewUser, TaskChanges
from app.tables import db, projects, tasks, users

router = APIRouter()
Conn = Annotated[Connection, Depends(db)]
FIELDS = list(NewTask.model_fields)
SORTS = {"id": tasks.c.id, "title": tasks.c.title, "priority": tasks.c.priority, "due_date": tasks.c.due_date}


class MissingUser(Failure):
    status = 404
    slug = "user-not-found"


class DuplicateEmail(Failure):
    status = 409
    slug = "email-taken"


def bad_reference(loc: tuple, message: str) -> RequestValidationError:
    return RequestValidationError([{"type": "reference", "loc": loc, "msg": message, "input": None}])


def joined():
    return (
        select(tasks, projects.c.name.label("project_name"), users.c.name.label("user_name"), users.c.email.label("user_email"))
        .select_from(tasks.join(projects, tasks.c.project_id == projects.c.id).outerjoin(users, tasks.c.assignee_id == users.c.id))
    )


def shape(row) -> dict:
    data = {k: row[k] for k in ("id", *FIELDS)}
    data["project"] = {"id": row["project_id"], "name": row["project_name"]}
    data["assignee"] = None if row["assignee_id"] is None else {"id": row["assignee_id"], "name": row["user_name"], "email": row["user_email"]}
    return data


def one(conn: Connection, task_id: int) -> dict:
    row = conn.execute(joined().where(tasks.c.id == task_id)).mappings().first()
    if row is None:
        raise Missing(f"task {task_id} does not exist")
    return shape(row)


def check_refs(conn: Connection, project_id: Optional[int], assignee_id: Optional[int], prefix=("body",)) -> None:
    if project_id is not None and conn.scalar(select(projects.c.id).where(projects.c.id == project_id)) is None:
        raise bad_reference((*prefix, "project_id"), f"no project {project_id}")
    if assignee_id is not None and conn.scalar(select(users.c.id).where(users.c.id == assignee_id)) is None:
        raise bad_reference((*prefix, "assignee_id"), f"no user {assignee_id}")


def write(conn: Connection, statement, title: str):
    try:
        result = conn.execute(statement)
        conn.commit()
        return result
    except IntegrityError:
        conn.rollback()
        raise DuplicateTitle(f"title {title!r} in use by an open task") from None


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@router.get("/tasks")
def all_tasks(listing: Annotated[Listing, Query()], conn: Conn):
    where = []
    if listing.status:
        where.append(tasks.c.status == listing.status)
    if listing.kind:
        where.append(tasks.c.kind == listing.kind)
    if listing.assignee_id is not None:
        where.append(tasks.c.assignee_id == listing.assignee_id)
    if listing.project_id is not None:
        where.append(tasks.c.project_id == listing.project_id)
    if listing.due_before is not None:
        where.append(tasks.c.due_date < listing.due_before)
    if listing.q:
        where.append(func.lower(tasks.c.title).like("%" + escape_like(listing.q.lower()) + "%", escape="\\"))
    column = SORTS[listing.sort.lstrip("-")]
    direction = column.desc() if listing.sort.startswith("-") else column.asc()
    statement = (
        joined().add_columns(func.count().over().label("matches")).where(*where)
        .order_by(column.is_(None), direction, tasks.c.id).limit(listing.limit).offset(listing.offset)
    )
    rows = conn.execute(statement).mappings().all()
    total = rows[0]["matches"] if rows else conn.scalar(select(func.count()).select_from(tasks).where(*where))
    return {"items": [shape(r) for r in rows], "total": total, "limit": listing.limit, "offset": listing.offset}


@router.get("/tasks/{task_id}")
def one_task(task_id: int, conn: Conn):
    return one(conn, task_id)


@router.post("/tasks", status_code=201)
def new_task(body: NewTask, request: Request, response: Response, conn: Conn):
    check_refs(conn, body.project_id, body.assignee_id)
    ip = request.client.host if request.client else None
    result = write(conn, insert(tasks).values(**body.model_dump(), created_by_ip=ip), body.title)
    new_id = result.inserted_primary_key[0]
    response.headers["location"] = f"/tasks/{new_id}"
    return one(conn, new_id)


@router.put("/tasks/{task_id}")
def put_task(task_id: int, body: NewTask, conn: Conn):
    one(conn, task_id)
    check_refs(conn, body.project_id, body.assignee_id)
    write(conn, update(tasks).where(tasks.c.id == task_id).values(**body.model_dump()), body.title)
    return one(conn, task_id)


@router.patch("/tasks/{task_id}")
def patch_task(task_id: int, body: TaskChanges, conn: Conn):
    old = one(conn, task_id)
    merged = {k: old[k] for k in FIELDS} | body.model_dump(exclude_unset=True)
    try:
        checked = NewTask(**merged)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None
    check_refs(conn, checked.project_id, checked.assignee_id)
    write(conn, update(tasks).where(tasks.c.id == task_id).values(**checked.model_dump()), checked.title)
    return one(conn, task_id)


@router.delete("/tasks/{task_id}", status_code=204)
def remove_task(task_id: int, conn: Conn):
    if conn.execute(delete(tasks).where(tasks.c.id == task_id)).rowcount == 0:
        raise Missing(f"task {task_id} does not exist")
    conn.commit()


@router.get("/projects")
def all_projects(conn: Conn, limit: int = Query(20, ge=1, le=100)):
    return [dict(r) for r in conn.execute(select(projects).order_by(projects.c.id).limit(limit)).mappings()]


@router.get("/projects/{project_id}")
def one_project(project_id: int, conn: Conn):
    row = conn.execute(select(projects).where(projects.c.id == project_id)).mappings().first()
    if row is None:
        raise MissingProject(f"project {project_id} does not exist")
    return dict(row)


@router.post("/projects", status_code=201)
def new_project(body: NewProject, request: Request, response: Response, conn: Conn):
    for n, t in enumerate(body.tasks):
        check_refs(conn, None, t.assignee_id, ("body", "tasks", n))
    ip = request.client.host if request.client else None
    try:
        project_id = conn.execute(insert(projects).values(name=body.name, description=body.description)).inserted_primary_key[0]
        if body.tasks:
            conn.execute(insert(tasks), [{**t.model_dump(), "project_id": project_id, "created_by_ip": ip} for t in body.tasks])
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


@router.post("/users", status_code=201)
def new_user(body: NewUser, response: Response, conn: Conn):
    try:
        user_id = conn.execute(insert(users).values(**body.model_dump())).inserted_primary_key[0]
        conn.commit()
    except IntegrityError:
        conn.rollback()
        raise DuplicateEmail(f"{body.email} is taken") from None
    response.headers["location"] = f"/users/{user_id}"
    return {"id": user_id, **body.model_dump()}


@router.get("/users/{user_id}")
def one_user(user_id: int, conn: Conn):
    row = conn.execute(select(users).where(users.c.id == user_id)).mappings().first()
    if row is None:
        raise MissingUser(f"user {user_id} does not exist")
    return dict(row)
