"""One error envelope for the whole API: RFC 9457 problem details.

Every error answer is `application/problem+json` with the members `type`, `title`, `status`,
`detail` and `instance`; a 422 adds `errors`, one entry per invalid field. Exception handlers
registered on the app (install_problem_handlers) turn each kind of exception into a problem: the
domain's own errors (app/errors.py), FastAPI's validation errors, Starlette's HTTP errors (unknown
path, wrong method) and, last, anything unexpected.
"""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import TaskNotFound, TitleTaken

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPES = "https://tasks.example/problems/"
TASK_NOT_FOUND = PROBLEM_TYPES + "task-not-found"
TITLE_TAKEN = PROBLEM_TYPES + "title-taken"
VALIDATION_ERROR = PROBLEM_TYPES + "validation-error"


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


# TODO(problem): problem(...) answers an RFC 9457 problem: status `status_code`, media type
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
    ### BEGIN SOLUTION
    body = Problem(
        type=problem_type,
        title=HTTPStatus(status_code).phrase,
        status=status_code,
        detail=detail,
        instance=request.url.path,
    )
    return ProblemResponse(body.model_dump() | extensions, status_code=status_code, headers=headers)
    ### STARTER
    # raise NotImplementedError("TODO(problem)")
    ### END SOLUTION


# TODO(domain): TaskNotFound answers 404 and TitleTaken 409, each a problem with its own `type`
#   (TASK_NOT_FOUND, TITLE_TAKEN) and the exception's message as `detail`.
async def task_not_found(request: Request, exc: TaskNotFound) -> JSONResponse:
    ### BEGIN SOLUTION
    return problem(request, 404, str(exc), problem_type=TASK_NOT_FOUND)
    ### STARTER
    # raise NotImplementedError("TODO(domain)")
    ### END SOLUTION


async def title_taken(request: Request, exc: TitleTaken) -> JSONResponse:
    ### BEGIN SOLUTION
    return problem(request, 409, str(exc), problem_type=TITLE_TAKEN)
    ### STARTER
    # raise NotImplementedError("TODO(domain)")
    ### END SOLUTION


# TODO(validation): invalid input answers 422, a VALIDATION_ERROR problem whose `errors` lists
#   each error as {"loc": [...], "detail": "..."}. Never the submitted value: FastAPI's own 422
#   echoes it back as `input`, passwords included.
async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    ### BEGIN SOLUTION
    errors = [{"loc": list(error["loc"]), "detail": error["msg"]} for error in exc.errors()]
    count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
    detail = f"The request is not valid ({count}, see `errors`)."
    return problem(request, 422, detail, problem_type=VALIDATION_ERROR, errors=errors)
    ### STARTER
    # raise NotImplementedError("TODO(validation)")
    ### END SOLUTION


# TODO(http-errors): Starlette's and FastAPI's HTTPException - 404 for a path no route serves, 405
#   for a method the path does not allow - answer as a problem with the exception's status and
#   detail, keeping its headers (a 405 says in `Allow` which methods are allowed).
async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    ### BEGIN SOLUTION
    return problem(request, exc.status_code, str(exc.detail), headers=exc.headers)
    ### STARTER
    # raise NotImplementedError("TODO(http-errors)")
    ### END SOLUTION


# TODO(crash): a handler for every other exception, registered in install_problem_handlers: it
#   answers a generic 500 problem - nothing about what failed, no exception text, no traceback -
#   and logs the exception at ERROR level with its traceback, for you.
### BEGIN SOLUTION
async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.error("Unhandled error answering %s %s", request.method, request.url.path, exc_info=exc)
    return problem(request, 500, "Something went wrong on our side. It has been logged.")


### END SOLUTION
def install_problem_handlers(app: FastAPI) -> None:
    """Register a handler for each kind of error; the most specific class wins."""
    app.add_exception_handler(TaskNotFound, task_not_found)
    app.add_exception_handler(TitleTaken, title_taken)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    ### BEGIN SOLUTION
    # Starlette gives the Exception handler to ServerErrorMiddleware: it runs for anything the
    # handlers above did not take.
    app.add_exception_handler(Exception, unexpected_error)
    ### END SOLUTION


# TODO(docs): problem_responses(...) returns a route's `responses=` entries: each status code
#   documented with the Problem model (ValidationProblem for 422) as application/problem+json,
#   so /docs shows what an error looks like.
def problem_responses(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    ### BEGIN SOLUTION
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
    ### STARTER
    # return {}
    ### END SOLUTION
