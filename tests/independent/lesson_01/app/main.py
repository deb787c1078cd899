"""Lesson 01 solved independently: one module, Literal statuses, response_model in decorators,
an explicit JSONResponse for the create."""

from typing import Literal

from fastapi import FastAPI, HTTPException, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

Status = Literal["todo", "in_progress", "done"]


class NewTask(BaseModel):
    title: str
    description: str = ""
    status: Status = "todo"


class StoredTask(NewTask):
    id: int


app = FastAPI()
db: dict[int, StoredTask] = {}
last_id = 0


def find(task_id: int) -> StoredTask:
    if task_id not in db:
        raise HTTPException(404, "no such task")
    return db[task_id]


@app.get("/tasks", response_model=list[StoredTask])
def all_tasks(status: Status | None = None, limit: int = Query(20, ge=1, le=100)):
    matching = [t for t in sorted(db.values(), key=lambda t: t.id) if status in (None, t.status)]
    return matching[:limit]


@app.post("/tasks", response_model=StoredTask, status_code=201)
def new_task(body: NewTask):
    global last_id
    last_id += 1
    task = StoredTask(id=last_id, **body.model_dump())
    db[task.id] = task
    return JSONResponse(task.model_dump(), status_code=201, headers={"Location": f"/tasks/{task.id}"})


@app.get("/tasks/{task_id}", response_model=StoredTask)
def one_task(task_id: int):
    return find(task_id)


@app.put("/tasks/{task_id}", response_model=StoredTask)
def put_task(task_id: int, body: NewTask):
    find(task_id)
    db[task_id] = StoredTask(id=task_id, **body.model_dump())
    return db[task_id]


@app.delete("/tasks/{task_id}", status_code=204, response_class=Response)
def remove_task(task_id: int):
    find(task_id)
    del db[task_id]
