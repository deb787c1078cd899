"""The shapes of the data the API accepts and returns.

One model per direction: what a client sends to create or replace a task (TaskCreate), what it
sends to change some fields (TaskUpdate) and what the API answers with (TaskPublic); the same for
projects and users. What the database stores is in app/models.py: the API's models read from it
(`from_attributes=True`), so its bookkeeping columns never reach a client.
"""

from datetime import date
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, SecretStr, field_validator, model_validator
from typing_extensions import Self

MAX_TAGS = 10
MAX_PAGE_SIZE = 100


class TaskStatus(str, Enum):
    todo = "todo"
    in_progress = "in_progress"
    done = "done"


class Role(str, Enum):
    """admin: everything, users and roles included; member: their own projects and tasks;
    viewer: reads everything, changes nothing."""

    admin = "admin"
    member = "member"
    viewer = "viewer"


class TaskKind(str, Enum):
    task = "task"
    bug = "bug"
    feature = "feature"


Title = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=2000)]
Priority = Annotated[int, Field(ge=1, le=5)]
Tag = Annotated[str, Field(min_length=1, max_length=30)]
Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS)]
Name = Annotated[str, Field(min_length=1, max_length=100)]


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


# --------------------------------------------------------------------------- users


# OWASP: at least 8 characters, and long passphrases welcome (a cap keeps hashing cheap to ask for).
Password = Annotated[SecretStr, Field(min_length=8, max_length=128)]


class UserCreate(BaseModel):
    """What a client sends to register: the password is a SecretStr, shown as '**********' in
    any repr or log; only its hash is stored."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    email: EmailStr
    password: Password

    @field_validator("name", mode="before")
    @classmethod
    def normalise_name(cls, value: Any) -> Any:
        return strip(value)


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str


class UserAccount(UserPublic):
    """A user as the user and the admins see it: with the role and whether the account is active."""

    role: Role
    is_active: bool


class UserSelfUpdate(BaseModel):
    """What users may change about themselves (PATCH /users/me): their name - never their role."""

    model_config = ConfigDict(extra="forbid")

    name: Name

    @field_validator("name", mode="before")
    @classmethod
    def normalise_name(cls, value: Any) -> Any:
        return strip(value)


class UserAdminUpdate(BaseModel):
    """What an admin may change about a user (PATCH /users/{user_id})."""

    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    is_active: bool | None = None


class TokenPair(BaseModel):
    """What POST /token answers: OAuth2's access token response, with a refresh token."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int  # seconds the access token lives


class AccessToken(BaseModel):
    """What POST /token/refresh answers: a new access token."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: Annotated[str, Field(max_length=4096)]


# --------------------------------------------------------------------------- tasks


class TaskFields(BaseModel):
    """The fields of a task that clients set and see (its project aside)."""

    title: Title
    description: Description = ""
    status: TaskStatus = TaskStatus.todo
    priority: Priority = 3
    tags: Tags = []
    assignee_id: int | None = None
    start_date: date | None = None
    due_date: date | None = None
    kind: TaskKind = TaskKind.task


class TaskData(TaskFields):
    """A task's fields as a client sends them, validated: the body of a project's initial task."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("title", mode="before")
    @classmethod
    def normalise_title(cls, value: Any) -> Any:
        """"  Ship it " is "Ship it". A before-validator runs ahead of the type and length
        rules, so they judge the stripped title: a blank one fails min_length=1."""
        return strip(value)

    @model_validator(mode="after")
    def due_date_not_before_start_date(self) -> Self:
        if self.start_date and self.due_date and self.due_date < self.start_date:
            raise ValueError("due_date must not be before start_date")
        return self


class TaskCreate(TaskData):
    """What a client sends to create a task (POST) or to replace one (PUT): it names its project."""

    project_id: int


class TaskUpdate(BaseModel):
    """What a client sends to change some fields of a task (PATCH)."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Description | None = None
    status: TaskStatus | None = None
    priority: Priority | None = None
    tags: Tags | None = None
    assignee_id: int | None = None
    project_id: int | None = None
    start_date: date | None = None
    due_date: date | None = None
    kind: TaskKind | None = None

    @field_validator("title", mode="before")
    @classmethod
    def normalise_title(cls, value: Any) -> Any:
        return strip(value)


class ProjectSummary(BaseModel):
    """A project as a task shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


class TaskPublic(TaskFields):
    """A task as clients see it, with its project and its assignee, read from a stored Task."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int
    project: ProjectSummary
    assignee: UserPublic | None


# The fields GET /tasks sorts on, and the only ones: "-" in front sorts in descending order.
TaskSort = Literal["id", "-id", "title", "-title", "priority", "-priority", "due_date", "-due_date"]


class TaskQuery(BaseModel):
    """The query parameters of GET /tasks: filters, sorting and the page."""

    model_config = ConfigDict(extra="forbid")

    status: TaskStatus | None = None
    kind: TaskKind | None = None
    assignee_id: int | None = None
    project_id: int | None = None
    due_before: date | None = None
    q: Annotated[str, Field(max_length=100)] | None = None
    sort: TaskSort = "id"
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = 20
    offset: Annotated[int, Field(ge=0)] = 0


class TaskPage(BaseModel):
    """One page of a list: the items, how many match in all, and the page asked for."""

    items: list[TaskPublic]
    total: int
    limit: int
    offset: int


# --------------------------------------------------------------------------- projects

MAX_INITIAL_TASKS = 50


class ProjectFields(BaseModel):
    name: Name
    description: Description = ""


class ProjectCreate(ProjectFields):
    """What a client sends to create a project, with the tasks it starts with (all or none are stored)."""

    model_config = ConfigDict(extra="forbid")

    tasks: Annotated[list[TaskData], Field(max_length=MAX_INITIAL_TASKS)] = []

    @field_validator("name", mode="before")
    @classmethod
    def normalise_name(cls, value: Any) -> Any:
        return strip(value)


class ProjectPublic(ProjectFields):
    """A project as clients see it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    owner_id: int | None


# --------------------------------------------------------------------------- the dashboard


class ProjectProgress(BaseModel):
    """One project on the dashboard: how many tasks it has, and how many of them are done."""

    id: int
    name: str
    tasks: int
    done: int


class Dashboard(BaseModel):
    """What the caller may see, counted: every status appears, with 0 when no task has it."""

    tasks: int
    by_status: dict[TaskStatus, int]
    projects: list[ProjectProgress]
