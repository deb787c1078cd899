"""The shapes of the data the API accepts and returns."""

from enum import Enum

from pydantic import BaseModel


class TaskStatus(str, Enum):
    todo = "todo"
    in_progress = "in_progress"
    done = "done"


class TaskIn(BaseModel):
    """What a client sends to create or replace a task."""

    title: str
    description: str = ""
    status: TaskStatus = TaskStatus.todo


class Task(TaskIn):
    """A stored task: what the API returns."""

    id: int
