"""The shapes of the data the API accepts and returns.

One model per direction: what a client sends to create or replace a task (TaskCreate), what it
sends to change some fields (TaskUpdate) and what the API answers with (TaskPublic); the same for
projects. What the database stores is in app/models.py: the API's models read from it
(`from_attributes=True`), so its bookkeeping columns never reach a client.
"""

from datetime import date
from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator
from typing_extensions import Self

MAX_TAGS = 10


class TaskStatus(str, Enum):
    todo = "todo"
    in_progress = "in_progress"
    done = "done"


Title = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=2000)]
Priority = Annotated[int, Field(ge=1, le=5)]
Tag = Annotated[str, Field(min_length=1, max_length=30)]
Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS)]


class TaskFields(BaseModel):
    """The fields of a task that clients set and see."""

    title: Title
    description: Description = ""
    status: TaskStatus = TaskStatus.todo
    priority: Priority = 3
    tags: Tags = []
    assignee_email: EmailStr | None = None
    start_date: date | None = None
    due_date: date | None = None


class TaskCreate(TaskFields):
    """What a client sends to create a task (POST) or to replace one (PUT)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("title", mode="before")
    @classmethod
    def normalise_title(cls, value: Any) -> Any:
        """"  Ship it " is "Ship it". A before-validator runs ahead of the type and length
        rules, so they judge the stripped title: a blank one fails min_length=1."""
        return value.strip() if isinstance(value, str) else value

    @model_validator(mode="after")
    def due_date_not_before_start_date(self) -> Self:
        if self.start_date and self.due_date and self.due_date < self.start_date:
            raise ValueError("due_date must not be before start_date")
        return self


class TaskUpdate(BaseModel):
    """What a client sends to change some fields of a task (PATCH)."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Description | None = None
    status: TaskStatus | None = None
    priority: Priority | None = None
    tags: Tags | None = None
    assignee_email: EmailStr | None = None
    start_date: date | None = None
    due_date: date | None = None

    @field_validator("title", mode="before")
    @classmethod
    def normalise_title(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value


class TaskPublic(TaskFields):
    """A task as clients see it, read from a stored Task (app/models.py)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int | None


ProjectName = Annotated[str, Field(min_length=1, max_length=100)]
MAX_INITIAL_TASKS = 50


class ProjectFields(BaseModel):
    name: ProjectName
    description: Description = ""


class ProjectCreate(ProjectFields):
    """What a client sends to create a project, with the tasks it starts with (all or none are stored)."""

    model_config = ConfigDict(extra="forbid")

    tasks: Annotated[list[TaskCreate], Field(max_length=MAX_INITIAL_TASKS)] = []

    @field_validator("name", mode="before")
    @classmethod
    def normalise_name(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value


class ProjectPublic(ProjectFields):
    """A project as clients see it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
