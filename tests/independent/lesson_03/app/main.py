from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from starlette.exceptions import HTTPException

from app.failures import Failure, log, respond
from app.routes import router

app = FastAPI()
app.include_router(router)


@app.exception_handler(Failure)
async def on_failure(request: Request, exc: Failure):
    return respond(request, exc.status, exc.message, exc.slug)


@app.exception_handler(HTTPException)
async def on_http(request: Request, exc: HTTPException):
    return respond(request, exc.status_code, str(exc.detail), headers=exc.headers)


@app.exception_handler(RequestValidationError)
async def on_invalid(request: Request, exc: RequestValidationError):
    problems = [{"loc": list(e["loc"]), "detail": e["msg"]} for e in exc.errors()]
    return respond(request, 422, "invalid request", "validation-error", errors=problems)


def on_crash(request: Request, exc: Exception):  # a sync handler: Starlette runs it in a thread
    log.error("crash in %s", request.url.path, exc_info=exc)
    return respond(request, 500, "internal error")


app.add_exception_handler(Exception, on_crash)


def openapi():
    """Error responses are documented with their real media type: move their schema there."""
    if app.openapi_schema is None:
        schema = get_openapi(title="tasks", version="3", routes=app.routes)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if code[0] in "45" and "application/json" in content:
                        content["application/problem+json"] = content.pop("application/json")
        app.openapi_schema = schema
    return app.openapi_schema


app.openapi = openapi
