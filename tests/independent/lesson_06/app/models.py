"""Request and response bodies (independent solution): Literal types, after-validators."""

import datetime as dt
from typing import Literal, Optional

from pydantic import BaseModel, EmailStr, Field, ValidationInfo, field_validator, model_validator

Status = Literal["todo", "in_progress", "done"]
Priority = Literal[1, 2, 3, 4, 5]
Kind = Literal["task", "bug", "feature"]
Sort = Literal["id", "-id", "title", "-title", "priority", "-priority", "due_date", "-due_date"]


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


class TaskBody(BaseModel):
    model_config = {"extra": "forbid"}

    title: str
    description: str = Field("", max_length=2000)
    status: Status = "todo"
    priority: Priority = 3
    tags: list[str] = []
    assignee_id: Optional[int] = None
    start_date: Optional[dt.date] = None
    due_date: Optional[dt.date] = None
    kind: Kind = "task"

    _title = field_validator("title")(lambda cls, v: clean_title(v))
    _tags = field_validator("tags")(lambda cls, v: clean_tags(v))

    @model_validator(mode="after")
    def _dates(self):
        if self.start_date is not None and self.due_date is not None and self.due_date < self.start_date:
            raise ValueError("a task cannot be due before it starts")
        return self


class NewTask(TaskBody):
    project_id: int


class TaskChanges(BaseModel):
    model_config = {"extra": "forbid"}

    title: Optional[str] = None
    description: Optional[str] = None
    status: Optional[Status] = None
    priority: Optional[Priority] = None
    tags: Optional[list[str]] = None
    assignee_id: Optional[int] = None
    project_id: Optional[int] = None
    start_date: Optional[dt.date] = None
    due_date: Optional[dt.date] = None
    kind: Optional[Kind] = None

    @field_validator("title", "tags")
    @classmethod
    def _same_rules(cls, value, info: ValidationInfo):
        if value is None:
            return value
        return {"title": clean_title, "tags": clean_tags}[info.field_name](value)


class NewProject(BaseModel):
    model_config = {"extra": "forbid"}
    name: str
    description: str = ""
    tasks: list[TaskBody] = Field([], max_length=50)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = v.strip()
        if not 1 <= len(v) <= 100:
            raise ValueError("name has 1 to 100 characters")
        return v


class NewUser(BaseModel):
    model_config = {"extra": "forbid"}
    name: str = Field(min_length=1, max_length=100)
    email: EmailStr


class Listing(BaseModel):
    model_config = {"extra": "forbid"}
    status: Optional[Status] = None
    kind: Optional[Kind] = None
    assignee_id: Optional[int] = None
    project_id: Optional[int] = None
    due_before: Optional[dt.date] = None
    q: Optional[str] = Field(None, max_length=100)
    sort: Sort = "id"
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0)
