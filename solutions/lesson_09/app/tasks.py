"""The /tasks resource: create, read, list, replace, change and delete tasks.

Errors are raised as the domain's exceptions (app/errors.py); handlers in app/problems.py turn
them into answers. The tasks live in the database: each route gets a TaskStore working on the
request's own session (app/store.py).
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.errors import TaskNotFound
from app.models import Task
from app.problems import problem_responses
from app.schemas import TaskCreate, TaskPage, TaskPublic, TaskQuery, TaskUpdate
from app.auth import CurrentUser, Reader, Writer
from app.cache import CacheDep
from app.dashboard import invalidate_dashboards
from app.db import SessionDep
from app.store import TaskStore

# Every route documents its errors: 422 for invalid input, 404 for an unknown task, 409 when the
# title is taken. Each is an RFC 9457 problem (app/problems.py).
router = APIRouter(prefix="/tasks", tags=["tasks"], responses=problem_responses(422))


def invalid_body(exc: ValidationError) -> RequestValidationError:
    """Errors found after FastAPI read the body, as FastAPI's own 422 (`loc` starts with "body")."""
    return RequestValidationError(
        [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)]
    )


def task_store(session: SessionDep, user: CurrentUser) -> TaskStore:
    """The tasks the current user may see and change (app/access.py)."""
    return TaskStore(session, user)


TaskStoreDep = Annotated[TaskStore, Depends(task_store)]

# Each route declares who may call it: Reader (any logged-in user) or Writer (admins and members;
# a viewer gets 403). Which tasks they reach is the store's business: others' are not found.

# TODO(invalidate): every route that changes a task - POST, PUT, PATCH and DELETE here, and
#   POST /projects (a project may come with tasks) - makes the cached dashboards stale once its
#   change is stored (app/dashboard.py: invalidate_dashboards). The next dashboard read is fresh.


# The functions return what the database keeps (a Task row); `response_model=TaskPublic` is what
# FastAPI validates, filters the answer down to and documents, so internal columns never leave.


@router.get("")
def list_tasks(query: Annotated[TaskQuery, Query()], store: TaskStoreDep, user: Reader) -> TaskPage:
    tasks, total = store.list(query)
    items = [TaskPublic.model_validate(task) for task in tasks]
    return TaskPage(items=items, total=total, limit=query.limit, offset=query.offset)


@router.get("/{task_id}", response_model=TaskPublic, responses=problem_responses(404))
def get_task(task_id: int, store: TaskStoreDep, user: Reader) -> Task:
    task = store.get(task_id)
    if task is None:
        raise TaskNotFound(task_id)
    return task


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TaskPublic,
    responses=problem_responses(409),
)
def create_task(
    data: TaskCreate, request: Request, response: Response, store: TaskStoreDep, user: Writer, cache: CacheDep
) -> Task:
    task = store.add(data, created_by_ip=request.client.host if request.client else None)
    ### BEGIN SOLUTION
    invalidate_dashboards(cache)
    ### END SOLUTION
    response.headers["Location"] = str(request.url_for("get_task", task_id=task.id))
    return task


@router.put("/{task_id}", response_model=TaskPublic, responses=problem_responses(404, 409))
def replace_task(task_id: int, data: TaskCreate, store: TaskStoreDep, user: Writer, cache: CacheDep) -> Task:
    task = store.replace(task_id, data)
    if task is None:
        raise TaskNotFound(task_id)
    ### BEGIN SOLUTION
    invalidate_dashboards(cache)
    ### END SOLUTION
    return task


@router.patch("/{task_id}", response_model=TaskPublic, responses=problem_responses(404, 409))
def update_task(
    task_id: int, changes: TaskUpdate, store: TaskStoreDep, user: Writer, cache: CacheDep
) -> Task:
    task = store.get_writable(task_id)
    if task is None:
        raise TaskNotFound(task_id)
    current = {field: getattr(task, field) for field in TaskCreate.model_fields}
    try:
        # Validate the task as it would be after the change: every rule, cross-field ones too.
        data = TaskCreate.model_validate(current | changes.model_dump(exclude_unset=True))
    except ValidationError as exc:
        raise invalid_body(exc) from None
    updated = store.replace(task_id, data)
    if updated is None:  # deleted meanwhile
        raise TaskNotFound(task_id)
    ### BEGIN SOLUTION
    invalidate_dashboards(cache)
    ### END SOLUTION
    return updated


@router.delete(
    "/{task_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(404)
)
def delete_task(task_id: int, store: TaskStoreDep, user: Writer, cache: CacheDep) -> None:
    if not store.delete(task_id):
        raise TaskNotFound(task_id)
    ### BEGIN SOLUTION
    invalidate_dashboards(cache)
    ### END SOLUTION
