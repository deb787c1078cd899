"""Authorization by permissions: each role is a set of permission strings; routes ask for a
permission; objects are fetched and then checked in Python; a gatekeeper dependency on the whole
app refuses every anonymous request that is not on the public list."""

from contextlib import asynccontextmanager
from typing import Annotated, Literal, Optional

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel, ConfigDict, EmailStr, Field
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from app import security
from app.db import engine, projects, tasks, users
from app.settings import check_signing_key

BEARER = {"WWW-Authenticate": "Bearer"}
PUBLIC = {("POST", "/token"), ("POST", "/token/refresh"), ("POST", "/users")}
PERMISSIONS = {
    "admin": {"read:any", "write:any", "users:manage"},
    "member": {"read:own", "write:own"},
    "viewer": {"read:any"},
}

optional_bearer = OAuth2PasswordBearer(tokenUrl="token", auto_error=False)


def gatekeeper(request: Request, token: Annotated[Optional[str], Depends(optional_bearer)]) -> None:
    if (request.method, request.url.path) in PUBLIC:
        return
    if token is None or security.subject(token, "access") is None:
        raise HTTPException(401, "Not authenticated", headers=BEARER)


@asynccontextmanager
async def lifespan(app):
    check_signing_key()
    yield
    engine.dispose()


app = FastAPI(lifespan=lifespan, dependencies=[Depends(gatekeeper)])
bearer = OAuth2PasswordBearer(tokenUrl="token")


@app.exception_handler(RequestValidationError)
async def invalid(request: Request, exc: RequestValidationError):
    return JSONResponse({"detail": [{"loc": e["loc"], "msg": e["msg"]} for e in exc.errors()]}, status_code=422)


class Registration(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    email: EmailStr
    password: str = Field(min_length=8, max_length=128, repr=False)


class Refresh(BaseModel):
    refresh_token: str


class Rename(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)


class Administer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Optional[Literal["admin", "member", "viewer"]] = None
    is_active: Optional[bool] = None


class NewProject(BaseModel):
    model_config = ConfigDict(extra="ignore")  # owner_id and friends are dropped, not refused
    name: str = Field(min_length=1, max_length=100)
    description: str = ""


class NewTask(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    project_id: int
    priority: int = Field(3, ge=1, le=5)
    assignee_id: Optional[int] = None


class TaskPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Optional[str] = Field(None, min_length=1, max_length=200)
    priority: Optional[int] = Field(None, ge=1, le=5)
    project_id: Optional[int] = None


def denied(detail="Could not validate credentials") -> HTTPException:
    return HTTPException(401, detail, headers=BEARER)


def account(row) -> dict:
    return {"id": row.id, "name": row.name, "email": row.email, "role": row.role, "is_active": row.is_active}


def active(conn, user_id):
    row = conn.execute(select(users).where(users.c.id == user_id)).first() if user_id is not None else None
    if row is None or not row.is_active:
        raise denied()
    return row


def caller(token: Annotated[str, Depends(bearer)]):
    with engine.connect() as conn:
        return active(conn, security.subject(token, "access"))


def needs(*wanted: str):
    def check(user=Depends(caller)):
        if not PERMISSIONS.get(user.role, set()) & set(wanted):
            raise HTTPException(403, "forbidden")
        return user
    return check


def may(user, action: str, owner_id) -> bool:
    granted = PERMISSIONS.get(user.role, set())
    return f"{action}:any" in granted or (f"{action}:own" in granted and owner_id == user.id)


def project_for(conn, user, project_id, action="read"):
    row = conn.execute(select(projects).where(projects.c.id == project_id)).first()
    if row is None or not may(user, action, row.owner_id):
        raise HTTPException(404, "project not found")
    return row


def task_for(conn, user, task_id, action="read"):
    row = conn.execute(
        select(tasks, projects.c.owner_id).join(projects, tasks.c.project_id == projects.c.id).where(tasks.c.id == task_id)
    ).first()
    if row is None or not may(user, action, row.owner_id):
        raise HTTPException(404, "task not found")
    return row


def task_out(row) -> dict:
    return {"id": row.id, "title": row.title, "priority": row.priority, "project_id": row.project_id, "assignee_id": row.assignee_id}


def project_out(row) -> dict:
    return {"id": row.id, "name": row.name, "description": row.description, "owner_id": row.owner_id}


def usable_project(conn, user, project_id):
    try:
        return project_for(conn, user, project_id, "write")
    except HTTPException:
        raise HTTPException(422, "unknown project") from None


# ----------------------------------------------------------------------------- accounts


@app.post("/users", status_code=201)
def register(body: Registration):
    with engine.begin() as conn:
        try:
            new_id = conn.execute(insert(users).values(
                name=body.name, email=body.email, hashed_password=security.pwd_context.hash(body.password),
            )).inserted_primary_key[0]
        except IntegrityError:
            raise HTTPException(409, "email taken") from None
    return {"id": new_id, "name": body.name, "email": body.email}


@app.get("/users/me")
def whoami(user=Depends(caller)):
    return account(user)


@app.patch("/users/me")
def rename_me(body: Rename, user=Depends(caller)):
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == user.id).values(name=body.name))
        return account(active(conn, user.id))


@app.get("/users")
def all_users(admin=Depends(needs("users:manage"))):
    with engine.connect() as conn:
        return [account(r) for r in conn.execute(select(users).order_by(users.c.id).limit(100))]


@app.get("/users/{user_id}")
def one_user(user_id: int, admin=Depends(needs("users:manage"))):
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.id == user_id)).first()
    if row is None:
        raise HTTPException(404, "no such user")
    return account(row)


@app.patch("/users/{user_id}")
def administer(user_id: int, body: Administer, admin=Depends(needs("users:manage"))):
    with engine.begin() as conn:
        row = conn.execute(select(users).where(users.c.id == user_id)).first()
        if row is None:
            raise HTTPException(404, "no such user")
        changes = body.model_dump(exclude_none=True)
        if changes:
            conn.execute(update(users).where(users.c.id == user_id).values(**changes))
        return account(conn.execute(select(users).where(users.c.id == user_id)).first())


@app.post("/token")
def token(form: Annotated[OAuth2PasswordRequestForm, Depends()]):
    who = form.username.lower()
    wait = security.attempts.wait(who)
    if wait:
        raise HTTPException(429, "too many attempts", headers={"Retry-After": str(wait)})
    with engine.begin() as conn:
        row = conn.execute(select(users).where(users.c.email == form.username)).first()
        if row is None or not row.hashed_password:
            security.pwd_context.dummy_verify()
            ok, upgraded = False, None
        else:
            ok, upgraded = security.pwd_context.verify_and_update(form.password, row.hashed_password)
        if not ok or not row.is_active:
            security.attempts.fail(who)
            raise denied("Incorrect username or password")
        if upgraded:
            conn.execute(update(users).where(users.c.id == row.id).values(hashed_password=upgraded))
    security.attempts.clear(who)
    return {
        "access_token": security.issue(row.id, "access", 600),
        "refresh_token": security.issue(row.id, "refresh", 86400),
        "token_type": "bearer",
    }


@app.post("/token/refresh")
def refresh(body: Refresh):
    with engine.connect() as conn:
        user = active(conn, security.subject(body.refresh_token, "refresh"))
    return {"access_token": security.issue(user.id, "access", 600), "token_type": "bearer"}


# ----------------------------------------------------------------------------- projects and tasks

READ = ("read:any", "read:own")
WRITE = ("write:any", "write:own")


@app.get("/projects")
def list_projects(user=Depends(needs(*READ))):
    query = select(projects).order_by(projects.c.id)
    if "read:any" not in PERMISSIONS[user.role]:
        query = query.where(projects.c.owner_id == user.id)
    with engine.connect() as conn:
        return [project_out(r) for r in conn.execute(query.limit(100))]


@app.get("/projects/{project_id}")
def get_project(project_id: int, user=Depends(needs(*READ))):
    with engine.connect() as conn:
        return project_out(project_for(conn, user, project_id))


@app.post("/projects", status_code=201)
def create_project(body: NewProject, user=Depends(needs(*WRITE))):
    with engine.begin() as conn:
        try:
            new_id = conn.execute(insert(projects).values(
                name=body.name, description=body.description, owner_id=user.id,
            )).inserted_primary_key[0]
        except IntegrityError:
            raise HTTPException(409, "name taken") from None
        return project_out(project_for(conn, user, new_id))


@app.get("/tasks")
def list_tasks(user=Depends(needs(*READ)), limit: int = 20, offset: int = 0):
    query = select(tasks).join(projects, tasks.c.project_id == projects.c.id)
    if "read:any" not in PERMISSIONS[user.role]:
        query = query.where(projects.c.owner_id == user.id)
    with engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(query.subquery()))
        rows = conn.execute(query.order_by(tasks.c.id).limit(min(limit, 100)).offset(offset))
        return {"items": [task_out(r) for r in rows], "total": total, "limit": limit, "offset": offset}


@app.get("/tasks/{task_id}")
def get_task(task_id: int, user=Depends(needs(*READ))):
    with engine.connect() as conn:
        return task_out(task_for(conn, user, task_id))


@app.post("/tasks", status_code=201)
def create_task(body: NewTask, user=Depends(needs(*WRITE))):
    with engine.begin() as conn:
        usable_project(conn, user, body.project_id)
        new_id = conn.execute(insert(tasks).values(**body.model_dump())).inserted_primary_key[0]
        return task_out(task_for(conn, user, new_id))


@app.put("/tasks/{task_id}")
def replace_task(task_id: int, body: NewTask, user=Depends(needs(*WRITE))):
    with engine.begin() as conn:
        task_for(conn, user, task_id, "write")
        usable_project(conn, user, body.project_id)
        conn.execute(update(tasks).where(tasks.c.id == task_id).values(**body.model_dump()))
        return task_out(task_for(conn, user, task_id))


@app.patch("/tasks/{task_id}")
def patch_task(task_id: int, body: TaskPatch, user=Depends(needs(*WRITE))):
    with engine.begin() as conn:
        task_for(conn, user, task_id, "write")
        changes = body.model_dump(exclude_unset=True)
        if "project_id" in changes:
            usable_project(conn, user, changes["project_id"])
        if changes:
            conn.execute(update(tasks).where(tasks.c.id == task_id).values(**changes))
        return task_out(task_for(conn, user, task_id))


@app.delete("/tasks/{task_id}", status_code=204)
def delete_task(task_id: int, user=Depends(needs(*WRITE))):
    with engine.begin() as conn:
        task_for(conn, user, task_id, "write")
        conn.execute(delete(tasks).where(tasks.c.id == task_id))
    return Response(status_code=204)
