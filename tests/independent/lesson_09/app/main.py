"""Authorization by permissions: each role is a set of permission strings; routes ask for a
permission; objects are fetched and then checked in Python; a gatekeeper dependency on the whole
app refuses every anonymous request that is not on the public list.

Caching: GET /dashboard is served through app.state.cache (memory or Redis, from CACHE_URL); every
write to tasks or projects advances the dashboard namespace's version once it has committed."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, model_validator
from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from app import dashboard as board
from app import security
from app.cache import Cache, open_cache
from app.db import engine, projects, tasks, users
from app.settings import cache_ttl, cache_url, check_signing_key

BEARER = {"WWW-Authenticate": "Bearer"}
PUBLIC = {("POST", "/token"), ("POST", "/token/refresh"), ("POST", "/users")}
PERMISSIONS = {
    "admin": {"read:any", "write:any", "users:manage"},
    "member": {"read:own", "write:own"},
    "viewer": {"read:any"},
}

optional_bearer = OAuth2PasswordBearer(tokenUrl="token", auto_error=False)


def gatekeeper(request: Request, token: Annotated[str | None, Depends(optional_bearer)]) -> None:
    if (request.method, request.url.path) in PUBLIC:
        return
    if token is None or security.subject(token, "access") is None:
        raise HTTPException(401, "Not authenticated", headers=BEARER)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    check_signing_key()
    app.state.cache = open_cache(cache_url(), cache_ttl())
    try:
        yield
    finally:
        app.state.cache.close()
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
    role: Literal["admin", "member", "viewer"] | None = None
    is_active: bool | None = None


Title = Annotated[str, Field(min_length=1, max_length=200)]
Priority = Annotated[int, Field(ge=1, le=5)]
Description = Annotated[str, Field(max_length=2000)]


class TaskFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Title
    description: Description = ""
    status: board.Status = "todo"
    priority: Priority = 3
    assignee_id: int | None = None


class NewTask(TaskFields):
    project_id: int


class NewProject(BaseModel):
    model_config = ConfigDict(extra="ignore")  # owner_id and friends are dropped, not refused
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    description: str = ""
    tasks: list[TaskFields] = Field(default_factory=list, max_length=50)


class TaskPatch(BaseModel):
    """Any subset of the fields; only `assignee_id` may be sent as null."""

    model_config = ConfigDict(extra="forbid")
    title: Title | None = None
    description: Description | None = None
    status: board.Status | None = None
    priority: Priority | None = None
    project_id: int | None = None
    assignee_id: int | None = None

    @model_validator(mode="after")
    def no_null_for_required(self) -> "TaskPatch":
        nulled = [name for name in self.model_fields_set - {"assignee_id"} if getattr(self, name) is None]
        if nulled:
            raise ValueError(f"may not be null: {', '.join(sorted(nulled))}")
        return self


def denied(detail="Could not validate credentials") -> HTTPException:
    return HTTPException(401, detail, headers=BEARER)


def account(row) -> dict:
    return {"id": row.id, "name": row.name, "email": row.email, "role": row.role, "is_active": row.is_active}


def active(conn, user_id):
    row = conn.execute(select(users).where(users.c.id == user_id)).first() if user_id is not None else None
    if row is None or not row.is_active:
        raise denied()
    return row


def caller(token: Annotated[str, Depends(bearer)]) -> Row[Any]:
    with engine.connect() as conn:
        return active(conn, security.subject(token, "access"))


Caller = Annotated[Row[Any], Depends(caller)]


def needs(*wanted: str) -> Callable[..., Row[Any]]:
    def check(user: Caller) -> Row[Any]:
        if not PERMISSIONS.get(user.role, set()) & set(wanted):
            raise HTTPException(403, "forbidden")
        return user
    return check


def cache_of(request: Request) -> Cache:
    return request.app.state.cache


CacheDep = Annotated[Cache, Depends(cache_of)]


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
    return {
        "id": row.id, "title": row.title, "description": row.description, "status": row.status,
        "priority": row.priority, "project_id": row.project_id, "assignee_id": row.assignee_id,
    }


def project_out(row) -> dict:
    return {"id": row.id, "name": row.name, "description": row.description, "owner_id": row.owner_id}


def usable_project(conn, user, project_id):
    try:
        return project_for(conn, user, project_id, "write")
    except HTTPException:
        raise HTTPException(422, "unknown project") from None


READ = ("read:any", "read:own")
WRITE = ("write:any", "write:own")
Reader = Annotated[Row[Any], Depends(needs(*READ))]
Writer = Annotated[Row[Any], Depends(needs(*WRITE))]
Admin = Annotated[Row[Any], Depends(needs("users:manage"))]


def sees_all(user) -> bool:
    return "read:any" in PERMISSIONS[user.role]


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
def whoami(user: Caller):
    return account(user)


@app.patch("/users/me")
def rename_me(body: Rename, user: Caller):
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == user.id).values(name=body.name))
        return account(active(conn, user.id))


@app.get("/users")
def all_users(admin: Admin):
    with engine.connect() as conn:
        return [account(r) for r in conn.execute(select(users).order_by(users.c.id).limit(100))]


@app.get("/users/{user_id}")
def one_user(user_id: int, admin: Admin):
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.id == user_id)).first()
    if row is None:
        raise HTTPException(404, "no such user")
    return account(row)


@app.patch("/users/{user_id}")
def administer(user_id: int, body: Administer, admin: Admin):
    # A new role needs no invalidation: the role is part of every dashboard key.
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
# Every write below advances the dashboard version after its transaction has committed: advanced
# before, a dashboard read in between could store the old numbers under the new version.


def known_assignee(conn, assignee_id: int | None) -> None:
    if assignee_id is not None and conn.scalar(select(users.c.id).where(users.c.id == assignee_id)) is None:
        raise HTTPException(422, "unknown assignee")


@app.get("/projects")
def list_projects(user: Reader):
    query = select(projects).order_by(projects.c.id)
    if not sees_all(user):
        query = query.where(projects.c.owner_id == user.id)
    with engine.connect() as conn:
        return [project_out(r) for r in conn.execute(query.limit(100))]


@app.get("/projects/{project_id}")
def get_project(project_id: int, user: Reader):
    with engine.connect() as conn:
        return project_out(project_for(conn, user, project_id))


@app.post("/projects", status_code=201)
def create_project(body: NewProject, user: Writer, cache: CacheDep):
    with engine.begin() as conn:
        try:
            new_id = conn.execute(insert(projects).values(
                name=body.name, description=body.description, owner_id=user.id,
            )).inserted_primary_key[0]
        except IntegrityError:
            raise HTTPException(409, "name taken") from None
        for task in body.tasks:
            known_assignee(conn, task.assignee_id)
        if body.tasks:  # one INSERT for all, in order; any refusal above rolls the project back
            conn.execute(insert(tasks), [{**t.model_dump(), "project_id": new_id} for t in body.tasks])
        created = project_out(project_for(conn, user, new_id))
    cache.advance(board.NAMESPACE)
    return created


@app.get("/tasks")
def list_tasks(
    user: Reader,
    status: board.Status | None = None,
    project_id: int | None = None,
    assignee_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    query = select(tasks).join(projects, tasks.c.project_id == projects.c.id)
    if not sees_all(user):
        query = query.where(projects.c.owner_id == user.id)
    for column, wanted in ((tasks.c.status, status), (tasks.c.project_id, project_id), (tasks.c.assignee_id, assignee_id)):
        if wanted is not None:
            query = query.where(column == wanted)
    with engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(query.subquery()))
        rows = conn.execute(query.order_by(tasks.c.id).limit(limit).offset(offset))
        return {"items": [task_out(r) for r in rows], "total": total, "limit": limit, "offset": offset}


@app.get("/tasks/{task_id}")
def get_task(task_id: int, user: Reader):
    with engine.connect() as conn:
        return task_out(task_for(conn, user, task_id))


@app.post("/tasks", status_code=201)
def create_task(body: NewTask, user: Writer, cache: CacheDep):
    with engine.begin() as conn:
        usable_project(conn, user, body.project_id)
        known_assignee(conn, body.assignee_id)
        new_id = conn.execute(insert(tasks).values(**body.model_dump())).inserted_primary_key[0]
        created = task_out(task_for(conn, user, new_id))
    cache.advance(board.NAMESPACE)
    return created


@app.put("/tasks/{task_id}")
def replace_task(task_id: int, body: NewTask, user: Writer, cache: CacheDep):
    with engine.begin() as conn:
        task_for(conn, user, task_id, "write")
        usable_project(conn, user, body.project_id)
        known_assignee(conn, body.assignee_id)
        conn.execute(update(tasks).where(tasks.c.id == task_id).values(**body.model_dump()))
        replaced = task_out(task_for(conn, user, task_id))
    cache.advance(board.NAMESPACE)
    return replaced


@app.patch("/tasks/{task_id}")
def patch_task(task_id: int, body: TaskPatch, user: Writer, cache: CacheDep):
    with engine.begin() as conn:
        task_for(conn, user, task_id, "write")
        changes = body.model_dump(exclude_unset=True)
        if "project_id" in changes:
            usable_project(conn, user, changes["project_id"])
        known_assignee(conn, changes.get("assignee_id"))
        if changes:
            conn.execute(update(tasks).where(tasks.c.id == task_id).values(**changes))
        patched = task_out(task_for(conn, user, task_id))
    cache.advance(board.NAMESPACE)
    return patched


@app.delete("/tasks/{task_id}", status_code=204)
def delete_task(task_id: int, user: Writer, cache: CacheDep):
    with engine.begin() as conn:
        task_for(conn, user, task_id, "write")
        conn.execute(delete(tasks).where(tasks.c.id == task_id))
    cache.advance(board.NAMESPACE)
    return Response(status_code=204)


# ----------------------------------------------------------------------------- dashboard

# The browser may keep it (private: no shared cache may) but must ask again before reusing it.
CACHE_CONTROL = "private, no-cache"


@app.get(
    "/dashboard",
    response_model=board.Dashboard,
    responses={304: {"description": "Not Modified: the If-None-Match tag is the current one"}},
)
def dashboard(request: Request, user: Caller, cache: CacheDep) -> Response:
    """The caller's visible tasks counted by status and by project, served from the cache."""
    owner = None if sees_all(user) else user.id

    def compute() -> bytes:
        with engine.connect() as conn:
            return board.compute(conn, owner)

    version = cache.version(board.NAMESPACE)
    body = compute() if version is None else cache.fetch(board.key(version, user.id, user.role), compute)
    tag = board.etag(body)
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL, "Vary": "Authorization"}
    if board.not_modified(request.headers.getlist("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
