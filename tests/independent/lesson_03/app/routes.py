from typing import Optional

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.failures import DuplicateTitle, Missing, ProblemDoc, ValidationProblemDoc
from app.models import NewTask, Status, TaskChanges, TaskOut

router = APIRouter(responses={422: {"model": ValidationProblemDoc}})
NOT_FOUND = {404: {"model": ProblemDoc}}
TASKS: dict[int, dict] = {}
NEXT_ID = [0]


def _find(task_id: int) -> dict:
    if task_id not in TASKS:
        raise Missing(f"task {task_id} does not exist")
    return TASKS[task_id]


def _title_free(row: dict, own_id: int = 0) -> None:
    if row["status"] == "done":
        return
    for other in TASKS.values():
        if other["id"] != own_id and other["status"] != "done" and other["title"] == row["title"]:
            raise DuplicateTitle("title in use by an open task")


@router.get("/tasks", response_model=list[TaskOut])
def all_tasks(status: Optional[Status] = None, limit: int = Query(20, ge=1, le=100)):
    rows = [row for row in TASKS.values() if status in (None, row["status"])]
    return rows[:limit]


@router.get("/tasks/{task_id}", response_model=TaskOut, responses=NOT_FOUND)
def one_task(task_id: int):
    return _find(task_id)


@router.post("/tasks", response_model=TaskOut, status_code=201)
def new_task(body: NewTask, request: Request, response: Response):
    _title_free(body.model_dump())
    NEXT_ID[0] += 1
    row = {**body.model_dump(), "id": NEXT_ID[0], "created_by_ip": request.client.host if request.client else "?"}
    TASKS[row["id"]] = row
    response.headers["location"] = f"/tasks/{row['id']}"
    return row


@router.put("/tasks/{task_id}", response_model=TaskOut)
def put_task(task_id: int, body: NewTask):
    old = _find(task_id)
    _title_free(body.model_dump(), task_id)
    TASKS[task_id] = {**body.model_dump(), "id": task_id, "created_by_ip": old["created_by_ip"]}
    return TASKS[task_id]


@router.patch("/tasks/{task_id}", response_model=TaskOut)
def patch_task(task_id: int, body: TaskChanges):
    old = _find(task_id)
    merged = {k: v for k, v in old.items() if k not in ("id", "created_by_ip")}
    merged.update(body.model_dump(exclude_unset=True))
    try:
        checked = NewTask(**merged)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None
    _title_free(checked.model_dump(), task_id)
    TASKS[task_id] = {**old, **checked.model_dump()}
    return TASKS[task_id]


@router.delete("/tasks/{task_id}", status_code=204)
def remove_task(task_id: int):
    _find(task_id)
    del TASKS[task_id]
