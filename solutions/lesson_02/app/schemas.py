"""The shapes of the data the API accepts and returns.

One model per direction: what a client sends to create or replace a task (TaskCreate), what it
sends to change some fields (TaskUpdate) and what the API answers with (TaskPublic). The store
keeps a fourth, TaskRecord, with bookkeeping that clients never see.
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


# TODO(fields): the fields of a task and their rules (see the table in README.md):
#   title 1..200 characters, description at most 2000, status one of TaskStatus (default todo),
#   priority 1..5 (default 3), tags at most MAX_TAGS strings of 1..30 characters (default []),
#   assignee_email an email address or null, start_date and due_date dates or null.
### BEGIN SOLUTION
Title = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=2000)]
Priority = Annotated[int, Field(ge=1, le=5)]
Tag = Annotated[str, Field(min_length=1, max_length=30)]
Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS)]
### END SOLUTION


class TaskFields(BaseModel):
    """The fields of a task that clients set and see."""

    ### BEGIN SOLUTION
    title: Title
    description: Description = ""
    status: TaskStatus = TaskStatus.todo
    priority: Priority = 3
    tags: Tags = []
    assignee_email: EmailStr | None = None
    start_date: date | None = None
    due_date: date | None = None
    ### STARTER
    # title: str
    # description: str = ""
    # status: TaskStatus = TaskStatus.todo
    ### END SOLUTION


class TaskCreate(TaskFields):
    """What a client sends to create a task (POST) or to replace one (PUT)."""

    # TODO(forbid): a field the model does not declare (an `id`, `created_by_ip`, a typo) is
    #   rejected with 422 instead of being silently dropped.
    ### BEGIN SOLUTION
    model_config = ConfigDict(extra="forbid")
    ### END SOLUTION

    # TODO(title): the title is stored without surrounding whitespace, and a title that is
    #   blank once stripped ("", "   ") is rejected with 422 at ["body", "title"].
    ### BEGIN SOLUTION
    @field_validator("title", mode="before")
    @classmethod
    def normalise_title(cls, value: Any) -> Any:
        """"  Ship it " is "Ship it". A before-validator runs ahead of the type and length
        rules, so they judge the stripped title: a blank one fails min_length=1."""
        return value.strip() if isinstance(value, str) else value
    ### END SOLUTION

    # TODO(dates): when both dates are set, due_date may not be before start_date (the same day
    #   is fine); otherwise answer 422.
    ### BEGIN SOLUTION
    @model_validator(mode="after")
    def due_date_not_before_start_date(self) -> Self:
        if self.start_date and self.due_date and self.due_date < self.start_date:
            raise ValueError("due_date must not be before start_date")
        return self
    ### END SOLUTION


class TaskUpdate(BaseModel):
    """What a client sends to change some fields of a task (PATCH)."""

    # TODO(update-model): every field of TaskCreate, each optional with the same rules (a PATCH
    #   sends only the fields it changes); unknown fields are rejected like in TaskCreate.
    ### BEGIN SOLUTION
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
    ### END SOLUTION


class TaskRecord(TaskFields):
    """A task as the store keeps it: its fields, its id and internal bookkeeping."""

    id: int
    created_by_ip: str | None = None  # kept for abuse reports; never shown to clients


# TODO(public): TaskPublic is what every task endpoint answers with: the task's id and its
#   fields - never `created_by_ip` or any other internal field of TaskRecord.
### BEGIN SOLUTION
class TaskPublic(TaskFields):
    """A task as clients see it."""

    id: int
### STARTER
# TaskPublic = TaskRecord  # for now the API answers with everything the store keeps
### END SOLUTION
