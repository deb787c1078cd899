"""One error envelope for the whole API: RFC 9457 problem details.

Every error answer is `application/problem+json` with the members `type`, `title`, `status`,
`detail` and `instance`; a 422 adds `errors`, one entry per invalid field. Exception handlers
registered on the app (install_problem_handlers) turn each kind of exception into a problem: the
domain's own errors (app/errors.py), FastAPI's validation errors, Starlette's HTTP errors (unknown
path, wrong method), a constraint the database enforced and, last, anything unexpected.
"""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import (
    AuthError,
    EmailTaken,
    Forbidden,
    InvalidCredentials,
    ProjectNameTaken,
    ProjectNotFound,
    TaskNotFound,
    TitleTaken,
    TooManyLoginAttempts,
    UnknownReference,
    UserNotFound,
)

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPES = "https://tasks.example/problems/"
TASK_NOT_FOUND = PROBLEM_TYPES + "task-not-found"
TITLE_TAKEN = PROBLEM_TYPES + "title-taken"
VALIDATION_ERROR = PROBLEM_TYPES + "validation-error"
PROJECT_NOT_FOUND = PROBLEM_TYPES + "project-not-found"
PROJECT_NAME_TAKEN = PROBLEM_TYPES + "project-name-taken"
USER_NOT_FOUND = PROBLEM_TYPES + "user-not-found"
EMAIL_TAKEN = PROBLEM_TYPES + "email-taken"
CONFLICT = PROBLEM_TYPES + "conflict"
INVALID_CREDENTIALS = PROBLEM_TYPES + "invalid-credentials"
INVALID_TOKEN = PROBLEM_TYPES + "invalid-token"
TOO_MANY_LOGIN_ATTEMPTS = PROBLEM_TYPES + "too-many-login-attempts"
FORBIDDEN = PROBLEM_TYPES + "forbidden"


class Problem(BaseModel):
    """An RFC 9457 problem: what went wrong, for programs (`type`, `status`) and for people
    (`title`, `detail`); `instance` names this occurrence."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str


class FieldError(BaseModel):
    """One invalid part of a request: where it is (`loc`, as FastAPI names it) and what is wrong."""

    loc: list[str | int]
    detail: str


class ValidationProblem(Problem):
    errors: list[FieldError]


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON


# problem(...) answers an RFC 9457 problem: status `status_code`, media type
#   application/problem+json, and a JSON body with `type` (problem_type), `title` (the status's
#   reason phrase, such as "Not Found"), `status`, `detail`, `instance` (the request's path) and
#   each of `extensions` as one more member.
def problem(
    request: Request,
    status_code: int,
    detail: str,
    *,
    problem_type: str = "about:blank",
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = Problem(
        type=problem_type,
        title=HTTPStatus(status_code).phrase,
        status=status_code,
        detail=detail,
        instance=request.url.path,
    )
    return ProblemResponse(body.model_dump() | extensions, status_code=status_code, headers=headers)


# TaskNotFound answers 404 and TitleTaken 409, each a problem with its own `type`
#   (TASK_NOT_FOUND, TITLE_TAKEN) and the exception's message as `detail`.
async def task_not_found(request: Request, exc: TaskNotFound) -> JSONResponse:
    return problem(request, 404, str(exc), problem_type=TASK_NOT_FOUND)


async def title_taken(request: Request, exc: TitleTaken) -> JSONResponse:
    return problem(request, 409, str(exc), problem_type=TITLE_TAKEN)


async def project_not_found(request: Request, exc: ProjectNotFound) -> JSONResponse:
    return problem(request, 404, str(exc), problem_type=PROJECT_NOT_FOUND)


async def project_name_taken(request: Request, exc: ProjectNameTaken) -> JSONResponse:
    return problem(request, 409, str(exc), problem_type=PROJECT_NAME_TAKEN)


async def user_not_found(request: Request, exc: UserNotFound) -> JSONResponse:
    return problem(request, 404, str(exc), problem_type=USER_NOT_FOUND)


async def email_taken(request: Request, exc: EmailTaken) -> JSONResponse:
    return problem(request, 409, str(exc), problem_type=EMAIL_TAKEN)


async def unknown_reference(request: Request, exc: UnknownReference) -> JSONResponse:
    """A body naming a project or user that does not exist is invalid input: a 422 like any other."""
    errors = [{"loc": list(exc.loc), "detail": str(exc)}]
    detail = "The request is not valid (1 error, see `errors`)."
    return problem(request, 422, detail, problem_type=VALIDATION_ERROR, errors=errors)


# The errors of logging in, of tokens and of roles: 401 with `WWW-Authenticate: Bearer` (HTTP
#   requires it on every 401), 403 for a role that may not, 429 with `Retry-After`.
async def auth_error(request: Request, exc: AuthError) -> JSONResponse:
    if isinstance(exc, Forbidden):
        # Known, but not allowed: 403 - asking again with the same token will not help.
        return problem(request, 403, str(exc), problem_type=FORBIDDEN)
    if isinstance(exc, TooManyLoginAttempts):
        return problem(
            request, 429, str(exc), problem_type=TOO_MANY_LOGIN_ATTEMPTS,
            headers={"Retry-After": str(exc.retry_after)},
        )
    problem_type = INVALID_CREDENTIALS if isinstance(exc, InvalidCredentials) else INVALID_TOKEN
    return problem(request, 401, str(exc), problem_type=problem_type, headers={"WWW-Authenticate": "Bearer"})


# An IntegrityError that reaches this far - a constraint the database enforced that no code
#   turned into a domain error - answers 409, a CONFLICT problem, never a 500. Its text holds the
#   SQL and the values sent: log it, and answer a fixed detail.
async def integrity_error(request: Request, exc: IntegrityError) -> JSONResponse:
    logger.warning("Constraint violated answering %s %s", request.method, request.url.path, exc_info=exc)
    return problem(request, 409, "The change conflicts with data already stored.", problem_type=CONFLICT)


# Invalid input answers 422, a VALIDATION_ERROR problem whose `errors` lists
#   each error as {"loc": [...], "detail": "..."}. Never the submitted value: FastAPI's own 422
#   echoes it back as `input`, passwords included.
async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [{"loc": list(error["loc"]), "detail": error["msg"]} for error in exc.errors()]
    count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
    detail = f"The request is not valid ({count}, see `errors`)."
    return problem(request, 422, detail, problem_type=VALIDATION_ERROR, errors=errors)


# Starlette's and FastAPI's HTTPException - 404 for a path no route serves, 405
#   for a method the path does not allow - answer as a problem with the exception's status and
#   detail, keeping its headers (a 405 says in `Allow` which methods are allowed).
async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return problem(request, exc.status_code, str(exc.detail), headers=exc.headers)


# A handler for every other exception, registered in install_problem_handlers: it
#   answers a generic 500 problem - nothing about what failed, no exception text, no traceback -
#   and logs the exception at ERROR level with its traceback, for you.
async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.error("Unhandled error answering %s %s", request.method, request.url.path, exc_info=exc)
    return problem(request, 500, "Something went wrong on our side. It has been logged.")


def install_problem_handlers(app: FastAPI) -> None:
    """Register a handler for each kind of error; the most specific class wins."""
    app.add_exception_handler(TaskNotFound, task_not_found)
    app.add_exception_handler(TitleTaken, title_taken)
    app.add_exception_handler(ProjectNotFound, project_not_found)
    app.add_exception_handler(ProjectNameTaken, project_name_taken)
    app.add_exception_handler(UserNotFound, user_not_found)
    app.add_exception_handler(EmailTaken, email_taken)
    app.add_exception_handler(UnknownReference, unknown_reference)
    app.add_exception_handler(AuthError, auth_error)
    app.add_exception_handler(IntegrityError, integrity_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    # Starlette gives the Exception handler to ServerErrorMiddleware: it runs for anything the
    # handlers above did not take.
    app.add_exception_handler(Exception, unexpected_error)


# problem_responses(...) returns a route's `responses=` entries: each status code
#   documented with the Problem model (ValidationProblem for 422) as application/problem+json,
#   so /docs shows what an error looks like.
def problem_responses(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    responses: dict[int | str, dict[str, Any]] = {}
    for code in status_codes:
        model = ValidationProblem if code == 422 else Problem
        schema = {"$ref": f"#/components/schemas/{model.__name__}"}
        responses[code] = {
            "description": HTTPStatus(code).phrase,
            # "model" puts the schema in components (FastAPI files it under application/json);
            # "content" documents the media type the API really answers with.
            "model": model,
            "content": {PROBLEM_JSON: {"schema": schema}},
        }
    return responses
