"""Request and response bodies, written without the reference: Literal types, after-validators."""

import datetime as dt
from typing import Literal, Optional

from pydantic import BaseModel, EmailStr, ValidationInfo, field_validator, model_validator

Status = Literal["todo", "in_progress", "done"]
Priority = Literal[1, 2, 3, 4, 5]


def clean_title(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("title is blank")
    if len(value) > 200:
        raise ValueError("title is longer than 200 characters")
    return value


def clean_tags(value: list[str]) -> list[str]:
    if len(value) > 10:
        raise ValueError("at most 10 tags")
    for tag in value:
        if not 1 <= len(tag) <= 30:
            raise ValueError("each tag has 1 to 30 characters")
    return value


def clean_description(value: str) -> str:
    if len(value) > 2000:
        raise ValueError("description is longer than 2000 characters")
    return value


class NewTask(BaseModel):
    model_config = {"extra": "forbid"}

    title: str
    description: str = ""
    status: Status = "todo"
    priority: Priority = 3
    tags: list[str] = []
    assignee_email: Optional[EmailStr] = None
    start_date: Optional[dt.date] = None
    due_date: Optional[dt.date] = None

    _title = field_validator("title")(lambda cls, v: clean_title(v))
    _tags = field_validator("tags")(lambda cls, v: clean_tags(v))
    _description = field_validator("description")(lambda cls, v: clean_description(v))

    @model_validator(mode="after")
    def _dates(self) -> "NewTask":
        if self.start_date is not None and self.due_date is not None and self.due_date < self.start_date:
            raise ValueError("a task cannot be due before it starts")
        return self


class TaskChanges(BaseModel):
    model_config = {"extra": "forbid"}

    title: Optional[str] = None
    description: Optional[str] = None
    status: Optional[Status] = None
    priority: Optional[Priority] = None
    tags: Optional[list[str]] = None
    assignee_email: Optional[EmailStr] = None
    start_date: Optional[dt.date] = None
    due_date: Optional[dt.date] = None

    @field_validator("title", "tags", "description")
    @classmethod
    def _same_rules(cls, value, info: ValidationInfo):
        if value is None:
            return value
        return {"title": clean_title, "tags": clean_tags, "description": clean_description}[info.field_name](value)


class TaskOut(BaseModel):
    id: int
    title: str
    description: str
    status: Status
    priority: int
    tags: list[str]
    assignee_email: Optional[str]
    start_date: Optional[dt.date]
    due_date: Optional[dt.date]
