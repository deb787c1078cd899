"""The /tasks resource: create, read, list, replace, change and delete tasks."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.schemas import TaskCreate, TaskPublic, TaskRecord, TaskStatus, TaskUpdate
from app.store import TaskStore

router = APIRouter(prefix="/tasks", tags=["tasks"])
store = TaskStore()

MAX_LIMIT = 100


def task_not_found(task_id: int) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"Task {task_id} not found")


# The functions return what the store keeps (TaskRecord); `response_model=TaskPublic` is what
# FastAPI validates, filters the answer down to and documents, so internal fields never leave.


@router.get("", response_model=list[TaskPublic])
def list_tasks(
    status: TaskStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
) -> list[TaskRecord]:
    return store.list(status=status, limit=limit)


@router.get("/{task_id}", response_model=TaskPublic)
def get_task(task_id: int) -> TaskRecord:
    task = store.get(task_id)
    if task is None:
        raise task_not_found(task_id)
    return task


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TaskPublic)
def create_task(data: TaskCreate, request: Request, response: Response) -> TaskRecord:
    task = store.add(data, created_by_ip=request.client.host if request.client else None)
    response.headers["Location"] = str(request.url_for("get_task", task_id=task.id))
    return task


@router.put("/{task_id}", response_model=TaskPublic)
def replace_task(task_id: int, data: TaskCreate) -> TaskRecord:
    task = store.replace(task_id, data)
    if task is None:
        raise task_not_found(task_id)
    return task


# TODO(patch): PATCH /tasks/{task_id} changes only the fields the TaskUpdate body sets (a field
#   left out keeps its value) and answers 200 with the whole task; 404 when there is no such task.
#   The changed task must still follow every rule of TaskCreate - a due_date before the stored
#   start_date, say - or the answer is 422 and nothing changes.
@router.patch("/{task_id}", response_model=TaskPublic)
def update_task(task_id: int, changes: TaskUpdate) -> TaskRecord:
    raise NotImplementedError("TODO(patch)")


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_task(task_id: int) -> None:
    if not store.delete(task_id):
        raise task_not_found(task_id)
