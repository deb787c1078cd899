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


class TaskFields(BaseModel):
    """The fields of a task that clients set and see."""

    title: str
    description: str = ""
    status: TaskStatus = TaskStatus.todo


class TaskCreate(TaskFields):
    """What a client sends to create a task (POST) or to replace one (PUT)."""

    # TODO(forbid): a field the model does not declare (an `id`, `created_by_ip`, a typo) is
    #   rejected with 422 instead of being silently dropped.

    # TODO(title): the title is stored without surrounding whitespace, and a title that is
    #   blank once stripped ("", "   ") is rejected with 422 at ["body", "title"].

    # TODO(dates): when both dates are set, due_date may not be before start_date (the same day
    #   is fine); otherwise answer 422.


class TaskUpdate(BaseModel):
    """What a client sends to change some fields of a task (PATCH)."""

    # TODO(update-model): every field of TaskCreate, each optional with the same rules (a PATCH
    #   sends only the fields it changes); unknown fields are rejected like in TaskCreate.


class TaskRecord(TaskFields):
    """A task as the store keeps it: its fields, its id and internal bookkeeping."""

    id: int
    created_by_ip: str | None = None  # kept for abuse reports; never shown to clients


# TODO(public): TaskPublic is what every task endpoint answers with: the task's id and its
#   fields - never `created_by_ip` or any other internal field of TaskRecord.
TaskPublic = TaskRecord  # for now the API answers with everything the store keeps
