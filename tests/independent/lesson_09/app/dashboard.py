"""The dashboard: what it counts (one grouped query), its bytes, its ETag and If-None-Match."""

from __future__ import annotations

import re
from hashlib import blake2b
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import Connection, func, select

from app.db import projects, tasks

Status = Literal["todo", "in_progress", "done"]
STATUSES: tuple[Status, ...] = ("todo", "in_progress", "done")
NAMESPACE = "dashboard"


class ProjectTally(BaseModel):
    id: int
    name: str
    tasks: int
    done: int


class Dashboard(BaseModel):
    tasks: int
    by_status: dict[Status, int]
    projects: list[ProjectTally]


def key(version: str, user_id: int, role: str) -> str:
    """Everything the answer depends on: the data (version), who asks, and what their role lets them see."""
    return f"{NAMESPACE}:{version}:user:{user_id}:role:{role}"


def compute(conn: Connection, owner_id: int | None) -> bytes:
    """The dashboard of the projects owned by `owner_id` (of every project when None), as JSON bytes.

    One statement: each visible project joined to its tasks, counted per (project, status); a
    project without tasks gives one row with a NULL status and a count of 0."""
    query = (
        select(projects.c.id, projects.c.name, tasks.c.status, func.count(tasks.c.id).label("n"))
        .select_from(projects.outerjoin(tasks, tasks.c.project_id == projects.c.id))
        .group_by(projects.c.id, projects.c.name, tasks.c.status)
        .order_by(projects.c.id)
    )
    if owner_id is not None:
        query = query.where(projects.c.owner_id == owner_id)
    by_status = dict.fromkeys(STATUSES, 0)
    tallies: dict[int, ProjectTally] = {}
    for row in conn.execute(query):
        tally = tallies.setdefault(row.id, ProjectTally(id=row.id, name=row.name, tasks=0, done=0))
        if row.status is None:
            continue
        tally.tasks += row.n
        if row.status == "done":
            tally.done += row.n
        by_status[row.status] = by_status.get(row.status, 0) + row.n
    board = Dashboard(tasks=sum(by_status.values()), by_status=by_status, projects=list(tallies.values()))
    return board.model_dump_json().encode()


def etag(body: bytes) -> str:
    """A strong validator: the same bytes give the same tag in every process."""
    return f'"{blake2b(body, digest_size=16).hexdigest()}"'


_ENTITY_TAG = re.compile(r'\*|(?:W/)?"([^"]*)"')


def not_modified(if_none_match: list[str], current: str) -> bool:
    """If-None-Match uses the weak comparison: W/"x" matches "x"; `*` matches any current answer."""
    opaque = current.strip('"')
    for header in if_none_match:
        for tag in _ENTITY_TAG.finditer(header):
            if tag.group(0) == "*" or tag.group(1) == opaque:
                return True
    return False
