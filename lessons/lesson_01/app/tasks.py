"""The /tasks resource: create, read, list, replace and delete tasks."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status

from app.schemas import Task, TaskIn, TaskStatus
from app.store import TaskStore

router = APIRouter(prefix="/tasks", tags=["tasks"])
store = TaskStore()

MAX_LIMIT = 100


def task_not_found(task_id: int) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"Task {task_id} not found")


# TODO(list): GET /tasks answers 200 with a JSON list of tasks, oldest first.
#   - an optional query parameter `status` keeps only the tasks with that status;
#   - a query parameter `limit` caps how many come back: 20 when not given, at least 1 and
#     at most MAX_LIMIT (a value outside that range is rejected with 422).


# TODO(get): GET /tasks/{task_id} answers 200 with that task, or 404 when there is none.


# TODO(create): POST /tasks takes a TaskIn body, stores it and answers 201 Created with the new
#   task (id included) and a Location header holding the new task's URL.


# TODO(replace): PUT /tasks/{task_id} replaces the whole task with the TaskIn body (a field left
#   out goes back to its default) and answers 200 with it; 404 when there is no such task.
#   Sending the same PUT twice leaves the same result: PUT is idempotent.


# TODO(delete): DELETE /tasks/{task_id} deletes the task and answers 204 No Content with an
#   empty body; 404 when there is no such task (so a second DELETE answers 404).
