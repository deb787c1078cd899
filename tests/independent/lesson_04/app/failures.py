"""Domain failures carry their own HTTP mapping; one handler serves them all."""

import json
import logging

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel

log = logging.getLogger("tasks.failures")
BASE = "https://tasks.example/problems/"


class Failure(Exception):
    status = 400
    slug = ""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Missing(Failure):
    status = 404
    slug = "task-not-found"


class MissingProject(Failure):
    status = 404
    slug = "project-not-found"


class DuplicateTitle(Failure):
    status = 409
    slug = "title-taken"


class DuplicateProject(Failure):
    status = 409
    slug = "project-name-taken"


class ProblemDoc(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    instance: str


class ValidationProblemDoc(ProblemDoc):
    errors: list[dict]


PHRASES = {404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 422: "Unprocessable Content", 500: "Internal Server Error"}


def respond(request: Request, status: int, detail: str, kind: str = "", headers=None, **more) -> Response:
    payload = {
        "type": BASE + kind if kind else "about:blank",
        "title": PHRASES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **more,
    }
    return Response(json.dumps(payload), status_code=status, headers=headers, media_type="application/problem+json")
